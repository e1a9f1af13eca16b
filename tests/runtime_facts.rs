//! Runtime proof of the facts lazify takes from other files of the project (issue 11 §3), on real interpreters.
//!
//! Each test is one kind of fact. A mini-project has `heavy.py` (or `settings.py`), `app.py`, which imports it
//! and uses it only inside a function, and `driver.py`, which imports `app` and does what the fact describes
//! (patches `sys.modules` around the import, rebinds `settings.X`, reads `vars(app)`, patches `app.heavy.compute`,
//! star-imports `app`, ...). The engine runs on `app.py` with the project facts scanned from the same files
//! (`lazify_core::facts::scan`, merged as the workspace merges them).
//!
//! For each kind:
//! - a blind rewrite of `app.py` (every import made lazy, or moved into the function for `local`) changes the
//!   program's output (or breaks it) on Python 3.15, so the fact is real;
//! - in the styles where the fact matters, lazify keeps the import with the expected reason and the output is
//!   identical (for `local`, on the older `python3` too);
//! - in the styles where it does not matter, lazify rewrites the import and the output is still identical;
//! - with the fact removed from the driver, lazify defers the import in every style: on 3.15 the module is not
//!   in `sys.modules` until first use, and the rest of the output is unchanged.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; the older Python is `python3` on
//! `PATH`. A missing interpreter skips with a loud message, or fails when `CI` is set.

#![expect(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use lazify_core::{Decision, KeepReason, Location, ProjectFacts, PythonVersion, RewriteWhy};
use lazify_core::{Settings, SourceFile, Style};
use support::Python;

const HEAVY: &str = "def compute():\n    return \"real\"\n";
/// `app.py` with a plain import used in `main()`.
const APP_MODULE: &str = "import heavy\n\n\ndef main():\n    return heavy.compute()\n";
const APP_MODULE_LAZY: &str = "lazy import heavy\n\n\ndef main():\n    return heavy.compute()\n";
const APP_MODULE_LOCAL: &str = "def main():\n    import heavy\n    return heavy.compute()\n";
/// `app.py` with a `from` import used in `main()`.
const APP_FROM: &str = "from heavy import compute\n\n\ndef main():\n    return compute()\n";
const APP_FROM_LOCAL: &str = "def main():\n    from heavy import compute\n    return compute()\n";
/// A driver without any fact about `app`: shows whether `heavy` is loaded before `main()` runs.
const CLEAN_DRIVER: &str = "import sys\nimport app\nprint(\"heavy loaded\", \"heavy\" in sys.modules)\nprint(\"main\", app.main())\n";

/// One kind of fact.
struct Case {
    /// Files beside `app.py` and `driver.py`.
    files: &'static [(&'static str, &'static str)],
    app: &'static str,
    /// Blind rewrites of `app.py` that the fact breaks.
    blind: &'static [&'static str],
    /// The driver, which holds the fact.
    driver: &'static str,
    /// Entry points of the project (`"module:object"`), as `pyproject.toml` would list them.
    entry_points: &'static [&'static str],
    /// Styles where the fact keeps the import, and the reason.
    kept_in: &'static [Style],
    reason: KeepReason,
    /// Styles where the fact does not matter: the import is rewritten and the program is unchanged.
    free_in: &'static [Style],
    /// The module `app.py` imports, and a driver without the fact that prints whether it is loaded.
    probe: &'static str,
    clean_driver: &'static str,
}

fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::File::create(&file)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

/// Runs `driver.py` in a project with `app.py` as given; returns stdout, and for a failing program its exit
/// status and the last line of stderr.
fn run(python: &Python, case: &Case, app: &str, driver: &str) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in case.files {
        write(dir.path(), path, text);
    }
    write(dir.path(), "app.py", app);
    write(dir.path(), "driver.py", driver);
    let out = python
        .command()
        .arg("driver.py")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let _ = writeln!(
            text,
            "[failed: {}] {}",
            out.status,
            stderr.lines().last().unwrap_or_default()
        );
    }
    (text, out.status.success())
}

