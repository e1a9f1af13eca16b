//! A fuzzer for lazify's engine that runs on the stable toolchain (cargo-fuzz needs nightly).
//!
//! Inputs are real Python files mutated line by line and token by token, and programs from a small
//! structure-aware generator ([`generate`]). Each input is checked under every style ([`check::Config`]) through
//! the engine's public entry point, for the invariants listed in [`check`]. A failing input is reduced line by
//! line ([`minimize`]) and written out; `crates/lazify_fuzz/regressions/` holds the ones found so far, replayed by
//! `tests/replay.rs` against the `expected-failures` list ([`expected`]).
//!
//! The binary (`lazify-fuzz`) runs the checks in a child process of itself, so that an abort (a stack overflow)
//! is a finding, not the end of the run.

pub mod check;
pub mod expected;
pub mod generate;
pub mod minimize;
pub mod rng;

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use check::{Config, Failure, Kind, Seen, Target};

thread_local! {
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that records the message and location for [`check_catching`] instead of printing them.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-string payload".to_string());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{message}{location}")));
    }));
}

/// [`check::check`], with a panic turned into a [`Kind::Panic`] failure.
pub fn check_catching(bytes: &[u8], config: Config, target: Target) -> Result<Seen, Failure> {
    match catch_unwind(AssertUnwindSafe(|| check::check(bytes, config, target))) {
        Ok(result) => result,
        Err(_) => Err(Failure {
            config,
            kind: Kind::Panic,
            detail: PANIC_MESSAGE
                .with(|m| m.borrow_mut().take())
                .unwrap_or_else(|| "panicked".to_string()),
        }),
    }
}
