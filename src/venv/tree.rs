//! Building the environment's tree: `EnvBuilder.create` step for step, written
//! beside the final path and renamed into place.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

use super::beneath::{remove_tree, Beneath, Kind, Mode};
use super::facts::Facts;
use super::paths::{abspath, py_repr};
use super::scripts::{self, Values};
use super::{Options, PipMode, Progress, ScmIgnore};

/// Everything `ensure_directories` computes, as strings for the final path.
pub struct Plan {
    pub facts: Facts,
    /// The absolute environment directory (`os.path.abspath(env_dir)`).
    pub env_dir: PathBuf,
    pub env_name: String,
    /// The prompt as written to pyvenv.cfg (after `.` is resolved), if any.
    pub prompt: Option<String>,
    /// The prompt as given (for `command`).
    pub orig_prompt: Option<String>,
    /// `repr(prompt)` from the interpreter itself, when the prompt has
    /// characters whose printability depends on its Unicode tables.
    pub prompt_repr: Option<String>,
    /// `context.prompt`, the activation scripts' `__VENV_PROMPT__`.
    pub context_prompt: String,
    /// The prompt without the parentheses older versions add.
    pub bare_prompt: String,
    pub bin_rel: PathBuf,
    pub inc_rel: PathBuf,
    pub lib_rel: PathBuf,
    pub exe_name: OsString,
    pub gitignore: bool,
    pub opts: Options,
}

fn utf8(p: &Path, what: &str) -> Result<String> {
    p.to_str()
        .map(str::to_string)
        .ok_or_else(|| Error::value(format!("{what} is not valid UTF-8: {}", p.display())))
}

