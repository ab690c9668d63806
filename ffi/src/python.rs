//! The C functions behind the Python package's `pepkit.Object` type
//! (python/pepkit/_native.py): its buffer slots, its finaliser, `close`, the
//! `_ptr` attribute and `__dlpack__`/`__dlpack_device__`.
//!
//! The package builds that type at import with `PyType_FromSpec` (through
//! ctypes, so there is no extension module to compile) and points its slots
//! here. This makes `memoryview(o)`, `numpy.asarray(o)` and every other
//! `PyObject_GetBuffer` consumer reach pepkit's own request rules directly,
//! with CPython's lifetime rules: the consumer's `Py_buffer` holds a Python
//! reference to `o` and one pepkit export, and `PyBuffer_Release` ends both.
//!
//! libpepkit never links libpython. The package registers the CPython
//! functions and objects used here with [`pepkit_python_init`], and every
//! function of this module is called by CPython (or by ctypes' `PyDLL`) with
//! the GIL held, which is what serialises a getbuffer with a `close`.
//! Free-threaded builds are refused by the package.
//!
//! This is the package's private ABI, not part of the C API: the functions
//! are left out of `pepkit.h` (cbindgen.toml), and the package and the
//! library it bundles always come from the same build.

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null_mut;
use std::sync::OnceLock;

use super::buffer::{pepkit_getbuffer, pepkit_releasebuffer};
use super::interchange::{pepkit_dlpack_export, pepkit_dlpack_export_legacy};
use super::object::pepkit_decref;
use super::status::{self, pepkit_last_error};
use pepkit::raw::{pepkit_buffer, pepkit_object, pepkit_ssize, DLManagedTensor, DLManagedTensorVersioned};

/// A CPython object, never dereferenced here: only passed back to CPython.
pub type PyObject = c_void;

/// A capsule destructor (`PyCapsule_Destructor`).
type CapsuleDestructor = unsafe extern "C" fn(*mut PyObject);

