//! Interchange with the array ecosystem: DLPack (versioned 1.x and legacy)
//! and the Arrow C Data Interface, both ways, zero-copy.
//!
//! - [`dtype`]: struct-module formats against DLPack dtypes and Arrow formats.
//! - [`dlpack`]: exporting pepkit memory as managed tensors, importing them.
//! - [`arrow`]: exporting pepkit memory as Arrow arrays, importing them.
//!
//! Ownership follows each side's rules: an export holds one pepkit export of
//! the exporter until the consumer's deleter or release runs; an import takes
//! the producer's struct and runs its deleter or release exactly once, when the
//! new object's last reference and export are gone.

pub mod abi;
pub mod arrow;
pub mod dlpack;
pub mod dtype;
