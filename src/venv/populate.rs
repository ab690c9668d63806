//! Populating and seeding: the stages of [`super::create`] that write the
//! environment's files beneath the staging root, each a small step over the
//! [`Plan`]: the directories, `pyvenv.cfg`, the interpreter's links or
//! copies, pip (through the seeding [`Target`], which names no plan), and
//! the activation scripts. Every change goes through the root handle, so no
//! link in an existing env can lead a write outside it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

use super::beneath::{Beneath, Kind, Mode};
use super::facts::cache_disabled_by_env;
use super::install::Target;
use super::paths::{abspath_in, py_repr};
use super::plan::Plan;
use super::scripts;
use super::tempname::temp_name;
use super::{pip, say, FactsSource, PipMode, Progress};

/// Writes the tree of `plan` beneath `root` (the staging directory, or the
/// final one): refusals first, then the directories, pyvenv.cfg and the
/// interpreter.
pub(crate) fn tree(root: &Beneath, plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    refuse_missing_powershell(plan)?;
    refuse_copying_onto_itself(root, plan)?;
    refuse_blocked_directories(root, plan)?;
    say(progress, "directories");
    directories(root, plan)?;
    say(progress, "pyvenv.cfg");
    root.write(Path::new("pyvenv.cfg"), plan.pyvenv_cfg_while_building().as_bytes(), Mode::Keep)?;
    say(progress, "python");
    interpreter(root, plan)
}

/// Seeds the environment: pip installed natively from the interpreter's
/// bundled wheels (the ensurepip mode runs after the commit, in
/// [`super::post`]).
pub(crate) fn seed(root: &Beneath, plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    let opts = plan.options();
    if !(opts.with_pip && opts.pip_mode == PipMode::Native) {
        return Ok(());
    }
    say(progress, "pip");
    let facts = plan.facts();
    let python = plan.interpreter();
    let target = Target {
        root,
        site: plan.site_packages(),
        bin: plan.bin_dir(),
        python: &python,
        minor: facts.minor,
        relocatable: plan.options().relocatable,
    };
    let link_from_cache = opts.link_wheels && opts.facts_source == FactsSource::Cached && !cache_disabled_by_env();
    pip::install_bundled(&target, &facts.wheels, Path::new(&facts.executable), link_from_cache, progress)
}

/// Writes the activation scripts (not on `upgrade`, as CPython): the
/// interpreter's own (pepkit's for the POSIX shells when it ships none, or
/// when the env is relocatable, since CPython's write the env's path in),
/// then the extra activators asked for.
pub(crate) fn activation_scripts(root: &Beneath, plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    let opts = plan.options();
    if opts.upgrade {
        return Ok(());
    }
    say(progress, "scripts");
    let facts = plan.facts();
    let site = plan.site_packages().to_str().unwrap_or_default();
    let builtin = |names: &[&str]| scripts::render_builtin(&plan.builtin_values(), names, opts.relocatable, site);
    let mut rendered = match scripts::render_all(Path::new(&facts.venv_dir), &plan.values(), facts.quotes_templates()) {
        Ok(own) if opts.relocatable => {
            // CPython's Activate.ps1 already finds the env from its own location.
            let mut r: Vec<_> = own.into_iter().filter(|r| r.rel == Path::new("Activate.ps1")).collect();
            r.extend(builtin(&scripts::SHELL_SCRIPTS));
            r
        }
        Ok(own) => own,
        Err(e) if e.kind == ErrorKind::NotFound => builtin(&scripts::SHELL_SCRIPTS),
        Err(e) => return Err(e),
    };
    let a = opts.activators;
    let extra: Vec<&str> = [(a.nushell, "activate.nu"), (a.xonsh, "activate.xsh"), (a.activate_this, "activate_this.py")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
    rendered.extend(builtin(&extra));
    let bin = plan.bin_dir();
    for r in rendered {
        let dst = bin.join(&r.rel);
        if let Some(parent) = dst.parent().filter(|p| *p != bin) {
            root.mkdir_all(parent)?;
        }
        root.write(&dst, &r.data, Mode::Exact(r.mode))?;
    }
    Ok(())
}

/// The PowerShell activator is CPython's own `Activate.ps1` (3.8 on): asked
/// of an interpreter that ships none, refused before anything is written.
fn refuse_missing_powershell(plan: &Plan) -> Result<()> {
    let facts = plan.facts();
    let template = Path::new(&facts.venv_dir).join("scripts/common/Activate.ps1");
    if !plan.options().activators.powershell || template.is_file() {
        return Ok(());
    }
    Err(Error::not_implemented(format!(
        "no PowerShell activator for {}: it ships no Activate.ps1 template ({} is missing; CPython has one \
         from 3.8 on) and pepkit has none of its own",
        Path::new(&facts.executable).display(),
        template.display()
    )))
}

/// CPython's shutil.copyfile refuses to copy the interpreter onto a link to
/// itself (an upgrade of a symlinked env with `--copies`): refused before
/// anything is written.
fn refuse_copying_onto_itself(root: &Beneath, plan: &Plan) -> Result<()> {
    let facts = plan.facts();
    let exe_rel = plan.exe_rel();
    if plan.options().symlinks || !is_link(root, &exe_rel) {
        return Ok(());
    }
    let base = abspath_in(None, Path::new(&facts.base_executable));
    let dst = plan.env_dir().join(&exe_rel);
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(&base), std::fs::canonicalize(&dst)) {
        if a == b {
            return Err(Error::os(format!(
                "{} and {} are the same file",
                py_repr(&Path::new(&facts.base_executable).display().to_string()),
                py_repr(&dst.display().to_string())
            )));
        }
    }
    Ok(())
}