/// Declares the CPython functions the package registers, twice: as the C
/// struct's nullable fields (`pepkit_python_functions`) and as the checked
/// set this module calls (`Functions`, every one present).
macro_rules! python_functions {
    ($($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The CPython functions this module calls, by address (from
        /// `ctypes.pythonapi`). Every field must be set.
        #[repr(C)]
        #[allow(non_snake_case)]
        pub struct pepkit_python_functions {
            $(
                #[doc = concat!("CPython's `", stringify!($name), "`.")]
                pub $name: Option<unsafe extern "C" fn($($arg),*) $(-> $ret)?>,
            )*
        }

        #[allow(non_snake_case)]
        struct Functions {
            $($name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
        }

        impl Functions {
            fn from_c(c: &pepkit_python_functions) -> Option<Self> {
                Some(Self { $($name: c.$name?,)* })
            }
        }
    };
}

python_functions! {
    Py_IncRef: fn(*mut PyObject);
    Py_DecRef: fn(*mut PyObject);
    PyErr_SetString: fn(*mut PyObject, *const c_char);
    PyErr_Occurred: fn() -> *mut PyObject;
    PyErr_Clear: fn();
    PyErr_Fetch: fn(*mut *mut PyObject, *mut *mut PyObject, *mut *mut PyObject);
    PyErr_Restore: fn(*mut PyObject, *mut PyObject, *mut PyObject);
    PyCapsule_New: fn(*mut c_void, *const c_char, Option<CapsuleDestructor>) -> *mut PyObject;
    PyCapsule_IsValid: fn(*mut PyObject, *const c_char) -> c_int;
    PyCapsule_GetPointer: fn(*mut PyObject, *const c_char) -> *mut c_void;
    PyLong_AsLong: fn(*mut PyObject) -> c_long;
    PyLong_FromVoidPtr: fn(*mut c_void) -> *mut PyObject;
    PyLong_AsVoidPtr: fn(*mut PyObject) -> *mut c_void;
    PyTuple_Size: fn(*mut PyObject) -> pepkit_ssize;
    PyTuple_GetItem: fn(*mut PyObject, pepkit_ssize) -> *mut PyObject;
    PyTuple_New: fn(pepkit_ssize) -> *mut PyObject;
    PyTuple_SetItem: fn(*mut PyObject, pepkit_ssize, *mut PyObject) -> c_int;
    PyDict_New: fn() -> *mut PyObject;
    PyDict_SetItem: fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
    PyObject_Call: fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
    PyUnicode_CompareWithASCIIString: fn(*mut PyObject, *const c_char) -> c_int;
}

/// What the package registers once, at import: CPython's functions, the
/// objects this module hands back or raises, and where the instance data of
/// `pepkit.Object` sits. The objects are borrowed: the package keeps each
/// alive until the process ends.
#[repr(C)]
pub struct pepkit_python_api {
    /// `sizeof(pepkit_python_api)` as the package sees it: a mismatch means
    /// the package and the library come from different builds.
    pub struct_size: usize,
    /// Byte offset of the instance data (two words: the object, owned) in a `pepkit.Object`
    /// (`object.__basicsize__`).
    pub slot_offset: pepkit_ssize,
    /// CPython's functions.
    pub functions: pepkit_python_functions,
    /// `None`.
    pub none: *mut PyObject,
    /// `False`.
    pub py_false: *mut PyObject,
    /// The exception class for each pepkit status (index = status; 0 unused).
    pub exceptions: [*mut PyObject; 16],
    /// The class raised for any use of a closed object (ValueError).
    pub closed_error: *mut PyObject,
    /// The tuple `(1, 0)` that `__dlpack_device__` returns (kDLCPU, 0).
    pub dlpack_device: *mut PyObject,
    /// `f(self, *args, **kwargs)`: every `__dlpack__` call the fast path
    /// here does not settle (positional arguments, a stream, a device, a
    /// copy, a bad value, a failed export), answered and raised in Python.
    pub dlpack_fallback: *mut PyObject,
    /// The interned keyword names of `__dlpack__`, compared by identity first:
    /// "stream", "max_version", "dl_device", "copy".
    pub dlpack_keywords: [*mut PyObject; 4],
}

/// The registration, checked: every function present, every object set.
struct Api {
    f: Functions,
    slot_offset: usize,
    none: *mut PyObject,
    py_false: *mut PyObject,
    exceptions: [*mut PyObject; 16],
    closed_error: *mut PyObject,
    dlpack_device: *mut PyObject,
    dlpack_fallback: *mut PyObject,
    dlpack_keywords: [*mut PyObject; 4],
}

// SAFETY: the pointers are CPython objects the package keeps alive for the
// life of the process, and they are only used by functions that run with
// the GIL held, which serialises every use.
unsafe impl Send for Api {}
// SAFETY: as for Send: shared use happens only under the GIL.
unsafe impl Sync for Api {}

static API: OnceLock<Api> = OnceLock::new();

/// The instance data of a `pepkit.Object`, at `slot_offset`: zeroed by
/// CPython's allocator, so a new instance holds nothing.
#[repr(C)]
struct Slot {
    /// The pepkit object, set once by the `_ptr` setter and never cleared:
    /// exports made before a `close` are released through it.
    object: *mut pepkit_object,
    /// 1 while the Python object holds its reference to `object`.
    owned: usize,
}

const CLOSED: &CStr = c"operation on a closed pepkit object";
const DLTENSOR: &CStr = c"dltensor";
const DLTENSOR_VERSIONED: &CStr = c"dltensor_versioned";

/// Registers the CPython side. Returns 0, or -1 when `api` is NULL, was
/// built with another layout, or lacks a function or an object. The first
/// successful registration stays for the life of the process (a package
/// imported again finds it in place); later ones are checked and ignored.
///
/// Makes no CPython call, so ctypes may call it without the GIL.
///
/// # Safety
/// A non-NULL `api` points to a `pepkit_python_api`, its function pointers
/// CPython's named functions and its objects live for the process.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_init(api: *const pepkit_python_api) -> c_int {
    catch_unwind(|| {
        // SAFETY: as the caller guarantees.
        let Some(c) = (unsafe { api.as_ref() }) else { return -1 };
        let objects = [c.none, c.py_false, c.closed_error, c.dlpack_device, c.dlpack_fallback];
        let complete = objects.iter().chain(&c.dlpack_keywords).all(|p| !p.is_null())
            && c.exceptions[1..=status::PEPKIT_ERR_PANIC as usize].iter().all(|p| !p.is_null());
        let (Some(f), Ok(slot_offset)) = (Functions::from_c(&c.functions), usize::try_from(c.slot_offset)) else {
            return -1;
        };
        if c.struct_size != size_of::<pepkit_python_api>() || !complete {
            return -1;
        }
        API.get_or_init(|| Api {
            f,
            slot_offset,
            none: c.none,
            py_false: c.py_false,
            exceptions: c.exceptions,
            closed_error: c.closed_error,
            dlpack_device: c.dlpack_device,
            dlpack_fallback: c.dlpack_fallback,
            dlpack_keywords: c.dlpack_keywords,
        });
        0
    })
    .unwrap_or(-1)
}

/// Runs a slot body with the registration, turning a panic into a Python
/// RuntimeError and `on_error` (CPython must never see a Rust unwind).
///
/// # Safety
/// The GIL is held (every caller is a CPython slot or method).
unsafe fn python_guard<T>(on_error: T, body: impl FnOnce(&Api) -> T) -> T {
    // Without a registration there is no type whose slots lead here, and no
    // way to raise: the package registers before it makes the type.
    let Some(api) = API.get() else { return on_error };
    match catch_unwind(AssertUnwindSafe(|| body(api))) {
        Ok(value) => value,
        Err(_) => {
            // SAFETY: GIL held; the class and the static message live forever.
            unsafe {
                (api.f.PyErr_SetString)(
                    api.exceptions[status::PEPKIT_ERR_PANIC as usize],
                    c"pepkit: internal error (panic) in a pepkit.Object slot".as_ptr(),
                )
            };
            on_error
        }
    }
}

impl Api {
    /// The instance data of `obj`, a `pepkit.Object` (or subclass) instance.
    ///
    /// # Safety
    /// `obj` is a live instance of the package's type, whose data begins at
    /// `slot_offset` (the type's basicsize reserves it).
    unsafe fn slot<'a>(&self, obj: *mut PyObject) -> &'a mut Slot {
        // SAFETY: as the caller guarantees; the GIL keeps the access exclusive.
        unsafe { &mut *obj.cast::<u8>().add(self.slot_offset).cast::<Slot>() }
    }

    /// Sets the Python exception for pepkit `status`, with pepkit's message.
    /// With `export_refusal`, a refusal of the data (buffer, value, not found,
    /// not implemented) is a BufferError, as the array API standard asks of
    /// `__dlpack__` for memory it cannot export.
    ///
    /// # Safety
    /// GIL held, right after the failing pepkit call on this thread.
    unsafe fn raise_status(&self, status: status::pepkit_status, export_refusal: bool) {
        use status::{PEPKIT_ERR_BUFFER, PEPKIT_ERR_NOT_FOUND, PEPKIT_ERR_NOT_IMPLEMENTED, PEPKIT_ERR_VALUE};
        let status = match status {
            PEPKIT_ERR_VALUE | PEPKIT_ERR_NOT_FOUND | PEPKIT_ERR_NOT_IMPLEMENTED if export_refusal => PEPKIT_ERR_BUFFER,
            _ => status,
        };
        let class = usize::try_from(status)
            .ok()
            .and_then(|i| self.exceptions.get(i).copied())
            .filter(|p| !p.is_null())
            .unwrap_or(self.exceptions[status::PEPKIT_ERR_PANIC as usize]);
        // SAFETY: GIL held; PyErr_SetString copies the thread's message.
        unsafe { (self.f.PyErr_SetString)(class, pepkit_last_error()) };
    }

    /// Raises `class` with a static message and returns `value`.
    ///
    /// # Safety
    /// GIL held.
    unsafe fn raise<T>(&self, class: *mut PyObject, message: &'static CStr, value: T) -> T {
        // SAFETY: GIL held; the message is static.
        unsafe { (self.f.PyErr_SetString)(class, message.as_ptr()) };
        value
    }

    /// Runs `body` with no exception set, then puts back the one that was.
    /// For pepkit calls that may end an export and so run a release callback
    /// or a producer's deleter (Python code, through ctypes), which fails if
    /// it starts with an exception pending: a view or a capsule can die while
    /// one is (a failed call's temporaries are dropped with its error set).
    ///
    /// # Safety
    /// GIL held.
    unsafe fn preserving_error<T>(&self, body: impl FnOnce() -> T) -> T {
        let (mut kind, mut value, mut traceback) = (null_mut(), null_mut(), null_mut());
        // SAFETY: GIL held; Fetch moves the pending exception (if any) into
        // the three references, and Restore hands them back.
        unsafe { (self.f.PyErr_Fetch)(&mut kind, &mut value, &mut traceback) };
        let result = body();
        // SAFETY: as above (Restore also takes over the references).
        unsafe { (self.f.PyErr_Restore)(kind, value, traceback) };
        result
    }

    /// A new reference to `obj`.
    ///
    /// # Safety
    /// GIL held; `obj` live.
    unsafe fn new_ref(&self, obj: *mut PyObject) -> *mut PyObject {
        // SAFETY: as the caller guarantees.
        unsafe { (self.f.Py_IncRef)(obj) };
        obj
    }
}

/// `Py_bf_getbuffer`: one pepkit export for the consumer's request `flags`,
/// with the view's `obj` a new Python reference to `exporter` (as the buffer
/// protocol requires). On failure `view.obj` is NULL and the exception is
/// the status's class with pepkit's message.
///
/// # Safety
/// Called by CPython, GIL held: `exporter` a live `pepkit.Object`, `view` the
/// consumer's struct.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_getbuffer(exporter: *mut PyObject, view: *mut pepkit_buffer, flags: c_int) -> c_int {
    // SAFETY: GIL held, as CPython calls buffer slots.
    unsafe {
        python_guard(-1, |api| {
            if view.is_null() {
                return api.raise(api.exceptions[status::PEPKIT_ERR_BUFFER as usize], c"getbuffer: view is NULL", -1);
            }
            let slot = api.slot(exporter);
            if slot.owned == 0 {
                (*view).obj = null_mut();
                return api.raise(api.closed_error, CLOSED, -1);
            }
            let status = pepkit_getbuffer(slot.object, view, flags);
            if status != status::PEPKIT_OK {
                (*view).obj = null_mut();
                api.raise_status(status, false);
                return -1;
            }
            // The export's pepkit reference stays counted by pepkit and is
            // released through `slot.object` (see releasebuffer).
            (*view).obj = api.new_ref(exporter).cast();
            0
        })
    }
}

/// `Py_bf_releasebuffer`: ends the pepkit export of `view`. CPython then
/// clears `view.obj` and drops its reference to `exporter`.
///
/// # Safety
/// Called by CPython, GIL held, for a view [`pepkit_python_getbuffer`] filled.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_releasebuffer(exporter: *mut PyObject, view: *mut pepkit_buffer) {
    // SAFETY: GIL held, as CPython calls buffer slots.
    unsafe {
        python_guard((), |api| {
            let Some(view) = view.as_ref() else { return };
            // pepkit's export names the pepkit object, which the Python view
            // replaced with the Python one: release a copy naming it again.
            let mut export = *view;
            export.obj = api.slot(exporter).object;
            // releasebufferproc cannot fail; a foreign view is left alone.
            let _ = api.preserving_error(|| pepkit_releasebuffer(&mut export));
        })
    }
}

