//! PEP 405 virtual environments: create, upgrade and inspect them the way
//! CPython's `venv` does, without running `python -m venv`.
//!
//! - [`facts`]: what the base interpreter is, learned once and cached.
//! - [`tree`]: the directories, links, `pyvenv.cfg` and activation scripts,
//!   built beside the final path and renamed into place.
//! - [`scripts`]: activation scripts rendered from the interpreter's templates.
//! - [`inspect`]: reading an existing environment (`pyvenv.cfg`, site-packages,
//!   the interpreter's own pyvenv.cfg search).
//! - [`pip`]: installing the bundled pip wheels natively (no subprocess).

pub mod beneath;
pub mod cache;
pub mod facts;
pub mod inspect;
pub mod paths;
pub mod pip;
pub mod scripts;
pub mod tree;
pub mod wheel;
pub mod wheel_cache;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use facts::{Facts, FactsSource};
pub use inspect::Venv;

use crate::error::Result;

/// How pip is put into a new environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipMode {
    /// Unpack the interpreter's bundled (or distro) wheels natively.
    Native,
    /// Run `<env>/bin/python -m ensurepip --upgrade --default-pip`, as `python -m venv` does.
    Ensurepip,
}

/// Which SCM ignore files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScmIgnore {
    /// What the interpreter's own `python -m venv` writes by default: a
    /// `.gitignore` from 3.13 on, nothing before.
    Auto,
    /// None (3.13's `--without-scm-ignore-files`).
    None,
    /// A `.gitignore`, whatever the version.
    Git,
}

/// A progress report: the name of the step about to run.
pub type Progress<'a> = &'a dyn Fn(&str);

/// What to create. `Default` is `python -m venv`'s command line default
/// (symlinks, with pip) with the native pip installer.
#[derive(Clone)]
pub struct Options {
    /// The base interpreter as the user would invoke it; `None` = `python3` on PATH.
    pub python: Option<OsString>,
    pub system_site_packages: bool,
    pub clear: bool,
    /// Allow `clear` to empty a non-empty directory that is not a venv.
    pub force: bool,
    pub symlinks: bool,
    pub upgrade: bool,
    pub with_pip: bool,
    pub pip_mode: PipMode,
    pub upgrade_deps: bool,
    pub scm_ignore_files: ScmIgnore,
    /// `--prompt`; `"."` means the current directory's name (3.9+).
    pub prompt: Option<String>,
    /// Cache use for the interpreter facts.
    pub facts_source: FactsSource,
    /// Facts supplied by the caller (then the interpreter is not run at all).
    pub facts: Option<Facts>,
    /// Native pip: hard-link files from pepkit's cache of unpacked wheels (as
    /// uv does by default) instead of writing private copies.
    pub link_wheels: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            python: None,
            system_site_packages: false,
            clear: false,
            force: false,
            symlinks: true,
            upgrade: false,
            with_pip: true,
            pip_mode: PipMode::Native,
            upgrade_deps: false,
            scm_ignore_files: ScmIgnore::Auto,
            prompt: None,
            facts_source: FactsSource::Cached,
            facts: None,
            link_wheels: true,
        }
    }
}

impl Options {
    /// The facts of the chosen interpreter (supplied, cached or queried).
    pub fn facts(&self) -> Result<Facts> {
        if let Some(f) = &self.facts {
            // Supplied facts are input like any other: checked before use.
            f.validate()?;
            return Ok(f.clone());
        }
        let python = self.python.clone().unwrap_or_else(|| OsString::from("python3"));
        facts::facts_for(&python, self.facts_source)
    }
}

/// Creates (or re-creates, clears, upgrades) the environment at `env_dir`.
pub fn create(env_dir: &Path, opts: &Options, progress: Option<Progress<'_>>) -> Result<PathBuf> {
    tree::create(env_dir, opts, progress)
}
