//! Settings for each file: the nearest configuration file, the project's `requires-python`, and the
//! command-line overrides, merged into the engine's [`Settings`]. Also the dotted module name of a file and
//! the exclusion globs.
//!
//! Results are cached per directory, so a tree of thousands of files reads each configuration file once.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};
use lazify_core::{KeepList, PythonVersion, Settings, Style};

use crate::config::{self, ConfigFile, Options};
use crate::error::WorkspaceError;

/// Directories and files skipped in a directory walk unless `exclude` replaces this list (as in ruff).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Settings given on the command line (or by an editor); each one that is set wins over the configuration
/// files.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--style`.
    pub style: Option<Style>,
    /// `--target-version`.
    pub target_version: Option<PythonVersion>,
    /// `--keep`, added to the configured keep list.
    pub keep: Vec<String>,
    /// `--include-preloaded`.
    pub include_preloaded: Option<bool>,
    /// `--no-lazy-reexports` (as `Some(false)`).
    pub lazy_reexports: Option<bool>,
    /// `--hoist`.
    pub hoist: Option<bool>,
    /// `--type-checking-imports`.
    pub type_checking_imports: Option<bool>,
    /// `--exclude`, relative to the working directory, added to the configured exclusions.
    pub exclude: Vec<String>,
    /// `--force-exclude`: apply exclusions to files named on the command line too.
    pub force_exclude: bool,
    /// `--config`: use this file for every source file instead of discovering one.
    pub config: Option<PathBuf>,
    /// `--python`: the target interpreter or virtual environment (relative to the working directory).
    pub python: Option<PathBuf>,
    /// `--unknown-modules`.
    pub unknown_modules: Option<lazify_core::UnknownModules>,
    /// `--no-cache`: keep the summary cache in memory only (see [`crate::cache`]).
    pub no_cache: bool,
    /// `--cache-dir`: where the summary cache lives instead of the project's `.lazify_cache`.
    pub cache_dir: Option<PathBuf>,
    /// `Some(false)`: skip re-parsing rewritten text that will neither be written nor shown (`--check`, the
    /// report). Not a configuration key.
    pub verify: Option<bool>,
}

/// Exclusion globs. A pattern matches a file or directory by its base name (`build`, `*_pb2.py`) or by its
/// path relative to the directory the pattern was written in (`tests/fixtures`, `src/gen/*.py`).
#[derive(Clone, Debug, Default)]
pub struct Excluder {
    paths: GlobSet,
    names: GlobSet,
}

impl Excluder {
    /// Compiles `patterns`, relative to `root`.
    pub fn new<S: AsRef<str>>(root: &Path, patterns: &[S]) -> Result<Self, String> {
        let mut paths = GlobSetBuilder::new();
        let mut names = GlobSetBuilder::new();
        let root = globset::escape(&root.to_string_lossy());
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let bad = |e: globset::Error| format!("invalid exclude pattern `{pattern}`: {e}");
            names.add(Glob::new(pattern).map_err(bad)?);
            let trimmed = pattern.trim_start_matches("./");
            let absolute = if Path::new(trimmed).is_absolute() {
                trimmed.to_string()
            } else {
                format!("{}/{trimmed}", root.trim_end_matches('/'))
            };
            paths.add(Glob::new(&absolute).map_err(bad)?);
        }
        Ok(Self {
            paths: paths.build().map_err(|e| e.to_string())?,
            names: names.build().map_err(|e| e.to_string())?,
        })
    }

    /// Whether `path` (absolute) itself matches.
    pub fn matches(&self, path: &Path) -> bool {
        path.file_name()
            .is_some_and(|name| self.names.is_match(name))
            || self.paths.is_match(path)
    }

    /// Whether `path` (absolute) or one of its ancestors matches.
    pub fn matches_with_ancestors(&self, path: &Path) -> bool {
        path.ancestors().any(|p| self.matches(p))
    }
}

