//! The stdio transport: LSP's base protocol (`Content-Length` headers, then a JSON body) read and written by
//! the server itself, forwarding parsed [`Message`]s into the same channels `lsp_server`'s transport uses.
//!
//! `lsp_server`'s own reader allocates whatever a `Content-Length` announces and ends the connection on the
//! first malformed byte. This one answers a malformed message and keeps serving:
//!
//! - a body that is not JSON gets a `-32700` (parse error) response with `id: null`; JSON that is not an LSP
//!   message gets a `-32600` (invalid request) response, with the message's `id` when it has a usable one;
//! - bytes that are not a header (garbage) get one `-32700` response, and the reader skips to the next
//!   `Content-Length: N` line;
//! - a message over [`MAX_MESSAGE_BYTES`] is refused (a `-32600` response and a log line) and its body is read in
//!   chunks and discarded, never held in memory.
//!
//! Resynchronising is safe because a `Content-Length: N` header line cannot occur inside a valid JSON body: the
//! words can only sit in a JSON string, and a JSON string cannot hold the raw line break that ends the header.
//! So while reading or skipping a body, the reader also watches for that line; when it appears, the announced
//! length was wrong (or the body was cut short) and framing resumes there. When the stream ends before it can
//! resume, the reader stops with an error that says so ([`TransportError`]), not with "the client closed the
//! connection".
//!
//! Problems are answered from the reader thread (through the writer shared with the writer thread) and logged
//! on stderr and with `window/logMessage`, so the main loop only ever sees well-formed messages.

use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification};
use lsp_types::notification::{LogMessage, Notification as _};
use lsp_types::{LogMessageParams, MessageType};
use serde_json::{Value, json};

/// The largest message body the server reads (64 MiB). A larger one is refused and skipped without being held
/// in memory. A 64 MiB body is a Python file of tens of millions of characters, far beyond anything an editor
/// sends.
pub const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// The longest header line the reader accepts; a longer one is garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// How far the reader reads ahead while skipping.
const CHUNK: usize = 64 * 1024;

/// Why the reader stopped before the client sent `exit` or closed the stream between two messages.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TransportError {
    /// Reading stdin failed.
    #[error("reading the LSP stream failed: {0}")]
    #[diagnostic(code(lazify::server::io))]
    Io(#[from] io::Error),
    /// The stream ended inside a header.
    #[error("the client closed the connection in the middle of a message header")]
    #[diagnostic(code(lazify::server::truncated))]
    EndInHeader,
    /// The stream ended inside a body.
    #[error(
        "the client closed the connection in the middle of a message: {received} of the {announced} bytes its \
         `Content-Length` announced arrived"
    )]
    #[diagnostic(code(lazify::server::truncated))]
    EndInBody {
        /// The announced length.
        announced: u64,
        /// The bytes that arrived.
        received: u64,
    },
    /// The stream ended while an oversized message was being skipped.
    #[error(
        "the client closed the connection while the server was skipping a message of {announced} bytes (over \
         the {limit} MiB limit) after {skipped} bytes of it",
        limit = MAX_MESSAGE_BYTES / 1024 / 1024
    )]
    #[diagnostic(code(lazify::server::truncated))]
    EndInOversized {
        /// The announced length.
        announced: u64,
        /// The bytes skipped before the end.
        skipped: u64,
    },
    /// The stream ended after malformed bytes, before a `Content-Length` header to resume at.
    #[error(
        "the LSP stream could not be resynchronised: the client closed the connection after {skipped} bytes of \
         malformed input with no `Content-Length` header to resume at"
    )]
    #[diagnostic(code(lazify::server::unsynchronised))]
    EndUnsynchronised {
        /// The bytes skipped.
        skipped: u64,
    },
}

