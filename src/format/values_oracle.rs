//! Differential test of `format::value`, `format::repr` and `memoryview::hash`
//! against every CPython on the machine (tests/lib.sh's list; PEPKIT_PYTHONS
//! overrides it): tests/oracle/test_values.py prints this interpreter's answers
//! for seeded random cases, and pepkit must give the same, byte for byte.
//!
//! PEPKIT_SEED reproduces a run; PEPKIT_ORACLE_SCALE multiplies the case counts
//! (1: about 75,000 cases an interpreter, every half float among them).
//! (Was tests/values_oracle.rs; a unit test since these are internals.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::ErrorKind;
use crate::format::repr::{write_item, write_nested_list, write_value};
use crate::format::value::{
    native_scalar_code, pack, unpack_item, unpack_native_scalar, unpack_struct, StructLayout, Value,
};
use crate::memoryview::hash::{hash_bytes, BytesHasher};

fn pythons() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("PEPKIT_PYTHONS") {
        return list.split_whitespace().map(PathBuf::from).collect();
    }
    let root = Command::new("pyenv")
        .arg("root")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".pyenv"));
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(root.join("versions"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let version: Vec<u32> = name.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
            let exe = e.path().join("bin/python3");
            (version.first() == Some(&3) && exe.is_file()).then_some((version, exe))
        })
        .collect();
    found.sort();
    let mut out: Vec<PathBuf> = found.into_iter().map(|(_, p)| p).collect();
    if Path::new("/usr/bin/python3").is_file() {
        out.push("/usr/bin/python3".into());
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex")).collect()
}

fn kind_of(class: &str) -> Option<ErrorKind> {
    Some(match class {
        "error" | "ValueError" => ErrorKind::Value,
        "TypeError" => ErrorKind::Type,
        "OverflowError" => ErrorKind::Overflow,
        "NotImplementedError" => ErrorKind::NotImplemented,
        _ => return None,
    })
}

fn repr(v: &Value) -> String {
    let mut out = Vec::new();
    write_value(&mut out, v);
    String::from_utf8(out).unwrap()
}

/// Decodes a preorder value: the bytes of every `Y` token are decoded into
/// `store` first so the values can borrow them.
fn parse_value<'a>(tokens: &mut std::slice::Iter<'_, &str>, store: &'a [Vec<u8>], next: &mut usize) -> Value<'a> {
    let t = tokens.next().expect("token");
    let (tag, rest) = t.split_at(1);
    match tag {
        "I" => Value::Int(rest.parse().expect("int")),
        "B" => Value::Bool(rest == "1"),
        "F" => Value::Float(f64::from_bits(u64::from_str_radix(rest, 16).unwrap())),
        "Y" => {
            *next += 1;
            Value::Bytes(&store[*next - 1])
        }
        "T" => {
            let n: usize = rest.parse().unwrap();
            Value::Tuple((0..n).map(|_| parse_value(tokens, store, next)).collect())
        }
        _ => panic!("bad token {t}"),
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    shown: usize,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            if self.shown < 25 {
                self.shown += 1;
                eprintln!("  FAIL {}", what());
            }
        }
    }
}

