//! Raw byte streams against the real `lazify server` process: malformed framing, invalid JSON, garbage and
//! oversized messages get JSON-RPC error responses, the server keeps serving (a valid request after each is
//! answered), its memory does not follow an announced `Content-Length`, and a stream that ends where it cannot be
//! resynchronised ends the server with a message that says so.
//!
//! The binary is `LAZIFY_BIN` if set, else the one `cargo build -p lazify --bin lazify` builds (see `bin`).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test harness: a failed step is a failed test"
)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod bin;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

fn binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(bin::lazify_binary)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn frame_json(value: &Value) -> Vec<u8> {
    frame(value.to_string().as_bytes())
}

/// A `lazify server` child and the messages it wrote, parsed by a thread with its own framing code.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Messages received while waiting for something else.
    seen: Vec<Value>,
    stderr: std::thread::JoinHandle<String>,
}

impl Server {
    /// Starts the server and completes the `initialize` handshake.
    fn start() -> Self {
        let mut child = Command::new(binary())
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (name, value) = line.split_once(": ").expect("a header from the server");
                    assert_eq!(name, "Content-Length", "the server's headers");
                    length = Some(value.parse::<usize>().unwrap());
                }
                let mut body = vec![0; length.expect("Content-Length from the server")];
                reader.read_exact(&mut body).unwrap();
                let value: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if sender.send(value).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let stdin = child.stdin.take();
        let mut server = Self {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            stderr,
        };
        server.send(&frame_json(&json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}},
        })));
        let result = server.response(&json!(0));
        assert_eq!(result["result"]["serverInfo"]["name"], "lazify");
        server.send(&frame_json(
            &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        ));
        server
    }

    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// The next message matching `predicate`, keeping the others in `seen`.
    fn wait(&mut self, what: &str, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&predicate) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if predicate(&message) => return message,
                Ok(message) => self.seen.push(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {TIMEOUT:?}; got {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the server closed stdout before {what}; got {:#?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// The response to the request `id`.
    fn response(&mut self, id: &Value) -> Value {
        self.wait(&format!("response to {id}"), |m| {
            m.get("id") == Some(id) && m.get("method").is_none()
        })
    }

    /// The next error response with `id: null`.
    fn null_id_error(&mut self) -> Value {
        self.wait("an error response with id null", |m| {
            m.get("id") == Some(&Value::Null) && m.get("error").is_some()
        })
    }

    /// Sends a valid request and asserts that it is answered: the server is still serving.
    fn assert_serving(&mut self, id: i64) {
        self.send(&frame_json(
            &json!({"jsonrpc": "2.0", "id": id, "method": "lazify/unknown", "params": {}}),
        ));
        let response = self.response(&json!(id));
        assert_eq!(
            response["error"]["code"], -32601,
            "method not found: {response}"
        );
    }

    /// The peak resident memory of the server (`VmHWM` in /proc), in KiB.
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .map(|v| v.trim().parse().unwrap())
            .expect("VmHWM in /proc/PID/status")
    }

    /// `shutdown` and `exit`; returns the exit code and stderr.
    fn shutdown(mut self) -> (Option<i32>, String) {
        self.send(&frame_json(
            &json!({"jsonrpc": "2.0", "id": 9999, "method": "shutdown"}),
        ));
        let response = self.response(&json!(9999));
        assert_eq!(response["result"], Value::Null, "{response}");
        self.send(&frame_json(&json!({"jsonrpc": "2.0", "method": "exit"})));
        self.finish()
    }

    /// Closes stdin and waits for the server to end; returns its exit code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let status = support::wait_with_timeout(&mut self.child, TIMEOUT).expect("the server ends");
        (status.code(), self.stderr.join().unwrap())
    }
}

#[test]
fn invalid_json_in_a_correct_frame_is_a_parse_error() {
    let mut server = Server::start();
    server.send(&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "));
    let error = server.null_id_error();
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["jsonrpc"], "2.0");
    server.assert_serving(2);
    // Not UTF-8.
    server.send(&frame(b"\xff\xfe{}"));
    assert_eq!(server.null_id_error()["error"]["code"], -32700);
    server.assert_serving(3);
    let (code, stderr) = server.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("not valid JSON"), "logged: {stderr}");
}

#[test]
fn json_that_is_no_message_is_an_invalid_request() {
    let mut server = Server::start();
    server.send(&frame_json(
        &json!({"jsonrpc": "2.0", "id": 5, "method": 7}),
    ));
    let error = server.response(&json!(5));
    assert_eq!(error["error"]["code"], -32600, "{error}");
    server.send(&frame(b"[1, 2, 3]"));
    assert_eq!(server.null_id_error()["error"]["code"], -32600);
    server.assert_serving(6);
    assert_eq!(server.shutdown().0, Some(0));
}

