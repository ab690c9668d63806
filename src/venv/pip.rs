//! Installing pip into a new environment natively, from the interpreter's
//! bundled wheels (ensurepip's `_bundled`, or the distro's wheel directory),
//! with no subprocess: the wheel's files, the console scripts pip would write
//! (`pip`, `pip3`, `pip3.X`, with the env's shebang), `INSTALLER`,
//! `REQUESTED` and a `RECORD` pip can uninstall from. No bytecode is compiled
//! (the interpreter compiles on first import), which is most of what makes
//! ensurepip slow.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

use super::beneath::{Beneath, Kind, Mode};
use super::tree::Plan;
use super::Progress;
use super::wheel::{record_hash, Archive};

fn io(e: std::io::Error, what: impl std::fmt::Display) -> Error {
    Error::io(&e, what)
}

/// A wheel file name's distribution and version: `pip-23.2.1-py3-none-any.whl`.
fn name_version(file: &str) -> Option<(String, String)> {
    let stem = file.strip_suffix(".whl")?;
    let mut parts = stem.split('-');
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
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

/// distlib's shebang for `exe`: plain, or the `/bin/sh` trampoline when the
/// path has a space or is too long for the kernel.
pub fn shebang(exe: &str) -> String {
    if !exe.contains(' ') && exe.len() + 3 <= 127 {
        format!("#!{exe}\n")
    } else {
        let quoted = if exe.starts_with('"') { exe.to_string() } else { format!("\"{exe}\"") };
        format!("#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''")
    }
}

/// The console script pip writes for `module:func`.
pub fn console_script(exe: &str, spec: &str) -> Result<String> {
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
pub fn scripts_to_generate(entries: &[(String, String)], minor: u32) -> Vec<(String, String)> {
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

/// `../` steps from the site-packages dir up to the env root, for RECORD paths.
fn up_from(rel: &Path) -> String {
    "../".repeat(rel.components().count())
}

/// Installs every wheel ensurepip would install into the env being built
/// beneath `root`. RECORD entries of an older install that would leave the
/// env are skipped and reported through `progress` as "warning: ..." steps.
pub fn install_bundled(root: &Beneath, plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    if plan.facts.wheels.is_empty() {
        return Err(Error::not_found(format!(
            "{} has no bundled pip wheel (ensurepip is missing; on Debian install python3-pip-whl)",
            Path::new(&plan.facts.executable).display()
        )));
    }
    let env_exe = plan.env_dir.join(&plan.bin_rel).join(&plan.exe_name);
    let exe = env_exe.to_str().ok_or_else(|| Error::value("the env path is not UTF-8"))?.to_string();
    // In an empty site-packages (always so in a staging dir) files are created
    // exclusively, without looking first.
    let fresh = root.list(&plan.lib_rel).map(|names| names.is_empty()).unwrap_or(false);
    // pip writes REQUESTED from 20.2 on; ensurepip's own pip decides, so follow its version.
    let pip_version: Vec<u32> = plan
        .facts
        .wheels
        .iter()
        .filter_map(|w| Path::new(w).file_name().and_then(|n| n.to_str()).and_then(name_version))
        .find(|(n, _)| n == "pip")
        .map(|(_, v)| v.split('.').map(|p| p.parse().unwrap_or(0)).collect())
        .unwrap_or_default();
    let requested = pip_version.as_slice() >= [20, 2].as_slice();
    for wheel in &plan.facts.wheels {
        install_wheel(root, plan, Path::new(wheel), &exe, requested, fresh, progress)?;
    }
    Ok(())
}

/// Installs one wheel into the env beneath `root` (purelib/platlib into
/// site-packages, scripts into bin), writing RECORD, INSTALLER and
/// (if `requested`) REQUESTED. An installed copy of the same version is kept;
/// another version is removed first (files from its RECORD, never outside the env).
pub fn install_wheel(
    root: &Beneath,
    plan: &Plan,
    wheel: &Path,
    exe: &str,
    requested: bool,
    fresh: bool,
    progress: Option<Progress<'_>>,
) -> Result<()> {
    let file_name = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (dist, version) = name_version(file_name)
        .ok_or_else(|| Error::value(format!("{} is not a wheel file name", wheel.display())))?;
    let data = super::wheel::read_wheel(wheel)?;
    let what = wheel.display().to_string();
    let archive = Archive::new(&data, &what)?;
    // Paths relative to the env root: every change goes through `root`.
    let site = plan.lib_rel.clone();
    let bin = plan.bin_rel.clone();
    let dist_info = format!("{dist}-{version}.dist-info");
    let data_dir = format!("{dist}-{version}.data/");

    if root.lstat(&site.join(&dist_info))?.is_some_and(|st| st.kind == Kind::Dir) {
        return Ok(());
    }
    // As `ensurepip --upgrade` (pip install --upgrade from the bundled wheel):
    // an installed version at least as new stays; an older one is replaced.
    if installed_versions(root, &site, &dist).iter().any(|v| version_key(v) >= version_key(&version)) {
        return Ok(());
    }
    let warn = |text: String| {
        if let Some(p) = progress {
            p(&format!("warning: {text}"))
        }
    };
    remove_other_versions(root, &site, &dist, &warn)?;

    let mut record: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let up = up_from(&plan.lib_rel);
    let record_member = format!("{dist_info}/RECORD");
    let entry_points_member = format!("{dist_info}/entry_points.txt");
    let mut entry_points = String::new();
    let mut wheel_record: std::collections::HashMap<String, (String, usize)> = std::collections::HashMap::new();
    // Pass 1: where every member goes, and the small files that steer the rest.
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for m in archive.members.iter().filter(|m| !m.is_dir()) {
        let (dest, record_path, executable) = if let Some(rest) = m.name.strip_prefix(&data_dir) {
            let (kind, sub) = rest.split_once('/').unwrap_or((rest, ""));
            let sub = safe_rel(sub)?;
            match kind {
                "purelib" | "platlib" => (site.join(&sub), sub.display().to_string(), false),
                "scripts" => {
                    let name = sub.display().to_string();
                    (bin.join(&sub), format!("{up}{}/{name}", plan.bin_rel.display()), true)
                }
                "data" => (sub.clone(), format!("{up}{}", sub.display()), false),
                other => return Err(Error::not_implemented(format!("{what}: .data/{other} is not supported"))),
            }
        } else {
            let rel = safe_rel(&m.name)?;
            if m.name == record_member {
                let text = String::from_utf8_lossy(&archive.read(m)?).into_owned();
                for line in text.lines() {
                    let mut f = line.rsplitn(3, ',');
                    let (Some(size), Some(hash), Some(path)) = (f.next(), f.next(), f.next()) else { continue };
                    if let (Ok(n), true) = (size.parse::<usize>(), hash.starts_with("sha256=")) {
                        wheel_record.insert(path.to_string(), (hash.to_string(), n));
                    }
                }
                continue;
            }
            if m.name == entry_points_member {
                entry_points = String::from_utf8_lossy(&archive.read(m)?).into_owned();
            }
            (site.join(&rel), m.name.clone(), m.unix_mode.is_some_and(|mode| mode & 0o111 != 0))
        };
        if let Some(parent) = dest.parent() {
            dirs.insert(parent.to_path_buf());
        }
        jobs.push(Job { member: m, dest, record_path, executable });
    }
    // Files are created relative to an open handle on their directory: a long
    // absolute path walked again for every one of a thousand files costs more
    // than the writing.
    let mut dir_fds: std::collections::HashMap<PathBuf, std::os::fd::OwnedFd> = std::collections::HashMap::new();
    if fresh {
        // Every directory the wheel needs, made level by level (parents
        // first), each level spread over a few threads: on a busy file system
        // mkdir is the slowest step left.
        let mut all: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
        for d in &dirs {
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
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        for (_, level) in levels {
            let chunk = level.len().div_ceil(threads).max(1);
            let made: Vec<Result<Vec<(PathBuf, std::os::fd::OwnedFd)>>> = std::thread::scope(|scope| {
                let handles: Vec<_> = level
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || -> Result<Vec<(PathBuf, std::os::fd::OwnedFd)>> {
                            let mut out = Vec::new();
                            for d in part {
                                // Made and opened beneath the root: a link is never followed.
                                root.mkdir(d)?;
                                out.push((d.clone(), root.subdir(d)?.into_fd()));
                            }
                            Ok(out)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::os("a directory-creating thread panicked"))))
                    .collect()
            });
            for r in made {
                dir_fds.extend(r?);
            }
        }
    } else {
        for d in &dirs {
            root.mkdir_all(d)?;
        }
    }
    let cache = if fresh && plan.opts.link_wheels && plan.opts.facts_source == super::FactsSource::Cached
        && !super::facts::cache_disabled_by_env()
    {
        super::wheel_cache::Tree::open(wheel, &data, &archive)?
    } else {
        None
    };
    // Pass 2: link from the cache, or inflate and write, on a few threads
    // (file creation dominates).
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
    let chunk = jobs.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<(String, String, usize)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let archive = &archive;
                let wheel_record = &wheel_record;
                let dir_fds = &dir_fds;
                let cache = cache.as_ref();
                scope.spawn(move || -> Result<Vec<(String, String, usize)>> {
                    let mut rows = Vec::with_capacity(part.len());
                    for job in part {
                        if let (Some(cache), false, Some(fd), Some(name), Some(row)) = (
                            cache,
                            job.executable,
                            job.dest.parent().and_then(|p| dir_fds.get(p)),
                            job.dest.file_name(),
                            wheel_record.get(&job.member.name),
                        ) {
                            // Linked only once verified against the manifest
                            // and RECORD (see wheel_cache.rs); else written below.
                            if cache.link(&job.member.name, row, fd, name) {
                                rows.push((job.record_path.clone(), row.0.clone(), row.1));
                                continue;
                            }
                        }
                        let fd = job.dest.parent().and_then(|p| dir_fds.get(p));
                        let (hash, size) = extract(archive, job, exe, root, fd, wheel_record.get(&job.member.name))?;
                        rows.push((job.record_path.clone(), hash, size));
                    }
                    Ok(rows)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::os("a wheel extraction thread panicked"))))
            .collect()
    });
    if let Some(tree) = cache {
        tree.heal(wheel, &data, &archive);
    }
    for r in results {
        for (path, hash, size) in r? {
            record.insert(path, (hash, size));
        }
    }
    for (name, spec) in scripts_to_generate(&console_scripts(&entry_points), plan.facts.minor) {
        let text = console_script(exe, &spec)?;
        let rel = safe_rel(&name)?;
        root.write(&bin.join(&rel), text.as_bytes(), Mode::UmaskExec)?;
        record.insert(format!("{up}{}/{name}", plan.bin_rel.display()), (record_hash(text.as_bytes()), text.len()));
    }
    let di = site.join(&dist_info);
    root.write(&di.join("INSTALLER"), b"pip\n", Mode::Umask)?;
    record.insert(format!("{dist_info}/INSTALLER"), (record_hash(b"pip\n"), 4));
    if requested {
        root.write(&di.join("REQUESTED"), b"", Mode::Umask)?;
        record.insert(format!("{dist_info}/REQUESTED"), (record_hash(b""), 0));
    }
    let mut text = String::new();
    let record_name = format!("{dist_info}/RECORD");
    let mut rows: Vec<String> = record.iter().map(|(p, (h, n))| format!("{p},{h},{n}\n")).collect();
    rows.push(format!("{record_name},,\n"));
    rows.sort();
    for r in rows {
        text.push_str(&r);
    }
    root.write(&di.join("RECORD"), text.as_bytes(), Mode::Umask)
}

