//! Staging and commit: where an environment is built, and how it takes its
//! place.
//!
//! [`Staging::begin`] looks at what is at the environment's path and picks
//! where to build: a fresh hidden directory beside it (named by
//! [`temp_name`], after a [`sweep`] of what killed creators left) for a new
//! environment, an empty directory or one being cleared; the directory itself
//! for an existing environment updated without `clear`, as CPython does, and
//! as the fallback when nothing can be made beside it (a parent pepkit may
//! not write). Every write goes through [`Staging::root`].
//!
//! [`Staging::commit`] moves a staged tree into place: a rename onto a
//! missing or empty path, an atomic exchange with an environment being
//! cleared (two renames where the kernel cannot exchange), and if someone
//! else filled the path meanwhile, theirs stands. Until then, dropping the
//! staging removes everything it made (the staging directory and any missing
//! parents it created). After the commit, [`Committed::undo`] removes a new
//! environment again when a later step fails.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::beneath::{remove_tree, Beneath};
use super::paths::py_repr;
use super::plan::Plan;
use super::tempname::{sweep, temp_name};
use super::{say, Options, Progress};

/// What is at the environment's path when creation starts.
enum Found {
    /// Nothing.
    Missing,
    /// An empty directory, with its permission bits.
    Empty(u32),
    /// A directory to clear (to be replaced whole), with its permission bits.
    Cleared(u32),
    /// A non-empty directory, not to be cleared: updated in place.
    Existing,
}

impl Found {
    /// Looks at `dir` and refuses what may not be built over: a file or link
    /// where the directory must be, or (for `clear`) a non-empty directory
    /// that is not a venv, unless forced.
    fn at(dir: &Path, opts: &Options) -> Result<Found> {
        let shown = dir.display().to_string();
        let meta = match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
            Err(e) => return Err(Error::io(&e, format!("checking {shown}"))),
            Ok(m) => m,
        };
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(Error::value(format!("Unable to create directory {}", py_repr(&shown))));
        }
        let mode = meta.permissions().mode() & 0o7777;
        let empty = std::fs::read_dir(dir).map_err(|e| Error::io(&e, format!("reading {shown}")))?.next().is_none();
        if opts.clear {
            if !empty && !is_venv_dir(dir) && !opts.force {
                return Err(Error::exists(format!(
                    "refusing to clear {shown}: it is not empty and is not a virtual environment \
                     (it has no pyvenv.cfg); use force to clear it anyway"
                )));
            }
            return Ok(Found::Cleared(mode));
        }
        Ok(if empty { Found::Empty(mode) } else { Found::Existing })
    }
}

/// What undoing a committed environment puts back: it was new.
#[derive(Debug, Clone, Copy)]
enum Before {
    /// Nothing was there.
    Nothing,
    /// An empty directory with these permission bits was there.
    EmptyDir(u32),
}

/// A staging directory beside the final path, removed on drop (with the
/// parents made for it) unless disarmed by a commit.
struct Beside {
    staging: PathBuf,
    /// Missing ancestors of the final path made for it, outermost first.
    made: Vec<PathBuf>,
    armed: bool,
}

impl Drop for Beside {
    fn drop(&mut self) {
        if self.armed {
            let _ = remove_tree(&self.staging);
            remove_made(&self.made);
        }
    }
}

/// Where an environment is being built; see the module.
pub(crate) struct Staging<'p> {
    plan: &'p Plan,
    root: Beneath,
    /// None: building in the final directory itself.
    beside: Option<Beside>,
    before: Option<Before>,
}

