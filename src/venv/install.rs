//! Installing one wheel into an environment natively, exactly as `pip
//! install --no-deps --no-index WHEEL` would: purelib/platlib into
//! site-packages, `.data/scripts` into the scripts directory (a `#!python`
//! line replaced with the env's interpreter), `.data/headers` into
//! `include/site/python3.X/<name>`, `.data/data` into the env root, console
//! and GUI scripts for the entry points with pip's launcher text,
//! `INSTALLER`, `REQUESTED`, `direct_url.json` and a `RECORD` in pip's
//! format (its rows, sorted as pip sorts them, `\r\n`-terminated). Bytecode
//! only when asked (pip's own way: the env's interpreter compiles the
//! installed `.py` files, listed in RECORD without a hash).
//!
//! The steps: read and check the archive ([`super::wheel`]): its tags
//! against the interpreter's ([`super::tags`]), its dist-info, every member
//! against its RECORD row (pip does not check; pepkit refuses a member
//! missing from RECORD or whose hash or size differs); decide where every
//! member goes ([`Files::plan`]), refusing a name that would leave the env;
//! make the directories, write the files (hard-linked from the verified
//! wheel cache where allowed, else streamed from the archive) — into an
//! existing tree under temporary names, removed again with the directories
//! made if anything fails; then remove another installed version, rename
//! the new files into place and write the metadata. What an install needs of
//! the environment is a [`Target`], whichever way the env came to be (a
//! staged new one, or one opened on disk by [`install_wheel`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

use super::beneath::{create_in, Beneath, Kind, Mode};
use super::facts::{facts_for, hex_encode, FactsSource};
use super::tags::{wheel_tags, Supported};
use super::tempname::temp_name;
use super::uninstall::{installed_versions, remove_other_versions, version_key};
use super::wheel::{name_version, parse_record, read_wheel, record_digest, record_hash, sha256, Archive, Member, MemberWriter, Sha256};
use super::paths::shlex_quote;
use super::wheel_cache;
use super::Progress;

/// Where wheels are installed, and all an install needs to know of the env.
pub(crate) struct Target<'a> {
    /// Every change goes through this handle on the env's root (a staging
    /// directory or the env itself).
    pub root: &'a Beneath,
    /// site-packages (purelib and platlib), relative to the root.
    pub site: &'a Path,
    /// The scripts directory, relative to the root.
    pub bin: &'a Path,
    /// The env's interpreter at the env's final path (a staged tree is
    /// moved afterwards): the shebang of every script.
    pub python: &'a Path,
    /// The interpreter's minor version (3.X), for pip's `pip3.X` script names
    /// and the headers directory.
    pub minor: u32,
    /// The env is relocatable: scripts find their interpreter beside
    /// themselves instead of naming its path.
    pub relocatable: bool,
}

impl Target<'_> {
    /// The first line(s) of a console or GUI script: distlib's shebang for
    /// the env's interpreter, or (relocatable) a `/bin/sh` trampoline that
    /// runs the interpreter of that name in the script's own directory (as
    /// uv's relocatable envs; `realpath`, so a link to the script elsewhere
    /// still finds the env).
    fn launcher(&self, python: &str) -> String {
        if !self.relocatable {
            return shebang(python);
        }
        let name = self.python.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "python".into());
        format!("#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/{} \"$0\" \"$@\"\n' '''", shlex_quote(&name))
    }

    /// What replaces a `.data/scripts` file's `#!python` line: pip's
    /// `#!` + the interpreter, or the relocatable trampoline.
    fn script_shebang(&self, python: &str) -> Vec<u8> {
        if self.relocatable {
            format!("{}\n", self.launcher(python)).into_bytes()
        } else {
            // pip's fix_script: `#!` + sys.executable + a newline, whatever its length.
            format!("#!{python}\n").into_bytes()
        }
    }
}

/// How an install goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct How {
    /// Write `REQUESTED` (pip 20.2 and later do, for what the user asked for).
    pub requested: bool,
    /// site-packages was empty when installing began (a new env): files and
    /// directories are created exclusively, without looking first. Else
    /// files are written under temporary names and renamed into place once
    /// all are written (removed again, with the directories made, on failure).
    pub fresh: bool,
    /// Hard-link files from pepkit's verified cache of unpacked wheels.
    pub link_from_cache: bool,
    /// Check every member against the wheel's RECORD (hash and size; a
    /// member missing from it refused) and the wheel's tags against `supported`.
    pub verify: Option<Supported>,
    /// `ensurepip --upgrade`'s rule: an installed newer version is kept.
    /// Else (pip's for a wheel file) the same version is kept and any other
    /// is replaced.
    pub keep_newer: bool,
    /// Write `direct_url.json` for this wheel file, as pip does for a local
    /// one; `true` with the archive's hash (pip 23.1 and later), `false`
    /// without (older pip writes `"archive_info": {}`).
    pub direct_url: Option<bool>,
    /// Compile the installed `.py` files with this interpreter, as pip does.
    pub compile_with: Option<PathBuf>,
    /// Refuse a wheel whose METADATA `Requires-Python` excludes this
    /// interpreter version (`X.Y.Z`), as pip does; None: no check (pip's
    /// `--ignore-requires-python`).
    pub python_version: Option<String>,
}

