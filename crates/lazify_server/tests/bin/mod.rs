//! The `lazify` binary for the tests that run `lazify server` as a process (`pytest_lsp.rs`, `framing.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support;

/// The `lazify` binary: `LAZIFY_BIN`, or the one cargo builds in this target directory and profile.
pub(crate) fn lazify_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LAZIFY_BIN") {
        return PathBuf::from(path);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let mut command = Command::new(cargo);
    command
        .current_dir(support::repo_root())
        .args(["build", "-p", "lazify", "--bin", "lazify"])
        .args(["--message-format", "json-render-diagnostics"]);
    // This test runs from `<target>/<profile>/deps/`; build the binary with the same profile.
    let exe = std::env::current_exe().unwrap();
    if exe.ancestors().nth(2).and_then(Path::file_name) == Some("release".as_ref()) {
        command.arg("--release");
    }
    let out = command.stderr(Stdio::inherit()).output().unwrap();
    assert!(out.status.success(), "cargo build -p lazify failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "lazify")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the lazify executable")
}
