//! The health check of an existing environment (`check`): is the base
//! interpreter pyvenv.cfg names still there and still the version recorded,
//! do the interpreter links and the scripts' shebangs point at live files,
//! and is there a site-packages for another minor version?
//!
//! Nothing here writes anything in the environment. Every read of it goes
//! through a `Beneath` handle (no link inside the env is followed to read
//! what it points to; a link's target is only tested for existence, which a
//! dangling link answers fine) and is bounded: pyvenv.cfg to
//! 1 MiB, a script to its first 8 KiB. The base
//! interpreter's version is learned by `facts_for` (at most one run of
//! it, cached as for creation).

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

use super::beneath::{Beneath, Kind};
use super::facts::{facts_for, Facts};
use super::inspect::Venv;
use super::paths::{abspath, shlex_quote};
use super::FactsSource;

/// The largest pyvenv.cfg read (CPython's are a few hundred bytes).
pub const MAX_CFG: u64 = 1 << 20;
/// How much of a script is read to find its interpreter: the `#!` line and
/// the two lines of pip's `/bin/sh` trampoline (the kernel reads 256 bytes).
pub const MAX_HEAD: u64 = 8192;

/// What is wrong with an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// The base interpreter pyvenv.cfg names (`home`, `executable`) is
    /// missing or not an executable file.
    BaseMissing,
    /// The base interpreter is another version than pyvenv.cfg's `version`
    /// (or uv's `version_info`).
    BaseVersionDiffers,
    /// A link of the env's (`bin/python*`, any other in `bin/`, `lib64`)
    /// points at nothing.
    DanglingLink,
    /// A script in `bin/` whose `#!` line (or pip's `/bin/sh` trampoline)
    /// names an interpreter that does not exist.
    ShebangMissingInterpreter,
    /// A `lib/pythonX.Y/site-packages` for another minor version than the
    /// base interpreter's: its packages are not imported.
    SitePackagesOtherMinor,
}

/// One problem: its kind, the path it concerns and a one-line message that
/// says what is wrong and the command that repairs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// The file it concerns (the base interpreter, the link, the script,
    /// the site-packages directory), absolute.
    pub path: PathBuf,
    /// What is wrong and how to repair it, on one line.
    pub message: String,
}

/// The problems `check` found, in a fixed order (by kind, then path); empty
/// for a healthy environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The problems.
    pub problems: Vec<Problem>,
}

impl Report {
    /// True when nothing is wrong.
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }

    fn add(&mut self, kind: ProblemKind, path: PathBuf, message: String) -> Result<()> {
        self.problems
            .try_reserve(1)
            .map_err(|_| Error::no_memory("the health report"))?;
        self.problems.push(Problem { kind, path, message });
        Ok(())
    }
}

/// Checks the environment at `env_dir` (made absolute, links in its
/// ancestors followed): the base interpreter named by pyvenv.cfg's `home`
/// (the file in that directory named as the env's interpreter links, e.g.
/// `python3.12`) and `executable` exists and is executable; its version, as
/// the interpreter reports it, is pyvenv.cfg's `version` (or `version_info`);
/// every link in `bin/` (and `lib64`) resolves; every script in `bin/` whose
/// `#!` line (or pip's `#!/bin/sh` + `'''exec' "/path/python"` form) names an
/// absolute interpreter names one that exists; no `lib/pythonX.Y/site-packages`
/// is for another minor version than the base's.
///
/// Errors: `NotFound` when `env_dir` does not exist or has no pyvenv.cfg;
/// `Value` for an empty path, a path that is not a directory (or is a link),
/// a pyvenv.cfg that is not a regular file, larger than 1 MiB or not
/// UTF-8; `Os` when something cannot be read.
pub fn check(env_dir: &Path) -> Result<Report> {
    let venv = open_bounded(env_dir)?;
    let root = Beneath::open(&venv.dir, &venv.dir)?;
    let mut report = Report::default();
    let bin = bin_entries(&root)?;
    let base = check_base(&root, &venv, &bin, &mut report)?;
    let minor = base.as_ref().map(|f| f.minor).or_else(|| recorded_version(&venv).map(|v| v.1));
    check_links(&root, &venv, &bin, &mut report)?;
    check_scripts(&root, &venv, &bin, &mut report)?;
    if let Some(minor) = minor {
        check_site_packages(&root, &venv, minor, &mut report)?;
    }
    report.problems.sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    Ok(report)
}

