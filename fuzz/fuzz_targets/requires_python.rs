//! The Requires-Python reader of the wheel installer: the METADATA header
//! (`requires_python`, as `email.parser` reads it), PEP 440 versions and
//! specifier sets (`Version::parse`, `parse_set`, packaging's rules), and
//! the check against an interpreter version, on any bytes.
//!
//! Checks: the header value has no leading blank and no trailing newline;
//! a set that parses never checks as Invalid, one that does not always
//! does; versions order as a total order (reflexive, antisymmetric, `==`
//! agreeing with `cmp`); the check of a real-looking interpreter version
//! against any set gives an answer and no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pepkit::fuzzing::{parse_set, requires_python, requires_python_check, Verdict, Version};
use std::cmp::Ordering;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Some(v) = requires_python(&text) {
        assert!(!v.starts_with([' ', '\t']), "value not left-stripped: {v:?}");
        assert!(!v.ends_with(['\r', '\n']), "value keeps its newline: {v:?}");
    }

    // The first line is the specifier set, the second and third versions.
    let mut lines = text.split('\n');
    let spec = lines.next().unwrap_or("");
    let parsed = parse_set(spec);
    for version in ["3.6.15", "3.13.0", "3.12.1"] {
        let verdict = requires_python_check(spec, version);
        assert_eq!(verdict == Verdict::Invalid, parsed.is_none(), "{spec:?}: {verdict:?}");
    }
    let (a, b) = (lines.next().and_then(Version::parse), lines.next().and_then(Version::parse));
    if let (Some(a), Some(b)) = (a, b) {
        assert_eq!(a.cmp(&a), Ordering::Equal);
        assert_eq!(a.cmp(&b), b.cmp(&a).reverse(), "{a:?} vs {b:?}");
        assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
        if let Some(set) = &parsed {
            // Any version, parsed, can be asked about without a panic.
            let _ = set.iter().all(|s| s.contains(&a, "x"));
        }
    }
});
