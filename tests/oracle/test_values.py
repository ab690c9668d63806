"""Case generator for tests/values_oracle.rs: struct values, their repr, the bytes
hash and item packing, as this CPython computes them.

Run as `python3 -S test_values.py SEED [SCALE]` with PYTHONHASHSEED=0. Prints
tab-separated records, one a line (hex for every byte string; Python 3.6+):

  V  version  hash_ok  mv_e      hash_ok: siphash13, cutoff 0, seed 0, 64-bit;
                                 mv_e: memoryview handles 'e' (3.12+)
  U  fmt  data  ok  repr(struct.unpack_from)  repr(item)  repr(memoryview item)|-
  U  fmt  data  err  ExceptionClass          (skip: a CPython SystemError)
  H  data  hash(bytes(data))
  P  fmt  value  ok  packed   |  P fmt value err ExceptionClass
                                 native single-char formats: m[0] = value on
                                 memoryview(bytearray).cast(fmt); others:
                                 struct.pack_into(fmt, buf, 0, *values)
  L  fmt  shape  data  repr(nested list of items)

Values are tokens in preorder: I<int> B0/B1 F<16 hex bits> Y<hex> T<len>.
Not a pytest module: the Rust test drives it.
"""
import random
import struct
import sys

NATIVE_CODES = 'xcbB?hHiIlLqQnNefdspP'
STD_CODES = 'xcbB?hHiIlLqQefdsp'
SCALAR_CODES = 'cbBhHiIlLqQnNfd?Pe'
INT_CODES = 'bBhHiIlLqQnNP'


def hexs(b):
    return b.hex() if b else '-'


def fhex(fmt):
    return fmt.encode('ascii').hex()