/// The output stream, shared by the writer thread and the reader (which answers malformed input itself).
type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// The transport's threads.
pub(crate) struct Transport {
    reader: JoinHandle<Result<(), TransportError>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Transport {
    /// Starts the reader thread on `input` and the writer thread on `output`; returns the channels of a
    /// [`Connection`](lsp_server::Connection) and the threads.
    pub(crate) fn start(
        input: impl BufRead + Send + 'static,
        output: impl Write + Send + 'static,
    ) -> io::Result<(Sender<Message>, Receiver<Message>, Self)> {
        let output: SharedWriter = Arc::new(Mutex::new(Box::new(output)));
        let (writer_sender, writer_receiver) = crossbeam_channel::bounded::<Message>(0);
        let writer_output = Arc::clone(&output);
        let writer = thread::Builder::new()
            .name("lazify-lsp-writer".to_string())
            .spawn(move || {
                for message in writer_receiver {
                    let mut out = writer_output.lock().unwrap_or_else(PoisonError::into_inner);
                    message.write(&mut *out)?;
                }
                Ok(())
            })?;
        let (reader_sender, reader_receiver) = crossbeam_channel::bounded::<Message>(0);
        let reader = thread::Builder::new()
            .name("lazify-lsp-reader".to_string())
            .spawn(move || read_loop(input, &reader_sender, &output))?;
        Ok((writer_sender, reader_receiver, Self { reader, writer }))
    }

    /// Waits for the writer to write what it was given (it stops once every sender of the connection is
    /// dropped) and, when `reader_stopped` (the main loop saw the reader's channel close), for the reader.
    /// Returns why the reader stopped, if it stopped on an error, and the writer's result.
    pub(crate) fn finish(self, reader_stopped: bool) -> (Option<TransportError>, io::Result<()>) {
        let written = match self.writer.join() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the LSP writer thread panicked")),
        };
        // The reader closes its channel as it returns, so it is finished or about to be. (When the writer failed
        // instead, the reader may be blocked on stdin; it is not waited for then.)
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while reader_stopped && !self.reader.is_finished() && std::time::Instant::now() < deadline {
            thread::sleep(std::time::Duration::from_millis(5));
        }
        let reader_error = if reader_stopped && self.reader.is_finished() {
            match self.reader.join() {
                Ok(Err(error)) => Some(error),
                Ok(Ok(())) | Err(_) => None,
            }
        } else {
            None
        };
        (reader_error, written)
    }
}

/// Reads messages until `exit`, the end of the stream, or an error that cannot be recovered from.
fn read_loop(
    input: impl BufRead,
    sender: &Sender<Message>,
    output: &SharedWriter,
) -> Result<(), TransportError> {
    let mut framer = Framer::new(input);
    loop {
        let event = match framer.next() {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(()),
            Err(error) => {
                log(output, MessageType::ERROR, &error.to_string());
                return Err(error);
            }
        };
        match event {
            Event::Body(body) => match decode(&body) {
                Ok(message) => {
                    let is_exit =
                        matches!(&message, Message::Notification(n) if n.method == "exit");
                    if sender.send(message).is_err() || is_exit {
                        return Ok(());
                    }
                }
                Err(rejection) => {
                    log(output, MessageType::ERROR, &rejection.message);
                    respond_error(output, &rejection);
                }
            },
            Event::Problem(problem) => {
                let rejection = problem.rejection();
                log(output, MessageType::ERROR, &rejection.message);
                respond_error(output, &rejection);
            }
        }
    }
}

/// An error response for a message that cannot be handled.
#[derive(Debug)]
struct Rejection {
    /// The id of the request, when one could be read; `null` otherwise.
    id: Value,
    code: ErrorCode,
    message: String,
}

/// Parses a body into a message, or says why it is none.
fn decode(body: &[u8]) -> Result<Message, Rejection> {
    if let Ok(message) = serde_json::from_slice::<Message>(body) {
        return Ok(message);
    }
    let value = match serde_json::from_slice::<Value>(body) {
        Ok(value) => value,
        Err(error) => {
            return Err(Rejection {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: format!(
                    "parse error: the body of a message ({} bytes) is not valid JSON: {error}",
                    body.len()
                ),
            });
        }
    };
    // Valid JSON that is no request, response or notification. Echo an id that can be read back.
    let id = match value.get("id") {
        Some(id @ Value::String(_)) => id.clone(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n.clone()),
        _ => Value::Null,
    };
    let mut shown = value.to_string();
    if shown.len() > 200 {
        let mut end = 200;
        while !shown.is_char_boundary(end) {
            end -= 1;
        }
        shown.truncate(end);
        shown.push_str("...");
    }
    Err(Rejection {
        id,
        code: ErrorCode::InvalidRequest,
        message: format!(
            "invalid request: not a JSON-RPC request, response or notification the server can read \
             (`method` must be a string, `id` an integer or a string): {shown}"
        ),
    })
}

