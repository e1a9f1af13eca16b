//! `textDocument/codeAction`: for each import statement lazify would rewrite within the requested range (or
//! named by a diagnostic in the request), a `quickfix` that applies the fix its findings carry
//! ("lazify (LZF001): Make `numpy` lazy"; a fix shared by several statements, such as the one
//! `__lazy_modules__` list, is offered once and its title names them all) and one that keeps it eager
//! (`# lazify: keep`); and `source.fixAll.lazify`, every fix of the file at once. The edits are the engine's own,
//! nothing is re-derived from text. A quick fix is offered only when that fix alone verifies (applied to the
//! buffer, the text re-parses); the fix-all only when the whole rewrite verified. A buffer with a syntax error
//! gets no actions.

use std::collections::{BTreeMap, HashMap};

use lazify_core::edit::Edit;
use lazify_core::{Fix, Ranged, TextRange};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, DocumentChanges,
    OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::{self, SOURCE};
use crate::server::FIX_ALL_KIND;
use crate::session::{OpenDocument, Session};

/// The title of a fix's code action, named as ruff names its own: `lazify (LZF001): Make `json` lazy`.
pub(crate) fn fix_action_title(fix: &Fix) -> String {
    format!("{SOURCE} ({}): {}", fix.code(), fix.title())
}

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
        // The diagnostic of a verdict, as the client holds it (to link the actions to it).
        let diagnostic_of = |index: usize| {
            let verdict = &outcome.verdicts[index];
            let range = doc.index().range(doc.text(), verdict.alias_range, encoding);
            params
                .context
                .diagnostics
                .iter()
                .find(|d| d.range == range && d.source.as_deref() == Some(SOURCE))
                .or_else(|| diagnostics.iter().find(|d| d.range == range))
                .cloned()
        };
        // The statements with a rewrite, in source order, with their findings' indices.
        let mut statements: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
        for finding in outcome.findings().filter(|f| f.verdict.is_rewrite()) {
            let range = finding.verdict.stmt_range;
            statements
                .entry((range.start().into(), range.end().into()))
                .or_default()
                .push(finding.index);
        }
        let mut offered: Vec<*const Fix> = Vec::new();
        for (&(start, end), members) in &statements {
            let stmt = TextRange::new(start.into(), end.into());
            let own: Vec<Diagnostic> = members.iter().filter_map(|&i| diagnostic_of(i)).collect();
            let named = own.iter().any(|d| params.context.diagnostics.contains(d));
            if requested.intersect(stmt).is_none() && !named {
                continue;
            }
            if let Some(fix) = members.iter().find_map(|&i| outcome.fix_of(i))
                && !offered.contains(&std::ptr::from_ref(fix))
            {
                offered.push(std::ptr::from_ref(fix));
                // Offered only when it stands alone: applied to the buffer by itself, the text verifies.
                if lazify_core::verify_fix(doc.text(), fix).is_ok() {
                    let linked: Vec<Diagnostic> = fix
                        .members()
                        .iter()
                        .filter_map(|&i| diagnostic_of(i))
                        .collect();
                    actions.push(action(
                        session,
                        uri,
                        open,
                        fix_action_title(fix),
                        CodeActionKind::QUICKFIX,
                        fix.edits(),
                        Some(linked),
                        true,
                    ));
                }
            }
            let keep = analysis::keep_edit(doc.text(), stmt);
            // `LZF002` would make the import eager: the pragma keeps it as it is, lazy.
            let lazy = members
                .iter()
                .any(|&i| outcome.verdicts[i].is_resolved_at_once());
            actions.push(action(
                session,
                uri,
                open,
                if lazy {
                    "Keep this import lazy".to_string()
                } else {
                    "Keep this import eager".to_string()
                },
                CodeActionKind::QUICKFIX,
                &[keep],
                Some(own),
                false,
            ));
        }
    }

    let fix_all_kind = CodeActionKind::new(FIX_ALL_KIND);
    // Every fix at once, only when the engine verified the whole rewrite (and it changes something), and the
    // edits sent give exactly that text.
    if wanted(only, &fix_all_kind)
        && let Some(fixed) = outcome.fixed.as_ref().filter(|_| outcome.changes)
    {
        let all: Vec<Edit> = outcome
            .fixes
            .iter()
            .flat_map(|f| f.edits().iter().cloned())
            .collect();
        let same = lazify_core::edit::apply(doc.text(), all.clone())
            .is_ok_and(|text| text.as_str() == fixed.as_str());
        if !same {
            return actions;
        }
        actions.push(action(
            session,
            uri,
            open,
            "Fix all deferrable imports (lazify)".to_string(),
            fix_all_kind,
            &all,
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
    edits: &[Edit],
    diagnostics: Option<Vec<Diagnostic>>,
    preferred: bool,
) -> CodeActionOrCommand {
    let doc = &open.document;
    // In position order (insertions at one offset keep theirs), as the engine applies them.
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| (e.range().start(), e.range().end()));
    let text_edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| {
            TextEdit::new(
                doc.index().range(doc.text(), e.range(), session.encoding()),
                e.content().to_string(),
            )
        })
        .collect();
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
