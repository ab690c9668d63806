//! The plan of an environment: the first stage of [`super::create`].
//!
//! A [`Request`] is the caller's path and [`Options`], checked; a [`Plan`]
//! adds the interpreter's [`Facts`] and what else was [`Given`] (the current
//! directory's name, the interpreter's own `repr` of an unusual prompt), and
//! computes every path, name, prompt and text the environment will have,
//! `pyvenv.cfg` included, exactly as CPython's `EnvBuilder` would. Neither
//! reads or writes anything: whatever they need from the world is gathered
//! beforehand, so a plan can be made and examined without a disk.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::facts::Facts;
use super::paths::{abspath_in, py_repr, repr_is_certain};
use super::scripts::Values;
use super::{Options, PipMode, ScmIgnore};

/// A creation request: the environment's absolute path and the options,
/// checked for everything that needs no interpreter.
#[derive(Clone)]
pub struct Request {
    env_dir: PathBuf,
    opts: Options,
}

impl Request {
    /// Checks a request to create `env_dir` with `opts`. A relative `env_dir`
    /// is made absolute against `cwd` (`os.path.abspath`; `None` when the
    /// current directory is unknown, then `/` stands in). Refused with
    /// [`crate::error::ErrorKind::Value`]: an empty path, a path containing
    /// the PATH separator `:`, and `upgrade` together with `clear`. An
    /// `upgrade` of an env whose pyvenv.cfg says `relocatable = true` stays
    /// relocatable without asking again (its scripts and cfg are rewritten
    /// relocatable).
    pub fn new(env_dir: &Path, cwd: Option<&Path>, opts: &Options) -> Result<Request> {
        if env_dir.as_os_str().is_empty() {
            return Err(Error::value("env_dir must not be empty"));
        }
        let env_dir = abspath_in(cwd, env_dir);
        if env_dir.as_os_str().as_bytes().contains(&b':') {
            return Err(Error::value(format!(
                "Refusing to create a venv in {} because it contains the PATH separator :.",
                env_dir.display()
            )));
        }
        if opts.upgrade && opts.clear {
            return Err(Error::value("you cannot supply --upgrade and --clear together."));
        }
        let mut opts = opts.clone();
        if opts.upgrade && !opts.relocatable {
            // An unreadable or missing cfg is the upgrade's own error to report.
            if let Ok(venv) = super::check::open_bounded(&env_dir) {
                opts.relocatable = venv.get("relocatable").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            }
        }
        Ok(Request { env_dir, opts })
    }

    /// The environment's absolute path (`os.path.abspath(env_dir)`).
    pub fn env_dir(&self) -> &Path {
        &self.env_dir
    }

    /// The options asked for.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// True when the prompt is `"."`, which names the current directory on 3.9 and later.
    pub(crate) fn wants_cwd_name(&self, facts: &Facts) -> bool {
        self.opts.prompt.as_deref() == Some(".") && facts.at_least(9)
    }
}

/// What a [`Plan`] needs from outside the request and the facts, gathered
/// beforehand (`create` gathers it; a caller planning by hand supplies it).
#[derive(Debug, Clone, Default)]
pub struct Given {
    /// The current directory's name, for a prompt of `"."` on 3.9 and later
    /// (the empty string for `/`). Needed only then.
    pub cwd_name: Option<String>,
    /// `repr(prompt)` as the interpreter itself writes it, for a prompt with
    /// characters whose printability depends on its Unicode tables (beyond
    /// Latin-1 and a few well-known blocks). `None`: pepkit's own `repr`,
    /// exact for every other prompt.
    pub prompt_repr: Option<String>,
}

impl Given {
    /// Whether `prompt` has characters only the interpreter can `repr` for
    /// certain (so [`Given::prompt_repr`] should be asked of it).
    pub fn prompt_needs_interpreter(prompt: &str, facts: &Facts) -> bool {
        facts.at_least(8) && prompt.chars().any(|c| !repr_is_certain(c))
    }
}

