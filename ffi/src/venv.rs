//! The C API of `venv/`: creating environments and inspecting them, a thin
//! skin over [`pepkit::venv`]: argument checks, the options struct turned
//! into [`Options`], the safe call, and out-parameters written on success.

use std::ffi::{c_char, c_void, CStr, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::handles::{free_box, give_box};
use super::owned::{c_path, c_string};
use super::{arg_cstr, arg_out, arg_ref, guard, pepkit_status};
use pepkit::error::{Error, Result};
use pepkit::venv::{self, Activators, Facts, FactsSource, Options, PipMode, ScmIgnore, Venv};

/// `pepkit_venv_options.pip_mode`: install the interpreter's bundled pip wheel
/// (ensurepip's, or the distro's wheel directory) natively, with no
/// subprocess. The default.
pub const PEPKIT_VENV_PIP_NATIVE: i32 = 0;
/// `pepkit_venv_options.pip_mode`: run `<env>/bin/python -m ensurepip --upgrade
/// --default-pip` exactly as `python -m venv` does.
pub const PEPKIT_VENV_PIP_ENSUREPIP: i32 = 1;

/// `pepkit_venv_options.scm_ignore_files`: what the interpreter's own
/// `python -m venv` writes by default (a `.gitignore` from 3.13 on, nothing
/// before). The default.
pub const PEPKIT_VENV_SCM_AUTO: i32 = 0;
/// `pepkit_venv_options.scm_ignore_files`: no ignore file (3.13's
/// `--without-scm-ignore-files`).
pub const PEPKIT_VENV_SCM_NONE: i32 = 1;
/// `pepkit_venv_options.scm_ignore_files`: a `.gitignore` whatever the version.
pub const PEPKIT_VENV_SCM_GIT: i32 = 2;

/// `pepkit_venv_options.pip_link_mode`: hard-link the files of pip (and
/// setuptools) from pepkit's cache of unpacked wheels under
/// `$XDG_CACHE_HOME/pepkit/wheels/`, as uv does by default. The default. The
/// env's files then share their inodes with the cache and with other envs:
/// editing one in place edits all (pip's own upgrades and uninstalls replace
/// or unlink files, which is safe). Falls back to copies where links are
/// impossible (another file system) and when the cache is off.
pub const PEPKIT_VENV_LINK_HARDLINK: i32 = 0;
/// `pepkit_venv_options.pip_link_mode`: write private copies of every file.
pub const PEPKIT_VENV_LINK_COPY: i32 = 1;

/// A progress callback: `step` names the step about to run ("facts",
/// "directories", "pyvenv.cfg", "python", "pip", "scripts", "rename",
/// "upgrade-deps", "done"), or, starting with "warning: ", something the
/// caller should know that did not stop the call (a RECORD entry of an
/// older installed pip that would leave the env, skipped instead of removed,
/// as pip's uninstall skips it). `step` is borrowed for the duration of the call
/// only; `ctx` is the options' `progress_ctx`, passed through untouched. The
/// callback runs on the thread that called `pepkit_venv_create` and must not
/// call `pepkit_venv_create` itself.
pub type pepkit_venv_progress_fn = Option<unsafe extern "C" fn(ctx: *mut c_void, step: *const c_char)>;

/// What `pepkit_venv_create` does. Fill it with `pepkit_venv_options_init`
/// (which sets `struct_size` and `python -m venv`'s command-line defaults),
/// then change fields. Every pointer in it is borrowed for the duration of the
/// `pepkit_venv_create` call only; pepkit keeps none of them.
#[repr(C)]
pub struct pepkit_venv_options {
    /// `sizeof(pepkit_venv_options)` as the caller's header defines it; set by
    /// `pepkit_venv_options_init`. Lets the struct grow without breaking callers:
    /// pepkit accepts exactly the sizes of the struct's published versions
    /// (today two) and refuses any other with PEPKIT_ERR_VALUE.
    pub struct_size: usize,
    /// The base interpreter as a user would invoke it: a path (made absolute,
    /// links not resolved: the env's interpreter link is named after it, as
    /// `python -m venv` names it after `sys._base_executable`) or a bare name
    /// looked up on PATH. NULL means `python3` on PATH.
    pub python: *const c_char,
    /// `--system-site-packages`.
    pub system_site_packages: bool,
    /// `--clear`: empty the directory first. A non-empty directory that is not
    /// a venv (no pyvenv.cfg) is refused with PEPKIT_ERR_EXISTS unless `force`.
    pub clear: bool,
    /// Allow `clear` on a non-empty directory that is not a venv.
    pub force: bool,
    /// true (the default): the env's interpreter is a symlink; false: `--copies`.
    pub symlinks: bool,
    /// `--upgrade`: refresh the interpreter links and pyvenv.cfg of an existing env.
    pub upgrade: bool,
    /// Install pip (true by default, as the CLI does; false is `--without-pip`).
    pub with_pip: bool,
    /// `--upgrade-deps`: run the env's pip to upgrade pip (and setuptools on
    /// 3.9 to 3.11) from the package index.
    pub upgrade_deps: bool,
    /// PEPKIT_VENV_PIP_NATIVE (default) or PEPKIT_VENV_PIP_ENSUREPIP.
    pub pip_mode: i32,
    /// PEPKIT_VENV_SCM_AUTO (default), PEPKIT_VENV_SCM_NONE or PEPKIT_VENV_SCM_GIT.
    pub scm_ignore_files: i32,
    /// Native pip only: PEPKIT_VENV_LINK_HARDLINK (default) or PEPKIT_VENV_LINK_COPY.
    pub pip_link_mode: i32,
    /// `--prompt` (UTF-8), or NULL for none; "." means the current directory's
    /// name on 3.9 and later, as in CPython. pyvenv.cfg stores its `repr()`;
    /// for characters whose printability depends on the interpreter's Unicode
    /// version (beyond Latin-1 and a few well-known blocks) pepkit asks the
    /// interpreter for that repr in one short extra run.
    pub prompt: *const c_char,
    /// Called before each step; NULL for none.
    pub progress: pepkit_venv_progress_fn,
    /// Passed to `progress` untouched.
    pub progress_ctx: *mut c_void,
    /// Use pepkit's on-disk caches, of interpreter facts and of unpacked wheels
    /// (default true). The environment variable PEPKIT_NO_CACHE=1 disables
    /// them too.
    pub use_cache: bool,
    /// A file of interpreter facts in the cache's format (as pepkit writes under
    /// `$XDG_CACHE_HOME/pepkit/interpreters/`), used instead of running the
    /// interpreter; NULL (the default) to learn them. The facts are validated
    /// as learned ones are: a layout path that is absolute, has a `..`, `.`,
    /// empty part or NUL, or any other insane fact is PEPKIT_ERR_VALUE
    /// naming it. Borrowed for the duration of the call.
    pub facts_file: *const c_char,
    // Version 2 (pepkit 0.3) appends the fields below; a version-1 caller's
    // struct ends here and gets their defaults.
    /// `--relocatable`: activation and entry-point scripts find the env from
    /// their own location, so a moved env keeps working; pyvenv.cfg records
    /// `relocatable = true`. Default false.
    pub relocatable: bool,
    /// `--allow-existing`: creating in an existing directory keeps what is
    /// there (as `python -m venv` does) but replaces interpreter links an
    /// earlier env left there, so they name this interpreter. Default false.
    pub allow_existing: bool,
    /// Write `CACHEDIR.TAG` at the env's root so backup tools skip the env
    /// (default true; the one file that differs from `python -m venv`'s tree).
    pub cachedir_tag: bool,
    /// Extra activation scripts: a bitwise OR of PEPKIT_VENV_ACTIVATE_*
    /// (default 0, none). An unknown bit is PEPKIT_ERR_VALUE.
    pub activators: u32,
}

/// `pepkit_venv_options.activators`: `bin/activate.nu` for nushell.
pub const PEPKIT_VENV_ACTIVATE_NUSHELL: u32 = 1;
/// `pepkit_venv_options.activators`: `bin/activate.xsh` for xonsh.
pub const PEPKIT_VENV_ACTIVATE_XONSH: u32 = 2;
/// `pepkit_venv_options.activators`: `bin/Activate.ps1` for PowerShell where
/// the interpreter ships none (CPython 3.6 and 3.7); its own is kept otherwise.
pub const PEPKIT_VENV_ACTIVATE_POWERSHELL: u32 = 4;
/// `pepkit_venv_options.activators`: `bin/activate_this.py` (virtualenv's): run
/// with `exec` by any Python, it puts the env's site-packages first on
/// `sys.path` and sets `sys.prefix`.
pub const PEPKIT_VENV_ACTIVATE_THIS: u32 = 8;
/// `pepkit_venv_options.activators`: all of the above.
pub const PEPKIT_VENV_ACTIVATE_ALL: u32 = 15;

/// The C struct of [`Options::default`] (the safe crate's defaults are the only ones).
fn default_c_options() -> pepkit_venv_options {
    let d = Options::default();
    pepkit_venv_options {
        struct_size: std::mem::size_of::<pepkit_venv_options>(),
        python: std::ptr::null(),
        system_site_packages: d.system_site_packages,
        clear: d.clear,
        force: d.force,
        symlinks: d.symlinks,
        upgrade: d.upgrade,
        with_pip: d.with_pip,
        upgrade_deps: d.upgrade_deps,
        pip_mode: match d.pip_mode {
            PipMode::Native => PEPKIT_VENV_PIP_NATIVE,
            PipMode::Ensurepip => PEPKIT_VENV_PIP_ENSUREPIP,
        },
        scm_ignore_files: match d.scm_ignore_files {
            ScmIgnore::Auto => PEPKIT_VENV_SCM_AUTO,
            ScmIgnore::None => PEPKIT_VENV_SCM_NONE,
            ScmIgnore::Git => PEPKIT_VENV_SCM_GIT,
        },
        pip_link_mode: if d.link_wheels { PEPKIT_VENV_LINK_HARDLINK } else { PEPKIT_VENV_LINK_COPY },
        prompt: std::ptr::null(),
        progress: None,
        progress_ctx: std::ptr::null_mut(),
        use_cache: d.facts_source == FactsSource::Cached,
        facts_file: std::ptr::null(),
        relocatable: d.relocatable,
        allow_existing: d.allow_existing,
        cachedir_tag: d.cachedir_tag,
        activators: activator_bits(d.activators),
    }
}

/// The C bitmask of a set of activators.
fn activator_bits(a: Activators) -> u32 {
    [
        (a.nushell, PEPKIT_VENV_ACTIVATE_NUSHELL),
        (a.xonsh, PEPKIT_VENV_ACTIVATE_XONSH),
        (a.powershell, PEPKIT_VENV_ACTIVATE_POWERSHELL),
        (a.activate_this, PEPKIT_VENV_ACTIVATE_THIS),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |bits, (_, bit)| bits | bit)
}

/// The activators a C bitmask names; an unknown bit is refused.
fn activators_of(bits: u32) -> Result<Activators> {
    if bits & !PEPKIT_VENV_ACTIVATE_ALL != 0 {
        return Err(Error::value(format!("unknown activators bits {:#x}", bits & !PEPKIT_VENV_ACTIVATE_ALL)));
    }
    Ok(Activators {
        nushell: bits & PEPKIT_VENV_ACTIVATE_NUSHELL != 0,
        xonsh: bits & PEPKIT_VENV_ACTIVATE_XONSH != 0,
        powershell: bits & PEPKIT_VENV_ACTIVATE_POWERSHELL != 0,
        activate_this: bits & PEPKIT_VENV_ACTIVATE_THIS != 0,
    })
}

/// Fills `*opts` with `python -m venv`'s command-line defaults (symlinks, with
/// pip, native pip mode, the interpreter's default SCM ignore files, cache on,
/// a CACHEDIR.TAG, no extra activators) and sets `struct_size`.
///
/// C and C++ code compiled against this header never calls this symbol: the
/// header defines `pepkit_venv_options_init(opts)` as a macro calling
/// `pepkit_venv_options_init_sized(opts, sizeof(pepkit_venv_options))`, so the whole struct
/// it declares is filled. The symbol itself fills only version 1 of the struct
/// (the fields up to `facts_file`) and sets `struct_size` to that version's
/// size: what a program built against an older header, or a binding that
/// declares version 1 (a ctypes structure, say), has room for.
///
/// `opts` is borrowed: a caller-owned struct (on the stack is fine). Returns
/// PEPKIT_ERR_NULL_ARGUMENT if it is NULL.
#[doc = c_safety!("`opts` is NULL or points to a writable version-1 `pepkit_venv_options`")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_options_init(opts: *mut pepkit_venv_options) -> pepkit_status {
    guard("pepkit_venv_options_init", || {
        let out = arg_out(opts, "opts")?;
        // SAFETY: `out` is non-NULL and, by the caller's contract, has the
        // writable bytes of version 1, the smallest published size.
        unsafe { write_defaults(out, VENV_OPTIONS_SIZES[0]) };
        Ok(())
    })
}

