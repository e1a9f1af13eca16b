//! The test client: a `Connection::memory()` pair, the server on a thread, helpers to send requests and
//! notifications and to wait for what comes back, and an independent implementation of LSP positions to
//! apply the server's edits the way an editor would.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::Duration;

use lazify_server::{Connection, ServerError};
use lsp_server::{Message, Notification, Request, RequestId};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Exit,
    Initialized, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Initialize, Request as _, Shutdown};
use lsp_types::{
    CodeActionContext, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentChanges, InitializeResult, OneOf, Position,
    PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent, TextDocumentIdentifier,
    TextDocumentItem, TextEdit, Uri, VersionedTextDocumentIdentifier, WorkspaceEdit,
};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Settings with no target environment (unless they name one): imported modules outside the project and the
/// standard library are unknown and trusted, whatever the machine running the tests has installed.
fn hermetic(mut settings: Value) -> Value {
    let object = match settings.get_mut("lazify") {
        Some(inner) => inner,
        None => &mut settings,
    };
    if let Some(object) = object.as_object_mut() {
        object
            .entry("python")
            .or_insert_with(|| json!("/nonexistent/lazify-test-python"));
    }
    settings
}

/// A project directory on disk (for settings files) whose documents are only ever sent as buffers.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A project whose `pyproject.toml` says `requires-python = ">=3.15"` (so the style is `lazy`).
    pub(crate) fn py315() -> Self {
        let project = Self::new();
        project.write(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nrequires-python = \">=3.15\"\n",
        );
        project
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, relative: &str, text: &str) -> PathBuf {
        use std::io::Write as _;
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        path
    }

    pub(crate) fn uri(&self, relative: &str) -> Uri {
        Uri::from_str(&format!("file://{}/{relative}", self.dir.path().display())).unwrap()
    }

    /// The insta filter that hides the temporary directory.
    pub(crate) fn filters(&self) -> Vec<(String, &'static str)> {
        vec![(
            regex_escape(&self.dir.path().display().to_string()),
            "[TMP]",
        )]
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

/// A running server and the client end of its connection.
pub(crate) struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), ServerError>>>,
    next_id: i32,
    /// Notifications received while waiting for something else, oldest first.
    pending: Vec<Notification>,
    /// Requests the server sent to the client (`client/registerCapability`), oldest first.
    pub(crate) server_requests: Vec<Request>,
    pub(crate) initialize_result: InitializeResult,
}

impl Client {
    /// Starts a server and initializes it with `capabilities` and `options` (`initializationOptions`).
    pub(crate) fn start(capabilities: &Value, options: Option<Value>) -> Self {
        let (server_end, client_end) = Connection::memory();
        let server = std::thread::spawn(move || lazify_server::run(server_end));
        let mut client = Self {
            connection: client_end,
            server: Some(server),
            next_id: 0,
            pending: Vec::new(),
            server_requests: Vec::new(),
            initialize_result: InitializeResult::default(),
        };
        let mut params =
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities });
        params["initializationOptions"] = hermetic(options.unwrap_or_else(|| json!({})));
        let result = client.request_raw(Initialize::METHOD, params);
        client.initialize_result = serde_json::from_value(result).unwrap();
        client.notify::<Initialized>(json!({}));
        client
    }

    /// A server with default capabilities (UTF-16, `changes` workspace edits).
    pub(crate) fn default_start() -> Self {
        Self::start(&json!({}), None)
    }

    pub(crate) fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_string(), params).into())
            .unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server answered")
            {
                Message::Response(response) if response.id == id => {
                    return match response.response_result {
                        Ok(result) => result,
                        Err(error) => panic!("{method} failed: {error:?}"),
                    };
                }
                Message::Notification(n) => self.pending.push(n),
                Message::Request(r) => self.server_requests.push(r),
                other @ Message::Response(_) => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Sends a request and returns the error code the server answered with (panics on success).
    pub(crate) fn request_error(&mut self, method: &str, params: Value) -> i32 {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_string(), params).into())
            .unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server answered")
            {
                Message::Response(response) if response.id == id => {
                    return response
                        .response_result
                        .expect_err("an error response")
                        .code;
                }
                Message::Notification(n) => self.pending.push(n),
                Message::Request(r) => self.server_requests.push(r),
                other @ Message::Response(_) => panic!("unexpected message {other:?}"),
            }
        }
    }

    pub(crate) fn notify<N: lsp_types::notification::Notification>(&self, params: Value) {
        self.connection
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into())
            .unwrap();
    }

    /// Waits for the next notification with `method`, keeping the others.
    pub(crate) fn wait_for(&mut self, method: &str) -> Notification {
        if let Some(i) = self.pending.iter().position(|n| n.method == method) {
            return self.pending.remove(i);
        }
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("a notification")
            {
                Message::Notification(n) if n.method == method => return n,
                Message::Notification(n) => self.pending.push(n),
                Message::Request(r) => self.server_requests.push(r),
                other @ Message::Response(_) => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// The notifications received so far that nobody waited for (log and show messages).
    pub(crate) fn drain_pending(&mut self, method: &str) -> Vec<Value> {
        let (matching, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|n| n.method == method);
        self.pending = rest;
        matching.into_iter().map(|n| n.params).collect()
    }

    /// Waits for the diagnostics of `uri`.
    pub(crate) fn diagnostics(&mut self, uri: &Uri) -> PublishDiagnosticsParams {
        loop {
            let n = self.wait_for(PublishDiagnostics::METHOD);
            let params: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
            if params.uri == *uri {
                return params;
            }
        }
    }

    pub(crate) fn open(&mut self, uri: &Uri, text: &str) -> PublishDiagnosticsParams {
        self.notify::<DidOpenTextDocument>(
            serde_json::to_value(DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(uri.clone(), "python".into(), 1, text.into()),
            })
            .unwrap(),
        );
        self.diagnostics(uri)
    }

    pub(crate) fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> PublishDiagnosticsParams {
        self.notify::<DidChangeTextDocument>(
            serde_json::to_value(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: changes,
            })
            .unwrap(),
        );
        self.diagnostics(uri)
    }

    pub(crate) fn close(&mut self, uri: &Uri) -> PublishDiagnosticsParams {
        self.notify::<DidCloseTextDocument>(
            serde_json::to_value(DidCloseTextDocumentParams {
                text_document: TextDocumentIdentifier::new(uri.clone()),
            })
            .unwrap(),
        );
        self.diagnostics(uri)
    }

    pub(crate) fn configure(&mut self, settings: Value) {
        let settings = hermetic(settings);
        self.notify::<DidChangeConfiguration>(
            serde_json::to_value(DidChangeConfigurationParams { settings }).unwrap(),
        );
    }

    /// `textDocument/codeAction` over `range`, optionally limited to `only` kinds and naming `diagnostics`.
    pub(crate) fn code_actions(
        &mut self,
        uri: &Uri,
        range: Range,
        only: Option<Vec<CodeActionKind>>,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<lsp_types::CodeAction> {
        let params = CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range,
            context: CodeActionContext {
                diagnostics,
                only,
                trigger_kind: None,
            },
            work_done_progress_params: lsp_types::WorkDoneProgressParams::default(),
            partial_result_params: lsp_types::PartialResultParams::default(),
        };
        let result = self.request_raw(
            CodeActionRequest::METHOD,
            serde_json::to_value(params).unwrap(),
        );
        let actions: Option<Vec<CodeActionOrCommand>> = serde_json::from_value(result).unwrap();
        actions
            .unwrap_or_default()
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a,
                CodeActionOrCommand::Command(c) => panic!("unexpected command {c:?}"),
            })
            .collect()
    }

    /// `shutdown` then `exit`; returns what the server's `run` returned.
    pub(crate) fn shutdown(mut self) -> Result<(), ServerError> {
        let result = self.request_raw(Shutdown::METHOD, Value::Null);
        assert_eq!(result, Value::Null);
        self.notify::<Exit>(Value::Null);
        self.server.take().unwrap().join().unwrap()
    }

    /// `exit` without `shutdown`.
    pub(crate) fn exit_now(mut self) -> Result<(), ServerError> {
        self.notify::<Exit>(Value::Null);
        self.server.take().unwrap().join().unwrap()
    }
}

