//! `lazify measure` (issue 16) on the real Python 3.15: the demo, and a generated package with a deliberately
//! heavy dependency (a module that allocates 64 MiB at import, kept eager, and one of 32 MiB that the rewrite
//! defers). The figures must move the right way (modules and memory drop after the rewrite), the heavy module's
//! statement must rank first, the JSON must have the documented shape, the report must render in a real browser
//! (headless Chromium), and nothing in the measured tree may change. No wall-clock thresholds: only module
//! counts and tens of MiB of allocation, which no busy machine blurs.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`, Chromium from `chromium` on `PATH`
//! (Debian's package); either missing skips loudly, or fails when `CI` is set.
// See: issue 16

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: failing loudly is its job"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn lazify() -> Command {
    let mut command = Command::cargo_bin("lazify").unwrap();
    command.env_remove("VIRTUAL_ENV");
    command
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::File::create(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .unwrap();
}

/// Every file under `root` with its bytes, to prove nothing changed.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// A package whose `__init__` keeps `blob` (64 MiB at import, used at import time) and `small`, and defers
/// `bulky` (32 MiB) and `json` (used only in a function).
fn heavy_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"heavypkg\"\nversion = \"0\"\nrequires-python = \">=3.15\"\n",
    );
    write(
        root,
        "heavypkg/__init__.py",
        "import json\n\nfrom . import small\nfrom . import blob\nfrom . import bulky\n\n\
         SIZE = len(blob.DATA) + small.ONE\n\n\ndef bulk_size():\n    return len(bulky.DATA) + len(json.dumps([]))\n",
    );
    write(root, "heavypkg/blob.py", "DATA = b\"x\" * (64 << 20)\n");
    write(root, "heavypkg/bulky.py", "DATA = b\"y\" * (32 << 20)\n");
    write(root, "heavypkg/small.py", "ONE = 1\n");
    dir
}

fn python315() -> Option<support::Python> {
    let python = support::python315();
    if python.is_none() {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
    }
    python
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "lazify measure failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn number(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {value}"))
}

/// The documented shape: `version`, `python`, `module`, `style`, `runs`, `before`, `after` (and `limit`),
/// each with `time_ms`, `modules`, `rss_mib`, `alloc_mib`, and `imports` with at least `path`, `line`,
/// `statement`, `verdict`, `reason`, `cost_ms`, `modules`, `rss_mib`.
fn assert_shape(json: &Value, module: &str) {
    assert!(json["version"].is_string());
    assert!(json["python"].as_str().unwrap().contains("3.15"));
    assert_eq!(json["module"], module);
    assert_eq!(json["style"], "lazy");
    assert_eq!(json["runs"], 3);
    for variant in ["before", "after", "limit"] {
        for key in ["time_ms", "modules", "rss_mib", "alloc_mib"] {
            assert!(
                number(&json[variant], key) > 0.0,
                "{variant}.{key} in {json}"
            );
        }
    }
    let imports = json["imports"].as_array().unwrap();
    assert!(!imports.is_empty());
    for import in imports {
        for key in ["path", "statement", "verdict", "reason"] {
            assert!(import[key].is_string(), "{key} in {import}");
        }
        for key in ["line", "cost_ms", "modules", "rss_mib"] {
            assert!(import[key].is_number(), "{key} in {import}");
        }
        assert!(["keep", "rewrite", "mixed"].contains(&import["verdict"].as_str().unwrap()));
    }
}

fn find<'a>(imports: &'a [Value], statement: &str) -> &'a Value {
    imports
        .iter()
        .find(|i| i["statement"] == statement)
        .unwrap_or_else(|| panic!("no `{statement}` in {imports:?}"))
}

#[test]
fn heavy_dependency_ranks_first_and_memory_drops() {
    let Some(python) = python315() else { return };
    let project = heavy_project();
    let before = snapshot(project.path());
    let report = project.path().join("report.html");
    let output = lazify()
        .current_dir(project.path())
        .args(["measure", "--module", "heavypkg", "--runs", "3"])
        .args(["--output-format", "json", "--python"])
        .arg(&python.path)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let json = json_of(&output);
    assert_shape(&json, "heavypkg");
    // Only the report was added: the project is untouched.
    let mut after = snapshot(project.path());
    after.retain(|(path, _)| *path != report);
    assert_eq!(before, after);

    let (b, a) = (&json["before"], &json["after"]);
    // `bulky` (32 MiB) and `json` no longer load at import.
    assert!(number(a, "modules") < number(b, "modules"), "{json}");
    assert!(
        number(b, "alloc_mib") - number(a, "alloc_mib") > 24.0,
        "{json}"
    );
    assert!(number(b, "rss_mib") - number(a, "rss_mib") > 24.0, "{json}");
    // Both still hold the 64 MiB blob.
    assert!(number(a, "alloc_mib") > 60.0, "{json}");
    // The all-lazy reference loads no more than the rewrite (`blob` is used at import time either way).
    assert!(number(&json["limit"], "modules") <= number(a, "modules"));

    let imports = json["imports"].as_array().unwrap();
    let first = &imports[0];
    assert_eq!(first["statement"], "from . import blob", "{json}");
    assert_eq!(first["verdict"], "keep");
    assert_eq!(first["reason"], "used-at-import-time");
    assert_eq!(first["line"], 4);
    assert!(number(first, "rss_mib") > 50.0, "{first}");
    assert!(number(first, "alloc_mib") > 50.0, "{first}");
    assert!(number(first, "after_alloc_mib") > 50.0, "{first}");
    assert_eq!(first["after_modules"], 1);

    let bulky = find(imports, "from . import bulky");
    assert_eq!(bulky["verdict"], "rewrite");
    assert!(number(bulky, "alloc_mib") > 25.0, "{bulky}");
    assert_eq!(bulky["after_modules"], 0);
    assert!(bulky["after_phase"].is_null());
    let json_import = find(imports, "import json");
    assert_eq!(json_import["verdict"], "rewrite");
    assert!(number(json_import, "modules") >= 2.0, "{json_import}");
    assert!(json_import["heaviest"][0].is_string());

    let html = std::fs::read_to_string(&report).unwrap();
    check_report(&html, &["from . import blob"]);
    render_in_chromium(&report, "heavy");
}

