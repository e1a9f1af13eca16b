//! `textDocument/didChange`: apply full or incremental changes to the buffer, analyse, publish.

use lsp_types::DidChangeTextDocumentParams;

use crate::ServerError;
use crate::session::Session;

/// Handles the notification.
pub(crate) fn handle(
    session: &mut Session,
    params: DidChangeTextDocumentParams,
) -> Result<(), ServerError> {
    let document = params.text_document;
    session.change(&document.uri, params.content_changes, document.version)
}
