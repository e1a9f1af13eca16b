//! Dispatch: one module per LSP method, under `requests` and `notifications`.

mod notifications;
mod requests;

use lsp_server::{ErrorCode, Notification, Request, Response};
use lsp_types::MessageType;

use crate::ServerError;
use crate::session::Session;

/// Answers one request.
pub(crate) fn request(session: &mut Session, request: Request) -> Result<(), ServerError> {
    let id = request.id.clone();
    let response = match request.method.as_str() {
        "textDocument/codeAction" => match serde_json::from_value(request.params) {
            Ok(params) => Response::new_ok(id, requests::code_action::handle(session, &params)),
            Err(e) => invalid_params(id, &e),
        },
        "textDocument/hover" => match serde_json::from_value(request.params) {
            Ok(params) => Response::new_ok(id, requests::hover::handle(session, &params)),
            Err(e) => invalid_params(id, &e),
        },
        _ => Response::new_err(
            id,
            ErrorCode::MethodNotFound as i32,
            format!("unhandled method `{}`", request.method),
        ),
    };
    session.send(response.into())
}

fn invalid_params(id: lsp_server::RequestId, error: &serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string())
}

/// Handles one notification. Bad parameters are logged, not fatal.
pub(crate) fn notification(
    session: &mut Session,
    notification: Notification,
) -> Result<(), ServerError> {
    let method = notification.method;
    let params = notification.params;
    let result = match method.as_str() {
        "textDocument/didOpen" => {
            parse(params).map(|p| notifications::did_open::handle(session, p))
        }
        "textDocument/didChange" => {
            parse(params).map(|p| notifications::did_change::handle(session, p))
        }
        "textDocument/didClose" => {
            parse(params).map(|p| notifications::did_close::handle(session, &p))
        }
        "workspace/didChangeConfiguration" => {
            parse(params).map(|p| notifications::did_change_configuration::handle(session, &p))
        }
        // A file saved, or changed on disk (the watcher `initialized` asked for): what other files do when
        // imported may have changed.
        "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
            return session.files_changed();
        }
        "initialized" => return session.watch_files(),
        // `$/cancelRequest`, `$/setTrace`, ...: nothing to do.
        _ => return Ok(()),
    };
    match result {
        Ok(handled) => handled,
        Err(e) => {
            session.log(
                MessageType::ERROR,
                format!("invalid parameters for `{method}`: {e}"),
            );
            Ok(())
        }
    }
}

fn parse<P: serde::de::DeserializeOwned>(
    params: serde_json::Value,
) -> Result<P, serde_json::Error> {
    serde_json::from_value(params)
}
