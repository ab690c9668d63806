//! Activation scripts, rendered from the base interpreter's own
//! `venv/scripts/{common,posix}` templates.
//!
//! The substitution is `EnvBuilder.replace_variables`: five placeholders
//! replaced in order. An interpreter whose `venv` has the CVE-2024-9287 fix
//! (its source uses `shlex.quote`) gets its own quoting: `shlex.quote` for
//! POSIX shells, `'...'` with doubled quotes for PowerShell. An interpreter
//! from before the fix gets its own byte-for-byte output when every value is
//! harmless inside the double quotes its templates use; when a value could run
//! code there (`$`, backquote, `"`, `\`, `!`, a newline), pepkit instead closes
//! the double quotes around the placeholder and inserts the `shlex.quote`d value,
//! which the fixed CPython would also have written, so the scripts stay safe.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::paths::{ps1_quote, py_repr, shlex_quote};

/// The values of the five placeholders.
#[derive(Debug, Clone)]
pub struct Values {
    pub venv_dir: String,
    pub venv_name: String,
    pub venv_prompt: String,
    pub venv_bin_name: String,
    pub venv_python: String,
}

/// One rendered script: where it goes (relative to the env's bin dir), its
/// bytes, and the template's permission bits.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub rel: PathBuf,
    pub data: Vec<u8>,
    pub mode: u32,
}

const PLACEHOLDERS: [&str; 5] =
    ["__VENV_DIR__", "__VENV_NAME__", "__VENV_PROMPT__", "__VENV_BIN_NAME__", "__VENV_PYTHON__"];

impl Values {
    fn list(&self) -> [&str; 5] {
        [&self.venv_dir, &self.venv_name, &self.venv_prompt, &self.venv_bin_name, &self.venv_python]
    }

    /// True when some value could run code inside the double quotes of a
    /// pre-fix template.
    pub fn unsafe_in_double_quotes(&self) -> bool {
        self.list().iter().any(|v| v.chars().any(|c| matches!(c, '$' | '`' | '"' | '\\' | '!' | '\n' | '\r')))
    }
}

/// The quoting used for one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Pre-fix CPython: values inserted as they are.
    Raw,
    /// The fixed CPython: `shlex.quote` (PowerShell quoting for `.ps1`, none for `.bat`).
    Fixed,
    /// pepkit's safe rendering of a pre-fix template.
    SafeRaw,
}

fn quote_for(file_name: &str, value: &str) -> String {
    if file_name.ends_with(".ps1") {
        ps1_quote(value)
    } else if file_name.ends_with(".py") || file_name.ends_with(".xsh") {
        py_repr(value)
    } else if file_name.ends_with(".nu") {
        nu_quote(value)
    } else if file_name.ends_with(".bat") {
        value.to_string()
    } else {
        shlex_quote(value)
    }
}

/// `replace_variables` for one template text.
pub fn render_text(text: &str, file_name: &str, values: &Values, quoting: Quoting) -> String {
    match quoting {
        Quoting::Raw => {
            let mut t = text.to_string();
            for (ph, v) in PLACEHOLDERS.iter().zip(values.list()) {
                t = t.replace(ph, v);
            }
            t
        }
        Quoting::Fixed => {
            let mut t = text.to_string();
            for (ph, v) in PLACEHOLDERS.iter().zip(values.list()) {
                t = t.replace(ph, &quote_for(file_name, v));
            }
            t
        }
        Quoting::SafeRaw => safe_render(text, file_name, values),
    }
}

/// Replaces each placeholder in one pass; one inside a double-quoted string
/// becomes `"` + quoted + `"` (closing and reopening the string), one outside
/// becomes the quoted value.
fn safe_render(text: &str, file_name: &str, values: &Values) -> String {
    let vals = values.list();
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        let mut in_dq = false;
        let mut in_sq = false;
        let mut i = 0;
        let bytes = line.as_bytes();
        while i < line.len() {
            if let Some(k) = PLACEHOLDERS.iter().position(|p| line[i..].starts_with(p)) {
                let q = quote_for(file_name, vals[k]);
                if in_dq {
                    out.push('"');
                    out.push_str(&q);
                    out.push('"');
                } else {
                    out.push_str(&q);
                }
                i += PLACEHOLDERS[k].len();
                continue;
            }
            let c = bytes[i];
            if c == b'\\' && !in_sq && i + 1 < line.len() {
                // An escaped character: copy both bytes (ASCII backslash, so the
                // next char boundary is i + 1 + its length).
                let next_len = line[i + 1..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&line[i..i + 1 + next_len]);
                i += 1 + next_len;
                continue;
            }
            if c == b'"' && !in_sq {
                in_dq = !in_dq;
            } else if c == b'\'' && !in_dq {
                in_sq = !in_sq;
            } else if c == b'#' && !in_dq && !in_sq {
                // Rest of the line is a comment.
            }
            let ch_len = line[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&line[i..i + ch_len]);
            i += ch_len;
        }
    }
    out
}

