//! PEP 405 virtual environments: create, upgrade and inspect them the way
//! CPython's `venv` does, without running `python -m venv`.
//!
//! Creating one ([`create`]) is a one-way pipeline, each stage in a module
//! of its own:
//!
//! 1. **plan** ([`Request`], [`Plan`]): the request's checks, every path,
//!    prompt and activation value, and the text of `pyvenv.cfg`, computed
//!    without I/O from the interpreter's [`Facts`] (learned by at most one
//!    run of it, and cached) and what else was [`Given`];
//! 2. **stage**: a fresh directory beside the final path (or the existing
//!    environment itself), every write beneath it through one handle that
//!    never follows a link; dropped unfinished, it leaves nothing;
//! 3. **populate**: directories, `pyvenv.cfg`, the interpreter's links or
//!    copies, the activation scripts;
//! 4. **seed**: pip, installed natively from the interpreter's bundled wheels;
//! 5. **commit**: renamed (or atomically exchanged) into place, so a new
//!    environment appears whole or not at all; then the steps that run the
//!    new interpreter (`ensurepip`, `upgrade_deps`), after which a failure
//!    removes a new environment again.
//!
//! Reading an existing environment is [`Venv`]: its `pyvenv.cfg` as the
//! interpreter reads it, its site-packages, and the interpreter's own search
//! for the environment it runs in ([`Venv::locate`]).
//!
//! ```
//! use pepkit::venv::{self, Facts, Options, Venv};
//! # fn main() -> Result<(), pepkit::error::Error> {
//! # let tmp = std::env::temp_dir().join(format!("pepkit-doc-venv-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&tmp);
//! # std::fs::create_dir_all(tmp.join("base/bin")).expect("temp dir");
//! # let python = tmp.join("base/bin/python3.12");
//! # std::fs::write(&python, b"").expect("a stand-in interpreter");
//! // Facts supplied by hand, so this runs no interpreter (normally they are
//! // learned from `Options::python` and cached).
//! let facts = Facts {
//!     version: "3.12.1".into(),
//!     major: 3,
//!     minor: 12,
//!     executable: python.clone().into(),
//!     base_executable: python.clone().into(),
//!     realpath: python.clone().into(),
//!     venv_scripts: "bin".into(),
//!     venv_include: "include/python3.12".into(),
//!     venv_purelib: "lib/python3.12/site-packages".into(),
//!     ..Facts::default()
//! };
//! let opts = Options { facts: Some(facts), with_pip: false, ..Options::default() };
//! let env = venv::create(&tmp.join("env"), &opts, None)?;
//!
//! let v = Venv::open(&env)?;
//! assert_eq!(v.get("version"), Some("3.12.1"));
//! assert_eq!(v.site_packages()?, env.join("lib/python3.12/site-packages"));
//! assert!(!v.system_site_packages());
//! assert_eq!(Venv::locate(env.join("bin/python").as_os_str())?.dir, env);
//! # std::fs::remove_dir_all(&tmp).expect("cleanup");
//! # Ok(())
//! # }
//! ```

pub(crate) mod beneath;
pub(crate) mod cache;
pub(crate) mod check;
pub mod discover;
pub(crate) mod facts;
pub(crate) mod inspect;
mod install;
pub(crate) mod paths;
mod pip;
mod plan;
mod populate;
pub(crate) mod requires_python;
mod post;
mod scripts;
mod stage;
mod tags;
mod tempname;
mod uninstall;
mod upgrade;
pub(crate) mod wheel;
mod wheel_cache;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use check::{check, Problem, ProblemKind, Report};
pub use discover::find_python;
pub use facts::{Facts, FactsSource};
pub use inspect::{parse_cfg, Venv};
pub use plan::{Given, Plan, Request};
// Issue 13 item 6: the native wheel installer.
pub use install::{install_wheel, InstallOptions, Installed};

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

/// Activation scripts `python -m venv` does not write, written on request.
/// Each finds the environment as the interpreter's own scripts do (its path
/// written in, quoted for the script's language), or from the script's own
/// location when the env is [`Options::relocatable`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activators {
    /// `bin/activate.nu`, for nushell (`overlay use ENV/bin/activate.nu`).
    pub nushell: bool,
    /// `bin/activate.xsh`, for xonsh (`source ENV/bin/activate.xsh`).
    pub xonsh: bool,
    /// `bin/Activate.ps1`, for PowerShell, where the interpreter ships none
    /// (CPython 3.6 and 3.7 on POSIX); CPython's own is kept where it has one.
    pub powershell: bool,
    /// `bin/activate_this.py`, virtualenv's: `exec`'d by any Python, it puts
    /// the env's site-packages first on `sys.path` and sets `sys.prefix`.
    pub activate_this: bool,
}

/// A progress report: called with the name of the step about to run (see [`create`]).
pub type Progress<'a> = &'a dyn Fn(&str);

