//! The main loop: the `initialize` handshake, dispatching messages to the handlers in `api`, and the
//! `shutdown` / `exit` sequence. Requests are answered in order on one thread; an analysis of a
//! 5,000-line file takes a few milliseconds, so nothing is gained from a thread pool yet.

use lsp_server::{Connection, ErrorCode, Message, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, InitializeResult, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions,
};

use crate::ServerError;
use crate::api;
use crate::session::Session;

/// The code action kind of the whole-file fix.
pub(crate) const FIX_ALL_KIND: &str = "source.fixAll.lazify";

/// A running server.
pub(crate) struct Server {
    connection: Connection,
    session: Session,
}

impl Server {
    /// Waits for `initialize`, answers it with the server's capabilities and sets up the session. Other
    /// requests before it get `ServerNotInitialized`, an `initialize` whose parameters do not deserialize gets
    /// `InvalidParams` (the client may try again), other notifications are dropped, `exit` ends the server.
    pub(crate) fn initialize(connection: Connection) -> Result<Self, ServerError> {
        let (id, params) = loop {
            let Ok(message) = connection.receiver.recv() else {
                return Err(ServerError::Disconnected);
            };
            let request = match message {
                Message::Request(request) => request,
                Message::Notification(notification) if notification.method == "exit" => {
                    return Err(ServerError::ExitWithoutShutdown);
                }
                Message::Notification(_) | Message::Response(_) => continue,
            };
            let error = if request.method == "initialize" {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => break (request.id, params),
                    Err(e) => Response::new_err(
                        request.id,
                        ErrorCode::InvalidParams as i32,
                        format!("invalid `initialize` parameters: {e}"),
                    ),
                }
            } else {
                Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("`{}` before `initialize`", request.method),
                )
            };
            connection
                .sender
                .send(error.into())
                .map_err(|_| ServerError::Disconnected)?;
        };
        let session = Session::new(connection.sender.clone(), &params);
        let result = InitializeResult {
            capabilities: capabilities(&session),
            server_info: Some(ServerInfo {
                name: "lazify".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        };
        session.send(Response::new_ok(id, result).into())?;
        Ok(Self {
            connection,
            session,
        })
    }

    /// Serves until `exit`.
    pub(crate) fn main_loop(mut self) -> Result<(), ServerError> {
        let mut shutting_down = false;
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if shutting_down {
                        self.session.send(
                            Response::new_err(
                                request.id,
                                ErrorCode::InvalidRequest as i32,
                                "the server is shutting down".to_string(),
                            )
                            .into(),
                        )?;
                    } else if request.method == "shutdown" {
                        shutting_down = true;
                        self.session.send(Response::new_ok(request.id, ()).into())?;
                    } else {
                        api::request(&mut self.session, request)?;
                    }
                }
                Message::Notification(notification) => {
                    if notification.method == "exit" {
                        return if shutting_down {
                            Ok(())
                        } else {
                            Err(ServerError::ExitWithoutShutdown)
                        };
                    }
                    if !shutting_down {
                        api::notification(&mut self.session, notification)?;
                    }
                }
                // The server sends no requests, so expects no responses.
                Message::Response(_) => {}
            }
        }
        Err(ServerError::Disconnected)
    }
}

fn capabilities(session: &Session) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(session.encoding().kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}
