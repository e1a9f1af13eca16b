//! Settings the engine reads: the rewrite style, the target Python version and the keep list.
//!
//! Resolving them from files and flags is `lazify_workspace`'s job; the engine only receives the result.

use std::fmt;
use std::str::FromStr;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

/// How deferrable imports are rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    /// PEP 810 `lazy import` / `lazy from ... import` (needs Python 3.15+).
    Lazy,
    /// A `__lazy_modules__` list: lazy on 3.15+, ignored (eager) before, valid syntax everywhere.
    LazyModules,
    /// Move the import into the functions that use it: deferred on every Python.
    Local,
}

impl Style {
    /// The name used on the command line and in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Lazy => "lazy",
            Style::LazyModules => "lazy-modules",
            Style::Local => "local",
        }
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Style {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lazy" => Ok(Style::Lazy),
            "lazy-modules" => Ok(Style::LazyModules),
            "local" => Ok(Style::Local),
            other => Err(format!(
                "unknown style `{other}` (expected `lazy`, `lazy-modules` or `local`)"
            )),
        }
    }
}

/// A Python `major.minor` version, spelled `py315` (as ruff spells it) or `3.15`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    /// Major version (3).
    pub major: u8,
    /// Minor version (15).
    pub minor: u8,
}

impl PythonVersion {
    /// Python 3.14: annotations are deferred (PEP 649) from here on.
    pub const PY314: PythonVersion = PythonVersion::new(3, 14);
    /// Python 3.15: the first version with `lazy import` (PEP 810).
    pub const PY315: PythonVersion = PythonVersion::new(3, 15);

    /// A version from its parts.
    pub const fn new(major: u8, minor: u8) -> Self {
        Self { major, minor }
    }

    /// Whether this version understands `lazy import`.
    pub fn supports_lazy(self) -> bool {
        self >= Self::PY315
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "py{}{}", self.major, self.minor)
    }
}

impl FromStr for PythonVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("invalid Python version `{s}` (expected e.g. `py315` or `3.15`)");
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("py") {
            // `py315`, `py39`: the major is one digit.
            let (major, minor) = rest.split_at_checked(1).ok_or_else(err)?;
            let major = major.parse().map_err(|_| err())?;
            let minor = minor.parse().map_err(|_| err())?;
            return Ok(Self::new(major, minor));
        }
        let mut parts = s.split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Ok(Self::new(major, minor))
    }
}

impl Serialize for PythonVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PythonVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Module-name patterns (`numpy`, `pkg.*`) that always stay eager.
///
/// `pkg.*` matches `pkg` itself and every submodule; a bare name matches that module and its submodules.
#[derive(Clone, Debug, Default)]
pub struct KeepList {
    patterns: Vec<String>,
    set: GlobSet,
}

impl KeepList {
    /// Builds the list; an invalid glob is an error naming the pattern.
    pub fn new<I, S>(patterns: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob =
                Glob::new(pattern).map_err(|e| format!("invalid keep pattern `{pattern}`: {e}"))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Self { patterns, set })
    }

    /// The patterns as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// The pattern matching `module` (or one of its parent packages), if any.
    pub fn matching(&self, module: &str) -> Option<&str> {
        if self.patterns.is_empty() {
            return None;
        }
        // `pkg.*` also matches `pkg`; a plain name also matches its submodules.
        let mut candidate = module;
        loop {
            if let Some(i) = self.set.matches(candidate).first() {
                return Some(&self.patterns[*i]);
            }
            let with_star = format!("{candidate}.*");
            if let Some(i) = self.set.matches(&with_star).first() {
                return Some(&self.patterns[*i]);
            }
            match candidate.rsplit_once('.') {
                Some((parent, _)) => candidate = parent,
                None => return None,
            }
        }
    }
}

/// The policy for imported modules whose effects cannot be analysed (`unknown-modules`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownModules {
    /// Defer them as if they had no effects (the default), with a note in `--explain`.
    #[default]
    Trust,
    /// Keep their imports eager.
    Keep,
}

impl FromStr for UnknownModules {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "trust" => Ok(Self::Trust),
            "keep" => Ok(Self::Keep),
            other => Err(format!(
                "unknown value `{other}` for `unknown-modules` (expected `trust` or `keep`)"
            )),
        }
    }
}

