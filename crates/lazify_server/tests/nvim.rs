//! End-to-end test with a real LSP client nobody here wrote: headless Neovim (0.7.2 or newer) runs
//! `tests/nvim/lsp_fix_all.lua`, which opens a Python file, waits for lazify's diagnostics, applies the quick
//! fix at the first one and then `source.fixAll.lazify`, and writes the buffer after each step. This test
//! checks those buffers against what the engine makes of the file, and prints Neovim's transcript.
//!
//! The server Neovim starts is this test binary itself: run with `LAZIFY_SERVER_STDIO=1`, `main` serves LSP
//! on stdio through [`lazify_server::run_stdio`] (the function `lazify server` calls) instead of testing. That
//! is why this target has `harness = false`; it answers `--list` the way libtest does so that nextest runs it.
//!
//! Without `nvim` on `PATH` (or in `LAZIFY_NVIM`) the test is skipped with a message; with `CI` set it fails.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use lazify_core::{PythonVersion, Settings, SourceFile};

const TEST_NAME: &str = "neovim_quick_fix_and_fix_all";

/// A file with non-ASCII text before and inside the imports, so that Neovim's UTF-16 positions matter.
const SOURCE: &str = "\"\"\"Überblick: 𝄞 reports.\"\"\"\nimport os\nclef = \"𝄞\"; import json\nimport numpy as np\nimport café\n\nDEBUG = os.environ.get(\"DEBUG\")\n\n\ndef load(path):\n    return json.loads(path), np.zeros(3), café.x\n";

fn main() -> ExitCode {
    if std::env::var_os("LAZIFY_SERVER_STDIO").is_some() {
        return match lazify_server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("lazify server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("{TEST_NAME}: test");
        }
        return ExitCode::SUCCESS;
    }
    // A filter that does not match this test (libtest semantics: substring, or exact with `--exact`).
    let exact = args.iter().any(|a| a == "--exact");
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        let matches = if exact {
            filter == TEST_NAME
        } else {
            TEST_NAME.contains(filter.as_str())
        };
        if !matches {
            return ExitCode::SUCCESS;
        }
    }
    if neovim_quick_fix_and_fix_all() {
        println!("test {TEST_NAME} ... ok");
    } else {
        println!("test {TEST_NAME} ... skipped (no nvim)");
    }
    ExitCode::SUCCESS
}

fn find_nvim() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LAZIFY_NVIM") {
        return Some(PathBuf::from(path));
    }
    support::find_on_path("nvim")
}

fn write(path: &Path, text: &str) {
    std::fs::File::create(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

/// Runs the test; `false` when it was skipped.
fn neovim_quick_fix_and_fix_all() -> bool {
    let Some(nvim) = find_nvim() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{TEST_NAME}: `nvim` not found, and `CI` is set: CI must install Neovim (`apt-get install neovim`)"
        );
        eprintln!(
            "SKIPPED {TEST_NAME}: `nvim` not found (install Neovim, e.g. `apt-get install neovim`, or set \
             LAZIFY_NVIM)"
        );
        return false;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/nvim/lsp_fix_all.lua");
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    write(
        &project.join("pyproject.toml"),
        "[project]\nname = \"demo\"\nrequires-python = \">=3.15\"\n",
    );
    let file = project.join("app.py");
    write(&file, SOURCE);

    let server = std::env::current_exe().unwrap();
    let cmd = serde_json::to_string(&[server.to_string_lossy()]).unwrap();
    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("LAZIFY_SERVER_STDIO", "1")
        .env("LAZIFY_SERVER_CMD", &cmd)
        .env("LAZIFY_FILE", &file)
        .env("LAZIFY_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let Some(status) = support::wait_with_timeout(&mut child, Duration::from_mins(2)) else {
        panic!("Neovim did not finish within 120 s");
    };
    let transcript = std::fs::read_to_string(out.join("transcript.txt")).unwrap_or_default();
    println!("--- Neovim transcript ---\n{transcript}-------------------------");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).ok();
    }
    assert!(
        status.success(),
        "Neovim failed ({status}); stderr:\n{stderr}"
    );

    let settings = Settings {
        target_version: Some(PythonVersion::PY315),
        ..Settings::default()
    };
    let mut source_file = SourceFile::new(&file);
    source_file.module_name = Some("app".to_string());
    let expected_all = lazify_core::run(SOURCE, &source_file, &settings)
        .fixed
        .map(String::from)
        .unwrap();

    // The first diagnostic is `json`, on the line after the non-ASCII string.
    let after_quickfix = std::fs::read_to_string(out.join("after_quickfix.py")).unwrap();
    assert_eq!(
        after_quickfix,
        SOURCE.replace("; import json", "; lazy import json")
    );
    // Titled as ruff titles its fixes: tool, code, then the fix title the finding carries.
    assert!(
        transcript.contains("applied: lazify (LZF001): Make `json` lazy\n"),
        "{transcript}"
    );
    let after_fix_all = std::fs::read_to_string(out.join("after_fix_all.py")).unwrap();
    assert_eq!(after_fix_all, expected_all);
    assert!(
        transcript.contains("publishDiagnostics after source.fixAll.lazify")
            && transcript.ends_with(": 0 diagnostic(s)\nserver stopped: true\n"),
        "{transcript}"
    );
    // Nothing was written to disk: Neovim never saved, and the server never writes.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), SOURCE);
    true
}
