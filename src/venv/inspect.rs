//! Reading an existing environment: its pyvenv.cfg, its site-packages, and
//! the interpreter's own search for pyvenv.cfg from an executable.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::paths::{abspath, which};

/// An opened environment: its directory and the key/value lines of its pyvenv.cfg.
#[derive(Debug, Clone)]
pub struct Venv {
    /// The environment directory (absolute, links not resolved).
    pub dir: PathBuf,
    /// The pyvenv.cfg path.
    pub cfg_path: PathBuf,
    /// `(key lowercased and stripped, value stripped)` for every line with `=`, in file order.
    pub entries: Vec<(String, String)>,
}

/// Parses pyvenv.cfg text as `site.venv()` does: every line with an `=`, split
/// on the first one, key stripped and lowercased, value stripped.
pub fn parse_cfg(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (k, v) = line.split_once('=')?;
            Some((k.trim().to_lowercase(), v.trim().to_string()))
        })
        .collect()
}

impl Venv {
    /// Opens the environment at `dir` (made absolute, links not resolved),
    /// which must hold a pyvenv.cfg file: [`crate::error::ErrorKind::NotFound`]
    /// when it does not, `Value` for an empty path or a pyvenv.cfg that is
    /// not UTF-8.
    pub fn open(dir: &Path) -> Result<Venv> {
        if dir.as_os_str().is_empty() {
            return Err(Error::value("dir must not be empty"));
        }
        let dir = abspath(dir);
        let cfg_path = dir.join("pyvenv.cfg");
        Venv::from_cfg(dir, cfg_path)
    }

    fn from_cfg(dir: PathBuf, cfg_path: PathBuf) -> Result<Venv> {
        let bytes = std::fs::read(&cfg_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Venv::not_a_venv(&dir, &cfg_path),
            std::io::ErrorKind::IsADirectory => {
                Error::value(format!("{} is a directory, not a pyvenv.cfg file", cfg_path.display()))
            }
            _ => Error::io(&e, format!("reading {}", cfg_path.display())),
        })?;
        Venv::from_bytes(dir, cfg_path, bytes)
    }

    /// The env at `dir` whose pyvenv.cfg (at `cfg_path`) holds `bytes`, which
    /// must be UTF-8 (`Value` otherwise).
    pub(crate) fn from_bytes(dir: PathBuf, cfg_path: PathBuf, bytes: Vec<u8>) -> Result<Venv> {
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::value(format!("{} is not valid UTF-8", cfg_path.display())))?;
        Ok(Venv { dir, cfg_path, entries: parse_cfg(&text) })
    }

    /// The message for an env whose pyvenv.cfg is missing.
    pub(crate) fn not_a_venv(dir: &Path, cfg_path: &Path) -> Error {
        Error::not_found(format!(
            "{} is not a virtual environment: {} does not exist",
            dir.display(),
            cfg_path.display()
        ))
    }

    /// The interpreter's own pyvenv.cfg search from `executable` (as it would be
    /// invoked: a bare name is looked up on PATH; made absolute, links not
    /// resolved): `dirname(dirname(exe))/pyvenv.cfg`, then `dirname(exe)/pyvenv.cfg`.
    /// A file without a `home` key does not count, as for the interpreter.
    pub fn locate(executable: &OsStr) -> Result<Venv> {
        if executable.is_empty() {
            return Err(Error::value("the executable path must not be empty"));
        }
        let exe = if executable.as_bytes().contains(&b'/') {
            abspath(Path::new(executable))
        } else {
            which(executable).ok_or_else(|| {
                Error::not_found(format!("{} is not on PATH", executable.to_string_lossy()))
            })?
        };
        let exe_dir = exe.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
        let mut candidates = Vec::new();
        if let Some(up) = exe_dir.parent() {
            candidates.push(up.to_path_buf());
        }
        candidates.push(exe_dir);
        for dir in candidates {
            let cfg = dir.join("pyvenv.cfg");
            if std::fs::metadata(&cfg).map(|m| m.is_file()).unwrap_or(false) {
                if let Ok(v) = Venv::from_cfg(dir, cfg) {
                    if v.get("home").is_some() {
                        return Ok(v);
                    }
                }
            }
        }
        Err(Error::not_found(format!("{} is not in a virtual environment (no pyvenv.cfg with a home key)", exe.display())))
    }

    /// The value of `key` (case-insensitive, stripped). `home` is the first
    /// `home` line, as the interpreter's path calculation takes it; any other
    /// key is its last line, as `site.venv()` keeps it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).map(|i| self.entries[i].1.as_str())
    }

    /// The index in [`Venv::entries`] of the line [`Venv::get`] reads for `key`.
    pub fn position(&self, key: &str) -> Option<usize> {
        let key = key.trim().to_lowercase();
        let mut it = self.entries.iter().enumerate().filter(|(_, (k, _))| *k == key).map(|(i, _)| i);
        if key == "home" {
            it.next()
        } else {
            it.next_back()
        }
    }

    /// `X.Y` of the env's interpreter: from `version` (or uv's `version_info`),
    /// else from the one `lib/pythonX.Y` directory.
    pub fn python_version(&self) -> Option<String> {
        for key in ["version", "version_info"] {
            if let Some(v) = self.get(key) {
                let mut parts = v.split('.');
                if let (Some(a), Some(b)) = (parts.next(), parts.next()) {
                    if !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()) && !b.is_empty() {
                        return Some(format!("{a}.{b}"));
                    }
                }
            }
        }
        let rd = std::fs::read_dir(self.dir.join("lib")).ok()?;
        let mut found: Vec<String> = rd
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_prefix("python").map(String::from)))
            .filter(|v| v.contains('.'))
            .collect();
        found.sort();
        if found.len() == 1 {
            found.pop()
        } else {
            None
        }
    }

    /// The env's site-packages directory (`lib/pythonX.Y/site-packages`).
    pub fn site_packages(&self) -> Result<PathBuf> {
        let v = self.python_version().ok_or_else(|| {
            Error::not_found(format!("cannot tell the Python version of {}: no version key in pyvenv.cfg", self.dir.display()))
        })?;
        Ok(self.dir.join("lib").join(format!("python{v}")).join("site-packages"))
    }

    /// Whether the env sees the base's site-packages (`include-system-site-packages`,
    /// a missing key counting as true, as `site.venv()` does).
    pub fn system_site_packages(&self) -> bool {
        self.get("include-system-site-packages").map(|v| v.eq_ignore_ascii_case("true")).unwrap_or(true)
    }
}
