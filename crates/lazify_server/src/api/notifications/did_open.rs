//! `textDocument/didOpen`: keep the buffer, analyse it, publish diagnostics.

use lsp_types::DidOpenTextDocumentParams;

use crate::ServerError;
use crate::session::Session;

/// Handles the notification.
pub(crate) fn handle(
    session: &mut Session,
    params: DidOpenTextDocumentParams,
) -> Result<(), ServerError> {
    let document = params.text_document;
    session.open(document.uri, document.text, document.version)
}
