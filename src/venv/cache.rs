//! pepkit's on-disk cache directory, treated as input: anything in it may
//! have been left by another user (a shared or badly set-up `$XDG_CACHE_HOME`)
//! or edited since pepkit wrote it.
//!
//! - Directories are created 0700. An existing one is used only if it is a
//!   real directory (never a symlink) owned by the current user; if it is
//!   group- or world-writable it is tightened to 0700 first (safe: it is ours,
//!   and every entry in it is checked on its own below).
//! - Files are read only if they are regular files (never through a symlink),
//!   owned by the current user, not group- or world-writable, and not larger
//!   than the caller's bound.
//! - Files are written atomically: a fresh `O_EXCL | O_NOFOLLOW` temp file
//!   renamed over the name, so a reader sees the old entry or the new one.
//!
//! Every operation is relative to an open directory descriptor reached by an
//! `O_NOFOLLOW` walk from the cache's parent, so a directory swapped for a
//! symlink after the checks is never followed. Failures make the cache
//! unusable (`None`/`false`), never an error: a cache is an optimisation.

use std::ffi::{CString, OsStr};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::beneath;
use super::tempname::temp_name;

/// An open, checked directory of the cache.
pub struct Dir {
    fd: OwnedFd,
    /// Its path, for messages and for the few path-based calls.
    pub path: PathBuf,
}

fn euid() -> libc::uid_t {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn fstat(fd: &OwnedFd) -> Option<libc::stat> {
    beneath::fstat(fd.as_raw_fd()).ok()
}

fn openat(dir: &OwnedFd, name: &CString, flags: libc::c_int, mode: libc::c_uint) -> Option<OwnedFd> {
    beneath::openat(dir.as_raw_fd(), name, flags, mode).ok()
}

/// A single path component (no `/`, not `.` or `..`, no NUL) as a C string.
fn component(name: &str) -> Option<CString> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return None;
    }
    CString::new(name).ok()
}

/// Where the cache lives: `$XDG_CACHE_HOME/pepkit` or `~/.cache/pepkit`.
pub fn base_path() -> Option<PathBuf> {
    super::facts::cache_dir()
}

/// Opens (creating it if need be) the cache subdirectory `sub` (one
/// component, e.g. `interpreters`), checked as the module says.
pub fn open(sub: &str) -> Option<Dir> {
    let base = base_path()?;
    let parent = base.parent()?;
    let leaf = base.file_name()?.to_str()?;
    // The directory holding the cache (`~/.cache`) is the user's own choice
    // of place: it is made if missing and followed if a link.
    std::fs::create_dir_all(parent).ok()?;
    let c = CString::new(parent.as_os_str().as_bytes()).ok()?;
    let fd = beneath::openat(libc::AT_FDCWD, &c, libc::O_RDONLY | libc::O_DIRECTORY, 0).ok()?;
    let top = Dir { fd, path: parent.to_path_buf() };
    top.child(leaf, true)?.child(sub, true)
}

impl Dir {
    /// The descriptor, for `*at` calls.
    pub fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// A second handle on the same checked directory.
    pub fn try_clone(&self) -> Option<Dir> {
        Some(Dir { fd: self.fd.try_clone().ok()?, path: self.path.clone() })
    }

    /// The directory `name` in this one (made 0700 first if `create`), if it
    /// passes the checks.
    pub fn child(&self, name: &str, create: bool) -> Option<Dir> {
        let c = component(name)?;
        if create {
            // SAFETY: an open directory descriptor and a NUL-terminated name.
            unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o700) };
        }
        let fd = openat(&self.fd, &c, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW, 0)?;
        let st = fstat(&fd)?;
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR || st.st_uid != euid() {
            return None;
        }
        if st.st_mode & 0o077 != 0 {
            // SAFETY: fd is an open descriptor of a directory we own.
            if unsafe { libc::fchmod(fd.as_raw_fd(), 0o700) } != 0 {
                return None;
            }
        }
        Some(Dir { fd, path: self.path.join(name) })
    }

    /// The contents of the regular file `name`, if it passes the checks and
    /// holds at most `max` bytes.
    pub fn read_file(&self, name: &str, max: u64) -> Option<Vec<u8>> {
        let c = component(name)?;
        let fd = openat(&self.fd, &c, libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK, 0)?;
        let st = fstat(&fd)?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG
            || st.st_uid != euid()
            || st.st_mode & 0o022 != 0
            || st.st_size as u64 > max
        {
            return None;
        }
        let mut out = Vec::new();
        out.try_reserve_exact(st.st_size as usize).ok()?;
        std::fs::File::from(fd).take(max + 1).read_to_end(&mut out).ok()?;
        (out.len() as u64 <= max).then_some(out)
    }

    /// Replaces `name` with `data` atomically (temp file + rename); false if
    /// that could not be done (the old entry, if any, is then left as it was).
    pub fn write_file(&self, name: &str, data: &[u8]) -> bool {
        let Some(c) = component(name) else { return false };
        let Ok(tmp) = CString::new(temp_name(OsStr::new(name)).into_vec()) else { return false };
        let Some(fd) = openat(
            &self.fd,
            &tmp,
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
            0o600,
        ) else {
            return false;
        };
        let mut f = std::fs::File::from(fd);
        let ok = f.write_all(data).is_ok() && self.rename_c(&tmp, &c);
        if !ok {
            // SAFETY: an open directory descriptor and a NUL-terminated name
            // that outlive the call; removes only our own temp file.
            unsafe { libc::unlinkat(self.fd.as_raw_fd(), tmp.as_ptr(), 0) };
        }
        ok
    }

    /// Renames the entry `from` of this directory to `to` (both single
    /// components); false if it could not.
    pub fn rename(&self, from: &str, to: &str) -> bool {
        let (Some(a), Some(b)) = (component(from), component(to)) else { return false };
        self.rename_c(&a, &b)
    }

    fn rename_c(&self, from: &CString, to: &CString) -> bool {
        // SAFETY: an open directory descriptor and NUL-terminated names that
        // outlive the call; renameat only reads them.
        unsafe { libc::renameat(self.fd.as_raw_fd(), from.as_ptr(), self.fd.as_raw_fd(), to.as_ptr()) == 0 }
    }

    /// Removes the entry `name` of this directory and, if it is a real
    /// directory, everything in it (links are removed, never followed).
    pub fn remove_tree(&self, name: &str) {
        if component(name).is_some() {
            // std's remove_dir_all does not follow symlinks (it works by
            // descriptors since Rust 1.58); the path is ours, under a checked dir.
            let p = self.path.join(name);
            if std::fs::remove_dir_all(&p).is_err() {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// lstat-like `fstatat(dir, rel, AT_SYMLINK_NOFOLLOW)`.
pub fn stat_at(dir: &OwnedFd, rel: &Path) -> Option<libc::stat> {
    let c = CString::new(rel.as_os_str().as_bytes()).ok()?;
    beneath::lstat_at(dir.as_raw_fd(), &c).ok()
}

/// The current user's id (cache entries must be owned by it).
pub fn current_uid() -> libc::uid_t {
    euid()
}
