//! Bytes and strings pepkit makes for a C caller: those the caller owns and
//! frees with `pepkit_free` (libc's free), the one way the skin hands out an
//! owned buffer, and the C strings handles keep for their accessors.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use pepkit::error::{Error, Result};

/// A C string of `bytes` for a handle to keep; `what` names them in the
/// error when they hold a NUL (a C reader would stop there).
pub(crate) fn c_string(bytes: &[u8], what: &str) -> Result<CString> {
    CString::new(bytes).map_err(|_| Error::value(format!("{what} contains a NUL byte")))
}

/// [`c_string`] of a path.
pub(crate) fn c_path(path: &Path) -> Result<CString> {
    c_string(path.as_os_str().as_bytes(), "path")
}

/// An owned result for the caller (freed with pepkit_free): `len` bytes from
/// malloc (at least 1, so never NULL), freed again if the call fails before
/// handing it over with [`OwnedBytes::into_raw`].
pub(crate) struct OwnedBytes {
    ptr: *mut u8,
    len: usize,
}

impl OwnedBytes {
    pub(crate) fn new(len: usize) -> Result<OwnedBytes> {
        // SAFETY: plain malloc; the block is freed by Drop or by pepkit_free.
        let ptr = unsafe { libc::malloc(len.max(1)) } as *mut u8;
        if ptr.is_null() {
            return Err(pepkit::raw::mem::no_memory("the result", len));
        }
        Ok(OwnedBytes { ptr, len })
    }

    /// The whole block, to fill before handing it over.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` is a live malloc block of at least `len` bytes that
        // only this value refers to; u8 needs no alignment. The bytes may be
        // uninitialised: every caller writes them all and reads none first.
        unsafe { pepkit::raw::mem::slice_mut(self.ptr, self.len) }.unwrap_or_default()
    }

    /// Hands the block over to the caller.
    pub(crate) fn into_raw(self) -> *mut u8 {
        let p = self.ptr;
        std::mem::forget(self);
        p
    }
}

/// A NUL-terminated copy of `bytes` for the caller, freed with pepkit_free.
/// `bytes` must hold no NUL (a C reader would stop there).
pub(crate) fn owned_c_string(bytes: &[u8]) -> Result<*mut std::ffi::c_char> {
    let mut owned = OwnedBytes::new(bytes.len() + 1)?;
    let block = owned.as_mut_slice();
    block[..bytes.len()].copy_from_slice(bytes);
    block[bytes.len()] = 0;
    Ok(owned.into_raw().cast())
}

impl Drop for OwnedBytes {
    fn drop(&mut self) {
        // SAFETY: allocated by malloc in `new` and not handed over.
        unsafe { libc::free(self.ptr.cast()) }
    }
}
