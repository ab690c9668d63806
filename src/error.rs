//! The one error type of the safe core. Each kind is one C status (see `ffi::status`)
//! and, where CPython has one, one Python exception class.

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
    pub kind: ErrorKind,
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