/// Everything the engine needs to know about one run, resolved by the caller.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The style asked for; `None` picks it from the target version.
    pub style: Option<Style>,
    /// The target Python version, if known (flag, `[tool.lazify]`, or `requires-python`).
    pub target_version: Option<PythonVersion>,
    /// Where the target version came from, for the report (e.g. "`requires-python = \">=3.15\"`"); without a
    /// target version, why the source gave none (e.g. "`requires-python = \">=three\"` in pyproject.toml could
    /// not be read"), for the style note.
    pub target_version_source: Option<String>,
    /// Modules that always stay eager, on top of the built-in side-effect list.
    pub keep: KeepList,
    /// Also rewrite imports of modules the interpreter always loads at start-up.
    pub include_preloaded: bool,
    /// Make unreferenced re-exports in package `__init__.py` and names in `__all__` lazy.
    pub lazy_reexports: bool,
    /// Style `local`: also move imports used in annotations, keeping them for type checkers under
    /// `if TYPE_CHECKING:` (only where annotations are not evaluated eagerly).
    pub type_checking_imports: bool,
    /// Style `lazy`: also hoist function-local imports to module-level `lazy` imports.
    pub hoist: bool,
    /// Facts from the whole project (other files' `mock.patch` strings, imports of this module's names,
    /// `sys.modules` patching, import cycles), for `local` and `hoist`. `None`: only this file is known.
    pub project: Option<std::sync::Arc<crate::facts::ProjectFacts>>,
    /// What imported modules do when they load, across files (the project, the target environment, the
    /// built-in table). The planner asks it only about imports it is about to rewrite. `None`: not known, and
    /// imports are judged from this file alone.
    pub effects: Option<std::sync::Arc<dyn crate::effects::EffectOracle>>,
    /// What to do with an import whose module's effects cannot be analysed (not found, no Python source).
    pub unknown_modules: UnknownModules,
    /// Re-parse and placement-check the rewritten text before returning it (the default). A caller that neither
    /// writes nor shows the text (`--check`, the report) may turn it off: it is a third of the work on a large
    /// tree. Without it, `fixed` may (through a lazify bug) hold text that does not parse.
    pub verify: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            style: None,
            target_version: None,
            target_version_source: None,
            keep: KeepList::default(),
            include_preloaded: false,
            lazy_reexports: true,
            type_checking_imports: false,
            hoist: false,
            project: None,
            effects: None,
            unknown_modules: UnknownModules::Trust,
            verify: true,
        }
    }
}

impl Settings {
    /// Whether annotations are left unevaluated when a module is imported on the target version (PEP 649 from
    /// 3.14 on); an unknown target counts as older.
    pub fn target_defers_annotations(&self) -> bool {
        self.target_version
            .is_some_and(|v| v >= PythonVersion::PY314)
    }

    /// Why the engine refuses these settings, whatever the file: style `lazy` below py315, `--hoist` without style
    /// `lazy`, `--type-checking-imports` without style `local`.
    pub fn problem(&self) -> Option<String> {
        let (style, _) = self.effective_style();
        if style == Style::Lazy
            && let Some(v) = self.target_version.filter(|v| !v.supports_lazy())
        {
            return Some(format!(
                "style `lazy` needs target version py315 or newer, but the target is {v}; use \
                 `--style lazy-modules`"
            ));
        }
        if self.hoist && style != Style::Lazy {
            return Some(format!(
                "`--hoist` makes module-level `lazy` imports, so it needs style `lazy` (target py315 or newer), \
                 but the style is `{style}`"
            ));
        }
        if self.type_checking_imports && style != Style::Local {
            return Some(format!(
                "`--type-checking-imports` moves imports used in annotations into functions, so it needs style \
                 `local`, but the style is `{style}`"
            ));
        }
        None
    }

    /// The style in effect, and why when it was not asked for.
    pub fn effective_style(&self) -> (Style, Option<String>) {
        if let Some(style) = self.style {
            return (style, None);
        }
        match self.target_version {
            Some(v) if v.supports_lazy() => (Style::Lazy, None),
            Some(v) => (
                Style::LazyModules,
                Some(format!(
                    "style `lazy-modules` because the target version {v} has no `lazy` keyword"
                )),
            ),
            // A source without a version says why none came from it (an unreadable `requires-python`).
            None => match &self.target_version_source {
                Some(source) => (
                    Style::LazyModules,
                    Some(format!(
                        "style `lazy-modules` because no target version is known: {source} (set \
                         `target-version`); it runs on every Python"
                    )),
                ),
                None => (
                    Style::LazyModules,
                    Some(
                        "style `lazy-modules` because no target version is known (set `target-version` \
                         or `requires-python`); it runs on every Python"
                            .to_string(),
                    ),
                ),
            },
        }
    }
}

