//! `--upgrade` beyond `python -m venv --upgrade`: moving an environment to
//! a new patch release of its base interpreter (pyenv's 3.12.1 replaced by
//! 3.12.x, cpython #95424).
//!
//! CPython's upgrade rewrites pyvenv.cfg and adds missing interpreter links,
//! but leaves a link that points at the old base (gone, or another version)
//! as it is, and never touches the scripts. pepkit, after the same steps
//! (populate's tree), [`repair`]s:
//! - an interpreter link whose target is not what a fresh env of the new
//!   base would have and does not lead to the same file is replaced by that
//!   target (so an env upgraded where CPython's would keep working stays
//!   identical to CPython's);
//! - a script in `bin/` whose shebang names an interpreter that does not
//!   exist, by a `python*` name the env's `bin/` now has alive, gets that env
//!   interpreter in its shebang (in pip's form for the path: plain, or the
//!   `/bin/sh` trampoline).
//!
//! Every change is made atomically beneath the env's handle (a new link or
//! file beside the old one, renamed over it). Another minor version is
//! refused before anything is touched ([`refuse_other_minor`]): the env's
//! site-packages and compiled packages belong to the old one.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::beneath::{Beneath, Kind, Mode};
use super::check::{interpreter_missing, Shebang, is_python_name, open_bounded, read_head, recorded_version, script_shebang};
use super::install::shebang;
use super::paths::{abspath, shlex_quote};
use super::plan::Plan;
use super::populate::replace_with_link;

/// The largest script whose shebang is rewritten (pip's are a few hundred bytes).
const MAX_SCRIPT: u64 = 64 << 20;

/// Refuses an upgrade of an env recorded for another minor version than the
/// plan's interpreter (`Value`, with the command that rebuilds it). An env
/// with no readable pyvenv.cfg or no version in it is left to the usual path.
pub(crate) fn refuse_other_minor(plan: &Plan) -> Result<()> {
    if !plan.options().upgrade {
        return Ok(());
    }
    let Ok(venv) = open_bounded(plan.env_dir()) else { return Ok(()) };
    let Some((major, minor, recorded)) = recorded_version(&venv) else { return Ok(()) };
    let facts = plan.facts();
    if (major, minor) == (facts.major, facts.minor) {
        return Ok(());
    }
    let python = plan.options().python.clone().unwrap_or_else(|| facts.executable.clone());
    let env = shlex_quote(&plan.env_dir().to_string_lossy());
    Err(Error::value(format!(
        "refusing to upgrade {} from Python {recorded} to {}: --upgrade moves an environment to another patch \
         release of the same minor version only (its lib/python{major}.{minor} and compiled packages are for \
         {major}.{minor}); rebuild it with `pyvenv --clear --python {} {env}` and reinstall its packages",
        plan.env_dir().display(),
        facts.version,
        shlex_quote(&Path::new(&python).to_string_lossy())
    )))
}

/// The repairs of an upgrade (see the module), after populate's tree; a
/// no-op unless upgrading.
pub(crate) fn repair(root: &Beneath, plan: &Plan) -> Result<()> {
    if !plan.options().upgrade {
        return Ok(());
    }
    if plan.options().symlinks {
        repoint_links(root, plan)?;
    }
    rewrite_shebangs(root, plan)
}

