//! The summary cache (issue 11): what other files do when imported is kept in `.lazify_cache` between runs,
//! keyed by their text, so a run after a change sees the change and a run without one reads nothing twice.

use std::path::Path;

use crate::common::{Project, assert_code, stdout};

/// `main.py` uses `heavy` only in a function; `heavy` is clean until a test gives it an effect.
fn project() -> Project {
    let project = Project::new();
    project
        .file(
            "main.py",
            "import heavy\n\n\ndef work():\n    return heavy.X\n",
        )
        .file("heavy.py", "X = 1\n");
    project
}

fn cache_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn explain(project: &Project, extra: &[&str]) -> String {
    let mut args = vec!["main.py", "--explain", "--target-version", "py315"];
    args.extend_from_slice(extra);
    let output = project.run(&args);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    stdout(&output)
}

#[test]
fn the_cache_lives_in_the_project_marked_and_ignored_by_git() {
    let project = project();
    assert_code(&project.run(&["--check", "--target-version", "py315"]), 1);
    let names = cache_files(&project.path(".lazify_cache"));
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], ".gitignore");
    assert_eq!(names[1], "CACHEDIR.TAG");
    assert!(
        names[2].starts_with("summaries-")
            && Path::new(&names[2]).extension().is_some_and(|e| e == "bin")
    );
    assert!(
        project
            .read_string(".lazify_cache/.gitignore")
            .ends_with("\n*\n")
    );
    // The cache folder is not a source folder: a second run finds the same two files.
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 1);
    let said = stdout(&output);
    assert!(
        said.contains("1 import in 1 file would be rewritten"),
        "{said}"
    );
    let output = project.run(&["--explain", "--target-version", "py315"]);
    assert_eq!(
        stdout(&output).matches("╭─[").count(),
        1,
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_effect_added_after_a_cached_run_keeps_the_import() {
    let project = project();
    let before = explain(&project, &[]);
    assert!(before.contains("Make `import heavy` lazy"), "{before}");
    project.file("heavy.py", "X = 1\nprint('loading heavy')\n");
    let after = explain(&project, &[]);
    assert!(after.contains("Keep `import heavy`"), "{after}");
    assert!(after.contains("heavy.py:2"), "{after}");
    assert_eq!(after, explain(&project, &["--no-cache"]));
    // And removing it again defers the import again.
    project.file("heavy.py", "X = 2\n");
    let again = explain(&project, &[]);
    assert!(again.contains("Make `import heavy` lazy"), "{again}");
}

#[test]
fn a_cached_run_says_what_an_uncached_run_says() {
    let project = project();
    project
        .file("registry.py", "HANDLERS = {}\n\n\ndef register(f):\n    HANDLERS[f.__name__] = f\n    return f\n")
        .file("plugin.py", "import registry\n\n\n@registry.register\ndef handler():\n    pass\n")
        .file("guarded.py", "try:\n    import heavy\nexcept ImportError:\n    heavy = None\n")
        .file(
            "main.py",
            "import heavy\nimport plugin\nimport registry\n\n\ndef work():\n    return heavy.X, plugin, registry\n",
        );
    let uncached = explain(&project, &["--no-cache"]);
    assert!(!project.path(".lazify_cache").exists());
    let first = explain(&project, &[]);
    let second = explain(&project, &[]);
    assert_eq!(uncached, first);
    assert_eq!(first, second);
    assert!(first.contains("plugin.py:4"), "{first}");
}

#[test]
fn no_cache_and_cache_dir() {
    let project = project();
    assert_code(
        &project.run(&["--check", "--no-cache", "--target-version", "py315"]),
        1,
    );
    assert!(!project.path(".lazify_cache").exists());
    let output = project
        .command()
        .args(["--check", "--target-version", "py315"])
        .env("LAZIFY_NO_CACHE", "1")
        .output()
        .unwrap();
    assert_code(&output, 1);
    assert!(!project.path(".lazify_cache").exists());
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().join("cache");
    let output = project.run(&[
        "--check",
        "--target-version",
        "py315",
        "--cache-dir",
        folder.to_str().unwrap(),
    ]);
    assert_code(&output, 1);
    assert!(!project.path(".lazify_cache").exists());
    assert_eq!(cache_files(&folder).len(), 3);
    let output = project
        .command()
        .args(["--check", "--target-version", "py315"])
        .env("LAZIFY_CACHE_DIR", elsewhere.path().join("from-env"))
        .output()
        .unwrap();
    assert_code(&output, 1);
    assert_eq!(cache_files(&elsewhere.path().join("from-env")).len(), 3);
}

#[test]
fn a_broken_or_unwritable_cache_does_not_change_the_run() {
    let project = project();
    let expected = explain(&project, &["--no-cache"]);
    explain(&project, &[]);
    let folder = project.path(".lazify_cache");
    let file = cache_files(&folder)
        .into_iter()
        .find(|n| Path::new(n).extension().is_some_and(|e| e == "bin"))
        .unwrap();
    project.file(&format!(".lazify_cache/{file}"), "garbage");
    assert_eq!(explain(&project, &[]), expected);
    assert_ne!(project.read(&format!(".lazify_cache/{file}")), b"garbage");
    // A cache folder that cannot be made: the run is the same, and says nothing about it.
    let output = project.run(&[
        "main.py",
        "--explain",
        "--target-version",
        "py315",
        "--cache-dir",
        "main.py/cache",
    ]);
    assert_code(&output, 1);
    assert_eq!(stdout(&output), expected);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("cache"));
}
