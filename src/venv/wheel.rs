//! Reading a wheel, which is hostile input: the zip container is parsed by the
//! `zip` crate (well kept and fuzzed, where a hand-written reader was neither),
//! and pepkit adds the bounds a zip reader does not enforce for its caller:
//!
//! - the archive file is at most `MAX_ARCHIVE_BYTES` (256 MiB), with at most
//!   `MAX_MEMBERS` (100,000) members;
//! - the declared uncompressed sizes add up to at most `MAX_TOTAL_SIZE` (256 MiB), and no
//!   member of `RATIO_FLOOR` (1 MiB) or more expands more than `MAX_RATIO` (100)
//!   times (small files may compress better; they cannot make a bomb);
//! - local and central headers agree, names are unique, no two members share
//!   bytes (the overlapping-member bomb), no name has a NUL, a `..` or a
//!   leading `/` (checked by the installer, which names the member);
//! - members are inflated as a stream (memory independent of member size),
//!   never yield a byte beyond their declared size nor stop short of it, and
//!   must match their CRC-32.
//!
//! The caps are far above any real wheel: the bundled pip and setuptools wheels
//! of CPython 3.6 to 3.13 are at most 2.2 MB, unpack to at most 7.3 MB, hold at
//! most 532 members and expand at most 17 times per member.
//!
//! Also here: the SHA-256 and url-safe base64 a wheel's RECORD uses.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use zip::ZipArchive;

use crate::error::{Error, Result};

/// The largest wheel file pepkit reads (it is held in memory while installing).
pub(crate) const MAX_ARCHIVE_BYTES: u64 = 256 << 20;
/// The most members a wheel may have.
pub(crate) const MAX_MEMBERS: usize = 100_000;
/// The most bytes a wheel may unpack to, all members together.
pub(crate) const MAX_TOTAL_SIZE: u64 = 256 << 20;
/// The most a member of `RATIO_FLOOR` (1 MiB) or more may expand.
pub(crate) const MAX_RATIO: u64 = 100;
/// Members smaller than this are not held to `MAX_RATIO`.
pub(crate) const RATIO_FLOOR: u64 = 1 << 20;

/// One member of a zip archive.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    index: usize,
    /// The declared uncompressed size (central directory, checked against
    /// the local header and, while reading, against the data).
    pub size: u64,
    /// The Unix mode bits, when the archive was made on Unix.
    pub unix_mode: Option<u32>,
}

impl Member {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// A zip archive held in memory, every bound above checked.
pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    pub members: Vec<Member>,
    what: String,
}

/// `zip`'s error as a pepkit error naming the archive (and the member, if any).
fn zip_error(what: &str, member: Option<&str>, e: zip::result::ZipError) -> Error {
    let at = member.map(|m| format!(": member {m:?}")).unwrap_or_default();
    match e {
        zip::result::ZipError::Io(e) => Error::value(format!("{what}{at}: {e}")),
        zip::result::ZipError::UnsupportedArchive(why) => {
            Error::not_implemented(format!("{what}{at}: unsupported zip archive: {why}"))
        }
        other => Error::value(format!("{what}{at}: bad zip file: {other}")),
    }
}

/// True when `data` has an end-of-central-directory record where a zip file
/// (with a comment of at most 64 KiB) must have one.
fn has_eocd(data: &[u8]) -> bool {
    const EOCD: &[u8; 4] = b"PK\x05\x06";
    data.len() >= 22 && data[data.len().saturating_sub(22 + 65535)..].windows(4).any(|w| w == EOCD)
}

