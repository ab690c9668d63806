//! pepkit's cache of unpacked wheels, whose files are hard-linked into new
//! environments (as uv does), treated as input.
//!
//! A tree lives in `<cache>/wheels/<wheel file>-<crc32>-<len>/` with a
//! manifest, `.pepkit-manifest`, written by pepkit when it unpacked the tree
//! (in a staging directory renamed into place whole). For every member the
//! manifest records its size and SHA-256 (computed from the bytes as they were
//! written) and the identity of the file that holds them: device, inode and
//! modification time in nanoseconds.
//!
//! Before use, every directory of the tree must be a real directory (not a
//! symlink) owned by the user. A cached file is linked only if the link that lands in the env is a
//! regular file (lstat, not a symlink) owned by the user whose (device,
//! inode, size, mtime) are the manifest's, and whose manifest hash and size
//! are what the wheel's own RECORD says. The check is made on the new link
//! itself, after `linkat`, so what it approves is exactly the inode the env
//! got, whatever happened to the cache's paths in between. Anything else
//! (a symlink, a swapped directory, an edited, truncated or replaced file, a
//! manifest that is not ours or does not parse) unlinks that link, writes the
//! member from the wheel instead, and marks the tree stale; a stale tree is
//! removed and unpacked again.
//!
//! Why (dev, ino, size, mtime) and not a hash on every use: rewriting a file
//! in place changes its mtime, replacing it changes its inode, and hashing
//! the ~500 files of pip on every env would cost more than making the env.
//! ctime would also catch an mtime put back with `utimensat`, but it cannot
//! be used: every hard link made into an env (or removed with one) changes
//! the file's ctime. Putting an mtime back needs write access to the file,
//! which only its owner (the user, whose files these are anyway) or root has:
//! the cache directories are 0700 and must be the user's, so no other user
//! can reach the files, and the owner who can could as well edit the manifest.

use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::beneath::{create_in, fstat};
use super::cache::{self, Dir};
use super::tempname::{sweep, temp_name};
use super::wheel::{record_digest, Archive, MemberWriter};
use crate::error::{Error, Result};

const MANIFEST: &str = ".pepkit-manifest";
const MANIFEST_FORMAT: &str = "pepkit-wheel-cache 1";
/// The stem of the temporary names of trees being discarded.
const STALE: &str = "stale";

/// One cached member, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub size: u64,
    /// RECORD's form: `sha256=<urlsafe b64>`.
    pub hash: String,
    dev: u64,
    ino: u64,
    mtime_ns: i128,
}

/// An unpacked wheel in the cache, its manifest read and checked.
pub struct Tree {
    dir: Dir,
    name: String,
    wheels: Dir,
    pub entries: HashMap<String, Entry>,
    stale: AtomicBool,
}

fn mtime_ns(st: &libc::stat) -> i128 {
    i128::from(st.st_mtime) * 1_000_000_000 + i128::from(st.st_mtime_nsec)
}

/// The member names a wheel has as files (the ones a tree holds).
fn files<'a>(archive: &'a Archive<'_>) -> impl Iterator<Item = &'a super::wheel::Member> {
    archive.members.iter().filter(|m| !m.is_dir())
}

/// A member name that stays inside the tree: relative, no `.`/`..`/empty
/// part, no NUL, no newline or tab (the manifest's separators).
fn safe_member(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains(['\0', '\n', '\t'])
        && name.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
        && !name.starts_with(".pepkit")
}

impl Tree {
    /// The tree for `wheel` (whose bytes are `data`), unpacked now if it is
    /// missing or fails its checks; None when there is no usable cache (then
    /// the caller writes every member from the wheel).
    pub fn open(wheel: &Path, data: &[u8], archive: &Archive<'_>) -> Result<Option<Tree>> {
        let Some(wheels) = cache::open("wheels") else { return Ok(None) };
        let file = wheel.file_name().and_then(|n| n.to_str()).unwrap_or("wheel");
        if !safe_member(file) || file.contains('/') {
            return Ok(None);
        }
        let name = format!("{file}-{:08x}-{}", super::wheel::crc32(data), data.len());
        if let Some(tree) = Tree::load(&wheels, &name, archive) {
            return Ok(Some(tree));
        }
        // Missing, or not what pepkit wrote: unpack again.
        sweep(&wheels.path, &[OsStr::new(file), OsStr::new(STALE)], |stale| {
            if let Some(n) = stale.to_str() {
                wheels.remove_tree(n);
            }
        });
        Tree::discard(&wheels, &name);
        let staging = temp_name(OsStr::new(file)).to_string_lossy().into_owned();
        match unpack(&wheels, &staging, archive) {
            // Another process may have cached it first (the rename fails): theirs is used if good.
            Ok(()) if wheels.rename(&staging, &name) => {}
            result => {
                wheels.remove_tree(&staging);
                // A wheel that cannot be read is the caller's error; a cache
                // that cannot be written only costs speed.
                if let Err(e) = result {
                    return if e.kind == crate::error::ErrorKind::Os { Ok(None) } else { Err(e) };
                }
            }
        }
        Ok(Tree::load(&wheels, &name, archive))
    }

