//! `--diff`, `--check`, `--write`, and the flags that change verdicts: `--style`, `--target-version`,
//! `--keep`, `--include-preloaded`, `--no-lazy-reexports`, `--exclude`, `--config`.

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
fn diff_prints_a_patch_and_writes_nothing() {
    let project = project();
    let output = project.run(&["--diff", "--target-version", "py315"]);
    assert_code(&output, 1);
    snapshot("diff", &project.render(&output));
    assert_eq!(project.read_string("app/main.py"), DEFERRABLE);
    // Nothing to change: exit 0, empty patch.
    let output = project.run(&["--diff", "--target-version", "py315", "app/eager.py"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_prints_only_the_summary() {
    let project = project();
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 1);
    assert_eq!(
        stdout(&output),
        "1 import in 1 file would be rewritten (style lazy)\n"
    );
    assert_eq!(project.read_string("app/main.py"), DEFERRABLE);
    let output = project.run(&["--check", "--target-version", "py315", "app/eager.py"]);
    assert_code(&output, 0);
}

#[test]
fn write_applies_and_a_second_run_finds_nothing() {
    let project = project();
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    snapshot("write", &project.render(&output));
    assert_eq!(
        project.read_string("app/main.py"),
        DEFERRABLE.replacen("import json", "lazy import json", 1)
    );
    assert_eq!(project.read_string("app/eager.py"), EAGER);
    // Idempotent.
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 0);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "Nothing to rewrite (3 files checked)\n");
}

#[test]
fn style_lazy_modules() {
    let project = project();
    let output = project.run(&["--diff", "--style", "lazy-modules", "app/main.py"]);
    assert_code(&output, 1);
    snapshot("style_lazy_modules", &project.render(&output));
    let output = project.run(&[
        "--write",
        "--style",
        "lazy-modules",
        "--target-version",
        "py311",
    ]);
    assert_code(&output, 0);
    assert!(
        project
            .read_string("app/main.py")
            .starts_with("__lazy_modules__ = [\"json\"]\n")
    );
}

#[test]
fn style_lazy_needs_a_new_enough_target() {
    let project = project();
    let output = project.run(&["--style", "lazy", "--target-version", "3.12"]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("py315"), "{err}");
    // The same settings error is reported once, not once per file.
    assert_eq!(err.matches("needs target version").count(), 1, "{err}");
}

#[test]
fn keep_flag_keeps_modules_eager() {
    let project = project();
    for pattern in ["json", "js*", "json.*"] {
        let output = project.run(&["--check", "--target-version", "py315", "--keep", pattern]);
        assert_code(&output, 0);
    }
    let output = project.run(&[
        "--explain",
        "--target-version",
        "py315",
        "--keep",
        "json",
        "app/main.py",
    ]);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("keep::keep-list"),
        "{}",
        stdout(&output)
    );
    let output = project.run(&["--check", "--target-version", "py315", "--keep", "numpy"]);
    assert_code(&output, 1);
}

