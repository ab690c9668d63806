//! Generates the C header with cbindgen and sets the Linux SONAME.
//!
//! The header always goes to `$OUT_DIR/pepkit.h` (so every build proves cbindgen
//! can read the crate). When `PEPKIT_HEADER_OUT` names a file, it is written there
//! too: the Makefile points it at `target/include/pepkit.h` and compares that with
//! the committed `include/pepkit.h`. Nothing is written into the source tree unless
//! asked, so `cargo publish` stays happy.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
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
        "\n/** The version of the header; compare with pepkit_version() at run time. */\n\
         #define PEPKIT_VERSION_MAJOR {major}\n\
         #define PEPKIT_VERSION_MINOR {minor}\n\
         #define PEPKIT_VERSION_PATCH {patch}\n\
         #define PEPKIT_VERSION_STRING \"{version}\"\n"
    );

    let config = cbindgen::Config::from_file(PathBuf::from(&crate_dir).join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let mut config = config;
    config.after_includes = Some(format!(
        "{}{}",
        config.after_includes.clone().unwrap_or_default(),
        version_macros
    ));

    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings.write_to_file(out_dir.join("pepkit.h"));
    println!("cargo:rerun-if-env-changed=PEPKIT_HEADER_OUT");
    if let Ok(path) = env::var("PEPKIT_HEADER_OUT") {
        if !path.is_empty() {
            let path = PathBuf::from(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("header output directory can be created");
            }
            bindings.write_to_file(&path);
        }
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
}
