//! The safe venv core without any Python: facts are supplied, so these run
//! anywhere `cargo test` does. (The differential tests against real
//! interpreters are in tests/oracle/venv_*.py.)

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use pepkit::error::ErrorKind;
use pepkit::venv::{self, Facts, Options, ScmIgnore, Venv};

struct Tmp(PathBuf);
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp(tag: &str) -> Tmp {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pepkit-venv-core-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    Tmp(dir)
}

/// Facts for a made-up CPython 3.`minor` whose "interpreter" is a file in `root`.
fn facts(root: &Path, minor: u32) -> Facts {
    let bin = root.join("base/bin");
    std::fs::create_dir_all(&bin).expect("base bin");
    let exe = bin.join("python3");
    std::fs::write(&exe, b"#!/bin/sh\n").expect("fake interpreter");
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let scripts = root.join("base/lib/venv/scripts/common");
    std::fs::create_dir_all(&scripts).expect("templates");
    std::fs::write(scripts.join("activate"), "VIRTUAL_ENV=\"__VENV_DIR__\"\nPS1=\"__VENV_PROMPT__${PS1:-}\"\n")
        .expect("template");
    let text = format!(
        "version\t{}\nexecutable\t{}\nbase_executable\t{}\nrealpath\t{}\nmaxsize64\t{}\nvenv_scripts\t{}\n\
         venv_include\t{}\nvenv_purelib\t{}\nvenv_dir\t{}\n",
        hex(&format!("3.{minor}.1")),
        hex(exe.to_str().unwrap_or_default()),
        hex(exe.to_str().unwrap_or_default()),
        hex(exe.to_str().unwrap_or_default()),
        hex("1"),
        hex("bin"),
        hex(if minor >= 11 { "include/python3.x" } else { "include" }),
        hex(&format!("lib/python3.{minor}/site-packages")),
        hex(root.join("base/lib/venv").to_str().unwrap_or_default()),
    );
    Facts::parse(&text).expect("facts parse")
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn opts(f: Facts) -> Options {
    Options { facts: Some(f), with_pip: false, ..Options::default() }
}

#[test]
fn creates_the_layout_and_cfg_of_its_version() {
    let t = tmp("layout");
    let env = t.0.join("env");
    venv::create(&env, &opts(facts(&t.0, 13)), None).expect("create");
    for d in ["bin", "include/python3.x", "lib/python3.13/site-packages"] {
        assert!(env.join(d).is_dir(), "{d}");
    }
    assert_eq!(std::fs::read_link(env.join("lib64")).ok(), Some(PathBuf::from("lib")));
    assert_eq!(std::fs::read_link(env.join("bin/python")).ok(), Some(PathBuf::from("python3")));
    assert_eq!(std::fs::read_link(env.join("bin/python3.13")).ok(), Some(PathBuf::from("python3")));
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).expect("cfg");
    assert!(cfg.contains("include-system-site-packages = false\nversion = 3.13.1\nexecutable = "), "{cfg}");
    assert!(cfg.ends_with(&format!("-m venv --without-pip {}\n", env.display())), "{cfg}");
    assert_eq!(
        std::fs::read_to_string(env.join(".gitignore")).ok().as_deref(),
        Some("# Created by venv; see https://docs.python.org/3/library/venv.html\n*\n")
    );
    let activate = std::fs::read_to_string(env.join("bin/activate")).expect("activate");
    assert_eq!(activate, format!("VIRTUAL_ENV=\"{}\"\nPS1=\"env${{PS1:-}}\"\n", env.display()));
    // Nothing left beside it.
    let names: Vec<OsString> = std::fs::read_dir(&t.0).expect("ls").flatten().map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn older_versions_write_fewer_keys_and_names() {
    let t = tmp("old");
    let env = t.0.join("env");
    let o = Options { prompt: Some("it's".into()), scm_ignore_files: ScmIgnore::Auto, ..opts(facts(&t.0, 8)) };
    venv::create(&env, &o, None).expect("create");
    let cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).expect("cfg");
    assert!(cfg.ends_with("version = 3.8.1\nprompt = \"it's\"\n"), "{cfg}");
    assert!(!env.join("bin/python3.8").exists() && !env.join(".gitignore").exists());
    let activate = std::fs::read_to_string(env.join("bin/activate")).expect("activate");
    assert!(activate.contains("PS1=\"(it's) ${PS1:-}\""), "{activate}");
}

#[test]
fn unsafe_values_are_quoted_with_old_templates() {
    let t = tmp("quote");
    let env = t.0.join("x'$(touch pwned)'y");
    venv::create(&env, &opts(facts(&t.0, 12)), None).expect("create");
    let activate = std::fs::read_to_string(env.join("bin/activate")).expect("activate");
    assert!(activate.starts_with("VIRTUAL_ENV=\"\"'"), "{activate}");
    assert!(!activate.contains("\"x'$(touch"), "{activate}");
}

