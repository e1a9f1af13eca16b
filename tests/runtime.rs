//! Runtime proof on real interpreters: lazify's rewrite changes when modules load, and nothing else.
//!
//! Each test is one behaviour class. It writes a mini-project to a temp dir: local modules that print
//! `loading <name>` when their body runs, the module lazify rewrites, and a driver that imports it, prints
//! `CHECK <label> <module>=<0|1> ...` (whether each module is in `sys.modules` at that point) and the program's
//! results. The project runs before and after the rewrite made by [`lazify_core::run`]:
//!
//! - style `lazy` (target py315) under Python 3.15;
//! - style `lazy-modules` (target py311) under Python 3.15 and under the system `python3` (3.11, where
//!   `__lazy_modules__` is an ordinary variable).
//!
//! Assertions:
//!
//! - the rewrite happened: no error, rewritten text, and a rewrite verdict for every module the class is about
//!   (a test passing because nothing was rewritten would prove nothing);
//! - the original really loads those modules at import (`CHECK imported ...=1`), so the scenario can show a
//!   difference;
//! - on 3.15 after the rewrite they are absent from `sys.modules` at every checkpoint before their first use,
//!   present after it, and their `loading` line comes after the last "absent" checkpoint;
//! - the program's own output (every line that is not `loading ...` or `CHECK ...`) is identical, and the same
//!   modules load in the end;
//! - on 3.11 the whole output of the `lazy-modules` rewrite is identical to the original's, line for line.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; the older Python is `python3` on `PATH`
//! when it is older than 3.15. A missing interpreter skips with a loud message, or fails when `CI` is set.

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: a failed step is a failed test"
)]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use lazify_core::{PythonVersion, Settings, SourceFile, Style};
use support::Python;

/// Put at the top of every driver: prints whether modules are loaded.
const PRELUDE: &str = r#"import sys


def check(label, *modules):
    print("CHECK", label, " ".join(f"{m}={int(m in sys.modules)}" for m in modules))


"#;

/// One behaviour class.
struct Scenario {
    /// The project's files, `(path, text)`. The driver is given without [`PRELUDE`], which is added (unless the
    /// driver is the rewritten module itself).
    files: &'static [(&'static str, &'static str)],
    /// The file lazify rewrites, and its dotted module name.
    target: &'static str,
    module: &'static str,
    /// The driver to run (`python <driver>` in the project directory).
    driver: &'static str,
    /// The styles this class is run with.
    styles: &'static [Style],
    /// Modules (resolved names) that must get a rewrite verdict.
    rewritten: &'static [&'static str],
    /// Modules that load at import before the rewrite and only at first use after it.
    deferred: &'static [&'static str],
    /// The checkpoints (labels) where the deferred modules must still be absent after the rewrite.
    absent_at: &'static [&'static str],
    /// The checkpoint where they must have loaded.
    present_at: &'static str,
}

const BOTH: &[Style] = &[Style::Lazy, Style::LazyModules];

/// A local module that announces when its body runs.
const HEAVY: &str = r#"print("loading heavy")


class Thing:
    pass


def value():
    return 42
"#;

/// The driver most classes use: import `app`, check, call `app.main()`, check.
const DRIVER_MAIN: &str = r#"import app

check("imported", "heavy")
print("result", app.main())
check("used", "heavy")
"#;

fn settings(style: Style) -> Settings {
    let target = match style {
        Style::Lazy => PythonVersion::PY315,
        Style::LazyModules | Style::Local => PythonVersion::new(3, 11),
    };
    Settings {
        style: Some(style),
        target_version: Some(target),
        ..Settings::default()
    }
}

