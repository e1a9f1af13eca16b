//! Configuration discovery: `[tool.lazify]` in `pyproject.toml`, `lazify.toml`, `requires-python`.

use crate::common::{DEFERRABLE, Project, assert_code, snapshot, stderr, stdout};

#[test]
fn pyproject_tool_lazify() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[project]\nname = \"demo\"\n\n[tool.lazify]\ntarget-version = \"py315\"\nkeep = [\"json\"]\n",
        )
        .file("src/demo/__init__.py", "")
        .file("src/demo/a.py", DEFERRABLE)
        .file("src/demo/b.py", "import csv\n\n\ndef g():\n    return csv.reader\n");
    let output = project.run(&[]);
    assert_code(&output, 1);
    snapshot("config_pyproject", &project.render(&output));
}

#[test]
fn lazify_toml_wins_over_pyproject_in_the_same_directory() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[tool.lazify]\nstyle = \"lazy\"\ntarget-version = \"py315\"\n",
        )
        .file("lazify.toml", "style = \"lazy-modules\"\n")
        .file("a.py", DEFERRABLE);
    let output = project.run(&["--diff"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+__lazy_modules__ = [\"json\"]"),
        "{}",
        stdout(&output)
    );
    // Flags win over the file.
    let output = project.run(&["--diff", "--style", "lazy", "--target-version", "py315"]);
    assert!(
        stdout(&output).contains("+lazy import json"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn requires_python_picks_the_style() {
    let project = Project::new();
    project
        .file(
            "new/pyproject.toml",
            "[project]\nrequires-python = \">=3.15\"\n",
        )
        .file("new/a.py", DEFERRABLE)
        .file(
            "old/pyproject.toml",
            "[project]\nrequires-python = \">=3.9, <4\"\n",
        )
        .file("old/a.py", DEFERRABLE);
    let output = project.run(&["--diff"]);
    assert_code(&output, 1);
    snapshot("config_requires_python", &project.render(&output));
    let out = stdout(&output);
    assert!(
        out.contains("+++ b/new/a.py\n@@ -1,4 +1,4 @@\n-import json\n+lazy import json"),
        "{out}"
    );
    assert!(
        out.contains("+++ b/old/a.py\n@@ -1,3 +1,5 @@\n+__lazy_modules__ = [\"json\"]"),
        "{out}"
    );
}

#[test]
fn nested_configuration_applies_to_its_subtree() {
    let project = Project::new();
    project
        .file("lazify.toml", "target-version = \"py315\"\n")
        .file("a.py", DEFERRABLE)
        .file(
            "vendored/lazify.toml",
            "target-version = \"py315\"\nkeep = [\"json\"]\n",
        )
        .file("vendored/b.py", DEFERRABLE);
    let output = project.run(&["--check"]);
    assert_code(&output, 1);
    assert_eq!(
        stdout(&output),
        "1 import in 1 file would be rewritten (style lazy)\n"
    );
}

#[test]
fn config_exclude_and_extend_exclude() {
    let project = Project::new();
    project
        .file(
            "lazify.toml",
            "target-version = \"py315\"\nextend-exclude = [\"generated\"]\n",
        )
        .file("generated/a.py", DEFERRABLE)
        .file("venv/b.py", DEFERRABLE);
    let output = project.run(&["--check"]);
    assert_code(&output, 0);
    // `exclude` replaces the defaults, so `venv` is walked now.
    project.file(
        "lazify.toml",
        "target-version = \"py315\"\nexclude = [\"generated\"]\n",
    );
    let output = project.run(&["--check"]);
    assert_code(&output, 1);
}

#[test]
fn invalid_configuration_is_reported_with_its_path() {
    let project = Project::new();
    project
        .file(
            "bad/pyproject.toml",
            "[tool.lazify]\ntarget-versoin = \"py315\"\n",
        )
        .file("bad/a.py", DEFERRABLE)
        .file("good/lazify.toml", "target-version = \"py315\"\n")
        .file("good/b.py", DEFERRABLE);
    let output = project.run(&["--check"]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("bad/pyproject.toml: invalid configuration"),
        "{err}"
    );
    assert!(err.contains("target-versoin"), "{err}");
    // Reported once; the good subtree is still checked.
    assert_eq!(err.matches("invalid configuration").count(), 1, "{err}");
    assert_eq!(
        stdout(&output),
        "1 import in 1 file would be rewritten (style lazy)\n1 error; files with errors were left unchanged\n"
    );
}