impl Plan {
    pub fn new(env_dir: &Path, opts: &Options, facts: Facts) -> Result<Plan> {
        let env_abs = abspath(env_dir);
        let env_str = utf8(&env_abs, "the environment path")?;
        if env_str.contains(':') {
            return Err(Error::value(format!(
                "Refusing to create a venv in {env_str} because it contains the PATH separator :."
            )));
        }
        if opts.upgrade && opts.clear {
            return Err(Error::value("you cannot supply --upgrade and --clear together."));
        }
        let env_name = env_abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut prompt = opts.prompt.clone();
        if prompt.as_deref() == Some(".") && facts.at_least(9) {
            let cwd = std::env::current_dir().map_err(|e| Error::io(&e, "getting the current directory"))?;
            prompt = Some(cwd.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        }
        let shown = prompt.clone().unwrap_or_else(|| env_name.clone());
        let context_prompt = if facts.at_least(13) { shown.clone() } else { format!("({shown}) ") };
        let gitignore = match opts.scm_ignore_files {
            ScmIgnore::Auto => facts.at_least(13),
            ScmIgnore::None => false,
            ScmIgnore::Git => true,
        };
        let prompt_repr = match &prompt {
            Some(p) if facts.at_least(8) && p.chars().any(|c| !super::paths::repr_is_certain(c)) => {
                interpreter_repr(opts, &facts, p)
            }
            _ => None,
        };
        Ok(Plan {
            prompt_repr,
            env_dir: env_abs,
            env_name,
            orig_prompt: opts.prompt.clone(),
            prompt,
            context_prompt,
            bare_prompt: shown,
            bin_rel: PathBuf::from(&facts.venv_scripts),
            inc_rel: PathBuf::from(&facts.venv_include),
            lib_rel: PathBuf::from(&facts.venv_purelib),
            exe_name: facts.exe_name(),
            gitignore,
            opts: opts.clone(),
            facts,
        })
    }

    /// The text of pyvenv.cfg, as this interpreter's `create_configuration` writes it.
    pub fn pyvenv_cfg(&self, system_site: bool) -> String {
        let f = &self.facts;
        let mut s = format!(
            "home = {}\ninclude-system-site-packages = {}\nversion = {}\n",
            self.facts.home().display(),
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
            let o = &self.opts;
            let mut args: Vec<String> = Vec::new();
            if !o.symlinks {
                args.push("--copies".into());
            }
            if !o.with_pip {
                args.push("--without-pip".into());
            }
            if system_site {
                args.push("--system-site-packages".into());
            }
            if o.clear {
                args.push("--clear".into());
            }
            if o.upgrade {
                args.push("--upgrade".into());
            }
            if o.upgrade_deps {
                args.push("--upgrade-deps".into());
            }
            if let Some(p) = &self.orig_prompt {
                args.push(format!("--prompt=\"{p}\""));
            }
            if f.at_least(13) && !self.gitignore {
                args.push("--without-scm-ignore-files".into());
            }
            args.push(self.env_dir.display().to_string());
            s.push_str(&format!("command = {} -m venv {}\n", Path::new(&f.executable).display(), args.join(" ")));
        }
        s
    }

    fn values(&self) -> Values {
        let bin = self.env_dir.join(&self.bin_rel);
        Values {
            venv_dir: self.env_dir.display().to_string(),
            venv_name: self.env_name.clone(),
            venv_prompt: self.context_prompt.clone(),
            venv_bin_name: self.bin_rel.display().to_string(),
            venv_python: bin.join(&self.exe_name).display().to_string(),
        }
    }

    /// The names `setup_python` links to the interpreter (besides its own name).
    fn alias_names(&self) -> Vec<String> {
        let mut v = vec!["python".to_string(), "python3".to_string()];
        if self.facts.at_least(9) {
            v.push(format!("python3.{}", self.facts.minor));
        }
        v
    }
}

/// `repr(s)` as the interpreter writes it (its own Unicode tables decide
/// what is printable), by one short run; None if it cannot be run.
fn interpreter_repr(opts: &Options, facts: &Facts, s: &str) -> Option<String> {
    let exe = opts.python.clone().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(&facts.executable));
    let exe = if exe.as_os_str().as_bytes().contains(&b'/') { exe } else { PathBuf::from(&facts.executable) };
    let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    let out = Command::new(exe)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; sys.stdout.buffer.write(repr(bytes.fromhex(sys.argv[1]).decode('utf-8')).encode('utf-8'))",
            &hex,
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

fn io_err(e: std::io::Error, what: impl std::fmt::Display) -> Error {
    Error::io(&e, what)
}

/// `create_if_needed`: makes `rel` (and parents) beneath the root, or checks
/// it is a real directory.
fn create_if_needed(root: &Beneath, rel: &Path) -> Result<()> {
    match root.lstat(rel)? {
        Some(st) if st.kind != Kind::Dir => {
            // os.path.exists follows a link: a link to a directory or any file is refused.
            Err(Error::value(format!("Unable to create directory {}", py_repr(&root.shown(rel).display().to_string()))))
        }
        Some(_) => Ok(()),
        None => root.mkdir_all(rel),
    }
}

/// Writes a file whole (a new file renamed over it, beneath the root).
/// `mode` is applied when given; otherwise an existing file's mode is kept and
/// a new one gets 0666 & ~umask, as Python's `open(..., 'w')` would.
fn write_file(root: &Beneath, rel: &Path, data: &[u8], mode: Option<u32>) -> Result<()> {
    root.write(rel, data, mode.map_or(Mode::Keep, Mode::Exact))
}

fn is_link(root: &Beneath, rel: &Path) -> bool {
    matches!(root.lstat(rel), Ok(Some(st)) if st.kind == Kind::Symlink)
}

/// Where a copy of the interpreter comes from.
enum CopyFrom<'a> {
    /// A file outside the env (the base interpreter).
    Outside(&'a Path),
    /// A file already written beneath the root (the env's interpreter, for an alias).
    Inside(&'a Path),
}

/// `symlink_or_copy`: a link (relative when `relative`) unless `dst` already
/// is one, or a copy (`shutil.copyfile` then `chmod 0o755`, written whole).
/// A link that cannot be made falls back to a copy, as in CPython.
fn symlink_or_copy(root: &Beneath, symlinks: bool, src: &Path, from: CopyFrom<'_>, dst: &Path, relative: bool) -> Result<()> {
    if symlinks {
        if is_link(root, dst) {
            return Ok(());
        }
        let target: &Path = if relative { Path::new(src.file_name().unwrap_or_else(|| OsStr::new(""))) } else { src };
        if root.symlink(target, dst).is_ok() {
            return Ok(());
        }
    }
    let (result, shown_src) = match from {
        CopyFrom::Outside(p) => (root.copy_in(p, dst, Mode::Exact(0o755)), p.to_path_buf()),
        CopyFrom::Inside(rel) => (
            root.open_read(rel).and_then(|mut f| root.copy_from(&mut f, dst, Mode::Exact(0o755))),
            root.shown(rel),
        ),
    };
    result.map_err(|e| {
        Error::new(e.kind, format!("copying {} to {}: {}", shown_src.display(), root.shown(dst).display(), e.message))
    })
}

/// Writes the whole environment for `plan` beneath `root` (the final
/// directory, or the staging one beside it); every change goes through the
/// root handle, so no link in an existing env can lead a write outside it.
fn populate(root: &Beneath, plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    let say = |s: &str| {
        if let Some(p) = progress {
            p(s)
        }
    };
    let env = &plan.env_dir;
    let facts = &plan.facts;
    let opts = &plan.opts;
    let exe_rel = plan.bin_rel.join(&plan.exe_name);
    if !opts.symlinks {
        // CPython's shutil.copyfile refuses to copy the interpreter onto a link to
        // itself (an upgrade of a symlinked env with --copies); refuse before
        // anything is written.
        let base = abspath(Path::new(&facts.base_executable));
        if is_link(root, &exe_rel) {
            let dst = env.join(&exe_rel);
            if let (Ok(a), Ok(b)) = (std::fs::canonicalize(&base), std::fs::canonicalize(&dst)) {
                if a == b {
                    return Err(Error::os(format!(
                        "{} and {} are the same file",
                        py_repr(&Path::new(&facts.base_executable).display().to_string()),
                        py_repr(&dst.display().to_string())
                    )));
                }
            }
        }
    }
    // Everything create_if_needed would refuse, refused before anything is
    // made (CPython creates include/ and lib/ before it finds bin/ is a file).
    for rel in [&plan.inc_rel, &plan.lib_rel, &plan.bin_rel] {
        let mut cur = PathBuf::new();
        for comp in rel.components() {
            cur.push(comp);
            match root.lstat(&cur)? {
                Some(st) if st.kind == Kind::Dir => {}
                Some(st) => {
                    // CPython refuses a file or link at the directory itself; a file
                    // higher up fails in os.makedirs. A link higher up CPython would
                    // follow; pepkit never writes through one.
                    let full = env.join(rel);
                    return Err(if cur.as_path() == rel.as_path() {
                        Error::value(format!("Unable to create directory {}", py_repr(&full.display().to_string())))
                    } else if st.kind == Kind::Symlink {
                        Error::value(format!(
                            "refusing to create {}: {} is a symbolic link; pepkit never writes through a link in \
                             an environment",
                            full.display(),
                            env.join(&cur).display()
                        ))
                    } else {
                        Error::os(format!("[Errno 20] Not a directory: {}", py_repr(&env.join(&cur).display().to_string())))
                    });
                }
                None => break,
            }
        }
    }
    say("directories");
    create_if_needed(root, &plan.inc_rel)?;
    create_if_needed(root, &plan.lib_rel)?;
    if facts.is_64bit && !root.exists_following(Path::new("lib64")) {
        root.symlink(Path::new("lib"), Path::new("lib64"))?;
    }
    create_if_needed(root, &plan.bin_rel)?;

    if plan.gitignore {
        write_file(root, Path::new(".gitignore"), b"# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n", None)?;
    }

    say("pyvenv.cfg");
    // With ensurepip, pip is installed while the cfg still says "false", as CPython does.
    let cfg_first = opts.system_site_packages && opts.with_pip && opts.pip_mode == PipMode::Ensurepip;
    let cfg = plan.pyvenv_cfg(opts.system_site_packages && !cfg_first);
    write_file(root, Path::new("pyvenv.cfg"), cfg.as_bytes(), None)?;

    say("python");
    let base = PathBuf::from(&facts.base_executable);
    let base_abs = abspath(&base);
    let env_exe_abs = env.join(&exe_rel);
    symlink_or_copy(root, opts.symlinks, &base, CopyFrom::Outside(&base_abs), &exe_rel, false)?;
    // An alias copies the env's interpreter as it stands beneath the root (the
    // staging dir may be where the env is not yet); if that is a link (to the
    // base interpreter), the copy is of what it points to.
    let exe_is_file = root.lstat(&exe_rel)?.is_some_and(|st| st.kind == Kind::File);
    for name in plan.alias_names() {
        let rel = plan.bin_rel.join(&name);
        if !root.exists_following(&rel) {
            let from = if exe_is_file { CopyFrom::Inside(&exe_rel) } else { CopyFrom::Outside(&base_abs) };
            symlink_or_copy(root, opts.symlinks, &env_exe_abs, from, &rel, true)?;
        }
    }

    if opts.with_pip && opts.pip_mode == PipMode::Native {
        say("pip");
        super::pip::install_bundled(root, plan, progress)?;
    }

    if !opts.upgrade {
        say("scripts");
        let fixed = facts.quotes_templates();
        let rendered = match scripts::render_all(Path::new(&facts.venv_dir), &plan.values(), fixed) {
            Ok(r) => r,
            Err(e) if e.kind == crate::error::ErrorKind::NotFound => {
                let mut values = plan.values();
                values.venv_prompt = plan.bare_prompt.clone();
                scripts::render_builtin(&values)
            }
            Err(e) => return Err(e),
        };
        for r in rendered {
            let dst = plan.bin_rel.join(&r.rel);
            if let Some(parent) = dst.parent() {
                if parent != plan.bin_rel {
                    root.mkdir_all(parent)?;
                }
            }
            write_file(root, &dst, &r.data, Some(r.mode))?;
        }
    }
    Ok(())
}

/// Runs the env's interpreter as `_call_new_python` does.
fn call_new_python(plan: &Plan, args: &[&str]) -> Result<()> {
    let exe = plan.env_dir.join(&plan.bin_rel).join(&plan.exe_name);
    let out = Command::new(&exe)
        .args(args)
        .env("VIRTUAL_ENV", &plan.env_dir)
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .current_dir(&plan.env_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| io_err(e, format!("running {}", exe.display())))?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        return Err(Error::subprocess(format!(
            "Command '{} {}' returned non-zero exit status {}: {}",
            exe.display(),
            args.join(" "),
            out.status.code().unwrap_or(-1),
            text.trim()
        )));
    }
    Ok(())
}

/// The steps after the tree is in place: ensurepip, the final pyvenv.cfg,
/// upgrade_deps.
fn finish(plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    let opts = &plan.opts;
    if opts.with_pip && opts.pip_mode == PipMode::Ensurepip {
        if let Some(p) = progress {
            p("pip")
        }
        call_new_python(plan, &["-m", "ensurepip", "--upgrade", "--default-pip"])?;
        if opts.system_site_packages {
            let cfg = plan.pyvenv_cfg(true);
            let root = Beneath::open(&plan.env_dir, &plan.env_dir)?;
            write_file(&root, Path::new("pyvenv.cfg"), cfg.as_bytes(), None)?;
        }
    }
    if opts.upgrade_deps {
        if let Some(p) = progress {
            p("upgrade-deps")
        }
        let mut args = vec!["-m", "pip", "install", "--upgrade", "pip"];
        if (9..=11).contains(&plan.facts.minor) {
            args.push("setuptools");
        }
        call_new_python(plan, &args)?;
    }
    Ok(())
}

/// A fresh, hidden name beside `final_dir` for building.
fn staging_name(final_dir: &Path) -> PathBuf {
    let name = final_dir.file_name().unwrap_or_else(|| OsStr::new("venv"));
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".pepkit-{}", super::paths::unique_suffix()));
    final_dir.with_file_name(s)
}