/// What [`install_wheel`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The distribution name, as the wheel's file name spells it.
    pub name: String,
    /// Its version.
    pub version: String,
    /// This version was installed already and nothing was done (pip's
    /// "Requirement already satisfied").
    pub already_satisfied: bool,
    /// The versions of the same distribution removed first.
    pub replaced: Vec<String>,
    /// The files installed (RECORD's rows but RECORD's own).
    pub files: usize,
}

/// How [`install_wheel`] goes. `Default` is `pip install --no-deps
/// --no-index --no-compile WHEEL`'s result, with private copies of files.
#[derive(Clone, Default)]
pub struct InstallOptions<'a> {
    /// Compile the installed `.py` files to bytecode, as pip does by default
    /// (the env's interpreter runs once; the `.pyc` files are in RECORD).
    pub compile_bytecode: bool,
    /// Hard-link files from pepkit's cache of unpacked wheels (as uv does)
    /// instead of writing private copies.
    pub link_wheels: bool,
    /// Cache use for the env interpreter's facts.
    pub facts_source: Option<FactsSource>,
    /// Install a wheel whose `Requires-Python` excludes the env's
    /// interpreter, as pip's `--ignore-requires-python` (by default such a
    /// wheel is refused, as pip refuses it).
    pub ignore_requires_python: bool,
    /// Called with "warning: ..." for something that did not stop the call
    /// (a RECORD entry of a replaced version that would leave the env).
    pub progress: Option<Progress<'a>>,
}

/// Installs the wheel file `wheel` into the existing environment `env_dir`
/// as `pip install --no-deps --no-index WHEEL` run by the env's interpreter
/// would (see the module). A wheel whose tags do not fit the env's
/// interpreter is refused naming both; the same version installed already
/// changes nothing ([`Installed::already_satisfied`]); another version is
/// removed first, as pip does. Everything stays inside the env, no link is
/// followed, and a failure leaves the env as it was.
pub fn install_wheel(env_dir: &Path, wheel: &Path, opts: &InstallOptions<'_>) -> Result<Installed> {
    let venv = super::Venv::open(env_dir)?;
    let python_path = venv.dir.join("bin/python");
    let facts = facts_for(python_path.as_os_str(), opts.facts_source.unwrap_or(FactsSource::Cached))?;
    let root = Beneath::open(&venv.dir, &venv.dir)?;
    let site = PathBuf::from(&facts.venv_purelib);
    let bin = PathBuf::from(&facts.venv_scripts);
    // An env made relocatable gets scripts that find it from their own place.
    let relocatable = venv.get("relocatable").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let t = Target { root: &root, site: &site, bin: &bin, python: &python_path, minor: facts.minor, relocatable };
    let how = How {
        requested: true,
        fresh: false,
        link_from_cache: opts.link_wheels && !super::facts::cache_disabled_by_env(),
        verify: Some(Supported::of(&facts)),
        keep_newer: false,
        direct_url: Some(pip_hashes_local_archives(&root, &site)),
        compile_with: opts.compile_bytecode.then(|| python_path.clone()),
        python_version: (!opts.ignore_requires_python).then(|| facts.version.clone()),
    };
    let progress = opts.progress;
    install_into(&t, &super::paths::abspath(wheel), &how, &|text| super::warn(progress, &text))
}

/// Installs `wheel` into `t` as `how` says. An older version installed is
/// removed first (the files its RECORD lists, never outside the env; entries
/// that would leave it are skipped and reported through `warn`).
pub(crate) fn install_into(t: &Target<'_>, wheel: &Path, how: &How, warn: &dyn Fn(String)) -> Result<Installed> {
    let python = t.python.to_str().ok_or_else(|| Error::value(format!("the env path is not UTF-8: {}", t.python.display())))?;
    let file_name = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (dist, version) = name_version(file_name)
        .ok_or_else(|| Error::value(format!("{} is not a wheel file name", wheel.display())))?;
    let what = wheel.display().to_string();
    if let Some(supported) = &how.verify {
        let tags = wheel_tags(file_name).ok_or_else(|| Error::value(format!("{what} is not a valid wheel file name")))?;
        if !supported.fits(&tags) {
            return Err(Error::value(format!(
                "{file_name} is not a supported wheel on this platform: its tags are {tags}; the env's \
                 interpreter {} supports {}",
                t.python.display(),
                supported.describe()
            )));
        }
    }
    let data = read_wheel(wheel)?;
    let archive = Archive::new(&data, &what)?;
    let dist_info = find_dist_info(&archive, &dist, &what)?;
    if let Some(version) = &how.python_version {
        check_requires_python(&archive, &dist, &dist_info, version, warn)?;
    }
    let mut done = Installed { name: dist.clone(), version: version.clone(), already_satisfied: false, replaced: Vec::new(), files: 0 };
    if is_installed(t, &dist, &version, &dist_info, how.keep_newer)? {
        done.already_satisfied = true;
        return Ok(done);
    }
    let headers = Path::new("include/site").join(format!("python3.{}", t.minor)).join(headers_name(&dist));
    let files = Files::plan(&archive, t, &dist_info, &headers, how.verify.is_some(), &what)?;
    let made = Mutex::new(Made::default());
    let result = (|| {
        let dir_fds = make_dirs(t.root, &files.dirs, how.fresh, &made)?;
        let cache = if how.link_from_cache { wheel_cache::Tree::open(wheel, &data, &archive)? } else { None };
        let written = write_files(&archive, t, python, &files, &dir_fds, cache.as_ref(), how, &made);
        if let Some(tree) = cache {
            tree.heal(wheel, &data, &archive);
        }
        written
    })();
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            undo(t.root, &made);
            return Err(e);
        }
    };
    done.replaced = installed_versions(t.root, t.site, &dist);
    done.replaced.retain(|v| format!("{dist}-{v}.dist-info") != dist_info);
    remove_other_versions(t.root, t.site, &dist, &dist_info, warn)?;
    // The new files into place (an existing tree: they were written aside).
    let made = made.into_inner().unwrap_or_else(|p| p.into_inner());
    for (temp, dest) in &made.temps {
        t.root.rename(temp, dest)?;
    }
    // The files are in place: a compiler that fails leaves them without
    // bytecode (reported), as pip skips a file that does not compile.
    let pycs = match &how.compile_with {
        Some(py) => compile(t, py, &written).unwrap_or_else(|e| {
            warn(format!("no bytecode compiled: {}", e.message));
            Vec::new()
        }),
        None => Vec::new(),
    };
    let direct_url = how.direct_url.map(|hashed| direct_url_json(wheel, &data, hashed));
    let meta = Metadata { dist_info: &dist_info, requested: how.requested, direct_url: direct_url.as_deref() };
    done.files = write_metadata(t, python, &files, &meta, written, pycs)?;
    Ok(done)
}

