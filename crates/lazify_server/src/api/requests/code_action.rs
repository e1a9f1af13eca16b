//! `textDocument/codeAction`: for each import statement lazify would rewrite within the requested range (or
//! named by a diagnostic in the request), a `quickfix` that rewrites that statement alone ("Make `numpy`
//! lazy", "Add `numpy` to `__lazy_modules__`") and one that keeps it eager (`# lazify: keep`); and
//! `source.fixAll.lazify` for the whole file. A buffer with a syntax error gets no actions.

use std::collections::HashMap;

use lazify_core::TextRange;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, DocumentChanges,
    OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::{self, SOURCE};
use crate::edits::{self, Replacement};
use crate::server::FIX_ALL_KIND;
use crate::session::{OpenDocument, Session};

/// Answers the request.
pub(crate) fn handle(session: &Session, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let Some(open) = session.document(uri) else {
        return Vec::new();
    };
    let Some(outcome) = &open.analysis.outcome else {
        return Vec::new();
    };
    if outcome.error.is_some() {
        return Vec::new();
    }
    let doc = &open.document;
    let encoding = session.encoding();
    let requested = doc.index().text_range(doc.text(), params.range, encoding);
    let only = params.context.only.as_deref();
    let mut actions = Vec::new();

    if wanted(only, &CodeActionKind::QUICKFIX) {
        let diagnostics = analysis::diagnostics(
            doc.text(),
            doc.index(),
            encoding,
            outcome,
            session.severity(),
        );
        for (&(start, end), verdicts) in &analysis::rewrite_statements(outcome) {
            let stmt = TextRange::new(start.into(), end.into());
            // The statement's diagnostics, as the client holds them (to link the actions to them).
            let own: Vec<Diagnostic> = verdicts
                .iter()
                .filter_map(|v| {
                    let range = doc.index().range(doc.text(), v.alias_range, encoding);
                    params
                        .context
                        .diagnostics
                        .iter()
                        .find(|d| d.range == range && d.source.as_deref() == Some(SOURCE))
                        .or_else(|| diagnostics.iter().find(|d| d.range == range))
                        .cloned()
                })
                .collect();
            let named = own.iter().any(|d| params.context.diagnostics.contains(d));
            if requested.intersect(stmt).is_none() && !named {
                continue;
            }
            if let Some(fix) = analysis::statement_fix(doc.text(), &open.analysis, outcome, stmt) {
                actions.push(action(
                    session,
                    uri,
                    open,
                    analysis::fix_title(verdicts),
                    CodeActionKind::QUICKFIX,
                    &fix,
                    Some(own.clone()),
                    true,
                ));
            }
            let keep = analysis::keep_edit(doc.text(), stmt);
            actions.push(action(
                session,
                uri,
                open,
                "Keep this import eager".to_string(),
                CodeActionKind::QUICKFIX,
                &[keep],
                Some(own),
                false,
            ));
        }
    }

    let fix_all_kind = CodeActionKind::new(FIX_ALL_KIND);
    if wanted(only, &fix_all_kind)
        && let Some(fix) = analysis::fix_all(doc.text(), outcome).filter(|f| !f.is_empty())
    {
        actions.push(action(
            session,
            uri,
            open,
            "Fix all deferrable imports (lazify)".to_string(),
            fix_all_kind,
            &fix,
            None,
            false,
        ));
    }
    actions
}

/// Whether the client asked for actions of `kind` (`only` lists kinds or parents of kinds).
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else {
        return true;
    };
    only.iter().any(|o| {
        let (o, k) = (o.as_str(), kind.as_str());
        k == o || k.strip_prefix(o).is_some_and(|rest| rest.starts_with('.'))
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site per action kind; a struct would only rename them"
)]
fn action(
    session: &Session,
    uri: &Uri,
    open: &OpenDocument,
    title: String,
    kind: CodeActionKind,
    replacements: &[Replacement],
    diagnostics: Option<Vec<Diagnostic>>,
    preferred: bool,
) -> CodeActionOrCommand {
    let doc = &open.document;
    let text_edits: Vec<TextEdit> =
        edits::to_text_edits(doc.text(), doc.index(), session.encoding(), replacements);
    let edit = if session.document_changes() {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(doc.version()),
                },
                edits: text_edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), text_edits)])),
            ..WorkspaceEdit::default()
        }
    };
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_filter_matches_parents() {
        let fix_all = CodeActionKind::new(FIX_ALL_KIND);
        assert!(wanted(None, &fix_all));
        assert!(wanted(Some(&[CodeActionKind::SOURCE_FIX_ALL]), &fix_all));
        assert!(wanted(Some(&[CodeActionKind::SOURCE]), &fix_all));
        assert!(!wanted(Some(&[CodeActionKind::QUICKFIX]), &fix_all));
        assert!(!wanted(
            Some(&[CodeActionKind::new("source.fix")]),
            &fix_all
        ));
        assert!(wanted(
            Some(&[CodeActionKind::QUICKFIX]),
            &CodeActionKind::QUICKFIX
        ));
    }
}