/// Fills the first `size` bytes of `*opts` with the defaults of
/// `pepkit_venv_options_init` and sets `struct_size` to `size`, which must be
/// the size of a published version of `pepkit_venv_options` (today
/// `sizeof(pepkit_venv_options)` or version 1's); any other size is
/// PEPKIT_ERR_VALUE and nothing is written. The header's
/// `pepkit_venv_options_init` macro calls this with `sizeof(pepkit_venv_options)`; a
/// binding declaring the struct itself passes its own size.
///
/// `opts` is borrowed: a caller-owned struct of at least `size` writable bytes.
#[doc = c_safety!("`opts` is NULL or points to at least `size` writable bytes")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_options_init_sized(opts: *mut pepkit_venv_options, size: usize) -> pepkit_status {
    guard("pepkit_venv_options_init_sized", || {
        let out = arg_out(opts, "opts")?;
        check_options_size(size)?;
        // SAFETY: `out` is non-NULL with `size` writable bytes (the caller's
        // contract), and `size` is a published size.
        unsafe { write_defaults(out, size) };
        Ok(())
    })
}

/// Writes the first `size` bytes of the defaults (with `struct_size = size`) to `out`.
///
/// # Safety
/// `out` must have `size` writable bytes, and `size` must be one of
/// [`VENV_OPTIONS_SIZES`] (so the bytes end on a field boundary).
unsafe fn write_defaults(out: *mut pepkit_venv_options, size: usize) {
    let d = pepkit_venv_options { struct_size: size, ..default_c_options() };
    // SAFETY: `size` <= size_of::<pepkit_venv_options>() (a published size), so
    // the read stays in `d`; `out` has `size` writable bytes by contract and
    // cannot overlap the local `d`.
    unsafe { std::ptr::copy_nonoverlapping((&d as *const pepkit_venv_options).cast::<u8>(), out.cast::<u8>(), size) };
}