/// Drops the Python object's pepkit reference, once.
fn drop_reference(slot: &mut Slot) {
    if slot.owned != 0 {
        slot.owned = 0;
        // SAFETY: `owned` says the reference is still held; dropping it may
        // run a release callback, which takes the GIL itself (re-entrantly).
        unsafe { pepkit_decref(slot.object) };
    }
}

/// `Py_tp_finalize`: drops the pepkit reference if `close` did not. Touches
/// no Python state, so it is safe at any point of interpreter teardown.
///
/// # Safety
/// Called by CPython, GIL held, on a live `pepkit.Object`.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_finalize(obj: *mut PyObject) {
    // SAFETY: GIL held; `obj` is an instance of the type.
    unsafe { python_guard((), |api| drop_reference(api.slot(obj))) }
}

/// `close()` (METH_NOARGS): drops this reference; idempotent. Exports made
/// before keep the memory.
///
/// # Safety
/// Called by CPython, GIL held, on a live `pepkit.Object`.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_close(obj: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: GIL held; `obj` is an instance of the type.
    unsafe {
        python_guard(null_mut(), |api| {
            drop_reference(api.slot(obj));
            api.new_ref(api.none)
        })
    }
}

/// The `_ptr` getter: the `pepkit_object *` as an int, 0 once closed.
///
/// # Safety
/// Called by CPython, GIL held, on a live `pepkit.Object`.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_get_ptr(obj: *mut PyObject, _closure: *mut c_void) -> *mut PyObject {
    // SAFETY: GIL held; `obj` is an instance of the type.
    unsafe {
        python_guard(null_mut(), |api| {
            let slot = api.slot(obj);
            let ptr = if slot.owned != 0 { slot.object.cast() } else { null_mut() };
            (api.f.PyLong_FromVoidPtr)(ptr)
        })
    }
}

