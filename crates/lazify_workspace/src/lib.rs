//! lazify's file-system side: settings discovery (`pyproject.toml` `[tool.lazify]`, `lazify.toml`,
//! `requires-python`), file discovery (the `ignore` crate: `.gitignore`, exclusions, `--force-exclude`), the
//! parallel per-file run, decoding and encoding source files (BOM, PEP 263), atomic writes and unified diffs.
//!
//! This crate never prints: it returns results and errors, and the binary (or the language server) decides
//! how to show them. It never writes a file the engine reported an error for, nor one that cannot be written
//! back byte for byte in its own encoding.

pub mod config;
pub mod diff;
pub mod discover;
pub mod effects;
pub mod encoding;
pub mod error;
pub mod resolve;
pub mod write;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lazify_core::{FileOutcome, ProjectFacts, Settings, SourceFile};
use rayon::prelude::*;

pub use discover::{Candidate, Discovered};
pub use encoding::{Decoded, Encoding};
pub use error::WorkspaceError;
pub use resolve::{Overrides, ResolvedSettings, Resolver};

/// What happened to one file.
#[derive(Debug)]
pub struct FileResult {
    /// The path for messages (as given or as found by the walk).
    pub path: PathBuf,
    /// The decoded source, when the file could be read and decoded.
    pub decoded: Option<Decoded>,
    /// The engine's verdicts, rewritten text and engine error.
    pub outcome: FileOutcome,
    /// A reading, decoding, configuration or writing error. When set, the file was not written.
    pub error: Option<WorkspaceError>,
    /// Whether the rewritten text was written to disk.
    pub written: bool,
    /// Whether the file was skipped because it is excluded (stdin with `--force-exclude`).
    pub excluded: bool,
    /// In a lean run (see [`Workspace::lean`]), what the dropped text and verdicts said: whether the file
    /// would change, and how many imports would be rewritten.
    pub summary: Option<(bool, usize)>,
}

impl FileResult {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            decoded: None,
            outcome: FileOutcome::default(),
            error: None,
            written: false,
            excluded: false,
            summary: None,
        }
    }

    /// The original text (without BOM), when it was decoded.
    pub fn source(&self) -> Option<&str> {
        self.decoded.as_ref().map(|d| d.text.as_str())
    }

    /// The rewritten text, when the engine produced one without an error.
    pub fn fixed(&self) -> Option<&str> {
        if self.outcome.error.is_some() {
            return None;
        }
        self.outcome.fixed.as_deref()
    }

    /// Whether anything went wrong with this file (workspace or engine error).
    pub fn has_error(&self) -> bool {
        self.error.is_some() || self.outcome.error.is_some()
    }

    /// Whether the rewrite would change the file (and has not been written).
    pub fn would_change(&self) -> bool {
        if let Some((changed, _)) = self.summary {
            return changed && !self.written;
        }
        !self.written
            && self
                .fixed()
                .is_some_and(|fixed| Some(fixed) != self.source())
    }

    /// The number of imports rewritten (or to rewrite) in this file.
    pub fn rewrite_count(&self) -> usize {
        if let Some((_, count)) = self.summary {
            return count;
        }
        if self.fixed().is_some() {
            self.outcome.rewrites().count()
        } else {
            0
        }
    }
}

/// The result of a run over paths.
#[derive(Debug, Default)]
pub struct Run {
    /// One result per processed file, sorted by path.
    pub files: Vec<FileResult>,
    /// Errors not tied to one processed file: missing paths, walk errors, broken configuration files (each
    /// reported once; the files under them are not processed).
    pub errors: Vec<WorkspaceError>,
}

impl Run {
    /// Whether any error happened.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.files.iter().any(FileResult::has_error)
    }
}

/// A stdin run: the result, and the bytes to write to stdout (the rewritten source, or the original bytes
/// when nothing changes or something failed).
#[derive(Debug)]
pub struct SourceResult {
    /// The result.
    pub file: FileResult,
    /// What to print.
    pub output: Vec<u8>,
}

/// Settings resolution plus the runner. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Workspace {
    resolver: Arc<Resolver>,
    lean: bool,
}

