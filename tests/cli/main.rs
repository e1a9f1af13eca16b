//! End-to-end tests of the `lazify` command: each flag, each exit code, stdin mode, discovery, configuration
//! and the safety rules (files with errors, read-only files, encodings, symlinks are never damaged).
//!
//! Every test builds a small project in a temporary directory and runs the real binary there. Output is
//! compared with insta snapshots in `snapshots/cli/`, with the temporary path shown as `[TMP]`.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on any error"
)]

mod common;

mod cache;
mod config;
mod effects;
mod effects_env;
mod facts;
mod habits;
mod interactive;
mod json_fixes;
mod local_hoist;
mod modes;
mod nesting;
mod precommit;
mod reliability;
mod report;
mod safety;
mod server;
mod stdin;
