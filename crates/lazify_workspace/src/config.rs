//! Configuration files: `[tool.lazify]` in `pyproject.toml`, or a `lazify.toml` holding the same keys at its
//! top level, plus `[project] requires-python` for the target version.
//!
//! This module parses one file at a time; finding the right file for a source file is [`crate::resolve`]'s
//! job.

use std::path::{Path, PathBuf};

use lazify_core::{PythonVersion, Style};
use serde::{Deserialize, Deserializer};

use crate::error::WorkspaceError;

/// The keys of `[tool.lazify]` / `lazify.toml`, with the same names as the command-line flags.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// `style = "lazy" | "lazy-modules"`.
    pub style: Option<Style>,
    /// `target-version = "py315"` (or `"3.15"`): one of [`KNOWN_MINORS`].
    #[serde(default, deserialize_with = "deserialize_target_version")]
    pub target_version: Option<PythonVersion>,
    /// `keep = ["numpy", "pkg.*"]`: modules that always stay eager.
    pub keep: Option<Vec<String>>,
    /// `include-preloaded = true`: also rewrite modules the interpreter loads at start-up.
    pub include_preloaded: Option<bool>,
    /// `lazy-reexports = false`: keep unreferenced re-exports eager.
    pub lazy_reexports: Option<bool>,
    /// `hoist = true`: style `lazy` also turns function-local imports into module-level `lazy` imports.
    pub hoist: Option<bool>,
    /// `type-checking-imports = true`: style `local` also moves imports used in annotations, keeping them
    /// for type checkers under `if TYPE_CHECKING:`.
    pub type_checking_imports: Option<bool>,
    /// `exclude = [...]`: globs replacing the default exclusions.
    pub exclude: Option<Vec<String>>,
    /// `extend-exclude = [...]`: globs added to the exclusions.
    pub extend_exclude: Option<Vec<String>>,
    /// `python = ".venv"`: the target interpreter, or a virtual environment's folder (relative to the
    /// configuration file), whose installed packages are read to find what imported modules do when they load.
    pub python: Option<String>,
    /// `unknown-modules = "keep"`: keep imports of modules whose effects cannot be analysed eager (default
    /// `"trust"`).
    pub unknown_modules: Option<lazify_core::UnknownModules>,
}

/// A parsed configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile {
    /// The file.
    pub path: PathBuf,
    /// Its lazify options.
    pub options: Options,
    /// Where each key's value is written: 1-based line and column (in characters), for messages.
    pub positions: KeyPositions,
}

/// Where each key of the lazify options is written in its file.
pub type KeyPositions = std::collections::BTreeMap<String, (usize, usize)>;

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn positions_of(
    text: &str,
    table: Option<std::collections::BTreeMap<String, toml::Spanned<toml::Value>>>,
) -> KeyPositions {
    table
        .into_iter()
        .flatten()
        .map(|(key, value)| (key, line_column(text, value.span().start)))
        .collect()
}

/// Where the keys of a `lazify.toml` are written (empty when the file does not parse).
pub fn lazify_toml_positions(text: &str) -> KeyPositions {
    positions_of(text, toml::from_str(text).ok())
}

/// Where the keys of `[tool.lazify]` are written in a `pyproject.toml` (empty when it does not parse).
pub fn pyproject_positions(text: &str) -> KeyPositions {
    #[derive(Deserialize)]
    struct File {
        tool: Option<Tool>,
    }
    #[derive(Deserialize)]
    struct Tool {
        lazify: Option<std::collections::BTreeMap<String, toml::Spanned<toml::Value>>>,
    }
    let file: Option<File> = toml::from_str(text).ok();
    positions_of(text, file.and_then(|f| f.tool).and_then(|t| t.lazify))
}

impl ConfigFile {
    /// ` at line L, column C` for a key written in the file; empty when its place is unknown.
    pub fn at(&self, key: &str) -> String {
        self.positions
            .get(key)
            .map_or_else(String::new, |(line, column)| {
                format!(" at line {line}, column {column}")
            })
    }