impl Workspace {
    /// A workspace rooted at the working directory `cwd` with command-line `overrides`.
    pub fn new(cwd: &Path, overrides: Overrides) -> Result<Self, WorkspaceError> {
        Ok(Self {
            resolver: Arc::new(Resolver::new(cwd, overrides)?),
            lean: false,
        })
    }

    /// A lean run keeps, for files without errors, only whether they would change and how many imports
    /// would be rewritten ([`FileResult::summary`]), and drops their text and verdicts as soon as they are
    /// analysed: for callers that print only a summary (`--check`), on trees too large to hold in memory.
    #[must_use]
    pub fn lean(mut self, lean: bool) -> Self {
        self.lean = lean;
        self
    }

    /// The settings resolver.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// Finds the files under `paths`.
    pub fn discover(&self, paths: &[PathBuf]) -> Discovered {
        discover::discover(&self.resolver, paths)
    }

    /// Discovers and processes the files under `paths`, in parallel; with `write`, rewritten files are
    /// written back. Project facts (style `local`, `hoist`) come from the folder holding the configuration
    /// file, or else the common folder of `paths`.
    pub fn run(&self, paths: &[PathBuf], write: bool) -> Run {
        let discovered = self.discover(paths);
        let roots: Vec<PathBuf> = paths
            .iter()
            .map(|path| {
                let absolute = self.resolver.absolute(path);
                if absolute.is_dir() {
                    absolute.join("__dir__")
                } else {
                    absolute
                }
            })
            .collect();
        let fallback = common_root(roots.iter().map(PathBuf::as_path))
            .unwrap_or_else(|| self.resolver.cwd().to_path_buf());
        let mut run = self.process_in(&discovered.files, write, &fallback);
        let mut errors = discovered.errors;
        errors.append(&mut run.errors);
        run.errors = errors;
        run
    }

    /// Processes `files` in parallel. Each file's project is scanned first for the facts other files hold
    /// (in every style): the folder holding its configuration file, or else the common folder of `files`.
    pub fn process(&self, files: &[Candidate], write: bool) -> Run {
        let fallback = common_root(files.iter().map(|c| c.absolute.as_path()))
            .unwrap_or_else(|| self.resolver.cwd().to_path_buf());
        self.process_in(files, write, &fallback)
    }

    /// [`Workspace::process`] with the project folder to use for files without a configuration file.
    fn process_in(&self, files: &[Candidate], write: bool, fallback: &Path) -> Run {
        let fallback = fallback.to_path_buf();
        let facts = self.facts_for(files, &fallback);
        let oracles = self.oracles_for(files, &fallback);
        let context = Context {
            facts: &facts,
            oracles: &oracles,
            fallback: &fallback,
        };
        let outcomes: Vec<Result<FileResult, resolve::ConfigProblem>> = files
            .par_iter()
            .map(|candidate| self.process_file(candidate, write, &context))
            .collect();
        let mut run = Run::default();
        let mut reported = HashSet::new();
        for outcome in outcomes {
            match outcome {
                Ok(result) => run.files.push(result),
                Err(problem) => {
                    if reported.insert(problem.path.clone()) {
                        run.errors.push(problem.to_error());
                    }
                }
            }
        }
        run.files.sort_by(|a, b| a.path.cmp(&b.path));
        run
    }

    fn process_file(
        &self,
        candidate: &Candidate,
        write: bool,
        context: &Context<'_>,
    ) -> Result<FileResult, resolve::ConfigProblem> {
        let resolved = self.settings(&candidate.absolute)?;
        let settings = with_facts(&resolved, context);
        let mut result = FileResult::new(candidate.path.clone());
        let bytes = match std::fs::read(&candidate.absolute) {
            Ok(bytes) => bytes,
            Err(source) => {
                result.error = Some(WorkspaceError::Read {
                    path: candidate.path.clone(),
                    source,
                });
                return Ok(result);
            }
        };
        let module = self.resolver.module_name(&candidate.absolute);
        analyse(&mut result, module, bytes, &settings);
        if self.lean && !write && !result.has_error() {
            result.summary = Some((result.would_change(), result.rewrite_count()));
            result.decoded = None;
            result.outcome = FileOutcome {
                style: result.outcome.style,
                style_note: result.outcome.style_note.take(),
                skipped: result.outcome.skipped,
                ..FileOutcome::default()
            };
        }
        if write && result.would_change() {
            let written = result
                .decoded
                .as_ref()
                .zip(result.fixed())
                .map(|(decoded, fixed)| decoded.encode(&candidate.path, fixed))
                .map(|bytes| {
                    bytes.and_then(|bytes| {
                        write::write_atomic(&candidate.absolute, &bytes)
                            .map_err(|e| rename_path(e, &candidate.path))
                    })
                });
            match written {
                Some(Ok(())) => result.written = true,
                Some(Err(error)) => result.error = Some(error),
                None => {}
            }
        }
        Ok(result)
    }

