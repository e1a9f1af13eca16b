//! Runtime proof of `LZF002` (`resolved-at-once`) on Python 3.15: a `lazy` import that module-level code reads
//! at once gains nothing, and removing `lazy` where lazify offers it changes nothing a program can see; where
//! lazify refuses, a blind removal would.
//!
//! The project: `app.py` (the file lazify runs on) with `lazy` imports that its module-level code reads, and a
//! driver that prints, after `import app`, which of the imported modules are in `sys.modules`, then calls
//! `app.main()`. The engine runs with the project's facts and an effect oracle over its files, as the command
//! line would.
//!
//! - lazify removes `lazy` from `quiet` (no import-time effect), `json` and `os.path` (outside the project, trusted
//!   as unknown), and the program's output is identical; the driver shows that each was loaded by `import app`
//!   already, before and after: `lazy` had gained nothing.
//! - lazify keeps `lazy` on `loud` (prints when it loads), `back` (imports `app` back and reads a name `app`
//!   defines after the import) and `configured` (no effect of its own, but it reads `settings.MODE`, which `app`
//!   sets between the import and the read): removing `lazy` by hand from any of them changes the program (the
//!   banner moves; the program fails; the old value is read), so the refusals are needed.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; without it the test skips with a loud
//! message, or fails when `CI` is set.

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

mod support;

use std::path::Path;
use std::sync::Arc;

use lazify_core::effects::{Analyzer, MapLocator};
use lazify_core::{
    Decision, KeepReason, ProjectFacts, PythonVersion, RewriteWhy, Settings, SourceFile, Style,
};
use support::Python;

const APP: &str = r#"lazy import json
lazy import os.path
lazy import quiet
lazy import loud
lazy import back
lazy import configured
import settings

PARSE = json.loads
JOIN = os.path.join
LOOKUP = quiet.lookup
print("app starts")
print("app reads loud", loud.VALUE)
NAME = "app"
print("app reads back", back.describe())
settings.MODE = "fast"
print("app reads configured", configured.MODE)
SETTINGS = PARSE('{"a": 1}')
HOME = JOIN("a", "b")
print("app reads quiet", LOOKUP("a"))


def main():
    return sorted(SETTINGS), HOME
"#;

const FILES: &[(&str, &str)] = &[
    (
        "quiet.py",
        "TABLE = {\"a\": 1}\n\n\ndef lookup(key):\n    return TABLE[key]\n",
    ),
    ("loud.py", "print(\"loud is loading\")\nVALUE = 2\n"),
    (
        "back.py",
        "import app\n\nSEEN = app.NAME\n\n\ndef describe():\n    return SEEN\n",
    ),
    ("settings.py", "MODE = \"default\"\n"),
    ("configured.py", "import settings\n\nMODE = settings.MODE\n"),
];

const DRIVER: &str = r#"import sys
import app
for name in ("json", "os.path", "quiet", "loud", "back", "configured"):
    print(name, "loaded by import app:", name in sys.modules)
print("main", app.main())
"#;

/// Runs the project with `app` as given; returns the exit status's success, stdout and stderr.
fn run(python: &Python, app: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        std::io::Write::write_all(
            &mut std::fs::File::create(dir.path().join(path)).unwrap(),
            text.as_bytes(),
        )
        .unwrap();
    };
    for (path, text) in FILES {
        write(path, text);
    }
    write("app.py", app);
    write("driver.py", DRIVER);
    let out = python
        .command()
        .arg("driver.py")
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn settings(style: Style) -> Settings {
    let mut locator = MapLocator::default();
    let mut facts = ProjectFacts::default();
    for (path, text) in FILES.iter().copied().chain([("app.py", APP)]) {
        let module = path.trim_end_matches(".py");
        locator = locator.with(module, path, text);
        let file = SourceFile::new(path).with_module_name(module);
        facts.add(
            Path::new(path),
            text,
            lazify_core::facts::scan(text, &file).unwrap(),
        );
    }
    Settings {
        style: Some(style),
        target_version: Some(PythonVersion::PY315),
        project: Some(Arc::new(facts)),
        effects: Some(Arc::new(Analyzer::new(locator))),
        ..Settings::default()
    }
}

#[test]
fn removing_lazy_where_lazify_offers_it_changes_nothing_and_the_refusals_are_needed() {
    let Some(py315) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    let (ok, original, stderr) = run(&py315, APP);
    assert!(ok, "the original fails:\n{original}\n{stderr}");
    // `lazy` gained nothing for the modules read at once: each is loaded by `import app` already.
    for name in ["json", "os.path", "quiet", "loud", "back", "configured"] {
        assert!(
            original.contains(&format!("{name} loaded by import app: True")),
            "{name}: {original}"
        );
    }
    let file = SourceFile::new("app.py").with_module_name("app");
    for style in [Style::Lazy, Style::LazyModules, Style::Local] {
        let outcome = lazify_core::run(APP, &file, &settings(style));
        assert!(outcome.error.is_none(), "{style}: {:?}", outcome.error);
        let decided: Vec<(&str, bool)> = outcome
            .verdicts
            .iter()
            .map(|v| {
                let eager = match &v.decision {
                    Decision::Rewrite { why, .. } => *why == RewriteWhy::ResolvedAtOnce,
                    Decision::Keep { reason, .. } => {
                        if v.module != "settings" {
                            assert_eq!(*reason, KeepReason::AlreadyLazy, "{style}: {v:?}");
                        }
                        false
                    }
                };
                (v.module.as_str(), eager)
            })
            .collect();
        assert_eq!(
            decided,
            [
                ("json", true),
                ("os.path", true),
                ("quiet", true),
                ("loud", false),
                ("back", false),
                ("configured", false),
                ("settings", false),
            ],
            "{style}"
        );
        let fixed = outcome.fixed.as_deref().expect("a rewrite").to_string();
        assert!(
            fixed.starts_with("import json\nimport os.path\nimport quiet\nlazy import loud\n"),
            "{style}: {fixed}"
        );
        let (ok, after, stderr) = run(&py315, &fixed);
        assert!(ok, "{style}: lazify's output fails:\n{after}\n{stderr}");
        assert_eq!(
            original, after,
            "{style}: lazify's output changes the program"
        );
    }
    // The refusals: removing `lazy` by hand from `loud` moves its banner; from `back`, the program fails.
    let (ok, loud_eager, _) = run(&py315, &APP.replace("lazy import loud", "import loud"));
    assert!(ok);
    assert_ne!(
        original, loud_eager,
        "an eager `loud` prints at another time"
    );
    let (ok, _, stderr) = run(&py315, &APP.replace("lazy import back", "import back"));
    assert!(
        !ok && stderr.contains("AttributeError"),
        "an eager `back` reads `app.NAME` before it exists: {stderr}"
    );
    // `configured` has no import-time effect, but reads `settings.MODE`, which `app` sets between the import and
    // the read: an eager `configured` sees the old value.
    let (ok, configured_eager, _) = run(
        &py315,
        &APP.replace("lazy import configured", "import configured"),
    );
    assert!(ok);
    assert!(
        original.contains("app reads configured fast")
            && configured_eager.contains("app reads configured default"),
        "{original}\n{configured_eager}"
    );
}
