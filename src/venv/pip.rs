//! Installing pip into a new environment natively, from the interpreter's
//! bundled wheels, with no subprocess.

use std::path::Path;

use crate::error::{Error, Result};

use super::tree::Plan;

/// Installs the wheels `ensurepip` would install into the env being built at `root`.
pub fn install_bundled(_root: &Path, _plan: &Plan) -> Result<()> {
    Err(Error::not_implemented("the native pip installer is not available yet; use the ensurepip mode"))
}