/// What to create. `Default` is `python -m venv`'s command line default
/// (symlinks, with pip) with the native pip installer.
#[derive(Clone)]
pub struct Options {
    /// The base interpreter as the user would invoke it: a path (made
    /// absolute, links not resolved) or a bare name looked up on PATH;
    /// `None` = `python3` on PATH. Anything else that is a request (`3.12`,
    /// `python3.12`, `pypy3`) is discovered by [`find_python`].
    pub python: Option<OsString>,
    /// `--system-site-packages`: the env sees the base's site-packages.
    pub system_site_packages: bool,
    /// `--clear`: empty the directory first (a non-empty one that is not a
    /// venv only with `force`).
    pub clear: bool,
    /// Allow `clear` to empty a non-empty directory that is not a venv.
    pub force: bool,
    /// The env's interpreter is a symlink (`false`: a copy, `--copies`).
    pub symlinks: bool,
    /// `--upgrade`: refresh the interpreter links and pyvenv.cfg of an existing env.
    pub upgrade: bool,
    /// Install pip (`false`: `--without-pip`).
    pub with_pip: bool,
    /// How pip is installed.
    pub pip_mode: PipMode,
    /// `--upgrade-deps`: run the env's pip to upgrade pip (and setuptools on
    /// 3.9 to 3.11) from the package index.
    pub upgrade_deps: bool,
    /// Which SCM ignore files to write.
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
    /// `--relocatable`: the activation scripts and the entry-point scripts
    /// find the env from their own location, so a moved env keeps working
    /// (pyvenv.cfg records `relocatable = true`).
    pub relocatable: bool,
    /// `--allow-existing`: in an existing directory, keep what is there (as
    /// `python -m venv` does) but replace the interpreter links an earlier
    /// env left, so they name this interpreter (as `uv venv --allow-existing`).
    pub allow_existing: bool,
    /// Write a `CACHEDIR.TAG` (the Cache Directory Tagging spec's signature)
    /// at the env's root, so backup tools skip it, as uv does. On by default;
    /// the one file in which pepkit's tree differs from `python -m venv`'s.
    pub cachedir_tag: bool,
    /// Activation scripts beyond `python -m venv`'s.
    pub activators: Activators,
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
            relocatable: false,
            allow_existing: false,
            cachedir_tag: true,
            activators: Activators::default(),
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
        // A value that is no path and no command on PATH but a request
        // (`3.12`, `pypy3`) is discovered (see [`discover`]); the env is then
        // named after the interpreter found.
        if !python.as_encoded_bytes().contains(&b'/')
            && paths::which(&python).is_none()
            && python.to_str().and_then(discover::parse_request).is_some()
        {
            let found = discover::find_python(&python)?;
            return facts::facts_for(found.as_os_str(), self.facts_source);
        }
        facts::facts_for(&python, self.facts_source)
    }
}

/// Creates (or re-creates, clears, upgrades) the environment at `env_dir`
/// as `python -m venv` would with the same options, and returns its absolute
/// path. `progress`, if given, is called with the name of each step before it
/// runs ("facts", "directories", "pyvenv.cfg", "python", "pip", "scripts",
/// "rename", "upgrade-deps", "done"), and with "warning: ..." for something
/// that did not stop the call.
///
/// A new environment appears whole or not at all; a failure leaves nothing
/// behind that was not there (see the module for the stages).
pub fn create(env_dir: &Path, opts: &Options, progress: Option<Progress<'_>>) -> Result<PathBuf> {
    say(progress, "facts");
    // The request's checks first: they need no interpreter.
    let cwd = std::env::current_dir();
    let request = Request::new(env_dir, cwd.as_deref().ok(), opts)?;
    let facts = opts.facts()?;
    let given = facts::gather(&request, &facts, &cwd)?;
    let plan = Plan::new(request, facts, &given)?;
    // An upgrade to another minor version is refused, the env untouched.
    upgrade::refuse_other_minor(&plan)?;

    let staging = stage::Staging::begin(&plan)?;
    populate::tree(staging.root(), &plan, progress)?;
    // An upgrade to a new patch release of the base repoints links and shebangs.
    upgrade::repair(staging.root(), &plan)?;
    populate::seed(staging.root(), &plan, progress)?;
    populate::activation_scripts(staging.root(), &plan, progress)?;
    let env = staging.commit(progress)?;

    if let Err(e) = post::finish(&plan, progress) {
        env.undo();
        return Err(e);
    }
    say(progress, "done");
    Ok(plan.env_dir().to_path_buf())
}

/// Reports `step` to `progress`, if there is one.
fn say(progress: Option<Progress<'_>>, step: &str) {
    if let Some(p) = progress {
        p(step)
    }
}

/// Reports a warning (`"warning: " + text`) to `progress`, if there is one.
fn warn(progress: Option<Progress<'_>>, text: &str) {
    say(progress, &format!("warning: {text}"))
}
