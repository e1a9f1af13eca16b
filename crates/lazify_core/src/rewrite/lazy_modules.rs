//! Style `lazy-modules`: a `__lazy_modules__` list after the docstring and `__future__` imports. It is plain
//! Python on every version and makes the listed imports lazy on 3.15+.
//!
//! The list acts per module name, not per statement: a module is listed only when every import of it that
//! the list would affect qualifies.

use std::collections::{BTreeSet, HashMap};

use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{KeepReason, Notice, NoticeKind};
use crate::edit::Edit;
use crate::index::{Index, LazyModulesDef};
use crate::plan::Candidate;

use super::{Owned, line_ending};

/// Longest single-line list before it is written one entry per line (ruff's and black's default width).
const LINE_WIDTH: usize = 88;

/// The edits to the one `__lazy_modules__` list, each owned by every listed import: they share the list, so
/// they make one fix (a quick fix for one of them alone would have to write a different list).
pub(crate) fn edits(
    candidates: &mut [Candidate<'_>],
    index: &Index<'_>,
    source: &str,
    notices: &mut Vec<Notice>,
) -> Vec<Owned> {
    let edits = list_edits(candidates, index, source, notices);
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
    candidates: &mut [Candidate<'_>],
    index: &Index<'_>,
    source: &str,
    notices: &mut Vec<Notice>,
) -> Vec<Edit> {
    // The entry each import is tested under: `a.b` for `import a.b`, the resolved module for `from`.
    for c in candidates.iter_mut().filter(|c| c.verdict.is_rewrite()) {
        if c.verdict.resolved_module.is_none() {
            c.keep(
                KeepReason::PackageUnknown,
                c.alias.range(),
                Some(format!("cannot resolve `{}`", c.verdict.module)),
            );
        }
    }

    let existing = existing_list(index, notices);
    match &existing {
        Existing::None => {}
        Existing::Unusable(stmt) => {
            for c in candidates.iter_mut().filter(|c| c.verdict.is_rewrite()) {
                c.keep(KeepReason::LazyModulesUnextendable, *stmt, None);
            }
        }
        Existing::Literal { stmt, entries, .. } => {
            for c in candidates.iter_mut().filter(|c| c.verdict.is_rewrite()) {
                let entry = c.verdict.resolved_module.as_deref().unwrap_or_default();
                if c.verdict.stmt_range.start() < stmt.start() {
                    c.keep(
                        KeepReason::LazyModulesUnextendable,
                        *stmt,
                        Some(
                            "`__lazy_modules__` is bound after this import, which it cannot affect"
                                .to_string(),
                        ),
                    );
                } else if entries.iter().any(|e| e == entry) {
                    c.keep(
                        KeepReason::AlreadyLazy,
                        *stmt,
                        Some(format!("`{entry}` is already in `__lazy_modules__`")),
                    );
                }
            }
        }
    }

    resolve_conflicts(candidates, index);

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
        } => extend_literal(source, value, last_elt, &quoted),
        _ => vec![insert_new(source, index, &quoted, eol)],
    }
}

enum Existing {
    None,
    Unusable(TextRange),
    Literal {
        stmt: TextRange,
        value: TextRange,
        entries: Vec<String>,
        last_elt: Option<TextRange>,
    },
}

fn existing_list(index: &Index<'_>, notices: &mut Vec<Notice>) -> Existing {
    let Some(first) = index.lazy_modules.first() else {
        return Existing::None;
    };
    if index.lazy_modules.len() > 1 {
        let stmt = def_range(&index.lazy_modules[1]);
        notices.push(NoticeKind::LazyModulesRebound.at(stmt, &[]));
        return Existing::Unusable(def_range(first));
    }
    match first {
        LazyModulesDef::Literal {
            stmt,
            value,
            entries,
            last_elt,
            ..
        } => Existing::Literal {
            stmt: *stmt,
            value: *value,
            entries: entries.clone(),
            last_elt: *last_elt,
        },
        LazyModulesDef::Str { stmt } => {
            notices.push(NoticeKind::LazyModulesIsStr.at(*stmt, &[]));
            Existing::Unusable(*stmt)
        }
        LazyModulesDef::NotContainer { stmt } => {
            notices.push(NoticeKind::LazyModulesNotContainer.at(*stmt, &[]));
            Existing::Unusable(*stmt)
        }
        LazyModulesDef::Opaque { stmt } => {
            notices.push(NoticeKind::LazyModulesOpaque.at(*stmt, &[]));
            Existing::Unusable(*stmt)
        }
    }
}

fn def_range(def: &LazyModulesDef) -> TextRange {
    match def {
        LazyModulesDef::Literal { stmt, .. }
        | LazyModulesDef::Str { stmt }
        | LazyModulesDef::NotContainer { stmt }
        | LazyModulesDef::Opaque { stmt } => *stmt,
    }
}

/// A module is listed only when no import the list would affect must stay eager; names bound by a kept import
/// stay eager in every statement. Repeats until nothing changes (keeping one import can conflict another).
fn resolve_conflicts(candidates: &mut [Candidate<'_>], index: &Index<'_>) {
    loop {
        let mut eager_entries: HashMap<String, (KeepReason, TextRange, String)> = HashMap::new();
        let mut eager_bindings: HashMap<String, TextRange> = HashMap::new();
        for c in candidates.iter() {
            let import = &index.imports[c.import];
            if let crate::Decision::Keep { reason, span, .. } = c.verdict.decision {
                // Imports the list would not affect anyway.
                if !reason.affected_by_lazy_modules() || !import.is_module_level() {
                    continue;
                }
                if let Some(entry) = &c.verdict.resolved_module {
                    eager_entries.entry(entry.clone()).or_insert((
                        reason,
                        span,
                        c.verdict.describe(),
                    ));
                }
                eager_bindings
                    .entry(c.verdict.binding.clone())
                    .or_insert(c.alias.range());
            }
        }
        let mut changed = false;
        for c in candidates.iter_mut().filter(|c| c.verdict.is_rewrite()) {
            let entry = c.verdict.resolved_module.clone().unwrap_or_default();
            if let Some((reason, span, other)) = eager_entries.get(&entry) {
                c.keep(
                    *reason,
                    *span,
                    Some(format!(
                        "`__lazy_modules__` acts on the module name `{entry}`, and `{other}` must stay eager"
                    )),
                );
                changed = true;
            } else if let Some(span) = eager_bindings.get(&c.verdict.binding) {
                c.keep(
                    KeepReason::SharedName,
                    *span,
                    Some(format!(
                        "`{}` is also bound by an import that stays eager",
                        c.verdict.binding
                    )),
                );
                changed = true;
            }
        }
        if !changed {
            return;
        }
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