fn write_project(dir: &Path, scenario: &Scenario, rewritten: Option<&str>) {
    for (path, text) in scenario.files {
        let text = match rewritten {
            Some(new) if *path == scenario.target => new.to_string(),
            _ if *path == scenario.driver && scenario.driver != scenario.target => {
                format!("{PRELUDE}{text}")
            }
            _ => (*text).to_string(),
        };
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::File::create(&file)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
}

/// What a run printed.
struct Run {
    stdout: String,
    label: String,
}

fn run_project(python: &Python, dir: &Path, driver: &str, label: String) -> Run {
    let out = python
        .command()
        .arg(driver)
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{label}: the program failed ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Run { stdout, label }
}

impl Run {
    /// The program's own output: everything but the `loading` and `CHECK` lines.
    fn program_output(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| !l.starts_with("loading ") && !l.starts_with("CHECK "))
            .collect()
    }

    /// The `loading` lines, sorted.
    fn loaded(&self) -> Vec<&str> {
        let mut lines: Vec<&str> = self
            .stdout
            .lines()
            .filter(|l| l.starts_with("loading "))
            .collect();
        lines.sort_unstable();
        lines
    }

    /// The line index of checkpoint `label`.
    fn checkpoint(&self, label: &str) -> usize {
        let prefix = format!("CHECK {label} ");
        self.stdout
            .lines()
            .position(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no `CHECK {label}` line in\n{}",
                    self.label, self.stdout
                )
            })
    }

    /// Whether `module` was in `sys.modules` at checkpoint `label`.
    fn loaded_at(&self, label: &str, module: &str) -> bool {
        let line = self.stdout.lines().nth(self.checkpoint(label)).unwrap();
        let entry = format!("{module}=");
        let value = line
            .split_whitespace()
            .find_map(|word| word.strip_prefix(&entry))
            .unwrap_or_else(|| panic!("{}: `{module}` is not checked in `{line}`", self.label));
        value == "1"
    }

    /// The line index where `module`'s body ran.
    fn loading_line(&self, module: &str) -> Option<usize> {
        let wanted = format!("loading {module}");
        self.stdout.lines().position(|l| l == wanted)
    }
}

/// The original loads the deferred modules at import: otherwise the scenario could not show anything.
fn assert_eager(scenario: &Scenario, run: &Run) {
    for module in scenario.deferred {
        assert!(
            run.loaded_at("imported", module),
            "{}: the original program should load `{module}` at import\n{}",
            run.label,
            run.stdout
        );
    }
}

/// After the rewrite, on 3.15: absent until first use, then present.
fn assert_deferred(scenario: &Scenario, run: &Run, rewritten: &str) {
    for module in scenario.deferred {
        for label in scenario.absent_at {
            assert!(
                !run.loaded_at(label, module),
                "{}: `{module}` is in sys.modules at `{label}`, before its first use\n--- output ---\n{}\n--- rewritten source ---\n{rewritten}",
                run.label,
                run.stdout
            );
        }
        assert!(
            run.loaded_at(scenario.present_at, module),
            "{}: `{module}` is not loaded at `{}`, after its use\n{}",
            run.label,
            scenario.present_at,
            run.stdout
        );
        let last_absent = scenario
            .absent_at
            .iter()
            .map(|label| run.checkpoint(label))
            .max()
            .unwrap_or(0);
        let loading = run.loading_line(module);
        assert!(
            loading.is_some_and(|line| line > last_absent),
            "{}: `loading {module}` should come after the last checkpoint before use\n{}",
            run.label,
            run.stdout
        );
    }
}

fn assert_same_program(before: &Run, after: &Run, rewritten: &str) {
    assert_eq!(
        before.program_output(),
        after.program_output(),
        "{} vs {}: the program's output changed\n--- rewritten source ---\n{rewritten}",
        before.label,
        after.label
    );
    assert_eq!(
        before.loaded(),
        after.loaded(),
        "{} vs {}: a different set of modules loaded in the end",
        before.label,
        after.label
    );
}

fn check_scenario(name: &str, scenario: &Scenario) {
    let py315 = support::python315();
    let py_old = support::python_pre315();
    if py315.is_none() {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
    }
    if py_old.is_none() {
        support::missing_tool(
            "a Python older than 3.15 as `python3` on PATH",
            "The lazy-modules style is checked on the system python3 (3.11).",
        );
    }
    let source = scenario
        .files
        .iter()
        .find(|(path, _)| *path == scenario.target)
        .map(|(_, text)| *text)
        .unwrap();
    let file = SourceFile::new(scenario.target).with_module_name(scenario.module);

    for &style in scenario.styles {
        let outcome = lazify_core::run(source, &file, &settings(style));
        let label = format!("{name} [{style}]");
        assert!(outcome.error.is_none(), "{label}: {:?}", outcome.error);
        let mut verdicts = String::new();
        for v in &outcome.verdicts {
            let _ = writeln!(verdicts, "  {} -> {:?}", v.describe(), v.decision);
        }
        for module in scenario.rewritten {
            assert!(
                outcome
                    .rewrites()
                    .any(|v| v.resolved_module.as_deref() == Some(*module)),
                "{label}: `{module}` was not rewritten; verdicts:\n{verdicts}"
            );
        }
        let Some(rewritten) = outcome.fixed.as_deref() else {
            panic!("{label}: no rewritten text; verdicts:\n{verdicts}");
        };
        match style {
            Style::Lazy => assert!(
                rewritten.contains("lazy "),
                "{label}: no `lazy` in\n{rewritten}"
            ),
            Style::LazyModules => assert!(
                rewritten.contains("__lazy_modules__") && !rewritten.contains("lazy import"),
                "{label}: expected a `__lazy_modules__` list and no `lazy` keyword in\n{rewritten}"
            ),
            Style::Local => panic!("{label}: the runtime proof has no check for style `local` yet"),
        }

        let before_dir = tempfile::tempdir().unwrap();
        let after_dir = tempfile::tempdir().unwrap();
        write_project(before_dir.path(), scenario, None);
        write_project(after_dir.path(), scenario, Some(rewritten));

        if let Some(python) = &py315 {
            let before = run_project(
                python,
                before_dir.path(),
                scenario.driver,
                format!("{label} original on 3.15"),
            );
            let after = run_project(
                python,
                after_dir.path(),
                scenario.driver,
                format!("{label} rewritten on 3.15"),
            );
            assert_eager(scenario, &before);
            assert_deferred(scenario, &after, rewritten);
            assert_same_program(&before, &after, rewritten);
        }
        if style == Style::LazyModules
            && let Some(python) = &py_old
        {
            let version = format!("{}.{}", python.version.0, python.version.1);
            let before = run_project(
                python,
                before_dir.path(),
                scenario.driver,
                format!("{label} original on {version}"),
            );
            let after = run_project(
                python,
                after_dir.path(),
                scenario.driver,
                format!("{label} rewritten on {version}"),
            );
            assert_eager(scenario, &before);
            assert_eq!(
                before.stdout, after.stdout,
                "{label}: on {version}, where `__lazy_modules__` does nothing, the output must not change at all\n--- rewritten source ---\n{rewritten}"
            );
        }
    }
}