fn run_ok(python: &Python, case: &Case, app: &str, driver: &str, label: &str) -> String {
    let (text, ok) = run(python, case, app, driver);
    assert!(
        ok,
        "{label}: the program failed:\n{text}\n--- app.py ---\n{app}"
    );
    text
}

/// The project facts of `case`'s files with `driver` as the driver.
fn facts(case: &Case, driver: &str, with_entry_points: bool) -> ProjectFacts {
    let mut project = ProjectFacts::default();
    let files = case
        .files
        .iter()
        .copied()
        .chain([("app.py", case.app), ("driver.py", driver)]);
    for (path, text) in files {
        let module = path.trim_end_matches(".py").replace('/', ".");
        let file = SourceFile::new(path).with_module_name(module);
        let scanned = lazify_core::facts::scan(text, &file).unwrap();
        project.add(Path::new(path), text, scanned);
    }
    if with_entry_points {
        for target in case.entry_points {
            project.add_entry_point(
                target,
                Location {
                    path: PathBuf::from("pyproject.toml"),
                    line: 1,
                },
            );
        }
    }
    project
}

/// lazify's `app.py` in `style` with `project`, and the reason when it kept the import.
fn lazify(style: Style, app: &str, project: ProjectFacts) -> (String, Option<KeepReason>) {
    let settings = Settings {
        style: Some(style),
        target_version: Some(match style {
            Style::Lazy => PythonVersion::PY315,
            Style::LazyModules | Style::Local => PythonVersion::new(3, 11),
        }),
        project: Some(Arc::new(project)),
        ..Settings::default()
    };
    let file = SourceFile::new("app.py").with_module_name("app");
    let outcome = lazify_core::run(app, &file, &settings);
    assert!(outcome.error.is_none(), "{style}: {:?}", outcome.error);
    let reason = match outcome.verdicts[0].decision {
        Decision::Keep { reason, .. } => Some(reason),
        Decision::Rewrite { .. } => None,
    };
    (
        outcome.fixed.map_or_else(|| app.to_string(), String::from),
        reason,
    )
}

fn check(name: &str, case: &Case) {
    let Some(py315) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    let older = support::python_pre315();
    if older.is_none() {
        support::missing_tool(
            "python3 older than 3.15",
            "Install a system python3 (3.11) to check `local` there.",
        );
    }
    let original = run_ok(&py315, case, case.app, case.driver, name);
    for blind in case.blind {
        let (after, _) = run(&py315, case, blind, case.driver);
        assert_ne!(
            original, after,
            "{name}: the fact is not observable: a blind rewrite behaves like the original\n{blind}"
        );
    }
    for &style in case.kept_in {
        let label = format!("{name} [{style}]");
        let (app, reason) = lazify(style, case.app, facts(case, case.driver, true));
        assert_eq!(reason, Some(case.reason), "{label}: {app}");
        let after = run_ok(&py315, case, &app, case.driver, &label);
        assert_eq!(
            original, after,
            "{label}: lazify's output changes the program"
        );
        if let Some(older) = &older
            && style == Style::Local
        {
            let before = run_ok(older, case, case.app, case.driver, &label);
            let after = run_ok(older, case, &app, case.driver, &label);
            assert_eq!(before, after, "{label} on python3: the program changed");
        }
    }
    for &style in case.free_in {
        let label = format!("{name} [{style}, not affected]");
        let (app, reason) = lazify(style, case.app, facts(case, case.driver, true));
        assert_eq!(reason, None, "{label}: kept: {app}");
        assert_ne!(app, case.app, "{label}: nothing rewritten");
        let after = run_ok(&py315, case, &app, case.driver, &label);
        assert_eq!(
            original, after,
            "{label}: lazify's output changes the program"
        );
    }
    // Without the fact: deferred in every style, until first use.
    let loaded = |yes: bool| {
        format!(
            "{} loaded {}",
            case.probe,
            if yes { "True" } else { "False" }
        )
    };
    let before = run_ok(&py315, case, case.app, case.clean_driver, name);
    assert!(before.contains(&loaded(true)), "{name}: {before}");
    for style in [Style::Lazy, Style::LazyModules, Style::Local] {
        let label = format!("{name} [{style}, fact removed]");
        let (app, reason) = lazify(style, case.app, facts(case, case.clean_driver, false));
        assert_eq!(reason, None, "{label}: still kept: {app}");
        let after = run_ok(&py315, case, &app, case.clean_driver, &label);
        assert!(
            after.contains(&loaded(false)),
            "{label}: not deferred:\n{after}\n--- app.py ---\n{app}"
        );
        assert_eq!(
            before.replace(&loaded(true), ""),
            after.replace(&loaded(false), ""),
            "{label}: deferring changed the program"
        );
    }
    eprintln!("runtime_facts: {name}: checked");
}

