//! Names bound twice at top level, same-name submodules, and imports nothing in the file reads.

use rustc_hash::FxHashMap as HashMap;

use ruff_text_size::{Ranged, TextRange, TextSize};

use super::Candidate;
use crate::diagnostic::{Decision, KeepReason, RewriteWhy};
use crate::index::{Ctx, ImportStmt, Index, bound_name};
use crate::python::ParsedModule;
use crate::settings::{Settings, SourceFile};

/// What the top-level import statements bind: name → (statement start, alias, whether a `from` import), in
/// source order.
pub(super) type TopLevelBindings<'a> =
    HashMap<&'a str, Vec<(TextSize, &'a ruff_python_ast::Alias, bool)>>;

pub(super) fn top_level_bindings<'a>(index: &Index<'a>) -> TopLevelBindings<'a> {
    let mut out: TopLevelBindings<'a> = HashMap::default();
    for import in index.imports.iter().filter(|i| i.is_top_level()) {
        let is_from = import.source_module().is_some();
        for alias in import.aliases() {
            out.entry(bound_name(alias, is_from)).or_default().push((
                import.range().start(),
                alias,
                is_from,
            ));
        }
    }
    out
}

/// A later top-level import that binds the same name to a different object (`import a` and `import a.b` bind
/// the same package, so they do not shadow each other).
pub(super) fn shadowing_import(
    import: &ImportStmt<'_>,
    alias: &ruff_python_ast::Alias,
    binding: &str,
    index: &Index<'_>,
    top_bindings: &TopLevelBindings<'_>,
) -> Option<TextRange> {
    if !import.is_top_level() {
        return None;
    }
    let plain_package = import.source_module().is_none() && alias.asname.is_none();
    // The first later top-level statement binding the name, other than `import a.c` after `import a.b`.
    let later = top_bindings
        .get(binding)?
        .iter()
        .find(|(start, a, is_from)| {
            let same_package = plain_package && !is_from && a.asname.is_none();
            *start > import.range().start() && !same_package
        })
        .map(|(_, a, _)| a.range())?;
    // A read that runs between the two statements sees this binding.
    let read_between = index
        .references
        .get(binding)
        .into_iter()
        .flatten()
        .any(|r| {
            matches!(r.ctx, Ctx::ImportTime | Ctx::Main)
                && r.range.start() > import.range().end()
                && r.range.start() < later.start()
        });
    (!read_between).then_some(later)
}

/// `from .core import core` (or `from pkg.core import core`) in `pkg/__init__.py`.
pub(crate) fn same_name_submodule(
    import: &ImportStmt<'_>,
    binding: &str,
    file: &SourceFile,
) -> bool {
    if !file.is_package_init() {
        return false;
    }
    let Some((module, level)) = import.source_module() else {
        return false;
    };
    let own_package = file.module_name.as_deref();
    let submodule = match (module, level) {
        (Some(m), 1) => m.split('.').next(),
        (Some(m), 0) => own_package
            .and_then(|p| m.strip_prefix(p))
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split('.').next()),
        _ => None,
    };
    submodule == Some(binding)
}

/// Never read in this file: a re-export (lazy), or a side-effect import (eager).
pub(super) fn judge_unreferenced(
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    file: &SourceFile,
    settings: &Settings,
) {
    let binding = candidate.verdict.binding.as_str();
    let alias_range = candidate.alias.range();
    let Some((module, level)) = import.source_module() else {
        candidate.keep(KeepReason::SideEffectOnly, alias_range, None);
        return;
    };
    // Another file imports the name from here (`from compat import thing`, `compat.thing`): a re-export.
    let imported_elsewhere = settings
        .project
        .as_deref()
        .zip(file.module_name.as_deref())
        .and_then(|(project, this)| project.outside_uses(this, binding))
        .is_some();
    let in_all = index.all_names.contains(binding) || imported_elsewhere;
    // `from m import x as x` (PEP 484's re-export form), or `# noqa: F401` on the name's line: the file says
    // that the unused name is there for others.
    let explicit = candidate
        .alias
        .asname
        .as_ref()
        .is_some_and(|a| a.as_str() == candidate.alias.name.as_str())
        || parsed.has_noqa_unused_import(source, alias_range.start());
    if !settings.lazy_reexports || !(file.is_package_init() || in_all || explicit) {
        candidate.keep(KeepReason::SideEffectOnly, alias_range, None);
        return;
    }
    if binding.starts_with('_')
        && !(binding.starts_with("__") && binding.ends_with("__"))
        && !in_all
    {
        candidate.keep(KeepReason::PrivateUnused, alias_range, None);
        return;
    }
    // `from . import signals`, `from pkg import plugins` (the file's own package): a submodule import.
    let from_own_package = match (module, level) {
        (None, _) => true,
        (Some(m), 0) => file.package().is_some_and(|p| p == m),
        _ => false,
    };
    if from_own_package && !in_all {
        candidate.keep(KeepReason::SubmoduleImport, alias_range, None);
        return;
    }
    if let Decision::Rewrite { why, .. } = &mut candidate.verdict.decision {
        *why = RewriteWhy::ReExport;
    }
}