#[test]
fn clear_refuses_a_non_venv_without_force_and_never_follows_links() {
    let t = tmp("clear");
    let env = t.0.join("project");
    std::fs::create_dir_all(&env).expect("mkdir");
    std::fs::write(env.join("keep.txt"), b"keep").expect("write");
    let outside = t.0.join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("victim"), b"v").expect("write");
    std::os::unix::fs::symlink(&outside, env.join("link")).expect("symlink");
    let f = facts(&t.0, 12);
    let err = venv::create(&env, &Options { clear: true, ..opts(f.clone()) }, None).expect_err("must refuse");
    assert_eq!(err.kind, ErrorKind::Exists);
    assert!(env.join("keep.txt").exists() && !env.join("pyvenv.cfg").exists());
    venv::create(&env, &Options { clear: true, force: true, ..opts(f) }, None).expect("forced");
    assert!(!env.join("keep.txt").exists() && env.join("pyvenv.cfg").exists());
    assert!(outside.join("victim").exists(), "clearing followed a link out of the env");
}

#[test]
fn errors_leave_nothing() {
    let t = tmp("errors");
    let f = facts(&t.0, 12);
    let err = venv::create(&t.0.join("a:b"), &opts(f.clone()), None).expect_err(":");
    assert_eq!(err.kind, ErrorKind::Value);
    let err = venv::create(&t.0.join("uc"), &Options { upgrade: true, clear: true, ..opts(f.clone()) }, None)
        .expect_err("upgrade+clear");
    assert_eq!(err.kind, ErrorKind::Value);
    let missing = Options { python: Some("/nonexistent/python3".into()), facts: None, with_pip: false, ..Options::default() };
    let err = venv::create(&t.0.join("deep/er/env"), &missing, None).expect_err("missing interpreter");
    assert_eq!(err.kind, ErrorKind::NotFound);
    for p in ["a:b", "uc", "deep"] {
        assert!(!t.0.join(p).exists(), "{p} was left behind");
    }
}

#[test]
fn inspection_reads_cfg_like_the_interpreter() {
    let t = tmp("inspect");
    let env = t.0.join("env");
    venv::create(&env, &opts(facts(&t.0, 11)), None).expect("create");
    let mut cfg = std::fs::read_to_string(env.join("pyvenv.cfg")).expect("cfg");
    cfg.push_str(" HOME = second\nExtra = 1\nextra=2\n");
    std::fs::write(env.join("pyvenv.cfg"), cfg).expect("cfg");
    let v = Venv::open(&env).expect("open");
    assert_eq!(v.get("home"), Some(t.0.join("base/bin").to_str().unwrap_or_default()));
    assert_eq!(v.get("EXTRA"), Some("2"));
    assert_eq!(v.site_packages().ok(), Some(env.join("lib/python3.11/site-packages")));
    let located = Venv::locate(env.join("bin/python").as_os_str()).expect("locate");
    assert_eq!(located.dir, env);
    assert_eq!(Venv::open(&t.0).expect_err("not a venv").kind, ErrorKind::NotFound);
}

#[test]
fn supplied_facts_are_validated_before_use() {
    // Facts set directly on the struct (not parsed) get the same checks as
    // the interpreter's output and the cache: a layout path that would leave
    // the env is a ValueError, and nothing is created anywhere.
    let t = tmp("badfacts");
    let good = facts(&t.0, 12);
    let outside = t.0.join("outside");
    let evil: [(&str, &[u8]); 7] = [
        ("..", b".."),
        ("../..", b"../.."),
        ("abs", outside.to_str().unwrap_or_default().as_bytes()),
        ("nul", b"lib/\0x"),
        ("dotdot inside", b"lib/../../x"),
        ("dot", b"./lib"),
        ("empty", b""),
    ];
    use std::os::unix::ffi::OsStringExt;
    for (what, value) in evil {
        for field in 0..3 {
            let mut f = good.clone();
            let v = OsString::from_vec(value.to_vec());
            match field {
                0 => f.venv_purelib = v,
                1 => f.venv_scripts = v,
                _ => f.venv_include = v,
            }
            let env = t.0.join("envs/env");
            let err = venv::create(&env, &opts(f), None).expect_err(what);
            assert_eq!(err.kind, ErrorKind::Value, "{what}: {}", err.message);
            assert!(err.message.starts_with("interpreter facts: venv_"), "{what}: {}", err.message);
            assert!(!t.0.join("envs").exists() && !outside.exists(), "{what}: something was created");
        }
    }
    let mut f = good.clone();
    f.version = "3.12.1; rm -rf /".into();
    assert_eq!(venv::create(&t.0.join("v"), &opts(f), None).expect_err("version").kind, ErrorKind::Value);
    let mut f = good;
    f.wheels = vec![OsString::from("relative/pip-1-py3-none-any.whl")];
    assert_eq!(venv::create(&t.0.join("w"), &opts(f), None).expect_err("wheels").kind, ErrorKind::Value);
}
