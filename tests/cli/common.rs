//! The test project builder and the snapshot helper.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Deferrable source: `json` is used only inside a function, so lazify rewrites it.
pub(crate) const DEFERRABLE: &str = "import json\n\n\ndef f():\n    return json.dumps(1)\n";

/// Source with nothing to rewrite: `json` is used at import time.
pub(crate) const EAGER: &str = "import json\n\nX = json.dumps(1)\n";

/// A temporary project directory.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Creates `rel` (and its directories) with `contents`.
    pub(crate) fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::File::create(&path)
            .unwrap()
            .write_all(contents.as_ref())
            .unwrap();
        self
    }

    pub(crate) fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.path(rel)).unwrap()
    }

    pub(crate) fn read_string(&self, rel: &str) -> String {
        String::from_utf8(self.read(rel)).unwrap()
    }

    /// The `lazify` command, run in the project directory with a clean environment for output.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::cargo_bin("lazify").unwrap();
        command
            .current_dir(self.root())
            // No target environment: modules outside the project and the standard library are unknown (and
            // trusted), whatever the machine has installed. Tests of environment discovery set their own.
            .env("VIRTUAL_ENV", self.root().join(".no-target-environment"))
            .env_remove("LAZIFY_NO_CACHE")
            .env_remove("LAZIFY_CACHE_DIR")
            .env_remove("COLUMNS")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        command
    }

    /// Runs `lazify ARGS`.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs `lazify ARGS` with `stdin` as standard input.
    pub(crate) fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.command()
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap()
    }

    /// `text` with the temporary path shown as `[TMP]`.
    pub(crate) fn render_text(&self, text: &str) -> String {
        let canonical = fs::canonicalize(self.root()).unwrap();
        text.replace(&canonical.display().to_string(), "[TMP]")
            .replace(&self.root().display().to_string(), "[TMP]")
    }

    /// Exit code, stdout and stderr as one text for a snapshot, the temporary path shown as `[TMP]`.
    pub(crate) fn render(&self, output: &Output) -> String {
        let text = format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            output
                .status
                .code()
                .map_or_else(|| "signal".to_string(), |c| c.to_string()),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
        let canonical = fs::canonicalize(self.root()).unwrap();
        text.replace(&canonical.display().to_string(), "[TMP]")
            .replace(&self.root().display().to_string(), "[TMP]")
    }
}

/// Asserts a snapshot stored in `snapshots/cli/<name>.snap`.
#[track_caller]
pub(crate) fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/cli"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// Asserts the exit code.
#[track_caller]
pub(crate) fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
