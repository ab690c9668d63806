//! The only way venv code changes anything inside an environment (or inside
//! the staging directory it is built in): a handle on the root directory and
//! operations on paths *relative* to it, each resolved beneath the root
//! without following any symbolic link on the way.
//!
//! Why: an environment is input. A `site-packages/evil -> /outside` link plus a
//! RECORD line `evil/victim` must not delete `/outside/victim`; a `bin -> /etc`
//! link must not make pepkit write scripts into `/etc`. Checking the path text
//! cannot see links, and checking the file system before acting races with
//! whoever changes it; resolving relative to an open directory, refusing every
//! link, is both exact and race-free.
//!
//! Resolution uses Linux `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
//! RESOLVE_NO_MAGICLINKS)` where the kernel has it (probed once at run time;
//! ENOSYS or a seccomp EPERM selects the fallback), else a walk from the root
//! descriptor, one `openat(O_NOFOLLOW | O_DIRECTORY)` per component. Relative
//! paths with `..`, absolute paths, empty paths and NUL bytes are refused
//! before any system call. The *last* component is never followed either:
//! `unlink` removes a link, `write` replaces a link with a file, `mkdir`
//! refuses a link where a directory should be.
//!
//! `PEPKIT_BENEATH_WALK=1` in the environment forces the fallback walk (the
//! hostile-input suite runs its cases both ways).

use std::ffi::{CStr, CString, OsStr, OsString};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, ErrorKind, Result};

use super::tempname::temp_name;

/// What a written file's permission bits become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An existing regular file's bits are kept; a new file gets 0666 & ~umask
    /// (Python's `open(..., 'w')`).
    Keep,
    /// 0666 & ~umask, whatever was there.
    Umask,
    /// 0666 & ~umask plus every execute bit pip adds to scripts (| 0555).
    UmaskExec,
    /// Exactly these bits.
    Exact(u32),
}

/// The kind of an entry, from `lstat` (links are never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// What `lstat` says about an entry.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub kind: Kind,
    /// Permission bits (`st_mode & 0o7777`).
    #[allow(dead_code, reason = "read by the tests below")]
    pub mode: u32,
}

fn stat_of(st: &libc::stat) -> Stat {
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => Kind::File,
        libc::S_IFDIR => Kind::Dir,
        libc::S_IFLNK => Kind::Symlink,
        _ => Kind::Other,
    };
    Stat { kind, mode: st.st_mode & 0o7777 }
}

/// A handle on a directory that venv code may change things beneath.
#[derive(Debug)]
pub struct Beneath {
    fd: OwnedFd,
    /// The path shown in messages for the root (the final env path, also for
    /// a staging directory, so messages name what the user asked for).
    shown: PathBuf,
    /// Resolve by walking component by component instead of `openat2`.
    walk: bool,
}

/// 0 = not probed, 1 = openat2 works, 2 = walk.
static RESOLVER: AtomicU8 = AtomicU8::new(0);

fn use_walk() -> bool {
    match RESOLVER.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let walk = std::env::var_os("PEPKIT_BENEATH_WALK").is_some_and(|v| v == "1") || !openat2_works();
            RESOLVER.store(if walk { 2 } else { 1 }, Ordering::Relaxed);
            walk
        }
    }
}

#[cfg(target_os = "linux")]
fn openat2_works() -> bool {
    // Relative: RESOLVE_BENEATH refuses an absolute path (EXDEV) even where it works.
    match openat2(libc::AT_FDCWD, c".", libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) {
        Ok(_) => true,
        Err(e) => !matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM) | Some(libc::EINVAL)),
    }
}

#[cfg(not(target_os = "linux"))]
fn openat2_works() -> bool {
    false
}