/// Writes a JSON-RPC error response (the `id` may be `null`, which `lsp_server::Response` cannot express).
fn respond_error(output: &SharedWriter, rejection: &Rejection) {
    let body = json!({
        "jsonrpc": "2.0",
        "id": rejection.id,
        "error": {"code": rejection.code as i32, "message": rejection.message},
    })
    .to_string();
    let mut out = output.lock().unwrap_or_else(PoisonError::into_inner);
    // A failed write is the writer thread's to report: the stream is gone.
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len()).and_then(|()| out.flush());
}

/// Logs a transport problem on stderr (the editor's server log) and to the client (`window/logMessage`).
fn log(output: &SharedWriter, typ: MessageType, message: &str) {
    let _ = writeln!(io::stderr(), "lazify server: {message}");
    let notification = Notification::new(
        LogMessage::METHOD.to_string(),
        LogMessageParams {
            typ,
            message: format!("lazify server: {message}"),
        },
    );
    let mut out = output.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = Message::Notification(notification).write(&mut *out);
}

/// What the framer found next.
#[derive(Debug, PartialEq)]
enum Event {
    /// A complete body of the announced length.
    Body(Vec<u8>),
    /// Something malformed, to be answered; the framer has skipped it or will skip it at the next call.
    Problem(Problem),
}

/// A framing problem.
#[derive(Debug, PartialEq)]
enum Problem {
    /// Bytes that are not a header.
    Garbage(String),
    /// A body over [`MAX_MESSAGE_BYTES`].
    TooLarge(u64),
    /// A body cut short: the next header started before the announced length was reached.
    CutShort { announced: u64, received: u64 },
}

impl Problem {
    fn rejection(&self) -> Rejection {
        let (code, message) = match self {
            Problem::Garbage(what) => (
                ErrorCode::ParseError,
                format!("parse error: {what}; skipping to the next `Content-Length` header"),
            ),
            Problem::TooLarge(announced) => (
                ErrorCode::InvalidRequest,
                format!(
                    "invalid request: a message of {announced} bytes is over the {} MiB limit; skipping it \
                     without reading it into memory",
                    MAX_MESSAGE_BYTES / 1024 / 1024
                ),
            ),
            Problem::CutShort {
                announced,
                received,
            } => (
                ErrorCode::ParseError,
                format!(
                    "parse error: a message announced {announced} bytes but a `Content-Length` header ended \
                     {received} bytes into its body (it was cut short or its length is wrong); the message is \
                     dropped"
                ),
            ),
        };
        Rejection {
            id: Value::Null,
            code,
            message,
        }
    }
}

/// What the framer does at its next call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Read a header block.
    Headers,
    /// Read the rest of a header block whose `Content-Length` line was found by resynchronising.
    HeadersAfterLength(u64),
    /// Discard bytes until a `Content-Length` line.
    Resync,
    /// Read a body of this length.
    Body(u64),
    /// Discard a body of this length (over the limit), or stop at a `Content-Length` line inside it.
    Skip(u64),
}

/// Splits a byte stream into message bodies (see the module documentation).
struct Framer<R> {
    input: R,
    state: State,
}

/// The result of reading one header line.
enum Line {
    /// The stream ended before the line's first byte.
    End,
    /// A line, without its line break.
    Text(Vec<u8>),
    /// A line longer than [`MAX_HEADER_LINE`] (consumed up to there).
    TooLong,
}

impl<R: BufRead> Framer<R> {
    fn new(input: R) -> Self {
        Self {
            input,
            state: State::Headers,
        }
    }