    fn settings(&self, absolute: &Path) -> Result<Arc<ResolvedSettings>, resolve::ConfigProblem> {
        self.resolver
            .settings_for(absolute)
            .map_err(|error| match error {
                WorkspaceError::Config { path, message } => {
                    resolve::ConfigProblem { path, message }
                }
                other => resolve::ConfigProblem {
                    path: absolute.to_path_buf(),
                    message: other.to_string(),
                },
            })
    }

    /// Scans every Python file under `root` (with the usual exclusions) for the facts that other files'
    /// verdicts depend on: `mock.patch("pkg.mod.name")` strings, imports of a module's names,
    /// `sys.modules` patches, module-level imports. Files that cannot be read or parsed add nothing.
    pub fn scan_project(&self, root: &Path) -> ProjectFacts {
        let shown = match root.strip_prefix(self.resolver.cwd()) {
            Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
            Ok(relative) => relative.to_path_buf(),
            Err(_) => root.to_path_buf(),
        };
        let discovered = discover::discover(&self.resolver, std::slice::from_ref(&shown));
        let scanned: Vec<_> = discovered
            .files
            .par_iter()
            .filter_map(|candidate| {
                let bytes = std::fs::read(&candidate.absolute).ok()?;
                let decoded = encoding::decode(&candidate.path, &bytes).ok()?;
                let file = SourceFile {
                    path: candidate.path.clone(),
                    module_name: self.resolver.module_name(&candidate.absolute),
                };
                let facts = lazify_core::facts::scan(&decoded.text, &file)?;
                Some((candidate.path.clone(), decoded.text, facts))
            })
            .collect();
        let mut project = ProjectFacts::default();
        for (path, text, facts) in scanned {
            project.add(&path, &text, facts);
        }
        add_entry_points(&mut project, root, &shown);
        project
    }

    /// Scans, once each, the projects of the files whose settings need project facts.
    fn facts_for(
        &self,
        files: &[Candidate],
        fallback: &Path,
    ) -> HashMap<PathBuf, Arc<ProjectFacts>> {
        let mut roots = BTreeSet::new();
        for candidate in files {
            if let Ok(resolved) = self.resolver.settings_for(&candidate.absolute) {
                roots.insert(project_root(&resolved, fallback));
            }
        }
        roots
            .into_iter()
            .map(|root| {
                let facts = Arc::new(self.scan_project(&root));
                (root, facts)
            })
            .collect()
    }

    /// One effect oracle per project (and target interpreter) of `files`: the project's modules are walked, and
    /// the interpreter asked, only when an import about to be rewritten needs them.
    fn oracles_for(&self, files: &[Candidate], fallback: &Path) -> Oracles {
        let mut keys = BTreeSet::new();
        for candidate in files {
            if let Ok(resolved) = self.resolver.settings_for(&candidate.absolute) {
                keys.insert((project_root(&resolved, fallback), resolved.python.clone()));
            }
        }
        keys.into_iter()
            .map(|(root, python)| {
                let oracle = self.oracle(&root, python.clone());
                ((root, python), oracle)
            })
            .collect()
    }

    /// The effect oracle for the project in `root` with the target interpreter `python`.
    pub fn oracle(
        &self,
        root: &Path,
        python: effects::PythonSource,
    ) -> Arc<effects::WorkspaceOracle> {
        Arc::new(lazify_core::effects::Analyzer::new(
            effects::WorkspaceLocator::new(root, Arc::clone(&self.resolver), python),
        ))
    }

