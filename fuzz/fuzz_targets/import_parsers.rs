//! import's pure parsers on any bytes: the zip index zipimport reads
//! (`parse_zip_index`, for every CPython minor 3.6-3.13), setuptools'
//! editable finder module (`parse_editable_finder`) and the `editables`
//! package's bootstrap module (`parse_bootstrap`). The first byte picks:
//! even the zip index, 1 mod 4 the finder, 3 mod 4 the bootstrap.
//!
//! Checks: no panic or abort; an index has no more members than its
//! central directory can hold (46 bytes each at least) and no name longer
//! than the input's UTF-8 decoding can be (3 bytes a byte, code page 437);
//! a finder is for the module asked, and its entries fit the text
//! (`'k': 'v'` takes 5 bytes at least, no string is longer than the text); a bootstrap's calls fit the text (`F.map_module('', '/')` takes
//! 21 bytes) and their paths are absolute, without NUL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pepkit::fuzzing::parse_bootstrap;
use pepkit::fuzzing::parse_editable_finder;
use pepkit::fuzzing::parse_zip_index;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    if sel & 1 == 0 {
        for minor in 6..=13 {
            if let Ok(Some(index)) = parse_zip_index(body, minor) {
                assert!(index.files.len() * 46 <= body.len(), "{} members in {} bytes", index.files.len(), body.len());
                // A code page 437 byte decodes to at most 3 UTF-8 bytes.
                assert!(index.files.keys().all(|name| name.len() <= 3 * body.len()));
            }
        }
    } else if sel & 2 != 0 {
        if let Ok(calls) = parse_bootstrap(body) {
            assert!(calls.len() * 21 <= body.len(), "{} calls in {} bytes", calls.len(), body.len());
            for (name, path) in &calls {
                assert!(name.len() <= body.len() && path.len() <= body.len());
                assert!(path.starts_with(b"/") && !path.contains(&0));
            }
        }
    } else if let Ok(finder) = parse_editable_finder(b"__editable___fuzz_finder", body) {
        assert_eq!(finder.module, b"__editable___fuzz_finder");
        assert!(finder.mapping.len() * 5 <= body.len(), "{} entries in {} bytes", finder.mapping.len(), body.len());
        for (name, path) in &finder.mapping {
            assert!(name.len() <= body.len() && path.len() <= body.len());
        }
        assert!(finder.placeholder.len() <= body.len());
    }
});