#[test]
fn demo_with_first_use() {
    let Some(python) = python315() else { return };
    let demo = support::repo_root().join("examples").join("demo");
    let before = snapshot(&demo);
    let scratch = tempfile::tempdir().unwrap();
    let report = scratch.path().join("demo.html");
    let output = lazify()
        .current_dir(support::repo_root())
        .args(["measure", "examples/demo", "--module", "demo.cli"])
        .args(["--use", "demo.cli.main([])", "--runs", "3"])
        .args(["--output-format", "json", "--python"])
        .arg(&python.path)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let json = json_of(&output);
    assert_shape(&json, "demo.cli");
    assert_eq!(snapshot(&demo), before, "the demo was changed");
    assert_eq!(json["use"], "demo.cli.main([])");
    let (b, a) = (&json["before"], &json["after"]);
    // asyncio, http.client, json, xml.dom.minidom, decimal... are deferred: far fewer modules at import.
    assert!(number(a, "modules") + 50.0 < number(b, "modules"), "{json}");
    assert!(number(a, "alloc_mib") < number(b, "alloc_mib"), "{json}");
    // The first use loads some of them: the use phase has more modules after the rewrite than before...
    let (bu, au) = (&b["use"], &a["use"]);
    assert!(number(au, "modules") >= number(a, "modules"));
    // ...but the process ends with no more modules than the original (a default run needs no asyncio).
    assert!(number(au, "modules") <= number(bu, "modules"), "{json}");

    let imports = json["imports"].as_array().unwrap();
    let asyncio = find(imports, "import asyncio");
    assert_eq!(asyncio["verdict"], "rewrite");
    assert_eq!(asyncio["path"], "examples/demo/demo/store.py");
    assert_eq!(asyncio["line"], 3);
    assert!(number(asyncio, "modules") > 10.0, "{asyncio}");
    assert_eq!(asyncio["after_modules"], 0);
    // Kept imports come first in the ranking.
    let first_rewrite = imports
        .iter()
        .position(|i| i["verdict"] == "rewrite")
        .unwrap();
    assert!(
        imports[..first_rewrite]
            .iter()
            .all(|i| i["verdict"] != "rewrite")
    );
    assert!(
        imports[first_rewrite..]
            .iter()
            .all(|i| i["verdict"] == "rewrite")
    );
    let logging = find(imports, "import logging");
    assert_eq!(logging["verdict"], "keep");

    let html = std::fs::read_to_string(&report).unwrap();
    check_report(&html, &["import asyncio", "import logging"]);
    render_in_chromium(&report, "demo");

    // The text table names the figures.
    let output = lazify()
        .current_dir(support::repo_root())
        .args([
            "measure",
            "examples/demo",
            "--module",
            "demo",
            "--runs",
            "1",
        ])
        .arg("--python")
        .arg(&python.path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "import time",
        "modules loaded",
        "peak RSS",
        "Python allocations",
        "all-lazy",
        "Costliest rewritten imports",
        "demo/store.py:3  import asyncio",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
}

/// Self-contained: no scripts, nothing fetched; the pictures are there.
fn check_report(html: &str, statements: &[&str]) {
    let lower = html.to_lowercase();
    for forbidden in ["<script", "http://", "https://", "src=", "@import", "url("] {
        let allowed = lower.matches(forbidden).count()
            - lower
                .matches("xmlns=\"http://www.w3.org/2000/svg\"")
                .count()
                * usize::from(forbidden == "http://");
        assert_eq!(allowed, 0, "`{forbidden}` in the report");
    }
    assert!(html.matches("<svg").count() >= 3, "bars and two icicles");
    assert!(html.contains("<rect"));
    assert!(!html.contains("-0.0"), "a negative zero in the report");
    for statement in statements {
        assert!(html.contains(statement), "no `{statement}` in the report");
    }
}

/// Headless Chromium loads the page, renders the SVG elements and takes a screenshot.
fn render_in_chromium(report: &Path, name: &str) {
    let Some(chromium) = support::find_on_path("chromium") else {
        support::missing_tool(
            "chromium",
            "Install it with `apt-get install -y chromium` (Debian's package).",
        );
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let screenshot = report.with_file_name(format!("{name}.png"));
    let url = format!("file://{}", report.display());
    let run = |extra: &[&str]| {
        std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1200,1600",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let shot = run(&[&format!("--screenshot={}", screenshot.display())]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 20_000, "an empty page? {} bytes", png.len());
    // The DOM after rendering: the SVG was parsed into elements (an SVG error would stop at the error).
    let dom = run(&["--dump-dom"]);
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.matches("<svg").count() >= 3, "{dom}");
    assert!(dom.matches("<rect").count() >= 10);
    assert!(!dom.contains("parsererror"), "an SVG parse error");
    let stderr = String::from_utf8_lossy(&shot.stderr);
    assert!(
        !stderr.contains("Uncaught") && !stderr.contains("CONSOLE"),
        "script errors: {stderr}"
    );
}

#[test]
fn help_and_bad_input() {
    let help = lazify().args(["measure", "--help"]).output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("Usage: lazify measure [OPTIONS] --module <MODULE> [PATHS]..."),
        "{text}"
    );
    assert!(text.contains("--report <FILE>"));

    let missing = lazify().args(["measure"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--module <MODULE>"));

    let project = heavy_project();
    let before = snapshot(project.path());
    let run = |args: &[&str]| {
        let output = lazify()
            .current_dir(project.path())
            .arg("measure")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    };
    let nowhere = run(&["--module", "heavypkg", "no/such/dir"]);
    assert!(
        nowhere.contains("no/such/dir: no such file or directory"),
        "{nowhere}"
    );
    let unknown = run(&["--module", "elsewhere"]);
    assert!(
        unknown.contains("cannot find module `elsewhere`"),
        "{unknown}"
    );
    let interpreter = run(&["--module", "heavypkg", "--python", "/no/such/python"]);
    assert!(
        interpreter.contains("cannot run `/no/such/python`"),
        "{interpreter}"
    );
    // The project is untouched by the failed runs.
    assert_eq!(snapshot(project.path()), before);
}

#[test]
fn a_failing_import_is_an_error_with_the_traceback() {
    let Some(python) = python315() else { return };
    let project = heavy_project();
    write(
        project.path(),
        "heavypkg/small.py",
        "raise RuntimeError('boom at import')\n",
    );
    let output = lazify()
        .current_dir(project.path())
        .args(["measure", "--module", "heavypkg", "--runs", "1", "--python"])
        .arg(&python.path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("`import heavypkg` fails on the original: RuntimeError: boom at import"),
        "{stderr}"
    );
}

#[test]
fn a_file_with_a_syntax_error_is_named_and_measured_as_it_is() {
    let Some(python) = python315() else { return };
    let project = heavy_project();
    write(project.path(), "heavypkg/broken.py", "def (:\n");
    let output = lazify()
        .current_dir(project.path())
        .args(["measure", "--module", "heavypkg", "--runs", "1", "--python"])
        .arg(&python.path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("warning: heavypkg/broken.py: "), "{stderr}");
    assert!(
        !stderr.contains("lazify-measure-"),
        "a temporary path leaked: {stderr}"
    );
}

/// The probe runs on the user's interpreter: on a Python older than 3.15 there is no all-lazy reference, and
/// `__lazy_modules__` (style `lazy-modules`) changes nothing there, which the figures must show.
#[test]
fn an_older_python_has_no_all_lazy_reference() {
    let Some(python) = support::python_pre315() else {
        support::missing_tool(
            "a Python older than 3.15 as `python3` on PATH",
            "`lazify measure` is checked on the system python3 (3.11).",
        );
        return;
    };
    let project = heavy_project();
    let output = lazify()
        .current_dir(project.path())
        .args([
            "measure",
            "--module",
            "heavypkg",
            "--runs",
            "1",
            "--target-version",
            "py311",
        ])
        .args(["--output-format", "json", "--python"])
        .arg(&python.path)
        .output()
        .unwrap();
    let json = json_of(&output);
    assert_eq!(json["style"], "lazy-modules");
    assert!(json.get("limit").is_none(), "{json}");
    // Nothing is deferred before 3.15: the same modules load, and `json` still costs its modules after.
    assert_eq!(json["before"]["modules"], json["after"]["modules"]);
    let imports = json["imports"].as_array().unwrap();
    let json_import = find(imports, "import json");
    assert_eq!(json_import["verdict"], "rewrite");
    assert!(
        json_import["after_modules"].as_u64().unwrap() >= 2,
        "{json_import}"
    );
    let blob = find(imports, "from . import blob");
    assert!(number(blob, "alloc_mib") > 50.0, "{blob}");
}
