//! The cffi declarations (`include/pepkit_cdef.h`) derived from the generated
//! C header, so that `ffi.cdef(open("pepkit_cdef.h").read())` works with the
//! constants kept.
//!
//! cffi's parser takes C declarations and `#define NAME <integer>` only: no
//! `#include`, no conditionals, no attributes, no expressions in macros. So
//! the header is preprocessed the way a C (not C++) compiler other than GCC or
//! Clang would see it, as far as cffi needs:
//! - comments are dropped (the header keeps the documentation);
//! - `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif` are followed, with
//!   `__cplusplus`, `__GNUC__` and `__clang__` undefined (so the C++
//!   `extern "C"` goes, the C branch of a `typedef enum` stays, and
//!   `PEPKIT_MUST_USE` is the empty macro); a guard such as `#ifndef PEPKIT_H`
//!   is taken;
//! - a macro defined empty (`PEPKIT_MUST_USE`, guards) is removed wherever it
//!   appears in declarations;
//! - each other `#define NAME expr` is evaluated to an integer (names defined
//!   before, `PTRDIFF_MIN`/`PTRDIFF_MAX` for the target's pointer width,
//!   integer suffixes, and `| & ^ << >> + - * ~ ( )`); string macros are left
//!   out, function-like macros too (cffi calls the function of the same
//!   name), and one this cannot evaluate is left out with a cargo warning
//!   (tests/cffi/consumer.py then reports a PEPKIT_ macro missing).

use std::collections::{HashMap, HashSet};

pub fn from_header(header: &str, pointer_bits: u32) -> String {
    let text = strip_comments(header);
    let mut values: HashMap<String, i128> = HashMap::new();
    values.insert("PTRDIFF_MIN".into(), -(1i128 << (pointer_bits - 1)));
    values.insert("PTRDIFF_MAX".into(), (1i128 << (pointer_bits - 1)) - 1);
    let mut defined: HashSet<String> = HashSet::new();
    let mut empty: Vec<String> = Vec::new();
    let mut body = String::new();
    // One entry per open conditional: (this branch is live, a branch was taken).
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut blank = false;
    for line in text.lines() {
        let live = stack.iter().all(|&(on, _)| on);
        let trimmed = line.trim();
        if let Some(directive) = trimmed.strip_prefix('#') {
            let directive = directive.trim_start();
            let (word, rest) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
            let rest = rest.trim();
            match word {
                "ifdef" | "ifndef" | "if" => {
                    let cond = match word {
                        "ifdef" => defined.contains(rest),
                        "ifndef" => !defined.contains(rest),
                        _ => condition(rest, &defined),
                    };
                    stack.push((cond, cond));
                }
                "elif" => {
                    if let Some(top) = stack.last_mut() {
                        let cond = !top.1 && condition(rest, &defined);
                        *top = (cond, top.1 || cond);
                    }
                }
                "else" => {
                    if let Some(top) = stack.last_mut() {
                        *top = (!top.1, true);
                    }
                }
                "endif" => {
                    stack.pop();
                }
                "define" if live => {
                    let (name, expr) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    let expr = expr.trim();
                    if name.contains('(') {
                        // A function-like macro (pepkit_venv_options_init): cffi
                        // calls the symbol of the same name instead.
                        continue;
                    }
                    defined.insert(name.to_string());
                    if expr.is_empty() {
                        empty.push(name.to_string());
                    } else if !expr.starts_with('"') {
                        match (Eval { tokens: tokenize(expr), pos: 0, values: &values }).run() {
                            Some(v) => {
                                values.insert(name.to_string(), v);
                                body.push_str(&format!("#define {name} {v}\n"));
                                blank = false;
                            }
                            None => println!(
                                "cargo:warning=pepkit_cdef.h: #define {name} {expr} left out \
                                 (not an integer expression build/cdef.rs can evaluate)"
                            ),
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if !live {
            continue;
        }
        let mut line = line.to_string();
        for name in &empty {
            line = remove_word(&line, name);
        }
        if line.trim().is_empty() {
            if !blank {
                body.push('\n');
            }
            blank = true;
        } else {
            body.push_str(line.trim_end());
            body.push('\n');
            blank = false;
        }
    }
    format!(
        "/* Generated from include/pepkit.h by ffi/artifact/build.rs (build/cdef.rs) -- do not edit; run `make header`.\n \
         * The declarations of pepkit.h for cffi: ffi.cdef(open(\"pepkit_cdef.h\").read()). */\n{body}"
    )
}

/// `#if` conditions as the header uses them: `defined(X)`/`defined X`, `!`,
/// `||`, `&&` (no parenthesised sub-expressions, no arithmetic); anything
/// else counts as false.
fn condition(expr: &str, defined: &HashSet<String>) -> bool {
    expr.split("||").any(|alt| {
        alt.split("&&").all(|term| {
            let term = term.trim();
            let (negate, term) = match term.strip_prefix('!') {
                Some(t) => (true, t.trim()),
                None => (false, term),
            };
            let Some(name) = term.strip_prefix("defined") else { return negate };
            let name = name.trim().trim_start_matches('(').trim_end_matches(')').trim();
            defined.contains(name) != negate
        })
    })
}

/// `line` without the identifier `word` (whole words only, with one space after it).
fn remove_word(line: &str, word: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(word) {
        let before_ok = !rest[..at].chars().next_back().is_some_and(is_ident);
        let after = &rest[at + word.len()..];
        let after_ok = !after.chars().next().is_some_and(is_ident);
        out.push_str(&rest[..at]);
        if before_ok && after_ok {
            rest = after.strip_prefix(' ').unwrap_or(after);
        } else {
            out.push_str(word);
            rest = after;
        }
    }
    out.push_str(rest);
    out
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