/// Streams `job`'s member into its new file (created in the directory `dir`
/// refers to, when given), replacing a script's `#!python` line with the
/// env's shebang as pip does, with memory independent of the member's size.
/// Returns its RECORD hash and size: the wheel's RECORD row when the bytes
/// are the wheel's as declared, else a hash of what was written.
fn extract(
    archive: &Archive<'_>,
    job: &Job<'_>,
    exe: &str,
    root: &Beneath,
    dir: Option<&std::os::fd::OwnedFd>,
    row: Option<&(String, usize)>,
) -> Result<(String, usize)> {
    let file = match dir {
        // A directory handle opened beneath the root, and a new name in it.
        Some(fd) => create_at(fd, &root.shown(&job.dest))?,
        None => {
            // Replace, never write through, whatever is there (a link could point outside).
            if root.lstat(&job.dest)?.is_some() {
                root.unlink(&job.dest)?;
            }
            root.create(&job.dest)?
        }
    };
    let trust_row = row.filter(|r| !job.executable && r.1 as u64 == job.member.size);
    let mut out = ScriptWriter {
        out: std::io::BufWriter::with_capacity(64 * 1024, &file),
        sha: trust_row.is_none().then(super::wheel::Sha256::default),
        shebang: job.executable.then(|| shebang(exe).into_bytes()),
        head: Vec::new(),
        skipping: false,
        written: 0,
    };
    archive.copy_to(job.member, &mut out)?;
    out.finish().map_err(|e| io(e, format!("writing {}", job.dest.display())))?;
    let (sha, written) = (out.sha.take(), out.written);
    drop(out);
    if job.executable {
        let mode = file.metadata().map(|m| m.permissions().mode()).unwrap_or(0o644);
        file.set_permissions(std::fs::Permissions::from_mode((mode | 0o555) & 0o7777))
            .map_err(|e| io(e, format!("chmod {}", job.dest.display())))?;
    }
    let size = usize::try_from(written).map_err(|_| Error::overflow("member size"))?;
    Ok(match (trust_row, sha) {
        (Some(r), _) => (r.0.clone(), size),
        (None, Some(sha)) => (super::wheel::record_digest(&sha.finish()), size),
        (None, None) => (record_hash(b""), size),
    })
}

