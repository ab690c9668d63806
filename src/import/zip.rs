//! Zip archives on the import path, as `zipimport` resolves them (CPython
//! 3.6-3.13; checked against each by `tests/oracle/test_find_spec_zip.py`).
//!
//! * A path entry names an archive when, going up from it one component at
//!   a time while the path does not exist, the first existing path is a
//!   regular file whose end-of-central-directory record can be found (at
//!   the very end, or from 3.8 within the 64 KiB of a trailing comment). The
//!   components gone up make the prefix: `a.zip/sub` searches `sub/` in
//!   `a.zip`. An entry that is itself a directory is never an archive.
//! * 3.13 also reads zip64 archives: the zip64 end record when it sits right
//!   before the end record (with its locator), and a zip64 extra field for
//!   sizes and offsets that are 0xFFFFFFFF; it refuses an archive whose
//!   record count differs from the declared one. Earlier versions take the
//!   0xFFFFFFFF values as they are (such an archive is mostly refused).
//! * The central directory is read up to the first record without the
//!   central-header signature; member names are decoded as zipimport does
//!   (UTF-8 with flag bit 11, else code page 437, ASCII included); a name
//!   that is invalid UTF-8 under the flag, or holds a NUL, can name no module
//!   and is left out.
//! * For a tail name `n` under prefix `p`: `p/n/__init__.pyc`,
//!   `p/n/__init__.py`, `p/n.pyc`, `p/n.py`, the first member present decides
//!   whether `n` is a package; the origin is the first of them whose code
//!   zipimport would accept: a `.py` (pepkit assumes it compiles), or a `.pyc`
//!   with this version's magic number that is not stale (a timestamp pyc
//!   whose `.py` beside it has another DOS modification time, give or take
//!   one second, or from 3.8 another size; a checked hash-based pyc whose
//!   source hash differs from its `.py`'s, by `_imp.source_hash`: 3.7
//!   refuses every checked one; a source over 64 MiB counts as unreadable,
//!   which refuses the pyc). A package's
//!   search location is the directory of its origin. No extension modules.
//! * Otherwise, when the archive lists the directory `p/n/` (an explicit
//!   directory member: zipimport sees no implied ones), `archive/p/n` is a
//!   namespace portion.
//!
//! Hostile archives are bounded: the central directory is read only when
//! its declared size is at most [`MAX_DIRECTORY`] and it holds at most
//! [`MAX_ENTRIES`] members; allocations are fallible. An archive that
//! zipimport would refuse, or that breaks these bounds, is not an archive.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;

use crate::error::{Error, Result};

/// The largest central directory pepkit reads (bytes).
pub(crate) const MAX_DIRECTORY: u64 = 64 << 20;
/// The most members pepkit indexes in one archive.
pub(crate) const MAX_ENTRIES: usize = 1 << 20;
const EOCD_SIZE: usize = 22;
/// The zip64 end-of-central-directory record and its locator (3.13+).
const EOCD64_SIZE: usize = 56;
const EOCD64_LOCATOR_SIZE: usize = 20;
const MAX_COMMENT: usize = 65535;

/// One member of the archive, as zipimport's table of contents keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub compress: u16,
    pub data_size: u64,
    pub file_size: u64,
    /// Offset of the local header in the file (the archive offset added).
    pub file_offset: u64,
    pub time: u16,
    pub date: u16,
}

/// An archive's table of contents: member name (UTF-8 bytes, `/`-separated) to member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZipIndex {
    pub files: HashMap<Vec<u8>, Member>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// How many bytes of the file's end zipimport of 3.`minor` searches for the
/// end-of-central-directory record (3.13 adds room for the zip64 one).
fn tail_window(minor: u32) -> usize {
    if minor >= 13 {
        MAX_COMMENT + EOCD_SIZE + EOCD64_SIZE + EOCD64_LOCATOR_SIZE
    } else {
        MAX_COMMENT + EOCD_SIZE
    }
}

/// Where the central directory is, as [`locate_directory`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directory {
    /// Its position in the file.
    pub position: u64,
    /// Its declared size.
    pub size: u64,
    /// Its declared offset (what local header offsets are compared with).
    pub offset: u64,
    /// What precedes the archive in the file.
    pub arc_offset: u64,
    /// The declared number of entries, which 3.13 checks.
    pub entries: u64,
}

