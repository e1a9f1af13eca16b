//! Runtime proof for the two rewrites that change where an import statement lives: style `local` (module level →
//! the functions that use it; run under the system Python 3.11 and under 3.15) and `--hoist` (function level →
//! one module-level `lazy import`; 3.15 only). Each scenario is a generated mini-project whose modules print when
//! they load; it runs before and after the rewrite, and the program's output must be identical while the moved
//! module must be absent from `sys.modules` after `import app` until the function that needs it runs.

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: a failed step should fail the test loudly"
)]

mod support;

use std::path::Path;

use lazify_core::{PythonVersion, Settings, SourceFile, Style};
use support::Python;

const PRELUDE: &str = "import sys\n\n\ndef check(label, *modules):\n    print(\"CHECK\", label, \" \".join(f\"{m}={int(m in sys.modules)}\" for m in modules))\n\n\n";

const HEAVY: &str =
    "print(\"loading heavy\")\n\n\ndef value():\n    return 42\n\n\nclass Thing:\n    size = 7\n";

const DRIVER: &str = "import app\n\ncheck(\"imported\", \"heavy\")\nprint(\"result\", app.main())\ncheck(\"used\", \"heavy\")\n";

struct Scenario {
    app: &'static str,
    /// Text the rewritten `app.py` must contain (proof that the rewrite happened as intended).
    expect: &'static [&'static str],
}

fn settings(style: Style, hoist: bool) -> Settings {
    Settings {
        style: Some(style),
        target_version: Some(if hoist {
            PythonVersion::PY315
        } else {
            PythonVersion::new(3, 11)
        }),
        hoist,
        ..Settings::default()
    }
}

fn write(dir: &Path, app: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in [
        ("app.py", app.to_string()),
        ("heavy.py", HEAVY.to_string()),
        ("driver.py", format!("{PRELUDE}{DRIVER}")),
    ] {
        std::fs::File::create(dir.join(name))
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .unwrap();
    }
}

fn run(python: &Python, dir: &Path, label: &str) -> String {
    let out = python
        .command()
        .arg("driver.py")
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{label}: failed\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn program_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("CHECK ") && !l.starts_with("loading "))
        .collect()
}

fn check(name: &str, scenario: &Scenario, style: Style, hoist: bool, pythons: &[Python]) {
    check_with(name, scenario, &settings(style, hoist), pythons);
}

fn check_with(name: &str, scenario: &Scenario, settings: &Settings, pythons: &[Python]) {
    let outcome = lazify_core::run(
        scenario.app,
        &SourceFile::new("app.py").with_module_name("app"),
        settings,
    );
    assert!(outcome.error.is_none(), "{name}: {:?}", outcome.error);
    let rewritten = outcome
        .fixed
        .unwrap_or_else(|| panic!("{name}: nothing was rewritten: {:#?}", outcome.verdicts));
    for expected in scenario.expect {
        assert!(
            rewritten.contains(expected),
            "{name}: expected `{expected}` in\n{rewritten}"
        );
    }
    for python in pythons {
        let label = format!("{name} on {}.{}", python.version.0, python.version.1);
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("before"), scenario.app);
        write(&tmp.path().join("after"), &rewritten);
        let before = run(python, &tmp.path().join("before"), &label);
        let after = run(python, &tmp.path().join("after"), &label);
        assert_eq!(
            program_lines(&before),
            program_lines(&after),
            "{label}: output changed\n--- rewritten ---\n{rewritten}"
        );
        assert!(
            before.contains("CHECK imported heavy=1"),
            "{label}: the original must load heavy at import\n{before}"
        );
        assert!(
            after.contains("CHECK imported heavy=0"),
            "{label}: heavy loaded before first use\n{after}\n--- rewritten ---\n{rewritten}"
        );
        assert!(
            after.contains("CHECK used heavy=1"),
            "{label}: heavy not loaded after use\n{after}"
        );
    }
}

