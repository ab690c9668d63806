//! The last stage of [`super::create`], run on the committed environment at
//! its final path: the steps that run the new environment's own interpreter
//! (`ensurepip` in that pip mode, then the final pyvenv.cfg, and
//! `upgrade_deps`). If one fails, `create` undoes a new environment
//! ([`super::stage::Committed::undo`]).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

use super::beneath::{Beneath, Mode};
use super::plan::Plan;
use super::{say, PipMode, Progress};

/// Runs the steps after the commit for `plan`.
pub(crate) fn finish(plan: &Plan, progress: Option<Progress<'_>>) -> Result<()> {
    let opts = plan.options();
    if opts.with_pip && opts.pip_mode == PipMode::Ensurepip {
        say(progress, "pip");
        call_new_python(plan, &["-m", "ensurepip", "--upgrade", "--default-pip"])?;
        if plan.cfg_rewritten_after_pip() {
            let root = Beneath::open(plan.env_dir(), plan.env_dir())?;
            root.write(Path::new("pyvenv.cfg"), plan.pyvenv_cfg().as_bytes(), Mode::Keep)?;
        }
    }
    if opts.upgrade_deps {
        say(progress, "upgrade-deps");
        let mut args = vec!["-m", "pip", "install", "--upgrade", "pip"];
        if (9..=11).contains(&plan.facts().minor) {
            args.push("setuptools");
        }
        call_new_python(plan, &args)?;
    }
    Ok(())
}

/// Runs the env's interpreter as `_call_new_python` does.
fn call_new_python(plan: &Plan, args: &[&str]) -> Result<()> {
    let exe = plan.interpreter();
    let out = Command::new(&exe)
        .args(args)
        .env("VIRTUAL_ENV", plan.env_dir())
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .current_dir(plan.env_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(&e, format!("running {}", exe.display())))?;
    if !out.status.success() {
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        return Err(Error::subprocess(format!(
            "Command '{} {}' returned non-zero exit status {}: {}",
            exe.display(),
            args.join(" "),
            out.status.code().unwrap_or(-1),
            text.trim()
        )));
    }
    Ok(())
}
