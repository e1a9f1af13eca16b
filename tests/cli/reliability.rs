//! Issue 12, "nothing lost, nothing crashes": special files, encodings `CPython` refuses, full disks, symlinks,
//! invalid settings, and output that must never panic or repeat itself. Each test is one item of the issue.
//!
//! The check between the analysis and the write (an edit saved meanwhile is kept, a deleted file is not
//! recreated) needs a hook in the write path: it is tested in `lazify_workspace::write`.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{DEFERRABLE, Project, assert_code, snapshot, stderr, stdout};

const LAZY: &str = "lazy import json\n\n\ndef f():\n    return json.dumps(1)\n";

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("lazify")
}

/// Item 2: a file with two hard links stays one file, and setgid/setuid/sticky bits survive `--write`.
#[cfg(unix)]
#[test]
fn issue_12_write_keeps_hard_links_and_mode_bits() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let project = Project::new();
    project.file("a.py", DEFERRABLE).file("s.py", DEFERRABLE);
    fs::hard_link(project.path("a.py"), project.path("other_name.txt")).unwrap();
    fs::set_permissions(project.path("s.py"), fs::Permissions::from_mode(0o2755)).unwrap();
    let mode = fs::metadata(project.path("s.py")).unwrap().mode() & 0o7777;
    let output = project.run(&["--write", "--target-version", "py315", "a.py", "s.py"]);
    assert_code(&output, 0);
    assert_eq!(project.read_string("a.py"), LAZY);
    assert_eq!(project.read_string("other_name.txt"), LAZY);
    assert_eq!(fs::metadata(project.path("a.py")).unwrap().nlink(), 2);
    assert_eq!(project.read_string("s.py"), LAZY);
    assert_eq!(
        fs::metadata(project.path("s.py")).unwrap().mode() & 0o7777,
        mode
    );
    let leftovers: Vec<_> = fs::read_dir(project.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".lazify-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Item 3: a FIFO named on the command line is refused at once instead of blocking forever.
#[cfg(unix)]
#[test]
fn issue_12_fifo_on_the_command_line_is_refused() {
    let project = Project::new();
    project.file("ok.py", DEFERRABLE);
    let made = Command::new("mkfifo")
        .arg(project.path("pipe.py"))
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = Command::new(binary())
        .args(["--target-version", "py315", "pipe.py", "ok.py"])
        .current_dir(project.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("lazify hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_code(&output, 2);
    assert!(
        stderr(&output)
            .contains("error: pipe.py: not a regular file or directory (a FIFO); it was not read"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("ok.py:1:8: LZF001"),
        "{}",
        stdout(&output)
    );
}

/// Item 4: `CPython` refuses a NUL byte and a BOM with a non-UTF-8 declaration; so does lazify (exit 2, file
/// untouched).
#[test]
fn issue_12_sources_cpython_refuses_are_errors() {
    let project = Project::new();
    let nul = b"import json\n# a\x00b\n\n\ndef f():\n    return json.dumps(1)\n";
    let bom =
        b"\xEF\xBB\xBF# -*- coding: latin-1 -*-\nimport json\n\n\ndef f():\n    return json\n";
    project.file("nul.py", nul).file("bom.py", bom);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains(
            "error: nul.py:2:4: source code cannot contain null bytes (byte offset 15); the file was not \
             changed"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "error: bom.py:1: encoding problem: `latin-1` with a UTF-8 byte order mark (CPython refuses the \
             file); the file was not changed"
        ),
        "{err}"
    );
    assert_eq!(project.read("nul.py"), nul);
    assert_eq!(project.read("bom.py"), bom);
}

/// Item 5: a UTF-16 file is named as such, not as invalid UTF-8.
#[test]
fn issue_12_utf16_is_named() {
    let project = Project::new();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(DEFERRABLE.encode_utf16().flat_map(u16::to_le_bytes));
    project.file("wide.py", &bytes);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains(
            "error: wide.py: UTF-16 encoded (BOM FF FE); Python source must be UTF-8 or declare an 8-bit \
             encoding; the file was not changed"
        ),
        "{}",
        stderr(&output)
    );
    assert_eq!(project.read("wide.py"), bytes);
}

/// Item 6: a full disk on stdout is reported; in stdin mode the message says the result was not printed and
/// nothing changed on disk.
#[cfg(target_os = "linux")]
#[test]
fn issue_12_full_stdout_is_reported() {
    let project = Project::new();
    project.file("a.py", DEFERRABLE);
    let run = |args: &[&str], stdin: Stdio| {
        Command::new(binary())
            .args(args)
            .current_dir(project.root())
            .stdin(stdin)
            .stdout(fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    };
    let output = run(
        &["--diff", "--target-version", "py315", "a.py"],
        Stdio::null(),
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output)
            .contains("error: could not write to stdout: No space left on device (os error 28)"),
        "{}",
        stderr(&output)
    );
    let output = run(
        &["-", "--target-version", "py315"],
        Stdio::from(fs::File::open(project.path("a.py")).unwrap()),
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains(
            "error: could not write to stdout: No space left on device (os error 28); the rewritten source was \
             not printed, and nothing was changed on disk"
        ),
        "{}",
        stderr(&output)
    );
    assert_eq!(project.read_string("a.py"), DEFERRABLE);
}

/// Item 7: a symlink loop is named as one.
#[cfg(unix)]
#[test]
fn issue_12_symlink_loop_is_named() {
    let project = Project::new();
    std::os::unix::fs::symlink("b.py", project.path("a.py")).unwrap();
    std::os::unix::fs::symlink("a.py", project.path("b.py")).unwrap();
    let output = project.run(&["a.py"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output)
            .contains("error: a.py: symbolic link loop (too many levels of symbolic links)"),
        "{}",
        stderr(&output)
    );
}

/// Item 8: an unreadable `requires-python` is quoted, with its file, instead of a note to set it.
#[test]
fn issue_12_unreadable_requires_python_is_quoted() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[project]\nname = \"x\"\nrequires-python = \">=three\"\n",
        )
        .file("a.py", DEFERRABLE);
    let output = project.run(&[]);
    assert_code(&output, 1);
    assert!(
        stdout(&output).contains(
            "note: style `lazy-modules` because no target version is known: `requires-python = \">=three\"` in \
             pyproject.toml could not be read (set `target-version`); it runs on every Python"
        ),
        "{}",
        stdout(&output)
    );
}