/// Removes staging directories left by pepkit processes that no longer run
/// (a creation killed part way).
fn sweep_stale(final_dir: &Path) {
    let (Some(parent), Some(name)) = (final_dir.parent(), final_dir.file_name()) else { return };
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(name.as_bytes());
    prefix.extend_from_slice(b".pepkit-");
    let Ok(rd) = std::fs::read_dir(parent) else { return };
    for e in rd.flatten() {
        let n = e.file_name();
        let Some(rest) = n.as_bytes().strip_prefix(&prefix[..]) else { continue };
        let pid: Option<i32> = std::str::from_utf8(rest).ok().and_then(|r| r.split('-').next()).and_then(|p| p.parse().ok());
        let Some(pid) = pid else { continue };
        if !super::paths::pid_alive(pid) {
            let _ = remove_tree(&e.path());
        }
    }
}

/// Swaps two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`); false
/// where the kernel or file system cannot.
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        let (Ok(ca), Ok(cb)) = (CString::new(a.as_os_str().as_bytes()), CString::new(b.as_os_str().as_bytes())) else {
            return false;
        };
        // SAFETY: both are valid NUL-terminated paths; the syscall reads them only.
        let rc = unsafe {
            libc::syscall(libc::SYS_renameat2, libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE)
        };
        rc == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