/// Where the central directory is, from the file's tail (its last
/// [`tail_window`] bytes at most) and the file's size; `None` when zipimport
/// of CPython 3.`minor` would not take the file. Before 3.8 the record must
/// end the file (no comment); 3.8-3.12 look at the end first, then for the
/// last signature in the window; 3.13 only for the last signature, and takes
/// the zip64 record when one sits right before it (with its locator).
pub fn locate_directory(tail: &[u8], file_size: u64, minor: u32) -> Option<Directory> {
    if tail.len() < EOCD_SIZE || (tail.len() as u64) > file_size {
        return None;
    }
    let tail_start = file_size - tail.len() as u64;
    let last = &tail[tail.len() - EOCD_SIZE..];
    let rfind = |sig: &[u8; 4]| tail.windows(4).rposition(|w| w == sig);
    let (header_position, size, offset, entries) = if minor < 13 && last.starts_with(b"PK\x05\x06") {
        (file_size - EOCD_SIZE as u64, u64::from(u32_at(last, 12)), u64::from(u32_at(last, 16)), u64::from(u16_at(last, 8)))
    } else if minor < 8 {
        return None;
    } else {
        let pos = rfind(b"PK\x05\x06");
        let pos64 = if minor >= 13 { rfind(b"PK\x06\x06") } else { None };
        match (pos64, pos) {
            (Some(p64), Some(p)) if p64 + EOCD64_SIZE + EOCD64_LOCATOR_SIZE == p => {
                let b = &tail[p64..p64 + EOCD64_SIZE];
                (tail_start + p64 as u64, u64_at(b, 40), u64_at(b, 48), u64_at(b, 24))
            }
            (_, Some(p)) => {
                let b = tail.get(p..p + EOCD_SIZE)?;
                (tail_start + p as u64, u64::from(u32_at(b, 12)), u64::from(u32_at(b, 16)), u64::from(u16_at(b, 8)))
            }
            _ => return None,
        }
    };
    if header_position < size || header_position < offset {
        return None;
    }
    let position = header_position - size;
    let arc_offset = position.checked_sub(offset)?;
    Some(Directory { position, size, offset, arc_offset, entries })
}

/// 3.13's zip64 extra field: the sizes and offset that are 0xFFFFFFFF in the
/// central record, read from `extra` (the record's bytes after its name:
/// extra fields and comment, as zipimport slices them, quirks included: the
/// value count comes from all of what is left, not the field's size). `None`
/// when zipimport would refuse the archive.
fn zip64_extra(mut extra: &[u8], sizes: &mut [u64; 3]) -> Option<()> {
    const MAX_UINT32: u64 = 0xffff_ffff;
    while !extra.is_empty() {
        if extra.len() < 4 {
            return None;
        }
        let tag = u16_at(extra, 0);
        let size = usize::from(u16_at(extra, 2));
        if extra.len() < 4 + size {
            return None;
        }
        if tag == 1 {
            if !(extra.len() - 4).is_multiple_of(8) || (extra.len() - 4) / 8 > 3 {
                return None;
            }
            let mut values = (0..(extra.len() - 4) / 8).map(|k| u64_at(extra, 4 + 8 * k));
            // file_size, data_size, file_offset: the extra's order.
            for slot in [1, 0, 2] {
                if sizes[slot] == MAX_UINT32 {
                    sizes[slot] = values.next()?; // zipimport: an IndexError
                }
            }
            return Some(());
        }
        extra = &extra[4 + size..];
    }
    Some(())
}

/// Code page 437's characters for bytes 0x80-0xFF (zipimport's
/// `cp437_table`, Python's `cp437` codec), for names without the UTF-8 flag.
const CP437_HIGH: [char; 128] = ['Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}'];