#[test]
fn plain_import_used_in_function() {
    check_scenario(
        "plain_import_used_in_function",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\ndef main():\n    return heavy.value()\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn from_import_used_in_function() {
    check_scenario(
        "from_import_used_in_function",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "from heavy import value\n\n\ndef main():\n    return value() + 1\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn dotted_import_binds_the_package() {
    check_scenario(
        "dotted_import_binds_the_package",
        &Scenario {
            files: &[
                ("heavypkg/__init__.py", "print(\"loading heavypkg\")\n"),
                (
                    "heavypkg/sub.py",
                    "print(\"loading heavypkg.sub\")\n\n\ndef value():\n    return \"sub value\"\n",
                ),
                (
                    "app.py",
                    "import heavypkg.sub\n\n\ndef main():\n    return heavypkg.sub.value()\n",
                ),
                (
                    "driver.py",
                    "import app\n\ncheck(\"imported\", \"heavypkg\", \"heavypkg.sub\")\nprint(\"result\", app.main())\ncheck(\"used\", \"heavypkg\", \"heavypkg.sub\")\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavypkg.sub"],
            deferred: &["heavypkg", "heavypkg.sub"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn sibling_submodule_imports() {
    // `import a.b` and `import a.c` each used through the other's submodule too: both lazy statements bind `a`,
    // and each pending submodule import makes its attribute importable on first access, in either order.
    check_scenario(
        "sibling_submodule_imports",
        &Scenario {
            files: &[
                ("heavypkg/__init__.py", "print(\"loading heavypkg\")\n"),
                (
                    "heavypkg/one.py",
                    "print(\"loading heavypkg.one\")\n\n\ndef value():\n    return \"one\"\n",
                ),
                (
                    "heavypkg/two.py",
                    "print(\"loading heavypkg.two\")\n\n\ndef value():\n    return \"two\"\n",
                ),
                (
                    "app.py",
                    "import heavypkg.one\nimport heavypkg.two\n\n\ndef main():\n    return heavypkg.two.value() + heavypkg.one.value()\n",
                ),
                (
                    "driver.py",
                    "import app\n\ncheck(\"imported\", \"heavypkg\", \"heavypkg.one\", \"heavypkg.two\")\nprint(\"result\", app.main())\ncheck(\"used\", \"heavypkg\", \"heavypkg.one\", \"heavypkg.two\")\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavypkg.one", "heavypkg.two"],
            deferred: &["heavypkg", "heavypkg.one", "heavypkg.two"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn aliased_import() {
    check_scenario(
        "aliased_import",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy as h\n\n\ndef main():\n    return h.value() * 2\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn reexport_from_package_init() {
    check_scenario(
        "reexport_from_package_init",
        &Scenario {
            files: &[
                (
                    "pkg/__init__.py",
                    "\"\"\"The package's public API.\"\"\"\n\nfrom .impl import helper\n",
                ),
                (
                    "pkg/impl.py",
                    "print(\"loading pkg.impl\")\n\n\ndef helper():\n    return \"helped\"\n",
                ),
                (
                    "driver.py",
                    "import pkg\n\ncheck(\"imported\", \"pkg.impl\")\nprint(\"result\", pkg.helper())\ncheck(\"used\", \"pkg.impl\")\n",
                ),
            ],
            target: "pkg/__init__.py",
            module: "pkg",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["pkg.impl"],
            deferred: &["pkg.impl"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

/// `# noqa: F401` marks an unused name of a plain module (not a package `__init__.py`, no `__all__`) as a
/// re-export for code outside the project: the name resolves on first access, and the module loads only then.
#[test]
fn noqa_f401_reexport_in_a_module() {
    check_scenario(
        "noqa_f401_reexport_in_a_module",
        &Scenario {
            files: &[
                (
                    "compat.py",
                    "\"\"\"Names kept here for older callers.\"\"\"\n\nfrom impl import helper  # noqa: F401\n",
                ),
                (
                    "impl.py",
                    "print(\"loading impl\")\n\n\ndef helper():\n    return \"helped\"\n",
                ),
                (
                    "driver.py",
                    "import compat\n\ncheck(\"imported\", \"impl\")\nprint(\"result\", compat.helper())\ncheck(\"used\", \"impl\")\n",
                ),
            ],
            target: "compat.py",
            module: "compat",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["impl"],
            deferred: &["impl"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn import_in_if_block() {
    check_scenario(
        "import_in_if_block",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import sys\n\nif sys.platform != \"no-such-platform\":\n    import heavy\n\n\ndef main():\n    return heavy.value()\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn use_in_main_block() {
    // The module itself is the script: its `__main__` block checks `sys.modules` through `__import__`, so
    // that the check adds no import of its own.
    const APP: &str = r#"import heavy


def _loaded(name):
    return int(name in __import__("sys").modules)


if __name__ == "__main__":
    print("CHECK imported heavy=%d" % _loaded("heavy"))
    print("result", heavy.value())
    print("CHECK used heavy=%d" % _loaded("heavy"))
"#;
    check_scenario(
        "use_in_main_block",
        &Scenario {
            files: &[("heavy.py", HEAVY), ("app.py", APP)],
            target: "app.py",
            module: "app",
            driver: "app.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn annotation_only_use() {
    // On 3.15 annotations are evaluated only when asked for: calling the function does not load `heavy`,
    // reading `__annotations__` does.
    check_scenario(
        "annotation_only_use",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\ndef describe(x: heavy.Thing) -> str:\n    return \"described \" + str(x)\n",
                ),
                (
                    "driver.py",
                    "import app\n\ncheck(\"imported\", \"heavy\")\nprint(app.describe(1))\ncheck(\"called\", \"heavy\")\nprint(\"annotation\", app.describe.__annotations__[\"x\"].__name__)\ncheck(\"used\", \"heavy\")\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported", "called"],
            present_at: "used",
        },
    );
}

#[test]
fn relative_import_in_package() {
    check_scenario(
        "relative_import_in_package",
        &Scenario {
            files: &[
                ("pkg/__init__.py", ""),
                (
                    "pkg/heavy.py",
                    "print(\"loading pkg.heavy\")\n\n\ndef value():\n    return 7\n",
                ),
                (
                    "pkg/mod.py",
                    "from .heavy import value\n\n\ndef main():\n    return value()\n",
                ),
                (
                    "driver.py",
                    "from pkg import mod\n\ncheck(\"imported\", \"pkg.heavy\")\nprint(\"result\", mod.main())\ncheck(\"used\", \"pkg.heavy\")\n",
                ),
            ],
            target: "pkg/mod.py",
            module: "pkg.mod",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["pkg.heavy"],
            deferred: &["pkg.heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn lazy_modules_extends_existing_list() {
    // `other` is already listed (lazy on 3.15 before and after); lazify adds `heavy`.
    check_scenario(
        "lazy_modules_extends_existing_list",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "other.py",
                    "print(\"loading other\")\n\n\ndef value():\n    return 1\n",
                ),
                (
                    "app.py",
                    "__lazy_modules__ = [\"other\"]\n\nimport heavy\nimport other\n\n\ndef main():\n    return heavy.value() + other.value()\n",
                ),
                (
                    "driver.py",
                    "import app\n\ncheck(\"imported\", \"heavy\", \"other\")\nprint(\"result\", app.main())\ncheck(\"used\", \"heavy\", \"other\")\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: &[Style::LazyModules],
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

// See: issue 12, item 4. With the docstring and the import on one line, the list must be bound between them:
// after the import it has no effect and `heavy` loads eagerly on 3.15.
#[test]
fn issue_12_docstring_and_import_on_one_line() {
    check_scenario(
        "issue_12_docstring_and_import_on_one_line",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "\"\"\"App.\"\"\"; import heavy\n\n\ndef main():\n    return heavy.value()\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

// See: issue 12, item 3. A file with old-Mac line endings (a lone CR ends each line): the list goes after the
// docstring with CR endings, where 3.15 obeys it (it was appended at the end of the file, too late).
#[test]
fn issue_12_lone_cr_line_endings() {
    check_scenario(
        "issue_12_lone_cr_line_endings",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "\"\"\"App.\"\"\"\r\rimport heavy\r\r\rdef main():\r    return heavy.value()\r",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Traps: situations where a naive `lazy` changes what the program does. Each test first proves the trap is real
// (the naive rewrite's output differs from the original's on 3.15), then checks that lazify's output, in both
// styles, behaves exactly like the original (lazify keeps the import, or rewrites it in a way that is safe).

/// One trap.
struct Trap {
    /// The project's files, `(path, text)`.
    files: &'static [(&'static str, &'static str)],
    /// The file lazify rewrites, and its dotted module name.
    target: &'static str,
    module: &'static str,
    /// The driver to run.
    driver: &'static str,
    /// The target's text with `lazy` added naively, as a tool without this blocker would write it.
    naive: &'static str,
}

fn write_trap(dir: &Path, trap: &Trap, target_text: &str) {
    for (path, text) in trap.files {
        let text = if *path == trap.target {
            target_text
        } else {
            text
        };
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::File::create(&file)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
}

fn run_trap(python: &Python, trap: &Trap, target_text: &str, label: String) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write_trap(dir.path(), trap, target_text);
    run_project(python, dir.path(), trap.driver, label)
}

fn check_trap(name: &str, trap: &Trap) {
    let Some(python) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    let source = trap
        .files
        .iter()
        .find(|(path, _)| *path == trap.target)
        .map(|(_, text)| *text)
        .unwrap();
    let original = run_trap(&python, trap, source, format!("{name} original"));
    let naive = run_trap(&python, trap, trap.naive, format!("{name} naive lazy"));
    assert_ne!(
        original.stdout, naive.stdout,
        "{name}: the trap is not real: the naive rewrite behaves like the original"
    );
    let file = SourceFile::new(trap.target).with_module_name(trap.module);
    for style in [Style::Lazy, Style::LazyModules] {
        let outcome = lazify_core::run(source, &file, &settings(style));
        let label = format!("{name} [{style}]");
        assert!(outcome.error.is_none(), "{label}: {:?}", outcome.error);
        let text = outcome.fixed.as_deref().unwrap_or(source);
        let after = run_trap(&python, trap, text, format!("{label} lazify's output"));
        let mut verdicts = String::new();
        for v in &outcome.verdicts {
            let _ = writeln!(verdicts, "  {} -> {:?}", v.describe(), v.decision);
        }
        assert_eq!(
            original.stdout, after.stdout,
            "{label}: lazify's output changes what the program does (the naive rewrite printed:\n{})\n--- verdicts ---\n{verdicts}--- lazify's output ---\n{text}",
            naive.stdout
        );
    }
}

/// The driver the traps share: import `app`, print `app.main()` or the exception's type.
const TRAP_DRIVER: &str = r#"import app

try:
    print("result", app.main())
except Exception as error:
    print("error", type(error).__name__)
"#;

#[test]
fn trap_same_name_submodule_reexport() {
    // pep810.md case 20: a later `import pkg.core` replaces a lazy `core` binding with the submodule.
    check_trap(
        "trap_same_name_submodule_reexport",
        &Trap {
            files: &[
                ("pkg/__init__.py", "from .core import core\n"),
                ("pkg/core.py", "def core():\n    return \"the function\"\n"),
                (
                    "driver.py",
                    "import pkg\nimport pkg.core\n\ntry:\n    print(\"result\", pkg.core())\nexcept Exception as error:\n    print(\"error\", type(error).__name__)\n",
                ),
            ],
            target: "pkg/__init__.py",
            module: "pkg",
            driver: "driver.py",
            naive: "lazy from .core import core\n",
        },
    );
}

#[test]
fn trap_same_name_submodule_used_in_function() {
    check_trap(
        "trap_same_name_submodule_used_in_function",
        &Trap {
            files: &[
                (
                    "pkg/__init__.py",
                    "from .core import core\n\n\ndef run():\n    return core()\n",
                ),
                ("pkg/core.py", "def core():\n    return \"the function\"\n"),
                (
                    "driver.py",
                    "import pkg\nimport pkg.core\n\ntry:\n    print(\"result\", pkg.run())\nexcept Exception as error:\n    print(\"error\", type(error).__name__)\n",
                ),
            ],
            target: "pkg/__init__.py",
            module: "pkg",
            driver: "driver.py",
            naive: "lazy from .core import core\n\n\ndef run():\n    return core()\n",
        },
    );
}

#[test]
fn trap_sys_path_changed_around_import() {
    // pep810.md case 27: resolution uses `sys.path` at first use.
    check_trap(
        "trap_sys_path_changed_around_import",
        &Trap {
            files: &[
                ("vendor/vmod.py", "def run():\n    return \"vendored\"\n"),
                (
                    "app.py",
                    "import sys\n\nsys.path.insert(0, \"vendor\")\nimport vmod  # noqa: E402\n\nsys.path.pop(0)\n\n\ndef main():\n    return vmod.run()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys\n\nsys.path.insert(0, \"vendor\")\nlazy import vmod  # noqa: E402\n\nsys.path.pop(0)\n\n\ndef main():\n    return vmod.run()\n",
        },
    );
}

#[test]
fn trap_sys_path_changed_after_import() {
    check_trap(
        "trap_sys_path_changed_after_import",
        &Trap {
            files: &[
                (
                    "helpers.py",
                    "def run():\n    return \"top-level helpers\"\n",
                ),
                (
                    "plugins/helpers.py",
                    "def run():\n    return \"plugins/helpers\"\n",
                ),
                (
                    "app.py",
                    "import sys\n\nimport helpers\n\nsys.path.insert(0, \"plugins\")\n\n\ndef main():\n    return helpers.run()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys\n\nlazy import helpers\n\nsys.path.insert(0, \"plugins\")\n\n\ndef main():\n    return helpers.run()\n",
        },
    );
}

#[test]
fn trap_with_catch_warnings() {
    // pep810.md case 26: a lazy import runs after the `with` block has exited.
    check_trap(
        "trap_with_catch_warnings",
        &Trap {
            files: &[
                (
                    "noisy.py",
                    "import warnings\n\nwarnings.warn(\"noisy module\", UserWarning)\nVALUE = 1\n",
                ),
                (
                    "app.py",
                    "import warnings\n\nwith warnings.catch_warnings():\n    warnings.simplefilter(\"ignore\")\n    import noisy\n\n\ndef main():\n    return noisy.VALUE\n",
                ),
                (
                    "driver.py",
                    "import warnings\n\nwarnings.simplefilter(\"error\")\n\nimport app\n\ntry:\n    print(\"result\", app.main())\nexcept Exception as error:\n    print(\"error\", type(error).__name__)\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import warnings\n\nwith warnings.catch_warnings():\n    warnings.simplefilter(\"ignore\")\n    lazy import noisy\n\n\ndef main():\n    return noisy.VALUE\n",
        },
    );
}

#[test]
fn trap_globals_dispatch() {
    // pep810.md case 29: the module dict holds the proxy, which cannot be called.
    check_trap(
        "trap_globals_dispatch",
        &Trap {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "from heavy import value\n\n\ndef main():\n    return globals()[\"value\"]()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "lazy from heavy import value\n\n\ndef main():\n    return globals()[\"value\"]()\n",
        },
    );
}

#[test]
fn trap_submodule_sets_parent_attribute() {
    // pep810.md case 14: `import a.b` binds `a`; a lazy `a` imports only `a`, so what `a.b` set on `a` is missing.
    check_trap(
        "trap_submodule_sets_parent_attribute",
        &Trap {
            files: &[
                ("alpha/__init__.py", ""),
                (
                    "alpha/beta.py",
                    "import alpha\n\nalpha.registry = \"set by alpha.beta\"\n",
                ),
                (
                    "app.py",
                    "import alpha.beta\n\n\ndef main():\n    return alpha.registry\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "lazy import alpha.beta\n\n\ndef main():\n    return alpha.registry\n",
        },
    );
}

#[test]
fn trap_registry_side_effect_import() {
    // pep810.md case 22: an unreferenced import that registers itself never runs when lazy.
    check_trap(
        "trap_registry_side_effect_import",
        &Trap {
            files: &[
                ("plugins/__init__.py", "REGISTRY = []\n"),
                (
                    "plugins/csv_plugin.py",
                    "from plugins import REGISTRY\n\nREGISTRY.append(\"csv\")\n",
                ),
                (
                    "app.py",
                    "import plugins.csv_plugin  # noqa: F401\nfrom plugins import REGISTRY\n\n\ndef main():\n    return sorted(REGISTRY)\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "lazy import plugins.csv_plugin  # noqa: F401\nlazy from plugins import REGISTRY\n\n\ndef main():\n    return sorted(REGISTRY)\n",
        },
    );
}

#[test]
fn trap_submodule_registration_in_init() {
    // issue 2, Re-exports: `from . import signals` in a package `__init__.py` registers the submodule.
    check_trap(
        "trap_submodule_registration_in_init",
        &Trap {
            files: &[
                ("registry.py", "HANDLERS = []\n"),
                ("pkg/__init__.py", "from . import signals  # noqa: F401\n"),
                (
                    "pkg/signals.py",
                    "import registry\n\nregistry.HANDLERS.append(\"pkg.signals\")\n",
                ),
                (
                    "driver.py",
                    "import registry\nimport pkg  # noqa: F401\n\nprint(\"handlers\", registry.HANDLERS)\n",
                ),
            ],
            target: "pkg/__init__.py",
            module: "pkg",
            driver: "driver.py",
            naive: "lazy from . import signals  # noqa: F401\n",
        },
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 11 §2: the in-file gaps. Traps first (lazify must keep), then deferrals lazify now proves.
// See: issue 11, section 2.

#[test]
fn issue_11_trap_function_globals() {
    // A function's `__globals__` is the module's dict: the naive rewrite leaves a proxy there.
    check_trap(
        "issue_11_trap_function_globals",
        &Trap {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "from heavy import value\n\n\ndef main():\n    return main.__globals__[\"value\"]()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "lazy from heavy import value\n\n\ndef main():\n    return main.__globals__[\"value\"]()\n",
        },
    );
}

#[test]
fn issue_11_trap_frame_f_locals_at_module_level() {
    check_trap(
        "issue_11_trap_frame_f_locals_at_module_level",
        &Trap {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import sys\n\nfrom heavy import value\n\nNAMESPACE = sys._getframe().f_locals\n\n\ndef main():\n    return NAMESPACE[\"value\"]()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys\n\nlazy from heavy import value\n\nNAMESPACE = sys._getframe().f_locals\n\n\ndef main():\n    return NAMESPACE[\"value\"]()\n",
        },
    );
}

#[test]
fn issue_11_trap_module_object_bound_to_a_name() {
    check_trap(
        "issue_11_trap_module_object_bound_to_a_name",
        &Trap {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import sys\n\nfrom heavy import value\n\nthis = sys.modules[__name__]\n\n\ndef main():\n    return this.__dict__[\"value\"]()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys\n\nlazy from heavy import value\n\nthis = sys.modules[__name__]\n\n\ndef main():\n    return this.__dict__[\"value\"]()\n",
        },
    );
}

#[test]
fn issue_11_trap_sys_under_another_name() {
    check_trap(
        "issue_11_trap_sys_under_another_name",
        &Trap {
            files: &[
                ("vendor/vmod.py", "def run():\n    return \"vendored\"\n"),
                (
                    "app.py",
                    "import sys as _sys\n\n_sys.path.insert(0, \"vendor\")\nimport vmod  # noqa: E402\n\n_sys.path.pop(0)\n\n\ndef main():\n    return vmod.run()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys as _sys\n\n_sys.path.insert(0, \"vendor\")\nlazy import vmod  # noqa: E402\n\n_sys.path.pop(0)\n\n\ndef main():\n    return vmod.run()\n",
        },
    );
}

#[test]
fn issue_11_trap_helper_changes_sys_path() {
    check_trap(
        "issue_11_trap_helper_changes_sys_path",
        &Trap {
            files: &[
                ("vendor/vmod.py", "def run():\n    return \"vendored\"\n"),
                (
                    "app.py",
                    "import sys\n\n\ndef _vendor(on):\n    if on:\n        sys.path.insert(0, \"vendor\")\n    else:\n        sys.path.pop(0)\n\n\n_vendor(True)\nimport vmod  # noqa: E402\n\n_vendor(False)\n\n\ndef main():\n    return vmod.run()\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import sys\n\n\ndef _vendor(on):\n    if on:\n        sys.path.insert(0, \"vendor\")\n    else:\n        sys.path.pop(0)\n\n\n_vendor(True)\nlazy import vmod  # noqa: E402\n\n_vendor(False)\n\n\ndef main():\n    return vmod.run()\n",
        },
    );
}

#[test]
fn issue_11_trap_warning_filters_set_and_reset() {
    // The driver turns warnings into errors; `app` silences them around `import noisy` as plain statements.
    check_trap(
        "issue_11_trap_warning_filters_set_and_reset",
        &Trap {
            files: &[
                (
                    "noisy.py",
                    "import warnings\n\nwarnings.warn(\"noisy module\", UserWarning)\nVALUE = 1\n",
                ),
                (
                    "app.py",
                    "import warnings\n\nsaved = warnings.filters[:]\nwarnings.simplefilter(\"ignore\")\nimport noisy  # noqa: E402\n\nwarnings.filters[:] = saved\n\n\ndef main():\n    return noisy.VALUE\n",
                ),
                (
                    "driver.py",
                    "import warnings\n\nwarnings.simplefilter(\"error\")\n\nimport app\n\ntry:\n    print(\"result\", app.main())\nexcept Exception as error:\n    print(\"error\", type(error).__name__)\n",
                ),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "import warnings\n\nsaved = warnings.filters[:]\nwarnings.simplefilter(\"ignore\")\nlazy import noisy  # noqa: E402\n\nwarnings.filters[:] = saved\n\n\ndef main():\n    return noisy.VALUE\n",
        },
    );
}

#[test]
fn issue_11_trap_every_dotted_level() {
    // `import alpha.beta.gamma` sets `alpha.beta.delta`; a lazy `alpha` imports `alpha.beta` on access, not gamma.
    check_trap(
        "issue_11_trap_every_dotted_level",
        &Trap {
            files: &[
                ("alpha/__init__.py", ""),
                ("alpha/beta/__init__.py", ""),
                (
                    "alpha/beta/gamma.py",
                    "import alpha.beta\n\nalpha.beta.delta = \"set by gamma\"\n",
                ),
                (
                    "app.py",
                    "import alpha.beta.gamma\n\n\ndef main():\n    return alpha.beta.delta\n",
                ),
                ("driver.py", TRAP_DRIVER),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            naive: "lazy import alpha.beta.gamma\n\n\ndef main():\n    return alpha.beta.delta\n",
        },
    );
}

#[test]
fn issue_11_generator_body_is_deferred() {
    check_scenario(
        "issue_11_generator_body_is_deferred",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\nvalues = (heavy.value() + n for n in range(3))\n\n\ndef main():\n    return next(values)\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn issue_11_globals_keys_and_known_update() {
    check_scenario(
        "issue_11_globals_keys_and_known_update",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\nNAMES = sorted(n for n in globals() if not n.startswith(\"_\"))\nglobals().update(VERSION=2)\n\n\ndef main():\n    return heavy.value() + VERSION, NAMES\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn issue_11_nested_function_shadows_module_function() {
    check_scenario(
        "issue_11_nested_function_shadows_module_function",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\ndef helper():\n    return heavy.value()\n\n\ndef outer():\n    def helper():\n        return 1\n\n    return helper()\n\n\nONE = outer()\n\n\ndef main():\n    return helper() + ONE\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn issue_11_local_annotation_and_own_decorator() {
    // A local variable's annotation is never evaluated; `define` here is this file's own decorator.
    check_scenario(
        "issue_11_local_annotation_and_own_decorator",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\ndef define(cls):\n    return cls\n\n\n@define\nclass Config:\n    size: heavy.Thing = 3\n\n\ndef main():\n    thing: heavy.Thing = heavy.value()\n    return thing + Config.size\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: &[Style::Lazy],
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

#[test]
fn issue_11_class_type_parameter_bound() {
    // PEP 695 syntax needs 3.12+: style `lazy` on 3.15 only. The bound is read after first use.
    check_scenario(
        "issue_11_class_type_parameter_bound",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\nclass Box[T: heavy.Thing]:\n    pass\n\n\ndef main():\n    return heavy.value(), Box.__type_params__[0].__bound__.__name__\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: &[Style::Lazy],
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}

/// A read in a method that runs at import time (`NULL = Style()`), under `None if meta is None else ...`: the
/// call leaves `meta` out, so the read does not run then and the import is deferred (issue 17's rich case).
#[test]
fn read_guarded_by_a_none_default_in_a_function_run_at_import_time() {
    check_scenario(
        "read_guarded_by_a_none_default_in_a_function_run_at_import_time",
        &Scenario {
            files: &[
                ("heavy.py", HEAVY),
                (
                    "app.py",
                    "import heavy\n\n\nclass Style:\n    def __init__(self, *, meta=None):\n        self.meta = None if meta is None else heavy.value()\n\n\nNULL_STYLE = Style()\n\n\ndef main():\n    return Style(meta=1).meta, NULL_STYLE.meta\n",
                ),
                ("driver.py", DRIVER_MAIN),
            ],
            target: "app.py",
            module: "app",
            driver: "driver.py",
            styles: BOTH,
            rewritten: &["heavy"],
            deferred: &["heavy"],
            absent_at: &["imported"],
            present_at: "used",
        },
    );
}