impl<'p> Staging<'p> {
    /// Chooses where `plan`'s environment is built and prepares it (see the module).
    pub(crate) fn begin(plan: &'p Plan) -> Result<Staging<'p>> {
        match Found::at(plan.env_dir(), plan.options())? {
            Found::Existing => Staging::in_place(plan, false, None),
            Found::Missing => Staging::beside(plan, None, Some(Before::Nothing)),
            Found::Empty(mode) => Staging::beside(plan, Some(mode), Some(Before::EmptyDir(mode))),
            Found::Cleared(mode) => Staging::beside(plan, Some(mode), None),
        }
    }

    /// A fresh directory beside the final path, with `mode` when it replaces
    /// a directory (else the final path's missing parents are made first).
    fn beside(plan: &'p Plan, replace: Option<u32>, before: Option<Before>) -> Result<Staging<'p>> {
        let final_dir = plan.env_dir();
        sweep_beside(final_dir);
        let made = if replace.is_none() { make_parents(final_dir)? } else { Vec::new() };
        let staging = temp_path(final_dir);
        if let Err(e) = std::fs::create_dir(&staging) {
            remove_made(&made);
            if replace.is_some() {
                // The directory exists but its parent is not ours to write (a
                // pre-made /opt/venv, a mount point): work inside it, as CPython does.
                return Staging::in_place(plan, plan.options().clear, before);
            }
            return Err(Error::io(&e, format!("creating {}", final_dir.display())));
        }
        let beside = Beside { staging, made, armed: true };
        // Every change inside the staging dir goes through a handle on it, so
        // a link swapped in for it (or planted in it) is never followed.
        let root = Beneath::open(&beside.staging, final_dir)?;
        if let Some(mode) = replace {
            root.chmod_root(mode)?;
        }
        Ok(Staging { plan, root, beside: Some(beside), before })
    }

    /// The final directory itself, emptied first when `clear` (links are
    /// removed, never followed, and no directory is entered through one).
    fn in_place(plan: &'p Plan, clear: bool, before: Option<Before>) -> Result<Staging<'p>> {
        let root = Beneath::open(plan.env_dir(), plan.env_dir())?;
        if clear {
            root.clear()?;
        }
        Ok(Staging { plan, root, beside: None, before })
    }

    /// The handle every write of the environment goes through (its messages
    /// name the final path).
    pub(crate) fn root(&self) -> &Beneath {
        &self.root
    }

    /// Puts the built tree in place (see the module); a tree built in place
    /// already is.
    pub(crate) fn commit(self, progress: Option<Progress<'_>>) -> Result<Committed> {
        let Staging { plan, root, beside, before } = self;
        drop(root);
        let committed = Committed { dir: plan.env_dir().to_path_buf(), before };
        let Some(mut beside) = beside else { return Ok(committed) };
        say(progress, "rename");
        let final_dir = plan.env_dir();
        let shown = final_dir.display();
        let was_empty_or_missing = match std::fs::symlink_metadata(final_dir) {
            Err(_) => true,
            Ok(m) => m.is_dir() && std::fs::read_dir(final_dir).map(|mut r| r.next().is_none()).unwrap_or(false),
        };
        if was_empty_or_missing {
            return match std::fs::rename(&beside.staging, final_dir) {
                Ok(()) => {
                    beside.armed = false;
                    Ok(committed)
                }
                Err(e) => {
                    drop(beside);
                    // Someone else put an environment there in the meantime: theirs stands.
                    if is_venv_dir(final_dir) {
                        return Ok(committed);
                    }
                    Err(Error::io(&e, format!("moving the new environment into {shown}")))
                }
            };
        }
        // Something appeared there while we built: only a clear may replace it, and
        // only a venv (or anything, with force); otherwise theirs stands.
        let opts = plan.options();
        if !opts.clear || !(is_venv_dir(final_dir) || opts.force) {
            drop(beside);
            if is_venv_dir(final_dir) {
                return Ok(committed);
            }
            return Err(Error::exists(format!("{shown} was filled by someone else while the environment was being built")));
        }
        replace(beside, final_dir)?;
        Ok(committed)
    }
}

/// Replaces the environment at `final_dir` (being cleared) with the staged
/// one: an atomic swap, else two renames (the old tree put back if the
/// second fails). The old tree is removed either way.
fn replace(mut beside: Beside, final_dir: &Path) -> Result<()> {
    let shown = final_dir.display();
    // After a swap the staging path holds the old tree, which dropping the
    // guard removes, and the parents hold the new one.
    if exchange(&beside.staging, final_dir) {
        beside.made.clear();
        return Ok(());
    }
    let old = temp_path(final_dir);
    if let Err(e) = std::fs::rename(final_dir, &old) {
        return Err(Error::io(&e, format!("moving the old environment {shown} aside")));
    }
    if let Err(e) = std::fs::rename(&beside.staging, final_dir) {
        let _ = std::fs::rename(&old, final_dir);
        return Err(Error::io(&e, format!("moving the new environment into {shown}")));
    }
    beside.armed = false;
    let _ = remove_tree(&old);
    Ok(())
}

/// An environment in its place, and what undoing it would put back.
pub(crate) struct Committed {
    dir: PathBuf,
    /// None: it was not new (updated, or replacing a cleared one), so it stays.
    before: Option<Before>,
}

impl Committed {
    /// A step after the commit failed: a new environment goes again, as if
    /// never made (an empty directory that was there is made again, with its
    /// mode); one that was updated or replaced stays.
    pub(crate) fn undo(self) {
        let Some(before) = self.before else { return };
        let _ = remove_tree(&self.dir);
        if let Before::EmptyDir(mode) = before {
            // The mode is set through a handle on what was made, not by path
            // (a link put there meanwhile is not followed).
            if std::fs::create_dir(&self.dir).is_ok() {
                if let Ok(dir) = Beneath::open(&self.dir, &self.dir) {
                    let _ = dir.chmod_root(mode);
                }
            }
        }
    }
}

/// A fresh temporary path beside `final_dir`.
fn temp_path(final_dir: &Path) -> PathBuf {
    final_dir.with_file_name(temp_name(final_dir.file_name().unwrap_or_else(|| OsStr::new("venv"))))
}

/// Removes staging directories beside `final_dir` left by pepkit processes
/// that no longer run (a creation killed part way).
fn sweep_beside(final_dir: &Path) {
    let (Some(parent), Some(name)) = (final_dir.parent(), final_dir.file_name()) else { return };
    sweep(parent, &[name], |stale| {
        let _ = remove_tree(&parent.join(stale));
    });
}

/// Swaps two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`); false
/// where the kernel or file system cannot.
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        let (Ok(ca), Ok(cb)) = (CString::new(a.as_os_str().as_bytes()), CString::new(b.as_os_str().as_bytes())) else {
            return false;
        };
        // SAFETY: both are valid NUL-terminated paths that outlive the call;
        // the syscall only reads them.
        let rc = unsafe {
            libc::syscall(libc::SYS_renameat2, libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE)
        };
        rc == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

fn is_venv_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("pyvenv.cfg")).map(|m| m.is_file()).unwrap_or(false)
}

/// Creates the missing ancestors of `dir`, returning those it made (outermost first).
fn make_parents(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cur = dir.parent();
    while let Some(p) = cur {
        if std::fs::symlink_metadata(p).is_ok() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    missing.reverse();
    let mut made = Vec::new();
    for p in missing {
        match std::fs::create_dir(&p) {
            Ok(()) => made.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                remove_made(&made);
                return Err(Error::io(&e, format!("creating {}", p.display())));
            }
        }
    }
    Ok(made)
}

/// Removes the directories [`make_parents`] made, innermost first (each only if empty).
fn remove_made(made: &[PathBuf]) {
    for p in made.iter().rev() {
        let _ = std::fs::remove_dir(p);
    }
}
