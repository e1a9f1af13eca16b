//! The checks that depend on which of a statement's names are still rewritten after the propagation passes: a
//! statement split in two must not drop its comments. They run in the planner's fixpoint loop, so a keep they add
//! is propagated in turn.

use crate::diagnostic::KeepReason;
use crate::index::Index;
use crate::python::ParsedModule;
use crate::rewrite::{first_line, statement_groups};
use crate::settings::Style;

use super::{Candidate, Planner};

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

/// Style `local`'s lazy attributes: the `__getattr__` table goes at the end of the file. A re-export another file
/// reads from this module (`from pkg import Name`) must be bound before any import that stays eager further down
/// leads back to this module while it loads: there, the name would be missing. Returns whether a verdict changed.
pub(super) fn read_back_while_loading(
    planner: &Planner<'_, '_>,
    candidates: &mut [Candidate<'_>],
) -> bool {
    let (index, file) = (planner.index, planner.file);
    let (Some(project), Some(this)) = (
        planner.settings.project.as_deref(),
        file.module_name.as_deref(),
    ) else {
        return false;
    };
    // The statements that still run while the module loads, with the way back from each.
    let mut eager_back: Vec<(usize, Vec<String>)> = Vec::new();
    for group_range in statement_groups(candidates) {
        let import_idx = candidates[group_range.start].import;
        let import = &index.imports[import_idx];
        let stays = candidates[group_range]
            .iter()
            .any(|c| !c.verdict.is_rewrite());
        if !stays
            || !import.is_module_level()
            || import.is_lazy()
            || import.placement.in_type_checking.is_some()
        {
            continue;
        }
        // This module and its packages are loading already; they are not a way back.
        let loading = |m: &str| {
            this == m
                || this
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        if let Some(path) = super::local::loaded_by(import, file)
            .iter()
            .filter(|m| !loading(m))
            .find_map(|m| project.import_path_back(m, this))
        {
            eager_back.push((import_idx, path));
        }
    }
    if eager_back.is_empty() {
        return false;
    }
    let mut changed = false;
    for c in candidates
        .iter_mut()
        .filter(|c| c.verdict.is_lazy_attribute())
    {
        let binding = c.verdict.binding.as_str();
        let Some(used) = project.outside_uses(this, binding) else {
            continue;
        };
        let stmt_end = index.imports[c.import].range().end();
        let Some((later, path)) = eager_back
            .iter()
            .find(|(i, _)| index.imports[*i].range().start() >= stmt_end)
        else {
            continue;
        };
        let detail = format!(
            "`{this}.{binding}` is used at {used}, and this import loads {} → `{this}`",
            path.iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        );
        let span = first_line(planner.source, index.imports[*later].range());
        c.keep(KeepReason::ReadBackWhileLoading, span, Some(detail));
        changed = true;
    }
    changed
}
