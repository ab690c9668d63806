//! Installing one wheel into an environment natively, as `pip install
//! --no-deps` of a local file would: purelib/platlib into site-packages,
//! `.data/scripts` into the scripts directory (their `#!python` line
//! replaced with the env's shebang), console scripts for the entry points,
//! `INSTALLER`, `REQUESTED` and a `RECORD` pip can uninstall from. No
//! bytecode is compiled (the interpreter compiles on first import).
//!
//! The steps: read and check the archive ([`super::wheel`]), decide where
//! every member goes ([`Files::plan`]), make the directories, write the
//! files (hard-linked from the verified wheel cache where allowed, else
//! streamed from the archive) and finally the metadata. What an install
//! needs of the environment is a [`Target`], whichever way the env came to
//! be (a staged new one, or one opened on disk).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

use super::beneath::{create_in, Beneath, Kind, Mode};
use super::uninstall::{installed_versions, remove_other_versions, version_key};
use super::wheel::{name_version, parse_record, read_wheel, record_digest, record_hash, Archive, Member, MemberWriter};
use super::wheel_cache;

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
    /// The interpreter's minor version (3.X), for pip's `pip3.X` script names.
    pub minor: u32,
}

/// How an install goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct How {
    /// Write `REQUESTED` (pip 20.2 and later do, for what the user asked for).
    pub requested: bool,
    /// site-packages was empty when installing began (a new env): files and
    /// directories are created exclusively, without looking first.
    pub fresh: bool,
    /// Hard-link files from pepkit's verified cache of unpacked wheels (only
    /// when `fresh`).
    pub link_from_cache: bool,
}

/// Installs `wheel` into `t`. An installed copy of the same or a newer
/// version is kept (as `pip install --upgrade`); an older one is removed
/// first (the files its RECORD lists, never outside the env; entries that
/// would leave it are skipped and reported through `warn`).
pub(crate) fn install_wheel(t: &Target<'_>, wheel: &Path, how: &How, warn: &dyn Fn(String)) -> Result<()> {
    let python = t.python.to_str().ok_or_else(|| Error::value(format!("the env path is not UTF-8: {}", t.python.display())))?;
    let file_name = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (dist, version) = name_version(file_name)
        .ok_or_else(|| Error::value(format!("{} is not a wheel file name", wheel.display())))?;
    let data = read_wheel(wheel)?;
    let what = wheel.display().to_string();
    let archive = Archive::new(&data, &what)?;
    let dist_info = format!("{dist}-{version}.dist-info");
    if is_installed(t, &dist, &version, &dist_info)? {
        return Ok(());
    }
    remove_other_versions(t.root, t.site, &dist, warn)?;
    let files = Files::plan(&archive, t, &dist_info, &format!("{dist}-{version}.data/"), &what)?;
    let dir_fds = make_dirs(t.root, &files.dirs, how.fresh)?;
    let cache = if how.fresh && how.link_from_cache { wheel_cache::Tree::open(wheel, &data, &archive)? } else { None };
    let written = write_files(&archive, t, python, &files, &dir_fds, cache.as_ref());
    if let Some(tree) = cache {
        tree.heal(wheel, &data, &archive);
    }
    let record: BTreeMap<String, (String, usize)> = written?.into_iter().map(|(p, h, n)| (p, (h, n))).collect();
    write_metadata(t, python, &dist_info, &files.entry_points, how.requested, record)
}

/// True when this version (or a newer one, as `ensurepip --upgrade` keeps
/// it) is installed already.
fn is_installed(t: &Target<'_>, dist: &str, version: &str, dist_info: &str) -> Result<bool> {
    if t.root.lstat(&t.site.join(dist_info))?.is_some_and(|st| st.kind == Kind::Dir) {
        return Ok(true);
    }
    Ok(installed_versions(t.root, t.site, dist).iter().any(|v| version_key(v) >= version_key(version)))
}

/// One wheel member to extract.
struct Job<'a> {
    member: &'a Member,
    /// Where it goes, relative to the root.
    dest: PathBuf,
    /// Its path as RECORD lists it (relative to site-packages).
    record_path: String,
    /// A script: its shebang is rewritten and it is made executable.
    executable: bool,
}

/// Where every member of a wheel goes, and the small files that steer the rest.
struct Files<'a> {
    jobs: Vec<Job<'a>>,
    /// The directories the jobs write into, relative to the root.
    dirs: BTreeSet<PathBuf>,
    /// The wheel's own RECORD rows (path -> hash, size), to trust or check against.
    wheel_record: HashMap<String, (String, usize)>,
    /// The text of the wheel's `entry_points.txt`.
    entry_points: String,
}