/// The settings for the files of one directory.
#[derive(Clone, Debug)]
pub struct ResolvedSettings {
    /// What the engine receives.
    pub settings: Settings,
    /// The configuration file they came from, if any.
    pub config: Option<PathBuf>,
    /// The nearest `pyproject.toml` with a `[project]` table, if any (the project's root, where its tests live).
    pub pyproject: Option<PathBuf>,
    /// The exclusions that apply (configured or default).
    pub exclude: Excluder,
    /// Where the target interpreter comes from (`--python`, `python = "..."`, or discovery).
    pub python: crate::effects::PythonSource,
}

/// A configuration problem, kept until a file needs the configuration.
#[derive(Clone, Debug)]
pub(crate) struct ConfigProblem {
    /// The configuration file; empty for a problem of the command line's options.
    pub(crate) path: PathBuf,
    pub(crate) message: String,
}

impl ConfigProblem {
    /// A problem of the command line's options, whatever file they meet.
    pub(crate) fn command_line(message: String) -> Self {
        Self {
            path: PathBuf::new(),
            message,
        }
    }

    pub(crate) fn to_error(&self) -> WorkspaceError {
        if self.path.as_os_str().is_empty() {
            return WorkspaceError::Options {
                message: self.message.clone(),
            };
        }
        WorkspaceError::Config {
            path: self.path.clone(),
            message: self.message.clone(),
        }
    }

    fn from_error(error: &WorkspaceError, fallback: &Path) -> Self {
        match error {
            WorkspaceError::Config { path, message } => Self {
                path: path.clone(),
                message: message.clone(),
            },
            WorkspaceError::Options { message } => Self::command_line(message.clone()),
            other => Self {
                path: fallback.to_path_buf(),
                message: other.to_string(),
            },
        }
    }
}

/// The nearest `pyproject.toml` with a `[project]` table.
#[derive(Clone, Debug)]
struct Project {
    path: PathBuf,
    /// A PEP 440 specifier (Poetry's constraint translated).
    requires_python: Option<String>,
    /// How the file writes it, for messages.
    requires_python_source: Option<String>,
}

/// Whether a directory is a package, and its dotted name.
#[derive(Clone, Debug)]
enum Package {
    /// No `__init__.py`.
    Plain,
    /// A package (or subpackage) with this dotted name.
    Name(String),
    /// A package whose name (or a parent package's) is not an identifier.
    Invalid,
}

#[derive(Clone, Debug)]
struct DirInfo {
    package: Package,
    config: Option<Result<Arc<ConfigFile>, ConfigProblem>>,
    project: Option<Arc<Project>>,
    resolved: Result<Arc<ResolvedSettings>, ConfigProblem>,
}

/// Finds and merges the settings for each file. Shared by the walker threads.
#[derive(Debug)]
pub struct Resolver {
    cwd: PathBuf,
    overrides: Overrides,
    explicit: Option<Arc<ConfigFile>>,
    cli_exclude: Excluder,
    cache: Mutex<HashMap<PathBuf, Arc<DirInfo>>>,
}

impl Resolver {
    /// Validates the overrides (and reads `--config`), relative to the working directory `cwd`.
    pub fn new(cwd: &Path, overrides: Overrides) -> Result<Self, WorkspaceError> {
        let cwd = normalize(cwd);
        let cli_exclude = Excluder::new(&cwd, &overrides.exclude)
            .map_err(|message| WorkspaceError::Options { message })?;
        KeepList::new(overrides.keep.iter().cloned())
            .map_err(|message| WorkspaceError::Options { message })?;
        let explicit = match &overrides.config {
            Some(path) => {
                let path = normalize(&cwd.join(path));
                Some(Arc::new(config::read_explicit(&path)?))
            }
            None => None,
        };
        Ok(Self {
            cwd,
            overrides,
            explicit,
            cli_exclude,
            cache: Mutex::new(HashMap::default()),
        })
    }

    /// The working directory paths are relative to.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The command-line overrides.
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// `path` made absolute against the working directory, without `.` components (symlinks are kept).
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// Whether a file or directory (absolute path) is excluded, by `--exclude` or by the configuration that
    /// governs its directory. With `ancestors`, a match on any parent directory counts too.
    pub fn is_excluded(&self, path: &Path, ancestors: bool) -> bool {
        let own = path
            .parent()
            .map(|dir| self.for_directory(dir))
            .and_then(|info| info.resolved.clone().ok());
        let check = |excluder: &Excluder| {
            if ancestors {
                excluder.matches_with_ancestors(path)
            } else {
                excluder.matches(path)
            }
        };
        check(&self.cli_exclude) || own.is_some_and(|s| check(&s.exclude))
    }