/// Opens the env at `dir` as [`Venv::open`] does, reading pyvenv.cfg through
/// a handle on the env (no link followed, at most 1 MiB, a FIFO
/// not waited on).
pub fn open_bounded(dir: &Path) -> Result<Venv> {
    if dir.as_os_str().is_empty() {
        return Err(Error::value("env_dir must not be empty"));
    }
    let dir = abspath(dir);
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::not_found(format!("{} does not exist", dir.display())))
        }
        Err(e) => return Err(Error::io(&e, format!("checking {}", dir.display()))),
        Ok(m) if !m.is_dir() => {
            return Err(Error::value(format!("{} is not a directory, so not a virtual environment", dir.display())))
        }
        Ok(_) => {}
    }
    let root = Beneath::open(&dir, &dir)?;
    let cfg_path = dir.join("pyvenv.cfg");
    if root.lstat(Path::new("pyvenv.cfg"))?.is_none() {
        return Err(Venv::not_a_venv(&dir, &cfg_path));
    }
    let bytes = read_head(&root, Path::new("pyvenv.cfg"), MAX_CFG + 1)?;
    if bytes.len() as u64 > MAX_CFG {
        return Err(Error::value(format!("{} is larger than {MAX_CFG} bytes", cfg_path.display())));
    }
    Venv::from_bytes(dir, cfg_path, bytes)
}

/// The first `limit` bytes of the regular file `rel` beneath `root`.
pub(crate) fn read_head(root: &Beneath, rel: &Path, limit: u64) -> Result<Vec<u8>> {
    let f = root.open_read(rel)?;
    let mut out = Vec::new();
    let want = usize::try_from(limit.min(f.metadata().map(|m| m.len()).unwrap_or(limit))).unwrap_or(0);
    out.try_reserve(want).map_err(|_| Error::no_memory(format!("reading {}", root.shown(rel).display())))?;
    f.take(limit)
        .read_to_end(&mut out)
        .map_err(|e| Error::io(&e, format!("reading {}", root.shown(rel).display())))?;
    Ok(out)
}

/// An entry of `bin/`: its name and kind (from `lstat`).
struct Entry {
    name: std::ffi::OsString,
    kind: Kind,
}

/// The entries of `bin/`, sorted by name (none when there is no `bin/`).
fn bin_entries(root: &Beneath) -> Result<Vec<Entry>> {
    let bin = Path::new("bin");
    match root.lstat(bin)? {
        None => return Ok(Vec::new()),
        Some(st) if st.kind != Kind::Dir => return Ok(Vec::new()),
        Some(_) => {}
    }
    let mut names = root.list(bin)?;
    names.sort();
    let mut out = Vec::new();
    out.try_reserve(names.len()).map_err(|_| Error::no_memory("listing bin/"))?;
    for name in names {
        if let Some(st) = root.lstat(&bin.join(&name))? {
            out.push(Entry { name, kind: st.kind });
        }
    }
    Ok(out)
}

/// `(major, minor, the version text)` of pyvenv.cfg's `version` (or uv's
/// `version_info`), its first three parts.
pub fn recorded_version(venv: &Venv) -> Option<(u32, u32, String)> {
    let v = venv.get("version").or_else(|| venv.get("version_info"))?;
    let parts: Vec<&str> = v.split('.').take(3).collect();
    let major = parts.first()?.parse().ok()?;
    let minor = parts.get(1)?.parse().ok()?;
    Some((major, minor, parts.join(".")))
}