    /// The next body or problem; `None` at the end of the stream between two messages.
    fn next(&mut self) -> Result<Option<Event>, TransportError> {
        loop {
            match self.state {
                State::Headers => {
                    if let Some(event) = self.headers(None)? {
                        return Ok(Some(event));
                    }
                    if self.state == State::Headers {
                        return Ok(None);
                    }
                }
                State::HeadersAfterLength(length) => {
                    if let Some(event) = self.headers(Some(length))? {
                        return Ok(Some(event));
                    }
                }
                State::Resync => {
                    let (found, skipped) = self.scan(u64::MAX)?;
                    match found {
                        Some(length) => self.state = State::HeadersAfterLength(length),
                        None => return Err(TransportError::EndUnsynchronised { skipped }),
                    }
                }
                State::Body(length) => return self.body(length).map(Some),
                State::Skip(length) => {
                    let (found, skipped) = self.scan(length)?;
                    match found {
                        Some(next) => self.state = State::HeadersAfterLength(next),
                        None if skipped == length => self.state = State::Headers,
                        None => {
                            return Err(TransportError::EndInOversized {
                                announced: length,
                                skipped,
                            });
                        }
                    }
                }
            }
        }
    }

    /// Reads header lines up to the empty line. Returns an event for a problem; `None` once the state says what
    /// comes next (a body, or the end of the stream when it is still `Headers`).
    fn headers(&mut self, mut length: Option<u64>) -> Result<Option<Event>, TransportError> {
        let mut first = length.is_none();
        loop {
            let line = match self.line()? {
                Line::End if first => return Ok(None),
                Line::End => return Err(TransportError::EndInHeader),
                Line::TooLong => {
                    self.state = State::Resync;
                    return Ok(Some(Event::Problem(Problem::Garbage(format!(
                        "a header line longer than {MAX_HEADER_LINE} bytes"
                    )))));
                }
                Line::Text(line) => line,
            };
            if line.is_empty() {
                if first {
                    // A stray line break between messages.
                    continue;
                }
                let Some(length) = length else {
                    self.state = State::Resync;
                    return Ok(Some(Event::Problem(Problem::Garbage(
                        "a message header without `Content-Length`".to_string(),
                    ))));
                };
                self.state = if length > MAX_MESSAGE_BYTES {
                    State::Skip(length)
                } else {
                    State::Body(length)
                };
                return Ok(if length > MAX_MESSAGE_BYTES {
                    Some(Event::Problem(Problem::TooLarge(length)))
                } else {
                    None
                });
            }
            first = false;
            match parse_header(&line) {
                Some(Header::ContentLength(n)) => length = Some(n),
                // Not `xxContent-Length: 10` (garbage before a header): that one resynchronises below.
                Some(Header::Other) if !contains_marker(&line) => {}
                _ => {
                    // The line may end with a `Content-Length` header after garbage: resume there.
                    self.state = match marker_in_line(&line) {
                        Some(n) => State::HeadersAfterLength(n),
                        None => State::Resync,
                    };
                    return Ok(Some(Event::Problem(Problem::Garbage(format!(
                        "bytes that are not a message header: {}",
                        shown(&line)
                    )))));
                }
            }
        }
    }