/// Refuses the wheel when its METADATA's `Requires-Python` excludes the
/// interpreter `version`, as pip does (see [`super::requires_python`]); a
/// specifier packaging cannot parse is reported through `warn` and
/// ignored, as pip warns and installs.
fn check_requires_python(archive: &Archive<'_>, dist: &str, dist_info: &str, version: &str, warn: &dyn Fn(String)) -> Result<()> {
    use super::requires_python::{check, requires_python, Verdict};
    let name = format!("{dist_info}/METADATA");
    let Some(m) = archive.members.iter().find(|m| m.name == name) else { return Ok(()) };
    let text = String::from_utf8_lossy(&archive.read(m)?).into_owned();
    let Some(spec) = requires_python(&text) else { return Ok(()) };
    match check(&spec, version) {
        Verdict::Fits => Ok(()),
        Verdict::Invalid => {
            warn(format!("package {dist:?} has an invalid Requires-Python {spec:?}: ignored, as pip ignores it"));
            Ok(())
        }
        Verdict::Excluded => Err(Error::value(format!(
            "package {dist:?} requires a different Python: {version} not in {:?} (its Requires-Python); \
             ignore_requires_python (pyvenv --ignore-requires-python) installs it anyway",
            spec.trim()
        ))),
    }
}

/// The name pip gives a distribution's headers directory: the wheel file
/// name's, `_` read as `-` (pip's `Wheel.name`).
fn headers_name(dist: &str) -> String {
    dist.replace('_', "-")
}

/// pip's distribution name normalization (PEP 503).
fn canonical(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The wheel's one top-level `.dist-info` directory, which must name the
/// distribution of the file name (pip's `wheel_dist_info_dir`).
fn find_dist_info(archive: &Archive<'_>, dist: &str, what: &str) -> Result<String> {
    let tops: BTreeSet<&str> = archive
        .members
        .iter()
        .filter_map(|m| m.name.split('/').next().filter(|top| top.ends_with(".dist-info") && m.name.len() > top.len()))
        .collect();
    let mut it = tops.iter();
    let (Some(one), None) = (it.next(), it.next()) else {
        return Err(Error::value(format!(
            "{what}: {} .dist-info directories found ({}); a wheel has exactly one",
            tops.len(),
            tops.iter().copied().collect::<Vec<_>>().join(", ")
        )));
    };
    let name = one.strip_suffix(".dist-info").and_then(|s| s.rsplit_once('-')).map(|(n, _)| n).unwrap_or("");
    if canonical(name) != canonical(dist) {
        return Err(Error::value(format!("{what}: .dist-info directory {one:?} does not start with {dist:?}")));
    }
    Ok(one.to_string())
}

/// True when the install is not needed: this version is installed (or, with
/// `keep_newer`, a newer one, as `ensurepip --upgrade` keeps it).
fn is_installed(t: &Target<'_>, dist: &str, version: &str, dist_info: &str, keep_newer: bool) -> Result<bool> {
    if t.root.lstat(&t.site.join(dist_info))?.is_some_and(|st| st.kind == Kind::Dir) {
        return Ok(true);
    }
    let want = version_key(version);
    Ok(installed_versions(t.root, t.site, dist).iter().any(|v| {
        let have = version_key(v);
        have == want || (keep_newer && have > want)
    }))
}

/// One wheel member to extract.
struct Job<'a> {
    member: &'a Member,
    /// Where it goes, relative to the root.
    dest: PathBuf,
    /// Its path as RECORD lists it (relative to site-packages).
    record_path: String,
    /// From `.data/scripts`: a `#!python` line is replaced, as pip's fix_script does.
    script: bool,
    /// The archive marks it executable: pip adds every execute bit.
    executable: bool,
}

