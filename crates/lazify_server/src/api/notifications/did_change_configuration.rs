//! `workspace/didChangeConfiguration`: replace the editor settings and re-analyse every open buffer.
//!
//! A `null` payload (clients that expect servers to pull settings) keeps the current settings.

use lsp_types::DidChangeConfigurationParams;

use crate::ServerError;
use crate::session::Session;

/// Handles the notification.
pub(crate) fn handle(
    session: &mut Session,
    params: &DidChangeConfigurationParams,
) -> Result<(), ServerError> {
    if params.settings.is_null() {
        return Ok(());
    }
    session.set_client_settings(&params.settings);
    session.reanalyze_all()
}
