//! lazify's file-system side: settings discovery (`pyproject.toml` `[tool.lazify]`, `lazify.toml`,
//! `requires-python`), file discovery (the `ignore` crate: `.gitignore`, exclusions, `--force-exclude`), the
//! parallel per-file run, decoding and encoding source files (BOM, PEP 263), atomic writes and unified diffs.
//!
//! This crate never prints: it returns results and errors, and the binary (or the language server) decides
//! how to show them. It never writes a file the engine reported an error for, nor one that cannot be written
//! back byte for byte in its own encoding.

#![warn(missing_docs)]

pub mod cache;
pub mod config;
pub mod diff;
pub mod discover;
pub mod effects;
pub mod encoding;
pub mod error;
pub mod resolve;
mod threads;
pub mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lazify_core::{EngineError, FileOutcome, ProjectFacts, Settings, SourceFile};
use rayon::prelude::*;

pub use discover::{Candidate, Discovered};
pub use encoding::{Decoded, Encoding};
pub use error::WorkspaceError;
pub use resolve::{Overrides, ResolvedSettings, Resolver};
use threads::{AbandonOnDrop, Window, pool};
pub use threads::{STACK_SIZE, guarded, on_big_stack};

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

    /// A file whose processing failed before it had a result.
    fn failed(path: PathBuf, error: EngineError) -> Self {
        let mut result = Self::new(path);
        result.outcome.error = Some(error);
        result
    }

    /// Keeps, when the file has no error, only whether it would change and how many imports would be
    /// rewritten ([`FileResult::summary`]), with its style and skip reason; drops its text and verdicts.
    fn make_lean(&mut self) {
        if self.has_error() {
            return;
        }
        self.summary = Some((self.would_change(), self.rewrite_count()));
        self.decoded = None;
        self.outcome = FileOutcome {
            style: self.outcome.style,
            style_note: self.outcome.style_note.take(),
            skipped: self.outcome.skipped,
            ..FileOutcome::default()
        };
    }

    /// The original text (without BOM), when it was decoded.
    pub fn source(&self) -> Option<&str> {
        self.decoded.as_ref().map(|d| d.text.as_str())
    }

    /// The rewritten text, when the engine produced one without an error: always verified (only the engine's
    /// verification makes a [`lazify_core::VerifiedText`]), so nothing unverified can be written or shown.
    pub fn fixed(&self) -> Option<&lazify_core::VerifiedText> {
        if self.outcome.error.is_some() {
            return None;
        }
        self.outcome.fixed.as_ref()
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
        !self.written && self.outcome.error.is_none() && self.outcome.changes
    }

    /// The number of imports rewritten (or to rewrite) in this file.
    pub fn rewrite_count(&self) -> usize {
        if let Some((_, count)) = self.summary {
            return count;
        }
        if self.outcome.error.is_none() && !self.outcome.fixes.is_empty() {
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
    /// The summary caches of the projects this workspace scanned, by project folder.
    caches: Arc<Mutex<HashMap<PathBuf, Arc<cache::SummaryCache>>>>,
}

impl Workspace {
    /// A workspace rooted at the working directory `cwd` with command-line `overrides`.
    pub fn new(cwd: &Path, overrides: Overrides) -> Result<Self, WorkspaceError> {
        Ok(Self {
            resolver: Arc::new(Resolver::new(cwd, overrides)?),
            lean: false,
            caches: Arc::default(),
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
        let fallback = self.fallback_root(paths);
        let mut run = self.process_in(&discovered.files, write, &fallback);
        let mut errors = discovered.errors;
        errors.append(&mut run.errors);
        run.errors = errors;
        self.save_caches();
        run
    }

    /// The summary cache of the project in `root` (opened, and read from disk, on first use): see
    /// [`cache`]. With `--no-cache` it lives in memory only.
    pub fn summary_cache(&self, root: &Path) -> Arc<cache::SummaryCache> {
        let mut caches = self
            .caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cache = caches.entry(root.to_path_buf()).or_insert_with(|| {
            let overrides = self.resolver.overrides();
            Arc::new(if overrides.no_cache {
                cache::SummaryCache::in_memory()
            } else {
                let folder = overrides.cache_dir.as_ref().map_or_else(
                    || root.join(cache::CACHE_FOLDER),
                    |dir| self.resolver.absolute(dir),
                );
                cache::SummaryCache::open(&folder, root)
            })
        });
        Arc::clone(cache)
    }

    /// Writes the summary caches this workspace used to disk (see [`cache`]); failures are ignored. [`Workspace::run`]
    /// and [`Workspace::stream`] do it when they finish.
    pub fn save_caches(&self) {
        let caches: Vec<Arc<cache::SummaryCache>> = self
            .caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for cache in caches {
            cache.save();
        }
    }

    /// Forgets the summary caches in memory (the language server, when files change on disk): the next scan
    /// reads them again from disk, and re-checks every file's text.
    pub fn forget_caches(&self) {
        self.save_caches();
        self.caches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// The project folder for files without a configuration file: the common folder of `paths`.
    fn fallback_root(&self, paths: &[PathBuf]) -> PathBuf {
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
        common_root(roots.iter().map(PathBuf::as_path))
            .unwrap_or_else(|| self.resolver.cwd().to_path_buf())
    }

    /// The first half of a streamed run ([`Workspace::stream`]): discovers the files under `paths` (in path
    /// order), resolves their settings and scans the projects whose facts they need. Errors found so far
    /// (missing paths, broken configuration files) are in [`Prepared::errors`].
    pub fn prepare(&self, paths: &[PathBuf]) -> Prepared {
        let discovered = self.discover(paths);
        let fallback = self.fallback_root(paths);
        let mut errors = discovered.errors;
        let mut files = Vec::with_capacity(discovered.files.len());
        let mut reported = HashSet::new();
        for candidate in discovered.files {
            match self.settings(&candidate.absolute) {
                Ok(_) => files.push(candidate),
                Err(problem) => {
                    if reported.insert(problem.path.clone()) {
                        errors.push(problem.to_error());
                    }
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let facts = on_big_stack(|| self.facts_for(&files, &fallback));
        let oracles = self.oracles_for(&files, &fallback);
        Prepared {
            errors,
            files,
            facts,
            oracles,
            fallback,
        }
    }

    /// Analyses the prepared files in parallel without writing anything, and hands each result to `each`, in
    /// path order, as soon as it and every file before it are done. `render` runs first, on the analysing
    /// thread, and its output goes to `each` with the result (a diff, say); a panic in it is an internal
    /// error of the file, with `T::default()`. Afterwards a result keeps only
    /// what a lean run keeps ([`Workspace::lean`]: the summary, or everything when the file has an error), so
    /// a run over a large tree holds one summary per file, not its text. An error from `each` stops the run
    /// and is returned.
    ///
    /// Files are taken in path order and at most a few ahead of the last one handed over, so the results
    /// waiting for their turn stay few.
    pub fn stream<T: Send + Default, E>(
        &self,
        prepared: Prepared,
        render: impl Fn(&FileResult) -> T + Sync,
        mut each: impl FnMut(&FileResult, T) -> Result<(), E>,
    ) -> Result<Run, E> {
        let Prepared {
            errors,
            files,
            facts,
            oracles,
            fallback,
        } = prepared;
        let context = Context {
            facts: &facts,
            oracles: &oracles,
            fallback: &fallback,
        };
        let total = files.len();
        let workers = pool().map_or(1, rayon::ThreadPool::current_num_threads);
        let window = 4 * workers;
        let next = AtomicUsize::new(0);
        let handed = Window::default();
        let (sender, receiver) = std::sync::mpsc::channel::<(usize, FileResult, T)>();
        let analyse_one = |i: usize| {
            let candidate = &files[i];
            let mut result = guarded(&candidate.path, || {
                self.process_file(candidate, false, &context)
            })
            .unwrap_or_else(|error| Ok(FileResult::failed(candidate.path.clone(), error)))
            .unwrap_or_else(|problem| {
                // Settings were resolved in `prepare`; they are cached, so this does not happen.
                let mut result = FileResult::new(candidate.path.clone());
                result.error = Some(problem.to_error());
                result
            });
            let rendered = guarded(&candidate.path, || render(&result)).unwrap_or_else(|error| {
                result.outcome.error = Some(error);
                T::default()
            });
            result.make_lean();
            (result, rendered)
        };
        let mut run = Run {
            errors,
            files: Vec::with_capacity(total),
        };
        let outcome = std::thread::scope(|scope| {
            scope.spawn(|| {
                on_big_stack(|| {
                    rayon::scope(|workers_scope| {
                        for _ in 0..workers {
                            let sender = sender.clone();
                            let (next, handed, analyse_one) = (&next, &handed, &analyse_one);
                            workers_scope.spawn(move |_| {
                                loop {
                                    let i = next.fetch_add(1, Ordering::Relaxed);
                                    if i >= total || !handed.wait_for_turn(i, window) {
                                        break;
                                    }
                                    let (result, rendered) = analyse_one(i);
                                    if sender.send((i, result, rendered)).is_err() {
                                        break;
                                    }
                                }
                            });
                        }
                    });
                });
                drop(sender);
            });
            // Dropped (also on a panic here) before the workers are joined, so none waits for its turn forever.
            let _abandon = AbandonOnDrop(&handed);
            let mut waiting = BTreeMap::new();
            let mut expected = 0;
            for (i, result, rendered) in &receiver {
                waiting.insert(i, (result, rendered));
                while let Some((result, rendered)) = waiting.remove(&expected) {
                    each(&result, rendered)?;
                    run.files.push(result);
                    expected += 1;
                    handed.advance(expected);
                }
            }
            Ok(())
        });
        self.save_caches();
        outcome.map(|()| run)
    }

    /// Processes `files` in parallel. Each file's project is scanned first for the facts other files hold
    /// (in every style): the folder holding its configuration file, or else the common folder of `files`.
    pub fn process(&self, files: &[Candidate], write: bool) -> Run {
        let fallback = common_root(files.iter().map(|c| c.absolute.as_path()))
            .unwrap_or_else(|| self.resolver.cwd().to_path_buf());
        self.process_in(files, write, &fallback)
    }

    /// [`Workspace::process`] with the project folder to use for files without a configuration file.
    ///
    /// Every file is analysed before any is written, so a failure during the analysis cannot leave the tree
    /// half rewritten.
    fn process_in(&self, files: &[Candidate], write: bool, fallback: &Path) -> Run {
        on_big_stack(|| {
            let fallback = fallback.to_path_buf();
            let facts = self.facts_for(files, &fallback);
            let oracles = self.oracles_for(files, &fallback);
            let context = Context {
                facts: &facts,
                oracles: &oracles,
                fallback: &fallback,
            };
            let mut outcomes: Vec<Result<FileResult, resolve::ConfigProblem>> = files
                .par_iter()
                .map(|candidate| {
                    guarded(&candidate.path, || {
                        self.process_file(candidate, write, &context)
                    })
                    .unwrap_or_else(|error| Ok(FileResult::failed(candidate.path.clone(), error)))
                })
                .collect();
            if write {
                outcomes
                    .par_iter_mut()
                    .zip(files)
                    .for_each(|(outcome, candidate)| {
                        if let Ok(result) = outcome {
                            write_back(result, candidate);
                        }
                    });
            }
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
        })
    }

    /// Analyses one file (nothing is written yet).
    fn process_file(
        &self,
        candidate: &Candidate,
        write: bool,
        context: &Context<'_>,
    ) -> Result<FileResult, resolve::ConfigProblem> {
        let resolved = self.settings(&candidate.absolute)?;
        let mut result = FileResult::new(candidate.path.clone());
        let settings = match with_facts(&resolved, context) {
            Ok(settings) => settings,
            Err(error) => {
                result.outcome.error = Some(error);
                return Ok(result);
            }
        };
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
        if self.lean && !write {
            result.make_lean();
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
                WorkspaceError::Options { message } => {
                    resolve::ConfigProblem::command_line(message)
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
        self.scan_project_checked(root).0
    }

    /// [`Workspace::scan_project`], with the files whose scan failed (a panic, caught: a bug in lazify). Their
    /// facts are missing, so verdicts that depend on the project cannot be trusted.
    fn scan_project_checked(&self, root: &Path) -> (ProjectFacts, Vec<EngineError>) {
        let shown = match root.strip_prefix(self.resolver.cwd()) {
            Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
            Ok(relative) => relative.to_path_buf(),
            Err(_) => root.to_path_buf(),
        };
        let cache = self.summary_cache(root);
        on_big_stack(|| {
            let discovered = discover::discover(&self.resolver, std::slice::from_ref(&shown));
            let scanned: Vec<_> = discovered
                .files
                .par_iter()
                .filter_map(|candidate| {
                    guarded(&candidate.path, || {
                        let bytes = std::fs::read(&candidate.absolute).ok()?;
                        let decoded = encoding::decode(&candidate.path, &bytes).ok()?;
                        let module = self.resolver.module_name(&candidate.absolute);
                        let scan = cache.scan(
                            &candidate.absolute,
                            &candidate.path,
                            module.as_deref(),
                            &decoded.text,
                            true,
                        );
                        let facts = scan.facts.clone()?;
                        Some((candidate.path.clone(), decoded.text, facts))
                    })
                    .transpose()
                })
                .collect();
            let mut project = ProjectFacts::default();
            let mut failures = Vec::new();
            for scanned in scanned {
                match scanned {
                    Ok((path, text, facts)) => project.add(&path, &text, facts),
                    Err(error) => failures.push(error),
                }
            }
            add_entry_points(&mut project, root, &shown);
            (project, failures)
        })
    }

    /// Scans, once each, the projects of the files whose settings need project facts.
    fn facts_for(&self, files: &[Candidate], fallback: &Path) -> HashMap<PathBuf, Facts> {
        let mut roots = BTreeSet::new();
        for candidate in files {
            if let Ok(resolved) = self.resolver.settings_for(&candidate.absolute) {
                roots.insert(project_root(&resolved, fallback));
            }
        }
        roots
            .into_iter()
            .map(|root| {
                let facts = self.project_facts(&root);
                (root, facts)
            })
            .collect()
    }

    /// A project's facts, or the error every file that needs them gets when the scan failed on a file.
    fn project_facts(&self, root: &Path) -> Facts {
        let (facts, failures) = self.scan_project_checked(root);
        match failures.into_iter().next() {
            None => Ok(Arc::new(facts)),
            Some(failure) => {
                let cause = match failure {
                    EngineError::Internal { message } => message,
                    other => other.to_string(),
                };
                Err(EngineError::Internal {
                    message: format!(
                        "the project scan failed ({cause}) and this file's verdicts depend on it"
                    ),
                })
            }
        }
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
            effects::WorkspaceLocator::new(root, Arc::clone(&self.resolver), python)
                .with_cache(self.summary_cache(root)),
        ))
    }

    /// Processes source text read from stdin. `filename` (`--stdin-filename`) is used for configuration
    /// discovery, the module name and messages.
    pub fn process_source(&self, bytes: &[u8], filename: Option<&Path>) -> SourceResult {
        let result = self.process_source_uncached(bytes, filename);
        self.save_caches();
        result
    }

    fn process_source_uncached(&self, bytes: &[u8], filename: Option<&Path>) -> SourceResult {
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
        let facts = HashMap::from([(root.clone(), self.project_facts(&root))]);
        let oracles = Oracles::from([(
            (root.clone(), resolved.python.clone()),
            self.oracle(&root, resolved.python.clone()),
        )]);
        let context = Context {
            facts: &facts,
            oracles: &oracles,
            fallback: &fallback,
        };
        let settings = match with_facts(&resolved, &context) {
            Ok(settings) => settings,
            Err(error) => {
                result.outcome.error = Some(error);
                return unchanged(result);
            }
        };
        let module = filename.and_then(|_| self.resolver.module_name(&absolute));
        let analysed = on_big_stack(|| {
            guarded(&display, || {
                let mut analysed = FileResult::new(display.clone());
                analyse(&mut analysed, module, bytes.to_vec(), &settings);
                analysed
            })
        });
        match analysed {
            Ok(analysed) => result = analysed,
            Err(error) => {
                result.outcome.error = Some(error);
                return unchanged(result);
            }
        }
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

/// Files discovered, their settings resolved and their projects scanned: the first half of
/// [`Workspace::stream`].
#[derive(Debug)]
pub struct Prepared {
    errors: Vec<WorkspaceError>,
    files: Vec<Candidate>,
    facts: HashMap<PathBuf, Facts>,
    oracles: Oracles,
    fallback: PathBuf,
}

impl Prepared {
    /// Errors not tied to one file: missing paths, walk errors, broken configuration files (each once; the
    /// files under them are left out).
    pub fn errors(&self) -> &[WorkspaceError] {
        &self.errors
    }
}

/// A project's facts, or why they are missing.
type Facts = Result<Arc<ProjectFacts>, EngineError>;

/// Writes a file's rewritten text back, when it changes and nothing went wrong.
fn write_back(result: &mut FileResult, candidate: &Candidate) {
    if !result.would_change() || result.has_error() {
        return;
    }
    // The original bytes come back from the decoded text (a file is only written when its encoding round-trips),
    // so that the writer can check the file still holds them.
    let written = guarded(&candidate.path, || {
        result
            .decoded
            .as_ref()
            .zip(result.source())
            .zip(result.fixed())
            .map(|((decoded, source), fixed)| {
                let original = decoded.encode(&candidate.path, source)?;
                let bytes = decoded.encode(&candidate.path, fixed)?;
                write::write_checked(&candidate.path, &candidate.absolute, &original, &bytes)
            })
    });
    match written {
        Ok(Some(Ok(()))) => result.written = true,
        Ok(Some(Err(error))) => result.error = Some(error),
        Ok(None) => {}
        Err(error) => result.outcome.error = Some(error),
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
    facts: &'a HashMap<PathBuf, Facts>,
    oracles: &'a Oracles,
    fallback: &'a Path,
}

/// The engine settings for a file, with its project's facts and its effect oracle; an error when the project
/// scan failed (its verdicts depend on it).
fn with_facts(resolved: &ResolvedSettings, context: &Context<'_>) -> Result<Settings, EngineError> {
    let mut settings = resolved.settings.clone();
    let root = project_root(resolved, context.fallback);
    settings.project = context.facts.get(&root).cloned().transpose()?;
    if let Some(oracle) = context.oracles.get(&(root, resolved.python.clone())) {
        settings.effects = Some(Arc::clone(oracle) as Arc<dyn lazify_core::effects::EffectOracle>);
    }
    Ok(settings)
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

#[cfg(test)]
mod tests;
