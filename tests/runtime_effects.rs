//! Runtime proof of the effect analysis (issue 11 §1) on real interpreters.
//!
//! Each test is one effect kind. A mini-project has `effmod.py`, whose body has the effect, `app.py`, which
//! imports it and uses it only inside `main()`, and a driver that imports `app`, observes the effect's target
//! (an output line, a registry, a codec, the environment, ...), prints whether `effmod` is in `sys.modules`,
//! then calls `app.main()`. The engine runs with an effect oracle over the project's files
//! ([`lazify_core::effects::MapLocator`]: the engine's own oracle, fed the same files the workspace would read).
//!
//! For each kind:
//! - a blind rewrite of `app.py` (every import made lazy) changes the program's output on Python 3.15 (so the
//!   effect is real and a deferral would show);
//! - lazify keeps the import (`imported-module-has-effects`) and the output is identical, in styles `lazy`,
//!   `lazy-modules` and `local` on 3.15, and `lazy-modules` and `local` on the older `python3` too;
//! - with the effect removed from `effmod.py`, lazify defers the import: on 3.15 `effmod` is not in
//!   `sys.modules` until `main()` runs, in every style, and the rest of the output is unchanged.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; the older Python is `python3` on
//! `PATH`. A missing interpreter skips with a loud message, or fails when `CI` is set.

#![expect(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use lazify_core::effects::{Analyzer, MapLocator};
use lazify_core::{Decision, KeepReason, PythonVersion, Settings, SourceFile, Style};
use support::Python;

/// `app.py`: imports `effmod` and uses it only in `main()`.
const APP: &str = "import effmod\n\n\ndef main():\n    return effmod.VALUE\n";

/// The blind rewrite of `app.py`.
const APP_BLIND: &str = "lazy import effmod\n\n\ndef main():\n    return effmod.VALUE\n";

/// One effect kind.
struct Case {
    /// `effmod.py` with the effect.
    effect: &'static str,
    /// `effmod.py` without it.
    clean: &'static str,
    /// Other files.
    files: &'static [(&'static str, &'static str)],
    /// The driver's observation after `import app` (and again after `main()`), as Python statements.
    observe: &'static str,
    /// Standard input.
    stdin: &'static str,
}

fn driver(case: &Case) -> String {
    format!(
        "import sys\nimport app\n{observe}\nprint(\"effmod loaded\", \"effmod\" in sys.modules)\nprint(\"main\", app.main())\n{observe}\n",
        observe = case.observe
    )
}

fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::File::create(&file)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