    /// Reads and checks the manifest of the tree `name`.
    fn load(wheels: &Dir, name: &str, archive: &Archive<'_>) -> Option<Tree> {
        let dir = wheels.child(name, false)?;
        // A line is ~100 bytes plus the name (at most 64 KiB in a zip).
        let max = 4096 + archive.members.iter().map(|m| 128 + m.name.len() as u64).sum::<u64>();
        let text = String::from_utf8(dir.read_file(MANIFEST, max)?).ok()?;
        let mut lines = text.lines();
        if lines.next()? != MANIFEST_FORMAT {
            return None;
        }
        let mut entries = HashMap::new();
        for line in lines {
            let mut f = line.splitn(6, '\t');
            let (size, hash, dev, ino, mtime, member) = (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
            let entry = Entry {
                size: size.parse().ok()?,
                hash: hash.to_string(),
                dev: dev.parse().ok()?,
                ino: ino.parse().ok()?,
                mtime_ns: mtime.parse().ok()?,
            };
            if !hash.starts_with("sha256=") || !safe_member(member) || entries.insert(member.to_string(), entry).is_some() {
                return None;
            }
        }
        // Exactly the wheel's files, with the sizes its directory declares.
        let mut count = 0;
        for m in files(archive) {
            count += 1;
            if entries.get(&m.name).map(|e| e.size) != Some(m.size) {
                return None;
            }
        }
        if count != entries.len() {
            return None;
        }
        // Every directory of the tree is a real directory of ours, none a
        // symlink (checking each prefix on its own covers every component):
        // a few dozen lstats, so a tampered tree is unpacked again up front.
        let mut dirs: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for name in entries.keys() {
            let mut rest = name.as_str();
            while let Some((parent, _)) = rest.rsplit_once('/') {
                if !dirs.insert(parent) {
                    break;
                }
                rest = parent;
            }
        }
        for d in dirs {
            let st = cache::stat_at(dir.fd(), Path::new(d))?;
            if st.st_mode & libc::S_IFMT != libc::S_IFDIR || st.st_uid != cache::current_uid() {
                return None;
            }
        }
        Some(Tree { dir, name: name.to_string(), wheels: wheels.try_clone()?, entries, stale: AtomicBool::new(false) })
    }

    /// Hard-links the cached `member` as `name` in the directory `dest`, and
    /// keeps the link only if it is the very file the manifest recorded and
    /// that file's hash is `want` (the wheel's RECORD). True when linked; on
    /// false nothing was left at `name` and the tree is marked stale (unless
    /// the file system merely refused hard links).
    pub fn link(&self, member: &str, want: &(String, usize), dest: &OwnedFd, name: &std::ffi::OsStr) -> bool {
        let Some(entry) = self.entries.get(member) else { return false };
        if entry.hash != want.0 || entry.size != want.1 as u64 {
            self.stale.store(true, Ordering::Relaxed);
            return false;
        }
        let (Ok(src), Ok(dst)) = (CString::new(member), CString::new(name.as_bytes())) else { return false };
        // SAFETY: open directory descriptors and NUL-terminated names. Without
        // AT_SYMLINK_FOLLOW a symlink would be linked as itself: the check
        // below refuses it.
        if unsafe { libc::linkat(self.dir.fd().as_raw_fd(), src.as_ptr(), dest.as_raw_fd(), dst.as_ptr(), 0) } != 0 {
            return false;
        }
        // st_dev/st_ino are u64 here but not on every libc target.
        #[allow(clippy::unnecessary_cast)]
        let ok = cache::stat_at(dest, Path::new(name)).is_some_and(|st| {
            st.st_mode & libc::S_IFMT == libc::S_IFREG
                && st.st_uid == cache::current_uid()
                && st.st_dev as u64 == entry.dev
                && st.st_ino as u64 == entry.ino
                && st.st_size as u64 == entry.size
                && mtime_ns(&st) == entry.mtime_ns
        });
        if !ok {
            // SAFETY: as above; removes only the link just made.
            unsafe { libc::unlinkat(dest.as_raw_fd(), dst.as_ptr(), 0) };
            self.stale.store(true, Ordering::Relaxed);
        }
        ok
    }

    /// If any link was refused, removes this tree and unpacks it again, so
    /// the next env links verified files.
    pub fn heal(self, wheel: &Path, data: &[u8], archive: &Archive<'_>) {
        if self.stale.load(Ordering::Relaxed) {
            Tree::discard(&self.wheels, &self.name);
            drop(self);
            let _ = Tree::open(wheel, data, archive);
        }
    }

    /// Moves the tree `name` aside (so no one links from it) and removes it.
    fn discard(wheels: &Dir, name: &str) {
        let aside = temp_name(OsStr::new(STALE)).to_string_lossy().into_owned();
        if wheels.rename(name, &aside) {
            wheels.remove_tree(&aside);
        }
    }
}

/// Unpacks every file of `archive` into the new directory `staging` of
/// `wheels`, streaming each member, then writes the manifest.
fn unpack(wheels: &Dir, staging: &str, archive: &Archive<'_>) -> Result<()> {
    let os = |what: String| Error::os(format!("wheel cache: {what}"));
    let root = wheels.child(staging, true).ok_or_else(|| os(format!("cannot create {}", wheels.path.join(staging).display())))?;
    let mut manifest = String::from(MANIFEST_FORMAT);
    manifest.push('\n');
    let mut dirs: HashMap<String, Dir> = HashMap::new();
    for m in files(archive) {
        if !safe_member(&m.name) {
            // Not a name the manifest can hold (or one that would leave the
            // tree): no cache for this wheel; the installer, writing members
            // itself, decides about the name and says why if it refuses it.
            return Err(os(format!("{:?} cannot be cached", m.name)));
        }
        let (parent, leaf) = m.name.rsplit_once('/').unwrap_or(("", &m.name));
        if !parent.is_empty() && !dirs.contains_key(parent) {
            let mut cur: Option<Dir> = None;
            let mut path = String::new();
            for part in parent.split('/') {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(part);
                let next = match dirs.get(&path) {
                    Some(d) => d.try_clone(),
                    None => cur.as_ref().unwrap_or(&root).child(part, true),
                }
                .ok_or_else(|| os(format!("cannot create {}", root.path.join(&path).display())))?;
                if !dirs.contains_key(&path) {
                    dirs.insert(path.clone(), next.try_clone().ok_or_else(|| os(path.clone()))?);
                }
                cur = Some(next);
            }
        }
        let dir = if parent.is_empty() { &root } else { dirs.get(parent).ok_or_else(|| os(parent.to_string()))? };
        let shown = root.path.join(&m.name);
        let exec = m.unix_mode.is_some_and(|mode| mode & 0o111 != 0);
        let file = create_in(dir.fd(), OsStr::new(leaf), if exec { 0o777 } else { 0o666 })
            .map_err(|e| os(format!("creating {}: {e}", shown.display())))?;
        let mut sink = MemberWriter::new(std::io::BufWriter::with_capacity(64 * 1024, &file), &shown, true, None);
        archive.copy_to(m, &mut sink)?;
        let (sha, size) = sink.finish().map_err(|e| os(format!("writing {}: {e}", shown.display())))?;
        let st = fstat(file.as_raw_fd()).map_err(|e| os(format!("{}: {e}", shown.display())))?;
        manifest.push_str(&format!(
            "{size}\t{}\t{}\t{}\t{}\t{}\n",
            record_digest(&sha.unwrap_or_default()),
            st.st_dev,
            st.st_ino,
            mtime_ns(&st),
            m.name
        ));
    }
    if !root.write_file(MANIFEST, manifest.as_bytes()) {
        return Err(os(format!("cannot write {}", root.path.join(MANIFEST).display())));
    }
    Ok(())
}
