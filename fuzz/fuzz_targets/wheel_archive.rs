//! The wheel/zip reader: any bytes to `pepkit::fuzzing::check_archive` (src/venv/wheel.rs),
//! which reads a whole archive as pepkit installs one (every member
//! inflated, every bound applied) and writes nothing.
//!
//! Checks: no panic and no abort (an Err is the answer to a bad archive);
//! an Ok stays within the caps of src/venv/wheel.rs: at most 100 000
//! members and at most 256 MiB unpacked (the per-member ratio check is
//! exercised by inputs, not restated here).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((members, total)) = pepkit::fuzzing::check_archive(data) {
        assert!(members <= 100_000, "{members} members");
        assert!(total <= 256 << 20, "{total} bytes unpacked");
    }
});