/// True for a name the env's interpreter goes by (`python`, `python3`,
/// `python3.12`, `python3.13t`).
pub(crate) fn is_python_name(name: &[u8]) -> bool {
    name.strip_prefix(b"python").is_some_and(|rest| {
        rest.iter().all(|&b| b.is_ascii_digit() || b == b'.' || b == b't' || b == b'd' || b == b'm')
    })
}

/// True when `p` (links followed) is a regular file with an execute bit.
fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The env as a shell word, for the commands in messages.
fn env_word(venv: &Venv) -> String {
    shlex_quote(&venv.dir.to_string_lossy())
}

/// The base interpreter the env's links and `home` name: the file in `home`
/// named as the env's interpreter (the `bin/` link with an absolute target,
/// then the other `python*` names of `bin/`, then `python3.Y`, `python3`,
/// `python`): the first that exists, else the first candidate.
fn base_in_home(root: &Beneath, home: &Path, venv: &Venv, bin: &[Entry]) -> PathBuf {
    let mut names: Vec<std::ffi::OsString> = Vec::new();
    for e in bin.iter().filter(|e| e.kind == Kind::Symlink && is_python_name(e.name.as_bytes())) {
        if let Ok(t) = root.readlink(&Path::new("bin").join(&e.name)) {
            if t.is_absolute() {
                if let Some(n) = t.file_name() {
                    names.push(n.to_os_string());
                }
            }
        }
    }
    names.extend(bin.iter().filter(|e| is_python_name(e.name.as_bytes())).map(|e| e.name.clone()));
    if let Some((major, minor, _)) = recorded_version(venv) {
        names.push(format!("python{major}.{minor}").into());
    }
    names.push("python3".into());
    names.push("python".into());
    names.iter().map(|n| home.join(n)).find(|p| is_executable(p)).unwrap_or_else(|| home.join(&names[0]))
}

/// The base-interpreter checks; returns the base's facts when it could be
/// asked for them.
fn check_base(root: &Beneath, venv: &Venv, bin: &[Entry], report: &mut Report) -> Result<Option<Facts>> {
    let env = env_word(venv);
    let rebuild = format!(
        "rebuild with `pyvenv --clear --python PYTHON {env}` or repoint with `pyvenv --upgrade --python NEW {env}`"
    );
    let Some(home) = venv.get("home") else {
        report.add(
            ProblemKind::BaseMissing,
            venv.cfg_path.clone(),
            format!("{} has no home key, so no base interpreter: {rebuild}", venv.cfg_path.display()),
        )?;
        return Ok(None);
    };
    let base = base_in_home(root, &abspath(Path::new(home)), venv, bin);
    let mut facts = None;
    if !is_executable(&base) {
        let what = if std::fs::metadata(&base).is_ok() { "is not an executable file" } else { "is missing" };
        report.add(
            ProblemKind::BaseMissing,
            base.clone(),
            format!("base interpreter {} (pyvenv.cfg home) {what}: {rebuild}", base.display()),
        )?;
    } else {
        match facts_for(base.as_os_str(), FactsSource::Cached) {
            Ok(f) => facts = Some(f),
            Err(e) if e.kind == ErrorKind::NoMemory => return Err(e),
            Err(e) => report.add(
                ProblemKind::BaseMissing,
                base.clone(),
                format!("base interpreter {} (pyvenv.cfg home) does not run as a CPython 3.6+: {}: {rebuild}", base.display(), e.message),
            )?,
        }
    }
    if let Some(exe) = venv.get("executable").map(|e| abspath(Path::new(e))) {
        if exe != base && !is_executable(&exe) {
            let what = if std::fs::metadata(&exe).is_ok() { "is not an executable file" } else { "is missing" };
            report.add(
                ProblemKind::BaseMissing,
                exe.clone(),
                format!("base interpreter {} (pyvenv.cfg executable) {what}: {rebuild}", exe.display()),
            )?;
        }
    }
    if let (Some(f), Some((_, minor, recorded))) = (&facts, recorded_version(venv)) {
        if f.version != recorded {
            let fix = if f.minor == minor {
                format!("repoint with `pyvenv --upgrade --python {} {env}`", shlex_quote(&base.to_string_lossy()))
            } else {
                format!(
                    "that is another minor version, so rebuild with `pyvenv --clear --python {} {env}` and reinstall its packages",
                    shlex_quote(&base.to_string_lossy())
                )
            };
            report.add(
                ProblemKind::BaseVersionDiffers,
                base.clone(),
                format!(
                    "base interpreter {} is Python {} but {} records {recorded}: {fix}",
                    base.display(),
                    f.version,
                    venv.cfg_path.display()
                ),
            )?;
        }
    }
    Ok(facts)
}