/// Where every member of a wheel goes, and the small files that steer the rest.
struct Files<'a> {
    jobs: Vec<Job<'a>>,
    /// The directories the jobs write into, relative to the root.
    dirs: BTreeSet<PathBuf>,
    /// The wheel's own RECORD rows in file order: (path, hash, size) as written.
    record_rows: Vec<(String, String, String)>,
    /// path -> (hash, size) of the rows that carry both.
    wheel_record: HashMap<String, (String, usize)>,
    /// The `[console_scripts]` and `[gui_scripts]` entry points, in file order.
    entry_points: Vec<(String, String)>,
}

/// The rows of a RECORD text: (path, hash, size), each field as written
/// (the path is everything before the last two commas).
fn record_rows(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut f = line.rsplitn(3, ',');
            let (a, b, c) = (f.next().unwrap_or(""), f.next(), f.next());
            match (c, b) {
                (Some(path), Some(hash)) => (path.to_string(), hash.to_string(), a.to_string()),
                (None, Some(path)) => (path.to_string(), a.to_string(), String::new()),
                _ => (a.to_string(), String::new(), String::new()),
            }
        })
        .collect()
}

/// RECORD's signature files, which RECORD cannot list (PEP 376/427).
fn is_record_file(name: &str, dist_info: &str) -> bool {
    name.strip_prefix(dist_info)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| matches!(r, "RECORD" | "RECORD.jws" | "RECORD.p7s"))
}

impl<'a> Files<'a> {
    /// Pass 1 over the archive: a destination for every file member
    /// (refusing names that would leave the env and unknown `.data` kinds,
    /// and with `verify` members RECORD does not list), the wheel's RECORD
    /// and entry points read.
    fn plan(
        archive: &'a Archive<'_>,
        t: &Target<'_>,
        dist_info: &str,
        headers: &Path,
        verify: bool,
        what: &str,
    ) -> Result<Files<'a>> {
        let up = up_from(t.site);
        let member = |name: &str| archive.members.iter().find(|m| m.name == name);
        let record_member = format!("{dist_info}/RECORD");
        let record_text = match member(&record_member) {
            Some(m) => String::from_utf8_lossy(&archive.read(m)?).into_owned(),
            None => return Err(Error::value(format!("{what}: the wheel has no {record_member}"))),
        };
        let rows = record_rows(&record_text);
        let wheel_record = parse_record(&record_text);
        if let Some(m) = member(&format!("{dist_info}/WHEEL")) {
            let text = String::from_utf8_lossy(&archive.read(m)?).into_owned();
            let version = text.lines().find_map(|l| l.strip_prefix("Wheel-Version:")).map(str::trim).unwrap_or("1.0");
            if version.split('.').next().and_then(|v| v.parse::<u32>().ok()).is_none_or(|major| major > 1) {
                return Err(Error::not_implemented(format!("{what}: Wheel-Version {version} is not supported (1.x is)")));
            }
        } else if verify {
            return Err(Error::value(format!("{what}: the wheel has no {dist_info}/WHEEL")));
        }
        let entry_points = match member(&format!("{dist_info}/entry_points.txt")) {
            Some(m) => entry_point_scripts(&String::from_utf8_lossy(&archive.read(m)?)),
            None => Vec::new(),
        };
        let generated: HashSet<&str> = entry_points.iter().map(|(k, _)| k.as_str()).collect();
        let mut files =
            Files { jobs: Vec::new(), dirs: BTreeSet::new(), record_rows: rows.clone(), wheel_record, entry_points: Vec::new() };
        for m in archive.members.iter().filter(|m| !m.is_dir()) {
            if is_record_file(&m.name, dist_info) {
                continue;
            }
            if verify && !files.wheel_record.contains_key(&m.name) {
                return Err(Error::value(format!(
                    "{what}: member {:?} is not listed in {record_member} with a sha256 hash and size",
                    m.name
                )));
            }
            let executable = m.unix_mode.is_some_and(|mode| mode & 0o111 != 0);
            let top = m.name.split('/').next().unwrap_or("");
            let (dest, record_path, script) = if top.ends_with(".data") {
                let rest = &m.name[top.len()..].trim_start_matches('/');
                let (kind, sub) = rest.split_once('/').ok_or_else(|| {
                    Error::value(format!("{what}: unexpected file {:?}: .data contents are <scheme key>/<path>", m.name))
                })?;
                let sub = safe_rel(&m.name, sub)?;
                match kind {
                    "purelib" | "platlib" => (t.site.join(&sub), sub.display().to_string(), false),
                    "scripts" => {
                        // pip skips setuptools' own wrappers of the entry points.
                        let base = sub.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        let lower = base.to_ascii_lowercase();
                        let stem = if lower.ends_with(".exe") || lower.ends_with(".pya") {
                            &base[..base.len() - 4]
                        } else if lower.ends_with("-script.py") {
                            &base[..base.len() - 10]
                        } else {
                            base
                        };
                        if generated.contains(stem) {
                            continue;
                        }
                        (t.bin.join(&sub), format!("{up}{}", t.bin.join(&sub).display()), true)
                    }
                    "headers" => (headers.join(&sub), format!("{up}{}", headers.join(&sub).display()), false),
                    "data" => (sub.clone(), format!("{up}{}", sub.display()), false),
                    other => {
                        return Err(Error::value(format!(
                            "{what}: unknown scheme key {other:?} (for file {:?}); .data contents go in \
                             data, headers, platlib, purelib or scripts",
                            m.name
                        )))
                    }
                }
            } else {
                let rel = safe_rel(&m.name, &m.name)?;
                (t.site.join(&rel), m.name.clone(), false)
            };
            if let Some(parent) = dest.parent() {
                files.dirs.insert(parent.to_path_buf());
            }
            files.jobs.push(Job { member: m, dest, record_path, script, executable });
        }
        files.entry_points = entry_points;
        if files.entry_points.iter().any(|(k, _)| k.is_empty()) {
            return Err(Error::value(format!("{what}: an entry point has an empty name")));
        }
        Ok(files)
    }
}