/// Runs the project with `effmod` and `app` as given; returns stdout.
fn run(python: &Python, case: &Case, effmod: &str, app: &str, label: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in case.files {
        write(dir.path(), path, text);
    }
    write(dir.path(), "effmod.py", effmod);
    write(dir.path(), "app.py", app);
    write(dir.path(), "driver.py", &driver(case));
    let mut child = python
        .command()
        .arg("driver.py")
        .current_dir(dir.path())
        .env("EFF_MODE", "early")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(case.stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{label}: the program failed ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The engine's settings for `style`, with an oracle over the project's files.
fn settings(style: Style, case: &Case, effmod: &str) -> Settings {
    let mut locator = MapLocator::default().with("effmod", "effmod.py", effmod);
    for (path, text) in case.files {
        let module = path.trim_end_matches(".py").replace('/', ".");
        let module = module.trim_end_matches(".__init__").to_string();
        locator = locator.with(&module, path, text);
    }
    Settings {
        style: Some(style),
        target_version: Some(match style {
            Style::Lazy => PythonVersion::PY315,
            Style::LazyModules | Style::Local => PythonVersion::new(3, 11),
        }),
        effects: Some(Arc::new(Analyzer::new(locator))),
        ..Settings::default()
    }
}

/// lazify's `app.py` and whether it kept `import effmod` for its effects.
fn lazify(style: Style, case: &Case, effmod: &str) -> (String, Option<KeepReason>) {
    let file = SourceFile::new("app.py").with_module_name("app");
    let outcome = lazify_core::run(APP, &file, &settings(style, case, effmod));
    assert!(outcome.error.is_none(), "{style}: {:?}", outcome.error);
    let reason = match outcome.verdicts[0].decision {
        Decision::Keep { reason, .. } => Some(reason),
        Decision::Rewrite { .. } => None,
    };
    (
        outcome.fixed.map_or_else(|| APP.to_string(), String::from),
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
    let original = run(&py315, case, case.effect, APP, &format!("{name} original"));
    assert!(
        original.contains("effmod loaded True"),
        "{name}: {original}"
    );
    let blind = run(
        &py315,
        case,
        case.effect,
        APP_BLIND,
        &format!("{name} blind"),
    );
    assert_ne!(
        original, blind,
        "{name}: the effect is not observable: a blind lazy import behaves like the original"
    );
    let older = support::python_pre315();
    if older.is_none() {
        support::missing_tool(
            "python3 older than 3.15",
            "Install a system python3 (3.11) to check `lazy-modules` and `local` there.",
        );
    }
    for style in [Style::Lazy, Style::LazyModules, Style::Local] {
        let label = format!("{name} [{style}]");
        // With the effect: kept, and the program is unchanged.
        let (app, reason) = lazify(style, case, case.effect);
        assert_eq!(
            reason,
            Some(KeepReason::ImportedModuleHasEffects),
            "{label}: {app}"
        );
        let after = run(&py315, case, case.effect, &app, &label);
        assert_eq!(
            original, after,
            "{label}: lazify's output changes the program"
        );
        if let Some(older) = &older
            && style != Style::Lazy
        {
            let before = run(older, case, case.effect, APP, &format!("{label} python3"));
            let after = run(older, case, case.effect, &app, &format!("{label} python3"));
            assert_eq!(
                before, after,
                "{label} on python3: lazify's output changes the program"
            );
        }
        // Without the effect: deferred until `main()`, nothing else changes.
        let (app, reason) = lazify(style, case, case.clean);
        assert_eq!(reason, None, "{label} (effect removed): still kept: {app}");
        let before = run(
            &py315,
            case,
            case.clean,
            APP,
            &format!("{label} clean original"),
        );
        let after = run(
            &py315,
            case,
            case.clean,
            &app,
            &format!("{label} clean lazify"),
        );
        assert!(before.contains("effmod loaded True"), "{label}: {before}");
        assert!(
            after.contains("effmod loaded False"),
            "{label}: the clean module was not deferred:\n{after}\n--- app.py ---\n{app}"
        );
        assert_eq!(
            before.replace("effmod loaded True", ""),
            after.replace("effmod loaded False", ""),
            "{label}: deferring the clean module changed the program"
        );
        if let Some(older) = &older
            && style == Style::Local
        {
            let before = run(
                older,
                case,
                case.clean,
                APP,
                &format!("{label} clean python3"),
            );
            let after = run(
                older,
                case,
                case.clean,
                &app,
                &format!("{label} clean python3"),
            );
            assert!(
                after.contains("effmod loaded False"),
                "{label} python3: {after}"
            );
            assert_eq!(
                before.replace("effmod loaded True", ""),
                after.replace("effmod loaded False", ""),
                "{label} on python3: deferring the clean module changed the program"
            );
        }
    }
    eprintln!("runtime_effects: {name}: checked");
}

#[test]
fn registers_a_codec() {
    check(
        "registers",
        &Case {
            effect: "import codecs\n\n\ndef _search(name):\n    if name == \"effcodec\":\n        return codecs.lookup(\"utf-8\")\n    return None\n\n\ncodecs.register(_search)\nVALUE = 1\n",
            clean: "import codecs\n\n\ndef _search(name):\n    return None\n\n\nVALUE = 1\n",
            files: &[],
            observe: "import codecs\ntry:\n    codecs.lookup(\"effcodec\")\n    print(\"codec found\")\nexcept LookupError:\n    print(\"codec missing\")",
            stdin: "",
        },
    );
}

#[test]
fn fills_another_modules_registry() {
    check(
        "other-module",
        &Case {
            effect: "import registry\n\n\n@registry.register(\"eff\")\ndef handler():\n    return 1\n\n\nVALUE = 1\n",
            clean: "import registry\n\n\ndef handler():\n    return 1\n\n\nVALUE = 1\n",
            files: &[(
                "registry.py",
                "HANDLERS = {}\n\n\ndef register(name):\n    def deco(f):\n        HANDLERS[name] = f\n        return f\n    return deco\n",
            )],
            observe: "import registry\nprint(\"handlers\", sorted(registry.HANDLERS))",
            stdin: "",
        },
    );
}

#[test]
fn changes_process_state() {
    check(
        "process-state",
        &Case {
            effect: "import os\n\nos.environ[\"EFF_SET\"] = \"yes\"\nVALUE = 1\n",
            clean: "import os\n\nVALUE = 1\n",
            files: &[],
            observe: "import os\nprint(\"EFF_SET\", os.environ.get(\"EFF_SET\"))",
            stdin: "",
        },
    );
}

/// `sys.modules["name"] = module` registers a module under a name: an effect when the project imports that name
/// (here `aliases.py`), and none for a private alias that nothing imports (the clean `effmod.py`: markdown's
/// `htmlparser.py` registers its patched copy of `html.parser` so).
#[test]
fn registers_a_module_alias() {
    check(
        "module-alias",
        &Case {
            effect: "import sys
import types

sys.modules[\"effalias\"] = types.ModuleType(\"effalias\")
VALUE = 1
",
            clean: "import sys
import types

sys.modules[\"effprivate\"] = types.ModuleType(\"effprivate\")
VALUE = 1
",
            files: &[(
                "aliases.py",
                "def get():\n    import effalias\n    return effalias.__name__\n",
            )],
            observe: "import aliases\ntry:\n    print(\"alias\", aliases.get())\nexcept ImportError:\n    print(\"alias missing\")",
            stdin: "",
        },
    );
}

#[test]
fn reads_the_environment() {
    check(
        "reads-process",
        &Case {
            effect: "import os\n\nVALUE = os.environ.get(\"EFF_MODE\")\n",
            clean: "import os\n\nVALUE = \"fixed\"\n",
            files: &[],
            observe: "import os\nos.environ[\"EFF_MODE\"] = \"late\"",
            stdin: "",
        },
    );
}

#[test]
fn starts_a_thread() {
    check(
        "concurrency",
        &Case {
            effect: "import threading\nimport shared\n\nt = threading.Thread(target=lambda: shared.RAN.append(\"thread\"))\nt.start()\nt.join()\nVALUE = 1\n",
            clean: "import threading\nimport shared\n\nVALUE = 1\n",
            files: &[("shared.py", "RAN = []\n")],
            observe: "import shared\nprint(\"ran\", shared.RAN)",
            stdin: "",
        },
    );
}

#[test]
fn prints_a_banner() {
    check(
        "output",
        &Case {
            effect: "print(\"effmod banner\")\nVALUE = 1\n",
            clean: "VALUE = 1\n",
            files: &[],
            observe: "print(\"observed\")",
            stdin: "",
        },
    );
}

#[test]
fn reads_input() {
    check(
        "input",
        &Case {
            effect: "VALUE = input()\n",
            clean: "VALUE = \"fixed\"\n",
            files: &[],
            observe: "print(\"driver read\", input())",
            stdin: "first\nsecond\nthird\n",
        },
    );
}
