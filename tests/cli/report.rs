//! The default report, `--explain`, the output formats, `--quiet`, `--color` and `--version`.

use crate::common::{DEFERRABLE, EAGER, Project, assert_code, snapshot, stderr, stdout};

fn project() -> Project {
    let project = Project::new();
    project
        .file("app/main.py", DEFERRABLE)
        .file("app/eager.py", EAGER)
        .file("app/__init__.py", "");
    project
}

#[test]
fn report_lists_rewrites_and_exits_1() {
    let project = project();
    let output = project.run(&["--target-version", "py315"]);
    assert_code(&output, 1);
    snapshot("report_default", &project.render(&output));
    // The report never writes.
    assert_eq!(project.read_string("app/main.py"), DEFERRABLE);
}

#[test]
fn report_with_nothing_to_do_exits_0() {
    let project = Project::new();
    project.file("eager.py", EAGER);
    let output = project.run(&["--target-version", "py315"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "Nothing to rewrite (1 file checked)\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn report_without_target_version_explains_the_style() {
    let project = project();
    let output = project.run(&["app/main.py"]);
    assert_code(&output, 1);
    snapshot("report_style_note", &project.render(&output));
}

#[test]
fn explain_shows_every_verdict_with_its_proof() {
    let project = project();
    let output = project.run(&["--explain", "--target-version", "py315", "--color", "never"]);
    assert_code(&output, 1);
    let text = project.render(&output);
    assert!(text.contains("used-at-import-time"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when asked for none: {text}"
    );
    snapshot("explain", &text);
}

#[test]
fn color_always_colours_explanations() {
    let project = project();
    let output = project.run(&[
        "--explain",
        "--target-version",
        "py315",
        "--color",
        "always",
    ]);
    assert_code(&output, 1);
    assert!(stdout(&output).contains("\u{1b}["), "{}", stdout(&output));
    // Not a terminal: `auto` means no colour.
    let output = project.run(&["--explain", "--target-version", "py315"]);
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn json_output() {
    let project = project();
    let output = project.run(&["--output-format", "json", "--target-version", "py315"]);
    assert_code(&output, 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["errors"], serde_json::json!([]));
    let rows = value["findings"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["path"], "app/main.py");
    assert_eq!(rows[0]["code"], "LZF001");
    assert_eq!(rows[0]["decision"], "rewrite");
    assert_eq!(rows[0]["binding"], "json");
    assert_eq!(
        (rows[0]["line"].as_u64(), rows[0]["column"].as_u64()),
        (Some(1), Some(8))
    );
    snapshot("json", &project.render(&output));

    // With --explain, kept imports are listed too, with the span that proves the reason.
    let output = project.run(&[
        "--output-format",
        "json",
        "--explain",
        "--target-version",
        "py315",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let keep = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["decision"] == "keep")
        .unwrap();
    assert_eq!(keep["path"], "app/eager.py");
    assert_eq!(keep["reason"], "used-at-import-time");
    assert_eq!(keep["proof"]["line"], 3);
    // Kept imports carry a code too: the reason's, as `--explain` and the editor name it.
    assert_eq!(keep["code"], "keep::used-at-import-time");
}

#[test]
fn github_output() {
    let project = project();
    let output = project.run(&["--output-format", "github", "--target-version", "py315"]);
    assert_code(&output, 1);
    snapshot("github", &project.render(&output));
}

/// `-q` as ruff means it: the findings and nothing else (issue 17; it used to print nothing).
#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let project = project();
    for flag in ["--quiet", "-q"] {
        let output = project.run(&[flag, "--target-version", "py315"]);
        assert_code(&output, 1);
        assert_eq!(
            stdout(&output),
            "app/main.py:1:8: LZF001 Make `import json` lazy (used only in deferred code) [lazy]\n"
        );
        assert_eq!(stderr(&output), "");
    }
    // Nothing to report: nothing printed, not even the summary.
    let output = project.run(&["-q", "--target-version", "py315", "app/eager.py"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "");
    // Errors are still printed.
    let output = project.run(&["-q", "--target-version", "py315", "nope.py"]);
    assert_code(&output, 2);
    assert_eq!(
        stderr(&output),
        "error: nope.py: no such file or directory\n"
    );
}

/// `--silent` prints nothing at all; the exit code still tells.
#[test]
fn silent_prints_nothing_but_keeps_the_exit_code() {
    let project = project();
    let output = project.run(&["--silent", "--target-version", "py315"]);
    assert_code(&output, 1);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
    let output = project.run(&["--silent", "--target-version", "py315", "nope.py"]);
    assert_code(&output, 2);
    assert_eq!(
        (stdout(&output), stderr(&output)),
        (String::new(), String::new())
    );
    // `--write --silent` still writes.
    let output = project.run(&["--silent", "--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    assert!(
        project
            .read_string("app/main.py")
            .starts_with("lazy import json\n")
    );
    assert!(project.run(&["--quiet", "--silent"]).status.code() == Some(2));
}

#[test]
fn version() {
    let output = Project::new().run(&["--version"]);
    assert_code(&output, 0);
    assert_eq!(
        stdout(&output),
        format!("lazify {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let project = project();
    let output = project.run(&["--diff", "--write"]);
    assert_code(&output, 2);
    let output = project.run(&["--target-version", "python3"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("python3"), "{}", stderr(&output));
}

#[test]
fn missing_path_is_an_error_but_others_are_processed() {
    let project = project();
    let output = project.run(&["--target-version", "py315", "nope.py", "app"]);
    assert_code(&output, 2);
    snapshot("missing_path", &project.render(&output));
}