/// Dangling links in `bin/` and `lib64`.
fn check_links(root: &Beneath, venv: &Venv, bin: &[Entry], report: &mut Report) -> Result<()> {
    let mut links: Vec<PathBuf> = bin.iter().filter(|e| e.kind == Kind::Symlink).map(|e| Path::new("bin").join(&e.name)).collect();
    if root.lstat(Path::new("lib64"))?.is_some_and(|st| st.kind == Kind::Symlink) {
        links.push(PathBuf::from("lib64"));
    }
    let env = env_word(venv);
    for rel in links {
        if root.exists_following(&rel) {
            continue;
        }
        let target = root.readlink(&rel).map(|t| t.display().to_string()).unwrap_or_else(|_| "?".into());
        let fix = if is_python_name(rel.file_name().map(OsStr::as_bytes).unwrap_or(b"")) {
            format!("repoint it with `pyvenv --upgrade --python NEW {env}`")
        } else {
            "remove or repoint it".to_string()
        };
        let path = venv.dir.join(&rel);
        report.add(
            ProblemKind::DanglingLink,
            path.clone(),
            format!("{} is a dangling link: {target} does not exist: {fix}", path.display()),
        )?;
    }
    Ok(())
}

/// A script's interpreter as its first lines name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shebang {
    /// The interpreter path, as written (quotes removed).
    pub interpreter: Vec<u8>,
    /// What follows the interpreter on a plain `#!` line (its arguments), up
    /// to the end of the line (newline not included).
    pub args: Vec<u8>,
    /// The bytes of the header: the `#!` line with its newline, or pip's
    /// three-line trampoline up to its closing `' '''`.
    pub header_len: usize,
    /// True for pip's `/bin/sh` trampoline.
    pub trampoline: bool,
}

/// The interpreter named by the first bytes of a script: a `#!` line, or
/// pip's (distlib's) long form
/// `#!/bin/sh\n'''exec' "/path/python" "$0" "$@"\n' '''`. None for anything
/// else (no `#!`, a line longer than `head`).
pub fn parse_shebang(head: &[u8]) -> Option<Shebang> {
    let rest = head.strip_prefix(b"#!")?;
    let (line, line_end) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], 2 + i + 1),
        None if (head.len() as u64) < MAX_HEAD => (rest, head.len()),
        None => return None,
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line.iter().position(|&b| b != b' ' && b != b'\t')?;
    let line = &line[start..];
    let end = line.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(line.len());
    let (interp, args) = line.split_at(end);
    if interp == b"/bin/sh" && args.iter().all(|b| b.is_ascii_whitespace()) {
        if let Some(t) = trampoline(&head[line_end..]) {
            return Some(Shebang { interpreter: t.0, args: Vec::new(), header_len: line_end + t.1, trampoline: true });
        }
    }
    Some(Shebang { interpreter: interp.to_vec(), args: args.to_vec(), header_len: line_end, trampoline: false })
}

/// The interpreter and length of the rest of pip's trampoline after its
/// `#!/bin/sh` line: `'''exec' EXE "$0" "$@"\n' '''` (EXE quoted or not).
fn trampoline(after: &[u8]) -> Option<(Vec<u8>, usize)> {
    let rest = after.strip_prefix(b"'''exec' ")?;
    let (exe, used) = if let Some(q) = rest.strip_prefix(b"\"") {
        let close = q.iter().position(|&b| b == b'"' || b == b'\n')?;
        (q.get(..close)?, close + 2)
    } else {
        let end = rest.iter().position(|&b| b == b' ' || b == b'\n')?;
        (&rest[..end], end)
    };
    let nl = rest[used..].iter().position(|&b| b == b'\n')? + used + 1;
    if !rest[nl..].starts_with(b"' '''") {
        return None;
    }
    Some((exe.to_vec(), "'''exec' ".len() + nl + "' '''".len()))
}

