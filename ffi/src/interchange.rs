//! DLPack and the Arrow C Data Interface (see src/interchange).

use std::ffi::{c_char, c_int};

use super::object::{arg_object, give_object};
use super::owned::owned_c_string;
use super::{arg_cstr, arg_mut, arg_out, guard, pepkit_status};
use pepkit::interchange as dtype;
use pepkit::raw::{self, pepkit_object, ArrowArray, ArrowSchema, DLDataType, DLManagedTensor, DLManagedTensorVersioned};

/// Exports `exporter`'s memory as a DLPack 1.x tensor, without copying.
///
/// The tensor holds one export of `exporter` (a `flags | PEPKIT_BUF_FULL_RO`
/// request: pass PEPKIT_BUF_WRITABLE to demand writable memory, or a
/// contiguity flag) until its deleter runs; call the deleter exactly once,
/// from any thread. `version` is 1.0, the device is kDLCPU 0, `byte_offset`
/// is 0, shape and strides (in items) live in the tensor's own block, and
/// `flags` has DLPACK_FLAG_BITMASK_READ_ONLY when the memory is read-only
/// (DLPACK_FLAG_BITMASK_IS_COPIED never: nothing is copied). `manager_ctx`
/// is `exporter` (borrowed: valid until the deleter runs).
///
/// Refused (PEPKIT_ERR_BUFFER or _VALUE, nothing exported) for suboffsets,
/// byte strides that are not a multiple of the itemsize, a non-native byte
/// order, and formats with no DLPack dtype (see pepkit_format_to_dlpack).
/// `exporter` is borrowed for the call.
///
/// On success `*out` is owned by the caller until it calls `(*out)->deleter(*out)`.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_dlpack_export(
    exporter: *mut pepkit_object,
    flags: c_int,
    out: *mut *mut DLManagedTensorVersioned,
) -> pepkit_status {
    guard("pepkit_dlpack_export", || {
        // SAFETY: the caller holds a reference to a non-NULL `exporter`.
        let exporter = unsafe { arg_object(exporter, "exporter") }?;
        let out = arg_out(out, "out")?;
        let tensor = raw::dlpack_export::<DLManagedTensorVersioned>(&exporter, flags)?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(tensor) };
        Ok(())
    })
}

/// pepkit_dlpack_export for consumers of the legacy unversioned
/// DLManagedTensor. It cannot mark memory read-only, so read-only memory is
/// refused (PEPKIT_ERR_BUFFER), as numpy does.
///
/// On success `*out` is owned by the caller until it calls `(*out)->deleter(*out)`.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_dlpack_export_legacy(
    exporter: *mut pepkit_object,
    flags: c_int,
    out: *mut *mut DLManagedTensor,
) -> pepkit_status {
    guard("pepkit_dlpack_export_legacy", || {
        // SAFETY: the caller holds a reference to a non-NULL `exporter`.
        let exporter = unsafe { arg_object(exporter, "exporter") }?;
        let out = arg_out(out, "out")?;
        let tensor = raw::dlpack_export::<DLManagedTensor>(&exporter, flags)?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(tensor) };
        Ok(())
    })
}

/// Takes ownership of a DLPack 1.x tensor: `*out` becomes an exporter (kind
/// "wrap") of the tensor's memory, `byte_offset` applied, strides turned into
/// bytes (NULL strides mean C order), read-only when the tensor's flags say
/// so. The tensor's deleter (if not NULL) runs exactly once, on the thread
/// that drops the object's last reference or export.
///
/// Refused, with the tensor left the caller's (its deleter NOT called): a
/// major version other than 1, devices other than kDLCPU (and the CPU-readable
/// kDLCUDAHost, kDLROCMHost, kDLCUDAManaged), ndim outside 0..64, negative or
/// overflowing extents and strides, NULL data for a non-empty tensor, and
/// dtypes with no struct format (lanes != 1, bfloat, sub-byte; see
/// pepkit_format_from_dlpack). `tensor` must be valid per DLPack.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("`tensor` must be a valid DLPack tensor the caller owns.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_dlpack_import(
    tensor: *mut DLManagedTensorVersioned,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_dlpack_import", || {
        // SAFETY: a non-NULL `tensor` is a valid tensor the caller owns.
        unsafe { arg_mut(tensor, "tensor") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: as above; on success the object owns it.
        let obj = unsafe { raw::dlpack_import(tensor) }?;
        // SAFETY: checked non-NULL.
        unsafe { give_object(out, obj) };
        Ok(())
    })
}