    /// Reads one header line (ending in `\n`, with or without `\r`).
    fn line(&mut self) -> io::Result<Line> {
        let mut line = Vec::new();
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(if line.is_empty() {
                    Line::End
                } else {
                    // The stream ended inside the line: report it as an unfinished header.
                    Line::Text(line)
                });
            }
            let room = MAX_HEADER_LINE - line.len();
            let searched = &available[..available.len().min(room + 1)];
            if let Some(end) = memchr::memchr(b'\n', searched) {
                line.extend_from_slice(&available[..end]);
                self.input.consume(end + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Line::Text(line));
            }
            if searched.len() > room {
                line.extend_from_slice(&available[..room]);
                self.input.consume(room);
                return Ok(Line::TooLong);
            }
            let n = searched.len();
            line.extend_from_slice(searched);
            self.input.consume(n);
        }
    }

    /// Reads a body of `length` (at most [`MAX_MESSAGE_BYTES`]), growing the buffer as bytes arrive, so a
    /// length that is announced but never sent allocates nothing.
    fn body(&mut self, length: u64) -> Result<Event, TransportError> {
        let mut body =
            Vec::with_capacity(usize::try_from(length.min(CHUNK as u64)).unwrap_or(CHUNK));
        let mut scanner = Scanner::default();
        while (body.len() as u64) < length {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Err(TransportError::EndInBody {
                    announced: length,
                    received: body.len() as u64,
                });
            }
            let want = usize::try_from(length - body.len() as u64).unwrap_or(usize::MAX);
            let take = available.len().min(want);
            let chunk = &available[..take];
            if let Some((end, next)) = scanner.find(chunk) {
                let received = body.len() as u64 + end as u64;
                self.input.consume(end);
                self.state = State::HeadersAfterLength(next);
                return Ok(Event::Problem(Problem::CutShort {
                    announced: length,
                    received,
                }));
            }
            body.extend_from_slice(chunk);
            self.input.consume(take);
        }
        self.state = State::Headers;
        Ok(Event::Body(body))
    }

    /// Discards up to `limit` bytes, stopping after a `Content-Length` line. Returns the length that line
    /// announced, if one was found, and the bytes discarded.
    fn scan(&mut self, limit: u64) -> io::Result<(Option<u64>, u64)> {
        let mut scanner = Scanner::default();
        let mut skipped = 0u64;
        while skipped < limit {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok((None, skipped));
            }
            let want = usize::try_from(limit - skipped).unwrap_or(usize::MAX);
            let take = available.len().min(want);
            if let Some((end, length)) = scanner.find(&available[..take]) {
                self.input.consume(end);
                return Ok((Some(length), skipped + end as u64));
            }
            self.input.consume(take);
            skipped += take as u64;
        }
        Ok((None, skipped))
    }
}

/// A header line's meaning.
enum Header {
    ContentLength(u64),
    Other,
}

/// Parses `Name: value`; `None` when the line is not a header (or its `Content-Length` is not a number).
fn parse_header(line: &[u8]) -> Option<Header> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    let is_token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(is_token) {
        return None;
    }
    let value = line[colon + 1..].trim_ascii();
    if name.eq_ignore_ascii_case(b"content-length") {
        if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // Saturating: a length past `u64` is as much over the limit as `u64::MAX`.
        let n = value.iter().fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        });
        return Some(Header::ContentLength(n));
    }
    // `Content-Type` and anything else a client adds; the value must be text.
    value
        .iter()
        .all(|b| *b == b'\t' || (b' '..=b'~').contains(b) || *b >= 0x80)
        .then_some(Header::Other)
}

/// The length announced by a `Content-Length` header that ends `line` (a line without its line break).
fn marker_in_line(line: &[u8]) -> Option<u64> {
    let mut scanner = Scanner::default();
    line.iter().chain(b"\n").find_map(|&b| scanner.feed(b))
}

fn contains_marker(line: &[u8]) -> bool {
    marker_in_line(line).is_some()
}

/// The first bytes of a line, printable, for a message.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]);
    let mut shown: String = text.escape_debug().collect();
    if bytes.len() > 60 {
        shown.push_str("...");
    }
    format!("\"{shown}\"")
}

/// Recognises `Content-Length:` (any case), optional blanks, digits, optional blanks and a line break
/// (`\r\n` or `\n`) in a byte stream, a byte at a time (the marker cannot occur in a valid JSON body).
#[derive(Default)]
struct Scanner {
    /// How far the match got: `0..15` inside `content-length:`, then the states below.
    state: u8,
    value: u64,
}

const MARKER: &[u8; 15] = b"content-length:";
const AFTER_COLON: u8 = 15;
const DIGITS: u8 = 16;
const AFTER_DIGITS: u8 = 17;
const CR: u8 = 18;

