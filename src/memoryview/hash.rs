//! CPython's `_Py_HashBytes` / `Py_HashBuffer` as 3.11+ builds it by default, under
//! `PYTHONHASHSEED=0`: SipHash-1-3 (`sys.hash_info.algorithm == 'siphash13'`) keyed
//! with k0 = k1 = 0, because with a zero seed `_Py_HashRandomization_Init` zeroes
//! the whole `_Py_HashSecret`; `Py_HASH_CUTOFF` is 0, so no small-input DJBX33A
//! path; the empty input hashes to 0; a result of -1 becomes -2.
//!
//! So `hash(m) == hash(m.tobytes())` for a memoryview `m`, and [`BytesHasher`] lets
//! a strided view feed its runs without a temporary copy.

use crate::siphash::SipHash13;

/// `hash(bytes(data))` under `PYTHONHASHSEED=0` on a 64-bit CPython 3.11+.
pub fn hash_bytes(data: &[u8]) -> isize {
    let mut h = BytesHasher::new();
    h.update(data);
    h.finish()
}

/// `_Py_HashBytes` over data given in pieces: the result depends only on the
/// concatenation of everything passed to [`update`](Self::update).
#[derive(Clone)]
pub struct BytesHasher {
    sip: SipHash13,
}

impl Default for BytesHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl BytesHasher {
    /// A hasher with CPython's key under `PYTHONHASHSEED=0` (zero).
    pub fn new() -> BytesHasher {
        BytesHasher { sip: SipHash13::new(0, 0) }
    }

    /// Feeds the next piece of the bytes.
    #[inline]
    pub fn update(&mut self, data: &[u8]) {
        self.sip.write(data);
    }

    /// The hash of everything fed so far, as CPython's `Py_hash_t`.
    pub fn finish(&self) -> isize {
        if self.sip.len == 0 {
            return 0;
        }
        match self.sip.finish() as i64 {
            -1 => -2,
            x => x as isize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Python 3.11, PYTHONHASHSEED=0: hash(b'') and hash(b'a').
        assert_eq!(hash_bytes(b""), 0);
        assert_eq!(hash_bytes(b"a"), HASH_A);
        assert_eq!(hash_bytes(b"abcdefghi"), -532774252720507163);
    }

    // Filled in from the running CPython; the oracle test checks thousands more.
    const HASH_A: isize = 4644417185603328019;

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
        for split1 in 0..data.len() {
            for split2 in [split1, (split1 + 3).min(data.len()), data.len()] {
                let mut h = BytesHasher::new();
                h.update(&data[..split1]);
                h.update(&data[split1..split2]);
                h.update(&data[split2..]);
                assert_eq!(h.finish(), hash_bytes(&data), "{split1} {split2}");
            }
        }
    }
}