/// Refuses a `struct_size` that is not the size of a published version.
fn check_options_size(size: usize) -> Result<()> {
    if VENV_OPTIONS_SIZES.contains(&size) {
        return Ok(());
    }
    let accepted: Vec<String> = VENV_OPTIONS_SIZES.iter().map(usize::to_string).collect();
    Err(Error::value(format!(
        "pepkit_venv_options.struct_size is {size}, but this pepkit accepts only {} (the sizes of its \
         published versions); initialize the options with pepkit_venv_options_init",
        accepted.join(" or ")
    )))
}

/// An optional C string (NULL: None).
///
/// # Safety
/// A non-NULL `p` must point to a NUL-terminated string valid for `'a`.
unsafe fn opt_cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: the caller guarantees a non-NULL `p` is a live NUL-terminated string.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// An optional UTF-8 C string (NULL: None), `what` naming it in the error.
///
/// # Safety
/// As [`opt_cstr`].
unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>> {
    // SAFETY: the caller's guarantee, passed on.
    let Some(c) = (unsafe { opt_cstr(p) }) else { return Ok(None) };
    c.to_str().map(Some).map_err(|_| Error::value(format!("{what} is not valid UTF-8")))
}

/// The `struct_size` of every published version of `pepkit_venv_options`,
/// oldest first. A size that is not one of them is refused: copying any other
/// count of bytes could end inside a pointer field and leave half of a
/// caller's pointer over half of a default (a crash, or worse, when read).
/// When a field is appended, the new size is appended here and the older
/// versions' fields keep their offsets.
const VENV_OPTIONS_SIZES: [usize; 2] = [
    // Version 1 ended with `facts_file`, a pointer: the next field starts
    // right after it.
    std::mem::offset_of!(pepkit_venv_options, relocatable),
    std::mem::size_of::<pepkit_venv_options>(),
];

/// Reads the caller's options: exactly the bytes of the version its
/// `struct_size` names, the fields it lacks left at their defaults.
///
/// # Safety
/// A non-NULL `opts` must point to at least `struct_size` readable bytes (a
/// `pepkit_venv_options` of some published version).
unsafe fn read_options(opts: *const pepkit_venv_options) -> Result<pepkit_venv_options> {
    let mut o = default_c_options();
    if opts.is_null() {
        return Ok(o);
    }
    // SAFETY: `struct_size` is the first field of every version, so any
    // caller struct has it readable (unaligned reads are fine for any pointer).
    let size = unsafe { std::ptr::read_unaligned(opts.cast::<usize>()) };
    check_options_size(size)?;
    // SAFETY: `size` is a published version's size, at most
    // size_of::<pepkit_venv_options>(), so the copy fits `o` and ends on a field
    // boundary; the caller's struct has `size` readable bytes by contract, and
    // it cannot overlap our local `o`.
    unsafe { std::ptr::copy_nonoverlapping(opts.cast::<u8>(), (&mut o as *mut pepkit_venv_options).cast::<u8>(), size) };
    Ok(o)
}

/// The safe crate's options for the caller's struct: the C codes turned
/// into their enums (an unknown one refused), the strings borrowed for the
/// call, a facts file read.
///
/// # Safety
/// The string fields of `c` must be NULL or NUL-terminated strings valid for
/// the call.
unsafe fn to_options(c: &pepkit_venv_options) -> Result<Options> {
    // SAFETY: the caller's guarantee for the string fields, passed on.
    let python = unsafe { opt_str(c.python, "opts->python") }?;
    // SAFETY: as above.
    let prompt = unsafe { opt_str(c.prompt, "opts->prompt") }?;
    let pip_mode = match c.pip_mode {
        PEPKIT_VENV_PIP_NATIVE => PipMode::Native,
        PEPKIT_VENV_PIP_ENSUREPIP => PipMode::Ensurepip,
        other => return Err(Error::value(format!("unknown pip_mode {other}"))),
    };
    let scm_ignore_files = match c.scm_ignore_files {
        PEPKIT_VENV_SCM_AUTO => ScmIgnore::Auto,
        PEPKIT_VENV_SCM_NONE => ScmIgnore::None,
        PEPKIT_VENV_SCM_GIT => ScmIgnore::Git,
        other => return Err(Error::value(format!("unknown scm_ignore_files {other}"))),
    };
    let link_wheels = match c.pip_link_mode {
        PEPKIT_VENV_LINK_HARDLINK => true,
        PEPKIT_VENV_LINK_COPY => false,
        other => return Err(Error::value(format!("unknown pip_link_mode {other}"))),
    };
    // SAFETY: as above.
    let facts_file = unsafe { opt_cstr(c.facts_file) };
    Ok(Options {
        python: python.map(Into::into),
        system_site_packages: c.system_site_packages,
        clear: c.clear,
        force: c.force,
        symlinks: c.symlinks,
        upgrade: c.upgrade,
        with_pip: c.with_pip,
        pip_mode,
        upgrade_deps: c.upgrade_deps,
        scm_ignore_files,
        prompt: prompt.map(String::from),
        facts_source: if c.use_cache { FactsSource::Cached } else { FactsSource::NoCache },
        facts: facts_file.map(|path| Facts::from_file(Path::new(OsStr::from_bytes(path.to_bytes())))).transpose()?,
        link_wheels,
        relocatable: c.relocatable,
        allow_existing: c.allow_existing,
        cachedir_tag: c.cachedir_tag,
        activators: activators_of(c.activators)?,
    })
}

