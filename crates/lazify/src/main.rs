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
    // `lazify server` is a subcommand: a directory named `server` is `lazify ./server`.
    match args::Cli::parse().into_command() {
        args::Command::Check(args) => app::main(&args),
        args::Command::Server(args::ServerArgs {}) => match lazify_server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(lazify_server::ServerError::ExitWithoutShutdown) => ExitCode::from(1),
            Err(error) => {
                eprintln!("{:?}", miette::Report::new(error));
                ExitCode::from(2)
            }
        },
        args::Command::Measure(args) => measure::main(&args),
    }
}