fn is_venv_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("pyvenv.cfg")).map(|m| m.is_file()).unwrap_or(false)
}

/// Creates the missing ancestors of `dir`, returning those it made (outermost first).
fn make_parents(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = dir.parent();
    while let Some(p) = cur {
        if std::fs::symlink_metadata(p).is_ok() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    missing.reverse();
    let mut made = Vec::new();
    for p in missing {
        match std::fs::create_dir(&p) {
            Ok(()) => made.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                remove_made(&made);
                return Err(io_err(e, format!("creating {}", p.display())));
            }
        }
    }
    Ok(made)
}

fn remove_made(made: &[PathBuf]) {
    for p in made.iter().rev() {
        let _ = std::fs::remove_dir(p);
    }
}

/// Builds the env in a staging directory beside `final_dir` and moves it into
/// place: a plain rename when nothing (or an empty directory) is there, an
/// atomic exchange when an old env is being cleared.
fn build_staged(plan: &Plan, final_dir: &Path, replace: Option<u32>, progress: Option<Progress<'_>>) -> Result<()> {
    sweep_stale(final_dir);
    let made = if replace.is_none() { make_parents(final_dir)? } else { Vec::new() };
    let staging = staging_name(final_dir);
    if let Err(e) = std::fs::create_dir(&staging) {
        remove_made(&made);
        if replace.is_some() {
            // The directory exists but its parent is not ours to write (a
            // pre-made /opt/venv, a mount point): work inside it, as CPython does.
            return in_place(plan, final_dir, progress);
        }
        return Err(io_err(e, format!("creating {}", plan.env_dir.display())));
    }
    let cleanup = |made: &[PathBuf]| {
        let _ = remove_tree(&staging);
        remove_made(made);
    };
    let populated = (|| -> Result<()> {
        // Every change inside the staging dir goes through a handle on it, so
        // a link swapped in for it (or planted in it) is never followed.
        let root = Beneath::open(&staging, &plan.env_dir)?;
        if let Some(mode) = replace {
            root.chmod_root(mode)?;
        }
        populate(&root, plan, progress)
    })();
    if let Err(e) = populated {
        cleanup(&made);
        return Err(e);
    }
    if let Some(p) = progress {
        p("rename")
    }
    let was_empty_or_missing = match std::fs::symlink_metadata(final_dir) {
        Err(_) => true,
        Ok(m) => m.is_dir() && std::fs::read_dir(final_dir).map(|mut r| r.next().is_none()).unwrap_or(false),
    };
    if was_empty_or_missing {
        match std::fs::rename(&staging, final_dir) {
            Ok(()) => return Ok(()),
            Err(e) => {
                cleanup(&made);
                // Someone else put an environment there in the meantime: theirs stands.
                if is_venv_dir(final_dir) {
                    return Ok(());
                }
                return Err(io_err(e, format!("moving the new environment into {}", plan.env_dir.display())));
            }
        }
    }
    // Something appeared there while we built: only a clear may replace it, and
    // only a venv (or anything, with force); otherwise theirs stands.
    if !plan.opts.clear || !(is_venv_dir(final_dir) || plan.opts.force) {
        cleanup(&made);
        if is_venv_dir(final_dir) {
            return Ok(());
        }
        return Err(Error::exists(format!(
            "{} was filled by someone else while the environment was being built",
            plan.env_dir.display()
        )));
    }
    // Replacing an existing (cleared) environment: swap, then delete the old tree.
    if exchange(&staging, final_dir) {
        let _ = remove_tree(&staging);
        return Ok(());
    }
    let old = staging_name(final_dir);
    std::fs::rename(final_dir, &old).map_err(|e| {
        cleanup(&made);
        io_err(e, format!("moving the old environment {} aside", plan.env_dir.display()))
    })?;
    if let Err(e) = std::fs::rename(&staging, final_dir) {
        let _ = std::fs::rename(&old, final_dir);
        cleanup(&made);
        return Err(io_err(e, format!("moving the new environment into {}", plan.env_dir.display())));
    }
    let _ = remove_tree(&old);
    Ok(())
}

