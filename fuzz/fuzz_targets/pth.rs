//! `.pth` handling through the C API: a fuzzed `.pth` file in the
//! site-packages of an env (one per CPython minor, 3.6 to 3.13, made once
//! per process in a private temp dir), read by pepkit_venv_sys_path and
//! pepkit_venv_pth_imports.
//!
//! Checks: both succeed; every path entry is absolute and NUL-free and
//! appears once; the imports come in (file, line) pairs whose lines start
//! with "import" and a space or tab, and name this env's `.pth` file.
#![no_main]

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pepkit::ffi::import::*;
use pepkit::ffi::venv::*;
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

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else { return };
    let minor = 6 + sel as u32 % 8;
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
        assert_eq!(check(pepkit_venv_sys_path(v, &mut list), "sys_path"), pepkit_fuzz::PEPKIT_OK);
        let entries = strings(list);
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            assert!(e.starts_with(b"/"), "relative entry {:?}", String::from_utf8_lossy(e));
            assert!(seen.insert(e.clone()), "entry twice: {:?}", String::from_utf8_lossy(e));
        }
        let mut list = std::ptr::null_mut();
        let status = check(pepkit_venv_pth_imports(v, &mut list), "pth_imports");
        if status == pepkit_fuzz::PEPKIT_ERR_VALUE && text.contains(&0) && pepkit_fuzz::avoid_known_fault() {
            // Open (reported by harden-fuzz, fuzz/regressions/pth/): an
            // import line holding a NUL fails the whole call with VALUE
            // (the list cannot carry it); the interpreter reports that one
            // line and goes on.
            pepkit_venv_free(v);
            return;
        }
        assert_eq!(status, pepkit_fuzz::PEPKIT_OK, "{}", pepkit_fuzz::last_error());
        let imports = strings(list);
        assert_eq!(imports.len() % 2, 0);
        for pair in imports.chunks(2) {
            assert_eq!(pair[0], pth.as_os_str().as_bytes(), "import from another file");
            assert!(pair[1].starts_with(b"import ") || pair[1].starts_with(b"import\t"), "not an import line: {:?}", pair[1]);
        }
        pepkit_venv_free(v);
    }
});