/// A path inside the archive, refused (naming the member) if it could
/// escape the destination.
fn safe_rel(member: &str, name: &str) -> Result<PathBuf> {
    let p = Path::new(name);
    if p.components().all(|c| matches!(c, Component::Normal(_))) && !name.is_empty() && !name.contains('\\') {
        Ok(p.to_path_buf())
    } else {
        Err(Error::value(format!("refusing wheel member {member:?}: it leaves the install directory")))
    }
}

/// `../` steps from the site-packages dir up to the env root, for RECORD paths.
fn up_from(rel: &Path) -> String {
    "../".repeat(rel.components().count())
}

/// Runs `work` on every item, the items split over a few threads (file
/// creation is what installing spends its time on), stopping a thread at
/// its first error; the results in item order, or the first error.
fn on_threads<T: Sync, R: Send>(items: &[T], what: &str, work: impl Fn(&T) -> Result<R> + Sync) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let chunk = items.len().div_ceil(threads).max(1);
    let work = &work;
    let parts: Vec<Result<Vec<R>>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(work).collect::<Result<Vec<R>>>())).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::os(format!("a {what} thread panicked")))))
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// What an install into an existing tree made, to undo on failure or to
/// rename into place on success (paths relative to the root).
#[derive(Default)]
struct Made {
    /// Directories created, parents first.
    dirs: Vec<PathBuf>,
    /// (temporary name, final name) of every file written.
    temps: Vec<(PathBuf, PathBuf)>,
}

/// Removes what a failed install made: its files, then its directories
/// (deepest first); errors here would only hide the first one.
fn undo(root: &Beneath, made: &Mutex<Made>) {
    let made = made.lock().unwrap_or_else(|p| p.into_inner());
    for (temp, _) in &made.temps {
        let _ = root.unlink(temp);
    }
    for d in made.dirs.iter().rev() {
        let _ = root.remove_all(d);
    }
}

/// Makes every directory in `dirs` (and their parents) beneath the root, and
/// returns an open handle on each: files are then created relative to it,
/// since walking a long path again for every one of a thousand files costs
/// more than the writing. They are made level by level (parents first), each
/// level spread over a few threads (on a busy file system mkdir is the
/// slowest step left); in an existing tree the ones made are noted in
/// `made`. A link where a directory must be is refused.
fn make_dirs(root: &Beneath, dirs: &BTreeSet<PathBuf>, fresh: bool, made: &Mutex<Made>) -> Result<HashMap<PathBuf, OwnedFd>> {
    let mut fds = HashMap::new();
    let mut all: BTreeSet<PathBuf> = BTreeSet::new();
    for d in dirs {
        let mut cur = Some(d.as_path());
        while let Some(c) = cur {
            if c.as_os_str().is_empty() || !all.insert(c.to_path_buf()) {
                break;
            }
            cur = c.parent();
        }
    }
    let mut levels: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for d in all {
        levels.entry(d.components().count()).or_default().push(d);
    }
    for level in levels.values() {
        fds.extend(on_threads(level, "directory-creating", |d| {
            // Made and opened beneath the root: a link is never followed.
            if root.mkdir(d)? && !fresh {
                made.lock().unwrap_or_else(|p| p.into_inner()).dirs.push(d.clone());
            }
            Ok((d.clone(), root.subdir(d)?.into_fd()))
        })?);
    }
    Ok(fds)
}

/// One file written: the member, its RECORD path, and its hash and size
/// when it differs from the member (a rewritten script).
struct Written {
    member: String,
    record_path: String,
    changed: Option<(String, usize)>,
}

