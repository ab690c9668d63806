//! Generates the C header with cbindgen from the C skin (`ffi/`, and the
//! C-layout types it takes from `pepkit::raw`), and from it the cffi
//! declarations (see build/cdef.rs); sets the Linux SONAME.
//!
//! The header always goes to `$OUT_DIR/pepkit.h` (so every build proves cbindgen
//! can read the crate). When `PEPKIT_HEADER_OUT` names a file, it is written there
//! too: the Makefile points it at `target/include/pepkit.h` and compares that with
//! the committed `include/pepkit.h`. Nothing is written into the source tree unless
//! asked, so `cargo publish` stays happy.

use std::env;
use std::path::PathBuf;

#[path = "build/cdef.rs"]
mod cdef;

fn main() {
    let artifact_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    // The extern "C" functions live in pepkit-ffi, one directory up.
    let ffi_dir = artifact_dir.parent().expect("ffi/artifact has a parent").to_path_buf();
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let minor = env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets the version");
    let patch = env::var("CARGO_PKG_VERSION_PATCH").expect("cargo sets the version");
    let version = env::var("CARGO_PKG_VERSION").expect("cargo sets the version");

    // 0.m.x is ABI-compatible within 0.m; x.y.z within x.
    let sover = if major == "0" { format!("0.{minor}") } else { major.clone() };
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpepkit.so.{sover}");
    }

    let version_macros = format!(
        "\n/** The header's major version; compare with pepkit_version() at run time. */\n\
         #define PEPKIT_VERSION_MAJOR {major}\n\
         /** The header's minor version. */\n\
         #define PEPKIT_VERSION_MINOR {minor}\n\
         /** The header's patch version. */\n\
         #define PEPKIT_VERSION_PATCH {patch}\n\
         /** The header's version as a string, equal to pepkit_version() of the same release. */\n\
         #define PEPKIT_VERSION_STRING \"{version}\"\n"
    );

    let config = cbindgen::Config::from_file(artifact_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let mut config = config;
    config.after_includes = Some(format!(
        "{}{}",
        config.after_includes.clone().unwrap_or_default(),
        version_macros
    ));

    let bindings = cbindgen::Builder::new()
        .with_crate(&ffi_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings.write_to_file(out_dir.join("pepkit.h"));
    let mut header = Vec::new();
    bindings.write(&mut header);
    let header = String::from_utf8(header).expect("cbindgen writes UTF-8");
    let pointer_bits: u32 = env::var("CARGO_CFG_TARGET_POINTER_WIDTH")
        .ok()
        .and_then(|w| w.parse().ok())
        .expect("cargo sets the target pointer width");
    let cdef = cdef::from_header(&header, pointer_bits);
    std::fs::write(out_dir.join("pepkit_cdef.h"), &cdef).expect("OUT_DIR is writable");

    println!("cargo:rerun-if-env-changed=PEPKIT_HEADER_OUT");
    println!("cargo:rerun-if-env-changed=PEPKIT_CDEF_OUT");
    for (var, text) in [("PEPKIT_HEADER_OUT", &header), ("PEPKIT_CDEF_OUT", &cdef)] {
        if let Ok(path) = env::var(var) {
            if !path.is_empty() {
                let path = PathBuf::from(path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).expect("header output directory can be created");
                }
                std::fs::write(&path, text).expect("header output file is writable");
            }
        }
    }
    println!("cargo:rerun-if-changed={}", ffi_dir.join("src").display());
    // pepkit::raw's C-layout types are part of the header.
    println!("cargo:rerun-if-changed={}", ffi_dir.parent().expect("the workspace root").join("src").display());
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build/cdef.rs");
}