/// True when a shebang's interpreter is an absolute path to nothing (a
/// command looked up on PATH, `/usr/bin/env NAME`, or a relative or
/// computed path is not judged).
pub(crate) fn interpreter_missing(s: &Shebang) -> bool {
    s.interpreter.first() == Some(&b'/') && std::fs::metadata(OsStr::from_bytes(&s.interpreter)).is_err()
}

/// The shebang of the regular file `bin/name`, if it has one.
pub(crate) fn script_shebang(root: &Beneath, rel: &Path) -> Result<Option<Shebang>> {
    match read_head(root, rel, MAX_HEAD) {
        Ok(head) => Ok(parse_shebang(&head)),
        // Unreadable (a FIFO, no permission): not a script this can judge.
        Err(e) if e.kind == ErrorKind::NoMemory => Err(e),
        Err(_) => Ok(None),
    }
}

/// Scripts in `bin/` whose interpreter is missing.
fn check_scripts(root: &Beneath, venv: &Venv, bin: &[Entry], report: &mut Report) -> Result<()> {
    let env = env_word(venv);
    for e in bin.iter().filter(|e| e.kind == Kind::File) {
        let rel = Path::new("bin").join(&e.name);
        let Some(s) = script_shebang(root, &rel)? else { continue };
        if !interpreter_missing(&s) {
            continue;
        }
        let interp = String::from_utf8_lossy(&s.interpreter).into_owned();
        let name = Path::new(OsStr::from_bytes(&s.interpreter)).file_name().map(OsStr::as_bytes).unwrap_or(b"");
        let fix = if is_python_name(name) {
            format!("`pyvenv --upgrade --python NEW {env}` points it at the env's own interpreter, or reinstall its package")
        } else {
            "install that interpreter or reinstall the script's package".to_string()
        };
        let path = venv.dir.join(&rel);
        let form = if s.trampoline { "its /bin/sh exec line" } else { "its #! line" };
        report.add(
            ProblemKind::ShebangMissingInterpreter,
            path.clone(),
            format!("script {} runs {interp} ({form}), which does not exist: {fix}", path.display()),
        )?;
    }
    Ok(())
}