/// (device, inode) of `p`, links followed; None when it leads nowhere.
fn identity(p: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// The interpreter link and its aliases, made what a fresh env of the plan's
/// base would have where they lead elsewhere (or nowhere).
fn repoint_links(root: &Beneath, plan: &Plan) -> Result<()> {
    let env = plan.env_dir();
    let exe_rel = plan.exe_rel();
    let base = PathBuf::from(&plan.facts().base_executable);
    repoint(root, &exe_rel, &base, identity(&abspath(&base)), &env.join(&exe_rel))?;
    let exe_name = PathBuf::from(plan.facts().exe_name());
    for name in plan.alias_names() {
        let rel = plan.bin_dir().join(&name);
        if rel != exe_rel {
            repoint(root, &rel, &exe_name, identity(&env.join(&exe_rel)), &env.join(&rel))?;
        }
    }
    Ok(())
}

/// Replaces the link `rel` (seen at `seen`) by one to `target` when its
/// target differs and it does not lead to the file `want` identifies.
fn repoint(root: &Beneath, rel: &Path, target: &Path, want: Option<(u64, u64)>, seen: &Path) -> Result<()> {
    if !root.lstat(rel)?.is_some_and(|st| st.kind == Kind::Symlink) || root.readlink(rel)? == target {
        return Ok(());
    }
    if want.is_some() && identity(seen) == want {
        return Ok(());
    }
    replace_with_link(root, target, rel)
}

/// Scripts in `bin/` whose missing interpreter the env now has alive.
fn rewrite_shebangs(root: &Beneath, plan: &Plan) -> Result<()> {
    let bin = plan.bin_dir();
    if !root.lstat(bin)?.is_some_and(|st| st.kind == Kind::Dir) {
        return Ok(());
    }
    let mut names = root.list(bin)?;
    names.sort();
    for name in names {
        let rel = bin.join(&name);
        if !root.lstat(&rel)?.is_some_and(|st| st.kind == Kind::File) {
            continue;
        }
        let Some(s) = script_shebang(root, &rel)? else { continue };
        if !interpreter_missing(&s) {
            continue;
        }
        let Some(interp_name) = Path::new(OsStr::from_bytes(&s.interpreter)).file_name() else { continue };
        let live = bin.join(interp_name);
        if !is_python_name(interp_name.as_bytes()) || !root.exists_following(&live) {
            continue;
        }
        let Some(exe) = plan.env_dir().join(&live).to_str().map(str::to_string) else { continue };
        let data = read_head(root, &rel, MAX_SCRIPT + 1)?;
        if data.len() as u64 > MAX_SCRIPT || data.len() < s.header_len {
            continue;
        }
        let out = with_interpreter(&data, &s, &exe)
            .ok_or_else(|| Error::no_memory(format!("rewriting {}", root.shown(&rel).display())))?;
        root.write(&rel, &out, Mode::Keep)?;
    }
    Ok(())
}

/// `data` (a script whose first bytes `s` describes) with `exe` as its
/// interpreter, in pip's form for that path (plain `#!`, keeping the
/// arguments, or the `/bin/sh` trampoline); None when out of memory.
fn with_interpreter(data: &[u8], s: &Shebang, exe: &str) -> Option<Vec<u8>> {
    let header = if s.args.is_empty() { shebang(exe) } else { format!("#!{exe}{}\n", String::from_utf8_lossy(&s.args)) };
    // A plain `#!` header ends with its newline, the trampoline's does not.
    let mut rest = data.get(s.header_len..)?;
    let new_plain = header.ends_with('\n');
    if s.trampoline && new_plain {
        rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    }
    let mut out = Vec::new();
    out.try_reserve(header.len() + rest.len() + 1).ok()?;
    out.extend_from_slice(header.as_bytes());
    if !s.trampoline && !new_plain {
        out.push(b'\n');
    }
    out.extend_from_slice(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::check::parse_shebang;
    use super::*;

    fn rewrite(script: &str, exe: &str) -> String {
        let s = parse_shebang(script.as_bytes()).expect("a shebang");
        String::from_utf8(with_interpreter(script.as_bytes(), &s, exe).expect("memory")).expect("utf-8")
    }

    #[test]
    fn shebangs_take_pips_form_for_the_new_path() {
        let body = "import sys\n";
        let plain = format!("#!/old/bin/python3\n{body}");
        let tramp = format!("#!/bin/sh\n'''exec' \"/old dir/bin/python3\" \"$0\" \"$@\"\n' '''\n{body}");
        assert_eq!(rewrite(&plain, "/e/bin/python3"), format!("#!/e/bin/python3\n{body}"));
        assert_eq!(rewrite(&tramp, "/e/bin/python3"), format!("#!/e/bin/python3\n{body}"));
        let spaced = "/e v/bin/python3";
        let want = format!("{}\n{body}", shebang(spaced));
        assert_eq!(rewrite(&plain, spaced), want);
        assert_eq!(rewrite(&tramp, spaced), want);
        // Arguments of a plain line are kept.
        assert_eq!(rewrite(&format!("#!/old/bin/python3 -E\n{body}"), "/e/bin/python3"), format!("#!/e/bin/python3 -E\n{body}"));
        // Each result reads back as naming the new interpreter, the body intact.
        for (out, exe) in [(rewrite(&plain, spaced), spaced), (rewrite(&tramp, "/e/bin/python3"), "/e/bin/python3")] {
            assert_eq!(parse_shebang(out.as_bytes()).expect("parses").interpreter, exe.as_bytes());
            assert!(out.ends_with(body));
        }
    }
}
