//! The readers of `pepkit_venv_check` and `--upgrade`: a script's first
//! bytes to `parse_shebang` (a `#!` line or pip's `/bin/sh` trampoline),
//! and, for one input in 8 (first byte 0 mod 8), the rest written as a
//! pyvenv.cfg read back through `open_bounded` (1 MiB bound, beneath the
//! env's handle) and `recorded_version`.
//!
//! Checks: a shebang's header lies within the input and starts with `#!`;
//! a plain line's interpreter is non-empty and holds no blank or newline,
//! its arguments no newline; a trampoline's interpreter holds no newline;
//! anything without `#!` is None. The cfg opens (it is small and regular)
//! (or, not UTF-8, is refused as Value) and its recorded version, if any,
//! is the cfg's own text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pepkit::fuzzing::{open_bounded, parse_shebang, recorded_version, MAX_HEAD};
use pepkit::ErrorKind;

fuzz_target!(|data: &[u8]| {
    let head = &data[..data.len().min(MAX_HEAD as usize)];
    match parse_shebang(head) {
        None => {}
        Some(s) => {
            assert!(head.starts_with(b"#!"));
            assert!(s.header_len <= head.len(), "header {} past {} bytes", s.header_len, head.len());
            assert!(!s.interpreter.contains(&b'\n'), "{s:?}");
            if !s.trampoline {
                assert!(!s.interpreter.is_empty(), "{s:?}");
                assert!(!s.interpreter.iter().any(|b| b" \t".contains(b)), "{s:?}");
                assert!(!s.args.contains(&b'\n'), "{s:?}");
            }
        }
    }
    if !head.starts_with(b"#!") {
        assert!(parse_shebang(head).is_none());
    }

    if data.first().is_some_and(|b| b % 8 == 0) {
        let dir = std::env::temp_dir().join(format!("pepkit-fuzz-check-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        std::fs::write(dir.join("pyvenv.cfg"), &data[1..]).expect("writing the cfg");
        let venv = match open_bounded(&dir) {
            Ok(v) => v,
            Err(e) => {
                // Only text that is not UTF-8 is refused.
                assert!(e.kind == ErrorKind::Value && std::str::from_utf8(&data[1..]).is_err(), "{}", e.message);
                return;
            }
        };
        if let Some((_, _, text)) = recorded_version(&venv) {
            let cfg = String::from_utf8_lossy(&data[1..]);
            assert!(text.split('.').all(|p| cfg.contains(p)), "{text:?} not from the cfg");
        }
    }
});
