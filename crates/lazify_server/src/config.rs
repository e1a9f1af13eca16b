//! A minimal reader for the settings files that apply to an open document: the nearest `lazify.toml`, or
//! `pyproject.toml` with a `[tool.lazify]` table, walking up from the document's directory; `requires-python`
//! from the nearest `pyproject.toml` gives the target version when no `target-version` is set. Also the
//! document's dotted module name, from the `__init__.py` files above it.
//!
//! This reads configuration files only, never the open document itself, and never writes. It stands in for
//! `lazify_workspace`'s settings discovery until that API exists; the keys read are the ones the CLI documents.

use std::path::{Path, PathBuf};

use lazify_core::{KeepList, PythonVersion, Settings, Style};
use serde::Deserialize;

/// The `[tool.lazify]` keys the server understands. Unknown keys are ignored (the CLI reports them).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawOptions {
    style: Option<String>,
    target_version: Option<String>,
    keep: Option<Vec<String>>,
    extend_keep: Option<Vec<String>>,
    include_preloaded: Option<bool>,
    lazy_reexports: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
    project: Option<Project>,
}

#[derive(Debug, Default, Deserialize)]
struct Tool {
    lazify: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Project {
    requires_python: Option<String>,
}

/// Settings resolved from files, plus what went wrong reading them.
#[derive(Debug, Default)]
pub(crate) struct FileSettings {
    /// The engine settings the files give (defaults when there are none).
    pub(crate) settings: Settings,
    /// The file the `[tool.lazify]` settings came from, if any.
    pub(crate) source: Option<PathBuf>,
    /// Problems found (unreadable file, bad value); the server logs them and goes on with the rest.
    pub(crate) problems: Vec<String>,
}

/// Resolves the settings for a document at `path` by walking up from its directory.
pub(crate) fn discover(path: &Path) -> FileSettings {
    let mut out = FileSettings::default();
    let mut options: Option<RawOptions> = None;
    let mut requires_python: Option<(String, PathBuf)> = None;
    for dir in path.ancestors().skip(1) {
        let lazify_toml = dir.join("lazify.toml");
        if options.is_none() && lazify_toml.is_file() {
            match read_toml::<RawOptions>(&lazify_toml) {
                Ok(raw) => options = Some(raw),
                Err(e) => out.problems.push(e),
            }
            out.source = Some(lazify_toml);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            match read_toml::<Pyproject>(&pyproject) {
                Ok(doc) => {
                    if requires_python.is_none()
                        && let Some(rp) = doc.project.and_then(|p| p.requires_python)
                    {
                        requires_python = Some((rp, pyproject.clone()));
                    }
                    if options.is_none()
                        && out.source.is_none()
                        && let Some(table) = doc.tool.and_then(|t| t.lazify)
                    {
                        match table.try_into::<RawOptions>() {
                            Ok(raw) => options = Some(raw),
                            Err(e) => out
                                .problems
                                .push(format!("{}: [tool.lazify]: {e}", pyproject.display())),
                        }
                        out.source = Some(pyproject.clone());
                    }
                }
                Err(e) => out.problems.push(e),
            }
        }
        // The settings file is the project root: stop once both answers are known.
        if out.source.is_some() && requires_python.is_some() {
            break;
        }
    }
    let raw = options.unwrap_or_default();
    apply(&mut out, raw, requires_python);
    out
}

fn apply(out: &mut FileSettings, raw: RawOptions, requires_python: Option<(String, PathBuf)>) {
    let settings = &mut out.settings;
    if let Some(style) = raw.style {
        match style.parse::<Style>() {
            Ok(style) => settings.style = Some(style),
            Err(e) => out.problems.push(e),
        }
    }
    if let Some(version) = raw.target_version {
        match version.parse::<PythonVersion>() {
            Ok(v) => {
                settings.target_version = Some(v);
                settings.target_version_source = Some(format!("`target-version = \"{version}\"`"));
            }
            Err(e) => out.problems.push(e),
        }
    } else if let Some((spec, file)) = requires_python {
        match lower_bound(&spec) {
            Some(v) => {
                settings.target_version = Some(v);
                settings.target_version_source = Some(format!("`requires-python = \"{spec}\"`"));
            }
            None => out.problems.push(format!(
                "{}: cannot read a minimum version from `requires-python = \"{spec}\"`",
                file.display()
            )),
        }
    }
    let keep: Vec<String> = raw
        .keep
        .into_iter()
        .flatten()
        .chain(raw.extend_keep.into_iter().flatten())
        .collect();
    match KeepList::new(keep) {
        Ok(list) => settings.keep = list,
        Err(e) => out.problems.push(e),
    }
    if let Some(v) = raw.include_preloaded {
        settings.include_preloaded = v;
    }
    if let Some(v) = raw.lazy_reexports {
        settings.lazy_reexports = v;
    }
}

/// The lowest Python version a `requires-python` specifier allows (`>=3.15`, `~=3.12`, `==3.13.*`).
fn lower_bound(spec: &str) -> Option<PythonVersion> {
    spec.split(',')
        .filter_map(|clause| {
            let clause = clause.trim();
            let version = clause
                .strip_prefix(">=")
                .or_else(|| clause.strip_prefix("~="))
                .or_else(|| clause.strip_prefix("=="))
                .or_else(|| clause.strip_prefix('>'))?;
            let mut parts = version.trim().split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
            // `>3.14` allows 3.14.1: the lowest minor version is 3.14 there too.
            Some(PythonVersion::new(major, minor))
        })
        .max()
}

fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The dotted module name of the file at `path`: its stem, prefixed by each enclosing directory that holds
/// an `__init__.py` (`pkg/sub/mod.py` → `pkg.sub.mod`; `pkg/__init__.py` → `pkg`).
pub(crate) fn module_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let mut parts: Vec<&str> = Vec::new();
    if stem != "__init__" {
        parts.push(stem);
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.join("__init__.py").is_file() && !d.join("__init__.pyi").is_file() {
            break;
        }
        parts.push(d.file_name()?.to_str()?);
        dir = d.parent();
    }
    if parts.is_empty() {
        return None;
    }
    parts.reverse();
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::File::create(path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }

    #[test]
    fn requires_python_lower_bound() {
        assert_eq!(lower_bound(">=3.15"), Some(PythonVersion::new(3, 15)));
        assert_eq!(lower_bound(">=3.9, <4"), Some(PythonVersion::new(3, 9)));
        assert_eq!(lower_bound("~=3.12.1"), Some(PythonVersion::new(3, 12)));
        assert_eq!(lower_bound("<4"), None);
    }

    #[test]
    fn nearest_settings_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
        write(
            &root.join("pyproject.toml"),
            "[project]\nrequires-python = \">=3.15\"\n[tool.lazify]\nkeep = [\"numpy\"]\n",
        );
        write(
            &root.join("pkg/lazify.toml"),
            "style = \"lazy-modules\"\nkeep = [\"pandas\"]\n",
        );
        write(&root.join("pkg/__init__.py"), "");
        write(&root.join("pkg/sub/__init__.py"), "");

        let found = discover(&root.join("pkg/sub/mod.py"));
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        assert_eq!(
            found.source.as_deref(),
            Some(root.join("pkg/lazify.toml").as_path())
        );
        assert_eq!(found.settings.style, Some(Style::LazyModules));
        assert_eq!(found.settings.keep.patterns(), ["pandas"]);
        assert_eq!(found.settings.target_version, Some(PythonVersion::PY315));

        let top = discover(&root.join("main.py"));
        assert_eq!(top.settings.keep.patterns(), ["numpy"]);
        assert_eq!(top.settings.style, None);

        assert_eq!(
            module_name(&root.join("pkg/sub/mod.py")).as_deref(),
            Some("pkg.sub.mod")
        );
        assert_eq!(
            module_name(&root.join("pkg/__init__.py")).as_deref(),
            Some("pkg")
        );
        assert_eq!(module_name(&root.join("main.py")).as_deref(), Some("main"));
    }

    #[test]
    fn bad_values_are_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("lazify.toml"),
            "style = \"eager\"\nkeep = [\"ok\"]\n",
        );
        let found = discover(&dir.path().join("a.py"));
        assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
        assert_eq!(found.settings.style, None);
        assert_eq!(found.settings.keep.patterns(), ["ok"]);
    }
}
