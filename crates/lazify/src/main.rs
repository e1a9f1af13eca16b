//! The `lazify` command: finds Python imports that can be deferred and rewrites them into PEP 810 lazy
//! imports. Argument parsing is in [`args`], the run in [`app`], output in [`printer`] and [`render`].

mod app;
mod args;
mod printer;
mod render;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    app::main(&args::Args::parse())
}
