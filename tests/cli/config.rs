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

/// `style = "lazy"` with `requires-python >= 3.11`: one error, against the configuration file, with the key's
/// line and column, counted once in the summary however many files it covers (issue 17).
// See: issue 17
#[test]
fn style_lazy_with_an_older_requires_python_is_one_error_naming_the_key() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nrequires-python = \">=3.11\"\n\n[tool.lazify]\nstyle = \"lazy\"\n",
        )
        .file("a.py", DEFERRABLE)
        .file("b.py", DEFERRABLE);
    let output = project.run(&[]);
    assert_code(&output, 2);
    let err = project.render_text(&stderr(&output));
    assert_eq!(
        err,
        "error: [TMP]/pyproject.toml: invalid configuration: `style = \"lazy\"` at line 6, column 9 needs target \
         version py315 or newer, but the target is py311, from `requires-python = \">=3.11\"` in pyproject.toml; use \
         style `lazy-modules` (or `local`), or raise the target\n"
    );
    assert!(
        stdout(&output).ends_with("1 error; files with errors were left unchanged\n"),
        "{}",
        stdout(&output)
    );
    // Both on the command line: a usage error before anything is read.
    let output = project.run(&["--style", "lazy", "--target-version", "3.12", "a.py"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).starts_with("error: `--style lazy` needs target version py315 or newer, but `--target-version` is py312"),
        "{}",
        stderr(&output)
    );
    // A key error in `[tool.lazify]` has its line and column, as in a `lazify.toml`.
    project.file(
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.lazify]\nstyle = \"eager\"\n",
    );
    let output = project.run(&[]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains(
            "pyproject.toml: invalid configuration: TOML parse error at line 5, column 9"
        ),
        "{}",
        stderr(&output)
    );
}

/// A Poetry project's `python` constraint gives the target version (issue 17).
#[test]
fn poetry_python_constraint_gives_the_target() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[tool.poetry]\nname = \"demo\"\n\n[tool.poetry.dependencies]\npython = \"^3.15\"\n",
        )
        .file("a.py", DEFERRABLE);
    let output = project.run(&[]);
    assert_code(&output, 1);
    assert_eq!(
        stdout(&output),
        "a.py:1:8: LZF001 Make `import json` lazy (used only in deferred code) [lazy]\n\
         1 import in 1 file would be rewritten (style lazy)\n"
    );
    project.file(
        "pyproject.toml",
        "[tool.poetry]\nname = \"demo\"\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\n",
    );
    let output = project.run(&[]);
    assert!(
        stdout(&output).ends_with(
            "note: style `lazy-modules` because the target version py310 has no `lazy` keyword (a.py)\n"
        ),
        "{}",
        stdout(&output)
    );
}