impl Scanner {
    /// Feeds one byte; returns the announced length when it completes the marker.
    fn feed(&mut self, b: u8) -> Option<u64> {
        let next = match self.state {
            s if s < AFTER_COLON => {
                (b.to_ascii_lowercase() == MARKER[usize::from(s)]).then(|| s + 1)
            }
            AFTER_COLON => match b {
                b' ' | b'\t' => Some(AFTER_COLON),
                b'0'..=b'9' => {
                    self.value = u64::from(b - b'0');
                    Some(DIGITS)
                }
                _ => None,
            },
            DIGITS => match b {
                b'0'..=b'9' => {
                    self.value = self
                        .value
                        .saturating_mul(10)
                        .saturating_add(u64::from(b - b'0'));
                    Some(DIGITS)
                }
                b' ' | b'\t' => Some(AFTER_DIGITS),
                b'\r' => Some(CR),
                b'\n' => return Some(self.complete()),
                _ => None,
            },
            AFTER_DIGITS => match b {
                b' ' | b'\t' => Some(AFTER_DIGITS),
                b'\r' => Some(CR),
                b'\n' => return Some(self.complete()),
                _ => None,
            },
            CR => match b {
                b'\n' => return Some(self.complete()),
                _ => None,
            },
            _ => None,
        };
        self.state = match next {
            Some(state) => state,
            // `c` occurs only at the start of the marker, so a mismatch restarts at 0 or 1.
            None => u8::from(b.eq_ignore_ascii_case(&b'c')),
        };
        None
    }

    fn complete(&mut self) -> u64 {
        self.state = 0;
        std::mem::take(&mut self.value)
    }

