//! One verdict per name bound by each import statement: rewrite, or keep with a reason and the span that
//! proves it. An import is rewritten only when every name it binds is used, and used only where deferring is
//! invisible, and no blocker applies.

use rustc_hash::FxHashMap as HashMap;

use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Decision, ImportVerdict, KeepReason, Notice, RewriteWhy};
use crate::edit::Edit;
use crate::index::{Ctx, DynamicKind, ImportStmt, Index, ScopeKind, bound_name};
use crate::known;
use crate::python::ParsedModule;
use crate::rewrite;
use crate::rewrite::first_line;
use crate::settings::{Settings, SourceFile, Style};

/// The planner's result.
pub(crate) struct Plan {
    pub(crate) verdicts: Vec<ImportVerdict>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) edits: Vec<Edit>,
}

/// A verdict in the making, with a link back to its statement.
pub(crate) struct Candidate<'a> {
    pub(crate) import: usize,
    pub(crate) alias: &'a ruff_python_ast::Alias,
    pub(crate) verdict: ImportVerdict,
}

impl Candidate<'_> {
    pub(crate) fn keep(&mut self, reason: KeepReason, span: TextRange, detail: Option<String>) {
        self.verdict.decision = Decision::Keep {
            reason,
            span,
            detail,
        };
    }

    fn keep_reason(&self) -> Option<(KeepReason, TextRange)> {
        match self.verdict.decision {
            Decision::Keep { reason, span, .. } => Some((reason, span)),
            Decision::Rewrite { .. } => None,
        }
    }
}

pub(crate) fn plan<'a>(
    index: &Index<'a>,
    parsed: &ParsedModule,
    source: &str,
    file: &SourceFile,
    settings: &Settings,
    style: Style,
) -> Plan {
    let mut notices = Vec::new();
    let mut candidates: Vec<Candidate<'a>> = Vec::new();
    let top_bindings = top_level_bindings(index);
    for (i, import) in index.imports.iter().enumerate() {
        for alias in import.aliases() {
            let mut candidate = new_candidate(i, import, alias, file, style);
            judge_statement(&mut candidate, import, index, parsed, source, settings);
            if candidate.verdict.is_rewrite() {
                judge_name(&mut candidate, import, index, &top_bindings, file, settings);
            }
            if style == Style::Local && candidate.verdict.is_rewrite() {
                judge_local(&mut candidate, import, index, file, source, settings);
            }
            if candidate.verdict.is_rewrite() {
                judge_project(&mut candidate, index, file, settings, style);
            }
            candidates.push(candidate);
        }
    }
    let hoist = settings.hoist && style == Style::Lazy;
    if hoist {
        rewrite::hoist::judge(
            &mut candidates,
            index,
            parsed,
            source,
            file,
            settings,
            &mut notices,
        );
    }
    judge_effects(&mut candidates, file, settings);
    share_fate(&mut candidates, index);
    loaded_anyway(&mut candidates, index);
    let edits = match style {
        Style::Lazy => {
            let mut edits = rewrite::lazy::edits(&mut candidates, index, parsed, source);
            if hoist {
                edits.extend(rewrite::hoist::edits(&candidates, index, parsed, source));
            }
            edits
        }
        Style::LazyModules => {
            rewrite::lazy_modules::edits(&mut candidates, index, source, &mut notices)
        }
        Style::Local => {
            let edits = rewrite::local::edits(
                &mut candidates,
                index,
                parsed,
                source,
                settings.type_checking_imports,
            );
            rewrite::local::doctest_notices(&candidates, parsed, source, &mut notices);
            edits
        }
    };
    Plan {
        verdicts: candidates.into_iter().map(|c| c.verdict).collect(),
        notices,
        edits,
    }
}

