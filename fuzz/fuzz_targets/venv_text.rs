//! The text parsers of venv: pyvenv.cfg (`parse_cfg`, as `site.venv()`
//! reads it) and the interpreter facts (`Facts::parse`, the query's output
//! and the facts cache's file format), on any bytes.
//!
//! Checks: parse_cfg's keys are stripped and lowercased, its values
//! stripped, one entry per line with '='; whatever Facts::parse accepts
//! serializes to text it parses back to the same facts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pepkit::fuzzing::{parse_cfg, Facts};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let entries = parse_cfg(&text);
    assert!(entries.len() <= text.lines().filter(|l| l.contains('=')).count());
    for (k, v) in &entries {
        assert_eq!(k.trim(), k, "key not stripped");
        assert_eq!(&k.to_lowercase(), k, "key not lowercased");
        assert_eq!(v.trim(), v, "value not stripped");
    }

    if let Ok(facts) = Facts::parse(&text) {
        let again = Facts::parse(&facts.serialize()).expect("serialized facts parse");
        assert_eq!(again, facts, "facts change through serialize and parse");
        assert!(facts.major == 3 && facts.minor >= 6);
    }
});