/// `lib/pythonX.Y/site-packages` directories for another minor than `minor`.
fn check_site_packages(root: &Beneath, venv: &Venv, minor: u32, report: &mut Report) -> Result<()> {
    let lib = Path::new("lib");
    if !root.lstat(lib)?.is_some_and(|st| st.kind == Kind::Dir) {
        return Ok(());
    }
    let mut names = root.list(lib)?;
    names.sort();
    let env = env_word(venv);
    for name in names {
        let Some(ver) = name.as_bytes().strip_prefix(b"python3.") else { continue };
        let digits: Vec<u8> = ver.iter().copied().take_while(u8::is_ascii_digit).collect();
        let rest = &ver[digits.len()..];
        let Some(m) = std::str::from_utf8(&digits).ok().and_then(|d| d.parse::<u32>().ok()) else { continue };
        if m == minor || !(rest.is_empty() || rest == b"t") {
            continue;
        }
        let rel = lib.join(&name).join("site-packages");
        if !root.lstat(&rel)?.is_some_and(|st| st.kind == Kind::Dir) {
            continue;
        }
        let path = venv.dir.join(&rel);
        report.add(
            ProblemKind::SitePackagesOtherMinor,
            path.clone(),
            format!(
                "{} is for Python 3.{m} but the base interpreter is 3.{minor}, so its packages are not imported: \
                 rebuild with `pyvenv --clear --python python3.{m} {env}` (or another 3.{minor} env) and reinstall them",
                path.display()
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_forms() {
        let s = parse_shebang(b"#!/e/bin/python3\nimport x\n").expect("plain");
        assert_eq!((s.interpreter.as_slice(), s.args.as_slice(), s.header_len, s.trampoline), (&b"/e/bin/python3"[..], &b""[..], 17, false));
        let s = parse_shebang(b"#! /usr/bin/python3 -E\n").expect("args");
        assert_eq!((s.interpreter.as_slice(), s.args.as_slice()), (&b"/usr/bin/python3"[..], &b" -E"[..]));
        let long = b"#!/bin/sh\n'''exec' \"/a b/bin/python\" \"$0\" \"$@\"\n' '''\nimport x\n";
        let s = parse_shebang(long).expect("trampoline");
        assert_eq!(s.interpreter, b"/a b/bin/python");
        assert!(s.trampoline);
        assert_eq!(&long[s.header_len..], b"\nimport x\n");
        let bare = b"#!/bin/sh\n'''exec' /long/bin/python \"$0\" \"$@\"\n' '''";
        let s = parse_shebang(bare).expect("unquoted");
        assert_eq!((s.interpreter.as_slice(), s.header_len), (&b"/long/bin/python"[..], bare.len()));
        // A shell script that is not the trampoline is a /bin/sh script.
        assert_eq!(parse_shebang(b"#!/bin/sh\necho hi\n").expect("sh").interpreter, b"/bin/sh");
        assert!(parse_shebang(b"import x\n").is_none());
        assert!(parse_shebang(b"#!").is_none());
        let endless = vec![b'/'; MAX_HEAD as usize];
        let mut head = b"#!".to_vec();
        head.extend_from_slice(&endless[..MAX_HEAD as usize - 2]);
        assert!(parse_shebang(&head).is_none(), "a first line longer than the bound is not judged");
        // Install's own trampoline parses back to its interpreter.
        let ours = super::super::install::shebang("/a b/bin/python3");
        assert_eq!(parse_shebang(ours.as_bytes()).expect("ours").interpreter, b"/a b/bin/python3");
    }

    #[test]
    fn python_names() {
        for n in ["python", "python3", "python3.12", "python3.13t"] {
            assert!(is_python_name(n.as_bytes()), "{n}");
        }
        for n in ["pip", "python-config", "pythonx", "activate"] {
            assert!(!is_python_name(n.as_bytes()), "{n}");
        }
    }

    #[test]
    fn missing_and_non_venvs_are_errors() {
        let tmp = std::env::temp_dir().join(format!("pepkit-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).expect("tmp");
        assert_eq!(check(&tmp.join("nope")).err().map(|e| e.kind), Some(ErrorKind::NotFound));
        assert_eq!(check(&tmp).err().map(|e| e.kind), Some(ErrorKind::NotFound));
        std::fs::write(tmp.join("file"), b"x").expect("file");
        assert_eq!(check(&tmp.join("file")).err().map(|e| e.kind), Some(ErrorKind::Value));
        assert_eq!(check(Path::new("")).err().map(|e| e.kind), Some(ErrorKind::Value));
        std::fs::write(tmp.join("pyvenv.cfg"), vec![b'#'; MAX_CFG as usize + 1]).expect("big cfg");
        assert_eq!(check(&tmp).err().map(|e| e.kind), Some(ErrorKind::Value));
        std::fs::write(tmp.join("pyvenv.cfg"), b"\xff\n").expect("bad cfg");
        assert_eq!(check(&tmp).err().map(|e| e.kind), Some(ErrorKind::Value));
        // No home: one problem, the cfg named.
        std::fs::write(tmp.join("pyvenv.cfg"), b"version = 3.12.1\n").expect("cfg");
        let r = check(&tmp).expect("report");
        assert_eq!(r.problems.len(), 1);
        assert_eq!((r.problems[0].kind, &r.problems[0].path), (ProblemKind::BaseMissing, &tmp.join("pyvenv.cfg")));
        std::fs::remove_dir_all(&tmp).expect("cleanup");
    }
}