/// Decodes a member name as zipimport does, into UTF-8 bytes (`key`, which
/// it fills): UTF-8 with flag bit 11, else ASCII or, for any other byte,
/// code page 437. False when the name can name nothing (invalid UTF-8 under
/// the flag, or a NUL).
fn member_name(raw: &[u8], flags: u16, key: &mut Vec<u8>) -> Result<bool> {
    let oom = |_| Error::no_memory("out of memory indexing a zip archive");
    if raw.contains(&0) {
        return Ok(false);
    }
    let utf8 = flags & 0x800 != 0 || raw.is_ascii();
    if utf8 {
        if std::str::from_utf8(raw).is_err() {
            return Ok(false);
        }
        key.try_reserve_exact(raw.len()).map_err(oom)?;
        key.extend_from_slice(raw);
        return Ok(true);
    }
    // Each high byte becomes at most 3 UTF-8 bytes.
    key.try_reserve_exact(raw.len().saturating_mul(3)).map_err(oom)?;
    let mut buf = [0u8; 4];
    for &b in raw {
        let c = if b < 0x80 { char::from(b) } else { CP437_HIGH[usize::from(b - 0x80)] };
        key.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    Ok(true)
}

/// The central directory records in `cd` (read from the directory's
/// position to the end of the file's declared directory), up to the first
/// record without the signature. `header_offset` is the directory's
/// declared offset, `arc_offset` what precedes the archive in the file.
pub fn parse_directory(cd: &[u8], dir: &Directory, minor: u32) -> Result<Option<ZipIndex>> {
    let (header_offset, arc_offset) = (dir.offset, dir.arc_offset);
    let mut files: HashMap<Vec<u8>, Member> = HashMap::new();
    let mut at = 0usize;
    let mut count = 0u64;
    loop {
        let Some(head) = cd.get(at..at + 46) else {
            // zipimport: fewer than 4 bytes or a short record is an EOFError;
            // either way the archive is not used.
            if cd.len().saturating_sub(at) >= 4 && !cd[at..].starts_with(b"PK\x01\x02") {
                break;
            }
            return Ok(None);
        };
        if !head.starts_with(b"PK\x01\x02") {
            if minor >= 13 && count != dir.entries {
                return Ok(None); // "mismatched num_entries"
            }
            break;
        }
        count += 1;
        let flags = u16_at(head, 8);
        let name_size = usize::from(u16_at(head, 28));
        let rest = name_size + usize::from(u16_at(head, 30)) + usize::from(u16_at(head, 32));
        let Some(raw) = cd.get(at + 46..at + 46 + name_size) else { return Ok(None) };
        let Some(after_name) = cd.get(at + 46 + name_size..at + 46 + rest) else { return Ok(None) };
        // data_size, file_size, file_offset.
        let mut sizes = [u64::from(u32_at(head, 20)), u64::from(u32_at(head, 24)), u64::from(u32_at(head, 42))];
        if minor >= 13 && sizes.contains(&0xffff_ffff) && zip64_extra(after_name, &mut sizes).is_none() {
            return Ok(None); // "can't read header extra"
        }
        let [data_size, file_size, file_offset] = sizes;
        if file_offset > header_offset {
            return Ok(None); // "bad local header offset"
        }
        if files.len() >= MAX_ENTRIES {
            return Err(Error::value(format!("zip archive has more than {MAX_ENTRIES} members: pepkit does not index it")));
        }
        let mut key = Vec::new();
        if member_name(raw, flags, &mut key)? {
            files.try_reserve(1).map_err(|_| Error::no_memory("out of memory indexing a zip archive"))?;
            files.insert(
                key,
                Member {
                    compress: u16_at(head, 10),
                    data_size,
                    file_size,
                    file_offset: file_offset.saturating_add(arc_offset),
                    time: u16_at(head, 12),
                    date: u16_at(head, 14),
                },
            );
        }
        at += 46 + rest;
    }
    Ok(Some(ZipIndex { files }))
}

/// The index of an archive held whole in memory (for tests and fuzzing):
/// `None` when zipimport of CPython 3.`minor` would not take it.
// Only the fuzz target reads archives from memory; the finder reads files.
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
pub fn parse_zip_index(data: &[u8], minor: u32) -> Result<Option<ZipIndex>> {
    let tail = &data[data.len().saturating_sub(tail_window(minor))..];
    let Some(dir) = locate_directory(tail, data.len() as u64, minor) else {
        return Ok(None);
    };
    if dir.size > MAX_DIRECTORY {
        return Err(too_big(dir.size));
    }
    let start = usize::try_from(dir.position).unwrap_or(usize::MAX).min(data.len());
    parse_directory(&data[start..], &dir, minor)
}

fn too_big(size: u64) -> Error {
    Error::value(format!("zip central directory of {size} bytes is larger than pepkit's limit of {MAX_DIRECTORY}"))
}

/// The index of the archive at `path` (a regular file), read from its tail
/// and central directory only; `None` when zipimport would not take it.
pub fn read_zip_index(file: &File, file_size: u64, minor: u32) -> Result<Option<ZipIndex>> {
    let tail_len = file_size.min(tail_window(minor) as u64) as usize;
    let mut tail = vec![0u8; tail_len];
    if file.read_exact_at(&mut tail, file_size - tail_len as u64).is_err() {
        return Ok(None);
    }
    let Some(dir) = locate_directory(&tail, file_size, minor) else {
        return Ok(None);
    };
    if dir.size > MAX_DIRECTORY {
        return Err(too_big(dir.size));
    }
    // zipimport reads records from the directory's position on, past the
    // declared size if they continue; the end of the file bounds it, and
    // so does the limit.
    let len = (file_size - dir.position).min(MAX_DIRECTORY + tail_window(minor) as u64) as usize;
    let mut cd = Vec::new();
    cd.try_reserve_exact(len).map_err(|_| Error::no_memory("out of memory reading a zip central directory"))?;
    cd.resize(len, 0);
    if file.read_exact_at(&mut cd, dir.position).is_err() {
        return Ok(None);
    }
    parse_directory(&cd, &dir, minor)
}

/// The first `n` bytes of a member's data (inflated when compressed), or
/// `None` when they cannot be read.
fn member_head(file: &File, m: &Member, n: usize) -> Option<Vec<u8>> {
    // A few KiB of deflated input give the first bytes of output.
    member_bytes(file, m, n, 64 << 10)
}

/// The largest member pepkit reads whole (the source of a checked
/// hash-based `.pyc`): a larger one counts as unreadable.
const MAX_MEMBER: usize = 64 << 20;

/// A member's whole data (inflated), as zipimport's `_get_data` gives it;
/// `None` when it cannot be read, is larger than [`MAX_MEMBER`], its deflate
/// stream is corrupt or memory runs out.
fn member_data(file: &File, m: &Member) -> Option<Vec<u8>> {
    if m.file_size > MAX_MEMBER as u64 || m.data_size > MAX_MEMBER as u64 {
        return None;
    }
    let size = m.file_size as usize;
    let out = member_bytes(file, m, size, m.data_size as usize)?;
    // A stream that ends early, or a stored member shorter than declared.
    (out.len() == size).then_some(out)
}

/// Up to `n` bytes of a member's data, inflating at most `raw_cap` bytes of
/// its stored data; allocations fallible.
fn member_bytes(file: &File, m: &Member, n: usize, raw_cap: usize) -> Option<Vec<u8>> {
    let mut local = [0u8; 30];
    file.read_exact_at(&mut local, m.file_offset).ok()?;
    if &local[..4] != b"PK\x03\x04" {
        return None;
    }
    let start = m.file_offset + 30 + u64::from(u16_at(&local, 26)) + u64::from(u16_at(&local, 28));
    // zipimport reads all `data_size` bytes and refuses the member when the
    // file holds fewer (a zip64 size of 0xFFFFFFFF before 3.13, say).
    let len = file.metadata().ok()?.len();
    if start.checked_add(m.data_size).is_none_or(|end| end > len) {
        return None;
    }
    let zeroed = |len: usize| -> Option<Vec<u8>> {
        let mut v = Vec::new();
        v.try_reserve_exact(len).ok()?;
        v.resize(len, 0);
        Some(v)
    };
    if m.compress == 0 {
        let mut out = zeroed(usize::try_from(m.data_size).unwrap_or(usize::MAX).min(n))?;
        file.read_exact_at(&mut out, start).ok()?;
        return Some(out);
    }
    // Deflate (zipimport inflates any other method as deflate too).
    let mut raw = zeroed(usize::try_from(m.data_size).unwrap_or(usize::MAX).min(raw_cap))?;
    file.read_exact_at(&mut raw, start).ok()?;
    // Raw deflate (no zlib header); a corrupt stream yields what inflated
    // before the error (the caller of a head wants only the first bytes).
    let mut state = flate2::Decompress::new(false);
    let mut out = zeroed(n.max(1))?;
    let _ = state.decompress(&raw, &mut out, flate2::FlushDecompress::Finish);
    out.truncate(usize::try_from(state.total_out()).unwrap_or(0).min(n));
    Some(out)
}

/// `_imp.source_hash(_RAW_MAGIC_NUMBER, source)` of CPython 3.`minor`:
/// SipHash keyed with the magic number, 2-4 before 3.11, 1-3 from 3.11.
fn source_hash(minor: u32, magic: [u8; 4], source: &[u8]) -> [u8; 8] {
    let key = u64::from(u32::from_le_bytes(magic));
    let h = if minor < 11 {
        let mut h = crate::siphash::SipHash24::new(key, 0);
        h.write(source);
        h.finish()
    } else {
        let mut h = crate::siphash::SipHash13::new(key, 0);
        h.write(source);
        h.finish()
    };
    h.to_le_bytes()
}

/// CPython 3.`minor`'s bytecode magic number (`importlib.util.MAGIC_NUMBER`).
pub fn magic_number(minor: u32) -> Option<[u8; 4]> {
    let n: u16 = match minor {
        6 => 3379,
        7 => 3394,
        8 => 3413,
        9 => 3425,
        10 => 3439,
        11 => 3495,
        12 => 3531,
        13 => 3571,
        _ => return None,
    };
    let b = n.to_le_bytes();
    Some([b[0], b[1], b'\r', b'\n'])
}

/// `_parse_dostime`: `time.mktime` of a DOS date and time (local time).
fn dos_time(date: u16, time: u16) -> i64 {
    // SAFETY: a zeroed tm is a valid value; mktime reads and normalizes it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = i32::from(date >> 9) + 80;
    tm.tm_mon = i32::from((date >> 5) & 0xf) - 1;
    tm.tm_mday = i32::from(date & 0x1f);
    tm.tm_hour = i32::from(time >> 11);
    tm.tm_min = i32::from((time >> 5) & 0x3f);
    tm.tm_sec = i32::from(time & 0x1f) * 2;
    tm.tm_isdst = -1;
    // SAFETY: tm is initialized; mktime only reads and writes it.
    // time_t is 32 bits on some targets.
    #[allow(clippy::useless_conversion)]
    i64::from(unsafe { libc::mktime(&mut tm) })
}

/// Whether zipimport of CPython 3.`minor` would accept the `.pyc` member
/// `name` (its code; a bad magic number or stale bytecode is refused).
fn pyc_accepted(index: &ZipIndex, file: &File, name: &[u8], m: &Member, minor: u32) -> bool {
    let Some(head) = member_head(file, m, 16) else { return false };
    let Some(magic) = magic_number(minor) else { return false };
    if head.len() < 16 || head[..4] != magic {
        return false;
    }
    let source = index.files.get(&name[..name.len() - 1]);
    if minor == 6 {
        // 12-byte header: magic, mtime, source size.
        return source.is_none_or(|s| (i64::from(u32_at(&head, 4)) - dos_time(s.date, s.time)).abs() <= 1);
    }
    let flags = u32_at(&head, 4);
    if flags & !0b11 != 0 {
        return false;
    }
    if flags & 1 != 0 {
        // Hash-based. Unchecked ones are taken as they are (the default
        // `check_hash_based_pycs`). 3.7 refuses checked ones; later versions
        // compare the hash with the source's beside it when there is one,
        // refusing the pyc when it differs or the source cannot be read.
        if flags & 0b10 == 0 {
            return true;
        }
        if minor == 7 {
            return false;
        }
        let Some(s) = source else { return true };
        return member_data(file, s).is_some_and(|src| head[8..16] == source_hash(minor, magic, &src));
    }
    let Some(s) = source else { return true };
    let mtime = dos_time(s.date, s.time);
    if mtime == 0 {
        return true;
    }
    let fresh = (i64::from(u32_at(&head, 8)) - mtime).abs() <= 1;
    fresh && (minor < 8 || u64::from(u32_at(&head, 12)) == s.file_size & 0xffff_ffff)
}

/// What an archive holds for a tail name.
pub enum ZipFound {
    Nothing,
    /// A namespace portion: the member directory's path (archive/prefix/name).
    Portion(Vec<u8>),
    /// A module or package: the origin (archive/member), whether it is a
    /// package, and whether the origin is bytecode.
    Spec { origin: Vec<u8>, package: bool, bytecode: bool },
}

/// zipimporter's `find_spec(tail)` under `prefix` (empty or ending in '/').
pub fn find_in_zip(index: &ZipIndex, archive: &[u8], file: &File, prefix: &[u8], tail: &[u8], minor: u32) -> ZipFound {
    const ORDER: [(&[u8], bool, bool); 4] =
        [(b"/__init__.pyc", true, true), (b"/__init__.py", false, true), (b".pyc", true, false), (b".py", false, false)];
    let path = [prefix, tail].concat();
    let mut package = None;
    for (suffix, bytecode, is_pkg) in ORDER {
        let name = [path.as_slice(), suffix].concat();
        let Some(m) = index.files.get(&name) else { continue };
        package.get_or_insert(is_pkg);
        if bytecode && !pyc_accepted(index, file, &name, m, minor) {
            continue;
        }
        let origin = [archive, b"/", name.as_slice()].concat();
        return ZipFound::Spec { origin, package: package.unwrap_or(is_pkg), bytecode };
    }
    if let Some(package) = package {
        // Only refused bytecode: zipimport has a loader but no file name;
        // pepkit reports the first member.
        for (suffix, bytecode, _) in ORDER {
            let name = [path.as_slice(), suffix].concat();
            if index.files.contains_key(&name) {
                return ZipFound::Spec { origin: [archive, b"/", name.as_slice()].concat(), package, bytecode };
            }
        }
    }
    let mut dir = path.clone();
    dir.push(b'/');
    if index.files.contains_key(&dir) {
        return ZipFound::Portion([archive, b"/", path.as_slice()].concat());
    }
    ZipFound::Nothing
}

/// An archive opened for lookups: its file, size and modification time
/// (to revalidate a cached index) and its index.
pub struct OpenZip {
    pub file: File,
    pub size: u64,
    pub mtime: (i64, i64),
    pub index: ZipIndex,
}

/// zipimporter's constructor: from the entry (absolute, no trailing '/'),
/// go up while the path does not exist; the first existing path must be a
/// regular file. Returns the archive path and the prefix ('' or ending in
/// '/'), or `None` when the entry is no archive path (it exists and is a
/// directory, or nothing above it is a file).
pub fn split_archive(entry: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut path = entry.to_vec();
    let mut prefix: Vec<&[u8]> = Vec::new();
    let mut owned: Vec<Vec<u8>> = Vec::new();
    loop {
        match std::fs::metadata(super::os_str(&path)) {
            Ok(m) => {
                if !m.is_file() {
                    return None;
                }
                break;
            }
            Err(_) => {
                let cut = path.iter().rposition(|&b| b == b'/')?;
                let (dir, base) = (path[..cut].to_vec(), path[cut + 1..].to_vec());
                let dir = if dir.is_empty() { b"/".to_vec() } else { dir };
                if dir == path {
                    return None;
                }
                owned.push(base);
                path = dir;
            }
        }
    }
    for b in owned.iter().rev() {
        prefix.push(b);
    }
    // _path_join of the components, then a separator.
    let mut joined: Vec<u8> = Vec::new();
    for (i, c) in prefix.iter().enumerate() {
        if i > 0 && !joined.ends_with(b"/") {
            joined.push(b'/');
        }
        joined.extend_from_slice(c);
    }
    if !joined.is_empty() && !joined.ends_with(b"/") {
        joined.push(b'/');
    }
    Some((path, joined))
}

/// Opens `archive` and reads its index; `None` when it is not an archive
/// zipimport of CPython 3.`minor` would take.
pub fn open_zip(archive: &[u8], minor: u32) -> Result<Option<OpenZip>> {
    let Ok(file) = File::open(super::os_str(archive)) else { return Ok(None) };
    let Ok(meta) = file.metadata() else { return Ok(None) };
    if !meta.is_file() {
        return Ok(None);
    }
    use std::os::unix::fs::MetadataExt;
    let size = meta.len();
    let mtime = (meta.mtime(), meta.mtime_nsec());
    let index = match read_zip_index(&file, size, minor)? {
        Some(index) => index,
        None => return Ok(None),
    };
    Ok(Some(OpenZip { file, size, mtime, index }))
}

/// Whether a cached archive still describes the file (same size and mtime).
pub fn still_valid(z: &OpenZip, archive: &[u8]) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(super::os_str(archive))
        .is_ok_and(|m| m.is_file() && m.len() == z.size && (m.mtime(), m.mtime_nsec()) == z.mtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored zip of (name, data) members, optionally with a comment.
    fn make_zip(members: &[(&str, &[u8])], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in members {
            let off = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\x21\0");
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\x21\0");
            central.extend_from_slice(&[0; 4]);
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&off.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    #[test]
    fn zip64_extra_as_3_13_reads_it() {
        let field = |tag: u16, values: &[u64], trailing: &[u8]| {
            let mut v = tag.to_le_bytes().to_vec();
            v.extend_from_slice(&((values.len() * 8) as u16).to_le_bytes());
            values.iter().for_each(|x| v.extend_from_slice(&x.to_le_bytes()));
            v.extend_from_slice(trailing);
            v
        };
        let max = 0xffff_ffffu64;
        // data_size, file_size, file_offset; the extra holds file_size first.
        let mut sizes = [max, max, 7];
        assert!(zip64_extra(&field(1, &[10, 20], b""), &mut sizes).is_some());
        assert_eq!(sizes, [20, 10, 7]);
        // Another field first is skipped.
        let mut sizes = [5, 6, max];
        let mut extra = field(0x5455, &[0], b"");
        extra.extend(field(1, &[99], b""));
        assert!(zip64_extra(&extra, &mut sizes).is_some());
        assert_eq!(sizes, [5, 6, 99]);
        // The quirk: what follows the field (a comment) counts in its length.
        let mut sizes = [max, 6, 7];
        assert!(zip64_extra(&field(1, &[1], b"abc"), &mut sizes).is_none());
        // Too few values, truncated fields: refused; no zip64 field: kept.
        assert!(zip64_extra(&field(1, &[1], b""), &mut [max, max, 0]).is_none());
        assert!(zip64_extra(&[1, 0, 8], &mut [max, 0, 0]).is_none());
        let mut sizes = [max, 0, 0];
        assert!(zip64_extra(&field(9, &[1], b""), &mut sizes).is_some());
        assert_eq!(sizes, [max, 0, 0]);
    }

    #[test]
    fn member_names_as_zipimport_decodes_them() {
        let name = |raw: &[u8], flags: u16| {
            let mut key = Vec::new();
            member_name(raw, flags, &mut key).unwrap().then_some(key)
        };
        assert_eq!(name(b"a/b.py", 0).as_deref(), Some(&b"a/b.py"[..]));
        // Code page 437 without the flag: 0x82 is 'é', 0xe9 'Θ', 0xff NBSP.
        assert_eq!(name(b"caf\x82.py", 0).as_deref(), Some("café.py".as_bytes()));
        assert_eq!(name(b"\xe9\xff", 0).as_deref(), Some("Θ\u{a0}".as_bytes()));
        // UTF-8 with the flag; invalid UTF-8 under it, or a NUL, names nothing.
        assert_eq!(name("café.py".as_bytes(), 0x800).as_deref(), Some("café.py".as_bytes()));
        assert_eq!(name(b"caf\x82.py", 0x800), None);
        assert_eq!(name(b"a\0.py", 0), None);
    }

    #[test]
    fn index_and_bad_archives() {
        let z = make_zip(&[("a.py", b""), ("p/", b""), ("p/__init__.py", b"x"), ("bad\0.py", b"")], b"");
        let idx = parse_zip_index(&z, 13).unwrap().unwrap();
        assert_eq!(idx.files.len(), 3);
        assert!(idx.files.contains_key(&b"p/__init__.py"[..]));
        let with_comment = make_zip(&[("a.py", b"")], b"hello");
        assert_eq!(parse_zip_index(&with_comment, 13).unwrap().unwrap().files.len(), 1);
        assert_eq!(parse_zip_index(&with_comment, 7).unwrap(), None);
        let mut prepended = b"#!/bin/sh\n".to_vec();
        prepended.extend_from_slice(&z);
        assert_eq!(parse_zip_index(&prepended, 7).unwrap().unwrap().files.len(), 3);
        assert_eq!(parse_zip_index(b"not a zip at all, not at all", 13).unwrap(), None);
        assert_eq!(parse_zip_index(b"", 13).unwrap(), None);
        // Truncated central directory: not an archive.
        let mut cut = z.clone();
        let n = cut.len();
        cut.drain(n - 40..n - 22);
        assert!(parse_zip_index(&cut, 13).ok().flatten().map(|i| i.files.len()).unwrap_or(0) <= 3);
        // A declared directory size beyond the limit.
        let mut huge = make_zip(&[], b"");
        let n = huge.len();
        huge[n - 10..n - 6].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_zip_index(&huge, 13).map(|o| o.is_none()).unwrap_or(true));
    }
}
