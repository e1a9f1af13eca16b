//! `textDocument/hover`: on an import, lazify's verdict for the name under the cursor (or, between names, the
//! statement's first): rewritten or kept, the reason and its documentation, and for a kept import the code that
//! proves it, with a link to its place. Nothing is computed anew: the open document's analysis is read.

use std::fmt::Write as _;

use lazify_core::{Decision, ImportVerdict, TextRange, TextSize};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, Uri};

use crate::encoding::text_size;
use crate::session::Session;

/// Answers the request: `None` (JSON `null`) away from an import.
pub(crate) fn handle(session: &Session, params: &HoverParams) -> Option<Hover> {
    let position = &params.text_document_position_params;
    let uri = &position.text_document.uri;
    let open = session.document(uri)?;
    let outcome = open.analysis.outcome.as_ref()?;
    let doc = &open.document;
    let encoding = session.encoding();
    let offset = text_size(doc.index().offset(doc.text(), position.position, encoding));
    let covers = |range: TextRange| range.start() <= offset && offset <= range.end();
    let verdict = outcome
        .verdicts
        .iter()
        .find(|v| covers(v.alias_range))
        .or_else(|| outcome.verdicts.iter().find(|v| covers(v.stmt_range)))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown(doc.text(), uri, verdict),
        }),
        range: Some(doc.index().range(doc.text(), verdict.alias_range, encoding)),
    })
}

/// The hover text for a verdict.
fn markdown(text: &str, uri: &Uri, verdict: &ImportVerdict) -> String {
    let mut out = String::new();
    match &verdict.decision {
        Decision::Rewrite { style, why } => {
            let _ = write!(
                out,
                "**lazify** `{}`: `{}` is rewritten (style `{style}`)\n\n",
                verdict.code(),
                verdict.describe()
            );
            let _ = write!(
                out,
                "Reason `{}`: {}.\n\n{}",
                why.name(),
                why.message(),
                why.doc()
            );
        }
        Decision::Keep {
            reason,
            span,
            detail,
        } => {
            let _ = write!(
                out,
                "**lazify** `keep::{reason}`: `{}` stays eager\n\n",
                verdict.describe()
            );
            let _ = write!(out, "Reason `{}`: {}", reason.name(), reason.message());
            if let Some(detail) = detail {
                let _ = write!(out, " ({detail})");
            }
            out.push_str(".\n\n");
            let (line, column) = lazify_core::line_column(text, span.start());
            let proof = snippet(text, *span);
            let _ = write!(
                out,
                "Proof: [line {line}, column {column}]({}#L{line},{column})",
                uri.as_str()
            );
            if !proof.is_empty() {
                let _ = write!(out, ": `{proof}`");
            }
            out.push_str("\n\n");
            if let Some(chain) = &verdict.chain {
                let _ = writeln!(
                    out,
                    "Loading it {} ({}):",
                    chain.kind.describe(),
                    chain.kind
                );
                for step in &chain.steps {
                    let _ = writeln!(out, "- {step}");
                }
                out.push('\n');
            }
            out.push_str(&reason.doc());
        }
    }
    if let Some(note) = &verdict.note {
        let _ = write!(out, "\n\nNote: {note}");
    }
    out
}

/// The proof's first line, shortened, without backticks (it sits in a code span).
fn snippet(text: &str, span: TextRange) -> String {
    let end = span.end().min(TextSize::of(text));
    let Some(code) = text.get(usize::from(span.start())..usize::from(end)) else {
        return String::new();
    };
    let first = code.lines().next().unwrap_or_default().replace('`', "'");
    if first.chars().count() > 80 {
        format!("{}…", first.chars().take(80).collect::<String>())
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lazify_core::KeepReason;

    use super::*;

    #[test]
    fn keep_hover_links_the_proof() {
        let text = "import json\nX = json.dumps(1)\n";
        let verdict = ImportVerdict {
            stmt_range: TextRange::new(0.into(), 11.into()),
            alias_range: TextRange::new(7.into(), 11.into()),
            module: "json".into(),
            resolved_module: Some("json".into()),
            member: None,
            binding: "json".into(),
            decision: Decision::Keep {
                reason: KeepReason::UsedAtImportTime,
                span: TextRange::new(16.into(), 29.into()),
                detail: None,
            },
            chain: None,
            proof: None,
            note: None,
        };
        let uri = Uri::from_str("file:///p/a.py").unwrap();
        let hover = markdown(text, &uri, &verdict);
        assert!(
            hover.starts_with("**lazify** `keep::used-at-import-time`: `import json` stays eager"),
            "{hover}"
        );
        assert!(
            hover.contains("Proof: [line 2, column 5](file:///p/a.py#L2,5): `json.dumps(1)`"),
            "{hover}"
        );
        assert!(
            hover.contains(&KeepReason::UsedAtImportTime.doc()),
            "{hover}"
        );
    }
}
