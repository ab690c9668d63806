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

use super::paths::{ps1_quote, shlex_quote};

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

/// pepkit's own templates, used when the interpreter ships none (a distro
/// that splits `venv` out, say): bash/zsh, fish and csh, with every value
/// substituted outside quotes and `shlex.quote`d, as the fixed CPython does.
/// Their `__VENV_PROMPT__` is the bare prompt (they add the parentheses).
pub const BUILTIN: [(&str, &str); 3] = [
    ("activate", include_str!("templates/activate")),
    ("activate.fish", include_str!("templates/activate.fish")),
    ("activate.csh", include_str!("templates/activate.csh")),
];

/// Renders pepkit's own templates (see [`BUILTIN`]) with mode 0644.
pub fn render_builtin(values: &Values) -> Vec<Rendered> {
    BUILTIN
        .iter()
        .map(|(name, text)| Rendered {
            rel: PathBuf::from(name),
            data: render_text(text, name, values, Quoting::Fixed).into_bytes(),
            mode: 0o644,
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
