//! Runtime proof for lazy attributes (style `local`, PEP 562 `__getattr__` in a package that re-exports its API),
//! on the system Python 3.11 and on 3.15: a generated package runs a probe before and after the rewrite, and the
//! probe's output must be identical (the package's names, `dir()`, `from pkg import *`, `hasattr`, the
//! `AttributeError` wording, pickling of a re-exported class, `importlib.reload`, `mock.patch("pkg.Name")`,
//! `mock.patch.object(pkg, "name")` on a name never accessed before, the submodules bound as attributes), while
//! after the rewrite `import pkg` loads none of the submodules.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "a test harness: a failed step should fail the test loudly, and it says what it checked"
)]

mod support;

use std::path::Path;

use lazify_core::{Decision, PythonVersion, RewriteWhy, Settings, SourceFile, Style};
use support::Python;

const INIT: &str = r#""""A package that re-exports its API."""

from . import extensions
from .core import Markdown, markdown
from .util import helper

__version__ = "1.0"

__all__ = ["Markdown", "markdown", "extensions", "helper", "convert"]


def convert(text):
    return helper(text)
"#;

const CORE: &str = r#"print("loading pkg.core")


class Markdown:
    def __init__(self, size=1):
        self.size = size


def markdown(text):
    return f"<p>{text}</p>"
"#;

const UTIL: &str = "print(\"loading pkg.util\")\n\n\ndef helper(text):\n    return text.upper()\n";

const EXTENSIONS: &str = "print(\"loading pkg.extensions\")\n\nNAME = \"ext\"\n";

/// What lazify writes itself, left out of the `dir()` comparison.
const GENERATED: &str = "{\"TYPE_CHECKING\", \"_lazy_attributes\", \"__getattr__\", \"__dir__\"}";

fn probe() -> String {
    format!(
        r#"import importlib
import pickle
import sys
from unittest import mock

import pkg

print("LOADED", sorted(m for m in sys.modules if m.startswith("pkg.")))
generated = {GENERATED}
print("dir", sorted(n for n in dir(pkg) if n not in generated))
with mock.patch.object(pkg, "markdown", lambda text: "patched"):
    print("patch.object", pkg.markdown("x"))
print("restored", pkg.markdown("x"), pkg.markdown is pkg.core.markdown)
print("names", pkg.Markdown.__name__, pkg.extensions.NAME, pkg.helper("a"), pkg.convert("b"))
print("submodules", pkg.core.__name__, pkg.util.__name__, pkg.extensions.__name__)
print("hasattr", hasattr(pkg, "Markdown"), hasattr(pkg, "nope"))
try:
    pkg.nope
except AttributeError as e:
    print("error", e)
namespace = {{}}
exec("from pkg import *", namespace)
print("star", sorted(k for k in namespace if k != "__builtins__"))
from pkg import Markdown

print("pickle", pickle.loads(pickle.dumps(Markdown(3))).size, pickle.loads(pickle.dumps(Markdown)) is Markdown)
with mock.patch("pkg.Markdown", "patched"):
    print("patch", pkg.Markdown)
print("unpatched", pkg.Markdown is pkg.core.Markdown)
importlib.reload(pkg)
print("reload", pkg.Markdown is pkg.core.Markdown, pkg.convert("c"), pkg.__version__)
"#
    )
}

fn write(dir: &Path, init: &str) {
    let package = dir.join("pkg");
    std::fs::create_dir_all(&package).unwrap();
    for (path, text) in [
        (package.join("__init__.py"), init.to_string()),
        (package.join("core.py"), CORE.to_string()),
        (package.join("util.py"), UTIL.to_string()),
        (package.join("extensions.py"), EXTENSIONS.to_string()),
        (dir.join("probe.py"), probe()),
    ] {
        std::fs::File::create(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .unwrap();
    }
}

fn run(python: &Python, dir: &Path, label: &str) -> String {
    let out = python
        .command()
        .arg("probe.py")
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

/// The probe's lines that must not change (the loading order and what `import pkg` loaded do).
fn program_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("LOADED ") && !l.starts_with("loading "))
        .collect()
}