/// A writer that passes bytes through to a file, hashing them if asked, and
/// (for scripts) replaces a first line of `#!python...` with `shebang`.
struct ScriptWriter<W: std::io::Write> {
    out: W,
    sha: Option<super::wheel::Sha256>,
    /// The env's shebang line, for a script; None passes bytes through.
    shebang: Option<Vec<u8>>,
    /// A script's first bytes, held until they show whether it starts with `#!python`.
    head: Vec<u8>,
    /// Dropping the rest of a `#!python` line.
    skipping: bool,
    written: u64,
}

impl<W: std::io::Write> ScriptWriter<W> {
    fn emit(&mut self, b: &[u8]) -> std::io::Result<()> {
        if let Some(sha) = &mut self.sha {
            sha.update(b);
        }
        self.written += b.len() as u64;
        self.out.write_all(b)
    }

    /// Flushes what is held back (a script shorter than `#!python`).
    fn finish(&mut self) -> std::io::Result<()> {
        if self.shebang.is_some() && !self.head.is_empty() {
            let head = std::mem::take(&mut self.head);
            if head.starts_with(b"#!python") {
                let sb = self.shebang.take().unwrap_or_default();
                self.emit(&sb)?;
            } else {
                self.emit(&head)?;
            }
        }
        self.out.flush()
    }
}