/// The `_ptr` setter, write-once: takes over the caller's reference to the
/// `pepkit_object *` given as an int. Deleting, setting twice and 0 are
/// refused (TypeError, TypeError, ValueError).
///
/// # Safety
/// Called by CPython, GIL held, on a live `pepkit.Object`; the int is a
/// reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_set_ptr(obj: *mut PyObject, value: *mut PyObject, _closure: *mut c_void) -> c_int {
    // SAFETY: GIL held; `obj` is an instance of the type.
    unsafe {
        python_guard(-1, |api| {
            let type_error = api.exceptions[status::PEPKIT_ERR_TYPE as usize];
            let slot = api.slot(obj);
            if value.is_null() || !slot.object.is_null() {
                return api.raise(type_error, c"the pepkit object of a pepkit.Object is set once", -1);
            }
            let ptr = (api.f.PyLong_AsVoidPtr)(value);
            if ptr.is_null() {
                if (api.f.PyErr_Occurred)().is_null() {
                    let value_error = api.exceptions[status::PEPKIT_ERR_VALUE as usize];
                    return api.raise(value_error, c"NULL pepkit_object address", -1);
                }
                return -1;
            }
            slot.object = ptr.cast();
            slot.owned = 1;
            0
        })
    }
}

/// Capsule destructor of "dltensor_versioned": deletes a tensor no consumer
/// took (a consumer renames the capsule "used_dltensor_versioned").
unsafe extern "C" fn free_versioned_capsule(capsule: *mut PyObject) {
    // SAFETY: CPython runs destructors with the GIL; IsValid raises nothing,
    // and GetPointer cannot fail once IsValid said yes.
    unsafe {
        python_guard((), |api| {
            if (api.f.PyCapsule_IsValid)(capsule, DLTENSOR_VERSIONED.as_ptr()) != 0 {
                let tensor = (api.f.PyCapsule_GetPointer)(capsule, DLTENSOR_VERSIONED.as_ptr()).cast::<DLManagedTensorVersioned>();
                if let Some(deleter) = tensor.as_ref().and_then(|t| t.deleter) {
                    api.preserving_error(|| deleter(tensor));
                }
            }
        })
    }
}

