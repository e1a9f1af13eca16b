//! `lazify server`: a language server over stdio that shows, in the editor, the imports lazify would make
//! lazy, and offers the rewrites as code actions.
//!
//! It keeps open buffers in memory and runs [`lazify_core::run`] on their unsaved text; it never reads an
//! open document from disk and never writes a file (edits go to the client as `WorkspaceEdit`s). Settings come
//! from the nearest `lazify.toml` / `pyproject.toml` `[tool.lazify]` and from the editor
//! (`initializationOptions`, `workspace/didChangeConfiguration`). One file per LSP method lives under `api`.
//!
//! Entry points: [`run_stdio`] for the `lazify server` subcommand, [`run`] for any [`Connection`] (the tests
//! use [`Connection::memory`]).

mod analysis;
mod api;
mod document;
mod encoding;
mod links;
mod server;
mod session;
mod settings;
mod transport;

pub use lsp_server::Connection;
pub use transport::{MAX_MESSAGE_BYTES, TransportError};

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServerError {
    /// The byte stream from the client broke off where it could not be resynchronised (a malformed message
    /// that can be skipped is answered with an error response instead).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Transport(#[from] TransportError),
    /// The client went away without `shutdown` and `exit`.
    #[error("the client closed the connection without `shutdown` and `exit`")]
    #[diagnostic(code(lazify::server::disconnected))]
    Disconnected,
    /// `exit` arrived before `shutdown`; the LSP specification asks for exit code 1 then.
    #[error("the client sent `exit` without `shutdown` first")]
    #[diagnostic(code(lazify::server::exit_without_shutdown))]
    ExitWithoutShutdown,
    /// Reading stdin or writing stdout failed.
    #[error("I/O error on the LSP connection: {0}")]
    #[diagnostic(code(lazify::server::io))]
    Io(#[from] std::io::Error),
}

/// Serves one client over stdin/stdout until it sends `shutdown` and `exit`. Malformed input is answered
/// with JSON-RPC errors and skipped (see [`MAX_MESSAGE_BYTES`] for the size limit).
pub fn run_stdio() -> Result<(), ServerError> {
    let input = std::io::BufReader::with_capacity(64 * 1024, std::io::stdin());
    let output = std::io::BufWriter::new(std::io::stdout());
    let (sender, receiver, transport) = transport::Transport::start(input, output)?;
    let result = run(Connection { sender, receiver });
    // `run` dropped the connection, so the writer stops once it has written everything.
    let reader_stopped = matches!(result, Err(ServerError::Disconnected));
    let (reader_error, written) = transport.finish(reader_stopped);
    if let Some(error) = reader_error {
        // The reader's error explains the closed channel better than "the client closed the connection".
        return Err(error.into());
    }
    result?;
    written?;
    Ok(())
}

/// Serves one client over `connection` until it sends `shutdown` and `exit` (then `Ok`), or `exit` without
/// `shutdown`, or disconnects (then an error).
pub fn run(connection: Connection) -> Result<(), ServerError> {
    server::Server::initialize(connection)?.main_loop()
}
