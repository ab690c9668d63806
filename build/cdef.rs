//! The cffi declarations (`include/pepkit_cdef.h`) derived from the generated
//! C header, so that `ffi.cdef(open("pepkit_cdef.h").read())` works with the
//! constants kept.
//!
//! cffi's parser takes C declarations and `#define NAME <integer>` only: no
//! `#include`, no conditionals, no attributes, no expressions in macros. So
//! the header is taken as cbindgen wrote it, then:
//! - comments are dropped (the header keeps the documentation);
//! - lines inside `#if`/`#ifdef` blocks other than the include guard (the C++
//!   `extern "C"` and the attribute macro) are dropped, as is every other
//!   preprocessor line;
//! - the `PEPKIT_MUST_USE` attribute is dropped from declarations;
//! - each `#define PEPKIT_NAME expr` is evaluated to an integer (names defined
//!   before, `PTRDIFF_MIN`/`PTRDIFF_MAX` for the target's pointer width, and
//!   `| & ^ << >> + - * ~ ( )`); string macros are left out.
//!
//! A macro this cannot evaluate fails the build, naming it, so a new constant
//! never silently goes missing from the cdef.

use std::collections::HashMap;

pub fn from_header(header: &str, pointer_bits: u32) -> String {
    let text = strip_comments(header);
    let mut values: HashMap<String, i128> = HashMap::new();
    values.insert("PTRDIFF_MIN".into(), -(1i128 << (pointer_bits - 1)));
    values.insert("PTRDIFF_MAX".into(), (1i128 << (pointer_bits - 1)) - 1);
    let mut out = String::from(
        "/* Generated from include/pepkit.h by build.rs (build/cdef.rs) -- do not edit; run `make header`.\n \
         * The declarations of pepkit.h for cffi: ffi.cdef(open(\"pepkit_cdef.h\").read()). */\n",
    );
    // Depth of conditional blocks being skipped; the include guard is kept.
    let mut skipping = 0usize;
    let mut blank = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(directive) = trimmed.strip_prefix('#') {
            let directive = directive.trim_start();
            let word = directive.split_whitespace().next().unwrap_or("");
            match word {
                "if" | "ifdef" | "ifndef" => {
                    if skipping > 0 || directive != "ifndef PEPKIT_H" {
                        skipping += 1;
                    }
                }
                "endif" => skipping = skipping.saturating_sub(1),
                "define" if skipping == 0 => {
                    if let Some(line) = define(directive, &mut values) {
                        out.push_str(&line);
                        out.push('\n');
                        blank = false;
                    }
                }
                _ => {}
            }
            continue;
        }
        if skipping > 0 {
            continue;
        }
        let line = line.replace("PEPKIT_MUST_USE ", "").replace("PEPKIT_MUST_USE", "");
        if line.trim().is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line.trim_end());
            out.push('\n');
            blank = false;
        }
    }
    out
}

/// `define NAME expr` as cffi's `#define NAME <integer>`, or None for the
/// include guard and string macros.
fn define(directive: &str, values: &mut HashMap<String, i128>) -> Option<String> {
    let rest = directive["define".len()..].trim();
    let (name, expr) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let expr = expr.trim();
    if expr.is_empty() || expr.starts_with('"') || name == "PEPKIT_MUST_USE" {
        return None;
    }
    let value = Eval { tokens: tokenize(expr), pos: 0, values }
        .run()
        .unwrap_or_else(|| panic!("build/cdef.rs cannot evaluate #define {name} {expr}: teach it"));
    values.insert(name.to_string(), value);
    Some(format!("#define {name} {value}"))
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else if rest.starts_with('"') {
            // A string literal may hold "/*"; copy it whole.
            let end = rest[1..].find('"').map_or(rest.len(), |e| e + 2);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let ch = rest.chars().next().expect("rest is not empty");
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i128),
    Name(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut toks = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            let lit = s[start..i].trim_end_matches(['u', 'U', 'l', 'L']);
            let n = if let Some(hex) = lit.strip_prefix("0x").or_else(|| lit.strip_prefix("0X")) {
                i128::from_str_radix(hex, 16)
            } else {
                lit.parse()
            };
            match n {
                Ok(n) => toks.push(Tok::Num(n)),
                Err(_) => toks.push(Tok::Op("?")),
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Name(s[start..i].to_string()));
        } else {
            let two = if i + 1 < b.len() { &s[i..i + 2] } else { "" };
            let op = match two {
                "<<" => Some("<<"),
                ">>" => Some(">>"),
                _ => None,
            };
            if let Some(op) = op {
                toks.push(Tok::Op(op));
                i += 2;
                continue;
            }
            let op = match c {
                b'|' => "|",
                b'&' => "&",
                b'^' => "^",
                b'+' => "+",
                b'-' => "-",
                b'*' => "*",
                b'~' => "~",
                b'(' => "(",
                b')' => ")",
                _ => "?",
            };
            toks.push(Tok::Op(op));
            i += 1;
        }
    }
    toks
}

/// Precedence climbing over C's integer operators (the subset above).
struct Eval<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    values: &'a HashMap<String, i128>,
}

impl Eval<'_> {
    fn run(mut self) -> Option<i128> {
        let v = self.binary(0)?;
        (self.pos == self.tokens.len()).then_some(v)
    }

    fn prec(op: &str) -> Option<u8> {
        Some(match op {
            "|" => 1,
            "^" => 2,
            "&" => 3,
            "<<" | ">>" => 4,
            "+" | "-" => 5,
            "*" => 6,
            _ => return None,
        })
    }

    fn binary(&mut self, min: u8) -> Option<i128> {
        let mut lhs = self.unary()?;
        while let Some(Tok::Op(op)) = self.tokens.get(self.pos).cloned() {
            let Some(p) = Self::prec(op) else { break };
            if p < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(p + 1)?;
            lhs = match op {
                "|" => lhs | rhs,
                "^" => lhs ^ rhs,
                "&" => lhs & rhs,
                "<<" => lhs.checked_shl(u32::try_from(rhs).ok()?)?,
                ">>" => lhs.checked_shr(u32::try_from(rhs).ok()?)?,
                "+" => lhs.checked_add(rhs)?,
                "-" => lhs.checked_sub(rhs)?,
                "*" => lhs.checked_mul(rhs)?,
                _ => return None,
            };
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<i128> {
        let tok = self.tokens.get(self.pos).cloned()?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Some(n),
            Tok::Name(name) => self.values.get(&name).copied(),
            Tok::Op("-") => self.unary()?.checked_neg(),
            Tok::Op("~") => Some(!self.unary()?),
            Tok::Op("(") => {
                let v = self.binary(0)?;
                (self.tokens.get(self.pos) == Some(&Tok::Op(")"))).then(|| self.pos += 1)?;
                Some(v)
            }
            _ => None,
        }
    }
}