/// The file being processed: its path and, when it lies in a package, its dotted module name.
#[derive(Clone, Debug, Default)]
pub struct SourceFile {
    /// The path as the user gave it (used for messages and to spot `__init__.py` and `.pyi`).
    pub path: std::path::PathBuf,
    /// The dotted module name (`pkg.sub` for `pkg/sub.py`, `pkg` for `pkg/__init__.py`), found by walking up
    /// through directories that hold an `__init__.py`. `None` when it cannot be known.
    pub module_name: Option<String>,
}

impl SourceFile {
    /// A file with a path and no known module name.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self {
            path: path.into(),
            module_name: None,
        }
    }

    /// Sets the dotted module name.
    #[must_use]
    pub fn with_module_name(mut self, name: impl Into<String>) -> Self {
        self.module_name = Some(name.into());
        self
    }

    /// Whether the file is a package's `__init__.py`.
    pub fn is_package_init(&self) -> bool {
        self.path
            .file_name()
            .is_some_and(|n| n == "__init__.py" || n == "__init__.pyi")
    }

    /// Whether the file is a type stub (`.pyi`), where nothing executes.
    pub fn is_stub(&self) -> bool {
        self.path.extension().is_some_and(|e| e == "pyi")
    }

    /// The absolute name of `from <level dots><module> import ...` in this file; `None` for a relative import
    /// whose package is unknown (or climbs above the top-level package).
    pub fn resolve_import(&self, module: Option<&str>, level: u32) -> Option<String> {
        if level == 0 {
            return module.map(str::to_string);
        }
        let mut base = self.package()?;
        for _ in 1..level {
            base = base.rsplit_once('.')?.0;
        }
        Some(match module {
            Some(m) => format!("{base}.{m}"),
            None => base.to_string(),
        })
    }

    /// The package that relative imports are resolved against: the module itself for an `__init__.py`,
    /// its parent otherwise. `None` when the module name is unknown or the module is top-level.
    pub fn package(&self) -> Option<&str> {
        let name = self.module_name.as_deref()?;
        if self.is_package_init() {
            Some(name)
        } else {
            name.rsplit_once('.').map(|(parent, _)| parent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_both_ways() {
        assert_eq!(
            "py315".parse::<PythonVersion>().unwrap(),
            PythonVersion::new(3, 15)
        );
        assert_eq!(
            "3.15".parse::<PythonVersion>().unwrap(),
            PythonVersion::new(3, 15)
        );
        assert_eq!(
            "py39".parse::<PythonVersion>().unwrap(),
            PythonVersion::new(3, 9)
        );
        assert!("python".parse::<PythonVersion>().is_err());
        assert_eq!(PythonVersion::new(3, 11).to_string(), "py311");
    }

    #[test]
    fn keep_list_matches_parents_and_globs() {
        let keep = KeepList::new(["numpy", "pkg.*"]).unwrap();
        assert_eq!(keep.matching("numpy.linalg"), Some("numpy"));
        assert_eq!(keep.matching("pkg"), Some("pkg.*"));
        assert_eq!(keep.matching("pkg.sub.mod"), Some("pkg.*"));
        assert_eq!(keep.matching("pandas"), None);
        assert_eq!(keep.matching("numpyx"), None);
    }

    #[test]
    fn package_of_files() {
        let f = SourceFile::new("a/pkg/sub.py").with_module_name("pkg.sub");
        assert_eq!(f.package(), Some("pkg"));
        let f = SourceFile::new("a/pkg/__init__.py").with_module_name("pkg");
        assert_eq!(f.package(), Some("pkg"));
        assert!(f.is_package_init());
        let f = SourceFile::new("script.py").with_module_name("script");
        assert_eq!(f.package(), None);
    }

    #[test]
    fn default_style_follows_target() {
        let mut s = Settings::default();
        assert_eq!(s.effective_style().0, Style::LazyModules);
        assert!(s.effective_style().1.is_some());
        s.target_version = Some(PythonVersion::PY315);
        assert_eq!(s.effective_style(), (Style::Lazy, None));
        s.target_version = Some(PythonVersion::new(3, 12));
        assert_eq!(s.effective_style().0, Style::LazyModules);
    }
}