class Gen(object):
    def __init__(self, seed, scale, out):
        self.r = random.Random(seed)
        self.scale = scale
        self.w = out.write
        v = sys.version_info
        self.mv_e = v >= (3, 12)
        self.hash_ok = (sys.hash_info.algorithm == 'siphash13' and sys.hash_info.cutoff == 0
                        and not sys.flags.hash_randomization and sys.hash_info.width == 64)
        self.w('V\t%d.%d.%d\t%d\t%d\n' % (v[0], v[1], v[2], self.hash_ok, self.mv_e))
        self.mv_codes = SCALAR_CODES if self.mv_e else SCALAR_CODES.replace('e', '')

    def rbytes(self, n):
        r = self.r
        out = bytearray()
        for _ in range(n):
            k = r.random()
            if k < 0.15:
                out.append(0)
            elif k < 0.25:
                out.append(0xff)
            elif k < 0.3:
                out.append(r.choice((0x7f, 0x80, 0x27, 0x22, 0x5c, 0x0a, 0x09, 0x0d)))
            else:
                out.append(r.randrange(256))
        return bytes(out)

    # ---- formats -------------------------------------------------------------
    def rand_format(self, max_items=4, bad=0.02):
        """(format, [code of each value])"""
        r = self.r
        if r.random() < bad:
            return r.choice(['z', '<P', '>n', '=N', '3', 'i<', ' <i', '3 i', '!e!']), None
        prefix = r.choice(['', '', '@', '=', '<', '>', '!'])
        codes = NATIVE_CODES if prefix in ('', '@') else STD_CODES
        parts, vcodes = [], []
        for _ in range(r.choice([1, 1, 1, 2, 3, max_items])):
            c = r.choice(codes)
            if c in 'sp':
                cnt = r.choice(['', '1', '2', str(r.randrange(3, 14))] + ['0'])
                vcodes.append(c)
            else:
                cnt = '' if r.random() < 0.7 else str(r.randrange(0, 4))
                if c != 'x':
                    vcodes.extend(c * (int(cnt) if cnt else 1))
            parts.append(cnt + c)
        sep = ' ' if r.random() < 0.1 else ''
        return prefix + sep.join(parts), vcodes

    # ---- unpack --------------------------------------------------------------
    def unpack(self, fmt, data):
        w = self.w
        try:
            t = struct.unpack_from(fmt, data)
        except SystemError:
            w('U\t%s\t%s\tskip\n' % (fhex(fmt), hexs(data)))
            return
        except Exception as e:
            w('U\t%s\t%s\terr\t%s\n' % (fhex(fmt), hexs(data), type(e).__name__))
            return
        item = t[0] if len(t) == 1 else t
        mv = '-'
        core = fmt[1:] if fmt[:1] == '@' else fmt
        if len(core) == 1 and core in self.mv_codes:
            size = struct.calcsize(fmt)
            mv = repr(memoryview(data[:size]).cast(fmt).tolist()[0])
        w('U\t%s\t%s\tok\t%s\t%s\t%s\n' % (fhex(fmt), hexs(data), repr(t), repr(item), mv))

    def random_unpacks(self, n):
        r = self.r
        for _ in range(n):
            fmt, _ = self.rand_format()
            try:
                size = struct.calcsize(fmt)
            except Exception:
                size = r.randrange(8)
            data = self.rbytes(size)
            k = r.random()
            if k < 0.2:
                data += self.rbytes(r.randrange(1, 4))
            elif k < 0.23 and size:
                data = data[:r.randrange(size)]
            self.unpack(fmt, data)

    def special_double_bits(self):
        r = self.r
        k = r.randrange(12)
        sign = r.getrandbits(1) << 63
        if k == 0:
            return r.getrandbits(64)
        if k == 1:  # NaN with a payload
            return sign | (0x7ff << 52) | (r.getrandbits(52) or 1)
        if k == 2:  # subnormal
            return sign | r.getrandbits(r.choice([1, 8, 30, 52]))
        if k == 3:
            return sign | r.choice([0, 0x7ff << 52, 1, 0x7fefffffffffffff, 0x0010000000000000])
        if k == 4:  # integral values near 1e16
            x = float(r.choice([10 ** 16, 2 ** 53, 10 ** 15, 10 ** 17]) + r.randrange(-40, 40))
        elif k == 5:  # powers of ten and their neighbours
            x = float('1e%d' % r.randrange(-325, 310))
            return (struct.unpack('<Q', struct.pack('<d', x))[0] + r.randrange(-2, 3)) % 2 ** 64 | sign
        elif k == 6:  # short decimals
            x = float('%de%d' % (r.randrange(1, 10 ** r.randrange(1, 18)), r.randrange(-30, 30)))
        elif k == 7:
            x = float(r.randrange(2 ** r.randrange(1, 70)))
        elif k == 8:  # around the 1e-4/1e-5 and 1e16 switches
            x = r.choice([1e-4, 1e-5, 9.999999999999999e-05, 1e16, 9999999999999998.0, 1e15, 0.001])
            return (struct.unpack('<Q', struct.pack('<d', x))[0] + r.randrange(-3, 4)) | sign
        elif k == 9:
            x = r.uniform(-1e6, 1e6)
        elif k == 10:
            x = r.random() * 10 ** r.randrange(-20, 25)
        else:
            x = r.choice([0.1, 0.2, 0.3, 1 / 3.0, 2 / 3.0, 1.5, 100.0, 123456789.125, 5e-324])
        return struct.unpack('<Q', struct.pack('<d', x))[0] ^ sign

    def special_float_bits(self):
        r = self.r
        k = r.randrange(6)
        sign = r.getrandbits(1) << 31
        if k == 0:
            return r.getrandbits(32)
        if k == 1:
            return sign | (0xff << 23) | (r.getrandbits(23) or 1)
        if k == 2:
            return sign | r.getrandbits(23)
        if k == 3:
            return sign | r.choice([0, 0xff << 23, 1, 0x7f7fffff, 0x00800000])
        x = float('%de%d' % (r.randrange(1, 10 ** r.randrange(1, 9)), r.randrange(-40, 38)))
        try:
            return struct.unpack('<I', struct.pack('<f', x))[0] ^ sign
        except OverflowError:
            return sign | (0xff << 23)

    def float_unpacks(self, n):
        r = self.r
        for _ in range(n):
            bits = self.special_double_bits()
            for p in r.sample(['', '@', '<', '>', '=', '!'], 2):
                self.unpack(p + 'd', struct.pack(p + 'Q', bits))
        for _ in range(n // 2):
            bits = self.special_float_bits()
            for p in r.sample(['', '@', '<', '>', '=', '!'], 2):
                self.unpack(p + 'f', struct.pack(p + 'I', bits))
        # Every half float, each in a random byte order.
        for bits in range(65536):
            p = r.choice(['', '@', '<', '>', '=', '!'])
            self.unpack(p + 'e', struct.pack(p + 'H', bits))

    # ---- hash ----------------------------------------------------------------
    def hashes(self, n):
        if not self.hash_ok:
            return
        r = self.r
        lengths = list(range(0, 70)) + [r.randrange(70, 5000) for _ in range(n)]
        for ln in lengths:
            data = self.rbytes(ln)
            self.w('H\t%s\t%d\n' % (hexs(data), hash(data)))

    # ---- pack ----------------------------------------------------------------
    def rand_int(self):
        r = self.r
        if r.random() < 0.6:
            b = r.choice([8, 16, 32, 64])
            return r.choice([-2 ** (b - 1) - 1, -2 ** (b - 1), 2 ** (b - 1) - 1, 2 ** (b - 1),
                             2 ** b - 1, 2 ** b, -1, 0, 1])
        b = r.randrange(1, 128)
        return r.randrange(-2 ** b, 2 ** b)

    def half_value(self):
        r = self.r
        bits = r.randrange(0x7c00)
        lo = struct.unpack('<e', struct.pack('<H', bits))[0]
        hi = struct.unpack('<e', struct.pack('<H', bits + 1))[0] if bits < 0x7bff else 65536.0
        x = r.choice([lo, (lo + hi) / 2, lo + (hi - lo) * r.random()])
        return -x if r.random() < 0.5 else x

    def rand_float(self):
        r = self.r
        k = r.random()
        if k < 0.4:
            bits = self.special_double_bits()
            if (bits >> 52) & 0x7ff == 0x7ff and bits & ((1 << 52) - 1):
                bits &= ~((1 << 52) - 1) & (2 ** 64 - 1)  # NaN payloads are not portable
                bits |= 1 << 51
            return struct.unpack('<d', struct.pack('<Q', bits))[0]
        if k < 0.7:
            return self.half_value()
        if k < 0.8:
            return r.choice([1e300, -1e300, 65504.0, 65519.99, 65520.0, 3.4028235e38, 3.4028236e38,
                             3.5e38, 2.0 ** -24, 2.0 ** -25, 1e-46, float('inf'), float('nan')])
        return float(self.rand_int())

    def rand_value(self, code, depth=0):
        r = self.r
        k = r.random()
        want = {'c': 'y1', 's': 'y', 'p': 'y', '?': r.choice('ifyb'), 'e': 'f', 'f': 'f', 'd': 'f'}.get(code, 'i')
        kind = want if k < 0.75 else r.choice('ifybt' if depth == 0 else 'ifyb')
        if kind == 'i':
            return self.rand_int()
        if kind == 'b':
            return r.random() < 0.5
        if kind == 'f':
            return self.rand_float()
        if kind == 'y1':
            return self.rbytes(1) if r.random() < 0.9 else self.rbytes(r.choice([0, 2]))
        if kind == 'y':
            return self.rbytes(r.choice([0, 1, 2, 3, r.randrange(4, 20)]))
        return tuple(self.rand_value(r.choice(SCALAR_CODES), depth + 1) for _ in range(r.randrange(3)))

    def enc(self, v):
        if isinstance(v, bool):
            return 'B%d' % v
        if isinstance(v, int):
            return 'I%d' % v
        if isinstance(v, float):
            return 'F%016x' % struct.unpack('<Q', struct.pack('<d', v))[0]
        if isinstance(v, bytes):
            return 'Y' + v.hex()
        return ' '.join(['T%d' % len(v)] + [self.enc(x) for x in v])

    def pack(self, fmt, v):
        w = self.w
        core = fmt[1:] if fmt[:1] == '@' else fmt
        try:
            size = struct.calcsize(fmt)
        except Exception:
            size = 0
        buf = bytearray(size)
        try:
            if len(core) == 1 and core in SCALAR_CODES:
                if core not in self.mv_codes:
                    return
                m = memoryview(buf).cast(fmt)
                m[0] = v
            else:
                nv = len(struct.unpack_from(fmt, bytes(size)))
                args = list(v) if type(v) is tuple and nv != 1 else [v]
                struct.pack_into(fmt, buf, 0, *args)
        except Exception as e:
            w('P\t%s\t%s\terr\t%s\n' % (fhex(fmt), self.enc(v), type(e).__name__))
            return
        w('P\t%s\t%s\tok\t%s\n' % (fhex(fmt), self.enc(v), hexs(bytes(buf))))

    def packs(self, n):
        r = self.r
        for _ in range(n):
            if r.random() < 0.5:
                code = r.choice(SCALAR_CODES)
                fmt = r.choice(['', '@']) + code
                self.pack(fmt, self.rand_value(code))
                continue
            fmt, vcodes = self.rand_format(bad=0.01)
            if vcodes is None or '0p' in fmt:
                if vcodes is None:
                    self.pack(fmt, self.rand_value('i'))
                continue
            if len(vcodes) == 1:
                self.pack(fmt, self.rand_value(vcodes[0]))
            else:
                vals = [self.rand_value(c) for c in vcodes]
                k = r.random()
                if k < 0.05:
                    vals = vals[:-1]
                elif k < 0.1:
                    vals.append(1)
                self.pack(fmt, tuple(vals) if r.random() < 0.97 else self.rand_value('i'))

    # ---- nested lists ----------------------------------------------------------
    def lists(self, n):
        r = self.r
        for _ in range(n):
            if r.random() < 0.6:
                fmt = r.choice(['', '@']) + r.choice(self.mv_codes)
            else:
                fmt, vcodes = self.rand_format(max_items=3, bad=0)
                if '0p' in fmt:
                    continue
            size = struct.calcsize(fmt)
            shape = [r.randrange(0, 4) for _ in range(r.randrange(0, 4))]
            total = 1
            for s in shape:
                total *= s
            data = self.rbytes(size * total)

            def item(i):
                t = struct.unpack_from(fmt, data, i * size)
                return t[0] if len(t) == 1 else t

            def build(dims, base):
                if not dims:
                    return item(base)
                inner = 1
                for s in dims[1:]:
                    inner *= s
                return [build(dims[1:], base + k * inner) for k in range(dims[0])]

            text = repr(build(shape, 0))
            self.w('L\t%s\t%s\t%s\t%s\n' % (fhex(fmt), ','.join(map(str, shape)) or '-', hexs(data), text))


def main():
    seed = int(sys.argv[1])
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    g = Gen(seed, scale, sys.stdout)
    g.random_unpacks(3 * scale)
    g.float_unpacks(scale)
    g.hashes(scale // 2)
    g.packs(3 * scale)
    g.lists(scale // 4)


if __name__ == '__main__':
    main()