/// Pass 2: every job's file, linked from the cache when it may be (verified
/// against the cache's manifest and the wheel's RECORD, see wheel_cache.rs),
/// else streamed from the archive; in an existing tree under a temporary
/// name (noted in `made`). Returns (RECORD path, the row's hash and size when
/// the file differs from the wheel's bytes (a rewritten script), else None).
#[allow(clippy::too_many_arguments, reason = "one pass's whole context")]
fn write_files(
    archive: &Archive<'_>,
    t: &Target<'_>,
    python: &str,
    files: &Files<'_>,
    dir_fds: &HashMap<PathBuf, OwnedFd>,
    cache: Option<&wheel_cache::Tree>,
    how: &How,
    made: &Mutex<Made>,
) -> Result<Vec<Written>> {
    let shebang = t.script_shebang(python);
    on_threads(&files.jobs, "wheel extraction", |job| {
        let shown = t.root.shown(&job.dest);
        let fd = job.dest.parent().and_then(|p| dir_fds.get(p)).ok_or_else(|| Error::value(format!("bad file name {}", shown.display())))?;
        let final_name = job.dest.file_name().ok_or_else(|| Error::value(format!("bad file name {}", shown.display())))?;
        let name: OsString = if how.fresh { final_name.to_os_string() } else { temp_name(final_name) };
        let note = |name: &OsStr| {
            if !how.fresh {
                let temp = job.dest.with_file_name(name);
                made.lock().unwrap_or_else(|p| p.into_inner()).temps.push((temp, job.dest.clone()));
            }
        };
        let row = files.wheel_record.get(&job.member.name);
        if let (Some(cache), false, false, Some(row)) = (cache, job.script, job.executable, row) {
            if cache.link(&job.member.name, row, fd, &name) {
                note(&name);
                return Ok(Written { member: job.member.name.clone(), record_path: job.record_path.clone(), changed: None });
            }
        }
        let file = create_in(fd, &name, 0o666).map_err(|e| Error::io(&e, format!("writing {}", shown.display())))?;
        note(&name);
        let changed = extract(archive, job, &file, &shown, &shebang, row, how.verify.is_some())?;
        Ok(Written { member: job.member.name.clone(), record_path: job.record_path.clone(), changed })
    })
}

/// Hashes and counts what passes through to `inner`: a member's bytes as the
/// archive holds them, to check against RECORD.
struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    n: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write_all(buf)?;
        self.sha.update(buf);
        self.n += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Streams `job`'s member into `file` (shown as `shown`), replacing a
/// script's `#!python` line with `shebang` as pip does, with memory
/// independent of the member's size; with `verify`, the member's bytes must
/// match its RECORD `row`. Returns the hash and size of what was written
/// when that differs from the member (a rewritten script), else None.
fn extract(
    archive: &Archive<'_>,
    job: &Job<'_>,
    file: &std::fs::File,
    shown: &Path,
    shebang: &[u8],
    row: Option<&(String, usize)>,
    verify: bool,
) -> Result<Option<(String, usize)>> {
    let out = MemberWriter::new(std::io::BufWriter::with_capacity(64 * 1024, file), shown, job.script, job.script.then(|| shebang.to_vec()));
    let mut input = Hashing { inner: out, sha: Sha256::default(), n: 0 };
    archive.copy_to(job.member, &mut input)?;
    let Hashing { inner: out, sha, n } = input;
    let (out_sha, written) = out.finish().map_err(|e| Error::io(&e, format!("writing {}", shown.display())))?;
    let digest = record_digest(&sha.finish());
    if verify {
        if let Some((want, size)) = row {
            if *want != digest || *size as u64 != n {
                return Err(Error::value(format!(
                    "{}: member {:?} does not match its RECORD row: RECORD says {want} and {size} bytes, the \
                     archive holds {digest} and {n} bytes",
                    archive.what(),
                    job.member.name
                )));
            }
        }
    }
    if job.executable {
        let mode = file.metadata().map(|m| m.permissions().mode()).unwrap_or(0o644);
        // pip: 0777 & ~umask | 0111, which is the new file's 0666 & ~umask | 0111.
        file.set_permissions(std::fs::Permissions::from_mode((mode | 0o111) & 0o7777))
            .map_err(|e| Error::io(&e, format!("chmod {}", shown.display())))?;
    }
    let size = usize::try_from(written).map_err(|_| Error::overflow(format!("the size of {}", shown.display())))?;
    Ok(out_sha.map(|s| record_digest(&s)).filter(|d| *d != digest || written != n).map(|d| (d, size)))
}

/// What the metadata files say besides the RECORD rows.
struct Metadata<'a> {
    dist_info: &'a str,
    requested: bool,
    direct_url: Option<&'a str>,
}

/// pip's `direct_url.json` for a local wheel file (PEP 610, keys sorted):
/// with `hashed`, the archive's hash in both the old and the new field.
fn direct_url_json(wheel: &Path, data: &[u8], hashed: bool) -> String {
    let info = if hashed {
        let hex = hex_encode(&sha256(data));
        format!("{{\"hash\": \"sha256={hex}\", \"hashes\": {{\"sha256\": \"{hex}\"}}}}")
    } else {
        "{}".to_string()
    };
    format!("{{\"archive_info\": {info}, \"url\": \"{}\"}}", file_url(wheel))
}

/// Whether the env's pip (the one that would have installed the wheel)
/// records a local archive's hash in direct_url.json: pip 23.1 and later
/// do, as does pepkit when the env has no pip.
fn pip_hashes_local_archives(root: &Beneath, site: &Path) -> bool {
    installed_versions(root, site, "pip").iter().map(|v| version_key(v)).max().is_none_or(|v| v >= vec![23, 1])
}