/// Everything an environment will be, computed without I/O: the paths,
/// names and prompts of `EnvBuilder.ensure_directories`, the activation
/// scripts' values, and the text of `pyvenv.cfg`.
///
/// ```
/// use std::path::Path;
/// use pepkit::venv::{Facts, Given, Options, Plan, Request};
///
/// let python = "/usr/bin/python3.12";
/// let facts = Facts {
///     version: "3.12.1".into(),
///     major: 3,
///     minor: 12,
///     executable: python.into(),
///     base_executable: python.into(),
///     realpath: python.into(),
///     venv_scripts: "bin".into(),
///     venv_include: "include/python3.12".into(),
///     venv_purelib: "lib/python3.12/site-packages".into(),
///     ..Facts::default()
/// };
/// let opts = Options { with_pip: false, prompt: Some("demo".into()), ..Options::default() };
/// let request = Request::new(Path::new("/srv/env"), None, &opts)?;
/// let plan = Plan::new(request, facts, &Given::default())?;
/// assert_eq!(plan.interpreter(), Path::new("/srv/env/bin/python3.12"));
/// assert_eq!(
///     plan.pyvenv_cfg(),
///     "home = /usr/bin\n\
///      include-system-site-packages = false\n\
///      version = 3.12.1\n\
///      prompt = 'demo'\n\
///      executable = /usr/bin/python3.12\n\
///      command = /usr/bin/python3.12 -m venv --without-pip --prompt=\"demo\" /srv/env\n"
/// );
/// # Ok::<(), pepkit::error::Error>(())
/// ```
#[derive(Clone)]
pub struct Plan {
    facts: Facts,
    env_dir: PathBuf,
    env_name: String,
    /// The prompt as written to pyvenv.cfg (after `.` is resolved), if any.
    prompt: Option<String>,
    /// `repr(prompt)` from the interpreter itself, when it had to be asked.
    prompt_repr: Option<String>,
    /// `context.prompt`, the activation scripts' `__VENV_PROMPT__`.
    context_prompt: String,
    /// The prompt without the parentheses older versions add.
    bare_prompt: String,
    bin_rel: PathBuf,
    inc_rel: PathBuf,
    lib_rel: PathBuf,
    exe_name: OsString,
    gitignore: bool,
    opts: Options,
}

fn utf8(p: &Path, what: &str) -> Result<String> {
    p.to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::value(format!("{what} is not valid UTF-8: {}", p.display())))
}

impl Plan {
    /// Plans `request` for the interpreter `facts` describes (checked with
    /// [`Facts::validate`] first), with what was `given`. Refused: an
    /// environment path that is not UTF-8, facts that do not validate, and a
    /// prompt of `"."` (3.9+) without [`Given::cwd_name`].
    pub fn new(request: Request, facts: Facts, given: &Given) -> Result<Plan> {
        let env_str = utf8(&request.env_dir, "the environment path")?;
        facts.validate()?;
        let Request { env_dir, opts } = request;
        let env_name = env_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut prompt = opts.prompt.clone();
        if prompt.as_deref() == Some(".") && facts.at_least(9) {
            let name = given.cwd_name.clone().ok_or_else(|| {
                Error::value(format!("the prompt \".\" names the current directory, which was not given (for {env_str})"))
            })?;
            prompt = Some(name);
        }
        let shown = prompt.clone().unwrap_or_else(|| env_name.clone());
        let context_prompt = if facts.at_least(13) { shown.clone() } else { format!("({shown}) ") };
        let gitignore = match opts.scm_ignore_files {
            ScmIgnore::Auto => facts.at_least(13),
            ScmIgnore::None => false,
            ScmIgnore::Git => true,
        };
        let prompt_repr = match &prompt {
            Some(p) if Given::prompt_needs_interpreter(p, &facts) => given.prompt_repr.clone(),
            _ => None,
        };
        Ok(Plan {
            prompt_repr,
            env_dir,
            env_name,
            prompt,
            context_prompt,
            bare_prompt: shown,
            bin_rel: PathBuf::from(&facts.venv_scripts),
            inc_rel: PathBuf::from(&facts.venv_include),
            lib_rel: PathBuf::from(&facts.venv_purelib),
            exe_name: facts.exe_name(),
            gitignore,
            opts,
            facts,
        })
    }

    /// The environment's absolute path.
    pub fn env_dir(&self) -> &Path {
        &self.env_dir
    }