fn new_candidate<'a>(
    import: usize,
    stmt: &ImportStmt<'a>,
    alias: &'a ruff_python_ast::Alias,
    file: &SourceFile,
    style: Style,
) -> Candidate<'a> {
    let (module, resolved_module, member) = match stmt.source_module() {
        None => {
            let name = alias.name.to_string();
            (name.clone(), Some(name), None)
        }
        Some((module, level)) => {
            let module_text = module.unwrap_or_default();
            let mut written = String::with_capacity(level as usize + module_text.len());
            written.extend(std::iter::repeat_n('.', level as usize));
            written.push_str(module_text);
            let resolved = file.resolve_import(module, level);
            (written, resolved, Some(alias.name.to_string()))
        }
    };
    Candidate {
        import,
        alias,
        verdict: ImportVerdict {
            stmt_range: stmt.range(),
            alias_range: alias.range(),
            module,
            resolved_module,
            member,
            binding: bound_name(alias, stmt.source_module().is_some()).to_string(),
            decision: Decision::Rewrite {
                style,
                why: RewriteWhy::UsedOnlyDeferred,
            },
            chain: None,
            note: None,
        },
    }
}

/// Blockers that hold for the whole statement.
fn judge_statement(
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    settings: &Settings,
) {
    let stmt_range = import.range();
    let placement = &import.placement;
    if let Some(scope) = placement.in_def_or_class {
        candidate.keep(
            KeepReason::InClassOrFunction,
            first_line(source, scope),
            None,
        );
        return;
    }
    if import.is_lazy() {
        candidate.keep(KeepReason::AlreadyLazy, stmt_range, None);
        return;
    }
    if let Some((module, _)) = import.source_module() {
        if module == Some("__future__") {
            candidate.keep(KeepReason::Future, stmt_range, None);
            return;
        }
        if candidate.alias.name.as_str() == "*" {
            candidate.keep(KeepReason::Star, stmt_range, None);
            return;
        }
    }
    if let Some(try_range) = placement.in_try {
        candidate.keep(KeepReason::InTry, first_line(source, try_range), None);
        return;
    }
    if let Some(test) = placement.in_type_checking {
        candidate.keep(KeepReason::TypeChecking, test, None);
        return;
    }
    if let Some(header) = placement.in_with {
        candidate.keep(KeepReason::ContextManager, header, None);
        return;
    }
    if parsed.has_keep_pragma(source, stmt_range) {
        candidate.keep(KeepReason::KeepPragma, stmt_range, None);
        return;
    }
    // The modules the statement loads: `a.b` for `import a.b`; `m` and `m.x` (when `x` is a submodule) for
    // `from m import x`.
    let mut modules: Vec<String> = Vec::with_capacity(2);
    if let Some(module) = &candidate.verdict.resolved_module {
        modules.push(module.clone());
        if let Some(member) = &candidate.verdict.member {
            modules.push(format!("{module}.{member}"));
        }
    }
    for module in &modules {
        if let Some(pattern) = settings.keep.matching(module) {
            let detail = format!("`{module}` matches keep pattern `{pattern}`");
            candidate.keep(KeepReason::KeepList, candidate.alias.range(), Some(detail));
            return;
        }
        if let Some(entry) = known::side_effect_entry(module) {
            let detail = format!("`{module}` matches built-in entry `{entry}`");
            candidate.keep(
                KeepReason::KnownSideEffects,
                candidate.alias.range(),
                Some(detail),
            );
            return;
        }
    }
    if !settings.include_preloaded
        && candidate
            .verdict
            .resolved_module
            .as_deref()
            .is_some_and(known::is_preloaded)
    {
        candidate.keep(KeepReason::Preloaded, candidate.alias.range(), None);
        return;
    }
    // Before or after the import: a lazy import resolves at first use, after the whole module body ran.
    if let Some(change) = index.import_state_change {
        candidate.keep(KeepReason::SysPathChanged, first_line(source, change), None);
        return;
    }
    if let Some(change) = index.warnings_change {
        candidate.keep(
            KeepReason::WarningFiltersChanged,
            first_line(source, change),
            None,
        );
    }
}