impl<W: std::io::Write> std::io::Write for ScriptWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        const MAGIC: &[u8] = b"#!python";
        let mut rest = buf;
        if let Some(sb) = &self.shebang {
            if self.skipping {
                match rest.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.skipping = false;
                        self.shebang = None;
                        rest = &rest[i + 1..];
                    }
                    None => return Ok(buf.len()),
                }
            } else {
                let take = (MAGIC.len() - self.head.len()).min(rest.len());
                self.head.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if self.head.len() < MAGIC.len() {
                    return Ok(buf.len());
                }
                let head = std::mem::take(&mut self.head);
                if head == MAGIC {
                    let sb = sb.clone();
                    self.emit(&sb)?;
                    self.skipping = true;
                    return self.write(rest).map(|_| buf.len());
                }
                self.shebang = None;
                self.emit(&head)?;
            }
        }
        self.emit(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// One wheel member to extract.
struct Job<'a> {
    member: &'a super::wheel::Member,
    dest: PathBuf,
    record_path: String,
    executable: bool,
}

/// Creates `path` (which must not exist yet) in the directory `dir` refers
/// to, exclusively (never through a link), with 0666 & ~umask, open for writing.
fn create_at(dir: &std::os::fd::OwnedFd, path: &Path) -> Result<std::fs::File> {
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::ffi::OsStrExt;
    let name = path.file_name().ok_or_else(|| Error::value(format!("bad file name {}", path.display())))?;
    let c = std::ffi::CString::new(name.as_bytes()).map_err(|_| Error::value("path contains NUL"))?;
    // SAFETY: dir is an open directory descriptor and c a valid name.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            c.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC | libc::O_NOFOLLOW,
            0o666 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(io(std::io::Error::last_os_error(), format!("writing {}", path.display())));
    }
    // SAFETY: fd is a fresh descriptor owned by this File from here on.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// A release version as numbers for ordering ("23.2.1" < "24.0"; a
