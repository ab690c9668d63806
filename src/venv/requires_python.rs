//! A wheel's `Requires-Python` (its METADATA header) checked against the
//! env's interpreter as pip does: the header read as `email.parser` reads
//! it (the first one; continuation lines joined), parsed as a
//! `packaging.specifiers.SpecifierSet` (PEP 440, packaging 22 and later as
//! pip 24.1+ vendors it), and asked whether it contains the interpreter's
//! `X.Y.Z` (`sys.version_info[:3]`, so a prerelease interpreter counts as
//! its final release, as pip's `RequiresPythonCandidate`). A specifier
//! packaging refuses makes pip warn ("invalid Requires-Python") and install
//! anyway: [`check`] says so instead of refusing.
//!
//! Everything here is bounded by its input: no recursion, no allocation
//! beyond the parsed pieces.

use std::cmp::Ordering;

/// Python's `str.isspace` (what `str.strip` and `re`'s `\s` take).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// A PEP 440 version, normalized as packaging's `Version`; equal and
/// ordered as packaging's (`1.0 == 1.0.0`).
#[derive(Debug, Clone)]
pub struct Version {
    pub epoch: u64,
    pub release: Vec<u64>,
    /// (0 a, 1 b, 2 rc; number).
    pub pre: Option<(u8, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
    /// Lowercased segments; numbers compare as numbers, above strings.
    pub local: Vec<String>,
}

/// A decimal number of ASCII digits at the front of `s` (None when none or
/// too big for u64: packaging takes any size, but no real version needs it).
fn digits(s: &str) -> Option<(u64, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v = s[..n].parse::<u64>().ok()?;
    Some((v, &s[n..]))
}

fn sep(s: &str) -> &str {
    s.strip_prefix(['-', '_', '.']).unwrap_or(s)
}

fn label<'a>(s: &'a str, labels: &[&str]) -> Option<(&'a str, &'a str)> {
    labels.iter().find_map(|l| s.strip_prefix(l).map(|rest| (&s[..l.len()], rest)))
}

/// What follows a label: an optional separator and optional number (0).
fn label_number(rest: &str) -> (u64, &str) {
    let after = sep(rest);
    match digits(after) {
        Some((n, r)) => (n, r),
        None => (0, rest_without_dangling_sep(rest)),
    }
}

/// A separator with no number after it is still consumed by the regex's
/// `[-_\.]?`; the next piece's own optional separator then finds none, which
/// it may (both are optional), so consuming it is equivalent.
fn rest_without_dangling_sep(rest: &str) -> &str {
    sep(rest)
}

/// Which parts a specifier's version may have.
#[derive(Clone, Copy, PartialEq)]
enum Allow {
    /// A full version (Version, `==`/`!=` without `.*`).
    Full,
    /// No local part (`<`, `<=`, `>`, `>=`, `~=`).
    NoLocal,
}

impl Version {
    /// packaging's `Version(text)`: None when it would raise InvalidVersion.
    pub fn parse(text: &str) -> Option<Version> {
        let lower = py_strip(text).to_ascii_lowercase();
        let (v, rest) = Version::parse_prefix(&lower, Allow::Full)?;
        rest.is_empty().then_some(v)
    }