fn run_line(line: &str, t: &mut Tally, split_seed: &mut u64) {
    let f: Vec<&str> = line.split('\t').collect();
    match f[0] {
        "U" => {
            let fmt = unhex(f[1]);
            let data = unhex(f[2]);
            let shown = || format!("unpack {:?} {} ", String::from_utf8_lossy(&fmt), f[2]);
            match f[3] {
                "skip" => t.skipped += 1,
                "err" => {
                    let got = unpack_struct(&fmt, &data);
                    t.check(got.as_ref().err().map(|e| e.kind) == kind_of(f[4]), || {
                        format!("{}: want {}, got {:?}", shown(), f[4], got)
                    });
                    let got = unpack_item(&fmt, &data);
                    t.check(got.as_ref().err().map(|e| e.kind) == kind_of(f[4]), || {
                        format!("{} item: want {}, got {:?}", shown(), f[4], got)
                    });
                }
                _ => {
                    let (want_struct, want_item, want_mv) = (f[4], f[5], f[6]);
                    let got = unpack_struct(&fmt, &data).map(|v| repr(&v));
                    t.check(got.as_deref() == Ok(want_struct), || format!("{}: want {want_struct}, got {got:?}", shown()));
                    let got = unpack_item(&fmt, &data).map(|v| repr(&v));
                    t.check(got.as_deref() == Ok(want_item), || format!("{} item: want {want_item}, got {got:?}", shown()));
                    let layout = StructLayout::new(&fmt).unwrap();
                    let mut out = Vec::new();
                    write_item(&mut out, &layout, &data).unwrap();
                    t.check(out == want_item.as_bytes(), || {
                        format!("{} write_item: want {want_item}, got {}", shown(), String::from_utf8_lossy(&out))
                    });
                    if want_mv != "-" {
                        let code = native_scalar_code(&fmt).expect("native scalar format");
                        let got = unpack_native_scalar(code, &data).map(|v| repr(&v));
                        t.check(got.as_deref() == Some(want_mv), || format!("{} memoryview: want {want_mv}, got {got:?}", shown()));
                    }
                }
            }
        }
        "H" => {
            let data = unhex(f[1]);
            let want: isize = f[2].parse().unwrap();
            t.check(hash_bytes(&data) == want, || format!("hash {}: want {want}, got {}", f[1], hash_bytes(&data)));
            // The same bytes fed in three random pieces.
            *split_seed = split_seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let a = (*split_seed >> 33) as usize % (data.len() + 1);
            let b = a + (*split_seed >> 13) as usize % (data.len() - a + 1);
            let mut h = BytesHasher::new();
            h.update(&data[..a]);
            h.update(&data[a..b]);
            h.update(&data[b..]);
            t.check(h.finish() == want, || format!("streamed hash {} split {a} {b}: want {want}, got {}", f[1], h.finish()));
        }
        "P" => {
            let fmt = unhex(f[1]);
            let tokens: Vec<&str> = f[2].split(' ').collect();
            let store: Vec<Vec<u8>> = tokens.iter().filter(|t| t.starts_with('Y')).map(|t| unhex(&t[1..])).collect();
            let mut next = 0;
            let value = parse_value(&mut tokens.iter(), &store, &mut next);
            let shown = || format!("pack {:?} {}", String::from_utf8_lossy(&fmt), f[2]);
            if f[3] == "ok" {
                let want = unhex(f[4]);
                let mut out = vec![0u8; want.len()];
                let got = pack(&fmt, &value, &mut out);
                t.check(got.is_ok() && out == want, || format!("{}: want {}, got {got:?} {out:02x?}", shown(), f[4]));
            } else {
                let size = crate::format::calcsize(&fmt).unwrap_or(0);
                let mut out = vec![0u8; size];
                let got = pack(&fmt, &value, &mut out);
                t.check(got.as_ref().err().map(|e| e.kind) == kind_of(f[4]), || {
                    format!("{}: want {}, got {got:?}", shown(), f[4])
                });
                t.check(out.iter().all(|&b| b == 0), || format!("{}: wrote on failure", shown()));
            }
        }
        "L" => {
            let fmt = unhex(f[1]);
            let shape: Vec<usize> = if f[2] == "-" { vec![] } else { f[2].split(',').map(|s| s.parse().unwrap()).collect() };
            let data = unhex(f[3]);
            let layout = StructLayout::new(&fmt).unwrap();
            let native = native_scalar_code(&fmt);
            let mut out = Vec::new();
            write_nested_list(&mut out, &shape, |o, i| {
                let item = &data[i * layout.size..];
                match native {
                    Some(code) => write_value(o, &unpack_native_scalar(code, item).unwrap()),
                    None => write_item(o, &layout, item).unwrap(),
                }
            });
            t.check(out == f[4].as_bytes(), || {
                format!("list {:?} {:?}: want {}, got {}", String::from_utf8_lossy(&fmt), shape, f[4], String::from_utf8_lossy(&out))
            });
        }
        other => panic!("unknown record {other:?}"),
    }
}

