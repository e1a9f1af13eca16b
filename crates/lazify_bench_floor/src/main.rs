//! `parse-floor`: the parse-only floor of lazify's benchmark (`scripts/bench.sh`, issue 6).
//!
//! Walks the given paths with the `ignore` crate's parallel walker, then reads and parses every `.py` / `.pyi`
//! file on rayon's global thread pool with `ruff_python_parser` and the same options as
//! `lazify_core::python::parse` (module mode, Python 3.15 grammar). It does nothing else: no placement check,
//! no analysis, no output per file. No tool that walks, reads and parses the same files can beat its time, so
//! lazify's time divided by this one is the cost of everything lazify adds to the parse.
//!
//! It prints one summary line (files, bytes, files that failed to read or parse) so that the benchmark can check
//! that every tool saw the same files. Exit code 0, or 2 when an argument or a path is unusable.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use ruff_python_ast::PythonVersion;
use ruff_python_parser::{Mode, ParseOptions};

/// The allocator `lazify` uses: the floor must not be slower than lazify for a reason other than the analysis.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const USAGE: &str = "usage: parse-floor PATH...\n\nWalks, reads and parses the Python files under PATH \
                     (the parse-only floor of lazify's benchmark).";

/// What the run saw, summed over all files.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Totals {
    files: usize,
    bytes: usize,
    /// Top-level statements parsed: keeps the parse observable, so it cannot be optimised away.
    statements: usize,
    read_errors: usize,
    parse_errors: usize,
}

impl Totals {
    fn add(self, other: Self) -> Self {
        Self {
            files: self.files + other.files,
            bytes: self.bytes + other.bytes,
            statements: self.statements + other.statements,
            read_errors: self.read_errors + other.read_errors,
            parse_errors: self.parse_errors + other.parse_errors,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        report_usage();
        return if args.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let roots: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        report_error(&format!("{}: no such file or directory", missing.display()));
        return ExitCode::from(2);
    }
    let files = discover(&roots);
    let totals = files
        .par_iter()
        .map(|path| parse_file(path))
        .reduce(Totals::default, Totals::add);
    report_totals(&totals);
    ExitCode::SUCCESS
}

/// Every `.py` / `.pyi` file under `roots`, found by the parallel walker with its standard filters (hidden
/// files, `.gitignore` inside git repositories), as lazify and ruff walk.
fn discover(roots: &[PathBuf]) -> Vec<PathBuf> {
    let Some((first, rest)) = roots.split_first() else {
        return Vec::new();
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    let found = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            if let Ok(entry) = entry
                && entry.file_type().is_some_and(|t| t.is_file())
                && is_python_file(entry.path())
                && let Ok(mut found) = found.lock()
            {
                found.push(entry.into_path());
            }
            WalkState::Continue
        })
    });
    found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn is_python_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py" || e == "pyi")
}

/// Reads and parses one file, exactly as `lazify_core::python::parse` calls the parser.
fn parse_file(path: &Path) -> Totals {
    let Ok(source) = std::fs::read_to_string(path) else {
        return Totals {
            files: 1,
            read_errors: 1,
            ..Totals::default()
        };
    };
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY315);
    let parsed = ruff_python_parser::parse_unchecked(&source, options);
    let failed = !parsed.errors().is_empty();
    let statements = parsed
        .try_into_module()
        .map_or(0, |m| m.syntax().body.len());
    Totals {
        files: 1,
        bytes: source.len(),
        statements,
        read_errors: 0,
        parse_errors: usize::from(failed),
    }
}

#[expect(
    clippy::print_stdout,
    reason = "the summary line is the floor's only output"
)]
fn report_totals(totals: &Totals) {
    println!(
        "files {} bytes {} statements {} read_errors {} parse_errors {}",
        totals.files, totals.bytes, totals.statements, totals.read_errors, totals.parse_errors
    );
}

#[expect(clippy::print_stderr, reason = "usage goes to stderr")]
fn report_usage() {
    eprintln!("{USAGE}");
}

#[expect(clippy::print_stderr, reason = "errors go to stderr")]
fn report_error(message: &str) {
    eprintln!("parse-floor: {message}");
}