/// Creates (or re-creates, clears, upgrades) a virtual environment at
/// `env_dir`, as `python -m venv` would with the same options: for an
/// interpreter with `--without-pip` the tree is byte-identical to the one that
/// interpreter's `venv` writes, at the same path.
///
/// `env_dir` (borrowed, NUL-terminated, UTF-8) is made absolute against the
/// current directory. `opts` is borrowed for the call; NULL means the defaults
/// of `pepkit_venv_options_init`.
///
/// Beyond CPython:
/// - A new environment is built in a hidden directory beside `env_dir` and
///   renamed into place, so it appears whole or not at all; clearing an
///   existing env builds the new one beside it and swaps them atomically.
///   An existing non-empty env without `clear` is updated in place, as CPython
///   does, each file written whole; so is an existing directory whose parent
///   pepkit may not write (nothing can be staged beside it). If another
///   process completes the same env first, its env stands and this call
///   succeeds.
/// - `clear` refuses (PEPKIT_ERR_EXISTS, nothing touched) a non-empty
///   directory that has no pyvenv.cfg unless `force` is set; clearing never
///   follows symlinks out of the env.
/// - No write, link, rename or delete inside the env follows a symlink: each
///   resolves beneath the env directory (`openat2` `RESOLVE_BENEATH |
///   RESOLVE_NO_SYMLINKS`, else an `O_NOFOLLOW` walk). A link where `bin/`,
///   `lib/`, site-packages, `include/` or the env itself must be is refused
///   (PEPKIT_ERR_VALUE); a link where a file is written is replaced, never
///   written through. When native pip replaces an older installed pip, a
///   RECORD entry that would leave the env (absolute elsewhere, `..` past the
///   root, through a symlinked directory, not UTF-8, NUL) is skipped and
///   reported to `progress` as a "warning: ..." step; the rest of the
///   uninstall proceeds, as pip's does.
/// - A path containing ':' is refused (PEPKIT_ERR_VALUE) for every version.
/// - Activation scripts are rendered from the interpreter's own templates with
///   its own quoting. For interpreters whose `venv` predates the
///   CVE-2024-9287 fix, a path or prompt containing `$`, a backquote, `"`,
///   `\`, `!` or a newline would let the old templates run code when sourced;
///   pepkit then writes those values `shlex.quote`d (as the fixed CPython
///   does) instead of copying the exploitable text.
/// - Interpreter facts are learned by at most one run of the interpreter
///   (`-I -S`) and cached (see `use_cache`).
/// - `upgrade` moves an env to a new patch release of its base (cpython
///   #95424): besides what CPython's upgrade rewrites, an interpreter link
///   that leads elsewhere or nowhere is repointed at the new base, and a
///   `bin/` script whose shebang names a missing interpreter is pointed at
///   the env's live interpreter of that name, each atomically. An env
///   recorded for another minor version is refused (PEPKIT_ERR_VALUE, the
///   rebuilding command in the message) before anything is touched.
///
/// Errors: PEPKIT_ERR_NULL_ARGUMENT (`env_dir` NULL); PEPKIT_ERR_VALUE (':' in
/// the path, `upgrade` with `clear`, a `struct_size` that is not the size of
/// a published version of `pepkit_venv_options` (today
/// `sizeof(pepkit_venv_options)` and version 1's, which ended at `facts_file`),
/// an unknown `activators` bit, a file or symlink where the env directory
/// must go, bad UTF-8); PEPKIT_ERR_EXISTS (clearing a non-venv without force);
/// PEPKIT_ERR_NOT_FOUND (no such interpreter); PEPKIT_ERR_OS (permissions,
/// I/O; nothing is left behind); PEPKIT_ERR_SUBPROCESS (the interpreter,
/// ensurepip or pip failed; the output is in the message);
/// PEPKIT_ERR_NOT_IMPLEMENTED (native pip where pepkit cannot install it).
#[doc = c_safety!(
    "`env_dir` is NULL or a NUL-terminated string, and `opts` is NULL or points to the readable "
    "`struct_size` bytes of a `pepkit_venv_options` whose `python`, `prompt` and `facts_file` are NULL or "
    "NUL-terminated strings and whose `progress`, if set, may be called with `progress_ctx` on this thread "
    "during the call; none of it is changed by another thread meanwhile"
)]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_create(env_dir: *const c_char, opts: *const pepkit_venv_options) -> pepkit_status {
    guard("pepkit_venv_create", || {
        // SAFETY: `env_dir` is NULL or a NUL-terminated string (the caller's contract).
        let dir = unsafe { arg_cstr(env_dir, "env_dir") }?;
        if dir.to_bytes().is_empty() {
            // Checked before the options, as ever (venv::Request refuses it too).
            return Err(Error::value("env_dir must not be empty"));
        }
        // SAFETY: `opts` is NULL or a readable options struct of its `struct_size`.
        let c = unsafe { read_options(opts) }?;
        // SAFETY: its string fields are NULL or NUL-terminated (the caller's contract).
        let o = unsafe { to_options(&c) }?;
        let (cb, ctx) = (c.progress, c.progress_ctx);
        let report = move |step: &str| {
            if let (Some(f), Ok(s)) = (cb, CString::new(step)) {
                // SAFETY: the caller supplied `f` to be called with `ctx` and a
                // string borrowed for the call, on this thread, during this call.
                unsafe { f(ctx, s.as_ptr()) };
            }
        };
        let progress: Option<venv::Progress<'_>> = if cb.is_some() { Some(&report) } else { None };
        venv::create(Path::new(OsStr::from_bytes(dir.to_bytes())), &o, progress)?;
        Ok(())
    })
}

/// An opened virtual environment: its directory and its pyvenv.cfg, read once
/// at open. Opaque; created by `pepkit_venv_open` or `pepkit_venv_locate`,
/// freed by `pepkit_venv_free`. Immutable, so a `const pepkit_venv *` may be
/// used from several threads at once.
pub struct pepkit_venv {
    /// The opened env (ffi/import.rs resolves imports in it).
    pub(crate) venv: Venv,
    dir: CString,
    cfg_path: CString,
    /// The values of `venv.entries`, index for index, as C strings to lend out.
    values: Vec<CString>,
    site_packages: Option<CString>,
}

impl pepkit_venv {
    /// The opened env, for the import-resolution functions (ffi/import.rs).
    pub(crate) fn inner(&self) -> &Venv {
        &self.venv
    }
}

fn wrap(venv: Venv) -> Result<pepkit_venv> {
    let values = venv
        .entries
        .iter()
        .map(|(_, v)| c_string(v.as_bytes(), "pyvenv.cfg"))
        .collect::<Result<Vec<_>>>()?;
    let site_packages = venv.site_packages().ok().map(|p| c_path(&p)).transpose()?;
    Ok(pepkit_venv {
        dir: c_path(&venv.dir)?,
        cfg_path: c_path(&venv.cfg_path)?,
        values,
        site_packages,
        venv,
    })
}

/// Opens the environment at `dir` (borrowed, NUL-terminated): reads its
/// pyvenv.cfg.
///
/// On success `*out` receives a new `pepkit_venv` the caller owns and must
/// release with `pepkit_venv_free`. Errors: PEPKIT_ERR_NULL_ARGUMENT,
/// PEPKIT_ERR_NOT_FOUND (no pyvenv.cfg there), PEPKIT_ERR_VALUE (not UTF-8),
/// PEPKIT_ERR_OS. On failure `*out` is not written.
#[doc = c_safety!("`dir` is NULL or a NUL-terminated string and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_open(dir: *const c_char, out: *mut *mut pepkit_venv) -> pepkit_status {
    guard("pepkit_venv_open", || {
        // SAFETY: `dir` is NULL or a NUL-terminated string (the caller's contract).
        let d = unsafe { arg_cstr(dir, "dir") }?;
        let out = arg_out(out, "out")?;
        let v = wrap(Venv::open(Path::new(OsStr::from_bytes(d.to_bytes())))?)?;
        // SAFETY: `out` is non-NULL and writable; nothing can fail after this.
        unsafe { give_box(out, v) };
        Ok(())
    })
}

