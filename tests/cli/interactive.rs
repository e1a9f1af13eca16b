//! `--interactive`, driven through a real pseudo-terminal (the `rexpect` crate): the diff is shown, the
//! question is asked, and only the files answered `y` (or reached after `a`) are written.

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use crate::common::{DEFERRABLE, EAGER, Project, assert_code, stderr};

const REWRITTEN: &str = "lazy import json\n\n\ndef f():\n    return json.dumps(1)\n";
const PROMPT: &str = "Apply? [y]es [n]o [a]ll [q]uit";

fn project() -> Project {
    let project = Project::new();
    project
        .file("a.py", DEFERRABLE)
        .file("b.py", DEFERRABLE)
        .file("c.py", DEFERRABLE)
        .file("eager.py", EAGER);
    project
}

/// `lazify --interactive --target-version py315 ARGS` in the project, on a pseudo-terminal.
fn spawn(project: &Project, args: &[&str]) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lazify"));
    command
        .current_dir(project.root())
        .args(["--interactive", "--target-version", "py315"])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    spawn_command(command, Some(30_000)).unwrap()
}

/// Waits for the process to end and returns its exit code.
fn exit_code(session: &mut PtySession) -> i32 {
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("lazify did not exit normally: {other:?}"),
    }
}

#[test]
fn writes_only_the_accepted_files() {
    let project = project();
    let mut session = spawn(&project, &["--color", "never"]);
    // The files come in path order; the eager file has no diff and no question.
    let shown = session.exp_string(PROMPT).unwrap();
    assert!(
        shown.contains("--- a/a.py\n+++ b/a.py\n")
            || shown.contains("--- a/a.py\r\n+++ b/a.py\r\n"),
        "{shown:?}"
    );
    assert!(shown.contains("+lazy import json"), "{shown:?}");
    assert!(
        !shown.contains('\x1b'),
        "no colours with --color never: {shown:?}"
    );
    // An answer it does not know: it explains and asks again.
    session.send_line("maybe").unwrap();
    session.exp_string("Please answer y").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line("y").unwrap();
    let shown = session.exp_string(PROMPT).unwrap();
    assert!(shown.contains("Wrote a.py"), "{shown:?}");
    assert!(shown.contains("b/b.py"), "{shown:?}");
    session.send_line("n").unwrap();
    let shown = session.exp_string(PROMPT).unwrap();
    assert!(shown.contains("b/c.py"), "{shown:?}");
    session.send_line("q").unwrap();
    session
        .exp_string("1 import in 1 file rewritten; 2 files left unchanged")
        .unwrap();
    // Declined rewrites are still pending: exit 1.
    assert_eq!(exit_code(&mut session), 1);
    assert_eq!(project.read_string("a.py"), REWRITTEN);
    assert_eq!(project.read_string("b.py"), DEFERRABLE);
    assert_eq!(project.read_string("c.py"), DEFERRABLE);
    assert_eq!(project.read_string("eager.py"), EAGER);
}

#[test]
fn all_applies_the_rest_without_asking() {
    let project = project();
    let mut session = spawn(&project, &["--color", "never"]);
    session.exp_string(PROMPT).unwrap();
    session.send_line("n").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line("a").unwrap();
    let rest = session
        .exp_string("2 imports in 2 files rewritten; 1 file left unchanged")
        .unwrap();
    assert!(
        rest.contains("Wrote b.py") && rest.contains("Wrote c.py"),
        "{rest:?}"
    );
    assert!(!rest.contains(PROMPT), "no question after `a`: {rest:?}");
    assert_eq!(exit_code(&mut session), 1);
    assert_eq!(project.read_string("a.py"), DEFERRABLE);
    assert_eq!(project.read_string("b.py"), REWRITTEN);
    assert_eq!(project.read_string("c.py"), REWRITTEN);
    // Everything accepted: exit 0.
    let mut session = spawn(&project, &["--color", "never"]);
    session.exp_string(PROMPT).unwrap();
    session.send_line("y").unwrap();
    session
        .exp_string("1 import in 1 file rewritten; 0 files left unchanged")
        .unwrap();
    assert_eq!(exit_code(&mut session), 0);
    assert_eq!(project.read_string("a.py"), REWRITTEN);
}

#[test]
fn colours_the_diff_on_a_terminal_and_stops_at_end_of_input() {
    let project = project();
    // `--color auto` (the default): stdout is a terminal, so the diff is coloured.
    let mut session = spawn(&project, &["a.py"]);
    let shown = session.exp_string(PROMPT).unwrap();
    assert!(shown.contains("\x1b[31m-import json\x1b[0m"), "{shown:?}");
    assert!(
        shown.contains("\x1b[32m+lazy import json\x1b[0m"),
        "{shown:?}"
    );
    // End of input (Ctrl-D) counts as quit.
    session.send_control('d').unwrap();
    session
        .exp_string("0 imports in 0 files rewritten; 1 file left unchanged")
        .unwrap();
    assert_eq!(exit_code(&mut session), 1);
    assert_eq!(project.read_string("a.py"), DEFERRABLE);
}

#[test]
fn nothing_to_ask() {
    let project = project();
    let mut session = spawn(&project, &["eager.py"]);
    session
        .exp_string("Nothing to rewrite (1 file checked)")
        .unwrap();
    assert_eq!(exit_code(&mut session), 0);
}

#[test]
fn refuses_without_a_terminal() {
    let project = project();
    // Under the test harness stdin is a pipe, not a terminal.
    let output = project.run_stdin(&["--interactive", "--target-version", "py315"], "y\ny\ny\n");
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("`--interactive` needs a terminal on stdin"),
        "{}",
        stderr(&output)
    );
    assert_eq!(project.read_string("a.py"), DEFERRABLE);
    let output = project.run(&["--interactive", "--write"]);
    assert_code(&output, 2);
}
