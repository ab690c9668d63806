//! Wheel compatibility tags (PEP 425) for a CPython on Linux, as pip's
//! `packaging.tags` computes the interpreter's supported set: `cpXY` with its
//! own ABI (`cp313`, `cp313t`), `abi3` (down to `cp32`, not for a
//! free-threaded build) and `none`; `py3X`, `py3` and older `py3Y` with
//! `none`; the platforms `manylinux_2_N` from the machine's glibc down to
//! 2.5 (2.17 on other architectures than x86_64/i686), with the legacy
//! aliases `manylinux2014`, `manylinux2010` and `manylinux1`, then
//! `linux_<arch>`; and `any` for `none`-ABI tags.

use std::collections::BTreeSet;

use super::facts::Facts;

/// What decides which wheels fit one interpreter.
#[derive(Debug, Clone)]
pub(crate) struct Supported {
    minor: u32,
    abi: String,
    abi3: bool,
    platforms: BTreeSet<String>,
}

/// The running machine's glibc version (`gnu_get_libc_version`), which is
/// the one the interpreter links at run time: (major, minor).
fn glibc_version() -> Option<(u32, u32)> {
    // SAFETY: gnu_get_libc_version takes no argument and returns a pointer to
    // a static NUL-terminated string owned by glibc.
    let text = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) }.to_str().ok()?;
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()?;
    Some((major, minor))
}

impl Supported {
    /// The tags `facts`' interpreter supports on this machine.
    pub(crate) fn of(facts: &Facts) -> Supported {
        let arch = match (std::env::consts::ARCH, facts.is_64bit) {
            ("x86_64", false) => "i686",
            ("aarch64", false) => "armv7l",
            (a, _) => a,
        };
        let mut platforms = BTreeSet::new();
        if let Some((2, glibc_minor)) = glibc_version() {
            let oldest = if matches!(arch, "x86_64" | "i686") { 5 } else { 17 };
            for m in (oldest..=glibc_minor).rev() {
                platforms.insert(format!("manylinux_2_{m}_{arch}"));
                let legacy = match m {
                    17 => Some("manylinux2014"),
                    12 => Some("manylinux2010"),
                    5 => Some("manylinux1"),
                    _ => None,
                };
                if let Some(l) = legacy {
                    platforms.insert(format!("{l}_{arch}"));
                }
            }
        }
        platforms.insert(format!("linux_{arch}"));
        let abiflags = if facts.gil_disabled && !facts.abiflags.contains('t') { "t" } else { facts.abiflags.as_str() };
        Supported { minor: facts.minor, abi: format!("cp3{}{abiflags}", facts.minor), abi3: !facts.gil_disabled, platforms }
    }

    /// Whether the tag triple (one of a wheel's, compressed sets expanded) fits.
    fn fits_one(&self, interp: &str, abi: &str, plat: &str) -> bool {
        let own = format!("cp3{}", self.minor);
        let py_ok = |i: &str| {
            i == "py3"
                || i.strip_prefix("py3").and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| y <= self.minor)
        };
        let plat_ok = self.platforms.contains(plat);
        match abi {
            "none" if plat == "any" => interp == own || py_ok(interp),
            "none" => plat_ok && (interp == own || py_ok(interp)),
            "abi3" => {
                self.abi3
                    && plat_ok
                    && interp.strip_prefix("cp3").and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| (2..=self.minor).contains(&y))
            }
            a => plat_ok && interp == own && a == self.abi,
        }
    }

    /// Whether a wheel with the tag part `tags` of its file name
    /// (`py3-none-any`, `cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64`) fits.
    pub(crate) fn fits(&self, tags: &str) -> bool {
        let mut f = tags.splitn(3, '-');
        let (Some(i), Some(a), Some(p)) = (f.next(), f.next(), f.next()) else { return false };
        i.split('.').any(|i| a.split('.').any(|a| p.split('.').any(|p| self.fits_one(i, a, p))))
    }

    /// The interpreter's own tags, shortened for a message: `cp312-cp312`,
    /// `abi3`, `none`; the newest and oldest manylinux, linux_<arch>.
    pub(crate) fn describe(&self) -> String {
        let mut plats: Vec<&String> = self.platforms.iter().filter(|p| p.starts_with("manylinux_2_")).collect();
        plats.sort_by_key(|p| p.trim_start_matches("manylinux_2_").split('_').next().and_then(|n| n.parse::<u32>().ok()));
        let linux = self.platforms.iter().find(|p| p.starts_with("linux_")).map(String::as_str).unwrap_or("linux");
        let range = match (plats.first(), plats.last()) {
            (Some(lo), Some(hi)) => format!("{hi} down to {lo} (and the manylinux1/2010/2014 aliases), {linux}"),
            _ => linux.to_string(),
        };
        format!(
            "cp3{m}-{abi}, {abi3}py3{m}/py3-none, on {range}, or any",
            m = self.minor,
            abi = self.abi,
            abi3 = if self.abi3 { format!("cp32..cp3{}-abi3, ", self.minor) } else { String::new() }
        )
    }
}

/// The tag part of a wheel file name (`{name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl`).
pub(crate) fn wheel_tags(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() != 5 && parts.len() != 6 {
        return None;
    }
    Some(parts[parts.len() - 3..].join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sup(minor: u32, gil_disabled: bool) -> Supported {
        let facts = Facts { minor, major: 3, is_64bit: true, gil_disabled, ..Facts::default() };
        Supported::of(&facts)
    }

    #[test]
    fn cpython_tags() {
        let s = sup(12, false);
        assert!(s.fits("py3-none-any"));
        assert!(s.fits("py2.py3-none-any"));
        assert!(s.fits("cp312-none-any"));
        assert!(!s.fits("cp311-none-any"));
        assert!(s.fits("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64") == cfg!(target_arch = "x86_64"));
        assert!(!s.fits("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"));
        assert!(s.fits("cp39-abi3-manylinux2014_x86_64") == cfg!(target_arch = "x86_64"));
        assert!(!s.fits("cp313-abi3-manylinux2014_x86_64"));
        assert!(!s.fits("cp27-cp27mu-linux_x86_64"));
        assert!(!s.fits("cp312-cp312-win_amd64"));
        assert!(!s.fits("py313-none-any"));
        assert!(!s.fits("cp312-cp312-manylinux_2_999_x86_64"));
        assert!(!sup(13, true).fits("cp39-abi3-manylinux2014_x86_64"));
        assert!(!sup(13, true).fits("cp313-cp313-linux_x86_64"));
        assert!(sup(13, true).fits("cp313-cp313t-linux_x86_64") == cfg!(target_arch = "x86_64"));
        assert_eq!(wheel_tags("a-1-py3-none-any.whl").as_deref(), Some("py3-none-any"));
        assert_eq!(wheel_tags("a-1-1b-py3-none-any.whl").as_deref(), Some("py3-none-any"));
        assert_eq!(wheel_tags("a-1.whl"), None);
    }
}