    /// Feeds `bytes`; returns the offset just past the marker's line break and the announced length.
    fn find(&mut self, bytes: &[u8]) -> Option<(usize, u64)> {
        let mut i = 0;
        while i < bytes.len() {
            if self.state == 0 {
                // Jump to the next possible start.
                i += memchr::memchr2(b'c', b'C', &bytes[i..])?;
            }
            if let Some(length) = self.feed(bytes[i]) {
                return Some((i + 1, length));
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor, Read};

    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn events(input: Vec<u8>) -> (Vec<Event>, Result<(), String>) {
        // A small buffer, so matches across reads are exercised.
        let mut framer = Framer::new(BufReader::with_capacity(7, Cursor::new(input)));
        let mut events = Vec::new();
        loop {
            match framer.next() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => return (events, Ok(())),
                Err(e) => return (events, Err(e.to_string())),
            }
        }
    }

    fn body(text: &str) -> Event {
        Event::Body(text.as_bytes().to_vec())
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    #[test]
    fn well_formed_frames_pass_through() {
        let mut input = frame(PING);
        input.extend(
            b"content-length:2\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
        );
        input.extend(b"\r\n");
        input.extend(frame("[]"));
        let (events, end) = events(input);
        assert_eq!(events, [body(PING), body("{}"), body("[]")]);
        assert_eq!(end, Ok(()));
    }

    #[test]
    fn garbage_is_reported_once_and_skipped() {
        let mut input = b"\x00\xffhello world\r\nmore garbage without a break".to_vec();
        input.extend(frame(PING));
        let (events, end) = events(input);
        assert!(
            matches!(&events[0], Event::Problem(Problem::Garbage(what)) if what.contains("hello world")),
            "{events:?}"
        );
        assert_eq!(events[1..], [body(PING)]);
        assert_eq!(end, Ok(()));
    }

    #[test]
    fn a_header_after_garbage_on_the_same_line_is_found() {
        let mut input = b"xx".to_vec();
        input.extend(frame(PING));
        let (events, _) = events(input);
        assert!(matches!(events[0], Event::Problem(Problem::Garbage(_))));
        assert_eq!(events[1..], [body(PING)]);
    }

    #[test]
    fn an_oversized_body_is_skipped_in_chunks() {
        let big = MAX_MESSAGE_BYTES + 10;
        let mut input = format!("Content-Length: {big}\r\n\r\n").into_bytes();
        // A JSON string of `big` bytes, never buffered.
        input.push(b'"');
        input.resize(input.len() + usize::try_from(big - 2).unwrap(), b'x');
        input.push(b'"');
        input.extend(frame(PING));
        let (events, end) = events(input);
        assert_eq!(events, [Event::Problem(Problem::TooLarge(big)), body(PING)]);
        assert_eq!(end, Ok(()));
    }

    #[test]
    fn a_length_that_never_arrives_resumes_at_the_next_header() {
        for length in [
            "99999999999999",
            "1500000000",
            "99999999999999999999999999",
            "500",
        ] {
            let mut input = format!("Content-Length: {length}\r\n\r\n{{\"a\":").into_bytes();
            input.extend(frame(PING));
            let (events, end) = events(input);
            assert_eq!(events.len(), 2, "{length}: {events:?}");
            assert_eq!(events[1], body(PING), "{length}");
            assert_eq!(end, Ok(()));
        }
    }

    #[test]
    fn the_end_of_the_stream_is_reported_by_where_it_happens() {
        let (_, end) = events(b"Content-Length: 10\r\n".to_vec());
        assert!(end.unwrap_err().contains("middle of a message header"));
        let (_, end) = events(b"Content-Length: 10\r\n\r\n{}".to_vec());
        assert!(end.unwrap_err().contains("2 of the 10 bytes"));
        let (_, end) = events(b"Content-Length: 99999999999\r\n\r\n{}".to_vec());
        assert!(
            end.unwrap_err()
                .contains("skipping a message of 99999999999 bytes")
        );
        let (events, end) = events(b"garbage\r\n\r\n".to_vec());
        assert_eq!(events.len(), 1);
        assert!(end.unwrap_err().contains("could not be resynchronised"));
    }

    #[test]
    fn a_long_line_is_garbage() {
        let mut input = vec![b'a'; MAX_HEADER_LINE * 3];
        input.extend(frame(PING));
        let (events, end) = events(input);
        assert!(matches!(&events[0], Event::Problem(Problem::Garbage(w)) if w.contains("longer")));
        assert_eq!(events[1..], [body(PING)]);
        assert_eq!(end, Ok(()));
    }

    #[test]
    fn bodies_are_decoded_or_rejected_with_the_right_code() {
        assert!(matches!(decode(PING.as_bytes()), Ok(Message::Request(_))));
        let e = decode(b"{not json").unwrap_err();
        assert_eq!((e.id, e.code as i32), (Value::Null, -32700));
        let e = decode(br#"{"jsonrpc":"2.0","id":7,"method":5}"#).unwrap_err();
        assert_eq!((e.id, e.code as i32), (json!(7), -32600));
        let e = decode(br#"{"jsonrpc":"2.0","id":"x"}"#).unwrap_err();
        assert_eq!((e.id, e.code as i32), (json!("x"), -32600));
        let e = decode(b"[1, 2]").unwrap_err();
        assert_eq!((e.id, e.code as i32), (Value::Null, -32600));
        let e = decode(b"\xff\xfe").unwrap_err();
        assert_eq!(e.code as i32, -32700);
    }

    #[test]
    fn the_reader_answers_problems_and_forwards_messages() {
        let mut input = b"Content-Length: 5\r\n\r\n{bad}".to_vec();
        input.extend(frame(PING));
        input.extend(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        input.extend(frame(PING)); // after `exit`: not read
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = SinkHandle(Arc::clone(&out));
        let (sender, receiver) = crossbeam_channel::unbounded();
        let shared: SharedWriter = Arc::new(Mutex::new(Box::new(sink)));
        read_loop(Cursor::new(input), &sender, &shared).unwrap();
        drop(sender);
        let forwarded: Vec<Message> = receiver.iter().collect();
        assert_eq!(forwarded.len(), 2, "{forwarded:?}");
        let mut written = String::new();
        Cursor::new(out.lock().unwrap().clone())
            .read_to_string(&mut written)
            .unwrap();
        assert!(
            written.contains(r#""id":null"#) && written.contains("-32700"),
            "{written}"
        );
        assert!(written.contains("window/logMessage"), "{written}");
    }

    struct SinkHandle(Arc<Mutex<Vec<u8>>>);

    impl Write for SinkHandle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
