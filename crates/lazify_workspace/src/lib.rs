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
pub mod encoding;
pub mod error;
pub mod resolve;
pub mod write;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lazify_core::{FileOutcome, SourceFile};
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
        !self.written
            && self
                .fixed()
                .is_some_and(|fixed| Some(fixed) != self.source())
    }

    /// The number of imports rewritten (or to rewrite) in this file.
    pub fn rewrite_count(&self) -> usize {
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
}

impl Workspace {
    /// A workspace rooted at the working directory `cwd` with command-line `overrides`.
    pub fn new(cwd: &Path, overrides: Overrides) -> Result<Self, WorkspaceError> {
        Ok(Self {
            resolver: Arc::new(Resolver::new(cwd, overrides)?),
        })
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
    /// written back.
    pub fn run(&self, paths: &[PathBuf], write: bool) -> Run {
        let discovered = self.discover(paths);
        let mut run = self.process(&discovered.files, write);
        let mut errors = discovered.errors;
        errors.append(&mut run.errors);
        run.errors = errors;
        run
    }

    /// Processes `files` in parallel.
    pub fn process(&self, files: &[Candidate], write: bool) -> Run {
        let outcomes: Vec<Result<FileResult, resolve::ConfigProblem>> = files
            .par_iter()
            .map(|candidate| self.process_file(candidate, write))
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
    ) -> Result<FileResult, resolve::ConfigProblem> {
        let settings = self.settings(&candidate.absolute)?;
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
        analyse(&mut result, module, &bytes, &settings);
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
        let settings = match self.resolver.settings_for(&absolute) {
            Ok(settings) => settings,
            Err(error) => {
                result.error = Some(error);
                return unchanged(result);
            }
        };
        let module = filename.and_then(|_| self.resolver.module_name(&absolute));
        analyse(&mut result, module, bytes, &settings);
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
    bytes: &[u8],
    settings: &ResolvedSettings,
) {
    let decoded = match encoding::decode(&result.path, bytes) {
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
    result.outcome = lazify_core::run(&decoded.text, &file, &settings.settings);
    result.decoded = Some(decoded);
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