/// pepkit_dlpack_import for a legacy unversioned DLManagedTensor (whose
/// memory is taken as writable: the struct has no read-only flag).
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("`tensor` must be a valid DLPack tensor the caller owns.")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_dlpack_import_legacy(
    tensor: *mut DLManagedTensor,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_dlpack_import_legacy", || {
        // SAFETY: a non-NULL `tensor` is a valid tensor the caller owns.
        unsafe { arg_mut(tensor, "tensor") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: as above; on success the object owns it.
        let obj = unsafe { raw::dlpack_import(tensor) }?;
        // SAFETY: checked non-NULL.
        unsafe { give_object(out, obj) };
        Ok(())
    })
}

/// Exports `exporter`'s memory through the Arrow C Data Interface, without
/// copying, into the caller's `*schema_out` and `*array_out` (overwritten;
/// the caller releases each exactly once with its `release`, from any
/// thread). A 1-D C-contiguous array becomes an Arrow primitive (or `w:N`
/// fixed-size binary for formats with no Arrow primitive); an N-d
/// C-contiguous array the canonical `arrow.fixed_shape_tensor` extension
/// type (a `+w:K` fixed-size list, the first dimension as rows, metadata as
/// pyarrow writes it). The array holds one PEPKIT_BUF_FULL_RO export of
/// `exporter` until it is released.
///
/// Refused (PEPKIT_ERR_BUFFER or _VALUE, nothing written): 0-dim arrays,
/// non-C-contiguous layouts, suboffsets, misaligned data, `?` (Arrow's
/// booleans are bits) and non-native byte order. `exporter` is borrowed for
/// the call.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_arrow_export(
    exporter: *mut pepkit_object,
    schema_out: *mut ArrowSchema,
    array_out: *mut ArrowArray,
) -> pepkit_status {
    guard("pepkit_arrow_export", || {
        // SAFETY: the caller holds a reference to a non-NULL `exporter`.
        let exporter = unsafe { arg_object(exporter, "exporter") }?;
        let schema_out = arg_out(schema_out, "schema_out")?;
        let array_out = arg_out(array_out, "array_out")?;
        let (schema, array) = raw::arrow_export(&exporter)?;
        // SAFETY: both checked non-NULL; overwritten without reading, as
        // documented.
        unsafe {
            schema_out.write(schema);
            array_out.write(array);
        }
        Ok(())
    })
}

/// Takes an Arrow array in, zero-copy: moves `*schema` and `*array` (their
/// `release` is set to NULL; the schema is released at once, the array when
/// `*out`'s last reference and export are gone, on that thread). `*out` is a
/// read-only exporter (kind "wrap"): 1-D for primitives (`Ns` for `w:N`),
/// N-d for `arrow.fixed_shape_tensor` (a `permutation` becomes strides:
/// logical dimension i is physical dimension permutation[i], as the canonical
/// extension defines it), 2-D for other fixed-size lists.
///
/// Refused, with both structs left the caller's and untouched: released
/// structs, nulls (null_count > 0, or unknown with a validity buffer),
/// dictionaries, booleans (bit-packed), variable-size types, tensor metadata
/// that does not parse or match the list size, data misaligned for its items,
/// and lengths or offsets that overflow. Both structs must be valid per the Arrow C Data Interface.
///
/// On success `*out` is a new reference: release it with pepkit_decref.
#[doc = c_safety!("`schema` and `array` must be valid per the Arrow C Data Interface and owned by the caller.")]
// The header's "permutation[i]" reads as a link to rustdoc; the text is the
// header's, kept as it is.
#[allow(rustdoc::broken_intra_doc_links)]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_arrow_import(
    schema: *mut ArrowSchema,
    array: *mut ArrowArray,
    out: *mut *mut pepkit_object,
) -> pepkit_status {
    guard("pepkit_arrow_import", || {
        // SAFETY: non-NULL structs are valid Arrow structs the caller owns.
        unsafe { (arg_mut(schema, "schema")?, arg_mut(array, "array")?) };
        let out = arg_out(out, "out")?;
        // SAFETY: as above; on success both are moved out.
        let obj = unsafe { raw::arrow_import(schema, array) }?;
        // SAFETY: checked non-NULL.
        unsafe { give_object(out, obj) };
        Ok(())
    })
}

