//! The `lazify` command: finds Python imports that can be deferred and rewrites them into PEP 810 lazy
//! imports. Argument parsing is in [`args`], the run in [`app`] (and [`interactive`] for `--interactive`),
//! output in [`printer`] and [`render`].

mod app;
mod args;
mod interactive;
mod measure;
mod printer;
mod render;

use std::process::ExitCode;

use clap::Parser as _;

/// jemalloc, as ruff uses: the parser allocates a node at a time, and the system allocator spent a fifth of a
/// run's instructions in `malloc` and `free`. mimalloc was 8% faster still but held 45% more memory than jemalloc
/// (issue 6; the benchmark's floor uses the same allocator as lazify). jemalloc does not build with MSVC, so
/// Windows keeps the system allocator.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[expect(
    clippy::print_stderr,
    reason = "the server's fatal error goes to stderr; stdout is the LSP stream"
)]
fn main() -> ExitCode {
    // `lazify server` starts the language server. The command line otherwise takes paths, so the word is
    // checked before clap parses (a directory named `server` is `lazify ./server`).
    if std::env::args_os().nth(1).is_some_and(|a| a == "server") {
        return match lazify_server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(lazify_server::ServerError::ExitWithoutShutdown) => ExitCode::from(1),
            Err(error) => {
                eprintln!("{:?}", miette::Report::new(error));
                ExitCode::from(2)
            }
        };
    }
    // `lazify measure` likewise: the measuring command has its own arguments (crates/lazify/src/measure).
    if std::env::args_os().nth(1).is_some_and(|a| a == "measure") {
        return measure::main(std::env::args_os().skip(2));
    }
    app::main(&args::Args::parse())
}