/// Item 9: a syntax error is printed once, and failed writes are not "nothing to rewrite".
#[cfg(unix)]
#[test]
fn issue_12_errors_are_printed_once_and_failed_writes_counted() {
    use std::os::unix::fs::PermissionsExt as _;
    let project = Project::new();
    project.file("bad.py", "import json\ndef f(:\n    return json\n");
    let output = project.run(&["--target-version", "py315", "bad.py"]);
    assert_code(&output, 2);
    assert_eq!(
        stderr(&output).matches("syntax error: Expected").count(),
        1,
        "{}",
        stderr(&output)
    );

    project.file("a.py", DEFERRABLE).file("b.py", DEFERRABLE);
    for name in ["a.py", "b.py"] {
        fs::set_permissions(project.path(name), fs::Permissions::from_mode(0o444)).unwrap();
    }
    let output = project.run(&["--write", "--target-version", "py315", "a.py", "b.py"]);
    assert_code(&output, 2);
    snapshot("issue_12_failed_writes", &project.render(&output));
    assert_eq!(stderr(&output).matches("a.py").count(), 1);
}

/// Item 10: two symlinks to one file are one file, reported under the first path given.
#[cfg(unix)]
#[test]
fn issue_12_symlinks_to_one_file_are_one_file() {
    let project = Project::new();
    project.file("real.py", DEFERRABLE);
    std::os::unix::fs::symlink("real.py", project.path("one.py")).unwrap();
    std::os::unix::fs::symlink("real.py", project.path("two.py")).unwrap();
    let output = project.run(&["--target-version", "py315", "two.py", "one.py", "real.py"]);
    assert_code(&output, 1);
    assert_eq!(
        stdout(&output),
        "two.py:1:8: LZF001 Make `import json` lazy (used only in deferred code) [lazy]\n1 import in 1 file \
         would be rewritten (style lazy)\n"
    );
    let output = project.run(&["--write", "--target-version", "py315", "two.py", "one.py"]);
    assert_code(&output, 0);
    assert_eq!(
        stdout(&output),
        "1 import in 1 file rewritten (style lazy)\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(project.read_string("real.py"), LAZY);
    let output = project.run(&["--target-version", "py315", "one.py", "two.py", "real.py"]);
    assert_code(&output, 0);
}

/// Item 11: only real target versions, on the command line and in configuration.
#[test]
fn issue_12_unknown_target_versions_are_refused() {
    let project = Project::new();
    project.file("a.py", DEFERRABLE);
    for version in ["py3150", "3.99"] {
        let output = project.run(&["--target-version", version, "a.py"]);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains(&format!(
                "unknown Python version `{version}`: expected one of py37, py38, py39, py310, py311, py312, \
                 py313, py314, py315 (or 3.7 to 3.15)"
            )),
            "{}",
            stderr(&output)
        );
    }
    project.file("lazify.toml", "target-version = \"3.99\"\n");
    let output = project.run(&["a.py"]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("lazify.toml: invalid configuration")
            && err.contains("unknown Python version `3.99`"),
        "{err}"
    );
}

/// Item 12: `--type-checking-imports` with a style other than `local` is an error, as `--hoist` with a style
/// other than `lazy` is.
#[test]
fn issue_12_type_checking_imports_needs_style_local() {
    let project = Project::new();
    project.file("a.py", DEFERRABLE);
    for args in [
        &[
            "--style",
            "lazy",
            "--type-checking-imports",
            "--target-version",
            "py315",
        ][..],
        &["--style", "lazy-modules", "--type-checking-imports"][..],
        &["--target-version", "py315", "--type-checking-imports"][..],
    ] {
        let output = project.run(args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains(
                "error: `--type-checking-imports` moves imports used in annotations into functions, so it needs \
                 style `local`"
            ) && stderr(&output).matches("error:").count() == 1,
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(project.read_string("a.py"), DEFERRABLE);
    let output = project.run(&["--style", "local", "--type-checking-imports"]);
    assert_code(&output, 1);
}

/// Item 13: positions past column 65,535 render (miette panicked on them).
#[test]
fn issue_12_positions_far_along_a_line_render() {
    let project = Project::new();
    let long = "a".repeat(70_000);
    project.file(
        "long.py",
        format!("import json\nx = \"{long}\"; y = json.dumps(1)\n\n\ndef f():\n    return json\n"),
    );
    let output = project.run(&["--explain", "--target-version", "py315", "long.py"]);
    assert_code(&output, 0);
    let out = stdout(&output);
    assert!(out.contains("keep::used-at-import-time"), "{out}");
    assert!(out.contains("…aaaa"), "{out}");
    assert!(out.len() < 5_000, "{out}");

    project.file("err.py", format!("x = \"{long}\" +\n"));
    let output = project.run(&["--target-version", "py315", "err.py"]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("err.py:1:70009: syntax error"), "{err}");
    assert!(err.contains("[err.py:1:70009]"), "{err}");
    assert!(err.contains("syntax error here"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
