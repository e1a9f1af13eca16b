//! Times the engine on one file in process, as the editor runs it: `lazify_core::run` with style `lazy`, target
//! py315 and the rewritten text re-parsed and checked (as `--diff` and `--write` do). A measurement, not a test:
//!
//! ```console
//! cargo run --release -p lazify_core --example single_file -- FILE [RUNS]
//! ```
//!
//! Prints one line: `in-process: LINES lines, median M ms, min N ms, RUNS runs, REWRITES rewrites`.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool: its output is the point"
)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use lazify_core::{PythonVersion, Settings, SourceFile, Style};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: single_file FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50)
        .max(1);
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("single_file: {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let settings = Settings {
        style: Some(Style::Lazy),
        target_version: Some(PythonVersion::PY315),
        verify: true,
        ..Settings::default()
    };
    let file = SourceFile::new(path.clone());
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut rewrites = 0;
    // One warm-up run, then the measured ones.
    for i in 0..=runs {
        let start = Instant::now();
        let outcome = lazify_core::run(&source, &file, &settings);
        let elapsed = start.elapsed();
        if let Some(error) = &outcome.error {
            eprintln!("single_file: {path}: {error}");
            return ExitCode::from(2);
        }
        rewrites = outcome.rewrites().count();
        if i > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "in-process: {} lines, median {:.2} ms, min {:.2} ms, {runs} runs, {rewrites} rewrites",
        source.lines().count(),
        ms(times[times.len() / 2]),
        ms(times[0]),
    );
    ExitCode::SUCCESS
}