    /// Processes source text read from stdin. `filename` (`--stdin-filename`) is used for configuration
    /// discovery, the module name and messages.
    pub fn process_source(&self, bytes: &[u8], filename: Option<&Path>) -> SourceResult {
        let display = filename.map_or_else(|| PathBuf::from("-"), Path::to_path_buf);
        let absolute = match filename {
            Some(name) => self.resolver.absolute(name),
            None => self.resolver.absolute(Path::new("<stdin>.py")),
        };
        let mut result = FileResult::new(display.clone());
        let unchanged = |result: FileResult| SourceResult {
            file: result,
            output: bytes.to_vec(),
        };
        if self.resolver.overrides().force_exclude
            && filename.is_some()
            && self.resolver.is_excluded(&absolute, true)
        {
            result.excluded = true;
            return unchanged(result);
        }
        let resolved = match self.resolver.settings_for(&absolute) {
            Ok(settings) => settings,
            Err(error) => {
                result.error = Some(error);
                return unchanged(result);
            }
        };
        let fallback = absolute
            .parent()
            .filter(|_| filename.is_some())
            .map_or_else(|| self.resolver.cwd().to_path_buf(), Path::to_path_buf);
        let root = project_root(&resolved, &fallback);
        let facts = HashMap::from([(root.clone(), Arc::new(self.scan_project(&root)))]);
        let oracles = Oracles::from([(
            (root.clone(), resolved.python.clone()),
            self.oracle(&root, resolved.python.clone()),
        )]);
        let context = Context {
            facts: &facts,
            oracles: &oracles,
            fallback: &fallback,
        };
        let settings = with_facts(&resolved, &context);
        let module = filename.and_then(|_| self.resolver.module_name(&absolute));
        analyse(&mut result, module, bytes.to_vec(), &settings);
        let Some(fixed) = result.fixed().filter(|_| result.would_change()) else {
            return unchanged(result);
        };
        let encoded = result
            .decoded
            .as_ref()
            .map(|decoded| decoded.encode(&display, fixed));
        match encoded {
            Some(Ok(output)) => SourceResult {
                file: result,
                output,
            },
            Some(Err(error)) => {
                result.error = Some(error);
                unchanged(result)
            }
            None => unchanged(result),
        }
    }
}

/// Decodes `bytes` and runs the engine, filling `result`.
fn analyse(
    result: &mut FileResult,
    module_name: Option<String>,
    bytes: Vec<u8>,
    settings: &Settings,
) {
    let decoded = match encoding::decode_owned(&result.path, bytes) {
        Ok(decoded) => decoded,
        Err(error) => {
            result.error = Some(error);
            return;
        }
    };
    let file = SourceFile {
        path: result.path.clone(),
        module_name,
    };
    result.outcome = lazify_core::run(&decoded.text, &file, settings);
    result.decoded = Some(decoded);
}

/// The entry points of the project's `pyproject.toml` (`[project.scripts]`, `[project.gui-scripts]`,
/// `[project.entry-points.<group>]`): each `"module:object"` reads `object` from `module` when it runs. A file
/// that cannot be read or parsed adds nothing (the resolver reports a broken settings file).
fn add_entry_points(project: &mut ProjectFacts, root: &Path, shown_root: &Path) {
    let Ok(text) = std::fs::read_to_string(root.join("pyproject.toml")) else {
        return;
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return;
    };
    let Some(section) = table.get("project").and_then(toml::Value::as_table) else {
        return;
    };
    let mut groups: Vec<&toml::Table> = ["scripts", "gui-scripts"]
        .iter()
        .filter_map(|key| section.get(*key).and_then(toml::Value::as_table))
        .collect();
    if let Some(entry_points) = section.get("entry-points").and_then(toml::Value::as_table) {
        groups.extend(entry_points.values().filter_map(toml::Value::as_table));
    }
    let path = if shown_root == Path::new(".") {
        PathBuf::from("pyproject.toml")
    } else {
        shown_root.join("pyproject.toml")
    };
    for group in groups {
        for value in group.values().filter_map(toml::Value::as_str) {
            // The line of the first occurrence of the quoted value: good enough to point at it.
            let line = text
                .lines()
                .position(|l| l.contains(value))
                .map_or(1, |i| i + 1);
            project.add_entry_point(
                value,
                lazify_core::Location {
                    path: path.clone(),
                    line,
                },
            );
        }
    }
}

