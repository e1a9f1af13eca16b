//! Style `lazy`: the PEP 810 keyword. A statement whose names all qualify gets `lazy ` in front (bytes after it
//! are untouched: parentheses, comments, backslashes); one whose names differ is split in two.

use crate::edit::Edit;
use crate::index::Index;
use crate::plan::Candidate;
use crate::python::ParsedModule;

use super::{Owned, alias_text, line_ending, line_prefix, statement_groups, statement_head};

pub(crate) fn edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
) -> Vec<Owned> {
    let mut edits = Vec::new();
    for group_range in statement_groups(candidates) {
        let (start, end) = (group_range.start, group_range.end);
        let import_idx = candidates[start].import;
        let group = &candidates[start..end];
        // Hoisted function-local imports are `hoist`'s to edit.
        if group.iter().any(|c| c.verdict.is_hoisted()) {
            continue;
        }
        let rewrites = group.iter().filter(|c| c.verdict.is_rewrite()).count();
        if rewrites == 0 {
            continue;
        }
        let owners: Vec<usize> = (start..end)
            .filter(|&i| group[i - start].verdict.is_rewrite())
            .collect();
        let import = &index.imports[import_idx];
        let stmt_range = import.range();
        if rewrites == group.len() {
            edits.push(Owned::new(
                Edit::insertion(stmt_range.start(), "lazy ".to_string()),
                owners,
            ));
            continue;
        }
        // Split: `lazy import a, c` then `import b`. The planner kept every name of a statement with comments
        // that a split would drop (`plan::late::lossy_splits`).
        if parsed.has_comment_in(stmt_range) {
            debug_assert!(false, "a split that drops comments reached the rewrite");
            continue;
        }
        let head = statement_head(import.stmt);
        let names = |lazy: bool| {
            group
                .iter()
                .filter(|c| c.verdict.is_rewrite() == lazy)
                .map(|c| alias_text(c.alias))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let prefix = line_prefix(source, stmt_range.start());
        let separator = if prefix.chars().all(char::is_whitespace) {
            format!("{}{prefix}", line_ending(source))
        } else {
            "; ".to_string()
        };
        let text = format!(
            "lazy {head}{}{separator}{head}{}",
            names(true),
            names(false)
        );
        edits.push(Owned::new(Edit::replacement(stmt_range, text), owners));
    }
    edits
}
