//! Just enough of the zip format to read a wheel (stored and deflated members,
//! no zip64), plus the SHA-256 and url-safe base64 a wheel's RECORD uses.

use crate::error::{Error, Result};

/// One member of a zip archive.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    method: u16,
    crc: u32,
    compressed: usize,
    size: usize,
    header_offset: usize,
    /// The Unix mode bits, when the archive was made on Unix.
    pub unix_mode: Option<u32>,
}

impl Member {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A zip archive held in memory.
pub struct Archive<'a> {
    data: &'a [u8],
    pub members: Vec<Member>,
    what: String,
}

impl<'a> Archive<'a> {
    /// Reads the central directory of `data`; `what` names it in messages.
    pub fn new(data: &'a [u8], what: &str) -> Result<Archive<'a>> {
        let bad = |why: &str| Error::value(format!("{what} is not a readable wheel: {why}"));
        if data.len() < 22 {
            return Err(bad("too short"));
        }
        let start = data.len().saturating_sub(22 + 65535);
        let eocd = (start..=data.len() - 22)
            .rev()
            .find(|&i| u32_at(data, i) == Some(0x0605_4b50))
            .ok_or_else(|| bad("no end of central directory"))?;
        let count = u16_at(data, eocd + 10).ok_or_else(|| bad("truncated"))? as usize;
        let cd_offset = u32_at(data, eocd + 16).ok_or_else(|| bad("truncated"))? as usize;
        if count == 0xffff || cd_offset == 0xffff_ffff {
            return Err(Error::not_implemented(format!("{what}: zip64 archives are not supported")));
        }
        let mut members = Vec::with_capacity(count);
        let mut at = cd_offset;
        for _ in 0..count {
            if u32_at(data, at) != Some(0x0201_4b50) {
                return Err(bad("bad central directory entry"));
            }
            let made_by = u16_at(data, at + 4).ok_or_else(|| bad("truncated"))?;
            let method = u16_at(data, at + 10).ok_or_else(|| bad("truncated"))?;
            let crc = u32_at(data, at + 16).ok_or_else(|| bad("truncated"))?;
            let compressed = u32_at(data, at + 20).ok_or_else(|| bad("truncated"))? as usize;
            let size = u32_at(data, at + 24).ok_or_else(|| bad("truncated"))? as usize;
            let name_len = u16_at(data, at + 28).ok_or_else(|| bad("truncated"))? as usize;
            let extra_len = u16_at(data, at + 30).ok_or_else(|| bad("truncated"))? as usize;
            let comment_len = u16_at(data, at + 32).ok_or_else(|| bad("truncated"))? as usize;
            let external = u32_at(data, at + 38).ok_or_else(|| bad("truncated"))?;
            let header_offset = u32_at(data, at + 42).ok_or_else(|| bad("truncated"))? as usize;
            let name_bytes = data.get(at + 46..at + 46 + name_len).ok_or_else(|| bad("truncated"))?;
            let name = String::from_utf8(name_bytes.to_vec()).map_err(|_| bad("a member name is not UTF-8"))?;
            let unix_mode = if made_by >> 8 == 3 { Some(external >> 16) } else { None };
            members.push(Member { name, method, crc, compressed, size, header_offset, unix_mode });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Archive { data, members, what: what.to_string() })
    }

    /// The uncompressed bytes of `m`, checked against its CRC-32.
    pub fn read(&self, m: &Member) -> Result<Vec<u8>> {
        let bad = |why: &str| Error::value(format!("{}: member {}: {why}", self.what, m.name));
        let h = m.header_offset;
        if u32_at(self.data, h) != Some(0x0403_4b50) {
            return Err(bad("bad local header"));
        }
        let name_len = u16_at(self.data, h + 26).ok_or_else(|| bad("truncated"))? as usize;
        let extra_len = u16_at(self.data, h + 28).ok_or_else(|| bad("truncated"))? as usize;
        let start = h + 30 + name_len + extra_len;
        let raw = self.data.get(start..start + m.compressed).ok_or_else(|| bad("truncated"))?;
        let out = match m.method {
            0 => raw.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, m.size)
                .map_err(|e| bad(&format!("inflate failed: {e:?}")))?,
            other => return Err(Error::not_implemented(format!("{}: compression method {other}", self.what))),
        };
        if out.len() != m.size || crc32(&out) != m.crc {
            return Err(bad("size or CRC mismatch"));
        }
        Ok(out)
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

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
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
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
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
    format!("sha256={}", b64_urlsafe_nopad(&sha256(data)))
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
}
