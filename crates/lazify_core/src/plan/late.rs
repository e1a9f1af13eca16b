//! The checks that depend on which of a statement's names are still rewritten after the propagation passes: a
//! statement split in two must not drop its comments. They run in the planner's fixpoint loop, so a keep they add
//! is propagated in turn.

use crate::diagnostic::KeepReason;
use crate::index::Index;
use crate::python::ParsedModule;
use crate::rewrite::statement_groups;
use crate::settings::Style;

use super::Candidate;

/// Styles `lazy` and `local` split a statement whose names differ (`lazy import a` + `import b`; `b` moved into a
/// function): a statement holding comments is kept whole instead. Returns whether a verdict changed.
pub(super) fn lossy_splits(
    candidates: &mut [Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    style: Style,
) -> bool {
    let mut changed = false;
    for group_range in statement_groups(candidates) {
        let (start, end) = (group_range.start, group_range.end);
        let import_idx = candidates[start].import;
        let group = &mut candidates[start..end];
        // Hoisted function-local imports are `--hoist`'s to split.
        if style == Style::Lazy && group.iter().any(|c| c.verdict.is_hoisted()) {
            continue;
        }
        let rewrites = group.iter().filter(|c| c.verdict.is_rewrite()).count();
        let range = index.imports[import_idx].range();
        if rewrites == 0 || rewrites == group.len() || !parsed.has_comment_in(range) {
            continue;
        }
        // The two styles have always worded it differently; the detail stays as each had it.
        let detail = (style == Style::Lazy)
            .then(|| "the statement would have to be split, and it holds comments".to_string());
        for c in group.iter_mut().filter(|c| c.verdict.is_rewrite()) {
            c.keep(KeepReason::SplitWouldDropComments, range, detail.clone());
        }
        changed = true;
    }
    changed
}