/// `file://` + the path percent-quoted as `urllib.request.pathname2url`
/// does (all but ASCII letters, digits, `_.-~/`).
fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut s = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Compiles the installed `.py` files as pip does (`compileall.compile_file`
/// with `force=True`, run by the env's interpreter `python`, warnings and
/// output silenced) and returns the RECORD paths of the `.pyc` files made.
fn compile(t: &Target<'_>, python: &Path, written: &[Written]) -> Result<Vec<String>> {
    const SCRIPT: &str = r#"
import compileall, contextlib, importlib.util, io, os, sys, warnings
lib = sys.argv[1]
out = []
for rel in sorted(set(sys.stdin.buffer.read().decode("utf-8", "surrogateescape").split("\0"))):
    path = os.path.join(lib, rel)
    if not rel or not path.endswith(".py") or not os.path.isfile(path):
        continue
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore")
        ok = compileall.compile_file(path, force=True, quiet=True)
    if ok:
        out.append(os.path.relpath(importlib.util.cache_from_source(path), lib).replace(os.path.sep, "/"))
sys.stdout.write("\0".join(out))
"#;
    let lib = t.root.shown(t.site);
    let list: Vec<&str> = written.iter().map(|w| w.record_path.as_str()).collect();
    let mut child = std::process::Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&lib)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(&e, format!("running {}", python.display())))?;
    let input = list.join("\0");
    if let Some(mut stdin) = child.stdin.take() {
        // A closed pipe shows in the exit status below.
        let _ = stdin.write_all(input.as_bytes());
    }
    let output = child.wait_with_output().map_err(|e| Error::io(&e, format!("running {}", python.display())))?;
    if !output.status.success() {
        return Err(Error::subprocess(format!(
            "compiling bytecode with {} failed ({}): {}",
            python.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| Error::subprocess("the bytecode compiler printed non-UTF-8 paths"))?;
    Ok(text.split('\0').filter(|p| !p.is_empty()).map(String::from).collect())
}

/// One CSV field as Python's `csv.writer` writes it (QUOTE_MINIMAL).
fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// The console and GUI scripts of the entry points, INSTALLER,
/// direct_url.json, REQUESTED and finally RECORD: the wheel's rows with
/// their new paths (a rewritten script's rehashed), the generated files'
/// rows, files RECORD did not list and the `.pyc` files without a hash,
/// sorted as pip sorts them. Returns the number of rows but RECORD's own.
fn write_metadata(
    t: &Target<'_>,
    python: &str,
    files: &Files<'_>,
    meta: &Metadata<'_>,
    written: Vec<Written>,
    pycs: Vec<String>,
) -> Result<usize> {
    let up = up_from(t.site);
    let dist_info = meta.dist_info;
    let mut generated: Vec<(String, String, String)> = Vec::new();
    for (name, spec) in scripts_to_generate(&files.entry_points, t.minor) {
        let text = console_script(&t.launcher(python), &spec)?;
        let rel = safe_rel(&name, &name)?;
        t.root.write(&t.bin.join(&rel), text.as_bytes(), Mode::UmaskExec)?;
        generated.push((format!("{up}{}/{name}", t.bin.display()), record_hash(text.as_bytes()), text.len().to_string()));
    }
    let di = t.site.join(dist_info);
    let mut small = |name: &str, body: &[u8]| -> Result<()> {
        t.root.write(&di.join(name), body, Mode::Umask)?;
        generated.push((format!("{dist_info}/{name}"), record_hash(body), body.len().to_string()));
        Ok(())
    };
    small("INSTALLER", b"pip\n")?;
    if let Some(json) = meta.direct_url {
        small("direct_url.json", json.as_bytes())?;
    }
    if meta.requested {
        small("REQUESTED", b"")?;
    }
    let mut by_member: HashMap<&str, &Written> = written.iter().map(|w| (w.member.as_str(), w)).collect();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for (p, h, n) in &files.record_rows {
        match by_member.remove(p.as_str()) {
            Some(w) => match &w.changed {
                Some((h2, n2)) => rows.push((w.record_path.clone(), h2.clone(), n2.to_string())),
                None => rows.push((w.record_path.clone(), h.clone(), n.clone())),
            },
            None => rows.push((p.clone(), h.clone(), n.clone())),
        }
    }
    rows.extend(generated);
    let mut rest: Vec<&&Written> = by_member.values().collect();
    rest.sort_by(|a, b| a.record_path.cmp(&b.record_path));
    rows.extend(rest.into_iter().map(|w| (w.record_path.clone(), String::new(), String::new())));
    rows.extend(pycs.into_iter().map(|p| (p, String::new(), String::new())));
    rows.sort();
    let record_row = format!("{dist_info}/RECORD");
    let count = rows.iter().filter(|r| r.0 != record_row).count();
    let mut text = String::new();
    for (p, h, n) in &rows {
        text.push_str(&format!("{},{},{}\r\n", csv_field(p), csv_field(h), csv_field(n)));
    }
    t.root.write(&di.join("RECORD"), text.as_bytes(), Mode::Umask)?;
    Ok(count)
}

/// distlib's shebang for `exe`: plain, or the `/bin/sh` trampoline when the
/// path has a space or is too long for the kernel.
pub(crate) fn shebang(exe: &str) -> String {
    if !exe.contains(' ') && exe.len() + 3 <= 127 {
        format!("#!{exe}\n")
    } else {
        let quoted = if exe.starts_with('"') { exe.to_string() } else { format!("\"{exe}\"") };
        format!("#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''")
    }
}

/// The console script pip writes for `module:func`, after `launcher` (its shebang).
fn console_script(launcher: &str, spec: &str) -> Result<String> {
    let (module, func) = spec
        .split_once(':')
        .map(|(m, f)| (m.trim(), f.trim()))
        .ok_or_else(|| Error::value(format!("bad entry point {spec:?}")))?;
    let func = func.split_whitespace().next().unwrap_or(func);
    let import_name = func.split('.').next().unwrap_or(func);
    Ok(format!(
        "{}# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import {import_name}\n\
         if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    \
         sys.exit({func}())\n",
        launcher
    ))
}

/// `[console_scripts]` then `[gui_scripts]` of an entry_points.txt, each in
/// file order (on POSIX pip writes both kinds alike).
fn entry_point_scripts(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in ["[console_scripts]", "[gui_scripts]"] {
        let mut in_section = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_section = line == section;
            } else if in_section && !line.is_empty() && !line.starts_with('#') && !line.starts_with(';') {
                if let Some((k, v)) = line.split_once('=') {
                    out.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
        }
    }
    out
}

fn is_versioned(name: &str, base: &str, sep: &str) -> bool {
    // pip(\d+(\.\d+)?)?$ and easy_install(-\d+\.\d+)?$
    let Some(rest) = name.strip_prefix(base) else { return false };
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix(sep) else { return false };
    let mut parts = rest.split('.');
    let first_ok = parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    first_ok && rest_ok && rest.split('.').count() <= 2
}

/// The scripts pip generates from a wheel's console (and GUI) scripts for `3.minor`
/// (ensurepip's --default-pip: `pip`, `pip3`, `pip3.X`; `easy_install`,
/// `easy_install-3.X`).
fn scripts_to_generate(entries: &[(String, String)], minor: u32) -> Vec<(String, String)> {
    let mut console: Vec<(String, String)> = entries.to_vec();
    let mut out = Vec::new();
    if let Some(pos) = console.iter().position(|(k, _)| k == "pip") {
        let spec = console.remove(pos).1;
        out.push(("pip".to_string(), spec.clone()));
        out.push(("pip3".to_string(), spec.clone()));
        out.push((format!("pip3.{minor}"), spec));
        console.retain(|(k, _)| !is_versioned(k, "pip", ""));
    }
    if let Some(pos) = console.iter().position(|(k, _)| k == "easy_install") {
        let spec = console.remove(pos).1;
        out.push(("easy_install".to_string(), spec.clone()));
        out.push((format!("easy_install-3.{minor}"), spec));
        console.retain(|(k, _)| !is_versioned(k, "easy_install", "-"));
    }
    out.extend(console);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venv::wheel::sha256;

    #[test]
    fn pip_script_names() {
        let eps = entry_point_scripts("[console_scripts]\npip = pip._internal.cli.main:main\npip3 = x:y\npip3.11 = x:y\n");
        let names: Vec<String> = scripts_to_generate(&eps, 12).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["pip", "pip3", "pip3.12"]);
    }

    #[test]
    fn member_writer_rewrites_shebang_in_any_chunking() {
        use std::io::Write;
        let sb = shebang("/e/bin/python3").into_bytes();
        let inputs: [&[u8]; 7] =
            [b"#!python\nprint(1)\n", b"#!python3 -E\nx", b"#!pytho", b"#!/usr/bin/env python\n", b"", b"#!python", b"#!pythonw\n\n"];
        for input in inputs {
            // What pip writes: the first line replaced when it starts with #!python.
            let want: Vec<u8> = if input.starts_with(b"#!python") {
                let rest = input.splitn(2, |&b| b == b'\n').nth(1).unwrap_or(&[]);
                [sb.as_slice(), rest].concat()
            } else {
                input.to_vec()
            };
            for step in 1..=10 {
                let mut out = Vec::new();
                let mut w = MemberWriter::new(&mut out, Path::new("t"), true, Some(sb.clone()));
                for c in input.chunks(step) {
                    w.write_all(c).unwrap();
                }
                let (sha, written) = w.finish().unwrap();
                assert_eq!(out, want, "{:?} in steps of {step}", String::from_utf8_lossy(input));
                assert_eq!(written, want.len() as u64);
                assert_eq!(sha, Some(sha256(&want)));
            }
        }
    }

    #[test]
    fn shebangs() {
        assert_eq!(shebang("/e/bin/python3"), "#!/e/bin/python3\n");
        assert!(shebang("/a b/bin/python3").starts_with("#!/bin/sh\n'''exec' \"/a b/bin/python3\" \"$0\" \"$@\"\n"));
    }
}