    /// The directory exclusion globs are relative to.
    pub fn root(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// What a `pyproject.toml` says that lazify cares about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pyproject {
    /// `[tool.lazify]`, when present.
    pub lazify: Option<Options>,
    /// Whether there is a `[project]` table (or a `[tool.poetry]` one: a Poetry project).
    pub has_project: bool,
    /// The lowest Python as a PEP 440 specifier: `[project] requires-python` as written, else Poetry's
    /// `[tool.poetry.dependencies] python` translated (`^3.11` gives `>=3.11`).
    pub requires_python: Option<String>,
    /// Where [`Self::requires_python`] comes from, for messages: `requires-python = ">=3.11"`, or
    /// `[tool.poetry.dependencies] python = "^3.11"`.
    pub requires_python_source: Option<String>,
}

#[derive(Deserialize)]
struct RawPyproject {
    tool: Option<RawTool>,
    project: Option<RawProject>,
}

/// `[tool]`: `lazify` is read with the file's spans, so its errors give a line and column.
#[derive(Deserialize)]
struct RawTool {
    lazify: Option<Options>,
    poetry: Option<RawPoetry>,
}

#[derive(Deserialize)]
struct RawPoetry {
    dependencies: Option<toml::value::Table>,
}

#[derive(Deserialize)]
struct RawProject {
    #[serde(rename = "requires-python")]
    requires_python: Option<toml::Value>,
}

fn config_error(path: &Path, error: impl std::fmt::Display) -> WorkspaceError {
    WorkspaceError::Config {
        path: path.to_path_buf(),
        message: error.to_string().trim_end().to_string(),
    }
}

/// Parses the text of a `lazify.toml`.
pub fn parse_lazify_toml(path: &Path, text: &str) -> Result<Options, WorkspaceError> {
    toml::from_str(text).map_err(|e| config_error(path, e))
}

/// Parses the text of a `pyproject.toml`.
pub fn parse_pyproject(path: &Path, text: &str) -> Result<Pyproject, WorkspaceError> {
    let raw: RawPyproject = toml::from_str(text).map_err(|e| config_error(path, e))?;
    let (lazify, poetry) = match raw.tool {
        Some(tool) => (tool.lazify, tool.poetry),
        None => (None, None),
    };
    let has_project = raw.project.is_some() || poetry.is_some();
    let (requires_python, requires_python_source) =
        match raw.project.and_then(|p| p.requires_python) {
            Some(toml::Value::String(s)) => {
                let source = format!("`requires-python = \"{s}\"`");
                (Some(s), Some(source))
            }
            Some(other) => {
                return Err(config_error(
                    path,
                    format!(
                        "[project] requires-python must be a string, not {}",
                        other.type_str()
                    ),
                ));
            }
            None => match poetry
                .and_then(|p| p.dependencies)
                .and_then(|mut d| d.remove("python"))
            {
                Some(toml::Value::String(s)) => (
                    Some(poetry_to_pep440(&s)),
                    Some(format!("`[tool.poetry.dependencies] python = \"{s}\"`")),
                ),
                // Poetry writes `python` as a string; anything else is Poetry's to refuse, not lazify's.
                Some(_) | None => (None, None),
            },
        };
    Ok(Pyproject {
        lazify,
        has_project,
        requires_python,
        requires_python_source,
    })
}

/// Translates a Poetry version constraint into a PEP 440 specifier with the same lower bound: `^3.11` and
/// `~3.11` give `>=3.11`, a bare `3.11` gives `==3.11`, `*` gives no clause; `>=`, `>`, `<`, `<=`, `!=`, `==` and
/// `~=` stay. Of alternatives (`^3.9 || ^3.11`), the one with the lowest bound is kept. Text that is no
/// constraint comes out as it was, which [`read_requires_python`] then calls unreadable.
pub fn poetry_to_pep440(constraint: &str) -> String {
    let alternatives: Vec<String> = constraint
        .split("||")
        .flat_map(|a| a.split('|'))
        .map(|alternative| {
            alternative
                .split([',', ' '])
                .map(str::trim)
                .filter(|clause| !clause.is_empty() && *clause != "*")
                .map(|clause| {
                    if let Some(rest) = clause.strip_prefix('^') {
                        format!(">={}", rest.trim())
                    } else if clause.starts_with("~=") {
                        clause.to_string()
                    } else if let Some(rest) = clause.strip_prefix('~') {
                        format!(">={}", rest.trim())
                    } else if let Some(rest) =
                        clause.strip_prefix('=').filter(|r| !r.starts_with('='))
                    {
                        format!("=={}", rest.trim())
                    } else if clause.starts_with(|c: char| c.is_ascii_digit()) {
                        format!("=={clause}")
                    } else {
                        clause.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    if alternatives.len() == 1 {
        return alternatives.into_iter().next().unwrap_or_default();
    }
    // The lowest bound of all alternatives; one without a lower bound (or unreadable) makes it unbounded.
    let mut best: Option<(PythonVersion, String)> = None;
    for alternative in alternatives {
        match read_requires_python(&alternative) {
            RequiresPython::Floor(version) => {
                if best.as_ref().is_none_or(|(b, _)| version < *b) {
                    best = Some((version, alternative));
                }
            }
            RequiresPython::NoLowerBound | RequiresPython::Unreadable => return alternative,
        }
    }
    best.map(|(_, text)| text).unwrap_or_default()
}

/// Reads a configuration file named on the command line (`--config`): a `pyproject.toml` must have a
/// `[tool.lazify]` table; any other file holds the keys at its top level.
pub fn read_explicit(path: &Path) -> Result<ConfigFile, WorkspaceError> {
    let text = std::fs::read_to_string(path).map_err(|e| config_error(path, e))?;
    let (options, positions) = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        (
            parse_pyproject(path, &text)?
                .lazify
                .ok_or_else(|| config_error(path, "no [tool.lazify] table"))?,
            pyproject_positions(&text),
        )
    } else {
        (
            parse_lazify_toml(path, &text)?,
            lazify_toml_positions(&text),
        )
    };
    Ok(ConfigFile {
        path: path.to_path_buf(),
        options,
        positions,
    })
}

/// The Python 3 minor versions `--target-version` and `target-version` accept (the closed list ruff accepts).
pub const KNOWN_MINORS: std::ops::RangeInclusive<u8> = 7..=15;

/// Parses a target version, `py315` or `3.15`, accepting only the versions in [`KNOWN_MINORS`].
pub fn parse_target_version(text: &str) -> Result<PythonVersion, String> {
    let known = || {
        let first = KNOWN_MINORS.start();
        let last = KNOWN_MINORS.end();
        let names: Vec<String> = KNOWN_MINORS.map(|minor| format!("py3{minor}")).collect();
        format!(
            "unknown Python version `{text}`: expected one of {} (or 3.{first} to 3.{last})",
            names.join(", ")
        )
    };
    let version: PythonVersion = text.parse().map_err(|_| known())?;
    // Only the exact spellings: `py3150`, `3.15.2` or `3.015` are not versions lazify knows.
    let spellings = [
        format!("py{}{}", version.major, version.minor),
        format!("{}.{}", version.major, version.minor),
    ];
    if version.major == 3
        && KNOWN_MINORS.contains(&version.minor)
        && spellings.contains(&text.to_string())
    {
        Ok(version)
    } else {
        Err(known())
    }
}

fn deserialize_target_version<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<PythonVersion>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_target_version(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// What a `requires-python` specifier says about the lowest Python version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequiresPython {
    /// The lowest version it allows, to `major.minor`.
    Floor(PythonVersion),
    /// It parses but sets no lower bound (`<3.13`).
    NoLowerBound,
    /// It is not a version specifier lazify can read (`>=three`).
    Unreadable,
}

/// Reads a PEP 440 `requires-python` specifier: `>=3.15` gives 3.15, `~=3.11` 3.11, `>3.14` 3.15, `==3.12.*`
/// 3.12; with several lower bounds the highest wins.
pub fn read_requires_python(spec: &str) -> RequiresPython {
    match lower_bound(spec) {
        Ok(Some(version)) => RequiresPython::Floor(version),
        Ok(None) => RequiresPython::NoLowerBound,
        Err(()) => RequiresPython::Unreadable,
    }
}

/// The lowest Python version a PEP 440 `requires-python` specifier allows, to `major.minor`.
///
/// `None` when there is no lower bound or the text does not parse (see [`read_requires_python`]).
pub fn requires_python_floor(spec: &str) -> Option<PythonVersion> {
    match read_requires_python(spec) {
        RequiresPython::Floor(version) => Some(version),
        RequiresPython::NoLowerBound | RequiresPython::Unreadable => None,
    }
}

/// The specifier's lower bound; `Err` when it does not parse.
fn lower_bound(spec: &str) -> Result<Option<PythonVersion>, ()> {
    let mut floor: Option<PythonVersion> = None;
    for clause in spec.split(',') {
        let clause = clause.trim();
        if clause.is_empty() {
            return Err(());
        }
        let (operator, version) = split_operator(clause).ok_or(())?;
        let bound = match operator {
            ">=" | "~=" | "==" | "===" => {
                let (major, minor, _) = parse_release(version.trim_end_matches(".*")).ok_or(())?;
                Some(PythonVersion::new(major, minor))
            }
            ">" => {
                let (major, minor, patch) = parse_release(version).ok_or(())?;
                // `>3.14` excludes 3.14 (and its patch releases); `>3.14.2` still allows 3.14.3.
                if patch.is_some() {
                    Some(PythonVersion::new(major, minor))
                } else {
                    Some(PythonVersion::new(major, minor.checked_add(1).ok_or(())?))
                }
            }
            "<" | "<=" | "!=" => {
                parse_release(version.trim_end_matches(".*")).ok_or(())?;
                None
            }
            _ => return Err(()),
        };
        if let Some(bound) = bound {
            floor = Some(floor.map_or(bound, |f| f.max(bound)));
        }
    }
    Ok(floor)
}

fn split_operator(clause: &str) -> Option<(&str, &str)> {
    for operator in ["===", "~=", "==", "!=", ">=", "<=", ">", "<"] {
        if let Some(rest) = clause.strip_prefix(operator) {
            return Some((operator, rest.trim()));
        }
    }
    None
}

/// `3.15`, `3.15.1`, `3.15.0a1`, `3` → (major, minor, patch). Pre-release suffixes are ignored.
fn parse_release(version: &str) -> Option<(u8, u8, Option<u32>)> {
    let version = version.trim().strip_prefix('v').unwrap_or(version.trim());
    let release_end = version
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(version.len());
    let (release, suffix) = version.split_at(release_end);
    if !suffix.is_empty()
        && !suffix
            .trim_start_matches(['-', '_', '.'])
            .starts_with(['a', 'b', 'c', 'r', 'p', 'd', '+'])
    {
        return None;
    }
    let mut parts = release.trim_end_matches('.').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(minor) => minor.parse().ok()?,
        None => 0,
    };
    let patch = match parts.next() {
        Some(patch) => Some(patch.parse().ok()?),
        None => None,
    };
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[expect(clippy::unnecessary_wraps, reason = "compared with Option results")]
    fn v(minor: u8) -> Option<PythonVersion> {
        Some(PythonVersion::new(3, minor))
    }

    #[test]
    fn requires_python_lower_bounds() {
        assert_eq!(requires_python_floor(">=3.15"), v(15));
        assert_eq!(requires_python_floor(">= 3.9"), v(9));
        assert_eq!(requires_python_floor("~=3.11"), v(11));
        assert_eq!(requires_python_floor("~=3.11.2"), v(11));
        assert_eq!(requires_python_floor(">3.14"), v(15));
        assert_eq!(requires_python_floor(">3.14.2"), v(14));
        assert_eq!(requires_python_floor("==3.12.*"), v(12));
        assert_eq!(requires_python_floor("==3.13"), v(13));
        assert_eq!(requires_python_floor(">=3.10, <4"), v(10));
        assert_eq!(requires_python_floor("<4,>=3.8,!=3.9.*"), v(8));
        assert_eq!(requires_python_floor(">=3.9,>=3.12"), v(12));
        assert_eq!(requires_python_floor(">=3.15.0a1"), v(15));
        assert_eq!(requires_python_floor(">=3"), v(0));
        // No lower bound, or not a specifier: unknown.
        assert_eq!(requires_python_floor("<3.13"), None);
        assert_eq!(requires_python_floor(""), None);
        assert_eq!(requires_python_floor("3.15"), None);
        assert_eq!(requires_python_floor(">=three"), None);
        assert_eq!(requires_python_floor(">=3.15,"), None);
        // Unreadable and unbounded are told apart.
        assert_eq!(read_requires_python(">=three"), RequiresPython::Unreadable);
        assert_eq!(read_requires_python("3.15"), RequiresPython::Unreadable);
        assert_eq!(read_requires_python(""), RequiresPython::Unreadable);
        assert_eq!(read_requires_python("<3.13"), RequiresPython::NoLowerBound);
        assert_eq!(
            read_requires_python(">=3.9,<4"),
            RequiresPython::Floor(PythonVersion::new(3, 9))
        );
    }

    #[test]
    fn target_versions_are_a_closed_list() {
        for (text, minor) in [
            ("py37", 7),
            ("py39", 9),
            ("py315", 15),
            ("3.7", 7),
            ("3.15", 15),
        ] {
            assert_eq!(
                parse_target_version(text),
                Ok(PythonVersion::new(3, minor)),
                "{text}"
            );
        }
        for text in [
            "py3150", "3.99", "py316", "3.16", "py36", "3.6", "2.7", "py27", "4.0", "3.15.2",
            "3.015", "py3", "three", "", " 3.15",
        ] {
            let error = parse_target_version(text).unwrap_err();
            assert!(
                error.starts_with(&format!(
                    "unknown Python version `{text}`: expected one of py37, py38,"
                )),
                "{error}"
            );
            assert!(error.ends_with("py314, py315 (or 3.7 to 3.15)"), "{error}");
        }
        let error = parse_lazify_toml(Path::new("lazify.toml"), "target-version = \"py3150\"\n")
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("lazify.toml") && message.contains("unknown Python version `py3150`"),
            "{message}"
        );
        let options =
            parse_lazify_toml(Path::new("lazify.toml"), "target-version = \"3.12\"\n").unwrap();
        assert_eq!(options.target_version, Some(PythonVersion::new(3, 12)));
        assert_eq!(
            parse_lazify_toml(Path::new("lazify.toml"), "")
                .unwrap()
                .target_version,
            None
        );
    }

    #[test]
    fn parses_pyproject_tables() {
        let path = Path::new("pyproject.toml");
        let text = r#"
[project]
name = "demo"
requires-python = ">=3.12"

[tool.lazify]
style = "lazy-modules"
target-version = "3.15"
keep = ["numpy", "pkg.*"]
include-preloaded = true
lazy-reexports = false
hoist = true
type-checking-imports = true
exclude = ["gen"]
extend-exclude = ["tests/fixtures"]
"#;
        let parsed = parse_pyproject(path, text).unwrap();
        assert!(parsed.has_project);
        assert_eq!(parsed.requires_python.as_deref(), Some(">=3.12"));
        let options = parsed.lazify.unwrap();
        assert_eq!(options.style, Some(Style::LazyModules));
        assert_eq!(options.target_version, Some(PythonVersion::PY315));
        assert_eq!(
            options.keep,
            Some(vec!["numpy".to_string(), "pkg.*".to_string()])
        );
        assert_eq!(options.include_preloaded, Some(true));
        assert_eq!(options.lazy_reexports, Some(false));
        assert_eq!(options.hoist, Some(true));
        assert_eq!(options.type_checking_imports, Some(true));
        assert_eq!(options.exclude, Some(vec!["gen".to_string()]));
        assert_eq!(
            options.extend_exclude,
            Some(vec!["tests/fixtures".to_string()])
        );

        let parsed = parse_pyproject(path, "[tool.black]\nline-length = 80\n").unwrap();
        assert_eq!(parsed, Pyproject::default());
    }

    #[test]
    fn poetry_constraints_translate_to_pep440() {
        for (poetry, pep440, floor) in [
            ("^3.11", ">=3.11", v(11)),
            ("~3.10", ">=3.10", v(10)),
            ("~=3.9", "~=3.9", v(9)),
            (">=3.8,<4.0", ">=3.8,<4.0", v(8)),
            (">=3.8 <4.0", ">=3.8,<4.0", v(8)),
            ("3.12", "==3.12", v(12)),
            ("3.12.*", "==3.12.*", v(12)),
            ("=3.13", "==3.13", v(13)),
            ("^3.12 || ^3.9", ">=3.9", v(9)),
            ("^3.12 | ~3.10", ">=3.10", v(10)),
            ("*", "", None),
            ("<3.13", "<3.13", None),
        ] {
            assert_eq!(poetry_to_pep440(poetry), pep440, "{poetry}");
            assert_eq!(
                requires_python_floor(&poetry_to_pep440(poetry)),
                floor,
                "{poetry}"
            );
        }
    }

    /// `[tool.lazify]` errors in a `pyproject.toml` give the line and column, as a `lazify.toml`'s do.
    #[test]
    fn pyproject_errors_have_positions() {
        let path = Path::new("pyproject.toml");
        let error = parse_pyproject(
            path,
            "[project]\nname = \"x\"\n\n[tool.lazify]\nstyle = \"eager\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "pyproject.toml: invalid configuration: TOML parse error at line 5, column 9"
            ),
            "{error}"
        );
        assert!(error.contains("unknown variant `eager`"), "{error}");
        let error = parse_pyproject(path, "[tool.lazify]\nkeep = \"numpy\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 2, column 8"), "{error}");
        // Other tools' tables are not lazify's business.
        assert!(
            parse_pyproject(
                path,
                "[tool.ruff]\nline-length = 80\n[tool.poetry]\nname = 1\n"
            )
            .is_ok()
        );
        let positions = pyproject_positions("[tool.lazify]\nkeep = []\n  style = \"lazy\"\n");
        assert_eq!(positions.get("style"), Some(&(3, 11)));
        assert_eq!(positions.get("keep"), Some(&(2, 8)));
        assert_eq!(
            lazify_toml_positions("hoist = true\n").get("hoist"),
            Some(&(1, 9))
        );
    }

    #[test]
    fn config_errors_name_the_file() {
        let path = Path::new("proj/pyproject.toml");
        let error = parse_pyproject(path, "[tool.lazify]\nstyel = \"lazy\"\n").unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("proj/pyproject.toml: invalid configuration"),
            "{message}"
        );
        assert!(message.contains("styel"), "{message}");

        let error =
            parse_lazify_toml(Path::new("lazify.toml"), "target-version = \"py3x\"\n").unwrap_err();
        assert!(error.to_string().contains("py3x"), "{error}");

        let error = parse_lazify_toml(Path::new("lazify.toml"), "style = \"eager\"\n").unwrap_err();
        assert!(error.to_string().contains("eager"), "{error}");

        let error = parse_pyproject(path, "[project]\nrequires-python = 3\n").unwrap_err();
        assert!(error.to_string().contains("must be a string"), "{error}");

        let error = parse_lazify_toml(Path::new("lazify.toml"), "keep = [").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("lazify.toml: invalid configuration"),
            "{error}"
        );
    }
}
