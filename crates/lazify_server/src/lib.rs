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
mod edits;
mod encoding;
mod server;
mod session;
mod settings;

pub use lsp_server::Connection;

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServerError {
    /// The client broke the protocol during start-up (no `initialize` first, bad framing).
    #[error("LSP protocol error: {0}")]
    #[diagnostic(code(lazify::server::protocol))]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The `initialize` parameters did not deserialize.
    #[error("invalid `initialize` parameters: {0}")]
    #[diagnostic(code(lazify::server::protocol))]
    InitializeParams(#[source] serde_json::Error),
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

/// Serves one client over stdin/stdout until it sends `shutdown` and `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    run(connection)?;
    io_threads.join()?;
    Ok(())
}

/// Serves one client over `connection` until it sends `shutdown` and `exit` (then `Ok`), or `exit` without
/// `shutdown`, or disconnects (then an error).
pub fn run(connection: Connection) -> Result<(), ServerError> {
    server::Server::initialize(connection)?.main_loop()
}
