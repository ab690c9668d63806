//! The memoryview's safe core. So far its leaf pieces: [`hash`], CPython's
//! `_Py_HashBytes` for hashing read-only byte views.

pub mod hash;