impl<'a> Files<'a> {
    /// Pass 1 over the archive: a destination for every file member
    /// (refusing names that would leave the env and `.data` kinds pepkit
    /// does not install), the wheel's RECORD and entry points read.
    fn plan(archive: &'a Archive<'_>, t: &Target<'_>, dist_info: &str, data_dir: &str, what: &str) -> Result<Files<'a>> {
        let up = up_from(t.site);
        let record_member = format!("{dist_info}/RECORD");
        let entry_points_member = format!("{dist_info}/entry_points.txt");
        let mut files = Files { jobs: Vec::new(), dirs: BTreeSet::new(), wheel_record: HashMap::new(), entry_points: String::new() };
        for m in archive.members.iter().filter(|m| !m.is_dir()) {
            let (dest, record_path, executable) = if let Some(rest) = m.name.strip_prefix(data_dir) {
                let (kind, sub) = rest.split_once('/').unwrap_or((rest, ""));
                let sub = safe_rel(sub)?;
                match kind {
                    "purelib" | "platlib" => (t.site.join(&sub), sub.display().to_string(), false),
                    "scripts" => (t.bin.join(&sub), format!("{up}{}/{}", t.bin.display(), sub.display()), true),
                    "data" => (sub.clone(), format!("{up}{}", sub.display()), false),
                    other => return Err(Error::not_implemented(format!("{what}: .data/{other} is not supported"))),
                }
            } else {
                let rel = safe_rel(&m.name)?;
                if m.name == record_member {
                    files.wheel_record = parse_record(&String::from_utf8_lossy(&archive.read(m)?));
                    continue;
                }
                if m.name == entry_points_member {
                    files.entry_points = String::from_utf8_lossy(&archive.read(m)?).into_owned();
                }
                (t.site.join(&rel), m.name.clone(), m.unix_mode.is_some_and(|mode| mode & 0o111 != 0))
            };
            if let Some(parent) = dest.parent() {
                files.dirs.insert(parent.to_path_buf());
            }
            files.jobs.push(Job { member: m, dest, record_path, executable });
        }
        Ok(files)
    }
}

/// A path inside the archive, refused if it could escape the destination.
fn safe_rel(name: &str) -> Result<PathBuf> {
    let p = Path::new(name);
    if p.components().all(|c| matches!(c, Component::Normal(_))) && !name.is_empty() {
        Ok(p.to_path_buf())
    } else {
        Err(Error::value(format!("refusing wheel member {name:?}: it leaves the install directory")))
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

/// Makes every directory in `dirs` (and their parents) beneath the root. In
/// a fresh site-packages they are made level by level (parents first), each
/// level spread over a few threads (on a busy file system mkdir is the
/// slowest step left), and an open handle on each is returned: files are
/// then created relative to it, since walking a long path again for every
/// one of a thousand files costs more than the writing.
fn make_dirs(root: &Beneath, dirs: &BTreeSet<PathBuf>, fresh: bool) -> Result<HashMap<PathBuf, OwnedFd>> {
    let mut fds = HashMap::new();
    if !fresh {
        for d in dirs {
            root.mkdir_all(d)?;
        }
        return Ok(fds);
    }
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
            root.mkdir(d)?;
            Ok((d.clone(), root.subdir(d)?.into_fd()))
        })?);
    }
    Ok(fds)
}

/// Pass 2: every job's file, linked from the cache when it may be (verified
/// against the cache's manifest and the wheel's RECORD, see wheel_cache.rs),
/// else streamed from the archive. Returns the RECORD rows (path, hash, size).
fn write_files(
    archive: &Archive<'_>,
    t: &Target<'_>,
    python: &str,
    files: &Files<'_>,
    dir_fds: &HashMap<PathBuf, OwnedFd>,
    cache: Option<&wheel_cache::Tree>,
) -> Result<Vec<(String, String, usize)>> {
    let shebang = shebang(python).into_bytes();
    on_threads(&files.jobs, "wheel extraction", |job| {
        let fd = job.dest.parent().and_then(|p| dir_fds.get(p));
        let row = files.wheel_record.get(&job.member.name);
        if let (Some(cache), false, Some(fd), Some(name), Some(row)) = (cache, job.executable, fd, job.dest.file_name(), row) {
            if cache.link(&job.member.name, row, fd, name) {
                return Ok((job.record_path.clone(), row.0.clone(), row.1));
            }
        }
        let (hash, size) = extract(archive, job, &shebang, t.root, fd, row)?;
        Ok((job.record_path.clone(), hash, size))
    })
}