/// The template files of an interpreter's `venv` package: everything under
/// `scripts/common` and `scripts/posix` (sub-directories kept), in the order
/// `os.walk` would meet the two roots.
pub fn template_files(venv_dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>> {
    let root = venv_dir.join("scripts");
    let mut out = Vec::new();
    for top in ["common", "posix"] {
        let dir = root.join(top);
        if dir.is_dir() {
            walk(&dir, Path::new(""), &mut out)?;
        }
    }
    if out.is_empty() {
        return Err(Error::not_found(format!(
            "no activation script templates in {} (is the interpreter's venv module installed?)",
            root.display()
        )));
    }
    Ok(out)
}

fn walk(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, PathBuf)>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(&e, format!("reading {}", dir.display())))?;
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let r = rel.join(e.file_name());
        let ft = e.file_type().map_err(|err| Error::io(&err, format!("reading {}", path.display())))?;
        if ft.is_dir() {
            walk(&path, &r, out)?;
        } else {
            out.push((path, r));
        }
    }
    Ok(())
}

/// A nushell raw string (`r#'...'#`) holding `value` as it is: as many `#`
/// as it takes for the closing `'#...#` not to occur inside.
fn nu_quote(value: &str) -> String {
    let mut hashes = String::from("#");
    while value.contains(&format!("'{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}'{value}'{hashes}")
}

/// One of pepkit's own activation scripts: its file name, its text, and the
/// line that sets the env's path, fixed at creation or (relocatable) found
/// from the script's own location (`None`: the script always finds it so).
struct Builtin {
    name: &'static str,
    text: &'static str,
    fixed: Option<&'static str>,
    located: &'static str,
}

/// pepkit's own templates: bash/zsh, fish and csh (used when the interpreter
/// ships none, and for relocatable envs), nushell, xonsh and
/// `activate_this.py` (written on request). Every value is substituted
/// outside quotes and quoted for the script's language (`shlex.quote`, a
/// Python literal, a nushell raw string), as the fixed CPython does. Their
/// `__VENV_PROMPT__` is the bare prompt (they add the parentheses).
const BUILTIN: [Builtin; 6] = [
    Builtin {
        name: "activate",
        text: include_str!("templates/activate"),
        fixed: Some("VIRTUAL_ENV=__VENV_DIR__"),
        located: include_str!("templates/locate/activate"),
    },
    Builtin {
        name: "activate.fish",
        text: include_str!("templates/activate.fish"),
        fixed: Some("set -gx VIRTUAL_ENV __VENV_DIR__"),
        located: include_str!("templates/locate/activate.fish"),
    },
    Builtin {
        name: "activate.csh",
        text: include_str!("templates/activate.csh"),
        fixed: Some("setenv VIRTUAL_ENV __VENV_DIR__"),
        located: include_str!("templates/locate/activate.csh"),
    },
    Builtin {
        name: "activate.nu",
        text: include_str!("templates/activate.nu"),
        fixed: Some("const pepkit_venv = __VENV_DIR__"),
        located: include_str!("templates/locate/activate.nu"),
    },
    Builtin {
        name: "activate.xsh",
        text: include_str!("templates/activate.xsh"),
        fixed: Some("$VIRTUAL_ENV = __VENV_DIR__"),
        located: include_str!("templates/locate/activate.xsh"),
    },
    Builtin { name: "activate_this.py", text: include_str!("templates/activate_this.py"), fixed: None, located: "" },
];

/// The POSIX shells' scripts, which `python -m venv` writes too.
pub const SHELL_SCRIPTS: [&str; 3] = ["activate", "activate.fish", "activate.csh"];

/// Renders the named templates of pepkit's own (see [`BUILTIN`]) with mode
/// 0644: the env's path written in, or found by each script from its own
/// location when `relocatable`. `site_packages` is site-packages relative
/// to the env (for `activate_this.py`). An unknown name is skipped.
pub fn render_builtin(values: &Values, names: &[&str], relocatable: bool, site_packages: &str) -> Vec<Rendered> {
    BUILTIN
        .iter()
        .filter(|b| names.contains(&b.name))
        .map(|b| {
            let locate = match b.fixed {
                Some(fixed) if !relocatable => fixed,
                _ => b.located.trim_end_matches('\n'),
            };
            let text = b.text.replace("__VENV_LOCATE__", locate.trim_start()).replace(
                "__VENV_SITE_PACKAGES__",
                &py_repr(site_packages),
            );
            Rendered {
                rel: PathBuf::from(b.name),
                data: render_text(&text, b.name, values, Quoting::Fixed).into_bytes(),
                mode: 0o644,
            }
        })
        .collect()
}

/// Renders every template for `values`; `fixed` says whether the
/// interpreter's `venv` has the quoting fix. Files that are not UTF-8 are
/// skipped, as CPython skips them.
pub fn render_all(venv_dir: &Path, values: &Values, fixed: bool) -> Result<Vec<Rendered>> {
    use std::os::unix::fs::PermissionsExt;
    let quoting = if fixed {
        Quoting::Fixed
    } else if values.unsafe_in_double_quotes() {
        Quoting::SafeRaw
    } else {
        Quoting::Raw
    };
    let mut out = Vec::new();
    for (src, rel) in template_files(venv_dir)? {
        let data = std::fs::read(&src).map_err(|e| Error::io(&e, format!("reading {}", src.display())))?;
        let meta = std::fs::metadata(&src).map_err(|e| Error::io(&e, format!("reading {}", src.display())))?;
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let rendered = render_text(text, &name, values, quoting);
        out.push(Rendered { rel, data: rendered.into_bytes(), mode: meta.permissions().mode() & 0o7777 });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(dir: &str) -> Values {
        Values {
            venv_dir: dir.into(),
            venv_name: "n".into(),
            venv_prompt: "(n) ".into(),
            venv_bin_name: "bin".into(),
            venv_python: format!("{dir}/bin/python"),
        }
    }

    #[test]
    fn nushell_raw_strings_hold_anything() {
        assert_eq!(nu_quote("/a b"), "r#'/a b'#");
        assert_eq!(nu_quote("/x'#y"), "r##'/x'#y'##");
        assert_eq!(nu_quote("'##'#"), "r###''##'#'###");
    }

    #[test]
    fn builtin_scripts_locate_or_fix_the_env() {
        let v = vals("/t/it's");
        let all: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
        for relocatable in [false, true] {
            for r in render_builtin(&v, &all, relocatable, "lib/python3.12/site-packages") {
                let text = String::from_utf8(r.data).expect("utf-8");
                assert!(!text.contains("__VENV_"), "{}: a placeholder is left", r.rel.display());
                let has_path = text.contains("/t/it");
                let name = r.rel.to_string_lossy().into_owned();
                // The fixed scripts name the env; located ones only csh (its fallback).
                let expect = (!relocatable || name == "activate.csh") && name != "activate_this.py";
                assert_eq!(has_path, expect, "{name} relocatable={relocatable}");
            }
        }
        let this = render_builtin(&v, &["activate_this.py"], false, "lib/python3.12/site-packages");
        assert!(String::from_utf8_lossy(&this[0].data).contains("'lib/python3.12/site-packages'"));
    }

    #[test]
    fn safe_render_closes_double_quotes() {
        let v = vals("/t/x'$(touch pwned)'y");
        let t = "VIRTUAL_ENV=\"__VENV_DIR__\"\nPATH=\"$VIRTUAL_ENV/__VENV_BIN_NAME__:$PATH\"\n";
        let r = render_text(t, "activate", &v, Quoting::SafeRaw);
        assert_eq!(
            r,
            "VIRTUAL_ENV=\"\"'/t/x'\"'\"'$(touch pwned)'\"'\"'y'\"\"\nPATH=\"$VIRTUAL_ENV/\"bin\":$PATH\"\n"
        );
    }
}