/// Everything `create_if_needed` would refuse, refused before anything is
/// made (CPython creates include/ and lib/ before it finds bin/ is a file).
fn refuse_blocked_directories(root: &Beneath, plan: &Plan) -> Result<()> {
    let env = plan.env_dir();
    for rel in [plan.include_dir(), plan.site_packages(), plan.bin_dir()] {
        let mut cur = PathBuf::new();
        for comp in rel.components() {
            cur.push(comp);
            let Some(st) = root.lstat(&cur)? else { break };
            if st.kind == Kind::Dir {
                continue;
            }
            // CPython refuses a file or link at the directory itself; a file
            // higher up fails in os.makedirs. A link higher up CPython would
            // follow; pepkit never writes through one.
            let full = env.join(rel);
            return Err(if cur.as_path() == rel {
                Error::value(format!("Unable to create directory {}", py_repr(&full.display().to_string())))
            } else if st.kind == Kind::Symlink {
                Error::value(format!(
                    "refusing to create {}: {} is a symbolic link; pepkit never writes through a link in \
                     an environment",
                    full.display(),
                    env.join(&cur).display()
                ))
            } else {
                Error::os(format!("[Errno 20] Not a directory: {}", py_repr(&env.join(&cur).display().to_string())))
            });
        }
    }
    Ok(())
}

/// The Cache Directory Tagging spec's tag (https://bford.info/cachedir/):
/// the signature line first, then comments, as uv writes it.
pub(crate) const CACHEDIR_TAG: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by pepkit: backup tools that\n\
# honour it skip this virtual environment. See https://bford.info/cachedir/\n";

/// include/, lib/ (and the lib64 link on 64-bit), bin/, the SCM ignore file
/// and the CACHEDIR.TAG.
fn directories(root: &Beneath, plan: &Plan) -> Result<()> {
    create_if_needed(root, plan.include_dir())?;
    create_if_needed(root, plan.site_packages())?;
    if plan.facts().is_64bit && !root.exists_following(Path::new("lib64")) {
        root.symlink(Path::new("lib"), Path::new("lib64"))?;
    }
    create_if_needed(root, plan.bin_dir())?;
    if plan.gitignore() {
        let text = b"# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n";
        root.write(Path::new(".gitignore"), text, Mode::Keep)?;
    }
    if plan.options().cachedir_tag {
        root.write(Path::new("CACHEDIR.TAG"), CACHEDIR_TAG, Mode::Keep)?;
    }
    Ok(())
}

/// `create_if_needed`: makes `rel` (and parents) beneath the root, or checks
/// it is a real directory.
fn create_if_needed(root: &Beneath, rel: &Path) -> Result<()> {
    match root.lstat(rel)? {
        Some(st) if st.kind != Kind::Dir => {
            // os.path.exists follows a link: a link to a directory or any file is refused.
            Err(Error::value(format!("Unable to create directory {}", py_repr(&root.shown(rel).display().to_string()))))
        }
        Some(_) => Ok(()),
        None => root.mkdir_all(rel),
    }
}