/// Streams `job`'s member into its new file (created in the directory `dir`
/// refers to, when given), replacing a script's `#!python` line with the
/// env's `shebang` as pip does, with memory independent of the member's size.
/// Returns its RECORD hash and size: the wheel's RECORD row when the bytes
/// are the wheel's as declared, else a hash of what was written.
fn extract(
    archive: &Archive<'_>,
    job: &Job<'_>,
    shebang: &[u8],
    root: &Beneath,
    dir: Option<&OwnedFd>,
    row: Option<&(String, usize)>,
) -> Result<(String, usize)> {
    let shown = root.shown(&job.dest);
    let file = match dir {
        // A directory handle opened beneath the root, and a new name in it.
        Some(fd) => {
            let name = job.dest.file_name().ok_or_else(|| Error::value(format!("bad file name {}", shown.display())))?;
            create_in(fd, name, 0o666).map_err(|e| Error::io(&e, format!("writing {}", shown.display())))?
        }
        None => {
            // Replace, never write through, whatever is there (a link could point outside).
            if root.lstat(&job.dest)?.is_some() {
                root.unlink(&job.dest)?;
            }
            root.create(&job.dest)?
        }
    };
    let trust_row = row.filter(|r| !job.executable && r.1 as u64 == job.member.size);
    let mut out = MemberWriter::new(
        std::io::BufWriter::with_capacity(64 * 1024, &file),
        &shown,
        trust_row.is_none(),
        job.executable.then(|| shebang.to_vec()),
    );
    archive.copy_to(job.member, &mut out)?;
    let (sha, written) = out.finish().map_err(|e| Error::io(&e, format!("writing {}", shown.display())))?;
    if job.executable {
        let mode = file.metadata().map(|m| m.permissions().mode()).unwrap_or(0o644);
        file.set_permissions(std::fs::Permissions::from_mode((mode | 0o555) & 0o7777))
            .map_err(|e| Error::io(&e, format!("chmod {}", shown.display())))?;
    }
    let size = usize::try_from(written).map_err(|_| Error::overflow(format!("the size of {}", shown.display())))?;
    Ok(match (trust_row, sha) {
        (Some(r), _) => (r.0.clone(), size),
        (None, Some(sha)) => (record_digest(&sha), size),
        (None, None) => (record_hash(b""), size),
    })
}

/// The console scripts of the entry points, INSTALLER, REQUESTED and
/// finally RECORD (every file installed, sorted, RECORD itself unhashed).
fn write_metadata(
    t: &Target<'_>,
    python: &str,
    dist_info: &str,
    entry_points: &str,
    requested: bool,
    mut record: BTreeMap<String, (String, usize)>,
) -> Result<()> {
    let up = up_from(t.site);
    for (name, spec) in scripts_to_generate(&console_scripts(entry_points), t.minor) {
        let text = console_script(python, &spec)?;
        let rel = safe_rel(&name)?;
        t.root.write(&t.bin.join(&rel), text.as_bytes(), Mode::UmaskExec)?;
        record.insert(format!("{up}{}/{name}", t.bin.display()), (record_hash(text.as_bytes()), text.len()));
    }
    let di = t.site.join(dist_info);
    t.root.write(&di.join("INSTALLER"), b"pip\n", Mode::Umask)?;
    record.insert(format!("{dist_info}/INSTALLER"), (record_hash(b"pip\n"), 4));
    if requested {
        t.root.write(&di.join("REQUESTED"), b"", Mode::Umask)?;
        record.insert(format!("{dist_info}/REQUESTED"), (record_hash(b""), 0));
    }
    let mut rows: Vec<String> = record.iter().map(|(p, (h, n))| format!("{p},{h},{n}\n")).collect();
    rows.push(format!("{dist_info}/RECORD,,\n"));
    rows.sort();
    t.root.write(&di.join("RECORD"), rows.concat().as_bytes(), Mode::Umask)
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

/// The console script pip writes for `module:func`.
fn console_script(exe: &str, spec: &str) -> Result<String> {
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
        shebang(exe)
    ))
}

/// `[console_scripts]` of an entry_points.txt, in file order.
fn console_scripts(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[console_scripts]";
        } else if in_section && !line.is_empty() && !line.starts_with('#') && !line.starts_with(';') {
            if let Some((k, v)) = line.split_once('=') {
                out.push((k.trim().to_string(), v.trim().to_string()));
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

/// The scripts pip generates from a wheel's console_scripts for `3.minor`
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
        let eps = console_scripts("[console_scripts]\npip = pip._internal.cli.main:main\npip3 = x:y\npip3.11 = x:y\n");
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