fn pythons_for_local() -> Vec<Python> {
    let mut out = Vec::new();
    match support::python_pre315() {
        Some(p) => out.push(p),
        None => support::missing_tool("an older Python (python3)", "Install Python 3.11."),
    }
    match support::python315() {
        Some(p) => out.push(p),
        None => support::missing_tool(
            "Python 3.15",
            "Set LAZIFY_PYTHON315 or put python3.15 on PATH.",
        ),
    }
    out
}

fn python315_only() -> Vec<Python> {
    let found = support::python315();
    if found.is_none() {
        support::missing_tool(
            "Python 3.15",
            "Set LAZIFY_PYTHON315 or put python3.15 on PATH.",
        );
    }
    found.into_iter().collect()
}

/// The original program loads `heavy` at import only because `app` imports it; these `app`s must therefore
/// import `heavy` at module level before the rewrite.
#[test]
fn local_plain_import_in_functions_and_methods() {
    let scenario = Scenario {
        app: "\"\"\"App.\"\"\"\n\nimport heavy  # the expensive one\nimport os\n\nBASE = os.sep\n\n\ndef helper():\n    return heavy.value()\n\n\nclass Box:\n    def size(self):\n        return heavy.Thing.size\n\n\ndef main():\n    return helper() + Box().size()\n",
        expect: &[
            "def helper():\n    import heavy  # the expensive one\n",
            "    def size(self):\n        import heavy  # the expensive one\n",
        ],
    };
    check(
        "local-plain",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

#[test]
fn local_from_import_split_by_function() {
    let scenario = Scenario {
        app: "from heavy import Thing, value\n\n\ndef first():\n    return value()\n\n\ndef second():\n    return Thing.size\n\n\ndef main(): return first() + second()\n",
        expect: &[
            "def first():\n    from heavy import value\n",
            "def second():\n    from heavy import Thing\n",
        ],
    };
    check(
        "local-from",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

#[test]
fn local_one_line_def_and_lambda_in_function() {
    let scenario = Scenario {
        app: "import heavy as h\n\n\ndef main(): return (lambda: h.value())()\n",
        expect: &["def main():\n    import heavy as h\n    return (lambda: h.value())()"],
    };
    check(
        "local-one-line",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

#[test]
fn hoist_function_local_imports() {
    let scenario = Scenario {
        app: "\"\"\"App.\"\"\"\n\nimport sys\n\n\ndef first():\n    import heavy\n    return heavy.value()\n\n\ndef second():\n    from heavy import Thing as T\n    return T.size\n\n\ndef main():\n    return first() + second() + len(sys.argv) * 0\n",
        expect: &["import sys\nlazy import heavy\nlazy from heavy import Thing as T\n"],
    };
    check_hoist(&scenario, &python315_only());
}

/// `--hoist` turns function-local imports into module-level `lazy` ones: before the rewrite `heavy` loads when
/// `main()` runs, and after it too (the lazy binding resolves at first use), with the same output.
fn check_hoist(scenario: &Scenario, pythons: &[Python]) {
    let outcome = lazify_core::run(
        scenario.app,
        &SourceFile::new("app.py").with_module_name("app"),
        &settings(Style::Lazy, true),
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let rewritten = outcome
        .fixed
        .unwrap_or_else(|| panic!("nothing was hoisted: {:#?}", outcome.verdicts));
    for expected in scenario.expect {
        assert!(
            rewritten.contains(expected),
            "expected `{expected}` in\n{rewritten}"
        );
    }
    assert!(
        !rewritten.contains("    import heavy") && !rewritten.contains("    from heavy"),
        "the function-local imports must be gone:\n{rewritten}"
    );
    for python in pythons {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("before"), scenario.app);
        write(&tmp.path().join("after"), &rewritten);
        let before = run(python, &tmp.path().join("before"), "hoist before");
        let after = run(python, &tmp.path().join("after"), "hoist after");
        assert_eq!(
            program_lines(&before),
            program_lines(&after),
            "output changed\n{rewritten}"
        );
        for out in [&before, &after] {
            assert!(
                out.contains("CHECK imported heavy=0"),
                "heavy loaded at import\n{out}\n{rewritten}"
            );
            assert!(
                out.contains("CHECK used heavy=1"),
                "heavy not loaded after use\n{out}"
            );
        }
    }
}

/// `--type-checking-imports` on a 3.15 target: the annotation stays unevaluated (PEP 649), the function imports
/// the module when it runs, and a copy waits under `if TYPE_CHECKING:` for type checkers.
#[test]
fn local_type_checking_imports_py315() {
    let scenario = Scenario {
        app: "import heavy\n\n\ndef make() -> heavy.Thing:\n    return heavy.Thing()\n\n\ndef main():\n    return make().size\n",
        expect: &[
            "if TYPE_CHECKING:\n    import heavy\n",
            "def make() -> heavy.Thing:\n    import heavy\n",
        ],
    };
    let settings = Settings {
        target_version: Some(PythonVersion::PY315),
        type_checking_imports: true,
        ..settings(Style::Local, false)
    };
    check_with(
        "local-type-checking-py315",
        &scenario,
        &settings,
        &python315_only(),
    );
}

/// `--type-checking-imports` with `from __future__ import annotations` on a 3.11 target: the same on 3.11 and 3.15.
#[test]
fn local_type_checking_imports_future_annotations() {
    let scenario = Scenario {
        app: "from __future__ import annotations\n\nimport heavy\n\n\ndef make() -> heavy.Thing:\n    return heavy.Thing()\n\n\ndef main():\n    return make().size\n",
        expect: &["if TYPE_CHECKING:\n    import heavy\n"],
    };
    let settings = Settings {
        type_checking_imports: true,
        ..settings(Style::Local, false)
    };
    check_with(
        "local-type-checking-future",
        &scenario,
        &settings,
        &pythons_for_local(),
    );
}

/// A function whose only statement is an import exists to load the module when it is called; hoisting it to a
/// lazy import that nothing reads means calling it loads nothing.
#[test]
fn hoist_import_only_function_still_loads_the_module() {
    let app = "def warm_up():\n    \"\"\"Load heavy ahead of time.\"\"\"\n    import heavy\n\n\ndef main():\n    warm_up()\n    return 0\n";
    let outcome = lazify_core::run(
        app,
        &SourceFile::new("app.py").with_module_name("app"),
        &settings(Style::Lazy, true),
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(
        outcome.fixed, None,
        "an import-only function must keep its import"
    );
    let verdict = outcome
        .verdicts
        .iter()
        .find(|v| v.binding == "heavy")
        .unwrap();
    assert!(
        matches!(
            verdict.decision,
            lazify_core::Decision::Keep {
                reason: lazify_core::KeepReason::SideEffectOnly,
                ..
            }
        ),
        "{verdict:?}"
    );
    // And on real Python the unchanged program still loads `heavy` when `warm_up()` runs.
    for python in python315_only() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), app);
        let out = run(&python, tmp.path(), "warm-up");
        assert!(
            out.contains("CHECK imported heavy=0") && out.contains("CHECK used heavy=1"),
            "{out}"
        );
    }
}

// See: issue 12, item 1. Line 3's coding declaration is not in effect (the file is UTF-8 and `TEXT` has four
// characters). Removing lines 1 and 2 would bring it into line 1, and 3.11 and 3.15 would read `é` as two
// characters: lazify keeps `import json` on line 1 (`coding-declaration`) and moves `heavy` only, and the program
// prints the same length.
#[test]
fn issue_12_local_keeps_the_coding_declaration_out_of_effect() {
    let scenario = Scenario {
        app: "import json\nimport heavy\n# -*- coding: latin-1 -*-\nTEXT = \"caf\u{e9}\"\n\n\ndef main():\n    return heavy.value() + len(TEXT) * 100 + len(json.dumps(1))\n",
        expect: &[
            "import json\n# -*- coding: latin-1 -*-\n",
            "def main():\n    import heavy\n",
        ],
    };
    check(
        "local-coding",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

// See: issue 12, item 2. The comments of a parenthesised import go with their names into each function.
#[test]
fn issue_12_local_parenthesised_import_with_comments() {
    let scenario = Scenario {
        app: "from heavy import (  # the expensive one\n    Thing,  # a class\n    value,  # a function\n)\n\n\ndef first():\n    return value()\n\n\ndef second():\n    return Thing.size\n\n\ndef main():\n    return first() + second()\n",
        expect: &[
            "def first():\n    from heavy import (\n        # the expensive one\n        value,  # a function\n    )\n",
            "def second():\n    from heavy import (\n        # the expensive one\n        Thing,  # a class\n    )\n",
        ],
    };
    check(
        "local-comments",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

// See: issue 11, section 2. A closure factory runs at import: the import goes into the closure, which runs later,
// so `heavy` stays unloaded after `import app` on 3.11 and 3.15.
#[test]
fn issue_11_local_closure_factory_at_import() {
    let scenario = Scenario {
        app: "import heavy\n\n\ndef make():\n    def inner():\n        return heavy.value()\n\n    return inner\n\n\nhandler = make()\n\n\ndef main():\n    return handler()\n",
        expect: &["    def inner():\n        import heavy\n"],
    };
    check(
        "local-closure-factory",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

// See: issue 11, section 2. A local variable's annotation is never evaluated: the import moves.
#[test]
fn issue_11_local_variable_annotation() {
    let scenario = Scenario {
        app: "import heavy\n\n\ndef main():\n    size: heavy.Thing = heavy.value()\n    return size\n",
        expect: &["def main():\n    import heavy\n"],
    };
    check(
        "local-variable-annotation",
        &scenario,
        Style::Local,
        false,
        &pythons_for_local(),
    );
}

// See: issue 11, section 2. `class C: heavy = heavy` in a function reads the module's `heavy`: moving the import
// into the function breaks the program (proved on real Pythons), so lazify keeps it.
#[test]
fn issue_11_local_class_body_binds_name_is_kept() {
    let app = "import heavy\n\n\ndef main():\n    class Box:\n        heavy = heavy\n\n    return Box.heavy.value()\n";
    let moved = "\n\ndef main():\n    import heavy\n\n    class Box:\n        heavy = heavy\n\n    return Box.heavy.value()\n";
    let outcome = lazify_core::run(
        app,
        &SourceFile::new("app.py").with_module_name("app"),
        &settings(Style::Local, false),
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.fixed, None, "the import must stay");
    assert!(
        outcome.verdicts.iter().any(|v| matches!(
            v.decision,
            lazify_core::Decision::Keep {
                reason: lazify_core::KeepReason::ClassBodyBindsName,
                ..
            }
        )),
        "{:#?}",
        outcome.verdicts
    );
    for python in pythons_for_local() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("before"), app);
        let before = run(&python, &tmp.path().join("before"), "class body before");
        assert!(before.contains("result 42"), "{before}");
        // The blind move fails: the class body looks `heavy` up in the module's globals.
        write(&tmp.path().join("moved"), moved);
        let out = python
            .command()
            .arg("driver.py")
            .current_dir(tmp.path().join("moved"))
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("NameError"),
            "the blind move should fail with NameError"
        );
    }
}

// See: issue 11, section 2. `--hoist` keeps a function-local import that `sys.path` changes surround.
#[test]
fn issue_11_hoist_keeps_import_between_sys_path_changes() {
    let app = "import sys\n\n\ndef main():\n    sys.path.insert(0, \"vendor\")\n    import heavy\n\n    sys.path.pop(0)\n    return heavy.value()\n";
    let outcome = lazify_core::run(
        app,
        &SourceFile::new("app.py").with_module_name("app"),
        &settings(Style::Lazy, true),
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.fixed, None, "the local import must stay");
    assert!(
        outcome.verdicts.iter().any(|v| v.binding == "heavy"
            && matches!(
                v.decision,
                lazify_core::Decision::Keep {
                    reason: lazify_core::KeepReason::SysPathChanged,
                    ..
                }
            )),
        "{:#?}",
        outcome.verdicts
    );
}
