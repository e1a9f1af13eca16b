//! `textDocument/didClose`: forget the buffer and clear its diagnostics.

use lsp_types::DidCloseTextDocumentParams;

use crate::ServerError;
use crate::session::Session;

/// Handles the notification.
pub(crate) fn handle(
    session: &mut Session,
    params: &DidCloseTextDocumentParams,
) -> Result<(), ServerError> {
    session.close(&params.text_document.uri)
}