#[test]
fn include_preloaded() {
    let project = Project::new();
    project.file("m.py", "import os\n\n\ndef f():\n    return os.sep\n");
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 0);
    let output = project.run(&["--diff", "--target-version", "py315", "--include-preloaded"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+lazy import os"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn no_lazy_reexports() {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "from .core import helper\n")
        .file("pkg/core.py", "def helper():\n    pass\n");
    let output = project.run(&["--diff", "--target-version", "py315"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+lazy from .core import helper"),
        "{}",
        stdout(&output)
    );
    let output = project.run(&[
        "--check",
        "--target-version",
        "py315",
        "--no-lazy-reexports",
    ]);
    assert_code(&output, 0);
}

#[test]
fn exclude_flag_prunes_the_walk() {
    let project = project();
    project
        .file("gen/out.py", DEFERRABLE)
        .file("gen2/out.py", DEFERRABLE);
    let output = project.run(&[
        "--check",
        "--target-version",
        "py315",
        "--exclude",
        "app",
        "--exclude",
        "gen",
    ]);
    assert_code(&output, 1);
    assert_eq!(
        stdout(&output),
        "1 import in 1 file would be rewritten (style lazy)\n"
    );
    let output = project.run(&[
        "--target-version",
        "py315",
        "--exclude",
        "app",
        "--exclude",
        "gen*",
    ]);
    assert_code(&output, 0);
}

#[test]
fn config_flag_names_the_configuration() {
    let project = project();
    project
        .file(
            "conf/lazify-ci.toml",
            "target-version = \"py315\"\nkeep = [\"json\"]\n",
        )
        .file("app/lazify.toml", "target-version = \"py315\"\n");
    let output = project.run(&["--check"]);
    assert_code(&output, 1);
    let output = project.run(&["--check", "--config", "conf/lazify-ci.toml"]);
    assert_code(&output, 0);
    let output = project.run(&["--check", "--config", "conf/missing.toml"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("conf/missing.toml"),
        "{}",
        stderr(&output)
    );
}

/// Two functions each using one import, and a test that patches one of the names.
fn local_project() -> Project {
    let project = Project::new();
    project
        .file("app/__init__.py", "")
        .file(
            "app/main.py",
            "import json\nimport csv\n\n\ndef f():\n    return json.dumps(1)\n\n\ndef g():\n    return csv.reader\n",
        )
        .file(
            "tests/test_main.py",
            "from unittest import mock\n\n\ndef test_g():\n    with mock.patch(\"app.main.csv\"):\n        pass\n",
        );
    project
}

#[test]
fn style_local_uses_facts_from_the_whole_project() {
    let project = local_project();
    let output = project.run(&["--diff", "--style", "local", "app", "tests"]);
    assert_code(&output, 1);
    let out = stdout(&output);
    assert!(out.contains("+    import json\n"), "{out}");
    // `csv` is patched by name in another file, so it stays at module level.
    assert!(!out.contains("+    import csv"), "{out}");
    let output = project.run(&[
        "--explain",
        "--style",
        "local",
        "--color",
        "never",
        "app",
        "tests",
    ]);
    assert!(
        stdout(&output).contains("tests/test_main.py:5"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn project_facts_come_from_the_config_folder_when_one_file_is_named() {
    let project = local_project();
    project.file("pyproject.toml", "[tool.lazify]\nstyle = \"local\"\n");
    // As pre-commit calls it: only the changed file is named, the whole project is scanned.
    let output = project.run(&["--write", "--force-exclude", "app/main.py"]);
    assert_code(&output, 0);
    let main = project.read_string("app/main.py");
    assert!(main.starts_with("import csv\n"), "{main}");
    assert!(main.contains("def f():\n    import json\n"), "{main}");
    assert!(
        project
            .read_string("tests/test_main.py")
            .starts_with("from unittest import mock")
    );
}

#[test]
fn hoist_flag_and_config_key() {
    let project = Project::new();
    let source = "def f():\n    import json\n    return json.dumps(1)\n";
    project.file("h.py", source);
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 0);
    let output = project.run(&["--diff", "--target-version", "py315", "--hoist"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+lazy import json"),
        "{}",
        stdout(&output)
    );
    project.file("lazify.toml", "target-version = \"py315\"\nhoist = true\n");
    let output = project.run(&["--check"]);
    assert_code(&output, 1);
}

#[test]
fn type_checking_imports_flag() {
    let project = Project::new();
    project.file(
        "t.py",
        "from __future__ import annotations\n\nimport decimal\n\n\ndef f(x: decimal.Decimal) -> None:\n    return None\n\n\ndef g():\n    return decimal.Decimal(1)\n",
    );
    // Used in an annotation: kept unless asked to move it under `if TYPE_CHECKING:`.
    let output = project.run(&["--check", "--style", "local"]);
    assert_code(&output, 0);
    let output = project.run(&["--diff", "--style", "local", "--type-checking-imports"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+if TYPE_CHECKING:\n+    import decimal\n"),
        "{}",
        stdout(&output)
    );
}