    /// The version at the front of lowercased `s` (after an optional `v`),
    /// and what follows it.
    fn parse_prefix(s: &str, allow: Allow) -> Option<(Version, &str)> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (first, mut s) = digits(s)?;
        let (epoch, first, after) = match s.strip_prefix('!') {
            Some(r) => {
                let (n, r) = digits(r)?;
                (first, n, r)
            }
            None => (0, first, s),
        };
        s = after;
        let mut release = vec![first];
        while let Some(r) = s.strip_prefix('.') {
            match digits(r) {
                Some((n, r)) => {
                    release.push(n);
                    s = r;
                }
                None => break,
            }
        }
        let mut v = Version { epoch, release, pre: None, post: None, dev: None, local: Vec::new() };
        // Pre-release.
        if let Some((l, r)) = label(sep(s), &["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]) {
            let kind = match l {
                "alpha" | "a" => 0,
                "beta" | "b" => 1,
                _ => 2,
            };
            let (n, r) = label_number(r);
            v.pre = Some((kind, n));
            s = r;
        }
        // Post-release: `-N` or a label.
        if let Some((n, r)) = s.strip_prefix('-').and_then(digits) {
            v.post = Some(n);
            s = r;
        } else if let Some((_, r)) = label(sep(s), &["post", "rev", "r"]) {
            let (n, r) = label_number(r);
            v.post = Some(n);
            s = r;
        }
        if let Some((_, r)) = label(sep(s), &["dev"]) {
            let (n, r) = label_number(r);
            v.dev = Some(n);
            s = r;
        }
        if allow == Allow::Full {
            if let Some(r) = s.strip_prefix('+') {
                let n = r.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b)).count();
                let text = &r[..n];
                let parts: Vec<&str> = text.split(['-', '_', '.']).collect();
                if parts.iter().any(|p| p.is_empty()) {
                    return None;
                }
                v.local = parts.into_iter().map(String::from).collect();
                s = &r[n..];
            }
        }
        Some((v, s))
    }

    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    pub fn is_postrelease(&self) -> bool {
        self.post.is_some()
    }

    /// The version without its local part.
    fn public(&self) -> Version {
        Version { local: Vec::new(), ..self.clone() }
    }

    /// `base_version`: epoch and release only.
    fn base(&self) -> Version {
        Version { epoch: self.epoch, release: self.release.clone(), pre: None, post: None, dev: None, local: Vec::new() }
    }
}

/// packaging's `_cmpkey` order.
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        fn trimmed(r: &[u64]) -> &[u64] {
            let n = r.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
            &r[..n]
        }
        // pre: no pre but a dev (and no post) sorts before every pre; no
        // pre otherwise after every pre. Encoded as (rank, kind, number).
        fn pre_key(v: &Version) -> (i8, u8, u64) {
            match v.pre {
                Some((k, n)) => (0, k, n),
                None if v.post.is_none() && v.dev.is_some() => (-1, 0, 0),
                None => (1, 0, 0),
            }
        }
        fn post_key(v: &Version) -> (i8, u64) {
            v.post.map_or((-1, 0), |n| (0, n))
        }
        fn dev_key(v: &Version) -> (i8, u64) {
            v.dev.map_or((1, 0), |n| (0, n))
        }
        fn local_cmp(a: &[String], b: &[String]) -> Ordering {
            // No local sorts first; segments: numbers above strings.
            match (a.is_empty(), b.is_empty()) {
                (true, true) => return Ordering::Equal,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                _ => {}
            }
            for (x, y) in a.iter().zip(b) {
                let o = match (x.parse::<u128>(), y.parse::<u128>()) {
                    (Ok(i), Ok(j)) => i.cmp(&j),
                    (Ok(_), Err(_)) => Ordering::Greater,
                    (Err(_), Ok(_)) => Ordering::Less,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.len().cmp(&b.len())
        }
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| trimmed(&self.release).cmp(trimmed(&other.release)))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| post_key(self).cmp(&post_key(other)))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            .then_with(|| local_cmp(&self.local, &other.local))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One specifier of a set.
#[derive(Debug, Clone, PartialEq)]
pub enum Specifier {
    /// `~=V`; `never` when V was written with a `v` and no epoch: packaging
    /// then builds the prefix `0!v3.*`, which matches nothing.
    Compatible { v: Version, never: bool },
    /// `==V` / `!=V` (`negate`), `wildcard` for `V.*` (a prefix match).
    Equal { v: Version, wildcard: bool, negate: bool },
    /// `<=`, `>=`, `<`, `>`: (the operator, V).
    Ordered(&'static str, Version),
    /// `===text`: string equality, case-insensitive.
    Arbitrary(String),
}

impl Specifier {
    /// packaging's `Specifier(text)`: None when it would raise InvalidSpecifier.
    pub fn parse(text: &str) -> Option<Specifier> {
        let lower = py_strip(text).to_ascii_lowercase();
        let s = lower.as_str();
        if let Some(r) = s.strip_prefix("===") {
            let r = r.trim_start_matches(py_space);
            // `[^\s;)]*` then the end.
            if r.chars().any(|c| py_space(c) || c == ';' || c == ')') {
                return None;
            }
            return Some(Specifier::Arbitrary(r.to_string()));
        }
        for op in ["~=", "==", "!=", "<=", ">=", "<", ">"] {
            let Some(r) = s.strip_prefix(op) else { continue };
            let r = r.trim_start_matches(py_space);
            return match op {
                "==" | "!=" => {
                    let negate = op == "!=";
                    let (v, rest) = Version::parse_prefix(r, Allow::Full)?;
                    if rest.is_empty() {
                        Some(Specifier::Equal { v, wildcard: false, negate })
                    } else if rest == ".*" && v.pre.is_none() && v.post.is_none() && v.dev.is_none() && v.local.is_empty() {
                        Some(Specifier::Equal { v, wildcard: true, negate })
                    } else {
                        None
                    }
                }
                _ => {
                    let (v, rest) = Version::parse_prefix(r, Allow::NoLocal)?;
                    if !rest.is_empty() {
                        return None;
                    }
                    if op == "~=" {
                        // At least two release segments.
                        let never = r.starts_with('v') && !r.contains('!');
                        return (v.release.len() >= 2).then_some(Specifier::Compatible { v, never });
                    }
                    let op: &'static str = match op {
                        "<=" => "<=",
                        ">=" => ">=",
                        "<" => "<",
                        _ => ">",
                    };
                    Some(Specifier::Ordered(op, v))
                }
            };
        }
        None
    }