/// Finds the environment an interpreter started as `executable` (borrowed;
/// a path, made absolute without resolving links, or a bare name looked up on
/// PATH) would run in, by the interpreter's own search: pyvenv.cfg in the
/// executable's parent directory's parent, then in its own directory; a file
/// without a `home` key does not count.
///
/// On success `*out` receives a new `pepkit_venv` (free it with
/// `pepkit_venv_free`). PEPKIT_ERR_NOT_FOUND when the executable is in no venv.
#[doc = c_safety!("`executable` is NULL or a NUL-terminated string and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_locate(executable: *const c_char, out: *mut *mut pepkit_venv) -> pepkit_status {
    guard("pepkit_venv_locate", || {
        // SAFETY: `executable` is NULL or a NUL-terminated string (the caller's contract).
        let e = unsafe { arg_cstr(executable, "executable") }?;
        let out = arg_out(out, "out")?;
        let v = wrap(Venv::locate(OsStr::from_bytes(e.to_bytes()))?)?;
        // SAFETY: `out` is non-NULL and writable; nothing can fail after this.
        unsafe { give_box(out, v) };
        Ok(())
    })
}

/// The value of `key` in the env's pyvenv.cfg, read as the interpreter reads
/// it: keys are case-insensitive and stripped, values stripped; for `home`
/// the first such line counts (the interpreter's path calculation), for any
/// other key the last (`site.py`).
///
/// `key` is borrowed. On success `*out` points to a string owned by `v`,
/// valid until `pepkit_venv_free(v)`; do not free it. PEPKIT_ERR_NOT_FOUND
/// when the key is absent (`*out` untouched).
#[doc = c_safety!(
    "`v` is NULL or a live `pepkit_venv` from pepkit_venv_open or pepkit_venv_locate, `key` is NULL or a "
    "NUL-terminated string, and `out` is NULL or writable"
)]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_get(v: *const pepkit_venv, key: *const c_char, out: *mut *const c_char) -> pepkit_status {
    guard("pepkit_venv_get", || {
        // SAFETY: `v` is NULL or a live handle (the caller's contract).
        let v = unsafe { arg_ref(v, "v") }?;
        // SAFETY: `key` is NULL or a NUL-terminated string (the caller's contract).
        let k = unsafe { arg_cstr(key, "key") }?;
        let out = arg_out(out, "out")?;
        let k = k.to_str().map_err(|_| Error::value("key is not valid UTF-8"))?;
        match v.venv.position(k) {
            Some(i) => {
                // SAFETY: `out` is non-NULL and writable (the caller's contract).
                unsafe { out.write(v.values[i].as_ptr()) };
                Ok(())
            }
            None => Err(Error::not_found(format!("'{k}' is not set in {}", v.venv.cfg_path.display()))),
        }
    })
}

/// The env's site-packages directory (`<env>/lib/pythonX.Y/site-packages`,
/// X.Y from pyvenv.cfg's `version`, or uv's `version_info`, else the one
/// `lib/python*` directory). `*out` is owned by `v`, valid until
/// `pepkit_venv_free(v)`. PEPKIT_ERR_NOT_FOUND when the version cannot be told.
#[doc = c_safety!("`v` is NULL or a live `pepkit_venv` and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_site_packages(v: *const pepkit_venv, out: *mut *const c_char) -> pepkit_status {
    guard("pepkit_venv_site_packages", || {
        // SAFETY: `v` is NULL or a live handle (the caller's contract).
        let v = unsafe { arg_ref(v, "v") }?;
        let out = arg_out(out, "out")?;
        match &v.site_packages {
            Some(s) => {
                // SAFETY: `out` is non-NULL and writable (the caller's contract).
                unsafe { out.write(s.as_ptr()) };
                Ok(())
            }
            None => Err(v.venv.site_packages().err().unwrap_or_else(|| Error::not_found("no site-packages"))),
        }
    })
}

/// The env's directory (absolute) and, if `cfg_path` is not NULL, its
/// pyvenv.cfg path. Both strings are owned by `v`, valid until
/// `pepkit_venv_free(v)`.
#[doc = c_safety!("`v` is NULL or a live `pepkit_venv`, and `out` and `cfg_path` are each NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_dir(v: *const pepkit_venv, out: *mut *const c_char, cfg_path: *mut *const c_char) -> pepkit_status {
    guard("pepkit_venv_dir", || {
        // SAFETY: `v` is NULL or a live handle (the caller's contract).
        let v = unsafe { arg_ref(v, "v") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: `out` is non-NULL and writable (the caller's contract).
        unsafe { out.write(v.dir.as_ptr()) };
        if !cfg_path.is_null() {
            // SAFETY: a non-NULL `cfg_path` is writable (the caller's contract).
            unsafe { cfg_path.write(v.cfg_path.as_ptr()) };
        }
        Ok(())
    })
}

/// Whether the env sees the base interpreter's site-packages
/// (`include-system-site-packages`; a missing key counts as true, as for the
/// interpreter). Writes `*out` on success. `v` and `out` are borrowed for the
/// call.
#[doc = c_safety!("`v` is NULL or a live `pepkit_venv` and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_system_site_packages(v: *const pepkit_venv, out: *mut bool) -> pepkit_status {
    guard("pepkit_venv_system_site_packages", || {
        // SAFETY: `v` is NULL or a live handle (the caller's contract).
        let v = unsafe { arg_ref(v, "v") }?;
        let out = arg_out(out, "out")?;
        // SAFETY: `out` is non-NULL and writable (the caller's contract).
        unsafe { out.write(v.venv.system_site_packages()) };
        Ok(())
    })
}

/// Frees a `pepkit_venv` and every string it handed out. NULL is fine. Must
/// not be called twice with the same pointer.
#[doc = c_safety!(
    "`v` is NULL or a `pepkit_venv` from pepkit_venv_open or pepkit_venv_locate that is not used again, "
    "by this thread or any other"
)]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_free(v: *mut pepkit_venv) {
    // SAFETY: `v` is NULL or a live handle from give_box, never used again
    // (the caller's contract).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe { free_box(v) }));
}

// ---- Health check: pepkit_venv_check and its report. ----

/// `pepkit_venv_report_kind`: not a problem kind; returned, with the error
/// set, for a NULL report or an index past its end.
pub const PEPKIT_VENV_PROBLEM_NONE: i32 = 0;
/// The base interpreter pyvenv.cfg names (`home`, or `executable`) is
/// missing or not an executable file; also a pyvenv.cfg with no `home`.
pub const PEPKIT_VENV_PROBLEM_BASE_MISSING: i32 = 1;
/// The base interpreter reports another version than pyvenv.cfg's
/// `version` (or uv's `version_info`).
pub const PEPKIT_VENV_PROBLEM_BASE_VERSION_DIFFERS: i32 = 2;
/// A link in `bin/` (the `python*` links above all) or `lib64` points at nothing.
pub const PEPKIT_VENV_PROBLEM_DANGLING_LINK: i32 = 3;
/// A script in `bin/` whose `#!` line (or pip's `/bin/sh` exec trampoline)
/// names an absolute interpreter path that does not exist.
pub const PEPKIT_VENV_PROBLEM_SHEBANG_MISSING_INTERPRETER: i32 = 4;
/// A `lib/pythonX.Y/site-packages` for another minor version than the base's.
pub const PEPKIT_VENV_PROBLEM_SITE_PACKAGES_OTHER_MINOR: i32 = 5;

