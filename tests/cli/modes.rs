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
