//! Handing opaque handles to C and taking them back: the one way the skin
//! turns an owned Rust value into a C pointer and frees it again.
//!
//! Every opaque handle but `pepkit_object` (pepkit_venv, pepkit_spec,
//! pepkit_finder, pepkit_strings, pepkit_modules) is one `Box`: [`give_box`]
//! hands it to the caller through an out-parameter and its `*_free` function
//! ends it with [`free_box`]. Borrowing one for a call is [`super::arg_ref`].
//! (`pepkit_object` is counted; its references go through `pepkit::raw`.)

/// Writes `value`, boxed, to `*out`: the caller now owns it and frees it with
/// the handle's `*_free` function (which calls [`free_box`]).
///
/// # Safety
/// `out` must be valid for a write (checked non-NULL with [`super::arg_out`]);
/// call this last, once nothing else can fail, so a failed call writes nothing.
pub(crate) unsafe fn give_box<T>(out: *mut *mut T, value: T) {
    // SAFETY: the caller guarantees `out` is writable.
    unsafe { out.write(Box::into_raw(Box::new(value))) }
}

/// Frees a handle [`give_box`] handed out; NULL is fine (C's free(NULL)).
///
/// # Safety
/// A non-NULL `handle` must come from [`give_box`] for the same `T` and must
/// not be used again (the C docs say: not twice, not while another thread
/// uses it).
pub(crate) unsafe fn free_box<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: the caller guarantees it is a live Box from give_box.
        drop(unsafe { Box::from_raw(handle) });
    }
}