    /// packaging's `Specifier.contains(item, prereleases=True)`, as pip's
    /// `RequiresPythonRequirement` asks it; `item_text` is `str(item)`.
    pub fn contains(&self, item: &Version, item_text: &str) -> bool {
        match self {
            Specifier::Arbitrary(s) => item_text.to_ascii_lowercase() == *s,
            Specifier::Equal { v, wildcard, negate } => {
                let eq = if *wildcard { prefix_match(item, v) } else if v.local.is_empty() { item.public() == *v } else { item == v };
                eq != *negate
            }
            Specifier::Compatible { v, never } => {
                if *never {
                    return false;
                }
                let prefix = Version { release: v.release[..v.release.len() - 1].to_vec(), ..v.base() };
                item.public() >= *v && prefix_match(item, &prefix)
            }
            Specifier::Ordered(op, v) => match *op {
                "<=" => item.public() <= *v,
                ">=" => item.public() >= *v,
                "<" => item < v && !(item.is_prerelease() && !v.is_prerelease() && item.base() == v.base()),
                _ => {
                    item > v
                        && !(item.is_postrelease() && !v.is_postrelease() && item.base() == v.base())
                        && (item.local.is_empty() || item.base() != v.base())
                }
            },
        }
    }
}

/// `==V.*`: the item's epoch equal, and its release (zero-padded to V's
/// length) starting with V's release (packaging 22's `_compare_equal`).
fn prefix_match(item: &Version, v: &Version) -> bool {
    if item.epoch != v.epoch {
        return false;
    }
    v.release.iter().enumerate().all(|(i, &want)| item.release.get(i).copied().unwrap_or(0) == want)
}

/// packaging's `SpecifierSet(text)`: its comma-separated pieces, empty ones
/// skipped; None when one is invalid (InvalidSpecifier).
pub fn parse_set(text: &str) -> Option<Vec<Specifier>> {
    text.split(',').map(py_strip).filter(|s| !s.is_empty()).map(Specifier::parse).collect()
}