/// Capsule destructor of a legacy "dltensor" (see [`free_versioned_capsule`]).
unsafe extern "C" fn free_legacy_capsule(capsule: *mut PyObject) {
    // SAFETY: as in free_versioned_capsule.
    unsafe {
        python_guard((), |api| {
            if (api.f.PyCapsule_IsValid)(capsule, DLTENSOR.as_ptr()) != 0 {
                let tensor = (api.f.PyCapsule_GetPointer)(capsule, DLTENSOR.as_ptr()).cast::<DLManagedTensor>();
                if let Some(deleter) = tensor.as_ref().and_then(|t| t.deleter) {
                    api.preserving_error(|| deleter(tensor));
                }
            }
        })
    }
}

impl Api {
    /// One DLPack export of `slot`'s object in a capsule: a new reference, or
    /// NULL with the exception set (a refused export as BufferError).
    ///
    /// # Safety
    /// GIL held; `slot` an open object's.
    unsafe fn dlpack_capsule(&self, slot: &Slot, versioned: bool) -> *mut PyObject {
        // SAFETY: GIL held; the tensor is ours until the capsule holds it.
        unsafe {
            if versioned {
                let mut tensor = null_mut::<DLManagedTensorVersioned>();
                let status = pepkit_dlpack_export(slot.object, 0, &mut tensor);
                if status != status::PEPKIT_OK {
                    self.raise_status(status, true);
                    return null_mut();
                }
                let capsule = (self.f.PyCapsule_New)(tensor.cast(), DLTENSOR_VERSIONED.as_ptr(), Some(free_versioned_capsule));
                if capsule.is_null() {
                    if let Some(deleter) = (*tensor).deleter {
                        deleter(tensor);
                    }
                }
                capsule
            } else {
                let mut tensor = null_mut::<DLManagedTensor>();
                let status = pepkit_dlpack_export_legacy(slot.object, 0, &mut tensor);
                if status != status::PEPKIT_OK {
                    self.raise_status(status, true);
                    return null_mut();
                }
                let capsule = (self.f.PyCapsule_New)(tensor.cast(), DLTENSOR.as_ptr(), Some(free_legacy_capsule));
                if capsule.is_null() {
                    if let Some(deleter) = (*tensor).deleter {
                        deleter(tensor);
                    }
                }
                capsule
            }
        }
    }

