//! Helpers shared by the end-to-end tests in `tests/`: finding the interpreters and tools they run (Python 3.15,
//! an older Python, ruff), and the rule for a missing tool: skip with a loud message locally, fail under `CI`.

#![expect(
    dead_code,
    reason = "each test target uses a different subset of these helpers"
)]
#![expect(clippy::print_stderr, reason = "a skipped check must say so loudly")]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository root (the workspace holding `crates/`, `tests/` and `snapshots/`).
pub(crate) fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("tests").join("fixtures").is_dir())
        .unwrap_or(manifest)
        .to_path_buf()
}

/// Whether the tests run under CI (`CI` set to anything but empty, `0` or `false`), where a missing tool is a
/// failure instead of a skip.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Called when a tool a test needs is missing: under `CI` the test fails, otherwise it prints why it skips.
/// Returns normally only when skipping is allowed.
pub(crate) fn missing_tool(what: &str, how_to_get_it: &str) {
    assert!(
        !in_ci(),
        "{what} is required when CI is set, but it was not found. {how_to_get_it}"
    );
    eprintln!("\n*** SKIPPED: {what} not found. {how_to_get_it} ***\n");
}

/// Prints a skip message once per test process (for checks that run inside every fixture test).
pub(crate) fn missing_tool_once(flag: &'static OnceLock<()>, what: &str, how_to_get_it: &str) {
    if in_ci() {
        missing_tool(what, how_to_get_it);
    }
    if flag.set(()).is_ok() {
        missing_tool(what, how_to_get_it);
    }
}

/// Finds an executable named `name` on `PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Waits for `child` for at most `limit`; past it the child is killed and reaped, and `None` is returned.
pub(crate) fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An executable from the environment variable `var`, or else `name` on `PATH`.
fn from_env_or_path(var: &str, name: &str) -> Option<PathBuf> {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(value) => Some(PathBuf::from(value)),
        None => find_on_path(name),
    }
}

/// An interpreter and its `(major, minor)` version.
#[derive(Clone, Debug)]
pub(crate) struct Python {
    /// The executable.
    pub(crate) path: PathBuf,
    /// `(3, 15)`.
    pub(crate) version: (u32, u32),
}

impl Python {
    /// Asks `path` for its version; `None` when it does not run.
    pub(crate) fn probe(path: PathBuf) -> Option<Self> {
        let out = Command::new(&path)
            .args([
                "-c",
                "import sys; print(sys.version_info[0], sys.version_info[1])",
            ])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut parts = text.split_whitespace().map(str::parse::<u32>);
        let major = parts.next()?.ok()?;
        let minor = parts.next()?.ok()?;
        Some(Self {
            path,
            version: (major, minor),
        })
    }

    /// A command running this interpreter isolated from the user's environment: `-E` (no `PYTHON*`
    /// variables, so no `PYTHON_LAZY_IMPORTS`), `-s` (no user site-packages), `-B` (no bytecode files).
    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(&self.path);
        cmd.args(["-E", "-s", "-B"]);
        cmd
    }
}

/// Python 3.15 or newer: `LAZIFY_PYTHON315`, else `python3.15` on `PATH`. A found interpreter older than 3.15 is
/// an error (the variable is wrong), not a skip.
pub(crate) fn python315() -> Option<Python> {
    let path = from_env_or_path("LAZIFY_PYTHON315", "python3.15")?;
    let python = Python::probe(path.clone());
    let Some(python) = python else {
        panic!(
            "`{}` (from LAZIFY_PYTHON315 or PATH) does not run",
            path.display()
        );
    };
    assert!(
        python.version >= (3, 15),
        "`{}` is Python {}.{}, not 3.15+",
        path.display(),
        python.version.0,
        python.version.1
    );
    Some(python)
}

/// The system `python3` when it is older than 3.15 (where `__lazy_modules__` is an ordinary variable).
pub(crate) fn python_pre315() -> Option<Python> {
    let python = Python::probe(find_on_path("python3")?)?;
    (python.version < (3, 15)).then_some(python)
}

/// The version of ruff the formatter-stability invariant is written against.
pub(crate) const RUFF_VERSION: &str = "0.17.5";

/// `ruff`: `LAZIFY_RUFF`, else `ruff` on `PATH`, with its version string (e.g. `ruff 0.17.5`).
pub(crate) fn ruff() -> Option<(PathBuf, String)> {
    let path = from_env_or_path("LAZIFY_RUFF", "ruff")?;
    let out = Command::new(&path).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some((
        path,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// The text of a command's output, for failure messages.
pub(crate) fn describe_output(cmd: &[OsString], out: &std::process::Output) -> String {
    let cmd: Vec<String> = cmd
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!(
        "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        cmd.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