/// The fallback when nothing can be staged beside the env: clear (if asked)
/// and fill the existing directory itself. Clearing removes links, never
/// what they point to, and never enters a directory through a link.
fn in_place(plan: &Plan, final_dir: &Path, progress: Option<Progress<'_>>) -> Result<()> {
    let root = Beneath::open(final_dir, &plan.env_dir)?;
    if plan.opts.clear {
        root.clear()?;
    }
    populate(&root, plan, progress)
}

/// See [`super::create`].
pub fn create(env_dir: &Path, opts: &Options, progress: Option<Progress<'_>>) -> Result<PathBuf> {
    if let Some(p) = progress {
        p("facts")
    }
    // Path checks first: they need no interpreter.
    let env_abs = abspath(env_dir);
    if env_abs.as_os_str().as_bytes().contains(&b':') {
        return Err(Error::value(format!(
            "Refusing to create a venv in {} because it contains the PATH separator :.",
            env_abs.display()
        )));
    }
    if opts.upgrade && opts.clear {
        return Err(Error::value("you cannot supply --upgrade and --clear together."));
    }
    let facts = opts.facts()?;
    let plan = Plan::new(env_dir, opts, facts)?;
    let final_dir = plan.env_dir.clone();
    let shown = final_dir.display().to_string();
    // What was at the path before, so a failure after the rename can put it back:
    // None = nothing, Some(mode) = an empty directory.
    let mut made_here: Option<Option<u32>> = None;
    match std::fs::symlink_metadata(&final_dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            build_staged(&plan, &final_dir, None, progress)?;
            made_here = Some(None);
        }
        Err(e) => return Err(io_err(e, format!("checking {shown}"))),
        Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
            return Err(Error::value(format!("Unable to create directory {}", py_repr(&shown))));
        }
        Ok(m) => {
            let mode = m.permissions().mode() & 0o7777;
            let empty = std::fs::read_dir(&final_dir)
                .map_err(|e| io_err(e, format!("reading {shown}")))?
                .next()
                .is_none();
            if opts.clear {
                if !empty && !is_venv_dir(&final_dir) && !opts.force {
                    return Err(Error::exists(format!(
                        "refusing to clear {shown}: it is not empty and is not a virtual environment \
                         (it has no pyvenv.cfg); use force to clear it anyway"
                    )));
                }
                build_staged(&plan, &final_dir, Some(mode), progress)?;
            } else if empty {
                build_staged(&plan, &final_dir, Some(mode), progress)?;
                made_here = Some(Some(mode));
            } else {
                // Re-creating over or upgrading an existing tree, in place, as CPython does;
                // every file is still written whole.
                populate(&Beneath::open(&final_dir, &final_dir)?, &plan, progress)?;
            }
        }
    }
    if let Err(e) = finish(&plan, progress) {
        // ensurepip or pip failed: a new environment goes again, as if never made.
        if let Some(before) = made_here {
            let _ = remove_tree(&final_dir);
            if let Some(mode) = before {
                // The mode is set through a handle on what was made, not by path
                // (a link put there meanwhile is not followed).
                if std::fs::create_dir(&final_dir).is_ok() {
                    if let Ok(dir) = Beneath::open(&final_dir, &final_dir) {
                        let _ = dir.chmod_root(mode);
                    }
                }
            }
        }
        return Err(e);
    }
    if let Some(p) = progress {
        p("done")
    }
    Ok(final_dir)
}