    /// Whether keyword `name` is the interned `known` (or equal to `text`).
    ///
    /// # Safety
    /// GIL held; `name` a str.
    unsafe fn keyword_is(&self, name: *mut PyObject, known: *mut PyObject, text: &CStr) -> bool {
        // SAFETY: as the caller guarantees.
        name == known || unsafe { (self.f.PyUnicode_CompareWithASCIIString)(name, text.as_ptr()) } == 0
    }

    /// `__dlpack__`'s fast path: `Some(versioned)` when every keyword is one
    /// this function settles (max_version None or a tuple whose first item
    /// is an int, copy None or False, stream and dl_device None); `None`
    /// sends the call to the Python fallback. Leaves no exception set.
    ///
    /// # Safety
    /// GIL held; `values` and `kwnames` as CPython passes a vectorcall's.
    unsafe fn dlpack_request(&self, values: *const *mut PyObject, kwnames: *mut PyObject) -> Option<bool> {
        let [stream, max_version, dl_device, copy] = self.dlpack_keywords;
        let mut versioned = false;
        // SAFETY: GIL held; kwnames is a tuple of str with one value each.
        unsafe {
            let count = if kwnames.is_null() { 0 } else { (self.f.PyTuple_Size)(kwnames) };
            for i in 0..count {
                let name = (self.f.PyTuple_GetItem)(kwnames, i);
                let value = *values.offset(i);
                if self.keyword_is(name, max_version, c"max_version") {
                    if value == self.none {
                        continue;
                    }
                    let major = (self.f.PyTuple_GetItem)(value, 0);
                    let major = if major.is_null() { -1 } else { (self.f.PyLong_AsLong)(major) };
                    if major == -1 && !(self.f.PyErr_Occurred)().is_null() {
                        (self.f.PyErr_Clear)();
                        return None;
                    }
                    versioned = major >= 1;
                } else if self.keyword_is(name, copy, c"copy") {
                    if value != self.none && value != self.py_false {
                        return None;
                    }
                } else if self.keyword_is(name, stream, c"stream") || self.keyword_is(name, dl_device, c"dl_device") {
                    if value != self.none {
                        return None;
                    }
                } else {
                    return None;
                }
            }
        }
        Some(versioned)
    }

