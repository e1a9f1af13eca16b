//! `lazify -`: source on stdin, the result on stdout, the report on stderr.

use crate::common::{DEFERRABLE, EAGER, Project, assert_code, snapshot, stderr, stdout};

#[test]
fn stdin_writes_the_rewritten_source() {
    let project = Project::new();
    let output = project.run_stdin(&["-", "--target-version", "py315"], DEFERRABLE);
    assert_code(&output, 0);
    assert_eq!(
        stdout(&output),
        DEFERRABLE.replacen("import json", "lazy import json", 1)
    );
    snapshot("stdin_rewrite", &project.render(&output));
}

#[test]
fn stdin_unchanged_source_passes_through() {
    let project = Project::new();
    let output = project.run_stdin(&["-", "--target-version", "py315", "--quiet"], EAGER);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), EAGER);
    assert_eq!(stderr(&output), "");
}

#[test]
fn stdin_syntax_error_writes_the_original_and_exits_2() {
    let project = Project::new();
    let source = "import json\ndef f(:\n    return json\n";
    let output = project.run_stdin(&["-", "--target-version", "py315"], source);
    assert_code(&output, 2);
    assert_eq!(stdout(&output), source);
    snapshot("stdin_syntax_error", &project.render(&output));
}

#[test]
fn stdin_filename_finds_the_configuration() {
    let project = Project::new();
    project
        .file(
            "pkg/lazify.toml",
            "target-version = \"py315\"\nkeep = [\"json\"]\n",
        )
        .file(
            "other/pyproject.toml",
            "[project]\nrequires-python = \">=3.15\"\n",
        );
    let output = project.run_stdin(&["-", "--stdin-filename", "pkg/mod.py"], DEFERRABLE);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), DEFERRABLE);
    let output = project.run_stdin(&["-", "--stdin-filename", "other/mod.py"], DEFERRABLE);
    assert_code(&output, 0);
    assert!(
        stdout(&output).starts_with("lazy import json\n"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("other/mod.py:1:8: LZF001"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stdin_filename_resolves_relative_imports() {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "")
        .file("pkg/util.py", "X = 1\n");
    let source = "from . import util\n\n\ndef f():\n    return util.X\n";
    let output = project.run_stdin(
        &[
            "-",
            "--stdin-filename",
            "pkg/mod.py",
            "--style",
            "lazy-modules",
        ],
        source,
    );
    assert_code(&output, 0);
    // `from . import util` in `pkg.mod` imports from `pkg`.
    assert!(
        stdout(&output).starts_with("__lazy_modules__ = [\"pkg\"]\n"),
        "{}",
        stdout(&output)
    );
    // Without the file name the package is unknown, and the import is kept.
    let output = project.run_stdin(&["-", "--style", "lazy-modules"], source);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), source);
}

#[test]
fn stdin_force_exclude_passes_excluded_source_through() {
    let project = Project::new();
    project.file(
        "lazify.toml",
        "target-version = \"py315\"\nextend-exclude = [\"gen\"]\n",
    );
    let args = ["-", "--stdin-filename", "gen/x.py", "--force-exclude"];
    let output = project.run_stdin(&args, DEFERRABLE);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), DEFERRABLE);
}

#[test]
fn stdin_diff_and_check() {
    let project = Project::new();
    let output = project.run_stdin(&["-", "--diff", "--target-version", "py315"], DEFERRABLE);
    assert_code(&output, 1);
    assert!(
        stdout(&output).starts_with("--- a/-\n+++ b/-\n"),
        "{}",
        stdout(&output)
    );
    let output = project.run_stdin(&["-", "--check", "--target-version", "py315"], DEFERRABLE);
    assert_code(&output, 1);
    assert_eq!(stdout(&output), "");
    let output = project.run_stdin(&["-", "--check", "--target-version", "py315"], EAGER);
    assert_code(&output, 0);
}

#[test]
fn stdin_cannot_be_mixed_with_paths() {
    let project = Project::new();
    let output = project.run_stdin(&["-", "a.py"], DEFERRABLE);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("stdin"), "{}", stderr(&output));
}
