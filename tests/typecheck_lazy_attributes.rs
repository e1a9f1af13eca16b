//! Type checkers see a package's names as before once its re-exports are lazy attributes (style `local`): mypy's
//! `reveal_type` of every re-exported name, through `pkg.name` and `from pkg import name`, gives the same output
//! before and after the rewrite, with no new errors.
//!
//! mypy comes from `LAZIFY_MYPY` (the path of a `mypy` executable) or `mypy` on `PATH`; without it the test skips
//! loudly, and fails when `CI` is set (`.ci/run` installs mypy 2.4.1 into its venv).

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: a failed step should fail the test loudly, and it says what it checked"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lazify_core::{PythonVersion, Settings, SourceFile, Style};

const INIT: &str = r#""""A typed package that re-exports its API."""

from . import extensions
from .core import Markdown, markdown
from .util import helper as shout

__all__ = ["Markdown", "markdown", "extensions", "shout", "convert"]


def convert(text: str) -> bytes:
    return shout(text)
"#;

const CORE: &str = r"class Markdown:
    def __init__(self, size: int = 1) -> None:
        self.size = size


def markdown(text: str) -> str:
    return text
";

const UTIL: &str = "def helper(text: str) -> bytes:\n    return text.encode()\n";

const EXTENSIONS: &str = "NAME: tuple[int, str] = (1, \"ext\")\n";

const USE: &str = r"import pkg
from pkg import Markdown, extensions, markdown, shout

reveal_type(pkg.Markdown)
reveal_type(pkg.Markdown(3).size)
reveal_type(pkg.markdown)
reveal_type(pkg.shout)
reveal_type(pkg.extensions.NAME)
reveal_type(pkg.convert)
reveal_type(Markdown)
reveal_type(markdown)
reveal_type(shout)
reveal_type(extensions)
";

fn mypy() -> Option<PathBuf> {
    std::env::var_os("LAZIFY_MYPY")
        .map(PathBuf::from)
        .or_else(|| support::find_on_path("mypy"))
}

fn write(dir: &Path, init: &str) {
    let package = dir.join("pkg");
    std::fs::create_dir_all(&package).unwrap();
    for (path, text) in [
        (package.join("__init__.py"), init),
        (package.join("core.py"), CORE),
        (package.join("util.py"), UTIL),
        (package.join("extensions.py"), EXTENSIONS),
        (dir.join("use.py"), USE),
    ] {
        std::fs::File::create(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .unwrap();
    }
}

/// mypy's report on `use.py` and the package (its exit status: 1 is expected, `reveal_type` is a note that
/// counts as an error in older versions; only the text is compared).
fn check(mypy: &Path, dir: &Path) -> String {
    let out = Command::new(mypy)
        .args([
            "--no-incremental",
            "--cache-dir",
            "/dev/null",
            "--python-version",
            "3.11",
            "--no-error-summary",
            "--hide-error-context",
            "use.py",
            "pkg",
        ])
        .current_dir(dir)
        .env_remove("MYPYPATH")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "mypy failed to run\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn mypy_reveals_the_same_types_after_the_rewrite() {
    let Some(mypy) = mypy() else {
        support::missing_tool(
            "mypy (LAZIFY_MYPY or mypy on PATH)",
            "Install it in a venv (`pip install mypy==2.4.1`) and set LAZIFY_MYPY to its `bin/mypy`.",
        );
        return;
    };
    let settings = Settings {
        style: Some(Style::Local),
        target_version: Some(PythonVersion::new(3, 11)),
        ..Settings::default()
    };
    let file = SourceFile::new("pkg/__init__.py").with_module_name("pkg");
    let fixed = lazify_core::run(INIT, &file, &settings).fixed.unwrap();
    assert!(fixed.contains("def __getattr__(name):"), "{fixed}");

    let tmp = tempfile::tempdir().unwrap();
    let (before_dir, after_dir) = (tmp.path().join("before"), tmp.path().join("after"));
    write(&before_dir, INIT);
    write(&after_dir, &fixed);
    let before = check(&mypy, &before_dir);
    let after = check(&mypy, &after_dir);
    // Not vacuous: mypy saw the real types.
    assert!(
        before.contains("Revealed type is \"tuple[int, str]\""),
        "{before}"
    );
    assert_eq!(
        before
            .lines()
            .filter(|l| l.contains("Revealed type"))
            .count(),
        USE.matches("reveal_type").count(),
        "{before}"
    );
    assert_eq!(
        before, after,
        "mypy sees the package differently after the rewrite\n--- pkg/__init__.py ---\n{fixed}"
    );
    eprintln!("typecheck_lazy_attributes: mypy: checked");
}