/// What `pepkit_venv_check` found: a list of problems, each a kind (one of
/// the PEPKIT_VENV_PROBLEM_* values), the absolute path it concerns and a
/// one-line message with the command that repairs it. Empty for a healthy
/// env. Opaque; read with `pepkit_venv_report_len`, `_kind`, `_path` and
/// `_message`, freed with `pepkit_venv_report_free`. Immutable: a `const
/// pepkit_venv_report *` may be read from several threads at once.
pub struct pepkit_venv_report {
    items: Vec<(i32, CString, CString)>,
}

fn problem_kind(kind: venv::ProblemKind) -> i32 {
    match kind {
        venv::ProblemKind::BaseMissing => PEPKIT_VENV_PROBLEM_BASE_MISSING,
        venv::ProblemKind::BaseVersionDiffers => PEPKIT_VENV_PROBLEM_BASE_VERSION_DIFFERS,
        venv::ProblemKind::DanglingLink => PEPKIT_VENV_PROBLEM_DANGLING_LINK,
        venv::ProblemKind::ShebangMissingInterpreter => PEPKIT_VENV_PROBLEM_SHEBANG_MISSING_INTERPRETER,
        venv::ProblemKind::SitePackagesOtherMinor => PEPKIT_VENV_PROBLEM_SITE_PACKAGES_OTHER_MINOR,
    }
}

/// Checks the health of the environment at `env_dir` (borrowed,
/// NUL-terminated): the base interpreter pyvenv.cfg names (`home` and
/// `executable`) is there and executable, and reports pyvenv.cfg's version
/// (learned by at most one run of it, cached as for creation); every link in
/// `bin/` and `lib64` resolves; every script in `bin/` whose `#!` line (or
/// pip's `#!/bin/sh` + `'''exec' "/path/python"` form) names an absolute
/// interpreter names one that exists; no `lib/pythonX.Y/site-packages` is for
/// another minor version than the base's. Nothing in the env is written;
/// reads go through a handle on the env that follows no link inside it and
/// are bounded (pyvenv.cfg 1 MiB, a script's first 8 KiB).
///
/// On success (PEPKIT_OK, whatever the env's health) `*out` receives a new
/// report the caller owns and frees with `pepkit_venv_report_free`; an
/// empty report (length 0) means healthy. Errors, `*out` not written:
/// PEPKIT_ERR_NULL_ARGUMENT; PEPKIT_ERR_NOT_FOUND (no such directory, or no
/// pyvenv.cfg in it); PEPKIT_ERR_VALUE (an empty path, not a directory or a
/// symlink, a pyvenv.cfg that is not a regular file, too large or not
/// UTF-8); PEPKIT_ERR_OS (unreadable).
#[doc = c_safety!("`env_dir` is NULL or a NUL-terminated string and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_check(env_dir: *const c_char, out: *mut *mut pepkit_venv_report) -> pepkit_status {
    guard("pepkit_venv_check", || {
        // SAFETY: `env_dir` is NULL or a NUL-terminated string (the caller's contract).
        let dir = unsafe { arg_cstr(env_dir, "env_dir") }?;
        let out = arg_out(out, "out")?;
        let report = venv::check(Path::new(OsStr::from_bytes(dir.to_bytes())))?;
        let mut items = Vec::new();
        pepkit::raw::mem::reserve(&mut items, report.problems.len(), "the health report")?;
        for p in &report.problems {
            items.push((problem_kind(p.kind), c_string(p.message.as_bytes(), "message")?, c_path(&p.path)?));
        }
        // SAFETY: `out` is non-NULL and writable; nothing can fail after this.
        unsafe { give_box(out, pepkit_venv_report { items }) };
        Ok(())
    })
}

fn report_item<'a>(r: *const pepkit_venv_report, index: usize) -> Result<&'a (i32, CString, CString)> {
    // SAFETY: the accessors' contract: NULL or a live report.
    let r = unsafe { arg_ref(r, "report") }?;
    r.items
        .get(index)
        .ok_or_else(|| Error::index(format!("problem index {index} out of range for a report of {}", r.items.len())))
}

/// The number of problems in `r` (0: healthy); 0 with PEPKIT_ERR_NULL_ARGUMENT
/// set when `r` is NULL. `r` is borrowed for the call.
#[doc = c_safety!("`r` is NULL or a live report from pepkit_venv_check")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_report_len(r: *const pepkit_venv_report) -> usize {
    // SAFETY: NULL or a live report (the caller's contract).
    super::guard_or("pepkit_venv_report_len", 0, || Ok(unsafe { arg_ref(r, "report") }?.items.len()))
}

/// The kind of problem `index` of `r` (a PEPKIT_VENV_PROBLEM_* value);
/// PEPKIT_VENV_PROBLEM_NONE with the error set when `r` is NULL
/// (PEPKIT_ERR_NULL_ARGUMENT) or `index` is not below its length
/// (PEPKIT_ERR_INDEX).
#[doc = c_safety!("`r` is NULL or a live report from pepkit_venv_check")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_report_kind(r: *const pepkit_venv_report, index: usize) -> i32 {
    super::guard_or("pepkit_venv_report_kind", PEPKIT_VENV_PROBLEM_NONE, || Ok(report_item(r, index)?.0))
}

/// The message of problem `index` of `r`: one line (UTF-8, paths lossily)
/// saying what is wrong and the command that repairs it. Borrowed from `r`:
/// valid until `pepkit_venv_report_free(r)`; never free it. NULL with the
/// error set when `r` is NULL or `index` out of range (as `_kind`).
#[doc = c_safety!("`r` is NULL or a live report from pepkit_venv_check")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_report_message(r: *const pepkit_venv_report, index: usize) -> *const c_char {
    super::guard_or("pepkit_venv_report_message", std::ptr::null(), || Ok(report_item(r, index)?.1.as_ptr()))
}

/// The absolute path problem `index` of `r` concerns (the base interpreter,
/// the link, the script, the site-packages directory, or pyvenv.cfg; bytes,
/// need not be UTF-8). Borrowed from `r`: valid until
/// `pepkit_venv_report_free(r)`; never free it. NULL with the error set when
/// `r` is NULL or `index` out of range (as `_kind`).
#[doc = c_safety!("`r` is NULL or a live report from pepkit_venv_check")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_report_path(r: *const pepkit_venv_report, index: usize) -> *const c_char {
    super::guard_or("pepkit_venv_report_path", std::ptr::null(), || Ok(report_item(r, index)?.2.as_ptr()))
}

/// Frees a report from `pepkit_venv_check`, and with it every string
/// borrowed from it. NULL is fine. Must not be called twice with the same
/// report, nor while another thread reads it.
#[doc = c_safety!("`r` is NULL or a report from pepkit_venv_check that is not used again")]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_report_free(r: *mut pepkit_venv_report) {
    super::guard_or("pepkit_venv_report_free", (), || {
        // SAFETY: `r` is NULL or a report pepkit made and not yet freed (the caller's contract).
        unsafe { free_box(r) };
        Ok(())
    })
}

// ---- The native wheel installer: pepkit_venv_install_wheel. ----