#[test]
fn values_repr_hash_and_pack_match_cpython() {
    let seed: u64 = match std::env::var("PEPKIT_SEED") {
        Ok(s) => s.parse().expect("PEPKIT_SEED is an integer"),
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 % 1_000_000_007,
    };
    // PEPKIT_ORACLE_SCALE multiplies the case counts, as for the other oracles.
    let scale: u32 = 1000 * std::env::var("PEPKIT_ORACLE_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1u32).max(1);
    eprintln!("values_oracle: seed {seed} (PEPKIT_SEED={seed} reproduces), scale {scale}");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/test_values.py");
    let pys = pythons();
    assert!(!pys.is_empty() || std::env::var("CI").is_err(), "no CPython found");
    let mut total = Tally::default();
    let mut hashed_interpreters = 0;
    // Two interpreters at a time: the machine's two cores are shared.
    for pair in pys.chunks(2) {
        let outputs: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = pair
                .iter()
                .map(|py| {
                    let script = &script;
                    s.spawn(move || {
                        Command::new(py)
                            .arg("-S")
                            .arg(script)
                            .arg(seed.to_string())
                            .arg(scale.to_string())
                            .env("PYTHONHASHSEED", "0")
                            .env_remove("PYTHONPATH")
                            .env_remove("PYTHONHOME")
                            .output()
                            .expect("run python")
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (py, out) in pair.iter().zip(outputs) {
            assert!(out.status.success(), "{}: {}", py.display(), String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).unwrap();
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
            assert_eq!(header[0], "V");
            let mut t = Tally::default();
            let mut split_seed = seed;
            let (mut nu, mut nh, mut np, mut nl) = (0, 0, 0, 0);
            for line in lines {
                match &line[..1] {
                    "U" => nu += 1,
                    "H" => nh += 1,
                    "P" => np += 1,
                    _ => nl += 1,
                }
                run_line(line, &mut t, &mut split_seed);
            }
            if nh > 0 {
                hashed_interpreters += 1;
            }
            eprintln!(
                "  {} (CPython {}): {} passed, {} failed, {} skipped  [{nu} unpack, {nh} hash, {np} pack, {nl} list cases]",
                py.display(),
                header[1],
                t.passed,
                t.failed,
                t.skipped
            );
            total.passed += t.passed;
            total.failed += t.failed;
            total.skipped += t.skipped;
        }
    }
    eprintln!(
        "values_oracle: {} passed, {} failed, {} skipped over {} interpreters ({} with the siphash13 hash)",
        total.passed,
        total.failed,
        total.skipped,
        pys.len(),
        hashed_interpreters
    );
    assert_eq!(total.failed, 0, "seed {seed}");
}

/// `cargo test --release -p pepkit --lib values_oracle -- --ignored --nocapture`: the
/// time of pepkit's tolist text for 1M doubles against CPython's
/// `repr(m.tolist())` on the same data (best of 5 each).
#[test]
#[ignore]
fn repr_speed_vs_cpython() {
    let py = pythons().into_iter().find(|p| p.to_string_lossy().contains("3.11")).expect("a CPython 3.11");
    let dir = std::env::temp_dir().join(format!("pepkit-repr-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, gen) in [
        ("random.random()", "array.array('d', [r.random() for _ in range(N)])"),
        ("random bit patterns", "array.array('d', struct.pack('<%dQ' % N, *[r.getrandbits(64) & ~(0x7ff << 52) | (r.randrange(2046) << 52) for _ in range(N)]))"),
        ("small ints as floats", "array.array('d', [float(r.randrange(1000)) for _ in range(N)])"),
    ] {
        let data = dir.join("data");
        let script = format!(
            "import array, random, struct, sys, time\nr = random.Random(1)\nN = 10**6\na = {gen}\n\
             open(sys.argv[1], 'wb').write(a.tobytes())\nm = memoryview(a)\nbest = 1e9\n\
             for _ in range(5):\n    t = time.perf_counter(); s = repr(m.tolist()); best = min(best, time.perf_counter() - t)\n\
             open(sys.argv[1] + '.txt', 'w').write(s)\nprint(best)\n"
        );
        let out = Command::new(&py).arg("-c").arg(&script).arg(&data).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let py_s: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        let bytes = std::fs::read(&data).unwrap();
        let want = std::fs::read(dir.join("data.txt")).unwrap();
        let n = bytes.len() / 8;
        let mut best = f64::MAX;
        let mut text = Vec::new();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            text = Vec::with_capacity(want.len());
            write_nested_list(&mut text, &[n], |o, i| {
                write_value(o, &unpack_native_scalar(b'd', &bytes[8 * i..]).unwrap())
            });
            best = best.min(t.elapsed().as_secs_f64());
        }
        assert!(text == want, "text differs");
        eprintln!(
            "tolist text, 1M doubles ({name}): pepkit {:.1} ms, CPython {} repr(m.tolist()) {:.1} ms: {:.1}x",
            best * 1e3,
            py.display(),
            py_s * 1e3,
            py_s / best
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