const ALL: &[Style] = &[Style::Lazy, Style::LazyModules, Style::Local];
const LAZY_STYLES: &[Style] = &[Style::Lazy, Style::LazyModules];

#[test]
fn sys_modules_patched_around_the_import() {
    check(
        "sys.modules patched",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_MODULE,
            blind: &[APP_MODULE_LAZY, APP_MODULE_LOCAL],
            driver: "import sys\nimport types\nfrom unittest import mock\n\nfake = types.ModuleType(\"heavy\")\nfake.compute = lambda: \"fake\"\nwith mock.patch.dict(sys.modules, {\"heavy\": fake}):\n    import app\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: ALL,
            reason: KeepReason::SysModulesPatched,
            free_in: &[],
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn name_rebound_in_its_module_by_another_file() {
    check(
        "settings.X rebound",
        &Case {
            files: &[("settings.py", "X = 1\n")],
            app: "from settings import X\n\n\ndef main():\n    return X\n",
            blind: &[
                "lazy from settings import X\n\n\ndef main():\n    return X\n",
                "def main():\n    from settings import X\n    return X\n",
            ],
            driver: "import app\nimport settings\n\nsettings.X = 2\nprint(\"main\", app.main())\nsettings.X = 3\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: ALL,
            reason: KeepReason::RebindElsewhere,
            free_in: &[],
            probe: "settings",
            clean_driver: "import sys\nimport app\nprint(\"settings loaded\", \"settings\" in sys.modules)\nprint(\"main\", app.main())\n",
        },
    );
}

#[test]
fn namespace_read_as_a_dict_by_another_file() {
    check(
        "vars(app)",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_MODULE,
            blind: &[APP_MODULE_LAZY, APP_MODULE_LOCAL],
            driver: "import app\n\nprint(\"ns\", type(vars(app)[\"heavy\"]).__name__)\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: ALL,
            reason: KeepReason::NamespaceReadElsewhere,
            free_in: &[],
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn names_listed_by_another_file() {
    check(
        "dir(app)",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_MODULE,
            blind: &[APP_MODULE_LOCAL],
            driver: "import app\n\nprint(\"dir\", [n for n in dir(app) if not n.startswith(\"_\")])\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: &[Style::Local],
            reason: KeepReason::NamespaceReadElsewhere,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn patch_target_below_the_name() {
    check(
        "patch(\"app.heavy.compute\")",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_MODULE,
            blind: &[APP_MODULE_LOCAL],
            driver: "from unittest import mock\n\nimport app\n\nwith mock.patch(\"app.heavy.compute\", return_value=\"fake\"):\n    print(\"main\", app.main())\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: &[Style::Local],
            reason: KeepReason::UsedByOtherModule,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn patch_multiple() {
    check(
        "patch.multiple(app, ...)",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_FROM,
            blind: &[APP_FROM_LOCAL],
            driver: "from unittest import mock\n\nimport app\n\nwith mock.patch.multiple(app, compute=lambda: \"fake\"):\n    print(\"main\", app.main())\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: &[Style::Local],
            reason: KeepReason::UsedByOtherModule,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn patch_dict_of_the_module_namespace() {
    check(
        "patch.dict(app.__dict__, ...)",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_FROM,
            blind: &[APP_FROM_LOCAL],
            driver: "from unittest import mock\n\nimport app\n\nwith mock.patch.dict(app.__dict__, {\"compute\": lambda: \"fake\"}):\n    print(\"main\", app.main())\nprint(\"main\", app.main())\n",
            entry_points: &[],
            kept_in: &[Style::Local],
            reason: KeepReason::UsedByOtherModule,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn star_import_consumer() {
    check(
        "from app import *",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_FROM,
            blind: &[APP_FROM_LOCAL],
            driver: "from app import *\n\nprint(\"main\", compute(), main())\n",
            entry_points: &[],
            kept_in: &[Style::Local],
            reason: KeepReason::UsedByOtherModule,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

#[test]
fn entry_point_names_the_import() {
    // What `importlib.metadata`'s `EntryPoint.load()` does for `"app:compute"`.
    check(
        "entry point app:compute",
        &Case {
            files: &[("heavy.py", HEAVY)],
            app: APP_FROM,
            blind: &[APP_FROM_LOCAL],
            driver: "import importlib\n\nfunc = getattr(importlib.import_module(\"app\"), \"compute\")\nprint(\"main\", func())\n",
            entry_points: &["app:compute"],
            kept_in: &[Style::Local],
            reason: KeepReason::UsedByOtherModule,
            free_in: LAZY_STYLES,
            probe: "heavy",
            clean_driver: CLEAN_DRIVER,
        },
    );
}

/// The converse: a module whose import is never read in its own file but is imported from it elsewhere is a
/// re-export, and is deferred in the lazy styles (kept where other files read it in `local`); without the
/// importer elsewhere, it stays a side-effect import.
#[test]
fn re_export_for_other_files_is_deferred() {
    let Some(py315) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    let case = Case {
        files: &[("heavy.py", HEAVY)],
        app: "from heavy import compute\n",
        blind: &[],
        driver: "import sys\nimport app\nprint(\"heavy loaded\", \"heavy\" in sys.modules)\nfrom app import compute\nprint(\"main\", compute())\n",
        entry_points: &[],
        kept_in: &[],
        reason: KeepReason::SideEffectOnly,
        free_in: &[],
        probe: "heavy",
        clean_driver: "import sys\nimport app\nprint(\"heavy loaded\", \"heavy\" in sys.modules)\n",
    };
    let before = run_ok(&py315, &case, case.app, case.driver, "re-export");
    assert!(before.contains("heavy loaded True"), "{before}");
    for style in LAZY_STYLES {
        let settings = Settings {
            style: Some(*style),
            target_version: Some(PythonVersion::PY315),
            project: Some(Arc::new(facts(&case, case.driver, false))),
            ..Settings::default()
        };
        let file = SourceFile::new("app.py").with_module_name("app");
        let outcome = lazify_core::run(case.app, &file, &settings);
        assert!(
            matches!(
                outcome.verdicts[0].decision,
                Decision::Rewrite {
                    why: RewriteWhy::ReExport,
                    ..
                }
            ),
            "{style}: {:?}",
            outcome.verdicts[0].decision
        );
        let app = outcome.fixed.unwrap();
        let after = run_ok(&py315, &case, &app, case.driver, "re-export lazified");
        assert!(after.contains("heavy loaded False"), "{style}: {after}");
        assert_eq!(
            before.replace("heavy loaded True", ""),
            after.replace("heavy loaded False", ""),
            "{style}: the re-export changed the program"
        );
        // Nobody imports it from here: a side-effect import, kept.
        let (_, reason) = lazify(*style, case.app, facts(&case, case.clean_driver, false));
        assert_eq!(reason, Some(KeepReason::SideEffectOnly), "{style}");
    }
    // `local` cannot move a name that other files import from here.
    let (_, reason) = lazify(Style::Local, case.app, facts(&case, case.driver, false));
    assert_eq!(reason, Some(KeepReason::UsedByOtherModule));
    eprintln!("runtime_facts: re-export: checked");
}
