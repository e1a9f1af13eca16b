//! Style `lazy-modules`: what the one `__lazy_modules__` list allows. The list acts per module name, not per
//! statement: a module is listed only when every import of it that the list would affect qualifies, and only a
//! literal list bound once, before the imports, can be extended.

use std::collections::HashMap;

use ruff_text_size::{Ranged, TextRange};

use super::Candidate;
use crate::diagnostic::{KeepReason, Notice, NoticeKind};
use crate::index::{Index, LazyModulesDef};

/// The checks on the rewrites left after the propagation passes: an entry must be resolvable, the list extendable
/// and bound before the import, the module not listed already, and no import the entry would affect eager.
/// Returns whether a verdict changed.
pub(super) fn checks(
    candidates: &mut [Candidate<'_>],
    index: &Index<'_>,
    existing: &Existing,
) -> bool {
    let before = rewrites(candidates);
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

    match existing {
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
    rewrites(candidates) != before
}

fn rewrites(candidates: &[Candidate<'_>]) -> usize {
    candidates.iter().filter(|c| c.verdict.is_rewrite()).count()
}

/// The list the file already binds, as the rewrite finds it.
pub(crate) enum Existing {
    None,
    Unusable(TextRange),
    Literal {
        stmt: TextRange,
        value: TextRange,
        entries: Vec<String>,
        last_elt: Option<TextRange>,
    },
}

pub(super) fn existing_list(index: &Index<'_>, notices: &mut Vec<Notice>) -> Existing {
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
