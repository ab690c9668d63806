//! SipHash-c-d, streaming, as CPython's `Python/pyhash.c` computes it: the
//! 1-3 variant behind `hash(bytes)` on 3.11+ (`memoryview::hash`) and
//! behind `_imp.source_hash` on 3.11+, the 2-4 variant behind
//! `_imp.source_hash` on 3.7-3.10 (the hash in a hash-based `.pyc`, which
//! `import::zip` checks).

#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[2] = v[2].wrapping_add(v[3]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[1]);
    v[0] = v[0].wrapping_add(v[3]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].rotate_left(32);
}

/// SipHash with `C` compression and `D` finalization rounds, keyed (k0, k1).
#[derive(Clone)]
pub(crate) struct SipHash<const C: usize, const D: usize> {
    v: [u64; 4],
    tail: u64,
    ntail: usize,
    pub(crate) len: u64,
}

/// SipHash-1-3.
pub(crate) type SipHash13 = SipHash<1, 3>;
/// SipHash-2-4.
pub(crate) type SipHash24 = SipHash<2, 4>;

impl<const C: usize, const D: usize> SipHash<C, D> {
    pub(crate) fn new(k0: u64, k1: u64) -> Self {
        SipHash {
            v: [
                k0 ^ 0x736f6d6570736575,
                k1 ^ 0x646f72616e646f6d,
                k0 ^ 0x6c7967656e657261,
                k1 ^ 0x7465646279746573,
            ],
            tail: 0,
            ntail: 0,
            len: 0,
        }
    }

    #[inline(always)]
    fn block(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            round(&mut self.v);
        }
        self.v[0] ^= m;
    }

    pub(crate) fn write(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.ntail > 0 {
            while self.ntail < 8 {
                let Some((&b, rest)) = data.split_first() else { return };
                self.tail |= (b as u64) << (8 * self.ntail);
                self.ntail += 1;
                data = rest;
            }
            let m = self.tail;
            self.block(m);
            self.tail = 0;
            self.ntail = 0;
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.block(u64::from_le_bytes(word));
        }
        for (k, &b) in chunks.remainder().iter().enumerate() {
            self.tail |= (b as u64) << (8 * k);
        }
        self.ntail = chunks.remainder().len();
    }

    pub(crate) fn finish(&self) -> u64 {
        let mut v = self.v;
        let b = (self.len << 56) | self.tail;
        v[3] ^= b;
        for _ in 0..C {
            round(&mut v);
        }
        v[0] ^= b;
        v[2] ^= 0xff;
        for _ in 0..D {
            round(&mut v);
        }
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_hash_of_cpython() {
        // importlib.util.source_hash(b'abc') of 3.10 (magic 6f0d0d0a, 2-4)
        // and 3.11 (a70d0d0a, 1-3), as the running interpreters print it.
        let key = |magic: [u8; 4]| u64::from(u32::from_le_bytes(magic));
        let mut h = SipHash24::new(key([0x6f, 0x0d, 0x0d, 0x0a]), 0);
        h.write(b"abc");
        assert_eq!(h.finish().to_le_bytes(), [0x43, 0x5b, 0x6a, 0x4b, 0xbf, 0x3d, 0x94, 0x15]);
        let mut h = SipHash13::new(key([0xa7, 0x0d, 0x0d, 0x0a]), 0);
        h.write(b"ab");
        h.write(b"c");
        assert_eq!(h.finish().to_le_bytes(), [0xc7, 0xaf, 0x82, 0xe7, 0x7c, 0x1d, 0xa4, 0xf5]);
    }
}
