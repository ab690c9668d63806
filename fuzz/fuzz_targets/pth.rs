//! `.pth` files: any bytes to `pepkit::fuzzing::parse_pth` under the
//! rules of every CPython 3.6-3.13 and each locale encoding pepkit models
//! (fast: no files). One input in 32 also goes end to end: written as a
//! `.pth` file in the site-packages of an env of one minor (made once per
//! process in a private temp dir), read by pepkit_venv_sys_path and
//! pepkit_venv_pth_imports.
//!
//! Checks (parser): import lines start with "import" and a space or tab and
//! hold no NUL (exec would raise: the file ends there) and no line break;
//! paths hold no line break and no trailing ASCII whitespace, and no NUL
//! before 3.8; 3.6-3.12 read a UTF-8 file alike. End to end: both calls
//! succeed; every path entry is absolute and appears once; the imports come
//! in (file, line) pairs naming this env's `.pth` file, and their lines are
//! parse_pth's import lines (once or twice: site reads the env's own
//! site-packages twice).
#![no_main]

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pepkit_ffi::import::*;
use pepkit_ffi::venv::*;
use pepkit::fuzzing::{parse_pth, PthEncoding, PthLine, PthRules};
use pepkit_fuzz::check;

struct Tree {
    root: PathBuf,
}

/// The env of each minor: (env dir, its site-packages).
fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("pepkit-fuzz-pth-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for minor in 6..=13 {
            let home = root.join("home");
            let env = root.join(format!("env3{minor}"));
            let site = env.join(format!("lib/python3.{minor}/site-packages"));
            std::fs::create_dir_all(&site).expect("temp tree");
            std::fs::create_dir_all(home.join(format!("lib/python3.{minor}"))).expect("temp tree");
            std::fs::write(home.join(format!("lib/python3.{minor}/os.py")), "").expect("temp tree");
            for d in ["a", "b", "a/c", "x y"] {
                std::fs::create_dir_all(site.join(d)).expect("temp tree");
            }
            std::fs::write(
                env.join("pyvenv.cfg"),
                format!("home = {}/bin\nversion = 3.{minor}.0\ninclude-system-site-packages = false\n", home.display()),
            )
            .expect("temp tree");
        }
        extern "C" fn cleanup() {
            if let Some(t) = TREE.get() {
                let _ = std::fs::remove_dir_all(&t.root);
            }
        }
        // SAFETY: registering a plain extern "C" fn with no arguments.
        unsafe { libc::atexit(cleanup) };
        Tree { root }
    })
}

/// The strings of a pepkit_strings list, freed.
unsafe fn strings(list: *mut pepkit_strings) -> Vec<Vec<u8>> {
    let n = pepkit_strings_len(list);
    let v = (0..n).map(|i| CStr::from_ptr(pepkit_strings_get(list, i)).to_bytes().to_vec()).collect();
    pepkit_strings_free(list);
    v
}

/// parse_pth under every interpreter's rules.
fn parse_everywhere(text: &[u8]) {
    let mut utf8_312 = None;
    for minor in 6..=13 {
        for locale in [PthEncoding::Utf8, PthEncoding::Ascii, PthEncoding::Latin1, PthEncoding::Other] {
            let Ok(lines) = parse_pth(text, &PthRules { minor, locale }) else { continue };
            for line in &lines {
                match line {
                    PthLine::Import(l) => {
                        assert!(l.starts_with(b"import ") || l.starts_with(b"import\t"), "not an import line: {l:?}");
                        assert!(!l.contains(&0), "an import line with a NUL is run: {l:?}");
                        assert!(!l.contains(&b'\n') && !l.contains(&b'\r'), "a line break inside {l:?}");
                    }
                    PthLine::Path(p) => {
                        assert!(!p.contains(&b'\n') && !p.contains(&b'\r'), "a line break inside {p:?}");
                        assert!(!p.last().is_some_and(|c| c.is_ascii_whitespace()), "trailing space kept: {p:?}");
                        assert!(minor >= 8 || !p.contains(&0), "3.{minor} keeps a path with a NUL");
                    }
                }
            }
            if locale == PthEncoding::Utf8 && (8..=12).contains(&minor) {
                // Same reading from 3.8 to 3.12 (3.6/3.7 differ on NUL paths).
                match &utf8_312 {
                    None => utf8_312 = Some(lines),
                    Some(first) => assert_eq!(first, &lines, "3.{minor} reads the file differently from 3.8"),
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else { return };
    parse_everywhere(text);
    if sel % 32 != 17 {
        // 17, not 0: mutations write 0 into the first byte far more often than 1 in 32.
        return;
    }
    let minor = 6 + (sel / 32) as u32 % 8;
    let t = tree();
    let env = t.root.join(format!("env3{minor}"));
    let pth = env.join(format!("lib/python3.{minor}/site-packages/fuzz.pth"));
    std::fs::write(&pth, text).expect("write .pth");

    let dir = CString::new(env.as_os_str().as_bytes()).expect("no NUL in a temp path");
    let mut v = std::ptr::null_mut();
    // SAFETY (all calls): C strings are NUL-terminated, out-pointers valid, v live until freed.
    unsafe {
        assert_eq!(check(pepkit_venv_open(dir.as_ptr(), &mut v), "venv_open"), pepkit_fuzz::PEPKIT_OK, "{}", pepkit_fuzz::last_error());
        let mut list = std::ptr::null_mut();
        let status = check(pepkit_venv_sys_path(v, &mut list), "sys_path");
        let Ok(lines) = parse_pth(text, &PthRules::for_python(minor)) else {
            // A file the interpreter cannot decode stops it starting: an error.
            assert_eq!(status, pepkit_fuzz::PEPKIT_ERR_VALUE, "an undecodable .pth accepted");
            assert!(list.is_null());
            pepkit_venv_free(v);
            return;
        };
        assert_eq!(status, pepkit_fuzz::PEPKIT_OK, "{}", pepkit_fuzz::last_error());
        let entries = strings(list);
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            assert!(e.starts_with(b"/"), "relative entry {:?}", String::from_utf8_lossy(e));
            assert!(seen.insert(e.clone()), "entry twice: {:?}", String::from_utf8_lossy(e));
        }
        let mut list = std::ptr::null_mut();
        let status = check(pepkit_venv_pth_imports(v, &mut list), "pth_imports");
        assert_eq!(status, pepkit_fuzz::PEPKIT_OK, "{}", pepkit_fuzz::last_error());
        let imports = strings(list);
        assert_eq!(imports.len() % 2, 0);
        for pair in imports.chunks(2) {
            assert_eq!(pair[0], pth.as_os_str().as_bytes(), "import from another file");
        }
        // Exactly the parser's import lines, in order, once or twice (site
        // reads the env's own site-packages twice: site.venv(), then the
        // prefixes; see pepkit_venv_pth_imports).
        let parsed: Vec<&[u8]> = lines.iter().filter_map(|l| if let PthLine::Import(l) = l { Some(*l) } else { None }).collect();
        let listed: Vec<&[u8]> = imports.chunks(2).map(|p| p[1].as_slice()).collect();
        let reps = if parsed.is_empty() { 1 } else { listed.len() / parsed.len() };
        assert!((1..=2).contains(&reps) && listed == parsed.repeat(reps), "pth_imports {listed:?} is not parse_pth's {parsed:?}");
        pepkit_venv_free(v);
    }
});
