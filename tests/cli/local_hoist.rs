//! `--style local` and `--hoist` end to end (issue 3): the diff and the write, a clean second run, `--hoist`
//! refused with a style that cannot hold a `lazy` import, `--type-checking-imports`, and the facts the
//! command gathers from the rest of the project (a test's `mock.patch("pkg.mod.json")`, a
//! `patch.dict(sys.modules, ...)`, an import cycle), also when pre-commit or an editor names only one file.

use crate::common::{Project, assert_code, snapshot, stderr, stdout};

/// `pkg/mod.py`: `json` and `csv` used only in functions, `Decimal`/`localcontext` in different functions, a
/// method, a comment on an import line, and `sys` read at import time.
const MODULE: &str = r#""""Exports and imports."""

import sys
import json  # wire format
import csv
from decimal import Decimal, localcontext

ARGS = sys.argv


def dump(value):
    """Serialise."""
    return json.dumps(value)


def rows(handle):
    return list(csv.reader(handle)), json


def money(text):
    return Decimal(text)


def rounded(value):
    with localcontext() as ctx:
        ctx.prec = 2
        return +value


class Store:
    def save(self, value):
        return json.dumps(value)
"#;

/// What `--style local` makes of [`MODULE`].
const MODULE_LOCAL: &str = r#""""Exports and imports."""

import sys

ARGS = sys.argv


def dump(value):
    """Serialise."""
    import json  # wire format
    return json.dumps(value)


def rows(handle):
    import json  # wire format
    import csv
    return list(csv.reader(handle)), json


def money(text):
    from decimal import Decimal
    return Decimal(text)


def rounded(value):
    from decimal import localcontext
    with localcontext() as ctx:
        ctx.prec = 2
        return +value


class Store:
    def save(self, value):
        import json  # wire format
        return json.dumps(value)
"#;

/// A test in the project that patches `pkg.mod.json` by name.
const TEST_PATCHING_JSON: &str = r#"from unittest import mock

from pkg import mod


def test_dump():
    with mock.patch("pkg.mod.json") as fake:
        mod.dump(1)
    fake.dumps.assert_called_once_with(1)
"#;

/// `json` and `csv`, each used only in one function.
const TWO_FUNCTIONS: &str = "import json\nimport csv\n\n\ndef dump(value):\n    return json.dumps(value)\n\n\ndef rows(handle):\n    return list(csv.reader(handle))\n";

fn local_project() -> Project {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "")
        .file("pkg/mod.py", MODULE);
    project
}

#[test]
fn style_local_diff() {
    let project = local_project();
    let output = project.run(&["--diff", "--style", "local", "pkg/mod.py"]);
    assert_code(&output, 1);
    snapshot("local_hoist_style_local_diff", &project.render(&output));
    assert_eq!(project.read_string("pkg/mod.py"), MODULE, "--diff wrote");
}