/// The edits of a workspace edit for `uri` (from `changes` or `documentChanges`).
pub(crate) fn edits_for(edit: &WorkspaceEdit, uri: &Uri) -> Vec<TextEdit> {
    if let Some(changes) = &edit.changes {
        return changes.get(uri).cloned().unwrap_or_default();
    }
    match &edit.document_changes {
        Some(DocumentChanges::Edits(edits)) => edits
            .iter()
            .filter(|e| e.text_document.uri == *uri)
            .flat_map(|e| {
                e.edits.iter().map(|e| match e {
                    OneOf::Left(e) => e.clone(),
                    OneOf::Right(a) => a.text_edit.clone(),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Position encodings, implemented independently of the server's (by counting per character).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Units {
    Utf8,
    Utf16,
    Utf32,
}

fn width(c: char, units: Units) -> u32 {
    let width = match units {
        Units::Utf8 => c.len_utf8(),
        Units::Utf16 => c.len_utf16(),
        Units::Utf32 => 1,
    };
    u32::try_from(width).unwrap()
}

/// The byte offset of `position` in `text`; lines end at `\n` only (the tests use no other breaks).
pub(crate) fn offset(text: &str, position: Position, units: Units) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        line_start += text[line_start..].find('\n').expect("line exists") + 1;
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut count = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if count >= position.character {
            return line_start + i;
        }
        count += width(c, units);
    }
    assert_eq!(
        count, position.character,
        "position past the end of its line"
    );
    line_end
}

/// Applies `edits` the way an editor does: all positions refer to the text before any edit.
pub(crate) fn apply(text: &str, edits: &[TextEdit], units: Units) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, e.range.start, units),
                offset(text, e.range.end, units),
                e.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut last = 0;
    for (start, end, new) in spans {
        assert!(start >= last, "overlapping edits {edits:?}");
        out.push_str(&text[last..start]);
        out.push_str(new);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// The range of the first occurrence of `needle` in `text`, in `units`.
pub(crate) fn range_of(text: &str, needle: &str, units: Units) -> Range {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in the text"));
    Range::new(
        position(text, start, units),
        position(text, start + needle.len(), units),
    )
}

pub(crate) fn position(text: &str, offset: usize, units: Units) -> Position {
    let before = &text[..offset];
    let line = u32::try_from(before.matches('\n').count()).unwrap();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].chars().map(|c| width(c, units)).sum();
    Position::new(line, character)
}

/// The text of `range` in `text`.
pub(crate) fn slice(text: &str, range: Range, units: Units) -> &str {
    &text[offset(text, range.start, units)..offset(text, range.end, units)]
}

/// What the engine makes of `text` as a file at `path` with the settings of `project` (for comparisons).
pub(crate) fn engine_fixed(
    path: &Path,
    text: &str,
    settings: &lazify_core::Settings,
) -> Option<String> {
    let mut file = lazify_core::SourceFile::new(path);
    file.module_name = lazify_workspace::resolve::module_name(path);
    lazify_core::run(text, &file, settings)
        .fixed
        .map(String::from)
}