impl<'a> Archive<'a> {
    /// Reads the central directory of `data` and checks the bounds the module
    /// describes; `what` names the archive in messages.
    pub fn new(data: &'a [u8], what: &str) -> Result<Archive<'a>> {
        if data.len() as u64 > MAX_ARCHIVE_BYTES {
            return Err(Error::value(format!(
                "{what}: the wheel is {} bytes, more than the {MAX_ARCHIVE_BYTES} pepkit accepts",
                data.len()
            )));
        }
        // As Python's zipfile.BadZipFile says it, before the zip crate's own words.
        if !has_eocd(data) {
            return Err(Error::value(format!("{what}: File is not a zip file")));
        }
        let mut zip = ZipArchive::new(Cursor::new(data)).map_err(|e| zip_error(what, None, e))?;
        if zip.len() > MAX_MEMBERS {
            return Err(Error::value(format!(
                "{what}: {} members, more than the {MAX_MEMBERS} pepkit accepts",
                zip.len()
            )));
        }
        // Duplicate names, local headers that disagree with the central
        // directory (sizes, CRC, name), members sharing bytes.
        zip.validate_header_consistency().map_err(|e| zip_error(what, None, e))?;
        let mut members = Vec::new();
        members.try_reserve_exact(zip.len()).map_err(|_| Error::no_memory(format!("{what}: member list")))?;
        let mut total: u64 = 0;
        for index in 0..zip.len() {
            let entry = zip.by_index_data(index).map_err(|e| zip_error(what, None, e))?;
            let raw = entry.name_raw();
            let shown = String::from_utf8_lossy(raw).into_owned();
            if raw.contains(&0) {
                return Err(Error::value(format!("{what}: member {shown:?} has a NUL in its name")));
            }
            let name = String::from_utf8(raw.to_vec())
                .map_err(|_| Error::value(format!("{what}: member {shown:?}: the name is not UTF-8")))?;
            if entry.encrypted() {
                return Err(Error::not_implemented(format!("{what}: member {name:?} is encrypted")));
            }
            match entry.compression() {
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated => {}
                other => {
                    return Err(Error::not_implemented(format!(
                        "{what}: member {name:?}: compression method {other} is not supported"
                    )))
                }
            }
            let (size, packed) = (entry.size(), entry.compressed_size());
            total = total.saturating_add(size);
            if total > MAX_TOTAL_SIZE {
                return Err(Error::value(format!(
                    "{what}: member {name:?} ({size} bytes) takes the unpacked wheel past the \
                     {MAX_TOTAL_SIZE} bytes pepkit accepts (a zip bomb?)"
                )));
            }
            if size >= RATIO_FLOOR && size / packed.max(1) > MAX_RATIO {
                return Err(Error::value(format!(
                    "{what}: member {name:?} expands {size} bytes from {packed}, more than the \
                     {MAX_RATIO}:1 pepkit accepts (a zip bomb?)"
                )));
            }
            let unix_mode = entry.unix_mode();
            members.push(Member { name, index, size, unix_mode });
        }
        Ok(Archive { zip, members, what: what.to_string() })
    }

    /// Streams the uncompressed bytes of `m` into `out` with bounded memory,
    /// checking them against the declared size and the CRC-32 (the zip
    /// reader's check, at the end of the data); returns the byte count.
    pub fn copy_to(&self, m: &Member, out: &mut dyn Write) -> Result<u64> {
        let bad = |why: String| Error::value(format!("{}: member {:?}: {why}", self.what, m.name));
        // A clone shares the parsed directory; only the read position is its own.
        let mut zip = self.zip.clone();
        let mut reader = zip.by_index(m.index).map_err(|e| zip_error(&self.what, Some(&m.name), e))?;
        let mut buf = [0u8; 64 * 1024];
        let mut done: u64 = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(bad(format!("{e} (corrupt data, size or CRC mismatch)"))),
            };
            done += n as u64;
            if done > m.size {
                return Err(bad(format!("more data than the {} bytes its headers declare", m.size)));
            }
            out.write_all(&buf[..n]).map_err(|e| Error::io(&e, format!("{}: writing member {:?}", self.what, m.name)))?;
        }
        if done != m.size {
            return Err(bad(format!("{done} bytes of data, its headers declare {}", m.size)));
        }
        Ok(done)
    }

    /// The archive's name in messages.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The uncompressed bytes of `m` in memory (for the small files that steer
    /// an install: RECORD, entry_points.txt), checked as [`Archive::copy_to`] does.
    pub fn read(&self, m: &Member) -> Result<Vec<u8>> {
        let mut v: Vec<u8> = Vec::new();
        let want = usize::try_from(m.size).map_err(|_| Error::no_memory(format!("{}: member {:?}", self.what, m.name)))?;
        v.try_reserve_exact(want).map_err(|_| Error::no_memory(format!("{}: member {:?}", self.what, m.name)))?;
        self.copy_to(m, &mut v)?;
        Ok(v)
    }
}