/// Blockers that depend on how the bound name is used.
fn judge_name(
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
    top_bindings: &TopLevelBindings<'_>,
    file: &SourceFile,
    settings: &Settings,
) {
    let binding = candidate.verdict.binding.as_str();
    // `from .core import core` in `pkg/__init__.py` (pep810.md case 20): whether or not the name is used here,
    // a later `import pkg.core` anywhere replaces a lazy binding with the submodule.
    if same_name_submodule(import, binding, file) {
        candidate.keep(KeepReason::SameNameSubmodule, candidate.alias.range(), None);
        return;
    }
    // The namespace read as a dict holds unresolved proxies (lazy styles) or misses moved names (local).
    if let Some(access) = index
        .dynamic
        .iter()
        .find(|d| d.kind == DynamicKind::Dict && d.key.is_none_or(|k| k == binding))
    {
        candidate.keep(KeepReason::DynamicAccess, access.range, None);
        return;
    }
    if let Some(rebinding) = index.rebindings.iter().find(|r| r.name == binding) {
        candidate.keep(KeepReason::Rebound, rebinding.range, None);
        return;
    }
    // `from json import loads` then `from pickle import loads`: the first binding is replaced before anything
    // reads it, so it is there for its side effects only.
    if let Some(later) = shadowing_import(import, candidate.alias, binding, index, top_bindings) {
        candidate.keep(
            KeepReason::SideEffectOnly,
            later,
            Some(format!(
                "`{binding}` is bound again by a later import before any use"
            )),
        );
        return;
    }
    let references = index.references.get(binding).map_or(&[][..], Vec::as_slice);
    if let Some(eval) = index.import_time_eval {
        candidate.keep(
            KeepReason::UsedAtImportTime,
            eval,
            Some("`eval`/`exec` at import time can read any name".to_string()),
        );
        return;
    }
    // An import inside `if __name__ == "__main__":` used there runs as soon as it could: nothing to defer.
    let in_main = import.placement.in_main;
    if let Some(first) = references
        .iter()
        .find(|r| r.ctx == Ctx::ImportTime || (in_main && r.ctx == Ctx::Main))
    {
        candidate.keep(KeepReason::UsedAtImportTime, first.range, None);
        return;
    }
    if references.is_empty() {
        judge_unreferenced(candidate, import, index, file, settings);
        return;
    }
    // `import a.b` binds `a`; a lazy `a` imports only `a`, so every use must go through `a.b` unless a plain
    // `import a` binds the name too. A use through `a.c`, where another module-level statement imports `a.c`,
    // is fine: that statement makes `a.c` importable on first attribute access, lazy or not.
    let style_is_local = matches!(
        candidate.verdict.decision,
        Decision::Rewrite {
            style: Style::Local,
            ..
        }
    );
    if !style_is_local
        && import.source_module().is_none()
        && candidate.alias.asname.is_none()
        && let Some(other) =
            submodule_attribute_use(candidate.alias.name.as_str(), references, index)
    {
        candidate.keep(KeepReason::SubmoduleSideEffect, other.range, None);
    }
}