/// What `pepkit_venv_install_wheel` does. Fill it with
/// `pepkit_wheel_options_init` (which sets `struct_size` and the defaults),
/// then change fields. Every pointer in it is borrowed for the duration of
/// the call only; pepkit keeps none of them.
#[repr(C)]
pub struct pepkit_wheel_options {
    /// `sizeof(pepkit_wheel_options)` as the caller's header defines it; set
    /// by `pepkit_wheel_options_init`. Exactly the sizes of the struct's
    /// published versions (today two: version 1 ended at `progress_ctx`) are
    /// accepted; any other is PEPKIT_ERR_VALUE.
    pub struct_size: usize,
    /// Compile the installed `.py` files to bytecode as pip does by default
    /// (the env's interpreter runs once; the `.pyc` files are listed in
    /// RECORD). Default false, as `pip install --no-compile`.
    pub compile_bytecode: bool,
    /// PEPKIT_VENV_LINK_COPY (the default: private copies, as pip writes) or
    /// PEPKIT_VENV_LINK_HARDLINK (hard links from pepkit's verified cache of
    /// unpacked wheels, as uv does).
    pub link_mode: i32,
    /// Use pepkit's on-disk caches (interpreter facts, unpacked wheels);
    /// default true. PEPKIT_NO_CACHE=1 disables them too.
    pub use_cache: bool,
    /// Called with "install" before installing, "already-satisfied" when the
    /// same version is installed (then nothing changes, as pip's "Requirement
    /// already satisfied"), `"replaced VERSION"` for each other version
    /// removed first, "done" at the end, and
    /// "warning: ..." for what did not stop the call; as
    /// `pepkit_venv_progress_fn` (borrowed string, this thread). NULL for none.
    pub progress: pepkit_venv_progress_fn,
    /// Passed to `progress` untouched.
    pub progress_ctx: *mut c_void,
    /// (Version 2.) PEPKIT_WHEEL_* bits, default 0: today only
    /// PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON. An unknown bit is PEPKIT_ERR_VALUE.
    pub flags: u32,
}

/// `pepkit_wheel_options.flags`: install a wheel whose METADATA
/// `Requires-Python` excludes the env's interpreter (pip's
/// `--ignore-requires-python`); without it such a wheel is refused.
pub const PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON: u32 = 1;

/// The `struct_size` of every published version of `pepkit_wheel_options`,
/// oldest first (see [`VENV_OPTIONS_SIZES`] for why no other is accepted).
const WHEEL_OPTIONS_SIZES: [usize; 2] =
    [std::mem::offset_of!(pepkit_wheel_options, flags), std::mem::size_of::<pepkit_wheel_options>()];

/// Refuses a `struct_size` that is not the size of a published version.
fn check_wheel_options_size(size: usize) -> Result<()> {
    if WHEEL_OPTIONS_SIZES.contains(&size) {
        return Ok(());
    }
    let accepted: Vec<String> = WHEEL_OPTIONS_SIZES.iter().map(usize::to_string).collect();
    Err(Error::value(format!(
        "pepkit_wheel_options.struct_size is {size}, but this pepkit accepts only {} (the sizes of its \
         published versions); initialize the options with pepkit_wheel_options_init",
        accepted.join(" or ")
    )))
}

/// Writes the first `size` bytes of the defaults (with `struct_size = size`) to `out`.
///
/// # Safety
/// `out` must have `size` writable bytes, and `size` must be one of
/// [`WHEEL_OPTIONS_SIZES`].
unsafe fn write_wheel_defaults(out: *mut pepkit_wheel_options, size: usize) {
    let d = pepkit_wheel_options { struct_size: size, ..default_wheel_options() };
    // SAFETY: `size` <= size_of::<pepkit_wheel_options>(), so the read stays in
    // `d`; `out` has `size` writable bytes by contract and cannot overlap `d`.
    unsafe { std::ptr::copy_nonoverlapping((&d as *const pepkit_wheel_options).cast::<u8>(), out.cast::<u8>(), size) };
}

/// Reads the caller's options: exactly the bytes of the version its
/// `struct_size` names, the fields it lacks left at their defaults.
///
/// # Safety
/// A non-NULL `opts` must point to at least `struct_size` readable bytes.
unsafe fn read_wheel_options(opts: *const pepkit_wheel_options) -> Result<pepkit_wheel_options> {
    let mut c = default_wheel_options();
    if opts.is_null() {
        return Ok(c);
    }
    // SAFETY: `struct_size` is the first field of every version.
    let size = unsafe { std::ptr::read_unaligned(opts.cast::<usize>()) };
    check_wheel_options_size(size)?;
    // SAFETY: a published size, at most our struct's, ending on a field
    // boundary; the caller's struct has `size` readable bytes by contract and
    // cannot overlap our local `c`.
    unsafe { std::ptr::copy_nonoverlapping(opts.cast::<u8>(), (&mut c as *mut pepkit_wheel_options).cast::<u8>(), size) };
    Ok(c)
}

/// The safe crate's options for the caller's struct (`progress` still to be set).
fn wheel_install_options(c: &pepkit_wheel_options) -> Result<venv::InstallOptions<'static>> {
    let link_wheels = match c.link_mode {
        PEPKIT_VENV_LINK_HARDLINK => true,
        PEPKIT_VENV_LINK_COPY => false,
        other => return Err(Error::value(format!("unknown link_mode {other}"))),
    };
    if c.flags & !PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON != 0 {
        return Err(Error::value(format!("unknown pepkit_wheel_options.flags bits {:#x}", c.flags & !PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON)));
    }
    Ok(venv::InstallOptions {
        compile_bytecode: c.compile_bytecode,
        link_wheels,
        facts_source: Some(if c.use_cache { FactsSource::Cached } else { FactsSource::NoCache }),
        ignore_requires_python: c.flags & PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON != 0,
        progress: None,
    })
}

fn default_wheel_options() -> pepkit_wheel_options {
    let d = venv::InstallOptions::default();
    pepkit_wheel_options {
        struct_size: std::mem::size_of::<pepkit_wheel_options>(),
        compile_bytecode: d.compile_bytecode,
        link_mode: if d.link_wheels { PEPKIT_VENV_LINK_HARDLINK } else { PEPKIT_VENV_LINK_COPY },
        use_cache: true,
        progress: None,
        progress_ctx: std::ptr::null_mut(),
        flags: 0,
    }
}

/// Fills `*opts` with the defaults (no bytecode, private copies, caches on,
/// no flags) and sets `struct_size`.
///
/// C and C++ code compiled against this header never calls this symbol: the
/// header defines `pepkit_wheel_options_init(opts)` as a macro calling
/// `pepkit_wheel_options_init_sized(opts, sizeof(pepkit_wheel_options))`. The
/// symbol itself fills only version 1 of the struct (the fields up to
/// `progress_ctx`), for programs built against an older header and bindings
/// that declare version 1.
///
/// `opts` is borrowed: a caller-owned struct (on the stack is fine). Returns
/// PEPKIT_ERR_NULL_ARGUMENT if it is NULL.
#[doc = c_safety!("`opts` is NULL or points to a writable version-1 `pepkit_wheel_options`")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_wheel_options_init(opts: *mut pepkit_wheel_options) -> pepkit_status {
    guard("pepkit_wheel_options_init", || {
        let out = arg_out(opts, "opts")?;
        // SAFETY: `out` is non-NULL with the writable bytes of version 1 (the
        // caller's contract), the smallest published size.
        unsafe { write_wheel_defaults(out, WHEEL_OPTIONS_SIZES[0]) };
        Ok(())
    })
}

