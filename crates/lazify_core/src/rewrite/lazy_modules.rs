//! Style `lazy-modules`: a `__lazy_modules__` list after the docstring and `__future__` imports. It is plain
//! Python on every version and makes the listed imports lazy on 3.15+.
//!
//! The list acts per module name, not per statement: a module is listed only when every import of it that
//! the list would affect qualifies.

use std::collections::BTreeSet;

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Notice, NoticeKind};
use crate::edit::Edit;
use crate::index::Index;
use crate::plan::{Candidate, Existing};

use super::{Owned, line_ending};

/// Longest single-line list before it is written one entry per line (ruff's and black's default width).
const LINE_WIDTH: usize = 88;

/// The edits to the one `__lazy_modules__` list, each owned by every listed import: they share the list, so
/// they make one fix (a quick fix for one of them alone would have to write a different list).
pub(crate) fn edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    source: &str,
    existing: &Existing,
    notices: &mut Vec<Notice>,
) -> Vec<Owned> {
    let edits = list_edits(candidates, index, source, existing, notices);
    let listed: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.verdict.is_rewrite())
        .map(|(i, _)| i)
        .collect();
    edits
        .into_iter()
        .map(|edit| Owned::new(edit, listed.clone()))
        .collect()
}

fn list_edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    source: &str,
    existing: &Existing,
    notices: &mut Vec<Notice>,
) -> Vec<Edit> {
    let mut new_entries = BTreeSet::new();
    for c in candidates.iter().filter(|c| c.verdict.is_rewrite()) {
        let Some(entry) = c.verdict.resolved_module.as_deref() else {
            continue;
        };
        if new_entries.insert(entry.to_string())
            && index.imports[c.import]
                .source_module()
                .is_some_and(|(m, level)| m.is_none() && level > 0)
        {
            notices.push(NoticeKind::LazyModulesPackageEntry.at(
                c.verdict.stmt_range,
                &[("entry", entry), ("module", &c.verdict.module)],
            ));
        }
    }
    if new_entries.is_empty() {
        return Vec::new();
    }
    let quoted: Vec<String> = new_entries.iter().map(|e| format!("\"{e}\"")).collect();
    let eol = line_ending(source);
    match existing {
        Existing::Literal {
            value, last_elt, ..
        } => extend_literal(source, *value, *last_elt, &quoted),
        _ => vec![insert_new(source, index, &quoted, eol)],
    }
}

fn extend_literal(
    source: &str,
    value: TextRange,
    last_elt: Option<TextRange>,
    quoted: &[String],
) -> Vec<Edit> {
    let close = value.end() - TextSize::new(1);
    let Some(last) = last_elt else {
        // An empty container: `[]` → `["a", "b"]`; `()` → `("a",)`.
        let mut text = quoted.join(", ");
        if source[value].starts_with('(') {
            text.push(',');
        }
        return vec![Edit::insertion(close, text)];
    };
    let between = &source[TextRange::new(last.end(), close)];
    if between.contains(['\n', '\r']) {
        // One entry per line: the new entries go on their own lines just before the closing bracket's line, with
        // the last entry's indentation, so that a comment after an entry stays with that entry.
        let indent = super::line_prefix(source, last.start());
        let indent: String = indent.chars().take_while(|c| c.is_whitespace()).collect();
        let comma = between.trim_start().starts_with(',');
        let close_line =
            close - TextSize::try_from(super::line_prefix(source, close).len()).unwrap_or_default();
        let eol = super::line_ending_at(source, close_line);
        let mut text = String::new();
        for q in quoted {
            text.push_str(&indent);
            text.push_str(q);
            text.push(',');
            text.push_str(eol);
        }
        let mut edits = vec![Edit::insertion(close_line, text)];
        if !comma {
            edits.push(Edit::insertion(last.end(), ",".to_string()));
        }
        return edits;
    }
    let mut text = String::new();
    for q in quoted {
        text.push_str(", ");
        text.push_str(q);
    }
    vec![Edit::insertion(last.end(), text)]
}

fn insert_new(source: &str, index: &Index<'_>, quoted: &[String], eol: &str) -> Edit {
    let one_line = format!("__lazy_modules__ = [{}]", quoted.join(", "));
    let statement = if one_line.len() <= LINE_WIDTH {
        one_line
    } else {
        let mut text = String::from("__lazy_modules__ = [");
        for q in quoted {
            text.push_str(eol);
            text.push_str("    ");
            text.push_str(q);
            text.push(',');
        }
        text.push_str(eol);
        text.push(']');
        text
    };
    if let Some(header) = index.header_end {
        let same_line = super::line_rest(source, header.end()).trim_start();
        if !same_line.is_empty() && !same_line.starts_with('#') {
            // `"""Doc."""; import heavy`: a statement follows the header on its line, and the list must be bound
            // before it runs, so it goes right after the header on that line.
            return Edit::insertion(header.end(), format!("; {statement}"));
        }
        // After the docstring / `__future__` imports, separated by one blank line on each side.
        let after = next_line_start(source, header.end());
        let rest = &source[usize::from(after)..];
        let blank_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let rest_after_ws = &rest[blank_len..];
        if let Some(stripped) = rest_after_ws
            .strip_prefix("\r\n")
            .or_else(|| rest_after_ws.strip_prefix(['\n', '\r']))
        {
            // A blank line follows the header: put the list after it.
            let at = TextSize::try_from(source.len() - stripped.len()).unwrap_or(after);
            Edit::insertion(at, format!("{statement}{eol}{eol}"))
        } else {
            let lead = if usize::from(after) == source.len() && !super::has_break(source) {
                format!("{eol}{eol}")
            } else {
                eol.to_string()
            };
            Edit::insertion(after, format!("{lead}{statement}{eol}{eol}"))
        }
    } else {
        let first = index
            .first_statement
            .map_or(TextSize::new(0), ruff_text_size::TextRange::start);
        let line_start =
            first - TextSize::try_from(super::line_prefix(source, first).len()).unwrap_or_default();
        Edit::insertion(line_start, format!("{statement}{eol}{eol}"))
    }
}

/// The offset just after the line break that ends the line holding `offset` (or the end of the source).
fn next_line_start(source: &str, offset: TextSize) -> TextSize {
    let rest = &source[usize::from(offset)..];
    match super::after_first_break(rest) {
        Some(i) => offset + TextSize::try_from(i).unwrap_or_default(),
        None => TextSize::try_from(source.len()).unwrap_or(offset),
    }
}