/// `import a.b.c` binds `a`; a lazy `a` imports only `a`, and `a.b`, `a.b.c` import on first attribute access.
/// So every use must follow the dotted path (`a.b.c...`), level by level, unless a plain `import a` binds the
/// name too. A use that leaves the path at some level (`a.b.d`) is fine only where another module-level
/// statement imports that sibling (`import a.b.d`): it makes the attribute importable on first access, lazy
/// or not. Returns the first use that is not fine.
pub(crate) fn submodule_attribute_use<'r, 'a>(
    full: &str,
    references: impl IntoIterator<Item = &'r crate::index::Reference<'a>>,
    index: &Index<'_>,
) -> Option<&'r crate::index::Reference<'a>>
where
    'a: 'r,
{
    let (binding, rest) = full.split_once('.')?;
    let path: Vec<&str> = rest.split('.').collect();
    // What the module-level `import binding...` statements without `as` import: `binding` itself, or the
    // submodules `binding.<attr>...`.
    let bound_here: Vec<Vec<&str>> = index
        .imports
        .iter()
        .filter(|other| other.is_module_level() && other.source_module().is_none())
        .flat_map(ImportStmt::aliases)
        .filter(|a| a.asname.is_none())
        .map(|a| a.name.as_str().split('.').collect::<Vec<_>>())
        .filter(|parts| parts.first() == Some(&binding))
        .collect();
    if bound_here.iter().any(|parts| parts.len() == 1) {
        return None;
    }
    // Whether another statement imports `binding.<prefix>.<attr>`.
    let imported_sibling = |prefix: &[&str], attr: &str| {
        bound_here.iter().any(|parts| {
            parts.len() > prefix.len() + 1
                && parts[1..=prefix.len()] == *prefix
                && parts[prefix.len() + 1] == attr
        })
    };
    references.into_iter().find(|r| {
        let attrs = r.attributes();
        match attrs.iter().zip(&path).position(|(a, p)| a != p) {
            Some(level) => !imported_sibling(&path[..level], attrs[level]),
            // The use stops above the imported submodule (`a`, or `a.b` for `import a.b.c`): what the eager
            // import set on it may be read later.
            None => attrs.len() < path.len(),
        }
    })
}