fn check(python: &Python) {
    let settings = Settings {
        style: Some(Style::Local),
        target_version: Some(PythonVersion::new(3, 11)),
        ..Settings::default()
    };
    let file = SourceFile::new("pkg/__init__.py").with_module_name("pkg");
    let outcome = lazify_core::run(INIT, &file, &settings);
    for verdict in &outcome.verdicts {
        assert!(
            matches!(
                verdict.decision,
                Decision::Rewrite {
                    why: RewriteWhy::LazyAttribute,
                    ..
                }
            ),
            "{}: {:?}",
            verdict.describe(),
            verdict.decision
        );
    }
    let fixed = outcome.fixed.expect("the package is rewritten");
    assert!(fixed.contains("def __getattr__(name):"), "{fixed}");
    assert!(!fixed.contains("\nfrom .core"), "{fixed}");

    let tmp = tempfile::tempdir().unwrap();
    let before_dir = tmp.path().join("before");
    let after_dir = tmp.path().join("after");
    write(&before_dir, INIT);
    write(&after_dir, &fixed);
    let version = format!("{}.{}", python.version.0, python.version.1);
    let before = run(python, &before_dir, &format!("{version} before"));
    let after = run(python, &after_dir, &format!("{version} after"));
    assert!(
        before.contains("LOADED ['pkg.core', 'pkg.extensions', 'pkg.util']"),
        "{version}: the original loads its submodules\n{before}"
    );
    assert!(
        after.contains("LOADED []"),
        "{version}: after the rewrite `import pkg` loads no submodule\n{after}\n--- pkg/__init__.py ---\n{fixed}"
    );
    assert_eq!(
        program_lines(&before),
        program_lines(&after),
        "{version}: the package behaves differently\n--- pkg/__init__.py ---\n{fixed}"
    );
    // Not vacuous: every probe line ran.
    assert!(
        after.contains("error module 'pkg' has no attribute 'nope'"),
        "{after}"
    );
    assert!(after.contains("reload True C 1.0"), "{after}");
    eprintln!("runtime_lazy_attributes: Python {version}: checked");
}

#[test]
fn lazy_attributes_on_python_311() {
    let Some(python) = support::python_pre315() else {
        support::missing_tool(
            "Python before 3.15 (`python3` on PATH)",
            "Install a Python 3.10–3.14 as `python3`.",
        );
        return;
    };
    check(&python);
}

#[test]
fn lazy_attributes_on_python_315() {
    let Some(python) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    check(&python);
}

/// A re-export that a submodule imported eagerly further down reads back (`from pkg import Thing` in `pkg.sub`)
/// stays eager: a blind lazy attribute breaks `import pkg` (the table at the end of the file is not there yet);
/// lazify keeps it, and `import pkg` works on 3.11 and on 3.15.
#[test]
fn a_re_export_read_back_while_the_package_loads_stays_eager() {
    const INIT: &str =
        "__all__ = [\"Thing\"]\n\nfrom .core import Thing\n\nfrom . import sub\n\nVALUE = sub.X\n";
    let files = [
        ("pkg/core.py", "class Thing:\n    pass\n"),
        ("pkg/sub.py", "from pkg import Thing\n\nX = Thing\n"),
        (
            "probe.py",
            "import pkg\n\nprint(pkg.Thing.__name__, pkg.VALUE is pkg.Thing)\n",
        ),
    ];
    let pythons: Vec<Python> = [support::python_pre315(), support::python315()]
        .into_iter()
        .flatten()
        .collect();
    if pythons.is_empty() {
        support::missing_tool(
            "Python (`python3` before 3.15, or 3.15 from LAZIFY_PYTHON315)",
            "Run `bash ../shared/py315/install.sh`.",
        );
        return;
    }
    let mut facts = lazify_core::ProjectFacts::default();
    for (path, text) in files.iter().copied().chain([("pkg/__init__.py", INIT)]) {
        let module = path
            .trim_end_matches(".py")
            .trim_end_matches("/__init__")
            .replace('/', ".");
        let file = SourceFile::new(path).with_module_name(module);
        facts.add(
            Path::new(path),
            text,
            lazify_core::facts::scan(text, &file).unwrap(),
        );
    }
    let settings = Settings {
        style: Some(Style::Local),
        target_version: Some(PythonVersion::new(3, 11)),
        project: Some(std::sync::Arc::new(facts)),
        ..Settings::default()
    };
    let file = SourceFile::new("pkg/__init__.py").with_module_name("pkg");
    let outcome = lazify_core::run(INIT, &file, &settings);
    assert!(
        matches!(
            outcome.verdicts[0].decision,
            Decision::Keep {
                reason: lazify_core::KeepReason::ReadBackWhileLoading,
                ..
            }
        ),
        "{:?}",
        outcome.verdicts[0]
    );
    // What a lazy attribute without the check would do: the same table, made by the engine without the project.
    let blind = lazify_core::run(
        INIT,
        &file,
        &Settings {
            project: None,
            ..settings.clone()
        },
    );
    let blind = blind
        .fixed
        .expect("without the project, `Thing` becomes a lazy attribute");
    let tmp = tempfile::tempdir().unwrap();
    let write_tree = |dir: &Path, init: &str| {
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        for (path, text) in files.iter().copied().chain([("pkg/__init__.py", init)]) {
            std::fs::File::create(dir.join(path))
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
                .unwrap();
        }
    };
    let kept = outcome.fixed.as_deref().map_or(INIT, |t| t);
    write_tree(&tmp.path().join("kept"), kept);
    write_tree(&tmp.path().join("blind"), &blind);
    for python in &pythons {
        let ok = run(python, &tmp.path().join("kept"), "kept");
        assert!(ok.contains("Thing True"), "{ok}");
        let out = python
            .command()
            .arg("probe.py")
            .current_dir(tmp.path().join("blind"))
            .output()
            .unwrap();
        assert!(
            !out.status.success()
                && String::from_utf8_lossy(&out.stderr).contains("cannot import name 'Thing'"),
            "the blind lazy attribute should break `import pkg`: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
