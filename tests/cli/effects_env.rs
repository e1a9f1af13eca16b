//! The effects of installed packages: a real `CPython` 3.15 virtual environment made by the test, a small local
//! package installed into it with pip (offline, from a folder), and each way lazify finds the environment
//! (`.venv` beside the project, `VIRTUAL_ENV`, `--python` with an interpreter or a folder, `python = ` in the
//! configuration). Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; without one the test
//! skips loudly, or fails when `CI` is set.

#![expect(
    clippy::print_stderr,
    clippy::expect_used,
    reason = "a test harness: saying why it skipped is its job"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Project, assert_code, stdout};

/// The installed package: one module per effect kind, a clean one, and a registry used by a plugin.
const PACKAGE: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"effpkg\"\nversion = \"1.0\"\n\n[tool.setuptools]\npackages = [\"effpkg\"]\n",
    ),
    ("effpkg/__init__.py", "VERSION = \"1.0\"\n"),
    (
        "effpkg/codec.py",
        "import codecs\n\n\ndef _search(name):\n    return None\n\n\ncodecs.register(_search)\n",
    ),
    ("effpkg/banner.py", "print(\"effpkg banner\")\n"),
    (
        "effpkg/envread.py",
        "import os\n\nLEVEL = os.environ.get(\"EFFPKG_LEVEL\", \"info\")\n",
    ),
    (
        "effpkg/hooks.py",
        "import sys\n\n\ndef _hook(*args):\n    pass\n\n\nsys.excepthook = _hook\n",
    ),
    (
        "effpkg/spawn.py",
        "import threading\n\nthreading.Thread(target=lambda: None, daemon=True).start()\n",
    ),
    (
        "effpkg/registry.py",
        "PLUGINS = []\n\n\ndef register(f):\n    PLUGINS.append(f)\n    return f\n",
    ),
    (
        "effpkg/plugin.py",
        "from effpkg.registry import register\n\n\n@register\ndef plugin():\n    return 1\n",
    ),
    (
        "effpkg/clean.py",
        "import re\n\nPATTERN = re.compile(\"x+\")\n\n\ndef work():\n    return PATTERN\n",
    ),
];

const MAIN: &str = "\
import effpkg.banner
import effpkg.clean as clean
import effpkg.codec
import effpkg.envread
import effpkg.hooks
import effpkg.plugin
import effpkg.spawn


def main():
    return effpkg.banner, clean, effpkg.codec, effpkg.envread, effpkg.hooks, effpkg.plugin, effpkg.spawn
";

/// Python 3.15, or `None` (after saying so) when there is none and `CI` is not set.
fn python315() -> Option<PathBuf> {
    let candidates = std::env::var_os("LAZIFY_PYTHON315")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(PathBuf::from("python3.15")));
    for candidate in candidates {
        let works = Command::new(&candidate)
            .args(["-c", "import sys; assert sys.version_info >= (3, 15)"])
            .status()
            .is_ok_and(|s| s.success());
        if works {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but no Python 3.15 was found (LAZIFY_PYTHON315 or python3.15 on PATH)"
    );
    eprintln!("SKIPPED: effects_env needs Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)");
    None
}

/// Makes a virtual environment at `venv` and installs the package from `source` into it with pip, offline:
/// pip and setuptools come from the interpreter's bundled wheels.
fn make_venv(python: &Path, venv: &Path, source: &Path) {
    let status = Command::new(python)
        .args(["-m", "venv", "--without-pip"])
        .arg(venv)
        .status()
        .unwrap();
    assert!(status.success(), "python3.15 -m venv failed");
    let prefix = Command::new(python)
        .args(["-c", "import sys; print(sys.base_prefix)"])
        .output()
        .unwrap();
    let prefix = PathBuf::from(String::from_utf8(prefix.stdout).unwrap().trim());
    let mut wheels: Vec<PathBuf> = ["share/python-wheels", "lib/python3.15/ensurepip/_bundled"]
        .iter()
        .map(|d| prefix.join(d))
        .filter(|d| d.is_dir())
        .collect();
    let pip = wheels
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().flatten().map(|e| e.path()))
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("pip-")
                    && Path::new(n)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("whl"))
            })
        })
        .expect("a bundled pip wheel beside Python 3.15");
    let mut install = Command::new(venv.join("bin/python"));
    install.arg(pip.join("pip")).args([
        "install",
        "-q",
        "--disable-pip-version-check",
        "--no-index",
    ]);
    for dir in wheels.drain(..) {
        install.arg("--find-links").arg(dir);
    }
    let output = install.arg(source).output().unwrap();
    assert!(
        output.status.success(),
        "pip install failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A verdict: module, reason, and the chain's last step (path and text).
type Verdict = (String, String, Option<(String, String)>);

/// `(module, reason, last step's path and text)` for each verdict of `main.py`.
fn verdicts(output: &std::process::Output) -> Vec<Verdict> {
    let json: serde_json::Value = serde_json::from_str(&stdout(output)).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let last = v["chain"]["steps"]
                .as_array()
                .and_then(|s| s.last())
                .map(|s| {
                    (
                        s["path"].as_str().unwrap_or_default().to_string(),
                        s["text"].as_str().unwrap_or_default().to_string(),
                    )
                });
            (
                v["module"].as_str().unwrap().to_string(),
                v["reason"].as_str().unwrap().to_string(),
                last,
            )
        })
        .collect()
}