/// pre-release suffix counts as its numeric prefix).
fn version_key(v: &str) -> Vec<u64> {
    let mut key: Vec<u64> = v
        .split('.')
        .map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0))
        .collect();
    while key.last() == Some(&0) {
        key.pop();
    }
    key
}

fn norm_name(s: &str) -> String {
    s.to_ascii_lowercase().replace(['-', '.'], "_")
}

/// Versions of `dist` with a dist-info in `site` (relative to the root).
fn installed_versions(root: &Beneath, site: &Path, dist: &str) -> Vec<String> {
    let Ok(names) = root.list(site) else { return Vec::new() };
    names
        .into_iter()
        .filter_map(|n| {
            let name = n.to_string_lossy().into_owned();
            let (d, v) = name.strip_suffix(".dist-info")?.rsplit_once('-')?;
            (norm_name(d) == norm_name(dist)).then(|| v.to_string())
        })
        .collect()
}

/// The path field of one RECORD line (a CSV row: the first field, quoted
/// when it holds a comma or a quote, `""` standing for `"`).
fn record_path(line: &[u8]) -> Vec<u8> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.first() != Some(&b'"') {
        return line.split(|&b| b == b',').next().unwrap_or(b"").to_vec();
    }
    let mut out = Vec::new();
    let mut i = 1;
    while i < line.len() {
        match line[i] {
            b'"' if line.get(i + 1) == Some(&b'"') => {
                out.push(b'"');
                i += 2;
            }
            b'"' => break,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Where a RECORD path (relative to site-packages, or absolute) lies in the
/// env: the normalised path relative to the env root, or why it is refused.
/// Lexical only; links on the way are refused when the path is used.
pub(crate) fn record_target(env_dir: &Path, site: &Path, entry: &[u8]) -> std::result::Result<PathBuf, &'static str> {
    use std::os::unix::ffi::OsStrExt;
    if entry.contains(&0) {
        return Err("it contains a NUL byte");
    }
    if std::str::from_utf8(entry).is_err() {
        return Err("it is not valid UTF-8");
    }
    let rel: Vec<u8> = if entry.starts_with(b"/") {
        // pip permits an absolute path inside the env's prefix, as an env-relative one.
        let full = super::paths::normpath(entry);
        let env = env_dir.as_os_str().as_bytes();
        match full.strip_prefix(env).and_then(|r| r.strip_prefix(b"/")) {
            Some(r) if !r.is_empty() => r.to_vec(),
            _ => return Err("it is outside the environment"),
        }
    } else {
        let mut joined = site.as_os_str().as_bytes().to_vec();
        joined.push(b'/');
        joined.extend_from_slice(entry);
        super::paths::normpath(&joined)
    };
    if rel == b"." || rel == b".." || rel.starts_with(b"../") || rel.starts_with(b"/") {
        return Err("it leads out of the environment");
    }
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(&rel)))
}