/// `openat2(dirfd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`.
#[cfg(target_os = "linux")]
fn openat2(dirfd: RawFd, path: &CStr, flags: libc::c_int) -> std::io::Result<OwnedFd> {
    // SAFETY: open_how is a plain C struct of integers; all-zero is its valid default.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;
    for _ in 0..8 {
        // SAFETY: path is NUL-terminated, `how` is a valid open_how whose size is
        // passed with it, and the kernel only reads both.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dirfd,
                path.as_ptr(),
                &how as *const libc::open_how,
                std::mem::size_of::<libc::open_how>(),
            )
        };
        if rc >= 0 {
            // SAFETY: the kernel returned a fresh descriptor that nothing else owns.
            return Ok(unsafe { OwnedFd::from_raw_fd(rc as RawFd) });
        }
        let e = std::io::Error::last_os_error();
        // EAGAIN: a concurrent rename raced the lookup; the kernel asks for a retry.
        if e.raw_os_error() != Some(libc::EAGAIN) {
            return Err(e);
        }
    }
    Err(std::io::Error::from_raw_os_error(libc::EAGAIN))
}

#[cfg(not(target_os = "linux"))]
fn openat2(_dirfd: RawFd, _path: &CStr, _flags: libc::c_int) -> std::io::Result<OwnedFd> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