/// Reads the wheel file at `path` into memory, refusing one larger than
/// `MAX_ARCHIVE_BYTES` (256 MiB) before allocating (fallibly) for it.
pub fn read_wheel(path: &std::path::Path) -> Result<Vec<u8>> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(&e, format!("reading {}", path.display())))?;
    let len = f.metadata().map_err(|e| Error::io(&e, format!("reading {}", path.display())))?.len();
    if len > MAX_ARCHIVE_BYTES {
        return Err(Error::value(format!(
            "{}: the wheel is {len} bytes, more than the {MAX_ARCHIVE_BYTES} pepkit accepts",
            path.display()
        )));
    }
    let mut data = Vec::new();
    data.try_reserve_exact(len as usize).map_err(|_| Error::no_memory(format!("reading {}", path.display())))?;
    (&mut f)
        .take(MAX_ARCHIVE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| Error::io(&e, format!("reading {}", path.display())))?;
    Ok(data)
}

/// Reads a whole archive the way pepkit installs one, with every bound
/// applied, writing nothing: the entry point for fuzzing the wheel reader.
/// Returns the member count and the bytes they unpacked to.
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code, reason = "the fuzz target's entry point"))]
pub fn check_archive(data: &[u8]) -> Result<(usize, u64)> {
    let archive = Archive::new(data, "archive")?;
    let mut total = 0;
    for m in archive.members.iter().filter(|m| !m.is_dir()) {
        total += archive.copy_to(m, &mut std::io::sink())?;
    }
    Ok((archive.members.len(), total))
}

/// A wheel file name's distribution and version: `pip-23.2.1-py3-none-any.whl`.
pub(crate) fn name_version(file: &str) -> Option<(String, String)> {
    let stem = file.strip_suffix(".whl")?;
    let mut parts = stem.split('-');
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// The rows of a wheel's RECORD that carry a SHA-256 and a size: path ->
/// (`sha256=...`, size). The path is everything before the last two fields.
pub(crate) fn parse_record(text: &str) -> HashMap<String, (String, usize)> {
    let mut rows = HashMap::new();
    for line in text.lines() {
        let mut f = line.rsplitn(3, ',');
        let (Some(size), Some(hash), Some(path)) = (f.next(), f.next(), f.next()) else { continue };
        if let (Ok(n), true) = (size.parse::<usize>(), hash.starts_with("sha256=")) {
            rows.insert(path.to_string(), (hash.to_string(), n));
        }
    }
    rows
}

/// Where a member's bytes go as they stream out of the archive: through to
/// `out`, counted, hashed if asked, and for a script (given the env's
/// `shebang` line) with a first line of `#!python...` replaced by it, as pip
/// does. A failed write names `shown`, the file being written.
pub(crate) struct MemberWriter<'a, W: Write> {
    out: W,
    shown: &'a Path,
    sha: Option<Sha256>,
    /// The env's shebang line, for a script; None passes bytes through.
    shebang: Option<Vec<u8>>,
    /// A script's first bytes, held until they show whether it starts with `#!python`.
    head: Vec<u8>,
    /// Dropping the rest of a `#!python` line.
    skipping: bool,
    written: u64,
}

