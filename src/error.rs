//! The one error type of the safe core. Each kind is one C status (see the C
//! skin's `status.rs`) and, where CPython has one, one Python exception class.
//!
//! ```
//! use pepkit::{ErrorKind, Object};
//!
//! let err = Object::bytes(b"abc")?.resize(1).unwrap_err();
//! assert_eq!(err.kind, ErrorKind::Type);
//! assert_eq!(err.kind.python_name(), "TypeError");
//! assert_eq!(err.to_string(), "cannot resize a bytes: only a bytearray can be resized");
//! # Ok::<(), pepkit::Error>(())
//! ```

use std::fmt;

/// The class of a failure. Maps one-to-one onto `pepkit_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// CPython's BufferError.
    Buffer,
    /// ValueError.
    Value,
    /// TypeError.
    Type,
    /// IndexError.
    Index,
    /// NotImplementedError.
    NotImplemented,
    /// OverflowError.
    Overflow,
    /// MemoryError.
    NoMemory,
    /// OSError other than "not found" and "exists": I/O, permissions.
    Os,
    /// FileNotFoundError, or a name that resolves to nothing.
    NotFound,
    /// FileExistsError, or a target that is in the way.
    Exists,
    /// A child process failed.
    Subprocess,
    /// A required pointer argument was NULL.
    NullArgument,
    /// A Rust panic was caught at the C boundary (a pepkit bug).
    Panic,
}

impl ErrorKind {
    /// The name of the Python exception class this kind stands for, or a
    /// descriptive name where Python has none.
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::Buffer => "BufferError",
            ErrorKind::Value => "ValueError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Index => "IndexError",
            ErrorKind::NotImplemented => "NotImplementedError",
            ErrorKind::Overflow => "OverflowError",
            ErrorKind::NoMemory => "MemoryError",
            ErrorKind::Os => "OSError",
            ErrorKind::NotFound => "FileNotFoundError",
            ErrorKind::Exists => "FileExistsError",
            ErrorKind::Subprocess => "SubprocessError",
            ErrorKind::NullArgument => "NullArgument",
            ErrorKind::Panic => "Panic",
        }
    }
}

/// A failure with its class and a message that reads like CPython's, plus the
/// specifics (value, path) a caller needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// The class of the failure.
    pub kind: ErrorKind,
    /// What failed, as CPython words it where it has words for it, with the
    /// specifics (the value, the dimension, the path).
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

macro_rules! constructors {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(
            #[doc = concat!("An error of kind [`ErrorKind::", stringify!($kind), "`].")]
            pub fn $name(message: impl Into<String>) -> Error {
                Error::new(ErrorKind::$kind, message)
            }
        )*
    };
}

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    constructors! {
        buffer => Buffer,
        value => Value,
        type_error => Type,
        index => Index,
        not_implemented => NotImplemented,
        overflow => Overflow,
        no_memory => NoMemory,
        os => Os,
        not_found => NotFound,
        exists => Exists,
        subprocess => Subprocess,
        null_argument => NullArgument,
    }

    /// An I/O error with the operation and path it concerns, classed as Python
    /// classes the same `errno`.
    pub fn io(err: &std::io::Error, what: impl fmt::Display) -> Error {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            std::io::ErrorKind::AlreadyExists => ErrorKind::Exists,
            std::io::ErrorKind::OutOfMemory => ErrorKind::NoMemory,
            _ => ErrorKind::Os,
        };
        Error::new(kind, format!("{what}: {err}"))
    }
}

/// `Result` with pepkit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