/// `setup_python`: the env's interpreter (a link to the base, or a copy) and
/// its aliases (`python`, `python3`, `python3.X`).
fn interpreter(root: &Beneath, plan: &Plan) -> Result<()> {
    let symlinks = plan.options().symlinks;
    // --allow-existing: links an earlier env left name this interpreter too.
    let repoint = plan.options().allow_existing;
    let link = Linking { symlinks, repoint };
    let base = PathBuf::from(&plan.facts().base_executable);
    let base_abs = abspath_in(None, &base);
    let exe_rel = plan.exe_rel();
    symlink_or_copy(root, link, &base, CopyFrom::Outside(&base_abs), &exe_rel, false)?;
    // An alias copies the env's interpreter as it stands beneath the root (the
    // staging dir may be where the env is not yet); if that is a link (to the
    // base interpreter), the copy is of what it points to.
    let exe_is_file = root.lstat(&exe_rel)?.is_some_and(|st| st.kind == Kind::File);
    let env_exe = plan.interpreter();
    for name in plan.alias_names() {
        let rel = plan.bin_dir().join(&name);
        if (repoint && rel != exe_rel) || !root.exists_following(&rel) {
            let from = if exe_is_file { CopyFrom::Inside(&exe_rel) } else { CopyFrom::Outside(&base_abs) };
            symlink_or_copy(root, link, &env_exe, from, &rel, true)?;
        }
    }
    Ok(())
}

/// Replaces what is at `dst` with the link `dst` -> `target` in one rename,
/// so the name is never missing.
pub(crate) fn replace_with_link(root: &Beneath, target: &Path, dst: &Path) -> Result<()> {
    let name = dst.file_name().unwrap_or_else(|| OsStr::new("python"));
    let temp = dst.with_file_name(temp_name(name));
    root.symlink(target, &temp)?;
    root.rename(&temp, dst).inspect_err(|_| {
        let _ = root.unlink(&temp);
    })
}

fn is_link(root: &Beneath, rel: &Path) -> bool {
    matches!(root.lstat(rel), Ok(Some(st)) if st.kind == Kind::Symlink)
}

/// Where a copy of the interpreter comes from.
enum CopyFrom<'a> {
    /// A file outside the env (the base interpreter).
    Outside(&'a Path),
    /// A file already written beneath the root (the env's interpreter, for an alias).
    Inside(&'a Path),
}

/// How the interpreter and its aliases are put in place.
#[derive(Clone, Copy)]
struct Linking {
    /// Links (`false`: copies).
    symlinks: bool,
    /// Replace a link or file already there that is not the wanted link
    /// (`allow_existing`); CPython keeps any link it finds.
    repoint: bool,
}

/// `symlink_or_copy`: a link (relative when `relative`) unless `dst` already
/// is one (or, when repointing, already is that link), or a copy
/// (`shutil.copyfile` then `chmod 0o755`, written whole). A link that cannot
/// be made falls back to a copy, as in CPython.
fn symlink_or_copy(root: &Beneath, link: Linking, src: &Path, from: CopyFrom<'_>, dst: &Path, relative: bool) -> Result<()> {
    if link.symlinks {
        let target: &Path = if relative { Path::new(src.file_name().unwrap_or_else(|| OsStr::new(""))) } else { src };
        let present = root.lstat(dst)?.map(|st| st.kind);
        match present {
            Some(Kind::Symlink) if !link.repoint || root.readlink(dst)? == target => return Ok(()),
            Some(Kind::Dir) => {}
            Some(_) if link.repoint => return replace_with_link(root, target, dst),
            _ if present.is_none() && root.symlink(target, dst).is_ok() => return Ok(()),
            _ => {}
        }
    }
    let (result, shown_src) = match from {
        CopyFrom::Outside(p) => (root.copy_in(p, dst, Mode::Exact(0o755)), p.to_path_buf()),
        CopyFrom::Inside(rel) => (
            root.open_read(rel).and_then(|mut f| root.copy_from(&mut f, dst, Mode::Exact(0o755))),
            root.shown(rel),
        ),
    };
    result.map_err(|e| {
        Error::new(e.kind, format!("copying {} to {}: {}", shown_src.display(), root.shown(dst).display(), e.message))
    })
}