    /// The options the plan was made with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The base interpreter's facts.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The scripts directory (`bin`), relative to the environment.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_rel
    }

    /// The include directory, relative to the environment.
    pub fn include_dir(&self) -> &Path {
        &self.inc_rel
    }

    /// site-packages (`lib/pythonX.Y/site-packages`), relative to the environment.
    pub fn site_packages(&self) -> &Path {
        &self.lib_rel
    }

    /// The environment's interpreter, at the environment's final path.
    pub fn interpreter(&self) -> PathBuf {
        self.env_dir.join(&self.bin_rel).join(&self.exe_name)
    }

    /// The prompt pyvenv.cfg records (`"."` resolved), if any.
    pub fn prompt(&self) -> Option<&str> {
        self.prompt.as_deref()
    }

    /// The text of pyvenv.cfg as the finished environment has it, as this
    /// interpreter's `create_configuration` writes it.
    pub fn pyvenv_cfg(&self) -> String {
        self.cfg_text(self.opts.system_site_packages)
    }

    /// The text of pyvenv.cfg written while the tree is built: with ensurepip,
    /// pip is installed while it still says the system site is off, as
    /// CPython does ([`super::post`] writes the final text afterwards).
    pub(crate) fn pyvenv_cfg_while_building(&self) -> String {
        self.cfg_text(self.opts.system_site_packages && !self.cfg_rewritten_after_pip())
    }

    /// True when pyvenv.cfg is written again once ensurepip has run.
    pub(crate) fn cfg_rewritten_after_pip(&self) -> bool {
        let o = &self.opts;
        o.system_site_packages && o.with_pip && o.pip_mode == PipMode::Ensurepip
    }

    fn cfg_text(&self, system_site: bool) -> String {
        let f = &self.facts;
        let mut s = format!(
            "home = {}\ninclude-system-site-packages = {}\nversion = {}\n",
            f.home().display(),
            if system_site { "true" } else { "false" },
            f.version
        );
        if f.at_least(8) {
            if let Some(p) = &self.prompt {
                s.push_str(&format!("prompt = {}\n", self.prompt_repr.as_deref().unwrap_or(&py_repr(p))));
            }
        }
        if f.at_least(11) {
            s.push_str(&format!("executable = {}\n", Path::new(&f.realpath).display()));
            s.push_str(&format!("command = {} -m venv {}\n", Path::new(&f.executable).display(), self.command_args(system_site)));
        }
        if self.opts.relocatable {
            // uv's key: the env's scripts find it from their own location.
            s.push_str("relocatable = true\n");
        }
        s
    }

    /// The arguments of pyvenv.cfg's `command` line (3.11+).
    fn command_args(&self, system_site: bool) -> String {
        let o = &self.opts;
        let flags = [
            (!o.symlinks, "--copies"),
            (!o.with_pip, "--without-pip"),
            (system_site, "--system-site-packages"),
            (o.clear, "--clear"),
            (o.upgrade, "--upgrade"),
            (o.upgrade_deps, "--upgrade-deps"),
        ];
        let mut args: Vec<String> = flags.iter().filter(|(on, _)| *on).map(|(_, f)| f.to_string()).collect();
        if let Some(p) = &o.prompt {
            args.push(format!("--prompt=\"{p}\""));
        }
        if self.facts.at_least(13) && !self.gitignore {
            args.push("--without-scm-ignore-files".into());
        }
        args.push(self.env_dir.display().to_string());
        args.join(" ")
    }

    /// Whether a `.gitignore` is written.
    pub(crate) fn gitignore(&self) -> bool {
        self.gitignore
    }

    /// The env's interpreter, relative to the environment.
    pub(crate) fn exe_rel(&self) -> PathBuf {
        self.bin_rel.join(&self.exe_name)
    }

    /// The activation scripts' values for the interpreter's own templates.
    pub(crate) fn values(&self) -> Values {
        Values {
            venv_dir: self.env_dir.display().to_string(),
            venv_name: self.env_name.clone(),
            venv_prompt: self.context_prompt.clone(),
            venv_bin_name: self.bin_rel.display().to_string(),
            venv_python: self.interpreter().display().to_string(),
        }
    }

    /// The values for pepkit's own templates, which add the parentheses themselves.
    pub(crate) fn builtin_values(&self) -> Values {
        Values { venv_prompt: self.bare_prompt.clone(), ..self.values() }
    }

    /// The names `setup_python` links to the interpreter (besides its own name).
    pub(crate) fn alias_names(&self) -> Vec<String> {
        let mut v = vec!["python".to_string(), "python3".to_string()];
        if self.facts.at_least(9) {
            v.push(format!("python3.{}", self.facts.minor));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn facts(minor: u32) -> Facts {
        let exe = format!("/opt/py/bin/python3.{minor}");
        Facts {
            version: format!("3.{minor}.4"),
            major: 3,
            minor,
            executable: exe.clone().into(),
            base_executable: exe.clone().into(),
            realpath: exe.into(),
            venv_scripts: "bin".into(),
            venv_include: "include".into(),
            venv_purelib: format!("lib/python3.{minor}/site-packages").into(),
            ..Facts::default()
        }
    }

    fn plan(env: &str, opts: &Options, minor: u32, given: &Given) -> Result<Plan> {
        Plan::new(Request::new(Path::new(env), Some(Path::new("/work/here")), opts)?, facts(minor), given)
    }

    #[test]
    fn requests_are_checked_without_an_interpreter() {
        let o = Options::default();
        assert_eq!(Request::new(Path::new(""), None, &o).err().map(|e| e.kind), Some(ErrorKind::Value));
        let e = Request::new(Path::new("a:b"), Some(Path::new("/w")), &o).err().expect(":");
        assert_eq!(e.message, "Refusing to create a venv in /w/a:b because it contains the PATH separator :.");
        let both = Options { upgrade: true, clear: true, ..Options::default() };
        assert!(Request::new(Path::new("/e"), None, &both).is_err());
        let r = Request::new(Path::new("x/../env"), None, &o).expect("relative, no cwd");
        assert_eq!(r.env_dir(), Path::new("/env"));
        let r = Request::new(Path::new("env/"), Some(Path::new("/w/d")), &o).expect("relative");
        assert_eq!(r.env_dir(), Path::new("/w/d/env"));
    }

    #[test]
    fn cfg_text_follows_the_version() {
        let o = Options { with_pip: false, ..Options::default() };
        let old = plan("/e/env", &o, 7, &Given::default()).expect("3.7");
        assert_eq!(old.pyvenv_cfg(), "home = /opt/py/bin\ninclude-system-site-packages = false\nversion = 3.7.4\n");
        let o = Options { clear: true, symlinks: false, system_site_packages: true, ..Options::default() };
        let new = plan("/e/env", &o, 13, &Given::default()).expect("3.13");
        assert!(new.pyvenv_cfg().ends_with(
            "command = /opt/py/bin/python3.13 -m venv --copies --system-site-packages --clear /e/env\n"
        ));
        let o = Options { scm_ignore_files: ScmIgnore::None, ..Options::default() };
        let none = plan("/e/env", &o, 13, &Given::default()).expect("3.13");
        assert!(!none.gitignore() && none.pyvenv_cfg().ends_with("--without-scm-ignore-files /e/env\n"));
    }

    #[test]
    fn prompts_and_their_repr() {
        let o = Options { prompt: Some(".".into()), ..Options::default() };
        assert!(plan("/e/env", &o, 12, &Given::default()).is_err(), "'.' needs the cwd name");
        let given = Given { cwd_name: Some("proj".into()), ..Given::default() };
        let p = plan("/e/env", &o, 12, &given).expect("'.'");
        assert_eq!(p.prompt(), Some("proj"));
        assert_eq!(p.values().venv_prompt, "(proj) ");
        assert_eq!(p.builtin_values().venv_prompt, "proj");
        assert!(p.pyvenv_cfg().contains("prompt = 'proj'\n") && p.pyvenv_cfg().contains("--prompt=\".\""));
        // Before 3.9 "." is the prompt itself.
        assert_eq!(plan("/e/env", &o, 8, &Given::default()).expect("3.8").prompt(), Some("."));
        // An unusual character takes the interpreter's repr when given, else pepkit's.
        let odd = Options { prompt: Some("\u{0378}x".into()), ..Options::default() };
        assert!(Given::prompt_needs_interpreter("\u{0378}x", &facts(12)));
        let given = Given { prompt_repr: Some("'\\u0378x'".into()), ..Given::default() };
        assert!(plan("/e/env", &odd, 12, &given).expect("odd").pyvenv_cfg().contains("prompt = '\\u0378x'\n"));
        let p = plan("/e/env", &Options { prompt: Some("it's".into()), ..Options::default() }, 13, &Given::default());
        let p = p.expect("quote");
        assert!(p.pyvenv_cfg().contains("prompt = \"it's\"\n"));
        assert_eq!(p.values().venv_prompt, "it's");
    }

    #[test]
    fn names_and_paths() {
        let p = plan("env", &Options::default(), 12, &Given::default()).expect("plan");
        assert_eq!(p.env_dir(), Path::new("/work/here/env"));
        assert_eq!(p.interpreter(), Path::new("/work/here/env/bin/python3.12"));
        assert_eq!(p.alias_names(), ["python", "python3", "python3.12"]);
        assert_eq!(plan("/e", &Options::default(), 8, &Given::default()).expect("3.8").alias_names(), ["python", "python3"]);
        let mut bad = facts(12);
        bad.venv_purelib = "../x".into();
        let r = Request::new(Path::new("/e/env"), None, &Options::default()).expect("request");
        assert_eq!(Plan::new(r, bad, &Given::default()).err().map(|e| e.kind), Some(ErrorKind::Value));
    }
}