const ARGS: &[&str] = &[
    "main.py",
    "--explain",
    "--output-format",
    "json",
    "--target-version",
    "py315",
];

/// Every effectful module is kept with a chain into `site-packages`; the clean one is deferred.
fn assert_kept_from_site_packages(output: &std::process::Output, how: &str) {
    assert_code(output, 1);
    let found = verdicts(output);
    let expect = [
        ("effpkg.banner", "print(...)"),
        ("effpkg.codec", "codecs.register(...)"),
        ("effpkg.envread", "os.environ"),
        ("effpkg.hooks", "sys.excepthook"),
        ("effpkg.plugin", "PLUGINS.append(f)"),
        (
            "effpkg.spawn",
            "threading.Thread(target=lambda: None, daemon=True).start()",
        ),
    ];
    for (module, text) in expect {
        let (_, reason, last) = found
            .iter()
            .find(|(m, ..)| m == module)
            .unwrap_or_else(|| panic!("{how}: no verdict for {module}: {found:?}"));
        assert_eq!(
            reason, "imported-module-has-effects",
            "{how}: {module}: {found:?}"
        );
        let (path, step) = last.as_ref().unwrap();
        assert!(
            path.contains("site-packages/effpkg/"),
            "{how}: {module}: {path}"
        );
        assert_eq!(step, text, "{how}: {module}");
    }
    let clean = found.iter().find(|(m, ..)| m == "effpkg.clean").unwrap();
    assert_eq!(clean.1, "used-only-deferred", "{how}: {found:?}");
}

#[test]
fn installed_packages_are_read_from_the_discovered_environment() {
    let Some(python) = python315() else { return };
    let project = Project::new();
    for (path, text) in PACKAGE {
        project.file(&format!("pkgsrc/{path}"), text);
    }
    let venv_parent = tempfile::tempdir().unwrap();
    let venv = venv_parent.path().join("env");
    make_venv(&python, &venv, &project.path("pkgsrc"));
    // The package's source folder is not part of the project being processed.
    let app = Project::new();
    app.file("main.py", MAIN);

    // `--python` with the environment's folder, and with its interpreter.
    let output = app
        .command()
        .args(ARGS)
        .arg("--python")
        .arg(&venv)
        .output()
        .unwrap();
    assert_kept_from_site_packages(&output, "--python DIR");
    let output = app
        .command()
        .args(ARGS)
        .arg("--python")
        .arg(venv.join("bin/python"))
        .output()
        .unwrap();
    assert_kept_from_site_packages(&output, "--python INTERPRETER");

    // `VIRTUAL_ENV`.
    let output = app
        .command()
        .env("VIRTUAL_ENV", &venv)
        .args(ARGS)
        .output()
        .unwrap();
    assert_kept_from_site_packages(&output, "VIRTUAL_ENV");

    // `python = ` in the configuration, relative to the configuration file.
    let configured = Project::new();
    configured.file("main.py", MAIN);
    configured.file(
        "lazify.toml",
        format!("python = {:?}\n", venv.display().to_string()),
    );
    let output = configured.command().args(ARGS).output().unwrap();
    assert_kept_from_site_packages(&output, "python = ");

    // A `.venv` beside the project (found when `VIRTUAL_ENV` is not set).
    let beside = Project::new();
    beside.file("app/main.py", MAIN);
    make_venv(&python, &beside.path(".venv"), &project.path("pkgsrc"));
    let output = beside
        .command()
        .current_dir(beside.path("app"))
        .env_remove("VIRTUAL_ENV")
        .args(ARGS)
        .output()
        .unwrap();
    assert_kept_from_site_packages(&output, ".venv");

    // No environment: the package is unknown, trusted, and every import is deferred.
    let output = app.command().args(ARGS).output().unwrap();
    assert_code(&output, 1);
    assert!(
        verdicts(&output)
            .iter()
            .all(|(_, reason, _)| reason == "used-only-deferred"),
        "{:?}",
        verdicts(&output)
    );
}