/// The folder a file's project facts come from: its configuration file's folder, else the folder of the
/// nearest `pyproject.toml` with a `[project]` table (so that `lazify --style local src/pkg` still sees the tests
/// beside `src/`), else `fallback`.
pub fn project_root(resolved: &ResolvedSettings, fallback: &Path) -> PathBuf {
    resolved
        .config
        .as_deref()
        .or(resolved.pyproject.as_deref())
        .and_then(Path::parent)
        .map_or_else(|| fallback.to_path_buf(), Path::to_path_buf)
}

/// The effect oracles of a run, by project folder and target interpreter.
type Oracles = HashMap<(PathBuf, effects::PythonSource), Arc<effects::WorkspaceOracle>>;

/// What a run shares between its files.
struct Context<'a> {
    facts: &'a HashMap<PathBuf, Arc<ProjectFacts>>,
    oracles: &'a Oracles,
    fallback: &'a Path,
}

/// The engine settings for a file, with its project's facts when they are needed and its effect oracle.
fn with_facts(resolved: &ResolvedSettings, context: &Context<'_>) -> Settings {
    let mut settings = resolved.settings.clone();
    let root = project_root(resolved, context.fallback);
    settings.project = context.facts.get(&root).cloned();
    if let Some(oracle) = context.oracles.get(&(root, resolved.python.clone())) {
        settings.effects = Some(Arc::clone(oracle) as Arc<dyn lazify_core::effects::EffectOracle>);
    }
    settings
}

/// The deepest folder holding every one of `files`.
fn common_root<'a>(mut files: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let mut root = files.next()?.parent()?.to_path_buf();
    for file in files {
        while !file.starts_with(&root) {
            if !root.pop() {
                return None;
            }
        }
    }
    Some(root)
}

/// Errors from the writer name the absolute path; messages use the display path.
fn rename_path(error: WorkspaceError, display: &Path) -> WorkspaceError {
    match error {
        WorkspaceError::Write { source, .. } => WorkspaceError::Write {
            path: display.to_path_buf(),
            source,
        },
        WorkspaceError::ReadOnly { .. } => WorkspaceError::ReadOnly {
            path: display.to_path_buf(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lean_runs_keep_only_the_summary() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        std::fs::File::create(&file)
            .and_then(|mut f| {
                std::io::Write::write_all(&mut f, b"import json\n\ndef f():\n    return json\n")
            })
            .unwrap();
        let overrides = Overrides {
            target_version: Some(lazify_core::PythonVersion::PY315),
            ..Overrides::default()
        };
        let full = Workspace::new(dir.path(), overrides.clone()).unwrap();
        let lean = Workspace::new(dir.path(), overrides).unwrap().lean(true);
        let (full, lean) = (
            full.run(std::slice::from_ref(&file), false),
            lean.run(&[file], false),
        );
        let (full, lean) = (&full.files[0], &lean.files[0]);
        assert!(full.source().is_some() && full.summary.is_none());
        assert!(lean.source().is_none() && lean.outcome.verdicts.is_empty());
        assert_eq!(lean.summary, Some((true, 1)));
        assert_eq!(
            (lean.would_change(), lean.rewrite_count()),
            (full.would_change(), full.rewrite_count())
        );
    }

    #[test]
    fn common_root_of_files() {
        let files = [
            Path::new("/p/a/x.py"),
            Path::new("/p/a/b/y.py"),
            Path::new("/p/c/z.py"),
        ];
        assert_eq!(common_root(files.into_iter()), Some(PathBuf::from("/p")));
        assert_eq!(
            common_root([Path::new("/p/a/x.py")].into_iter()),
            Some(PathBuf::from("/p/a"))
        );
        assert_eq!(common_root(std::iter::empty()), None);
    }
}