#[test]
fn style_local_write_then_nothing_to_do() {
    let project = local_project();
    let output = project.run(&["--write", "--style", "local"]);
    assert_code(&output, 0);
    assert_eq!(project.read_string("pkg/mod.py"), MODULE_LOCAL);
    assert!(
        stdout(&output).contains("4 imports in 1 file rewritten"),
        "{}",
        stdout(&output)
    );
    // A second run finds nothing: the report, `--check` and `--diff` all say so.
    let output = project.run(&["--style", "local"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "Nothing to rewrite (2 files checked)\n");
    let output = project.run(&["--check", "--style", "local"]);
    assert_code(&output, 0);
    let output = project.run(&["--diff", "--style", "local"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "");
    assert_eq!(project.read_string("pkg/mod.py"), MODULE_LOCAL);
}

#[test]
fn style_local_report_says_where_imports_move() {
    let project = local_project();
    let output = project.run(&["--style", "local", "pkg/mod.py"]);
    assert_code(&output, 1);
    let out = stdout(&output);
    assert!(
        out.contains("pkg/mod.py:4:8: LZF001 Move `import json` into the functions that use it"),
        "{out}"
    );
    // `sys` is read at import time: no line for it.
    assert!(!out.contains("import sys"), "{out}");
    assert!(
        out.ends_with("4 imports in 1 file would be rewritten (style local)\n"),
        "{out}"
    );
}

/// Hoisting: two functions import `csv`, one imports `Decimal` under an alias, one has nothing else in its body.
const HOIST_MODULE: &str = r#""""Local imports."""

import json

__all__ = ["dump", "rows", "parse_rows", "money"]


def dump(value):
    return json.dumps(value)


def rows(handle):
    import csv
    return list(csv.reader(handle))


def parse_rows(text):
    import csv
    return list(csv.reader(text.splitlines()))


def money(text):
    from decimal import Decimal as D  # exact
    return D(text)


def optional():
    try:
        import tomllib
    except ImportError:
        tomllib = None
    return tomllib
"#;

#[test]
fn hoist_diff() {
    let project = Project::new();
    project.file("hoisting.py", HOIST_MODULE);
    let output = project.run(&["--diff", "--target-version", "py315", "--hoist"]);
    assert_code(&output, 1);
    snapshot("local_hoist_hoist_diff", &project.render(&output));
    assert_eq!(project.read_string("hoisting.py"), HOIST_MODULE);
    let out = stdout(&output);
    // One module-level import per distinct import, the optional dependency check left alone.
    assert_eq!(out.matches("+lazy import csv\n").count(), 1, "{out}");
    assert!(
        out.contains("+lazy from decimal import Decimal as D  # exact\n"),
        "{out}"
    );
    assert!(!out.contains("-        import tomllib"), "{out}");

    // Written, then a second run has nothing to do.
    let output = project.run(&["--write", "--target-version", "py315", "--hoist"]);
    assert_code(&output, 0);
    let written = project.read_string("hoisting.py");
    assert!(
        written.starts_with(
            "\"\"\"Local imports.\"\"\"\n\nlazy import json\nlazy import csv\nlazy from decimal import Decimal as D  # exact\n"
        ),
        "{written}"
    );
    let output = project.run(&["--check", "--target-version", "py315", "--hoist"]);
    assert_code(&output, 0);
}

#[test]
fn hoist_explains_its_refusals() {
    let project = Project::new();
    project.file("hoisting.py", HOIST_MODULE);
    let output = project.run(&[
        "--explain",
        "--color",
        "never",
        "--target-version",
        "py315",
        "--hoist",
    ]);
    assert_code(&output, 1);
    let out = stdout(&output);
    assert!(out.contains("keep::nested-in-function"), "{out}");
}

#[test]
fn hoist_refused_with_a_style_other_than_lazy() {
    let project = Project::new();
    project.file("h.py", "def f():\n    import csv\n    return csv\n");
    for args in [
        &["--style", "lazy-modules", "--hoist"][..],
        &["--style", "local", "--hoist"][..],
        // No style given: a py311 target picks `lazy-modules`.
        &["--target-version", "py311", "--hoist"][..],
    ] {
        let output = project.run(args);
        assert_code(&output, 2);
        let err = stderr(&output);
        assert!(
            err.contains("`--hoist` makes module-level `lazy` imports, so it needs style `lazy`"),
            "{args:?}: {err}"
        );
    }
    let output = project.run(&["--write", "--style", "lazy-modules", "--hoist"]);
    assert_code(&output, 2);
    snapshot(
        "local_hoist_hoist_refused_lazy_modules",
        &project.render(&output),
    );
    assert_eq!(
        project.read_string("h.py"),
        "def f():\n    import csv\n    return csv\n"
    );
}

/// `pkg/mod.py` plus a test elsewhere in the project that patches `pkg.mod.json`.
fn patched_project() -> Project {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "")
        .file("pkg/mod.py", TWO_FUNCTIONS)
        .file("tests/test_mod.py", TEST_PATCHING_JSON);
    project
}

#[test]
fn project_scan_keeps_a_name_patched_elsewhere() {
    let project = patched_project();
    let output = project.run(&["--diff", "--style", "local", "pkg/mod.py", "tests"]);
    assert_code(&output, 1);
    snapshot("local_hoist_project_scan_diff", &project.render(&output));
    let output = project.run(&[
        "--explain",
        "--color",
        "never",
        "--style",
        "local",
        "pkg/mod.py",
        "tests",
    ]);
    let out = stdout(&output);
    assert!(out.contains("keep::used-by-other-module"), "{out}");
    assert!(
        out.contains("`pkg.mod.json` is used at tests/test_mod.py:7"),
        "{out}"
    );
}

#[test]
fn project_scan_with_only_the_module_named_uses_the_config_folder() {
    let project = patched_project();
    project.file("pyproject.toml", "[tool.lazify]\nstyle = \"local\"\n");
    // As pre-commit calls it: only the changed file, with `--force-exclude`.
    let output = project.run(&["--diff", "--force-exclude", "pkg/mod.py"]);
    assert_code(&output, 1);
    let out = stdout(&output);
    assert!(out.contains("+    import csv\n"), "{out}");
    assert!(!out.contains("-import json"), "{out}");
    assert!(!out.contains("+    import json"), "{out}");
    let output = project.run(&["--write", "--force-exclude", "pkg/mod.py"]);
    assert_code(&output, 0);
    let written = project.read_string("pkg/mod.py");
    assert!(
        written.starts_with("import json\n\n\ndef dump"),
        "{written}"
    );
    assert_eq!(
        project.read_string("tests/test_mod.py"),
        TEST_PATCHING_JSON,
        "a file that was not named was written"
    );
    // The editor's path: source on stdin, named by `--stdin-filename`, same verdict.
    let output = project.run_stdin(
        &["--style", "local", "--stdin-filename", "pkg/mod.py", "-"],
        TWO_FUNCTIONS,
    );
    assert_code(&output, 0);
    let out = stdout(&output);
    assert!(out.starts_with("import json\n\n\ndef dump"), "{out}");
    assert!(out.contains("def rows(handle):\n    import csv\n"), "{out}");
}

#[test]
fn project_scan_without_config_covers_the_common_root_of_the_paths() {
    // No configuration file: the project is the common folder of the paths. Naming only `pkg/mod.py` leaves the
    // test outside it, so `json` moves; naming both files brings the test in, and `json` stays.
    let project = patched_project();
    let output = project.run(&["--diff", "--style", "local", "pkg/mod.py"]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains("+    import json\n"),
        "{}",
        stdout(&output)
    );
    let output = project.run(&[
        "--diff",
        "--style",
        "local",
        "pkg/mod.py",
        "tests/test_mod.py",
    ]);
    assert_code(&output, 1);
    assert!(
        !stdout(&output).contains("+    import json\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn hoist_uses_project_facts() {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "")
        .file(
            "pkg/mod.py",
            "__all__ = [\"rows\", \"helper\"]\n\n\ndef rows(handle):\n    import csv\n    return list(csv.reader(handle))\n\n\ndef helper():\n    import pkg.other\n    return pkg.other.VALUE\n",
        )
        .file("pkg/other.py", "import pkg.mod\n\nVALUE = 1\n")
        .file(
            "tests/test_mod.py",
            "import sys\nfrom unittest import mock\n\n\ndef test_rows():\n    with mock.patch.dict(sys.modules, {\"csv\": mock.Mock()}):\n        pass\n",
        )
        .file("pyproject.toml", "[tool.lazify]\ntarget-version = \"py315\"\nhoist = true\n");
    let output = project.run(&["--explain", "--color", "never", "pkg/mod.py"]);
    let out = stdout(&output);
    assert!(out.contains("keep::sys-modules-patched"), "{out}");
    assert!(out.contains("tests/test_mod.py:6"), "{out}");
    assert!(out.contains("keep::import-cycle"), "{out}");
    assert!(
        out.contains("`pkg.other` imports `pkg.mod` at module level"),
        "{out}"
    );
    let output = project.run(&["--check", "pkg/mod.py"]);
    assert_code(&output, 0);
}

#[test]
fn type_checking_imports() {
    let project = Project::new();
    let source = "from __future__ import annotations\n\nimport json\n\n\ndef dump(value, encoder: json.JSONEncoder | None = None) -> str:\n    return json.dumps(value, cls=encoder)\n";
    project.file("t.py", source);
    // By default a name used in an annotation stays at module level.
    let output = project.run(&[
        "--explain",
        "--color",
        "never",
        "--style",
        "local",
        "--target-version",
        "py311",
    ]);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("keep::used-in-annotation"),
        "{}",
        stdout(&output)
    );
    let output = project.run(&[
        "--diff",
        "--style",
        "local",
        "--target-version",
        "py311",
        "--type-checking-imports",
    ]);
    assert_code(&output, 1);
    snapshot(
        "local_hoist_type_checking_imports_diff",
        &project.render(&output),
    );
    // Without `from __future__ import annotations`, 3.11 evaluates annotations when `def` runs: nothing moves.
    project.file(
        "t.py",
        source.replacen("from __future__ import annotations\n\n", "", 1),
    );
    let output = project.run(&[
        "--check",
        "--style",
        "local",
        "--target-version",
        "py311",
        "--type-checking-imports",
    ]);
    assert_code(&output, 0);
}

#[test]
fn style_local_leaves_no_blank_line_at_the_top() {
    let project = Project::new();
    project.file(
        "m.py",
        "import json\n\nimport csv\n\n\ndef f():\n    return json, csv\n",
    );
    let output = project.run(&["--write", "--style", "local", "m.py"]);
    assert_code(&output, 0);
    assert_eq!(
        project.read_string("m.py"),
        "def f():\n    import json\n    import csv\n    return json, csv\n"
    );
}

#[test]
fn hoist_keeps_a_same_name_submodule_import_in_a_package_init() {
    let project = Project::new();
    let init = "def run():\n    from .core import core\n    return core()\n";
    project
        .file("pkg/__init__.py", init)
        .file("pkg/core.py", "def core():\n    return 1\n");
    let output = project.run(&["--write", "--target-version", "py315", "--hoist", "pkg"]);
    assert_code(&output, 0);
    assert_eq!(project.read_string("pkg/__init__.py"), init);
}

#[test]
fn hoist_keeps_an_import_read_through_locals() {
    let project = Project::new();
    let source = "def reader_module():\n    import csv\n    return locals()[\"csv\"]\n";
    project.file("m.py", source);
    let output = project.run(&["--write", "--target-version", "py315", "--hoist", "m.py"]);
    assert_code(&output, 0);
    assert_eq!(project.read_string("m.py"), source);
}

#[test]
fn style_local_keeps_an_import_out_of_a_function_reading_locals() {
    let project = Project::new();
    let source = "import json\n\n\ndef report(a):\n    text = json.dumps(a)\n    return locals()\n";
    project.file("m.py", source);
    let output = project.run(&["--write", "--style", "local", "m.py"]);
    assert_code(&output, 0);
    assert_eq!(project.read_string("m.py"), source);
}
