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

use super::tree::Plan;
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

/// Installs every wheel ensurepip would install into the env being built at `root`.
pub fn install_bundled(root: &Path, plan: &Plan) -> Result<()> {
    if plan.facts.wheels.is_empty() {
        return Err(Error::not_found(format!(
            "{} has no bundled pip wheel (ensurepip is missing; on Debian install python3-pip-whl)",
            Path::new(&plan.facts.executable).display()
        )));
    }
    let env_exe = plan.env_dir.join(&plan.bin_rel).join(&plan.exe_name);
    let exe = env_exe.to_str().ok_or_else(|| Error::value("the env path is not UTF-8"))?.to_string();
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
        install_wheel(root, plan, Path::new(wheel), &exe, requested)?;
    }
    Ok(())
}

/// Installs one wheel into the env at `root` (purelib/platlib into
/// site-packages, scripts into bin), writing RECORD, INSTALLER and
/// (if `requested`) REQUESTED. An installed copy of the same version is kept;
/// another version is removed first (files from its RECORD, never outside the env).
pub fn install_wheel(root: &Path, plan: &Plan, wheel: &Path, exe: &str, requested: bool) -> Result<()> {
    let file_name = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (dist, version) = name_version(file_name)
        .ok_or_else(|| Error::value(format!("{} is not a wheel file name", wheel.display())))?;
    let data = std::fs::read(wheel).map_err(|e| io(e, format!("reading {}", wheel.display())))?;
    let what = wheel.display().to_string();
    let archive = Archive::new(&data, &what)?;
    let site = root.join(&plan.lib_rel);
    let bin = root.join(&plan.bin_rel);
    let dist_info = format!("{dist}-{version}.dist-info");
    let data_dir = format!("{dist}-{version}.data/");

    if site.join(&dist_info).is_dir() {
        return Ok(());
    }
    remove_other_versions(root, &site, &dist)?;

    let mut record: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let up = up_from(&plan.lib_rel);
    let mut entry_points = String::new();
    for m in archive.members.iter().filter(|m| !m.is_dir()) {
        let bytes = archive.read(m)?;
        let (dest, record_path, executable) = if let Some(rest) = m.name.strip_prefix(&data_dir) {
            let (kind, sub) = rest.split_once('/').unwrap_or((rest, ""));
            let sub = safe_rel(sub)?;
            match kind {
                "purelib" | "platlib" => (site.join(&sub), sub.display().to_string(), false),
                "scripts" => {
                    let name = sub.display().to_string();
                    (bin.join(&sub), format!("{up}{}/{name}", plan.bin_rel.display()), true)
                }
                "data" => (root.join(&sub), format!("{up}{}", sub.display()), false),
                other => return Err(Error::not_implemented(format!("{what}: .data/{other} is not supported"))),
            }
        } else {
            let rel = safe_rel(&m.name)?;
            if m.name == format!("{dist_info}/RECORD") {
                continue;
            }
            if m.name == format!("{dist_info}/entry_points.txt") {
                entry_points = String::from_utf8_lossy(&bytes).into_owned();
            }
            (site.join(&rel), m.name.clone(), m.unix_mode.is_some_and(|mode| mode & 0o111 != 0))
        };
        let bytes = if executable && bytes.starts_with(b"#!python") {
            let rest = bytes.splitn(2, |&b| b == b'\n').nth(1).unwrap_or(&[]);
            let mut v = shebang(exe).into_bytes();
            v.extend_from_slice(rest);
            v
        } else {
            bytes
        };
        write(&dest, &bytes, executable)?;
        record.insert(record_path, (record_hash(&bytes), bytes.len()));
    }
    for (name, spec) in scripts_to_generate(&console_scripts(&entry_points), plan.facts.minor) {
        let text = console_script(exe, &spec)?;
        let rel = safe_rel(&name)?;
        write(&bin.join(&rel), text.as_bytes(), true)?;
        record.insert(format!("{up}{}/{name}", plan.bin_rel.display()), (record_hash(text.as_bytes()), text.len()));
    }
    let di = site.join(&dist_info);
    write(&di.join("INSTALLER"), b"pip\n", false)?;
    record.insert(format!("{dist_info}/INSTALLER"), (record_hash(b"pip\n"), 4));
    if requested {
        write(&di.join("REQUESTED"), b"", false)?;
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
    write(&di.join("RECORD"), text.as_bytes(), false)
}

fn write(path: &Path, data: &[u8], executable: bool) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(e, format!("creating {}", parent.display())))?;
    }
    // Replace, never write through, whatever is there (a link could point outside).
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::remove_file(path).map_err(|e| io(e, format!("replacing {}", path.display())))?;
    }
    std::fs::write(path, data).map_err(|e| io(e, format!("writing {}", path.display())))?;
    if executable {
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode((mode | 0o555) & 0o7777))
            .map_err(|e| io(e, format!("chmod {}", path.display())))?;
    }
    Ok(())
}

/// Removes an installed `dist` of another version: the files its RECORD lists
/// (only those inside the env; links are removed, not followed), then its
/// dist-info.
fn remove_other_versions(root: &Path, site: &Path, dist: &str) -> Result<()> {
    let Ok(rd) = std::fs::read_dir(site) else { return Ok(()) };
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".dist-info") else { continue };
        let Some((d, _)) = stem.rsplit_once('-') else { continue };
        if norm(d) != norm(dist) {
            continue;
        }
        let record = std::fs::read_to_string(e.path().join("RECORD")).unwrap_or_default();
        for line in record.lines() {
            let path = line.split(',').next().unwrap_or("");
            if path.is_empty() {
                continue;
            }
            let joined = site.join(path);
            let full = super::paths::normpath(joined.as_os_str().as_encoded_bytes());
            let full = PathBuf::from(String::from_utf8_lossy(&full).into_owned());
            if full.starts_with(root) && full != root {
                let _ = std::fs::remove_file(&full);
            }
        }
        let _ = std::fs::remove_dir_all(e.path());
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
    fn shebangs() {
        assert_eq!(shebang("/e/bin/python3"), "#!/e/bin/python3\n");
        assert!(shebang("/a b/bin/python3").starts_with("#!/bin/sh\n'''exec' \"/a b/bin/python3\" \"$0\" \"$@\"\n"));
    }
}