/// The DLPack dtype of one item of struct-module `format`, with sizes as the
/// struct module has them on this platform (native `l` is 64 bits, `=l` 32;
/// `n`, `N`, `P` pointer-sized; `?` kDLBool 8; `2f`/`2d` complex64/128).
/// PEPKIT_ERR_VALUE for formats with no dtype (`c`, `s`, `p`, `x`, several
/// fields), a non-native byte order, or a bad format. `format` is borrowed.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_format_to_dlpack(format: *const c_char, out: *mut DLDataType) -> pepkit_status {
    guard("pepkit_format_to_dlpack", || {
        // SAFETY: a non-NULL `format` is NUL-terminated.
        let format = unsafe { arg_cstr(format, "format") }?;
        let out = arg_out(out, "out")?;
        let dtype = dtype::to_dlpack(format.to_bytes())?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(dtype) };
        Ok(())
    })
}

/// The struct-module format of DLPack `dtype`: `b h i q`, `B H I Q`,
/// `e f d`, `?`, `2f`/`2d` for complex. PEPKIT_ERR_VALUE for lanes != 1,
/// bfloat and any other dtype.
///
/// On success `*out` is an owned string: free it with pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_format_from_dlpack(dtype: DLDataType, out: *mut *mut c_char) -> pepkit_status {
    guard("pepkit_format_from_dlpack", || {
        let out = arg_out(out, "out")?;
        let format = dtype::from_dlpack(dtype)?;
        let text = owned_c_string(format.as_bytes())?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(text) };
        Ok(())
    })
}

/// The Arrow format string of one item of struct-module `format`: `c s i l`,
/// `C S I L`, `e f g`, or `w:N` (fixed-size binary) for formats with no Arrow
/// primitive (`c`, `s`, `p`, several fields, complex). PEPKIT_ERR_VALUE for
/// `?` (Arrow's booleans are bits), a non-native byte order, or a bad
/// format. `format` is borrowed.
///
/// On success `*out` is an owned string: free it with pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_format_to_arrow(format: *const c_char, out: *mut *mut c_char) -> pepkit_status {
    guard("pepkit_format_to_arrow", || {
        // SAFETY: a non-NULL `format` is NUL-terminated.
        let format = unsafe { arg_cstr(format, "format") }?;
        let out = arg_out(out, "out")?;
        let arrow = dtype::to_arrow(format.to_bytes())?;
        let text = owned_c_string(arrow.as_bytes())?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(text) };
        Ok(())
    })
}

/// The struct-module format of an Arrow item format: `c`→`b`, `C`→`B`,
/// `s`→`h`, `S`→`H`, `i`, `I`, `l`→`q`, `L`→`Q`, `e`, `f`, `g`→`d`, and
/// `w:N`→`Ns`. PEPKIT_ERR_VALUE for `b` (bit-packed booleans) and every
/// other format. `arrow_format` is borrowed.
///
/// On success `*out` is an owned string: free it with pepkit_free.
#[doc = c_safety!()]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_format_from_arrow(arrow_format: *const c_char, out: *mut *mut c_char) -> pepkit_status {
    guard("pepkit_format_from_arrow", || {
        // SAFETY: a non-NULL `arrow_format` is NUL-terminated.
        let arrow_format = unsafe { arg_cstr(arrow_format, "arrow_format") }?;
        let out = arg_out(out, "out")?;
        let format = dtype::from_arrow(arrow_format.to_bytes())?;
        let text = owned_c_string(format.as_bytes())?;
        // SAFETY: checked non-NULL.
        unsafe { out.write(text) };
        Ok(())
    })
}
