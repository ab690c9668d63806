//! What is installed in an environment's site-packages: the versions of a
//! distribution, and removing one as pip's uninstall does, from its RECORD,
//! never leaving the environment.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{ErrorKind, Result};

use super::beneath::Beneath;
use super::paths::normpath;

/// A release version as numbers for ordering ("23.2.1" < "24.0"; a
/// pre-release suffix counts as its numeric prefix).
pub(crate) fn version_key(v: &str) -> Vec<u64> {
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
pub(crate) fn installed_versions(root: &Beneath, site: &Path, dist: &str) -> Vec<String> {
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
fn record_target(env_dir: &Path, site: &Path, entry: &[u8]) -> std::result::Result<PathBuf, &'static str> {
    if entry.contains(&0) {
        return Err("it contains a NUL byte");
    }
    if std::str::from_utf8(entry).is_err() {
        return Err("it is not valid UTF-8");
    }
    let rel: Vec<u8> = if entry.starts_with(b"/") {
        // pip permits an absolute path inside the env's prefix, as an env-relative one.
        let full = normpath(entry);
        let env = env_dir.as_os_str().as_bytes();
        match full.strip_prefix(env).and_then(|r| r.strip_prefix(b"/")) {
            Some(r) if !r.is_empty() => r.to_vec(),
            _ => return Err("it is outside the environment"),
        }
    } else {
        let mut joined = site.as_os_str().as_bytes().to_vec();
        joined.push(b'/');
        joined.extend_from_slice(entry);
        normpath(&joined)
    };
    if rel == b"." || rel == b".." || rel.starts_with(b"../") || rel.starts_with(b"/") {
        return Err("it leads out of the environment");
    }
    Ok(PathBuf::from(OsStr::from_bytes(&rel)))
}

/// Removes an installed `dist` of another version: the files its RECORD lists,
/// then its dist-info. As pip's uninstall, an entry that would leave the env
/// (absolute elsewhere, `..` past the root, through a symbolic link, not
/// UTF-8) is skipped and reported through `warn`, and the rest proceeds;
/// links are removed, never followed. The dist-info named `keep` (the one
/// being installed) is left alone.
pub(crate) fn remove_other_versions(root: &Beneath, site: &Path, dist: &str, keep: &str, warn: &dyn Fn(String)) -> Result<()> {
    let Ok(names) = root.list(site) else { return Ok(()) };
    for n in names {
        let name = n.to_string_lossy().into_owned();
        if name == keep {
            continue;
        }
        let Some(stem) = name.strip_suffix(".dist-info") else { continue };
        let Some((d, _)) = stem.rsplit_once('-') else { continue };
        if norm_name(d) == norm_name(dist) {
            remove_installed(root, site, &site.join(&n), warn)?;
        }
    }
    Ok(())
}

/// Removes what the dist-info `di` (relative to the root) records, then `di`.
fn remove_installed(root: &Beneath, site: &Path, di: &Path, warn: &dyn Fn(String)) -> Result<()> {
    let env_dir = root.shown(Path::new(""));
    let record_rel = di.join("RECORD");
    let record = match root.read(&record_rel) {
        Ok(r) => r,
        Err(e) if e.kind == ErrorKind::NotFound => Vec::new(),
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
                Err(e) if e.kind != ErrorKind::Value => {}
                Err(e) => {
                    let why = if e.message.contains("symbolic link") { "through a symbolic link" } else { "refused" };
                    skipped.push(format!("{shown_entry:?} ({why})"));
                }
            },
            Err(why) => skipped.push(format!("{shown_entry:?} ({why})")),
        }
    }
    if !skipped.is_empty() {
        warn(skipped_message(skipped, &root.shown(&record_rel)));
    }
    root.remove_all(di)
}

/// The warning for RECORD entries of `record` not removed (the first 20 named).
fn skipped_message(mut skipped: Vec<String>, record: &Path) -> String {
    const SHOWN: usize = 20;
    let total = skipped.len();
    skipped.truncate(SHOWN);
    let more = total - skipped.len();
    format!(
        "not removing {total} entr{} listed in {} that would leave the environment: {}{}",
        if total == 1 { "y" } else { "ies" },
        record.display(),
        skipped.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