impl<'a, W: Write> MemberWriter<'a, W> {
    /// A writer into `out` (the file `shown`), hashing when `hash`.
    pub(crate) fn new(out: W, shown: &'a Path, hash: bool, shebang: Option<Vec<u8>>) -> MemberWriter<'a, W> {
        MemberWriter { out, shown, sha: hash.then(Sha256::default), shebang, head: Vec::new(), skipping: false, written: 0 }
    }

    fn emit(&mut self, b: &[u8]) -> std::io::Result<()> {
        if let Some(sha) = &mut self.sha {
            sha.update(b);
        }
        self.written += b.len() as u64;
        let shown = self.shown;
        self.out.write_all(b).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", shown.display())))
    }

    /// Flushes what is held back (a script shorter than `#!python`) and the
    /// output; returns the SHA-256 (when hashing) and the bytes written.
    pub(crate) fn finish(mut self) -> std::io::Result<(Option<[u8; 32]>, u64)> {
        if self.shebang.is_some() && !self.head.is_empty() {
            let head = std::mem::take(&mut self.head);
            if head.starts_with(b"#!python") {
                let sb = self.shebang.take().unwrap_or_default();
                self.emit(&sb)?;
            } else {
                self.emit(&head)?;
            }
        }
        self.out.flush()?;
        Ok((self.sha.take().map(Sha256::finish), self.written))
    }
}

impl<W: Write> Write for MemberWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        const MAGIC: &[u8] = b"#!python";
        let mut rest = buf;
        if let Some(sb) = &self.shebang {
            if self.skipping {
                match rest.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.skipping = false;
                        self.shebang = None;
                        rest = &rest[i + 1..];
                    }
                    None => return Ok(buf.len()),
                }
            } else {
                let take = (MAGIC.len() - self.head.len()).min(rest.len());
                self.head.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if self.head.len() < MAGIC.len() {
                    return Ok(buf.len());
                }
                let head = std::mem::take(&mut self.head);
                if head == MAGIC {
                    let sb = sb.clone();
                    self.emit(&sb)?;
                    self.skipping = true;
                    return self.write(rest).map(|_| buf.len());
                }
                self.shebang = None;
                self.emit(&head)?;
            }
        }
        self.emit(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// CRC-32 (IEEE), as zip uses.
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    let mut c = !0u32;
    for &b in data {
        c = table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// SHA-256 fed in pieces (a member is hashed as it streams to disk).
#[derive(Clone)]
pub struct Sha256 {
    h: [u32; 8],
    block: [u8; 64],
    used: usize,
    len: u64,
}

impl Default for Sha256 {
    fn default() -> Sha256 {
        Sha256 {
            h: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
            block: [0; 64],
            used: 0,
            len: 0,
        }
    }
}

impl Sha256 {
    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.used).min(data.len());
            self.block[self.used..self.used + take].copy_from_slice(&data[..take]);
            self.used += take;
            data = &data[take..];
            if self.used == 64 {
                let block = self.block;
                self.compress(&block);
                self.used = 0;
            }
        }
    }

    pub fn finish(mut self) -> [u8; 32] {
        let bit_len = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let pad_len = if self.used < 56 { 56 - self.used } else { 120 - self.used };
        pad[pad_len..pad_len + 8].copy_from_slice(&bit_len.to_be_bytes());
        self.update(&pad[..pad_len + 8]);
        let mut out = [0u8; 32];
        for (i, v) in self.h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
        }
        out
    }

    fn compress(&mut self, chunk: &[u8; 64]) {
        let mut w = [0u32; 64];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = self.h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(SHA256_K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in self.h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::default();
    h.update(data);
    h.finish()
}

/// RECORD's `sha256=...` for a finished digest.
pub fn record_digest(digest: &[u8; 32]) -> String {
    format!("sha256={}", b64_urlsafe_nopad(digest))
}

/// URL-safe base64 without padding (RECORD's hash encoding).
pub fn b64_urlsafe_nopad(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::with_capacity(data.len() * 4 / 3 + 2);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=n {
            s.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

/// RECORD's `sha256=...` for `data`.
pub fn record_hash(data: &[u8]) -> String {
    record_digest(&sha256(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        assert_eq!(record_hash(b""), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
        assert_eq!(record_hash(b"pip\n"), "sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg");
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn streaming_sha256_matches_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000] {
            let want = sha256(&data[..len]);
            for step in [1, 3, 64, 100] {
                let mut h = Sha256::default();
                data[..len].chunks(step).for_each(|c| h.update(c));
                assert_eq!(h.finish(), want, "len {len} step {step}");
            }
        }
        // FIPS 180-2's two-block example.
        let two = sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        assert_eq!(b64_urlsafe_nopad(&two), "JI1qYdIGOLjlwCaTDD5gOaM85Flk_yFn9uzt1BnbBsE");
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        use zip::write::{SimpleFileOptions, ZipWriter};
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(*name, SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated))
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn check_archive_reads_and_bounds() {
        let ok = zip_of(&[("a/b.py", b"print(1)\n"), ("c.txt", &[b'x'; 5000])]);
        assert_eq!(check_archive(&ok).unwrap(), (2, 5009));
        let not_zip = check_archive(b"this is not a zip file at all, just some text").unwrap_err();
        assert!(not_zip.message.contains("not a zip file"), "{}", not_zip.message);
        let nul = check_archive(&zip_of(&[("pip/ev\0il.py", b"x")])).unwrap_err();
        assert!(nul.message.contains("ev\\0il.py") && nul.message.contains("NUL"), "{}", nul.message);
        let zeros = vec![0u8; 2 << 20];
        let bomb = check_archive(&zip_of(&[("zeros", &zeros)])).unwrap_err();
        assert!(bomb.message.contains("\"zeros\"") && bomb.message.contains("100:1"), "{}", bomb.message);
        // Every prefix of a good archive is refused cleanly, never a panic.
        for cut in (0..ok.len()).step_by(7) {
            assert!(check_archive(&ok[..cut]).is_err(), "cut {cut}");
        }
    }
}
