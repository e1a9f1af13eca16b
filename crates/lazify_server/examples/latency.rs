//! Measures how long the server takes to answer `textDocument/codeAction` on a generated 5,000-line module,
//! in process (no stdio framing), and prints the figures. A measurement, not a test: run it with
//! `cargo run --release -p lazify_server --example latency`.
//!
//! The module imports 40 third-party modules used only inside functions (all rewritten) and 10 used at
//! import time (kept), then defines functions that use them. Each request is timed from send to response;
//! the server re-analyses nothing for a code action (the analysis of the current version is cached), but the
//! per-import quick fix runs the engine once more on a scratch copy.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use lazify_server::Connection;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const LINES: usize = 5_000;
const RUNS: usize = 30;

fn module() -> String {
    let mut text = String::from("\"\"\"A generated module.\"\"\"\n");
    for i in 0..40 {
        let _ = writeln!(text, "import deferred_{i}");
    }
    for i in 0..10 {
        let _ = writeln!(text, "import eager_{i}");
    }
    for i in 0..10 {
        let _ = writeln!(text, "SETTING_{i} = eager_{i}.configure()");
    }
    let mut n = 0;
    while text.lines().count() < LINES {
        let _ = write!(
            text,
            "\n\ndef handler_{n}(request, *, retries=3):\n    value = deferred_{}.process(request)\n    \
             if value is None:\n        return deferred_{}.fallback(request, retries)\n    return value\n",
            n % 40,
            (n * 7) % 40
        );
        n += 1;
    }
    text
}

struct Client {
    connection: Connection,
    next_id: i32,
}

impl Client {
    fn send_request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_string(), params).into())
            .ok();
        loop {
            match self.connection.receiver.recv() {
                Ok(Message::Response(r)) if r.id == id => {
                    return r.response_result.unwrap_or_default();
                }
                Ok(_) => {}
                Err(_) => return Value::Null,
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Notification::new(method.to_string(), params).into())
            .ok();
    }

    fn wait_diagnostics(&self) -> Value {
        loop {
            match self.connection.receiver.recv() {
                Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                    return n.params;
                }
                Ok(_) => {}
                Err(_) => return Value::Null,
            }
        }
    }
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.2} ms, p90 {:.2} ms, max {:.2} ms ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

#[expect(
    clippy::print_stdout,
    reason = "a measurement program reports on stdout"
)]
fn main() {
    let text = module();
    let (server_end, client_end) = Connection::memory();
    let server = std::thread::spawn(move || lazify_server::run(server_end));
    let mut client = Client {
        connection: client_end,
        next_id: 0,
    };
    client.send_request(
        "initialize",
        json!({"capabilities": {}, "initializationOptions": {"targetVersion": "py315"}}),
    );
    client.notify("initialized", json!({}));
    let uri = "untitled:generated.py";

    let started = Instant::now();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    let diagnostics = client.wait_diagnostics();
    let open_time = started.elapsed();
    let count = diagnostics["diagnostics"].as_array().map_or(0, Vec::len);

    let mut at_import = Vec::new();
    let mut fix_all = Vec::new();
    let mut change = Vec::new();
    let mut actions = 0;
    for run in 0..RUNS {
        // Cursor on `import deferred_7`: its quick fixes plus the whole-file fix.
        let params = json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 8, "character": 9}, "end": {"line": 8, "character": 9}},
            "context": {"diagnostics": []}
        });
        let started = Instant::now();
        let result = client.send_request("textDocument/codeAction", params);
        at_import.push(started.elapsed());
        actions = result.as_array().map_or(0, Vec::len);

        let params = json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]}
        });
        let started = Instant::now();
        client.send_request("textDocument/codeAction", params);
        fix_all.push(started.elapsed());

        // A keystroke at the end of the file: re-analysis and publication.
        let line = text.lines().count();
        let params = json!({
            "textDocument": {"uri": uri, "version": run + 2},
            "contentChanges": [{
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
                "text": "#"
            }]
        });
        let started = Instant::now();
        client.notify("textDocument/didChange", params);
        client.wait_diagnostics();
        change.push(started.elapsed());
    }
    client.send_request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = server.join();

    println!(
        "generated module: {} lines, {} bytes, {count} diagnostics",
        text.lines().count(),
        text.len()
    );
    println!(
        "didOpen → publishDiagnostics: {:.2} ms",
        open_time.as_secs_f64() * 1000.0
    );
    println!(
        "codeAction at an import ({actions} actions): {}",
        summary(at_import)
    );
    println!("codeAction source.fixAll only: {}", summary(fix_all));
    println!("didChange → publishDiagnostics: {}", summary(change));
}
