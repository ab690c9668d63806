//! Path and string helpers that reproduce Python's `posixpath.abspath`,
//! `shlex.quote` and `repr(str)` byte for byte.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// `posixpath.normpath`: lexical, keeps exactly two leading slashes.
pub fn normpath(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let initial = if path.starts_with(b"//") && !path.starts_with(b"///") {
        2
    } else if path.starts_with(b"/") {
        1
    } else {
        0
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for comp in path.split(|&b| b == b'/') {
        if comp.is_empty() || comp == b"." {
            continue;
        }
        if comp != b".." || (initial == 0 && parts.is_empty()) || parts.last() == Some(&&b".."[..]) {
            parts.push(comp);
        } else if !parts.is_empty() {
            parts.pop();
        }
    }
    let mut out = vec![b'/'; initial];
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// `os.path.abspath`: joined to the current directory, then normalized.
pub fn abspath(path: &Path) -> PathBuf {
    if path.as_os_str().as_bytes().starts_with(b"/") {
        abspath_in(None, path)
    } else {
        abspath_in(std::env::current_dir().ok().as_deref(), path)
    }
}

/// `os.path.abspath` against a current directory read beforehand (`None`
/// when it could not be read: `/` stands in): lexical, no I/O.
pub fn abspath_in(cwd: Option<&Path>, path: &Path) -> PathBuf {
    let bytes = path.as_os_str().as_bytes();
    let joined = if bytes.starts_with(b"/") {
        bytes.to_vec()
    } else {
        let mut v = cwd.unwrap_or(Path::new("/")).as_os_str().as_bytes().to_vec();
        if !v.ends_with(b"/") {
            v.push(b'/');
        }
        v.extend_from_slice(bytes);
        v
    };
    PathBuf::from(OsString::from_vec(normpath(&joined)))
}

/// The first executable regular file called `name` on PATH.
pub fn which(name: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/local/bin:/usr/bin:/bin"));
    for dir in path.as_bytes().split(|&b| b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let candidate = abspath(&Path::new(OsStr::from_bytes(dir)).join(name));
        if let Ok(meta) = std::fs::metadata(&candidate) {
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Some(candidate);
            }
        }
    }
    None
}

/// `<pid>-<n>`, unique among the temporary names this process makes (threads
/// included); the pid comes first so stale ones can be told from live ones.
pub fn unique_suffix() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}-{n}{nanos:08x}", std::process::id())
}

/// Whether a process with this id exists (EPERM counts as existing).
pub fn pid_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for the process.
    unsafe { libc::kill(pid, 0) == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM) }
}

/// `shlex.quote` (ASCII word characters and `@%+=:,./-` need no quoting).
pub fn shlex_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    let safe = s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

/// PowerShell single quoting, as CPython's fixed `venv` does for `.ps1`.
pub fn ps1_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Whether `str.isprintable()` holds for `c`; exact for ASCII and Latin-1 and
/// for the common invisible characters beyond.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || (0x7f..0xa1).contains(&u) || u == 0xad {
        return false;
    }
    if u < 0x100 {
        return true;
    }
    !matches!(u,
        0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f | 0x3000
        | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xfeff | 0xfff0..=0xfffb | 0xfffe | 0xffff
        | 0xe0000..=0xe0fff | 0xf0000..=0x10ffff)
        && (u & 0xfffe) != 0xfffe
}

/// True when every CPython 3.6+ agrees on whether `c` is printable, so
/// [`py_repr`] is exact for it: ASCII, Latin-1 and the characters listed in
/// `is_printable`; others depend on the interpreter's Unicode version.
pub fn repr_is_certain(c: char) -> bool {
    let u = c as u32;
    u < 0x100 || !is_printable(c) && !(0xe0000..=0x10ffff).contains(&u) || (0x4e00..=0x9fa5).contains(&u)
        || (0x0370..=0x03ff).contains(&u) && !matches!(u, 0x0378 | 0x0379 | 0x0380..=0x0383 | 0x038b | 0x038d | 0x03a2)
}

/// `repr(s)` for a Python `str`.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        for (i, o) in [
            ("/a/b/../c", "/a/c"),
            ("//a", "//a"),
            ("///a", "/a"),
            ("a/./b/", "a/b"),
            ("../x", "../x"),
            ("/..", "/"),
            ("", "."),
        ] {
            assert_eq!(normpath(i.as_bytes()), o.as_bytes(), "{i}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(shlex_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shlex_quote("x'y"), "'x'\"'\"'y'");
        assert_eq!(shlex_quote("/ok/path-1.2"), "/ok/path-1.2");
        assert_eq!(py_repr("it's mine"), "\"it's mine\"");
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("tab\there\u{7f}é"), "'tab\\there\\x7fé'");
    }
}