    /// The settings for a source file (absolute path).
    pub fn settings_for(&self, file: &Path) -> Result<Arc<ResolvedSettings>, WorkspaceError> {
        let dir = file.parent().unwrap_or(Path::new("/"));
        self.for_directory(dir)
            .resolved
            .clone()
            .map_err(|p| p.to_error())
    }

    fn for_directory(&self, dir: &Path) -> Arc<DirInfo> {
        if let Some(info) = self.lock().get(dir) {
            return Arc::clone(info);
        }
        let parent = dir.parent().map(|p| self.for_directory(p));
        let info = Arc::new(self.compute(dir, parent.as_deref()));
        self.lock().insert(dir.to_path_buf(), Arc::clone(&info));
        info
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<DirInfo>>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn compute(&self, dir: &Path, parent: Option<&DirInfo>) -> DirInfo {
        let mut config = parent.and_then(|p| p.config.clone());
        let mut project = parent.and_then(|p| p.project.clone());

        let pyproject_path = dir.join("pyproject.toml");
        let pyproject = if pyproject_path.is_file() {
            Some(
                std::fs::read_to_string(&pyproject_path)
                    .map_err(|e| WorkspaceError::Config {
                        path: pyproject_path.clone(),
                        message: e.to_string(),
                    })
                    .and_then(|text| {
                        config::parse_pyproject(&pyproject_path, &text)
                            .map(|parsed| (parsed, config::pyproject_positions(&text)))
                    }),
            )
        } else {
            None
        };
        let mut pyproject_config = None;
        match pyproject {
            Some(Ok((parsed, positions))) => {
                if parsed.has_project {
                    project = Some(Arc::new(Project {
                        path: pyproject_path.clone(),
                        requires_python: parsed.requires_python,
                        requires_python_source: parsed.requires_python_source,
                    }));
                }
                pyproject_config = parsed.lazify.map(|options| {
                    Ok(Arc::new(ConfigFile {
                        path: pyproject_path.clone(),
                        options,
                        positions,
                    }))
                });
            }
            Some(Err(error)) => {
                pyproject_config = Some(Err(ConfigProblem::from_error(&error, &pyproject_path)));
            }
            None => {}
        }
        let lazify_toml = dir.join("lazify.toml");
        if lazify_toml.is_file() {
            let parsed = std::fs::read_to_string(&lazify_toml)
                .map_err(|e| WorkspaceError::Config {
                    path: lazify_toml.clone(),
                    message: e.to_string(),
                })
                .and_then(|text| {
                    config::parse_lazify_toml(&lazify_toml, &text)
                        .map(|options| (options, config::lazify_toml_positions(&text)))
                });
            config = Some(match parsed {
                Ok((options, positions)) => Ok(Arc::new(ConfigFile {
                    path: lazify_toml.clone(),
                    options,
                    positions,
                })),
                Err(error) => Err(ConfigProblem::from_error(&error, &lazify_toml)),
            });
        } else if let Some(found) = pyproject_config {
            config = Some(found);
        }

        // A directory without settings files of its own resolves exactly as its parent: share the parent's
        // result rather than building the same settings and exclusion globs again for every directory.
        let own_files = pyproject_path.is_file() || lazify_toml.is_file();
        let resolved = match (&self.explicit, &config) {
            _ if !own_files && parent.is_some() => parent.map_or_else(
                || self.merge(None, project.as_deref()),
                |p| p.resolved.clone(),
            ),
            (Some(explicit), _) => self.merge(Some(explicit), project.as_deref()),
            (None, Some(Err(problem))) => Err(problem.clone()),
            (None, Some(Ok(found))) => self.merge(Some(found), project.as_deref()),
            (None, None) => self.merge(None, project.as_deref()),
        };
        let package = if dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file() {
            match (
                dir.file_name().and_then(|n| n.to_str()),
                parent.map(|p| &p.package),
            ) {
                (Some(name), parent) if is_identifier(name) => match parent {
                    Some(Package::Name(prefix)) => Package::Name(format!("{prefix}.{name}")),
                    Some(Package::Invalid) => Package::Invalid,
                    Some(Package::Plain) | None => Package::Name(name.to_string()),
                },
                _ => Package::Invalid,
            }
        } else {
            Package::Plain
        };
        DirInfo {
            package,
            config,
            project,
            resolved,
        }
    }

    /// The dotted module name of a source file (absolute path), like [`module_name`] but with the package
    /// of each directory cached.
    pub fn module_name(&self, file: &Path) -> Option<String> {
        let stem = file.file_stem()?.to_str()?;
        let info = self.for_directory(file.parent()?);
        match (&info.package, stem == "__init__") {
            (Package::Name(package), true) => Some(package.clone()),
            (_, true) | (Package::Invalid, false) => None,
            (Package::Name(package), false) => {
                is_identifier(stem).then(|| format!("{package}.{stem}"))
            }
            (Package::Plain, false) => is_identifier(stem).then(|| stem.to_string()),
        }
    }

    fn merge(
        &self,
        config: Option<&Arc<ConfigFile>>,
        project: Option<&Project>,
    ) -> Result<Arc<ResolvedSettings>, ConfigProblem> {
        let default = Options::default();
        let options = config.map_or(&default, |c| &c.options);
        let problem = |message: String| ConfigProblem {
            path: config.map_or_else(|| self.cwd.clone(), |c| c.path.clone()),
            message,
        };

        let (target_version, target_version_source) =
            if let Some(version) = self.overrides.target_version {
                (Some(version), Some(format!("`--target-version {version}`")))
            } else if let (Some(version), Some(config)) = (options.target_version, config) {
                (
                    Some(version),
                    Some(format!(
                        "`target-version = \"{version}\"` in {}",
                        self.display(&config.path)
                    )),
                )
            } else if let Some((project, spec)) =
                project.and_then(|p| p.requires_python.as_deref().map(|s| (p, s)))
            {
                let source = format!(
                    "{} in {}",
                    project
                        .requires_python_source
                        .clone()
                        .unwrap_or_else(|| format!("`requires-python = \"{spec}\"`")),
                    self.display(&project.path)
                );
                // Without a version, the source says why (the style note quotes it).
                match config::read_requires_python(spec) {
                    config::RequiresPython::Floor(version) => (Some(version), Some(source)),
                    config::RequiresPython::NoLowerBound => {
                        (None, Some(format!("{source} sets no lower bound")))
                    }
                    config::RequiresPython::Unreadable => {
                        (None, Some(format!("{source} could not be read")))
                    }
                }
            } else {
                (None, None)
            };

        let keep_patterns = options
            .keep
            .iter()
            .flatten()
            .chain(&self.overrides.keep)
            .cloned()
            .collect::<Vec<_>>();
        let keep = KeepList::new(keep_patterns).map_err(problem)?;

        let root = config.map_or(self.cwd.as_path(), |c| c.root());
        let mut excludes: Vec<String> = match &options.exclude {
            Some(list) => list.clone(),
            None => DEFAULT_EXCLUDES.iter().map(ToString::to_string).collect(),
        };
        excludes.extend(options.extend_exclude.iter().flatten().cloned());
        let exclude = Excluder::new(root, &excludes).map_err(problem)?;

        let settings = Settings {
            style: self.overrides.style.or(options.style),
            target_version,
            target_version_source,
            keep,
            include_preloaded: self
                .overrides
                .include_preloaded
                .or(options.include_preloaded)
                .unwrap_or(false),
            lazy_reexports: self
                .overrides
                .lazy_reexports
                .or(options.lazy_reexports)
                .unwrap_or(true),
            hoist: self.overrides.hoist.or(options.hoist).unwrap_or(false),
            type_checking_imports: self
                .overrides
                .type_checking_imports
                .or(options.type_checking_imports)
                .unwrap_or(false),
            verify: self.overrides.verify.unwrap_or(true),
            unknown_modules: self
                .overrides
                .unknown_modules
                .or(options.unknown_modules)
                .unwrap_or_default(),
            ..Settings::default()
        };
        // `style = "lazy"` with an older target is the configuration's error, named once with the file and the
        // key, not once per Python file. Both on the command line is a usage error the binary reports.
        if settings.style == Some(Style::Lazy)
            && let Some(target) = target_version.filter(|v| !v.supports_lazy())
        {
            let target_file = if self.overrides.target_version.is_some() {
                None
            } else if options.target_version.is_some() {
                config.map(|c| c.path.clone())
            } else {
                project.map(|p| p.path.clone())
            };
            let (path, style_from) = match (self.overrides.style, config) {
                (Some(_), _) => (target_file, "`--style lazy`".to_string()),
                (None, Some(config)) => (
                    Some(config.path.clone()),
                    format!("`style = \"lazy\"`{}", config.at("style")),
                ),
                (None, None) => (target_file, "`style = \"lazy\"`".to_string()),
            };
            if let Some(path) = path {
                let source = settings
                    .target_version_source
                    .as_deref()
                    .map_or_else(String::new, |s| format!(", from {s}"));
                return Err(ConfigProblem {
                    path,
                    message: format!(
                        "{style_from} needs target version py315 or newer, but the target is {target}{source}; \
                         use style `lazy-modules` (or `local`), or raise the target"
                    ),
                });
            }
        }
        // `hoist = true` / `type-checking-imports = true` written in the file with a style they do not work with:
        // the file's error too, with the key's place. (From the command line, the engine reports it.)
        if let Some(config) = config {
            let (style, why) = settings.effective_style();
            let why = why.map_or_else(String::new, |why| format!(" ({why})"));
            for (set, from_file, key, needs, what) in [
                (
                    settings.hoist,
                    self.overrides.hoist.is_none() && options.hoist.is_some(),
                    "hoist",
                    Style::Lazy,
                    "makes module-level `lazy` imports, so it needs style `lazy` (target py315 or newer)",
                ),
                (
                    settings.type_checking_imports,
                    self.overrides.type_checking_imports.is_none()
                        && options.type_checking_imports.is_some(),
                    "type-checking-imports",
                    Style::Local,
                    "moves imports used in annotations into functions, so it needs style `local`",
                ),
            ] {
                if set && from_file && style != needs {
                    return Err(ConfigProblem {
                        path: config.path.clone(),
                        message: format!(
                            "`{key} = true`{} {what}, but the style is `{style}`{why}",
                            config.at(key)
                        ),
                    });
                }
            }
        }
        // What is left is the command line's: reported once, as the options' error, not once per Python file.
        if let Some(message) = settings.problem() {
            return Err(ConfigProblem::command_line(message));
        }
        let python = match (&self.overrides.python, &options.python, config) {
            (Some(path), _, _) => crate::effects::PythonSource::Given(self.absolute(path)),
            (None, Some(path), Some(config)) => {
                crate::effects::PythonSource::Given(normalize(&config.root().join(path)))
            }
            _ => crate::effects::PythonSource::Discover,
        };
        Ok(Arc::new(ResolvedSettings {
            settings,
            config: config.map(|c| c.path.clone()),
            pyproject: project.map(|p| p.path.clone()),
            exclude,
            python,
        }))
    }

    /// A path for messages: relative to the working directory when inside it.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Makes `path` absolute-looking without touching the file system: drops `.` components and resolves `..`
/// lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The dotted module name of a source file (absolute path): the stem, prefixed by every enclosing directory
/// that holds an `__init__.py` (the walk stops at the first that does not, so `src/` layouts work).
/// `pkg/__init__.py` is `pkg`. `None` when a part is not a Python identifier.
pub fn module_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let mut parts = Vec::new();
    let mut dir = path.parent();
    if stem != "__init__" {
        parts.push(stem.to_string());
    }
    while let Some(d) = dir {
        if !(d.join("__init__.py").is_file() || d.join("__init__.pyi").is_file()) {
            break;
        }
        parts.push(d.file_name()?.to_str()?.to_string());
        dir = d.parent();
    }
    if parts.is_empty() || !parts.iter().all(|p| is_identifier(p)) {
        return None;
    }
    parts.reverse();
    Some(parts.join("."))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests;
