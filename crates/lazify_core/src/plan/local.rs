//! Style `local`: whether moving an import into the functions that use it changes what any use sees.

use ruff_text_size::Ranged;

use super::Candidate;
use crate::diagnostic::KeepReason;
use crate::index::{Ctx, DynamicKind, ImportStmt, Index, ScopeKind, bound_name};
use crate::rewrite::first_line;
use crate::settings::{Settings, SourceFile};

/// Style `local`: a move must not change which object any use sees, nor what other modules can read.
pub(super) fn judge_local(
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
    file: &SourceFile,
    source: &str,
    settings: &Settings,
) {
    let binding = candidate.verdict.binding.as_str();
    let alias_range = candidate.alias.range();
    if let (Some(project), Some(module)) = (&settings.project, file.module_name.as_deref())
        && let Some(at) = project.outside_uses(module, binding)
    {
        candidate.keep(
            KeepReason::UsedByOtherModule,
            alias_range,
            Some(format!("`{module}.{binding}` is used at {at}")),
        );
        return;
    }
    if let Some(block) = import.placement.in_block {
        candidate.keep(KeepReason::Conditional, first_line(source, block), None);
        return;
    }
    if file.is_package_init() || index.all_names.contains(binding) {
        candidate.keep(KeepReason::ReExported, alias_range, None);
        return;
    }
    if let Some(declaration) = index
        .bindings
        .global_declarations()
        .find(|b| b.name == binding)
    {
        candidate.keep(
            KeepReason::Rebound,
            declaration.range,
            Some(format!("`global {binding}` in a function")),
        );
        return;
    }
    // Code that reads the module's names by string (`eval`, `exec`, `sys.modules[__name__]`) cannot see a
    // name moved into a function.
    if let Some(access) = index
        .dynamic
        .iter()
        .find(|d| d.kind != DynamicKind::Dict && d.key.is_none_or(|k| k == binding))
    {
        let detail = match access.kind {
            DynamicKind::Exec => "`eval`/`exec` may read the name from the module's globals",
            DynamicKind::Keys => "the module's names are listed, and a moved name would be missing",
            _ => "the module object may be asked for the name by string",
        };
        candidate.keep(
            KeepReason::DynamicAccess,
            access.range,
            Some(detail.to_string()),
        );
        return;
    }
    if let Some(other) = index.imports.iter().find(|other| {
        other.is_module_level()
            && other.range() != import.range()
            && other
                .aliases()
                .iter()
                .any(|a| bound_name(a, other.source_module().is_some()) == binding)
    }) {
        candidate.keep(
            KeepReason::SharedName,
            other.range(),
            Some(format!("`{binding}` is bound by another import too")),
        );
        return;
    }
    let stmt = import.range();
    let before = crate::rewrite::line_prefix(source, stmt.start());
    let after = crate::rewrite::line_rest(source, stmt.end());
    if !before.trim().is_empty()
        || !(after.trim().is_empty() || after.trim_start().starts_with('#'))
    {
        candidate.keep(KeepReason::SharesLine, stmt, None);
        return;
    }
    let references = index.references.get(binding).map_or(&[][..], Vec::as_slice);
    if references.is_empty() {
        // A re-export or a side-effect import: it must stay where other modules can read it.
        candidate.keep(KeepReason::ReExported, alias_range, None);
        return;
    }
    for reference in references {
        match reference.ctx {
            Ctx::Main => {
                candidate.keep(KeepReason::UsedInMainBlock, reference.range, None);
                return;
            }
            Ctx::Annotation | Ctx::TypeChecking => {
                // `--type-checking-imports` keeps the name for type checkers under `if TYPE_CHECKING:`, which
                // is safe only where nothing evaluates annotations when the module is imported.
                if !(settings.type_checking_imports && index.annotations_deferred) {
                    candidate.keep(KeepReason::UsedInAnnotation, reference.range, None);
                    return;
                }
            }
            Ctx::ImportTime => {
                candidate.keep(
                    KeepReason::UsedAtImportTime,
                    reference.range,
                    super::import_time_calls(index, source, reference),
                );
                return;
            }
            // `class C: x = x` in a function reads the module's `x`, never the function's.
            Ctx::Deferred
                if index.scopes[reference.scope].kind == ScopeKind::Class
                    && index.scopes[reference.scope].bindings.contains(binding) =>
            {
                candidate.keep(KeepReason::ClassBodyBindsName, reference.range, None);
                return;
            }
            Ctx::Deferred => match index.receiver(reference.scope) {
                None => {
                    candidate.keep(KeepReason::NoEnclosingFunction, reference.range, None);
                    return;
                }
                // A new local would show up in the function's `locals()`.
                Some((scope, _)) => {
                    if let Some(range) = index.scopes[scope].reads_locals {
                        candidate.keep(
                            KeepReason::DynamicAccess,
                            range,
                            Some("the receiving function reads its own `locals()`".to_string()),
                        );
                        return;
                    }
                }
            },
        }
    }
}
