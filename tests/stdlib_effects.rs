//! The built-in effect table (`crates/lazify_core/data/stdlib_effects.toml`) checked against the running
//! `CPython` 3.15: every standard-library module is imported in a fresh interpreter
//! (`tests/support/stdlib_effects.py`), which compares observable process state before and after (output,
//! `atexit` callbacks, signal handlers, `sys.path`, `sys.meta_path`, `sys.path_hooks`, warning filters, the
//! logging root, `os.environ`, the working directory, the umask, hooks, limits, threads, the socket timeout,
//! `copyreg`, `faulthandler`, the locale, the standard streams). The modules that change something must be
//! exactly those the table lists under `[modules]`, except the ones `[exceptions]` explains; and every
//! exception must still be needed.
//!
//! Python 3.15 comes from `LAZIFY_PYTHON315` or `python3.15` on `PATH`; without one the test skips loudly, or
//! fails when `CI` is set.

#![expect(
    clippy::unwrap_used,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use lazify_core::effects::table::TABLE;

/// Modules the check does not import: they open windows or a web browser.
const NOT_IMPORTED: &[(&str, &str)] = &[
    ("antigravity", "opens a web browser (listed as an effect)"),
    ("tkinter", "a GUI toolkit"),
    ("_tkinter", "a GUI toolkit"),
    ("turtle", "a GUI"),
    ("turtledemo", "a GUI"),
    ("idlelib", "a GUI"),
];

#[test]
fn stdlib_table_matches_python315() {
    let Some(python) = support::python315() else {
        support::missing_tool(
            "Python 3.15 (LAZIFY_PYTHON315 or python3.15 on PATH)",
            "Run `bash ../shared/py315/install.sh`; it prints the interpreter's path.",
        );
        return;
    };
    let script = support::repo_root().join("tests/support/stdlib_effects.py");
    let modules: Vec<&str> = TABLE
        .stdlib
        .iter()
        .map(String::as_str)
        .filter(|m| NOT_IMPORTED.iter().all(|(n, _)| n != m))
        .collect();
    let out = python
        .command()
        .arg(&script)
        .args(&modules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), modules.len());

    let mut observed = BTreeSet::new();
    let mut unimportable = Vec::new();
    for (module, result) in &results {
        match result {
            serde_json::Value::Array(changes) if !changes.is_empty() => {
                observed.insert(module.as_str());
            }
            serde_json::Value::String(why) => unimportable.push(format!("{module} ({why})")),
            _ => {}
        }
    }
    let listed: BTreeSet<&str> = TABLE
        .modules
        .keys()
        .map(String::as_str)
        .filter(|m| TABLE.is_stdlib(m) && modules.contains(m))
        .collect();
    let disagree: BTreeSet<&str> = observed.symmetric_difference(&listed).copied().collect();
    let excepted: BTreeSet<&str> = TABLE.exceptions.keys().map(String::as_str).collect();
    let unexplained: Vec<String> = disagree
        .difference(&excepted)
        .map(|m| format!("{m}: {}", results[*m]))
        .collect();
    assert!(
        unexplained.is_empty(),
        "the table disagrees with Python 3.15 on these modules (list them under [modules] or explain them \
         under [exceptions]):\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<&&str> = excepted.difference(&disagree).collect();
    assert!(stale.is_empty(), "exceptions no longer needed: {stale:?}");
    // The platform's other modules (Windows, macOS, iOS) do not import here; that is expected, but a module of
    // this platform that fails would hide its effects.
    for entry in &unimportable {
        let platform_specific = [
            "_winapi",
            "_overlapped",
            "_wmi",
            "msvcrt",
            "nt",
            "winreg",
            "winsound",
            "_scproxy",
            "_ios_support",
            "_dbm",
            "_gdbm",
        ]
        .iter()
        .any(|m| entry.starts_with(&format!("{m} ")));
        assert!(
            platform_specific,
            "a standard-library module failed to import: {entry}"
        );
    }
    eprintln!(
        "stdlib_effects: {} modules imported, {} change state, {} not importable here",
        results.len() - unimportable.len(),
        observed.len(),
        unimportable.len()
    );
}