/// `openat(dirfd, name, flags | O_CLOEXEC, mode)`.
pub(crate) fn openat(dirfd: RawFd, name: &CStr, flags: libc::c_int, mode: libc::c_uint) -> std::io::Result<OwnedFd> {
    // SAFETY: name is NUL-terminated and outlives the call; dirfd is an open
    // descriptor (or AT_FDCWD); openat only reads them.
    let fd = unsafe { libc::openat(dirfd, name.as_ptr(), flags | libc::O_CLOEXEC, mode) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW)`: `lstat` relative to a directory.
pub(crate) fn lstat_at(dirfd: RawFd, name: &CStr) -> std::io::Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: name is NUL-terminated, st is writable and sized for the call.
    let rc = unsafe { libc::fstatat(dirfd, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(st)
}

/// `fstat(fd)`.
pub(crate) fn fstat(fd: RawFd) -> std::io::Result<libc::stat> {
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fd is open and st writable.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(st)
}

fn cvt(rc: libc::c_int) -> std::io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Creates the file `name` (which must not exist yet; a link there is not
/// followed) in the directory `dir` refers to, exclusively, with `mode` &
/// ~umask, open for writing.
pub(crate) fn create_in(dir: &OwnedFd, name: &OsStr, mode: libc::c_uint) -> std::io::Result<std::fs::File> {
    let c = CString::new(name.as_bytes()).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    let fd = openat(dir.as_raw_fd(), &c, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW, mode)?;
    Ok(std::fs::File::from(fd))
}

fn cstr(s: &OsStr) -> Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| Error::value(format!("refusing the path {:?}: it contains a NUL byte", s)))
}

/// The normal components of `rel`, or why it may not be used beneath a root.
fn components(rel: &Path) -> std::result::Result<Vec<&OsStr>, &'static str> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => return Err("it has a '..' component"),
            Component::RootDir | Component::Prefix(_) => return Err("it is absolute"),
        }
    }
    if rel.as_os_str().as_bytes().contains(&0) {
        return Err("it contains a NUL byte");
    }
    Ok(out)
}

/// A removal of one tree entry by [`Beneath::remove_all`] that failed.
fn rm_err(e: std::io::Error, shown: &Path) -> Error {
    Error::io(&e, format!("removing {}", shown.display()))
}

impl Beneath {
    /// Opens `dir` as a root. `dir` itself may be reached through links in its
    /// ancestors (the caller chose it), but not be a link itself.
    pub fn open(dir: &Path, shown: &Path) -> Result<Beneath> {
        let c = cstr(dir.as_os_str())?;
        let fd = openat(libc::AT_FDCWD, &c, libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW, 0).map_err(|e| {
            if matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR))
                && std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink())
            {
                Error::value(format!(
                    "{} is a symbolic link; pepkit does not follow links where an environment must be",
                    shown.display()
                ))
            } else {
                Error::io(&e, format!("opening {}", shown.display()))
            }
        })?;
        Ok(Beneath { fd, shown: shown.to_path_buf(), walk: use_walk() })
    }

    /// Forces the fallback walk (tests of both resolvers in one process).
    #[cfg(test)]
    pub fn with_walk(mut self, walk: bool) -> Beneath {
        self.walk = walk;
        self
    }

    /// The path shown for `rel` in messages.
    pub fn shown(&self, rel: &Path) -> PathBuf {
        if rel.as_os_str().is_empty() {
            self.shown.clone()
        } else {
            self.shown.join(rel)
        }
    }

    /// Why `rel` cannot be used: a Value error naming it.
    fn refuse(&self, rel: &Path, why: &str) -> Error {
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if plain {
            Error::value(format!("refusing {}: {why}; pepkit never leaves the environment", self.shown(rel).display()))
        } else {
            // Joined, an absolute or '..' path would hide what was asked for.
            Error::value(format!(
                "refusing the path {:?} in {}: {why}; pepkit never leaves the environment",
                rel,
                self.shown.display()
            ))
        }
    }

    /// The error for a resolution that failed with `e` at `rel`.
    fn resolve_err(&self, e: std::io::Error, rel: &Path, what: &str) -> Error {
        match e.raw_os_error() {
            Some(libc::ELOOP) => self.refuse(rel, "a component of the path is a symbolic link"),
            Some(libc::EXDEV) => self.refuse(rel, "the path leads out of the environment"),
            _ => Error::io(&e, format!("{what} {}", self.shown(rel).display())),
        }
    }

    /// An `O_PATH` descriptor of the directory `comps` names beneath the root
    /// (None: the root itself), every component a real directory.
    fn dir_of(&self, comps: &[&OsStr], rel: &Path, what: &str) -> Result<Option<OwnedFd>> {
        if comps.is_empty() {
            return Ok(None);
        }
        let flags = libc::O_PATH | libc::O_DIRECTORY;
        if !self.walk {
            let joined: PathBuf = comps.iter().collect();
            let c = cstr(joined.as_os_str())?;
            return openat2(self.fd.as_raw_fd(), &c, flags | libc::O_CLOEXEC)
                .map(Some)
                .map_err(|e| self.resolve_err(e, rel, what));
        }
        let mut cur: Option<OwnedFd> = None;
        for (i, comp) in comps.iter().enumerate() {
            let c = cstr(comp)?;
            let at = cur.as_ref().map_or(self.fd.as_raw_fd(), |f| f.as_raw_fd());
            let next = match openat(at, &c, flags | libc::O_NOFOLLOW, 0) {
                Ok(fd) => fd,
                Err(e) => {
                    // With O_PATH|O_NOFOLLOW a link fails O_DIRECTORY as ENOTDIR: tell the two apart.
                    let is_link = lstat_at(at, &c).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK);
                    let e = if is_link { std::io::Error::from_raw_os_error(libc::ELOOP) } else { e };
                    let upto: PathBuf = comps[..=i].iter().collect();
                    return Err(self.resolve_err(e, if is_link { &upto } else { rel }, what));
                }
            };
            // Belt and braces: what was opened must be a directory.
            if fstat(next.as_raw_fd()).map(|st| st.st_mode & libc::S_IFMT != libc::S_IFDIR).unwrap_or(true) {
                return Err(Error::os(format!("{what} {}: Not a directory", self.shown(rel).display())));
            }
            cur = Some(next);
        }
        Ok(cur)
    }

    /// The parent directory's descriptor (None: the root) and the last
    /// component of `rel`, which must have at least one.
    fn parent(&self, rel: &Path, what: &str) -> Result<(Option<OwnedFd>, CString)> {
        let comps = components(rel).map_err(|why| self.refuse(rel, why))?;
        let Some((last, dirs)) = comps.split_last() else {
            return Err(self.refuse(rel, "it names the environment itself"));
        };
        let dir = self.dir_of(dirs, rel, what)?;
        Ok((dir, cstr(last)?))
    }

    fn raw(&self, dir: &Option<OwnedFd>) -> RawFd {
        dir.as_ref().map_or(self.fd.as_raw_fd(), |f| f.as_raw_fd())
    }

    /// A handle on the directory `rel` beneath this root (itself for an empty path).
    pub fn subdir(&self, rel: &Path) -> Result<Beneath> {
        let comps = components(rel).map_err(|why| self.refuse(rel, why))?;
        let fd = match self.dir_of(&comps, rel, "opening")? {
            Some(fd) => fd,
            None => self.fd.try_clone().map_err(|e| Error::io(&e, format!("opening {}", self.shown.display())))?,
        };
        Ok(Beneath { fd, shown: self.shown(rel), walk: self.walk })
    }

    /// `lstat` of `rel` (the root itself for an empty path); None when there
    /// is nothing there. A link or non-directory on the way is an error.
    pub fn lstat(&self, rel: &Path) -> Result<Option<Stat>> {
        let comps = components(rel).map_err(|why| self.refuse(rel, why))?;
        let Some((last, dirs)) = comps.split_last() else {
            return fstat(self.fd.as_raw_fd())
                .map(|st| Some(stat_of(&st)))
                .map_err(|e| Error::io(&e, format!("checking {}", self.shown.display())));
        };
        let dir = match self.dir_of(dirs, rel, "checking") {
            Ok(d) => d,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match lstat_at(self.raw(&dir), &cstr(last)?) {
            Ok(st) => Ok(Some(stat_of(&st))),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(Error::io(&e, format!("checking {}", self.shown(rel).display()))),
        }
    }

    /// True when `rel` exists following a final link (`os.path.exists`); the
    /// components before it are still never followed. Only reads metadata.
    pub fn exists_following(&self, rel: &Path) -> bool {
        let Ok((dir, name)) = self.parent(rel, "checking") else { return false };
        // SAFETY: an all-zero stat is a valid value to be overwritten.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: a valid descriptor, a NUL-terminated name and a writable stat.
        unsafe { libc::fstatat(self.raw(&dir), name.as_ptr(), &mut st, 0) == 0 }
    }

    /// Makes the directory `rel` (mode 0777 & ~umask); Ok(false) when a real
    /// directory is already there; an error for a link or anything else.
    pub fn mkdir(&self, rel: &Path) -> Result<bool> {
        let (dir, name) = self.parent(rel, "creating")?;
        // SAFETY: a valid descriptor and a NUL-terminated name.
        match cvt(unsafe { libc::mkdirat(self.raw(&dir), name.as_ptr(), 0o777) }) {
            Ok(()) => Ok(true),
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => match lstat_at(self.raw(&dir), &name) {
                Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFDIR => Ok(false),
                Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFLNK => {
                    Err(self.refuse(rel, "a symbolic link is where a directory must be"))
                }
                _ => Err(Error::exists(format!("creating {}: a file is in the way", self.shown(rel).display()))),
            },
            Err(e) => Err(self.resolve_err(e, rel, "creating")),
        }
    }

    /// `mkdir -p` beneath the root: every missing component is made; a link
    /// or a file on the way is an error.
    pub fn mkdir_all(&self, rel: &Path) -> Result<()> {
        let comps = components(rel).map_err(|why| self.refuse(rel, why))?;
        let mut cur = PathBuf::new();
        for c in comps {
            cur.push(c);
            self.mkdir(&cur)?;
        }
        Ok(())
    }

    /// Creates the file `rel`, which must not exist (never through a link),
    /// for writing, with 0666 & ~umask.
    #[cfg(test)]
    pub fn create(&self, rel: &Path) -> Result<std::fs::File> {
        let (dir, name) = self.parent(rel, "writing")?;
        let fd = openat(self.raw(&dir), &name, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW, 0o666)
            .map_err(|e| self.resolve_err(e, rel, "writing"))?;
        Ok(std::fs::File::from(fd))
    }

    /// Opens the regular file `rel` for reading (a link there is refused).
    pub fn open_read(&self, rel: &Path) -> Result<std::fs::File> {
        let (dir, name) = self.parent(rel, "reading")?;
        let fd = openat(self.raw(&dir), &name, libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK, 0)
            .map_err(|e| self.resolve_err(e, rel, "reading"))?;
        let f = std::fs::File::from(fd);
        let meta = f.metadata().map_err(|e| Error::io(&e, format!("reading {}", self.shown(rel).display())))?;
        if !meta.is_file() {
            return Err(self.refuse(rel, "it is not a regular file"));
        }
        Ok(f)
    }

    /// Reads the regular file `rel` whole (a link there is refused).
    pub fn read(&self, rel: &Path) -> Result<Vec<u8>> {
        let mut f = self.open_read(rel)?;
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut out = Vec::new();
        out.try_reserve(usize::try_from(len).unwrap_or(usize::MAX))
            .map_err(|_| Error::no_memory(format!("reading {}: the file is too large", self.shown(rel).display())))?;
        f.read_to_end(&mut out).map_err(|e| Error::io(&e, format!("reading {}", self.shown(rel).display())))?;
        Ok(out)
    }

    /// Writes `rel` whole and atomically: a new file beside it, filled, then
    /// renamed over it. Whatever was at `rel` (a link included) is replaced,
    /// never written through.
    pub fn write(&self, rel: &Path, data: &[u8], mode: Mode) -> Result<()> {
        self.replace_with(rel, mode, |f| f.write_all(data))
    }

    /// Copies the file `src` (outside the root; read only, links followed as
    /// the caller named it) to `rel`, atomically, with `mode`.
    pub fn copy_in(&self, src: &Path, rel: &Path, mode: Mode) -> Result<()> {
        let mut from = std::fs::File::open(src).map_err(|e| Error::io(&e, format!("reading {}", src.display())))?;
        self.copy_from(&mut from, rel, mode)
    }

    /// Copies what `from` reads to `rel`, atomically, with `mode`.
    pub fn copy_from(&self, from: &mut std::fs::File, rel: &Path, mode: Mode) -> Result<()> {
        self.replace_with(rel, mode, |f| std::io::copy(from, f).map(|_| ()))
    }

    fn replace_with(&self, rel: &Path, mode: Mode, fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<()> {
        let (dir, name) = self.parent(rel, "writing")?;
        let at = self.raw(&dir);
        let existing = match mode {
            Mode::Keep => lstat_at(at, &name)
                .ok()
                .filter(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG)
                .map(|st| st.st_mode & 0o7777),
            _ => None,
        };
        let shown = self.shown(rel);
        let tmp = cstr(&temp_name(OsStr::from_bytes(name.as_bytes())))?;
        let fd = openat(at, &tmp, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW, 0o666)
            .map_err(|e| self.resolve_err(e, rel, "writing"))?;
        let mut f = std::fs::File::from(fd);
        let result = (|| -> std::io::Result<()> {
            fill(&mut f)?;
            let bits = match mode {
                Mode::Exact(m) => Some(m),
                Mode::Keep => existing,
                Mode::Umask => None,
                Mode::UmaskExec => Some((fstat(f.as_raw_fd())?.st_mode | 0o555) & 0o7777),
            };
            if let Some(m) = bits {
                // SAFETY: f's descriptor is open for the duration of the call.
                cvt(unsafe { libc::fchmod(f.as_raw_fd(), m as libc::mode_t) })?;
            }
            drop(f);
            // SAFETY: both names are NUL-terminated and relative to the same open directory.
            cvt(unsafe { libc::renameat(at, tmp.as_ptr(), at, name.as_ptr()) })
        })();
        if let Err(e) = result {
            // SAFETY: a NUL-terminated name relative to an open directory.
            unsafe { libc::unlinkat(at, tmp.as_ptr(), 0) };
            return Err(Error::io(&e, format!("writing {}", shown.display())));
        }
        Ok(())
    }

    /// Removes the file or link `rel` (a link is removed, never followed).
    pub fn unlink(&self, rel: &Path) -> Result<()> {
        let (dir, name) = self.parent(rel, "removing")?;
        // SAFETY: a valid descriptor and a NUL-terminated name.
        cvt(unsafe { libc::unlinkat(self.raw(&dir), name.as_ptr(), 0) }).map_err(|e| self.resolve_err(e, rel, "removing"))
    }

    /// Removes `rel` and, if it is a real directory, everything in it; links
    /// anywhere in it are removed, never followed. Nothing there is fine.
    pub fn remove_all(&self, rel: &Path) -> Result<()> {
        let (dir, name) = self.parent(rel, "removing")?;
        remove_entry(self.raw(&dir), &name, &self.shown(rel))
    }

    /// Removes everything in the root, leaving the root itself.
    pub fn clear(&self) -> Result<()> {
        let fd = openat(self.fd.as_raw_fd(), c".", libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .map_err(|e| Error::io(&e, format!("reading {}", self.shown.display())))?;
        remove_contents(fd, &self.shown)
    }

    /// The names in the directory `rel` (empty path: the root), unsorted.
    pub fn list(&self, rel: &Path) -> Result<Vec<OsString>> {
        let comps = components(rel).map_err(|why| self.refuse(rel, why))?;
        let dir = self.dir_of(&comps, rel, "reading")?;
        let fd = openat(self.raw(&dir), c".", libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .map_err(|e| Error::io(&e, format!("reading {}", self.shown(rel).display())))?;
        read_names(fd).map_err(|e| Error::io(&e, format!("reading {}", self.shown(rel).display())))
    }

    /// Renames `from` to `to`, both beneath the root (the last components are
    /// moved, not followed).
    pub fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        let (fd1, n1) = self.parent(from, "renaming")?;
        let (fd2, n2) = self.parent(to, "renaming")?;
        // SAFETY: valid descriptors and NUL-terminated names.
        cvt(unsafe { libc::renameat(self.raw(&fd1), n1.as_ptr(), self.raw(&fd2), n2.as_ptr()) })
            .map_err(|e| self.resolve_err(e, from, "renaming"))
    }

    /// Makes the link `rel` -> `target` (the target text is stored as given).
    pub fn symlink(&self, target: &Path, rel: &Path) -> Result<()> {
        let (dir, name) = self.parent(rel, "linking")?;
        let t = cstr(target.as_os_str())?;
        // SAFETY: NUL-terminated strings and a valid descriptor.
        cvt(unsafe { libc::symlinkat(t.as_ptr(), self.raw(&dir), name.as_ptr()) })
            .map_err(|e| self.resolve_err(e, rel, "linking"))
    }

    /// The target of the link `rel`.
    pub fn readlink(&self, rel: &Path) -> Result<PathBuf> {
        let (dir, name) = self.parent(rel, "reading")?;
        let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
        // SAFETY: buf is writable for its whole length, which is passed.
        let n = unsafe { libc::readlinkat(self.raw(&dir), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(self.resolve_err(std::io::Error::last_os_error(), rel, "reading"));
        }
        buf.truncate(n as usize);
        Ok(PathBuf::from(OsString::from_vec(buf)))
    }

    /// Sets the root directory's own permission bits (through its descriptor,
    /// so a link swapped in for its path is not followed).
    pub fn chmod_root(&self, mode: u32) -> Result<()> {
        let fd = openat(self.fd.as_raw_fd(), c".", libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .map_err(|e| Error::io(&e, format!("setting the mode of {}", self.shown.display())))?;
        // SAFETY: fd is open for the duration of the call.
        cvt(unsafe { libc::fchmod(fd.as_raw_fd(), mode as libc::mode_t) })
            .map_err(|e| Error::io(&e, format!("setting the mode of {}", self.shown.display())))
    }

    /// The root's descriptor, for `*at` calls on names directly in it (a
    /// handle from [`Beneath::subdir`] is as trustworthy as the root).
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }
}

/// The names in an open directory (not "." or ".."). Consumes `fd`.
fn read_names(fd: OwnedFd) -> std::io::Result<Vec<OsString>> {
    use std::os::fd::IntoRawFd;
    let raw = fd.into_raw_fd();
    // SAFETY: raw is an open directory descriptor whose ownership passes to the DIR.
    let d = unsafe { libc::fdopendir(raw) };
    if d.is_null() {
        let e = std::io::Error::last_os_error();
        // SAFETY: fdopendir failed, so raw is still ours to close.
        unsafe { libc::close(raw) };
        return Err(e);
    }
    let mut names = Vec::new();
    loop {
        // SAFETY: d is a valid DIR until closedir below; errno is cleared to
        // tell the end of the directory from an error.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: as above.
        let ent = unsafe { libc::readdir(d) };
        if ent.is_null() {
            let e = std::io::Error::last_os_error();
            // SAFETY: d is valid and closed exactly once.
            unsafe { libc::closedir(d) };
            if e.raw_os_error().unwrap_or(0) != 0 {
                return Err(e);
            }
            return Ok(names);
        }
        // SAFETY: d_name of a returned entry is a NUL-terminated string valid until the next readdir.
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) }.to_bytes();
        if name != b"." && name != b".." {
            names.push(OsString::from_vec(name.to_vec()));
        }
    }
}

/// Removes the entry `name` in the directory `at`: a file or link by unlink,
/// a directory with all it holds (opened with O_NOFOLLOW, so a link swapped
/// in meanwhile is not entered). Missing is fine.
fn remove_entry(at: RawFd, name: &CStr, shown: &Path) -> Result<()> {
    // SAFETY: a valid descriptor and a NUL-terminated name.
    match cvt(unsafe { libc::unlinkat(at, name.as_ptr(), 0) }) {
        Ok(()) => return Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EISDIR) | Some(libc::EPERM)) => {}
        Err(e) => return Err(rm_err(e, shown)),
    }
    let fd = match openat(at, name, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW, 0) {
        Ok(fd) => fd,
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
        Err(e) => return Err(rm_err(e, shown)),
    };
    remove_contents(fd, shown)?;
    // SAFETY: a valid descriptor and a NUL-terminated name.
    match cvt(unsafe { libc::unlinkat(at, name.as_ptr(), libc::AT_REMOVEDIR) }) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        Err(e) => Err(rm_err(e, shown)),
    }
}

/// Removes everything in the open directory `fd`.
fn remove_contents(fd: OwnedFd, shown: &Path) -> Result<()> {
    let dup = fd.try_clone().map_err(|e| rm_err(e, shown))?;
    let names = read_names(dup).map_err(|e| Error::io(&e, format!("reading {}", shown.display())))?;
    for n in names {
        let c = CString::new(n.as_bytes())
            .map_err(|_| Error::value(format!("a directory entry of {} contains NUL", shown.display())))?;
        remove_entry(fd.as_raw_fd(), &c, &shown.join(&n))?;
    }
    Ok(())
}

/// Removes the tree at `path` (a path the caller chose; its ancestors may be
/// links) without following any link inside it; the path itself, if a link,
/// is removed as a link. Nothing there is fine.
pub fn remove_tree(path: &Path) -> Result<()> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(Error::value(format!("refusing to remove {}", path.display())));
    };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let c = cstr(parent.as_os_str())?;
    let fd = openat(libc::AT_FDCWD, &c, libc::O_PATH | libc::O_DIRECTORY, 0)
        .map_err(|e| Error::io(&e, format!("removing {}", path.display())))?;
    remove_entry(fd.as_raw_fd(), &cstr(name)?, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    struct Tmp(PathBuf);
    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    fn tmp(tag: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("pepkit-beneath-{tag}-{}", super::super::paths::unique_suffix()));
        std::fs::create_dir_all(&p).unwrap();
        Tmp(p)
    }

    /// root/{a/b/f, link -> outside, a/ln -> outside, file}, outside/{victim, d/}
    fn setup(t: &Path) -> (PathBuf, PathBuf) {
        let root = t.join("root");
        let outside = t.join("outside");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(outside.join("d")).unwrap();
        std::fs::write(outside.join("victim"), b"v").unwrap();
        std::fs::write(outside.join("d/victim"), b"v").unwrap();
        std::fs::write(root.join("a/b/f"), b"f").unwrap();
        std::fs::write(root.join("file"), b"x").unwrap();
        symlink(&outside, root.join("link")).unwrap();
        symlink(&outside, root.join("a/ln")).unwrap();
        symlink(outside.join("victim"), root.join("a/flink")).unwrap();
        (root, outside)
    }

    fn each_resolver(tag: &str, f: impl Fn(&Beneath, &Path, &Path)) {
        for walk in [false, true] {
            let t = tmp(&format!("{tag}-{walk}"));
            let (root, outside) = setup(&t.0);
            let b = Beneath::open(&root, Path::new("/env")).unwrap().with_walk(walk);
            f(&b, &root, &outside);
            assert_eq!(std::fs::read(outside.join("victim")).unwrap(), b"v", "walk={walk}");
            assert_eq!(std::fs::read(outside.join("d/victim")).unwrap(), b"v", "walk={walk}");
            assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 2, "walk={walk}: something appeared outside");
        }
    }

    #[test]
    fn hostile_paths_are_refused() {
        each_resolver("refuse", |b, _root, outside| {
            for p in ["link/victim", "a/ln/victim", "link/d/victim", "a/ln/d/victim", "../outside/victim", "a/../../x"] {
                let e = b.unlink(Path::new(p)).unwrap_err();
                assert_eq!(e.kind, ErrorKind::Value, "{p}: {e}");
                assert!(e.message.contains("/env") && e.message.contains("never leaves"), "{e}");
                assert!(b.write(Path::new(p), b"evil", Mode::Umask).is_err(), "{p}");
                assert!(b.mkdir_all(Path::new(p)).is_err(), "{p}");
                assert!(b.remove_all(Path::new(p)).is_err(), "{p}");
                assert!(b.symlink(Path::new("x"), Path::new(p)).is_err(), "{p}");
                assert!(b.create(Path::new(p)).is_err(), "{p}");
            }
            let abs = outside.join("victim");
            assert!(b.unlink(&abs).is_err());
            assert!(b.write(Path::new("a/flink"), b"new", Mode::Keep).is_ok(), "a link is replaced, not followed");
            assert!(b.read(Path::new("link")).is_err());
            assert!(b.subdir(Path::new("link")).is_err());
            assert!(b.lstat(Path::new("link/victim")).is_err());
            assert_eq!(b.lstat(Path::new("link")).unwrap().unwrap().kind, Kind::Symlink);
        });
    }

    #[test]
    fn ordinary_operations_work() {
        each_resolver("ok", |b, root, _| {
            b.mkdir_all(Path::new("x/y/z")).unwrap();
            b.write(Path::new("x/y/z/f"), b"data", Mode::Exact(0o640)).unwrap();
            assert_eq!(std::fs::read(root.join("x/y/z/f")).unwrap(), b"data");
            assert_eq!(b.lstat(Path::new("x/y/z/f")).unwrap().unwrap().mode, 0o640);
            b.write(Path::new("x/y/z/f"), b"more", Mode::Keep).unwrap();
            assert_eq!(b.lstat(Path::new("x/y/z/f")).unwrap().unwrap().mode, 0o640);
            b.symlink(Path::new("f"), Path::new("x/y/z/l")).unwrap();
            assert_eq!(b.readlink(Path::new("x/y/z/l")).unwrap(), Path::new("f"));
            b.rename(Path::new("x/y/z/f"), Path::new("x/g")).unwrap();
            assert_eq!(b.read(Path::new("x/g")).unwrap(), b"more");
            let mut names = b.list(Path::new("x")).unwrap();
            names.sort();
            assert_eq!(names, [OsString::from("g"), OsString::from("y")]);
            assert!(b.mkdir(Path::new("x")).is_ok_and(|made| !made));
            assert!(b.mkdir(Path::new("link")).is_err());
            b.remove_all(Path::new("x")).unwrap();
            assert!(b.lstat(Path::new("x")).unwrap().is_none());
            // Removing a tree with links in it removes the links only.
            b.remove_all(Path::new("a")).unwrap();
            b.unlink(Path::new("link")).unwrap();
            b.clear().unwrap();
            assert_eq!(std::fs::read_dir(root).unwrap().count(), 0);
        });
    }

    #[test]
    fn a_link_as_root_is_refused() {
        let t = tmp("rootlink");
        let (root, _) = setup(&t.0);
        let e = Beneath::open(&root.join("link"), Path::new("/env")).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{e}");
        remove_tree(&root.join("link")).unwrap();
        assert!(t.0.join("outside/victim").exists());
    }
}
