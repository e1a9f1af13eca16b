//! Runs the pytest-lsp suite in `tests/pytest_lsp/`: a real LSP client (pytest-lsp, built on pygls)
//! drives the `lazify server` binary over stdio, request by request.
//!
//! The Python comes from `LAZIFY_PYTEST_LSP`, the path of the `python` of a venv with
//! `tests/pytest_lsp/requirements.txt` installed. Without it the test is skipped with a message on the
//! terminal (written past libtest's output capture); with `CI` set it fails. The binary is `LAZIFY_BIN` if
//! set, else the one `cargo build -p lazify --bin lazify` builds in this target directory and profile (so a
//! stale binary is never tested).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test harness: a failed step is a failed test"
)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod bin;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const SUITE: &str = "crates/lazify_server/tests/pytest_lsp";

/// Writes to the terminal even while libtest captures the test's output (it captures `print!`/`eprint!`).
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

#[test]
fn pytest_lsp_suite() {
    let Some(python) = std::env::var_os("LAZIFY_PYTEST_LSP") else {
        assert!(
            !support::in_ci(),
            "pytest_lsp_suite: LAZIFY_PYTEST_LSP is not set, and `CI` is set: CI must install \
             {SUITE}/requirements.txt in a venv and set LAZIFY_PYTEST_LSP to its python"
        );
        say(&format!(
            "\n*** SKIPPED pytest_lsp_suite: LAZIFY_PYTEST_LSP is not set. Make a venv, `pip install -r \
             {SUITE}/requirements.txt` in it, and set LAZIFY_PYTEST_LSP to the venv's python. ***\n"
        ));
        return;
    };
    let python = PathBuf::from(python);
    assert!(
        python.is_file(),
        "LAZIFY_PYTEST_LSP={} is not a file",
        python.display()
    );
    let binary = bin::lazify_binary();
    assert!(binary.is_file(), "{} is not a file", binary.display());

    // pytest's stdout and stderr, interleaved in one file (one file description, so one offset).
    let output = tempfile::NamedTempFile::new().unwrap();
    let sink = output.reopen().unwrap();
    let mut child = Command::new(&python)
        .current_dir(support::repo_root())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", SUITE])
        .env("LAZIFY_BIN", &binary)
        // No target environment for the server and the command line the tests compare it with: modules outside
        // the project and the standard library are unknown (and trusted), whatever the machine has installed (the
        // same as the CLI and e2e tests).
        .env("VIRTUAL_ENV", "/nonexistent/lazify-test-environment")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(sink.try_clone().unwrap())
        .stderr(sink)
        .spawn()
        .expect("the python of LAZIFY_PYTEST_LSP starts");
    let Some(status) = support::wait_with_timeout(&mut child, Duration::from_mins(5)) else {
        panic!(
            "pytest did not finish within 5 minutes; its output so far:\n{}",
            std::fs::read_to_string(output.path()).unwrap_or_default()
        );
    };
    let transcript = std::fs::read_to_string(output.path()).unwrap();
    assert!(
        status.success(),
        "pytest failed ({status}), LAZIFY_BIN={}:\n{transcript}",
        binary.display()
    );
    // `-q` ends with e.g. "25 passed in 3.10s"; a suite that collected nothing also exits non-zero (5).
    let summary = transcript.lines().last().unwrap_or_default();
    assert!(summary.contains(" passed"), "{transcript}");
    say(&format!("pytest-lsp suite: {summary}"));
}