/// Style `local`: a move must not change which object any use sees, nor what other modules can read.
fn judge_local(
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
    if let Some((_, range)) = index.global_decls.iter().find(|(name, _)| *name == binding) {
        candidate.keep(
            KeepReason::Rebound,
            *range,
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
                candidate.keep(KeepReason::UsedAtImportTime, reference.range, None);
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

/// What other files of the project do that a deferred import would change, in every style: replace the module
/// in `sys.modules`, rebind the imported name in its module, read this module's namespace; and for `local`,
/// star-import this module.
fn judge_project(
    candidate: &mut Candidate<'_>,
    index: &Index<'_>,
    file: &SourceFile,
    settings: &Settings,
    style: Style,
) {
    let Some(project) = settings.project.as_deref() else {
        return;
    };
    let alias_range = candidate.alias.range();
    if let Some(module) = candidate.verdict.resolved_module.as_deref() {
        let member = candidate
            .verdict
            .member
            .as_ref()
            .map(|m| format!("{module}.{m}"));
        if let Some(at) = std::iter::once(module)
            .chain(member.as_deref())
            .find_map(|m| project.sys_modules_replaced(m))
        {
            let detail = format!("`sys.modules` entry replaced at {at}");
            candidate.keep(KeepReason::SysModulesPatched, alias_range, Some(detail));
            return;
        }
        if let Some(name) = candidate.verdict.member.as_deref()
            && let Some(at) = project.rebound_elsewhere(module, name)
        {
            let detail = format!("`{module}.{name}` is rebound at {at}");
            candidate.keep(KeepReason::RebindElsewhere, alias_range, Some(detail));
            return;
        }
    }
    let Some(this) = file.module_name.as_deref() else {
        return;
    };
    if let Some(at) = project.namespace_read(this, style == Style::Local) {
        let detail = format!("`{this}`'s namespace is read at {at}");
        candidate.keep(
            KeepReason::NamespaceReadElsewhere,
            alias_range,
            Some(detail),
        );
        return;
    }
    // `from this import *` copies every public global when there is no `__all__`: a name moved into a
    // function is no longer one of them.
    let binding = candidate.verdict.binding.as_str();
    if style == Style::Local
        && !index.has_all
        && !binding.starts_with('_')
        && let Some(at) = project.star_imported(this)
    {
        let detail = format!("`from {this} import *` at {at}");
        candidate.keep(KeepReason::UsedByOtherModule, alias_range, Some(detail));
    }
}

/// Imports about to be rewritten whose module has an effect when it loads (asked last: files with nothing to
/// rewrite never ask).
fn judge_effects(candidates: &mut [Candidate<'_>], file: &SourceFile, settings: &Settings) {
    let Some(oracle) = settings.effects.as_deref() else {
        return;
    };
    for c in candidates.iter_mut() {
        if !c.verdict.is_rewrite() {
            continue;
        }
        let Some(module) = c.verdict.resolved_module.clone() else {
            continue;
        };
        let importer = file.module_name.as_deref();
        let member = c.verdict.member.as_ref().map(|m| format!("{module}.{m}"));
        if let Some(check) = std::iter::once(module.as_str())
            .chain(member.as_deref())
            .find_map(|m| oracle.sys_modules_check(m))
        {
            c.keep(
                KeepReason::CheckedInSysModules,
                c.alias.range(),
                Some(format!("at {}", check.at)),
            );
            continue;
        }
        if let Some(guard) = importer.and_then(|i| oracle.import_guard(i, &module)) {
            c.keep(
                KeepReason::ImportGuardedElsewhere,
                c.alias.range(),
                Some(format!("at {}", guard.at)),
            );
            continue;
        }
        let mut answer = oracle.module(&module, importer, file.package());
        if answer.chain.is_none()
            && let Some(member) = &c.verdict.member
        {
            let inner = oracle.member(&module, member);
            if inner.chain.is_some() || answer.unknown.is_none() {
                answer.chain = inner.chain;
                answer.unknown = answer.unknown.or(inner.unknown);
            }
        }
        if let Some(chain) = answer.chain {
            let detail = match (chain.steps.first(), chain.effect()) {
                (Some(first), Some(effect)) if chain.steps.len() > 1 => {
                    format!("{}: {effect}, through {first}", chain.kind.describe())
                }
                (_, Some(effect)) => format!("{}: {effect}", chain.kind.describe()),
                _ => chain.kind.describe().to_string(),
            };
            c.keep(
                KeepReason::ImportedModuleHasEffects,
                c.alias.range(),
                Some(detail),
            );
            c.verdict.chain = Some((*chain).clone());
        } else if let Some(unknown) = answer.unknown {
            let text = format!(
                "effects of `{}` not analysed: {}",
                unknown.module, unknown.why
            );
            if settings.unknown_modules == crate::settings::UnknownModules::Keep {
                c.keep(
                    KeepReason::ImportedModuleUnknown,
                    c.alias.range(),
                    Some(text),
                );
            } else {
                c.verdict.note = Some(text);
            }
        }
    }
}

/// What the top-level import statements bind: name → (statement start, alias, whether a `from` import), in
/// source order.
type TopLevelBindings<'a> = HashMap<&'a str, Vec<(TextSize, &'a ruff_python_ast::Alias, bool)>>;

fn top_level_bindings<'a>(index: &Index<'a>) -> TopLevelBindings<'a> {
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
fn shadowing_import(
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
fn judge_unreferenced(
    candidate: &mut Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
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
    let explicit = candidate
        .alias
        .asname
        .as_ref()
        .is_some_and(|a| a.as_str() == candidate.alias.name.as_str());
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

/// Statements binding the same name are decided together, and the names of one `from m import ...` share the
/// module: if one stays eager, the module loads anyway.
fn share_fate(candidates: &mut [Candidate<'_>], index: &Index<'_>) {
    let mut keepers: HashMap<&str, (KeepReason, TextRange)> = HashMap::default();
    for c in candidates.iter() {
        let import = &index.imports[c.import];
        if !import.is_module_level() {
            continue;
        }
        if let Some((reason, _)) = c.keep_reason() {
            // Imports that never run (`if TYPE_CHECKING:`) or are already lazy bind nothing eagerly; one whose
            // binding is never read does not constrain the others.
            if !matches!(
                reason,
                KeepReason::TypeChecking
                    | KeepReason::AlreadyLazy
                    | KeepReason::SideEffectOnly
                    | KeepReason::PrivateUnused
                    | KeepReason::SubmoduleImport
            ) {
                keepers
                    .entry(index_name(c))
                    .or_insert((reason, c.alias.range()));
            }
        }
    }
    for c in candidates.iter_mut() {
        if !c.verdict.is_rewrite() {
            continue;
        }
        if let Some((_, span)) = keepers.get(c.verdict.binding.as_str()) {
            let detail = format!(
                "`{}` is also bound by an import that stays eager",
                c.verdict.binding
            );
            c.keep(KeepReason::SharedName, *span, Some(detail));
        }
    }
    // Siblings in `from m import x, y` (with a module: `from . import a, b` imports separate submodules).
    let mut eager_stmt: HashMap<usize, TextRange> = HashMap::default();
    for c in candidates.iter() {
        let import = &index.imports[c.import];
        if matches!(import.source_module(), Some((Some(_), _))) && !c.verdict.is_rewrite() {
            eager_stmt.entry(c.import).or_insert(c.alias.range());
        }
    }
    for c in candidates.iter_mut() {
        if c.verdict.is_rewrite()
            && let Some(span) = eager_stmt.get(&c.import)
        {
            c.keep(
                KeepReason::ModuleLoadedEagerly,
                *span,
                Some(format!(
                    "another name imported from `{}` in this statement stays eager",
                    c.verdict.module
                )),
            );
        }
    }
}

/// A module that an eager import loads anyway (itself or a submodule, which loads its parents) gains nothing
/// from a lazy import elsewhere in the file. Repeats until nothing changes.
fn loaded_anyway(candidates: &mut [Candidate<'_>], index: &Index<'_>) {
    loop {
        // Each module an eager import loads, with its parents, and the first such import.
        let mut loaded: HashMap<&str, TextRange> = HashMap::default();
        for c in candidates.iter() {
            let import = &index.imports[c.import];
            let Some((reason, _)) = c.keep_reason() else {
                continue;
            };
            if !import.is_module_level()
                || matches!(
                    reason,
                    KeepReason::TypeChecking | KeepReason::AlreadyLazy | KeepReason::Future
                )
            {
                continue;
            }
            let Some(module) = c.verdict.resolved_module.as_deref() else {
                continue;
            };
            let mut name = module;
            loop {
                loaded.entry(name).or_insert(c.alias.range());
                match name.rsplit_once('.') {
                    Some((parent, _)) => name = parent,
                    None => break,
                }
            }
        }
        let mut kept: Vec<(usize, TextRange)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            if !c.verdict.is_rewrite() {
                continue;
            }
            let import = &index.imports[c.import];
            // `from . import x`: the package is this module's parent, loaded before it; `x` is what is deferred.
            if matches!(import.source_module(), Some((None, _))) {
                continue;
            }
            if let Some(span) = c
                .verdict
                .resolved_module
                .as_deref()
                .and_then(|module| loaded.get(module))
            {
                kept.push((i, *span));
            }
        }
        if kept.is_empty() {
            return;
        }
        for (i, span) in kept {
            let c = &mut candidates[i];
            let detail = format!(
                "`{}` is loaded by an import that stays eager",
                c.verdict.resolved_module.as_deref().unwrap_or_default()
            );
            c.keep(KeepReason::ModuleLoadedEagerly, span, Some(detail));
        }
    }
}

fn index_name<'a>(c: &Candidate<'a>) -> &'a str {
    // The binding borrowed from the AST rather than the verdict's owned copy.
    let alias = c.alias;
    alias.asname.as_ref().map_or_else(
        || alias.name.as_str().split('.').next().unwrap_or_default(),
        |a| a.as_str(),
    )
}