#[test]
fn garbage_bytes_are_a_parse_error_and_framing_resumes() {
    let mut server = Server::start();
    server.send(
        b"\x00\x01 GET / HTTP/1.1\r\nHost: nowhere\r\n\r\n\xff\xfe garbage with no line break ",
    );
    let error = server.null_id_error();
    assert_eq!(error["error"]["code"], -32700, "{error}");
    server.assert_serving(2);
    // Garbage right before a header, on the same line.
    let mut bytes = b"#!@".to_vec();
    bytes.extend(frame_json(
        &json!({"jsonrpc": "2.0", "id": 3, "method": "lazify/unknown"}),
    ));
    server.send(&bytes);
    assert_eq!(server.null_id_error()["error"]["code"], -32700);
    assert_eq!(server.response(&json!(3))["error"]["code"], -32601);
    // A header without `Content-Length`.
    server.send(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    assert_eq!(server.null_id_error()["error"]["code"], -32700);
    server.assert_serving(4);
    let (code, stderr) = server.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

/// `Content-Length: 99999999999999` (about 90 TiB) and a length past `u64`: refused, the server resumes at the
/// next header and answers the request that follows.
#[test]
fn a_huge_content_length_is_refused_and_the_server_keeps_serving() {
    let mut server = Server::start();
    for (id, length) in [(2, "99999999999999"), (3, "999999999999999999999999999999")] {
        let mut bytes = format!("Content-Length: {length}\r\n\r\n{{\"jsonrpc\":").into_bytes();
        bytes.extend(frame_json(
            &json!({"jsonrpc": "2.0", "id": id, "method": "lazify/unknown"}),
        ));
        server.send(&bytes);
        let error = server.null_id_error();
        assert_eq!(error["error"]["code"], -32600, "{error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains("over the 64 MiB limit"), "{message}");
        assert_eq!(server.response(&json!(id))["error"]["code"], -32601);
    }
    let (code, stderr) = server.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("over the 64 MiB limit"), "logged: {stderr}");
}

/// A 1.5 GB `Content-Length` used to allocate 1.4 GB at once; an oversized body that does arrive is read in
/// chunks and discarded. The peak resident memory stays far below either size.
#[test]
#[cfg(target_os = "linux")]
fn memory_does_not_follow_the_announced_length() {
    // Far below the 64 MiB limit and the sizes below; the server itself needs a few MiB.
    const BOUND_KIB: u64 = 48 * 1024;
    let mut server = Server::start();
    let before = server.peak_kib();
    assert!(before < BOUND_KIB, "VmHWM before: {before} KiB");

    let mut bytes = b"Content-Length: 1500000000\r\n\r\n{\"jsonrpc\": \"2.0\"".to_vec();
    bytes.extend(frame_json(
        &json!({"jsonrpc": "2.0", "id": 2, "method": "lazify/unknown"}),
    ));
    server.send(&bytes);
    assert_eq!(server.null_id_error()["error"]["code"], -32600);
    assert_eq!(server.response(&json!(2))["error"]["code"], -32601);
    let after_header = server.peak_kib();
    assert!(
        after_header < BOUND_KIB,
        "VmHWM after a 1.5 GB header: {after_header} KiB (before: {before} KiB)"
    );

    // A real 96 MiB message (a didOpen of a huge document), sent in full: skipped, not buffered.
    let text = "x = 1\n".repeat(16 * 1024 * 1024);
    let big = frame_json(&json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": "file:///tmp/huge.py", "languageId": "python", "version": 1,
                                    "text": text}},
    }));
    drop(text);
    assert!(big.len() > 96 * 1024 * 1024);
    server.send(&big);
    drop(big);
    let error = server.null_id_error();
    assert_eq!(error["error"]["code"], -32600, "{error}");
    server.assert_serving(3);
    let after_body = server.peak_kib();
    eprintln!("VmHWM KiB: before {before}, after header {after_header}, after body {after_body}");
    assert!(
        after_body < BOUND_KIB,
        "VmHWM after a 96 MiB body: {after_body} KiB (before: {before} KiB)"
    );
    // No diagnostics for the refused document: it was never opened.
    assert!(
        !server
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "{:?}",
        server.seen
    );
    assert_eq!(server.shutdown().0, Some(0));
}

/// A stream that ends where framing cannot resume is reported as what it is, not as "the client closed the
/// connection without `shutdown`".
#[test]
fn a_stream_cut_in_a_message_ends_with_a_clear_message() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"Content-Length: 100\r\n\r\n{\"jsonrpc\"",
            "in the middle of a message",
        ),
        (
            b"Content-Length: 99999999999999\r\n\r\n{}",
            "skipping a message of 99999999999999 bytes",
        ),
        (b"garbage\r\n", "could not be resynchronised"),
    ];
    for (bytes, expected) in cases {
        let mut server = Server::start();
        server.send(bytes);
        let (code, stderr) = server.finish();
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in: {stderr}"
        );
        assert!(
            !stderr.contains("without `shutdown`"),
            "a false reason: {stderr}"
        );
    }
    // A clean end between two messages is the client going away.
    let server = Server::start();
    let (code, stderr) = server.finish();
    assert_eq!(code, Some(2));
    assert!(stderr.contains("without `shutdown` and `exit`"), "{stderr}");
}

/// Invalid editor settings through the real process: shown to the user naming key and value, and the server
/// keeps the previous value.
#[test]
fn invalid_settings_are_shown_with_key_and_value() {
    let mut server = Server::start();
    server.send(&frame_json(&json!({
        "jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
        "params": {"settings": {"lazify": {"style": "bogus"}}},
    })));
    let shown = server.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(shown["params"]["type"], 2, "a warning: {shown}");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("`style`") && message.contains("\"bogus\""),
        "{message}"
    );
    server.assert_serving(2);
    assert_eq!(server.shutdown().0, Some(0));
}
