//! Temporary names: the one way venv code names what it builds beside its
//! final place (a staging environment, a file being replaced, a wheel tree
//! being unpacked, a cache entry being written), and the one sweep that
//! removes what a killed process left.
//!
//! A name is `.<stem>.pepkit-<pid>-<n><nanos>`: hidden, beside `<stem>`,
//! unique among the temporary names this process makes (threads included),
//! and carrying the pid of its maker so a later process can tell leftovers of
//! a dead one from work under way.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::paths::{pid_alive, unique_suffix};

const MARK: &[u8] = b".pepkit-";

/// A fresh temporary name for something that will become `stem`.
pub(crate) fn temp_name(stem: &OsStr) -> OsString {
    let mut s = OsString::from(".");
    s.push(stem);
    s.push(OsStr::from_bytes(MARK));
    s.push(unique_suffix());
    s
}

/// The pid in `name` if it is a temporary name of `stem`.
fn temp_pid(name: &[u8], stem: &[u8]) -> Option<i32> {
    let rest = name.strip_prefix(b".")?.strip_prefix(stem)?.strip_prefix(MARK)?;
    std::str::from_utf8(rest).ok()?.split('-').next()?.parse().ok()
}

/// Removes, with `remove`, every temporary name of one of `stems` in `dir`
/// whose process no longer runs. Errors only mean nothing is swept.
pub(crate) fn sweep(dir: &Path, stems: &[&OsStr], remove: impl Fn(&OsStr)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = stems.iter().find_map(|stem| temp_pid(name.as_bytes(), stem.as_bytes()));
        if pid.is_some_and(|pid| !pid_alive(pid)) {
            remove(&name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_stem_and_pid() {
        let n = temp_name(OsStr::new("env"));
        let pid = std::process::id() as i32;
        assert!(n.as_bytes().starts_with(b".env.pepkit-"), "{n:?}");
        assert_eq!(temp_pid(n.as_bytes(), b"env"), Some(pid));
        assert_eq!(temp_pid(n.as_bytes(), b"en"), None);
        assert_eq!(temp_pid(b".env.pepkit-x", b"env"), None);
        assert_ne!(temp_name(OsStr::new("env")), n);
    }
}
