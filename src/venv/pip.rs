//! Seeding pip natively: the interpreter's bundled wheels (ensurepip's
//! `_bundled`, or the distro's wheel directory) installed into a [`Target`]
//! by the wheel installer ([`super::install`]) with no subprocess: the
//! wheel's files, the console scripts pip would write (`pip`, `pip3`,
//! `pip3.X`, with the env's shebang), `INSTALLER`, `REQUESTED` and a `RECORD`
//! pip can uninstall from. No bytecode is compiled, which is most of what
//! makes ensurepip slow.

use std::ffi::OsString;
use std::path::Path;

use crate::error::{Error, Result};

use super::install::{install_into, How, Target};
use super::wheel::name_version;
use super::{warn, Progress};

/// Installs every wheel ensurepip would install (`wheels`, of the interpreter
/// `python`) into `t`. RECORD entries of an older install that would leave
/// the env are skipped and reported through `progress` as "warning: ..."
/// steps.
pub(crate) fn install_bundled(
    t: &Target<'_>,
    wheels: &[OsString],
    python: &Path,
    link_from_cache: bool,
    progress: Option<Progress<'_>>,
) -> Result<()> {
    if wheels.is_empty() {
        return Err(Error::not_found(format!(
            "{} has no bundled pip wheel (ensurepip is missing; on Debian install python3-pip-whl)",
            python.display()
        )));
    }
    let how = How {
        requested: writes_requested(wheels),
        // In an empty site-packages (always so in a staging dir) files are
        // created exclusively, without looking first.
        fresh: t.root.list(t.site).map(|names| names.is_empty()).unwrap_or(false),
        link_from_cache,
        // The interpreter's own wheels: trusted as ensurepip trusts them.
        verify: None,
        keep_newer: true,
        direct_url: None,
        compile_with: None,
        python_version: None,
    };
    for wheel in wheels {
        install_into(t, Path::new(wheel), &how, &|text| warn(progress, &text))?;
    }
    Ok(())
}

/// pip writes REQUESTED from 20.2 on; ensurepip's own pip decides, so its
/// version among `wheels` does.
fn writes_requested(wheels: &[OsString]) -> bool {
    let pip_version: Vec<u32> = wheels
        .iter()
        .filter_map(|w| Path::new(w).file_name().and_then(|n| n.to_str()).and_then(name_version))
        .find(|(n, _)| n == "pip")
        .map(|(_, v)| v.split('.').map(|p| p.parse().unwrap_or(0)).collect())
        .unwrap_or_default();
    pip_version.as_slice() >= [20, 2].as_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_follows_the_bundled_pip() {
        let w = |names: &[&str]| -> Vec<OsString> { names.iter().map(|n| OsString::from(format!("/b/{n}"))).collect() };
        assert!(writes_requested(&w(&["setuptools-65.5.0-py3-none-any.whl", "pip-23.2.1-py3-none-any.whl"])));
        assert!(writes_requested(&w(&["pip-20.2-py2.py3-none-any.whl"])));
        assert!(!writes_requested(&w(&["pip-20.1.1-py2.py3-none-any.whl"])));
        assert!(!writes_requested(&w(&["setuptools-65.5.0-py3-none-any.whl"])));
    }
}
