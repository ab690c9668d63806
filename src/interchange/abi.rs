//! The two interchange ABIs as Rust mirrors: DLPack 1.x (`dlpack.h`) and the
//! Arrow C Data Interface (`abi.h`). They are `#[repr(C)]` copies of the
//! published structs, field for field; the C header declares the real ones
//! (see cbindgen.toml), so cbindgen is told not to emit these.

use std::ffi::{c_char, c_void};

/// `DLPackVersion`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DLPackVersion {
    /// The ABI's major version: 1.
    pub major: u32,
    /// The ABI's minor version.
    pub minor: u32,
}

/// `DLDevice`: where a tensor's memory is.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DLDevice {
    /// The C enum `DLDeviceType`: 1 is kDLCPU, 2 kDLCUDA, 3 kDLCUDAHost, ...
    pub device_type: i32,
    /// Which device of that type (0 for the CPU).
    pub device_id: i32,
}

/// `DLDataType`: the type of a tensor's items.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DLDataType {
    /// `DLDataTypeCode`: 0 int, 1 uint, 2 float, 4 bfloat, 5 complex, 6 bool.
    pub code: u8,
    /// Bits per lane (8, 16, 32, 64, 128).
    pub bits: u8,
    /// Lanes per item: 1 for scalars (pepkit maps no vector types).
    pub lanes: u16,
}

/// `DLTensor`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DLTensor {
    /// The memory (before `byte_offset`).
    pub data: *mut c_void,
    /// Where the memory is.
    pub device: DLDevice,
    /// The number of dimensions.
    pub ndim: i32,
    /// The item type.
    pub dtype: DLDataType,
    /// `ndim` extents.
    pub shape: *mut i64,
    /// `ndim` strides in items, or NULL for C order.
    pub strides: *mut i64,
    /// Bytes from `data` to the first item.
    pub byte_offset: u64,
}

/// The legacy (unversioned) `DLManagedTensor`.
#[repr(C)]
#[derive(Debug)]
pub struct DLManagedTensor {
    /// The tensor.
    pub dl_tensor: DLTensor,
    /// The producer's context.
    pub manager_ctx: *mut c_void,
    /// Called once by the consumer when done, with this struct.
    pub deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

/// `DLManagedTensorVersioned` (ABI 1.x).
#[repr(C)]
#[derive(Debug)]
pub struct DLManagedTensorVersioned {
    /// The ABI version of the struct.
    pub version: DLPackVersion,
    /// The producer's context.
    pub manager_ctx: *mut c_void,
    /// Called once by the consumer when done, with this struct.
    pub deleter: Option<unsafe extern "C" fn(*mut DLManagedTensorVersioned)>,
    /// `DLPACK_FLAG_BITMASK_*`: read-only, copied.
    pub flags: u64,
    /// The tensor.
    pub dl_tensor: DLTensor,
}

/// The DLPack version pepkit produces: 1.0 (it uses no dtype code newer than that).
pub(crate) const DLPACK_VERSION: DLPackVersion = DLPackVersion { major: 1, minor: 0 };
pub(crate) const DLPACK_FLAG_BITMASK_READ_ONLY: u64 = 1 << 0;

pub(crate) const KDL_CPU: i32 = 1;
pub(crate) const KDL_CUDA_HOST: i32 = 3;
pub(crate) const KDL_ROCM_HOST: i32 = 11;
pub(crate) const KDL_CUDA_MANAGED: i32 = 13;

pub(crate) const KDL_INT: u8 = 0;
pub(crate) const KDL_UINT: u8 = 1;
pub(crate) const KDL_FLOAT: u8 = 2;
pub(crate) const KDL_BFLOAT: u8 = 4;
pub(crate) const KDL_COMPLEX: u8 = 5;
pub(crate) const KDL_BOOL: u8 = 6;

/// `struct ArrowSchema`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowSchema {
    /// The type, as an Arrow format string.
    pub format: *const c_char,
    /// The field name (may be NULL).
    pub name: *const c_char,
    /// Key-value metadata in Arrow's binary encoding, or NULL.
    pub metadata: *const c_char,
    /// `ARROW_FLAG_*`.
    pub flags: i64,
    /// The number of children.
    pub n_children: i64,
    /// `n_children` child schemas.
    pub children: *mut *mut ArrowSchema,
    /// The dictionary's schema, or NULL.
    pub dictionary: *mut ArrowSchema,
    /// Releases the struct (NULL once released).
    pub release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    /// The producer's data.
    pub private_data: *mut c_void,
}

/// `struct ArrowArray`.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArray {
    /// Items (or rows).
    pub length: i64,
    /// Null items, or -1 when not computed.
    pub null_count: i64,
    /// The first item's index in the buffers.
    pub offset: i64,
    /// The number of buffers.
    pub n_buffers: i64,
    /// The number of children.
    pub n_children: i64,
    /// `n_buffers` buffers (validity first).
    pub buffers: *mut *const c_void,
    /// `n_children` child arrays.
    pub children: *mut *mut ArrowArray,
    /// The dictionary, or NULL.
    pub dictionary: *mut ArrowArray,
    /// Releases the struct (NULL once released).
    pub release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    /// The producer's data.
    pub private_data: *mut c_void,
}

pub(crate) const ARROW_FLAG_NULLABLE: i64 = 2;

impl ArrowSchema {
    /// A released (empty) schema.
    #[cfg_attr(not(feature = "raw"), allow(dead_code))]
    pub const fn released() -> ArrowSchema {
        ArrowSchema {
            format: std::ptr::null(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: 0,
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}

impl ArrowArray {
    /// A released (empty) array.
    #[cfg_attr(not(feature = "raw"), allow(dead_code))]
    pub const fn released() -> ArrowArray {
        ArrowArray {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}