/// Removes an installed `dist` of another version: the files its RECORD lists,
/// then its dist-info. As pip's uninstall, an entry that would leave the env
/// (absolute elsewhere, `..` past the root, through a symbolic link, not
/// UTF-8) is skipped and reported through `warn`, and the rest proceeds;
/// links are removed, never followed.
fn remove_other_versions(root: &Beneath, site: &Path, dist: &str, warn: &dyn Fn(String)) -> Result<()> {
    let Ok(names) = root.list(site) else { return Ok(()) };
    let env_dir = root.shown(Path::new(""));
    for n in names {
        let name = n.to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".dist-info") else { continue };
        let Some((d, _)) = stem.rsplit_once('-') else { continue };
        if norm_name(d) != norm_name(dist) {
            continue;
        }
        let di = site.join(&n);
        let record_rel = di.join("RECORD");
        let record = match root.read(&record_rel) {
            Ok(r) => r,
            Err(e) if e.kind == crate::error::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                warn(format!("not reading {}: {}", root.shown(&record_rel).display(), e.message));
                Vec::new()
            }
        };
        // Skipped entries, reported together: a linked directory can hide hundreds.
        let mut skipped: Vec<String> = Vec::new();
        for line in record.split(|&b| b == b'\n') {
            let entry = record_path(line);
            if entry.is_empty() {
                continue;
            }
            let shown_entry = String::from_utf8_lossy(&entry).into_owned();
            match record_target(&env_dir, site, &entry) {
                Ok(rel) => match root.unlink(&rel) {
                    Ok(()) => {}
                    // Gone already, or a directory (RECORD lists files): as pip, go on.
                    Err(e) if e.kind != crate::error::ErrorKind::Value => {}
                    Err(e) => {
                        let why = if e.message.contains("symbolic link") { "through a symbolic link" } else { "refused" };
                        skipped.push(format!("{shown_entry:?} ({why})"));
                    }
                },
                Err(why) => skipped.push(format!("{shown_entry:?} ({why})")),
            }
        }
        if !skipped.is_empty() {
            const SHOWN: usize = 20;
            let more = skipped.len().saturating_sub(SHOWN);
            skipped.truncate(SHOWN);
            warn(format!(
                "not removing {} entr{} listed in {} that would leave the environment: {}{}",
                skipped.len() + more,
                if skipped.len() + more == 1 { "y" } else { "ies" },
                root.shown(&record_rel).display(),
                skipped.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ));
        }
        root.remove_all(&di)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_script_names() {
        let eps = console_scripts("[console_scripts]\npip = pip._internal.cli.main:main\npip3 = x:y\npip3.11 = x:y\n");
        let names: Vec<String> = scripts_to_generate(&eps, 12).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["pip", "pip3", "pip3.12"]);
    }

    #[test]
    fn versions_order() {
        assert!(version_key("23.2.1") < version_key("24.0"));
        assert!(version_key("24.0") == version_key("24"));
        assert!(version_key("9.0.3") < version_key("10.0"));
    }

    #[test]
    fn record_entries_outside_the_env_are_refused() {
        let env = Path::new("/e/env");
        let site = Path::new("lib/python3.12/site-packages");
        let ok = |entry: &[u8]| record_target(env, site, entry).map(|p| p.display().to_string());
        assert_eq!(ok(b"pip/__init__.py").as_deref(), Ok("lib/python3.12/site-packages/pip/__init__.py"));
        assert_eq!(ok(b"../../../bin/pip").as_deref(), Ok("bin/pip"));
        assert_eq!(ok(b"/e/env/bin/pip3").as_deref(), Ok("bin/pip3"));
        assert_eq!(ok(b"/e/env/../env/bin/x").as_deref(), Ok("bin/x"));
        for bad in [
            &b"../../../../x"[..],
            b"../../../../env2/x",
            b"/etc/passwd",
            b"/e/env",
            b"/e/envx/y",
            b"/e/env/../other/x",
            b"a\xff/b",
            b"a\0b",
            b"../../..",
        ] {
            assert!(record_target(env, site, bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(record_path(b"\"a,b\"\"c\",sha256=x,1\r"), b"a,b\"c");
        assert_eq!(record_path(b"pip/x.py,sha256=x,1"), b"pip/x.py");
    }

    #[test]
    fn script_writer_rewrites_shebang_in_any_chunking() {
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
                let mut w = ScriptWriter {
                    out: Vec::new(),
                    sha: Some(super::super::wheel::Sha256::default()),
                    shebang: Some(sb.clone()),
                    head: Vec::new(),
                    skipping: false,
                    written: 0,
                };
                for c in input.chunks(step) {
                    w.write_all(c).unwrap();
                }
                w.finish().unwrap();
                assert_eq!(w.out, want, "{:?} in steps of {step}", String::from_utf8_lossy(input));
                assert_eq!(w.written, want.len() as u64);
                assert_eq!(w.sha.take().unwrap().finish(), super::super::wheel::sha256(&want));
            }
        }
    }

    #[test]
    fn shebangs() {
        assert_eq!(shebang("/e/bin/python3"), "#!/e/bin/python3\n");
        assert!(shebang("/a b/bin/python3").starts_with("#!/bin/sh\n'''exec' \"/a b/bin/python3\" \"$0\" \"$@\"\n"));
    }
}
