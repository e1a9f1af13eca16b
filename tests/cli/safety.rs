//! The safety rules: a bad file never stops the run and is never written; encodings, BOM, line endings,
//! symlinks and permissions survive a rewrite; ignored and excluded files are left alone.

use std::fs;

use crate::common::{DEFERRABLE, Project, assert_code, snapshot, stderr, stdout};

#[test]
fn syntax_error_among_good_files() {
    let project = Project::new();
    let bad = "import json\n\ndef f(:\n    return json.dumps(1)\n";
    project
        .file("a.py", DEFERRABLE)
        .file("b_bad.py", bad)
        .file("c.py", DEFERRABLE);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    snapshot("syntax_error_write", &project.render(&output));
    assert_eq!(project.read("b_bad.py"), bad.as_bytes());
    let fixed = DEFERRABLE.replacen("import json", "lazy import json", 1);
    assert_eq!(project.read_string("a.py"), fixed);
    assert_eq!(project.read_string("c.py"), fixed);

    // Report mode: exit 2 wins over pending changes.
    project.file("a.py", DEFERRABLE);
    let output = project.run(&["--target-version", "py315"]);
    assert_code(&output, 2);
    assert!(
        stdout(&output).contains("a.py:1:8: LZF001"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn misplaced_lazy_is_an_error() {
    let project = Project::new();
    let source = "def f():\n    lazy import json\n";
    project.file("m.py", source);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("m.py:2:5"), "{}", stderr(&output));
    assert_eq!(project.read_string("m.py"), source);
}

#[cfg(unix)]
#[test]
fn read_only_file_is_an_error_and_stays_unchanged() {
    use std::os::unix::fs::PermissionsExt as _;
    let project = Project::new();
    project.file("ro.py", DEFERRABLE).file("rw.py", DEFERRABLE);
    fs::set_permissions(project.path("ro.py"), fs::Permissions::from_mode(0o444)).unwrap();
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    snapshot("read_only", &project.render(&output));
    assert_eq!(project.read_string("ro.py"), DEFERRABLE);
    assert!(project.read_string("rw.py").starts_with("lazy import json"));
    let mode = fs::metadata(project.path("ro.py"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444);
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let project = Project::new();
    let bytes = b"import json\n\n\ndef f():\n    return json.dumps('\xff')\n";
    project.file("bin.py", bytes).file("ok.py", DEFERRABLE);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("error: bin.py:5:24: invalid utf-8 at byte offset 46"),
        "{}",
        stderr(&output)
    );
    assert_eq!(project.read("bin.py"), bytes);
    assert!(project.read_string("ok.py").starts_with("lazy import json"));
}

#[test]
fn latin1_round_trips() {
    let project = Project::new();
    let bytes: &[u8] =
        b"# -*- coding: latin-1 -*-\nimport json\n# caf\xe9 \x81\n\ndef f():\n    return json.dumps('\xe9')\n";
    project.file("l1.py", bytes);
    let output = project.run(&["--diff", "--target-version", "py315"]);
    assert_code(&output, 1);
    // The diff shows the decoded text.
    assert!(stdout(&output).contains("caf\u{e9}"), "{}", stdout(&output));
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    let mut expected = b"# -*- coding: latin-1 -*-\nlazy ".to_vec();
    expected.extend_from_slice(&bytes[26..]);
    assert_eq!(project.read("l1.py"), expected);
}

#[test]
fn unknown_declared_encoding_is_an_error() {
    let project = Project::new();
    project.file("k.py", "# coding: klingon\nimport json\n");
    let output = project.run(&["--target-version", "py315"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("k.py:1: unknown or unsupported encoding `klingon`"));
}

#[test]
fn bom_crlf_and_missing_final_newline_are_kept() {
    let project = Project::new();
    let bytes = b"\xEF\xBB\xBFimport json\r\n\r\n\r\ndef f():\r\n\treturn json.dumps(1)";
    project.file("w.py", bytes);
    let output = project.run(&["--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    assert_eq!(
        project.read("w.py"),
        b"\xEF\xBB\xBFlazy import json\r\n\r\n\r\ndef f():\r\n\treturn json.dumps(1)"
    );
}

#[cfg(unix)]
#[test]
fn symlink_is_written_at_its_target_with_permissions_kept() {
    use std::os::unix::fs::PermissionsExt as _;
    let project = Project::new();
    project.file("real/target.py", DEFERRABLE);
    fs::set_permissions(
        project.path("real/target.py"),
        fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    std::os::unix::fs::symlink(project.path("real/target.py"), project.path("link.py")).unwrap();
    let output = project.run(&["--write", "--target-version", "py315", "link.py"]);
    assert_code(&output, 0);
    assert!(
        fs::symlink_metadata(project.path("link.py"))
            .unwrap()
            .is_symlink()
    );
    assert!(
        project
            .read_string("real/target.py")
            .starts_with("lazy import json\n")
    );
    let mode = fs::metadata(project.path("real/target.py"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    let leftovers: Vec<_> = fs::read_dir(project.path("real")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
}

#[test]
fn gitignored_and_hidden_files_are_skipped() {
    let project = Project::new();
    project
        .file(".gitignore", "ignored.py\nbuild/\n")
        .file("kept.py", DEFERRABLE)
        .file("ignored.py", DEFERRABLE)
        .file("build/gen.py", DEFERRABLE)
        .file(".hidden/h.py", DEFERRABLE)
        .file(".venv/lib/v.py", DEFERRABLE);
    let output = project.run(&["--target-version", "py315"]);
    assert_code(&output, 1);
    snapshot("gitignore", &project.render(&output));
    // Named explicitly, an ignored file is processed.
    let output = project.run(&["--check", "--target-version", "py315", "ignored.py"]);
    assert_code(&output, 1);
}

#[test]
fn stubs_are_skipped() {
    let project = Project::new();
    project.file("s.pyi", DEFERRABLE);
    let output = project.run(&["--check", "--target-version", "py315"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "Nothing to rewrite (1 file checked)\n");
}

#[test]
fn pre_commit_call_with_force_exclude() {
    let project = Project::new();
    project
        .file(
            "pyproject.toml",
            "[tool.lazify]\ntarget-version = \"py315\"\nextend-exclude = [\"migrations\"]\n",
        )
        .file("app/models.py", DEFERRABLE)
        .file("app/migrations/0001_initial.py", DEFERRABLE);
    // pre-commit passes each changed file; --force-exclude keeps the excluded one untouched.
    let output = project.run(&[
        "--write",
        "--force-exclude",
        "app/models.py",
        "app/migrations/0001_initial.py",
    ]);
    assert_code(&output, 0);
    snapshot("pre_commit", &project.render(&output));
    assert!(
        project
            .read_string("app/models.py")
            .starts_with("lazy import json")
    );
    assert_eq!(
        project.read_string("app/migrations/0001_initial.py"),
        DEFERRABLE
    );
    // Without --force-exclude a named file is processed even when excluded.
    let output = project.run(&["--check", "app/migrations/0001_initial.py"]);
    assert_code(&output, 1);
}

#[test]
fn broken_pipe_counts_as_success() {
    use std::io::Read as _;
    use std::process::Stdio;
    let project = Project::new();
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    for i in 0..1500 {
        project.file(&format!("m{i:04}.py"), DEFERRABLE);
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lazify"))
        .args(["--diff", "--target-version", "py315"])
        .current_dir(project.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0_u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