/// The first `Requires-Python` header of a METADATA text, as
/// `email.parser` (compat32) returns it: the header name matched without
/// regard to case, leading blanks of the value dropped, continuation lines
/// kept; the headers end at the first line that is neither.
pub fn requires_python(metadata: &str) -> Option<String> {
    let mut found: Option<String> = None;
    let mut in_it = false;
    for line in metadata.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if in_it {
                if let Some(v) = found.as_mut() {
                    v.push_str(line);
                }
            }
            continue;
        }
        if in_it {
            break;
        }
        // A header line: printable ASCII but ':' up to a ':'.
        let Some((name, value)) = line.split_once(':') else { break };
        if !name.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            break;
        }
        if found.is_none() && name.eq_ignore_ascii_case("requires-python") {
            found = Some(value.trim_start_matches([' ', '\t']).to_string());
            in_it = true;
        }
    }
    found.map(|v| v.trim_end_matches(['\r', '\n']).to_string())
}

/// What [`check`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No header, or the version fits.
    Fits,
    /// The specifier set excludes the version.
    Excluded,
    /// packaging refuses the specifier: pip warns and installs.
    Invalid,
}

/// Whether `spec` (a Requires-Python value) contains the interpreter
/// version `version` (`X.Y.Z`).
pub fn check(spec: &str, version: &str) -> Verdict {
    let Some(set) = parse_set(spec) else { return Verdict::Invalid };
    let Some(v) = Version::parse(version) else { return Verdict::Fits };
    if set.iter().all(|s| s.contains(&v, version)) {
        Verdict::Fits
    } else {
        Verdict::Excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(spec: &str, v: &str) -> bool {
        check(spec, v) == Verdict::Fits
    }

    #[test]
    fn packaging_semantics() {
        for (spec, v, want) in [
            (">=3.7", "3.6.15", false),
            (">=3.7", "3.7.0", true),
            ("==3.7.*", "3.7.16", true),
            ("==3.7.*", "3.8.0", false),
            ("!=3.7.*", "3.7.1", false),
            ("==3.7", "3.7.0", true),
            ("==3.7.0.*", "3.7.0", true),
            ("~=3.7", "3.12.1", true),
            ("~=3.7.1", "3.8.0", false),
            ("~=3.7.1", "3.7.16", true),
            (">3.7", "3.7.0", false),
            (">3.7", "3.7.1", true),
            ("<3.8", "3.8.0", false),
            ("<3.8rc1", "3.7.9", true),
            (">=3.6, <4", "3.13.0", true),
            ("===3.6.15", "3.6.15", true),
            ("===3.6", "3.6.0", false),
            ("", "3.6.15", true),
            (">=3.7,", "3.7.1", true),
            ("> 3.7", "3.8.0", true),
            (">=v3.7", "3.7.0", true),
            ("==3.12.1+local", "3.12.1", false),
            (">=1!0", "3.12.1", false),
        ] {
            assert_eq!(fits(spec, v), want, "{spec:?} contains {v}");
        }
        for bad in ["~=3", ">=3.7x", "=>3.7", "==3.*.1", ">=3.7.*", "<3+local", "3.7", "==3.7.*.*", ">=3.7;"] {
            assert_eq!(check(bad, "3.7.0"), Verdict::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn version_order() {
        let order = ["1.0.dev0", "1.0a1", "1.0b2.post3", "1.0rc1", "1.0", "1.0+abc", "1.0+5", "1.0.post1.dev0", "1.0.post1", "1.1"];
        for w in order.windows(2) {
            assert!(Version::parse(w[0]).unwrap() < Version::parse(w[1]).unwrap(), "{} < {}", w[0], w[1]);
        }
        assert_eq!(Version::parse("1.0").unwrap().cmp(&Version::parse("1.0.0").unwrap()), Ordering::Equal);
    }

    #[test]
    fn metadata_header() {
        let m = "Metadata-Version: 2.1\nName: x\nrequires-python:  >=3.7,\n <4\nRequires-Python: >=9\n\nRequires-Python: body\n";
        assert_eq!(requires_python(m).as_deref(), Some(">=3.7,\n <4"));
        assert_eq!(requires_python("Name: x\n\nRequires-Python: >=3\n"), None);
    }
}
