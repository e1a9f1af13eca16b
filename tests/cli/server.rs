//! `lazify server`: the binary speaks LSP over stdio (the protocol itself is tested in `lazify_server`).

use std::io::Write as _;
use std::process::{Command, Stdio};

fn frame(message: &str) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", message.len()).into_bytes();
    out.extend_from_slice(message.as_bytes());
    out
}

#[test]
fn server_subcommand_answers_and_publishes_diagnostics() {
    let mut input = Vec::new();
    for message in [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{},"processId":null,"rootUri":null}}"#,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///nonexistent/app.py","languageId":"python","version":1,"text":"import json\n\ndef f():\n    return json.dumps(1)\n"}}}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}"#,
        r#"{"jsonrpc":"2.0","method":"exit","params":null}"#,
    ] {
        input.extend(frame(message));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_lazify"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(r#""codeActionProvider""#), "{stdout}");
    assert!(
        stdout.contains("textDocument/publishDiagnostics"),
        "{stdout}"
    );
    assert!(stdout.contains("LZF001"), "{stdout}");
    assert!(stdout.contains(r#""id":2,"result":null"#), "{stdout}");
}