/// Fills the first `size` bytes of `*opts` with the defaults of
/// `pepkit_wheel_options_init` and sets `struct_size` to `size`, which must be
/// the size of a published version of `pepkit_wheel_options` (today
/// `sizeof(pepkit_wheel_options)` or version 1's); any other size is
/// PEPKIT_ERR_VALUE and nothing is written. The header's
/// `pepkit_wheel_options_init` macro calls this with `sizeof(pepkit_wheel_options)`.
///
/// `opts` is borrowed: a caller-owned struct of at least `size` writable bytes.
#[doc = c_safety!("`opts` is NULL or points to at least `size` writable bytes")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_wheel_options_init_sized(opts: *mut pepkit_wheel_options, size: usize) -> pepkit_status {
    guard("pepkit_wheel_options_init_sized", || {
        let out = arg_out(opts, "opts")?;
        check_wheel_options_size(size)?;
        // SAFETY: `out` is non-NULL with `size` writable bytes (the caller's
        // contract), and `size` is a published size.
        unsafe { write_wheel_defaults(out, size) };
        Ok(())
    })
}

/// Installs the wheel file `wheel_path` into the existing virtual environment
/// `env_dir` exactly as `pip install --no-deps --no-index WHEEL` (with
/// `--no-compile` unless `compile_bytecode`) run by the env's interpreter
/// would: the same files, modes, scripts, RECORD, INSTALLER ("pip"),
/// REQUESTED and direct_url.json, so pip lists, shows and uninstalls it.
///
/// `env_dir` and `wheel_path` (borrowed, NUL-terminated) are made absolute
/// against the current directory. `opts` is borrowed for the call; NULL means
/// the defaults of `pepkit_wheel_options_init`.
///
/// Beyond pip: every member's bytes must match the wheel's RECORD row (hash
/// and size) and every member must be listed there; nothing is written
/// through a symbolic link or outside the env (a link where a directory
/// must be is refused); a failure leaves the env as it was (new files are
/// written under temporary names, renamed into place only when all are).
///
/// Errors: PEPKIT_ERR_NULL_ARGUMENT; PEPKIT_ERR_NOT_FOUND (no env, no wheel
/// file); PEPKIT_ERR_VALUE (tags that do not fit the env's interpreter, named
/// with the interpreter's; a METADATA `Requires-Python` that excludes the
/// interpreter's version, named with both, unless
/// PEPKIT_WHEEL_IGNORE_REQUIRES_PYTHON (one packaging cannot parse is
/// ignored with a "warning: ..." progress call, as pip warns); a RECORD mismatch or a member not in RECORD; a
/// member path leaving the env, named; a bad archive; a link in the way; a
/// `struct_size` that is not a published one); PEPKIT_ERR_NOT_IMPLEMENTED
/// (Wheel-Version 2 or later, unsupported compression); PEPKIT_ERR_OS (I/O);
/// PEPKIT_ERR_SUBPROCESS (the interpreter failed to report its facts or to
/// compile).
#[doc = c_safety!(
    "`env_dir` and `wheel_path` are NULL or NUL-terminated strings, and `opts` is NULL or points to the "
    "readable `struct_size` bytes of a `pepkit_wheel_options` whose `progress`, if set, may be called with "
    "`progress_ctx` on this thread during the call; none of it is changed by another thread meanwhile"
)]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_venv_install_wheel(
    env_dir: *const c_char,
    wheel_path: *const c_char,
    opts: *const pepkit_wheel_options,
) -> pepkit_status {
    guard("pepkit_venv_install_wheel", || {
        // SAFETY: NULL or NUL-terminated strings (the caller's contract).
        let dir = unsafe { arg_cstr(env_dir, "env_dir") }?;
        // SAFETY: as above.
        let wheel = unsafe { arg_cstr(wheel_path, "wheel_path") }?;
        // SAFETY: NULL or `struct_size` readable bytes (the caller's contract).
        let c = unsafe { read_wheel_options(opts) }?;
        let mut o = wheel_install_options(&c)?;
        let (cb, ctx) = (c.progress, c.progress_ctx);
        let report = move |step: &str| {
            if let (Some(f), Ok(s)) = (cb, CString::new(step)) {
                // SAFETY: the caller supplied `f` to be called with `ctx` and a
                // string borrowed for the call, on this thread, during this call.
                unsafe { f(ctx, s.as_ptr()) };
            }
        };
        o.progress = if cb.is_some() { Some(&report) } else { None };
        report("install");
        let done = venv::install_wheel(
            Path::new(OsStr::from_bytes(dir.to_bytes())),
            Path::new(OsStr::from_bytes(wheel.to_bytes())),
            &o,
        )?;
        if done.already_satisfied {
            report("already-satisfied");
        }
        for v in &done.replaced {
            report(&format!("replaced {v}"));
        }
        report("done");
        Ok(())
    })
}

// ---- Interpreter discovery: pepkit_find_python. ----

/// The interpreter `request` names, as `uv python find REQUEST` finds it: a
/// version request (`3`, `3.12`, `3.12.1`, `python3.12`, `cpython@3.12`,
/// `cpython-3.12`, `cp312`, `pypy3`, `pypy3.10`) searched in uv's managed
/// installations, on PATH, then (beyond uv) in pyenv's versions; else a path
/// (a directory means its `bin/python`) or a command on PATH. Each
/// candidate's version and implementation come from running it once
/// (cached); see [`pepkit::venv::discover`] for the order and where pepkit
/// and uv differ.
///
/// `request` (UTF-8 for a request) is borrowed for the call. On success
/// `*out` is a new NUL-terminated string, the interpreter's
/// `sys.executable`, that the caller owns: free it with pepkit_free. On
/// failure `*out` is not written. Errors: PEPKIT_ERR_NOT_FOUND (nothing
/// matches; the message lists where pepkit looked and what it skipped),
/// PEPKIT_ERR_VALUE (empty, or a version before 3.6),
/// PEPKIT_ERR_NULL_ARGUMENT, or the error of querying a path given.
#[doc = c_safety!("`request` is NULL or a NUL-terminated string and `out` is NULL or writable")]
#[must_use]
#[no_mangle]
pub unsafe extern "C" fn pepkit_find_python(request: *const c_char, out: *mut *mut c_char) -> pepkit_status {
    guard("pepkit_find_python", || {
        // SAFETY: `request` is NULL or a NUL-terminated string (the caller's contract).
        let r = unsafe { arg_cstr(request, "request") }?;
        let out = arg_out(out, "out")?;
        let found = venv::find_python(OsStr::from_bytes(r.to_bytes()))?;
        // A path from the file system or the interpreter's own report: no NUL
        // (an OS path cannot hold one), refused anyway if it did.
        let bytes = found.as_os_str().as_bytes();
        if bytes.contains(&0) {
            return Err(Error::value("the interpreter path contains a NUL byte"));
        }
        let p = super::owned::owned_c_string(bytes)?;
        // SAFETY: `out` is non-NULL and writable (the caller's contract).
        unsafe { out.write(p) };
        Ok(())
    })
}
