//! The habits of ruff users (issue 17): subcommands, `--fix`, `--diff` colours and the order of its output,
//! the `--explain` filters, `--statistics`, and the versioned JSON output.
// See: issue 17

use std::fs::File;

use crate::common::{DEFERRABLE, EAGER, Project, assert_code, snapshot, stderr, stdout};

fn project() -> Project {
    let project = Project::new();
    project
        .file("app/main.py", DEFERRABLE)
        .file("app/eager.py", EAGER)
        .file("app/__init__.py", "")
        .file(
            "app/mixed.py",
            "import csv\nimport json\nfrom os import path\n\nX = json.dumps(1)\n\n\ndef f():\n    return csv.reader, path\n",
        );
    project
}

#[test]
fn check_is_the_default_subcommand() {
    let project = project();
    let plain = project.run(&["--target-version", "py315", "app"]);
    let check = project.run(&["check", "--target-version", "py315", "app"]);
    assert_code(&plain, 1);
    assert_code(&check, 1);
    assert_eq!(stdout(&plain), stdout(&check));
    assert!(
        stdout(&check).contains("app/main.py:1:8: LZF001"),
        "{}",
        stdout(&check)
    );
    // Today's spellings keep working, with or without the subcommand.
    let diff = project.run(&["check", "--diff", "--target-version", "py315"]);
    assert_code(&diff, 1);
    assert!(
        stdout(&diff).contains("+lazy import json"),
        "{}",
        stdout(&diff)
    );
    // A directory named like a subcommand is reached with `./`.
    project.file("server/x.py", DEFERRABLE);
    let output = project.run(&["--target-version", "py315", "./server"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("server/x.py:1:8"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn subcommand_help_and_unknown_arguments() {
    let project = Project::new();
    // `lazify server --help` prints help; it does not start the server (which would wait on stdin).
    let output = project
        .command()
        .args(["server", "--help"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("Usage: lazify server"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("language server"),
        "{}",
        stdout(&output)
    );
    let output = project.run(&["check", "--help"]);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("Usage: lazify check [OPTIONS] [PATHS]..."),
        "{}",
        stdout(&output)
    );
    let output = project.run(&["--help"]);
    for command in ["check", "server", "measure"] {
        assert!(
            stdout(&output).contains(&format!("  {command} ")),
            "{}",
            stdout(&output)
        );
    }
    // Unknown arguments are errors (exit 2), for every subcommand.
    for args in [
        &["--bogus"][..],
        &["check", "--bogus"],
        &["server", "--bogus"],
        &["server", "extra"],
        &["measure", "--module", "m", "--bogus"],
    ] {
        let output = project
            .command()
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("error: unexpected argument"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // After an option, a subcommand's name is a path, as any other word.
    let output = project.run(&["--diff", "check"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).starts_with("error: check: no such file or directory\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fix_is_write() {
    let project = project();
    let output = project.run(&["--fix", "--target-version", "py315", "app/main.py"]);
    assert_code(&output, 0);
    assert_eq!(
        stdout(&output),
        "1 import in 1 file rewritten (style lazy)\n"
    );
    assert!(
        project
            .read_string("app/main.py")
            .starts_with("lazy import json\n")
    );
    let output = project.run(&["--fix", "--diff"]);
    assert_code(&output, 2);
}

/// The diff on stdout, the summary on stderr after it: both into one file, in the order written.
#[test]
fn diff_summary_comes_after_the_patch() {
    let project = project();
    let log = project.path("out.log");
    let file = File::create(&log).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lazify"))
        .current_dir(project.root())
        .env("VIRTUAL_ENV", project.path(".no-target-environment"))
        .env_remove("NO_COLOR")
        .args(["--diff", "--target-version", "py315", "app/main.py"])
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .output()
        .unwrap();
    assert_code(&output, 1);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.ends_with("\n def f():\n1 import in 1 file would be rewritten (style lazy)\n"),
        "{text}"
    );
    assert!(text.starts_with("--- a/app/main.py\n"), "{text}");
}

#[test]
fn diff_is_coloured_when_asked() {
    let project = project();
    let output = project.run(&[
        "--diff",
        "--color",
        "always",
        "--target-version",
        "py315",
        "app/main.py",
    ]);
    assert_code(&output, 1);
    let out = stdout(&output);
    assert!(out.contains("\u{1b}[31m-import json\u{1b}[0m\n"), "{out:?}");
    assert!(
        out.contains("\u{1b}[32m+lazy import json\u{1b}[0m\n"),
        "{out:?}"
    );
    assert!(
        out.contains("\u{1b}[1m--- a/app/main.py\u{1b}[0m\n"),
        "{out:?}"
    );
    // Not a terminal: no colour, a patch that applies.
    let output = project.run(&["--diff", "--target-version", "py315", "app/main.py"]);
    assert!(!stdout(&output).contains('\u{1b}'));
    let output = project.run(&[
        "--diff",
        "--color",
        "never",
        "--target-version",
        "py315",
        "app/main.py",
    ]);
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn explain_filters() {
    let project = project();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--explain",
            "--output-format",
            "json",
            "--target-version",
            "py315",
            "app",
        ];
        args.extend_from_slice(extra);
        let output = project.run(&args);
        assert_code(&output, 1);
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut rows: Vec<String> = value["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}",
                    v["path"].as_str().unwrap(),
                    v["module"].as_str().unwrap(),
                    v["reason"].as_str().unwrap()
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let all = run(&[]);
    assert_eq!(
        all,
        [
            "app/eager.py json used-at-import-time",
            "app/main.py json used-only-deferred",
            "app/mixed.py csv used-only-deferred",
            "app/mixed.py json used-at-import-time",
            "app/mixed.py os preloaded",
        ]
    );
    assert_eq!(
        run(&["--only", "keep"]),
        [
            "app/eager.py json used-at-import-time",
            "app/mixed.py json used-at-import-time",
            "app/mixed.py os preloaded",
        ]
    );
    assert_eq!(
        run(&["--only", "rewrite"]),
        [
            "app/main.py json used-only-deferred",
            "app/mixed.py csv used-only-deferred"
        ]
    );
    assert_eq!(
        run(&["--reason", "preloaded"]),
        ["app/mixed.py os preloaded"]
    );
    assert_eq!(
        run(&["--module", "csv", "--module", "os"]),
        [
            "app/mixed.py csv used-only-deferred",
            "app/mixed.py os preloaded"
        ]
    );
    assert_eq!(
        run(&["--module", "json", "--only", "rewrite"]),
        ["app/main.py json used-only-deferred"]
    );

    // In text, the filters narrow the diagnostics too.
    let output = project.run(&[
        "--explain",
        "--color",
        "never",
        "--target-version",
        "py315",
        "--reason",
        "preloaded",
        "app",
    ]);
    let text = stdout(&output);
    assert!(text.contains("keep::preloaded"), "{text}");
    assert!(
        !text.contains("used-at-import-time") && !text.contains("LZF001"),
        "{text}"
    );

    // A reason that does not exist is an error listing the known ones.
    let output = project.run(&["--explain", "--reason", "used-at-import"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains(
            "unknown reason `used-at-import`: expected one of used-only-deferred, re-export"
        ),
        "{}",
        stderr(&output)
    );
    // Filters never change what is written.
    let output = project.run(&[
        "--write",
        "--only",
        "keep",
        "--target-version",
        "py315",
        "app/main.py",
    ]);
    assert_code(&output, 0);
    assert!(
        project
            .read_string("app/main.py")
            .starts_with("lazy import json\n")
    );
}

#[test]
fn statistics_count_per_code_and_reason() {
    let project = project();
    let output = project.run(&["--statistics", "--target-version", "py315", "app"]);
    assert_code(&output, 1);
    snapshot("statistics", &project.render(&output));
    let output = project.run(&[
        "--statistics",
        "--only",
        "keep",
        "-q",
        "--target-version",
        "py315",
        "app",
    ]);
    assert_eq!(
        stdout(&output),
        "2  keep::used-at-import-time  keep: the name is used while the module is imported, so deferring gains nothing\n\
         1  keep::preloaded            keep: the interpreter loads this module at start-up anyway\n"
    );
    let output = project.run(&[
        "--statistics",
        "--output-format",
        "json",
        "--target-version",
        "py315",
        "app",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["findings"], serde_json::json!([]));
    assert_eq!(
        value["statistics"][0],
        serde_json::json!({"count": 2, "code": "LZF001", "decision": "rewrite", "reason": "used-only-deferred"})
    );
    assert_eq!(value["statistics"].as_array().unwrap().len(), 3);
}

/// The JSON schema the README documents: a versioned object with the findings and the errors.
#[test]
fn json_is_a_versioned_object_with_errors() {
    let project = project();
    project.file("app/broken.py", "import json\ndef f(:\n");
    let output = project.run(&[
        "--explain",
        "--output-format",
        "json",
        "--target-version",
        "py315",
        "app",
        "nope.py",
    ]);
    assert_code(&output, 2);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // The fields in this order (serde_json's map sorts them, so the text is read).
    assert!(
        stdout(&output).starts_with("{\n  \"version\": 1,\n  \"findings\": ["),
        "{}",
        stdout(&output)
    );
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["errors", "findings", "version"]);
    assert_eq!(value["version"], 1);
    let finding = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "app/main.py")
        .unwrap();
    let mut keys: Vec<&str> = finding
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "decision",
        "style",
        "reason",
        "proof",
        "module",
        "resolved_module",
        "member",
        "binding",
        "message",
        "fix",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    for finding in value["findings"].as_array().unwrap() {
        assert!(finding["code"].is_string(), "{finding}");
    }
    let errors = value["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let syntax = errors
        .iter()
        .find(|e| e["path"] == "app/broken.py")
        .unwrap();
    assert_eq!(syntax["code"], "lazify::syntax_error");
    assert_eq!(
        (syntax["line"].as_u64(), syntax["column"].as_u64()),
        (Some(2), Some(7))
    );
    let missing = errors.iter().find(|e| e["path"] == "nope.py").unwrap();
    assert_eq!(missing["code"], "lazify::not_found");
    assert_eq!(missing["line"], serde_json::Value::Null);
    // The errors are on stderr as well.
    assert!(stderr(&output).contains("nope.py: no such file or directory"));

    // stdin mode: the same object, on stderr (stdout carries the source).
    let output = project.run_stdin(
        &["-", "--output-format", "json", "--target-version", "py315"],
        DEFERRABLE,
    );
    assert_code(&output, 0);
    let value: serde_json::Value = serde_json::from_str(&stderr(&output)).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["findings"][0]["code"], "LZF001");
}

#[test]
fn diff_refuses_other_output_formats() {
    let project = project();
    for format in ["json", "github"] {
        let output = project.run(&["--diff", "--output-format", format]);
        assert_code(&output, 2);
        assert_eq!(stdout(&output), "");
        assert_eq!(
            stderr(&output),
            format!(
                "error: `--diff` prints a patch and cannot be combined with `--output-format {format}`; drop `--diff` to get the findings in that format\n"
            )
        );
    }
}
