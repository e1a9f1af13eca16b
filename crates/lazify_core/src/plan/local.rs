//! Style `local`: whether moving an import into the functions that use it changes what any use sees.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::Candidate;
use crate::diagnostic::{Decision, KeepReason, RewriteWhy};
use crate::index::{Ctx, DynamicKind, ImportStmt, Index, ScopeKind, bound_name};
use crate::rewrite::first_line;
use crate::settings::SourceFile;

/// Style `local`: a move must not change which object any use sees, nor what other modules can read.
pub(super) fn judge_local(
    planner: &super::Planner<'_, '_>,
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
) {
    let (index, file, source, settings) = (
        planner.index,
        planner.file,
        planner.source,
        planner.settings,
    );
    let binding = candidate.verdict.binding.clone();
    let binding = binding.as_str();
    let alias_range = candidate.alias.range();
    let outside_use = settings
        .project
        .as_deref()
        .zip(file.module_name.as_deref())
        .and_then(|(project, module)| {
            project
                .outside_uses(module, binding)
                .map(|at| format!("`{module}.{binding}` is used at {at}"))
        });
    let re_exported = outside_use.is_some()
        || file.is_package_init()
        || index.all_names.contains(binding)
        || matches!(
            candidate.verdict.decision,
            Decision::Rewrite {
                why: RewriteWhy::ReExport,
                ..
            }
        );
    if re_exported && !settings.lazy_reexports {
        candidate.keep(KeepReason::ReExported, alias_range, outside_use);
        return;
    }
    if re_exported {
        // A re-export can stay reachable as a module attribute through a PEP 562 `__getattr__`; otherwise it
        // stays where other modules read it.
        if let Some((reason, span, detail)) =
            lazy_attribute_refusal(planner, candidate, import, outside_use)
        {
            candidate.keep(reason, span, detail);
            return;
        }
    }
    if let Some(block) = import.placement.in_block {
        candidate.keep(KeepReason::Conditional, first_line(source, block), None);
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
    if references.is_empty() && !re_exported {
        // A side-effect import: it must stay where other modules can read it.
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
    // The functions here read the module attribute, which other files rebind (`monkeypatch.setattr`,
    // `mock.patch`): after the move they would read their own import instead.
    if re_exported
        && !references.is_empty()
        && let Some((project, module)) =
            settings.project.as_deref().zip(file.module_name.as_deref())
        && let Some(at) = project.rebound_elsewhere(module, binding)
    {
        candidate.keep(
            KeepReason::UsedByOtherModule,
            alias_range,
            Some(format!(
                "`{module}.{binding}` is rebound at {at}, which the functions that use it here must see"
            )),
        );
        return;
    }
    if re_exported && let Decision::Rewrite { why, .. } = &mut candidate.verdict.decision {
        *why = RewriteWhy::LazyAttribute;
    }
}

/// Why a re-export cannot become a lazy attribute (`None`: it can, if the other checks of style `local` pass).
fn lazy_attribute_refusal(
    planner: &super::Planner<'_, '_>,
    candidate: &Candidate<'_>,
    import: &ImportStmt<'_>,
    outside_use: Option<String>,
) -> Option<(KeepReason, TextRange, Option<String>)> {
    let (index, parsed, source, file) =
        (planner.index, planner.parsed, planner.source, planner.file);
    let alias_range = candidate.alias.range();
    let binding = candidate.verdict.binding.as_str();
    // `import a` re-exported stays: the table holds `from` imports only.
    let Some((module, level)) = import.source_module() else {
        return Some(match outside_use {
            Some(detail) => (KeepReason::UsedByOtherModule, alias_range, Some(detail)),
            None => (KeepReason::ReExported, alias_range, None),
        });
    };
    if let Some(hook) = index.own_hooks {
        return Some((KeepReason::GetattrDefined, first_line(source, hook), None));
    }
    if !index.has_all {
        // Other files read the name from here: that is what keeps it; without `__all__` it cannot be lazy.
        return Some(match outside_use {
            Some(detail) => (
                KeepReason::UsedByOtherModule,
                alias_range,
                Some(format!(
                    "{detail}; the module has no `__all__`, which a lazy attribute needs"
                )),
            ),
            None => (KeepReason::LazyAttributeWithoutAll, alias_range, None),
        });
    }
    // `from .core import Markdown` in `pkg/__init__.py` also sets `pkg.core`: a read of `core` here needs it.
    if let Some(sub) = implicit_submodule(module, level, file)
        && sub != binding
        && let Some(read) = reads_name(parsed.body(), sub, index)
    {
        return Some((
            KeepReason::SubmoduleReadHere,
            read,
            Some(format!(
                "`{sub}` is read here and bound only by the eager import"
            )),
        ));
    }
    None
}

/// The modules an import statement loads: `a.b` for `import a.b`; `m` and each `m.x` (in case `x` is a submodule)
/// for `from m import x`.
pub(super) fn loaded_by(import: &ImportStmt<'_>, file: &SourceFile) -> Vec<String> {
    match import.source_module() {
        None => import
            .aliases()
            .iter()
            .map(|a| a.name.to_string())
            .collect(),
        Some((module, level)) => {
            let Some(base) = file.resolve_import(module, level) else {
                return Vec::new();
            };
            let mut out = vec![base.clone()];
            out.extend(
                import
                    .aliases()
                    .iter()
                    .map(|a| format!("{base}.{}", a.name)),
            );
            out
        }
    }
}

/// The submodule of this package that `from <module> import ...` binds in a package `__init__.py` as a side
/// effect of importing it (`core` for `from .core import x`, `from .core.sub import x` or `from pkg.core import
/// x` in `pkg`).
pub(crate) fn implicit_submodule<'m>(
    module: Option<&'m str>,
    level: u32,
    file: &SourceFile,
) -> Option<&'m str> {
    if !file.is_package_init() {
        return None;
    }
    let rest = match (module, level) {
        (Some(m), 1) => m,
        (Some(m), 0) => m
            .strip_prefix(file.module_name.as_deref()?)?
            .strip_prefix('.')?,
        _ => return None,
    };
    rest.split('.').next().filter(|s| !s.is_empty())
}

/// The first read of `name` anywhere in the module (outside lazify's own hooks).
fn reads_name(body: &[Stmt], name: &str, index: &Index<'_>) -> Option<TextRange> {
    struct Reads<'n> {
        name: &'n str,
        skip: &'n [TextRange],
        found: Option<TextRange>,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_none() && !self.skip.contains(&stmt.range()) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.id.as_str() == self.name
                && n.ctx == ExprContext::Load
            {
                self.found.get_or_insert(n.range);
            }
            visitor::walk_expr(self, expr);
        }
    }
    let skip = index.own_table.as_ref().map_or(&[][..], |t| &t.hooks[..]);
    let mut reads = Reads {
        name,
        skip,
        found: None,
    };
    reads.visit_body(body);
    reads.found
}