    /// Calls the Python fallback as `fallback(obj, *args, **kwargs)`.
    ///
    /// # Safety
    /// GIL held; the arguments as CPython passes a vectorcall's.
    unsafe fn dlpack_fallback(&self, obj: *mut PyObject, args: *const *mut PyObject, nargs: pepkit_ssize, kwnames: *mut PyObject) -> *mut PyObject {
        // SAFETY: GIL held; every reference made here is dropped here, and
        // PyTuple_SetItem takes over the one it is given.
        unsafe {
            let count = if kwnames.is_null() { 0 } else { (self.f.PyTuple_Size)(kwnames) };
            let positional = (self.f.PyTuple_New)(nargs + 1);
            if positional.is_null() {
                return null_mut();
            }
            (self.f.PyTuple_SetItem)(positional, 0, self.new_ref(obj));
            for i in 0..nargs {
                (self.f.PyTuple_SetItem)(positional, i + 1, self.new_ref(*args.offset(i)));
            }
            let mut keywords = null_mut();
            let mut result = null_mut();
            'call: {
                if count > 0 {
                    keywords = (self.f.PyDict_New)();
                    if keywords.is_null() {
                        break 'call;
                    }
                    for i in 0..count {
                        let name = (self.f.PyTuple_GetItem)(kwnames, i);
                        if (self.f.PyDict_SetItem)(keywords, name, *args.offset(nargs + i)) < 0 {
                            break 'call;
                        }
                    }
                }
                result = (self.f.PyObject_Call)(self.dlpack_fallback, positional, keywords);
            }
            (self.f.Py_DecRef)(positional);
            if !keywords.is_null() {
                (self.f.Py_DecRef)(keywords);
            }
            result
        }
    }
}

/// `__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`
/// (METH_FASTCALL | METH_KEYWORDS): a "dltensor_versioned" capsule when the
/// consumer passes max_version >= (1, 0), else a legacy "dltensor" one,
/// holding one export. Calls this function does not settle go to the
/// package's Python fallback, which raises as the standard says.
///
/// # Safety
/// Called by CPython, GIL held: `obj` a live `pepkit.Object`, `args` its
/// `nargs` positional then keyword values, `kwnames` NULL or their names.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_dlpack(obj: *mut PyObject, args: *const *mut PyObject, nargs: pepkit_ssize, kwnames: *mut PyObject) -> *mut PyObject {
    // SAFETY: GIL held, as CPython calls methods; the values follow the
    // positional arguments in `args`.
    unsafe {
        python_guard(null_mut(), |api| {
            let slot = api.slot(obj);
            if nargs == 0 && slot.owned != 0 {
                if let Some(versioned) = api.dlpack_request(args, kwnames) {
                    let capsule = api.dlpack_capsule(slot, versioned);
                    if !capsule.is_null() {
                        return capsule;
                    }
                    // A refused export: the fallback raises it with the
                    // standard's classes (and nothing was exported).
                    (api.f.PyErr_Clear)();
                }
            }
            api.dlpack_fallback(obj, args, nargs, kwnames)
        })
    }
}

/// The fallback's capsule maker: `versioned` (1) or legacy (0) capsule of
/// `obj`'s object, or NULL with the exception set (ValueError when closed).
/// Called through ctypes' `PyDLL` (GIL held, exception checked).
///
/// # Safety
/// GIL held; `obj` a live `pepkit.Object`.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_dlpack_capsule(obj: *mut PyObject, versioned: c_int) -> *mut PyObject {
    // SAFETY: GIL held; `obj` is an instance of the type.
    unsafe {
        python_guard(null_mut(), |api| {
            let slot = api.slot(obj);
            if slot.owned == 0 {
                return api.raise(api.closed_error, CLOSED, null_mut());
            }
            api.dlpack_capsule(slot, versioned != 0)
        })
    }
}

/// `__dlpack_device__()` (METH_NOARGS): `(1, 0)`, kDLCPU device 0.
///
/// # Safety
/// Called by CPython, GIL held.
#[no_mangle]
pub unsafe extern "C" fn pepkit_python_dlpack_device(_obj: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: GIL held; the tuple lives for the process.
    unsafe { python_guard(null_mut(), |api| api.new_ref(api.dlpack_device)) }
}
