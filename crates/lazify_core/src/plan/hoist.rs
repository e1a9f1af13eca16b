//! `--hoist`: which function-local imports become one module-level `lazy import` (PEP 810's recommendation), and
//! why the others stay where they are.

use std::collections::HashMap;

use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange};

use super::Candidate;
use crate::diagnostic::{Decision, KeepReason, Notice, NoticeKind, RewriteWhy};
use crate::index::{
    Binding, DynamicKind, Index, Reference, ScopeId, ScopeKind, StateChange, bound_name,
};
use crate::known;
use crate::settings::Style;

use crate::rewrite::hoist::canonical;
use crate::rewrite::{first_line, line_prefix, line_rest};

/// Decides every function-local import: hoist, or keep with a reason.
pub(crate) fn judge(
    planner: &super::Planner<'_, '_>,
    candidates: &mut [Candidate<'_>],
    notices: &mut Vec<Notice>,
) {
    let (index, file) = (planner.index, planner.file);
    // Every import of each name, by its canonical text, to find conflicting and identical imports.
    let mut by_name: HashMap<&str, SameName> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let import = &index.imports[c.import];
        let same = by_name
            .entry(index_binding(c, import.source_module().is_some()))
            .or_default();
        let text = canonical(import.stmt, c.alias);
        let position = same.imports.len();
        // An import under `if TYPE_CHECKING:` never runs, so an identical one does not make a local import
        // redundant (a different one still conflicts: it differs from the others' text).
        if import.is_module_level()
            && import.placement.in_type_checking.is_none()
            && same.module_level.len() < 2
        {
            same.module_level.push(position);
        }
        if same.first_differing.is_none()
            && same
                .imports
                .first()
                .is_some_and(|(_, first)| *first != text)
        {
            same.first_differing = Some(position);
        }
        same.imports.push((i, text));
    }
    let lookups = Lookups::new(by_name, index);

    for i in 0..candidates.len() {
        let c = &candidates[i];
        let import = &index.imports[c.import];
        if import.is_module_level() || index.scopes[import.scope].kind != ScopeKind::Function {
            continue;
        }
        if c.alias.name.as_str() == "*" {
            continue;
        }
        let binding = index_binding(c, import.source_module().is_some());
        let text = canonical(import.stmt, c.alias);
        let verdict = decide(planner, i, binding, &text, candidates, &lookups);
        let c = &mut candidates[i];
        match verdict {
            Ok(()) => {
                c.verdict.decision = Decision::Rewrite {
                    style: Style::Lazy,
                    why: RewriteWhy::Hoisted,
                };
            }
            Err((reason, span, detail)) => {
                if reason == KeepReason::RedundantLocalImport {
                    notices.push(
                        NoticeKind::RedundantLocalImport
                            .at(c.verdict.stmt_range, &[("import", &text)]),
                    );
                }
                c.keep(reason, span, detail);
            }
        }
    }

    // A hoisted public name joins `from module import *` when the module has no `__all__`.
    if !index.has_all {
        for c in candidates.iter().filter(|c| {
            matches!(
                c.verdict.decision,
                Decision::Rewrite {
                    why: RewriteWhy::Hoisted,
                    ..
                }
            ) && !c.verdict.binding.starts_with('_')
        }) {
            notices.push(NoticeKind::HoistedNameExported.at(
                c.verdict.alias_range,
                &[
                    ("name", &c.verdict.binding),
                    (
                        "module",
                        file.module_name.as_deref().unwrap_or("this module"),
                    ),
                ],
            ));
        }
    }
}

fn index_binding<'a>(c: &Candidate<'a>, is_from: bool) -> &'a str {
    bound_name(c.alias, is_from)
}

type Refusal = (KeepReason, TextRange, Option<String>);

/// What [`decide`] looks up for each import, found once per file: each question asked of every import about
/// all the others was quadratic (20,000 functions that import `json` took seconds).
struct Lookups<'i, 'a> {
    /// The imports of each name.
    by_name: HashMap<&'a str, SameName>,
    /// The references to each name inside functions, by the function that binds the name (in the index's
    /// order).
    local_references: HashMap<(&'a str, ScopeId), Vec<&'i Reference<'a>>>,
    /// The first module-level rebinding of each name.
    rebindings: HashMap<&'a str, &'i Binding<'a>>,
}

impl<'i, 'a> Lookups<'i, 'a> {
    fn new(by_name: HashMap<&'a str, SameName>, index: &'i Index<'a>) -> Self {
        let mut local_references: HashMap<(&'a str, ScopeId), Vec<&'i Reference<'a>>> =
            HashMap::new();
        for (name, references) in &index.local_references {
            for reference in references {
                local_references
                    .entry((name, reference.binding_scope))
                    .or_default()
                    .push(reference);
            }
        }
        let mut rebindings = HashMap::new();
        for rebinding in index.bindings.rebindings() {
            rebindings.entry(rebinding.name).or_insert(rebinding);
        }
        Self {
            by_name,
            local_references,
            rebindings,
        }
    }
}

/// The imports that bind one name, in source order, with what [`decide`] asks of them for each import found
/// once (asking each import about all the others was quadratic: 20,000 functions importing `json` took seconds).
#[derive(Default)]
struct SameName {
    /// Candidate index and canonical text of each import.
    imports: Vec<(usize, String)>,
    /// The positions (in `imports`) of the first two module-level imports.
    module_level: Vec<usize>,
    /// The position of the first import whose text differs from the first one's.
    first_differing: Option<usize>,
}

impl SameName {
    /// The first import other than candidate `i` (whose text is `text`) that is at module level or differs
    /// from `text`.
    fn first_conflict(&self, i: usize, text: &str) -> Option<&(usize, String)> {
        let module_level = self
            .module_level
            .iter()
            .copied()
            .find(|&q| self.imports[q].0 != i);
        let differing = match self.imports.first() {
            Some((_, first)) if first != text => Some(0),
            _ => self.first_differing,
        };
        let first = match (module_level, differing) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        first.map(|q| &self.imports[q])
    }
}

fn decide(
    planner: &super::Planner<'_, '_>,
    i: usize,
    binding: &str,
    text: &str,
    candidates: &[Candidate<'_>],
    lookups: &Lookups<'_, '_>,
) -> Result<(), Refusal> {
    let (index, parsed, source, file, settings) = (
        planner.index,
        planner.parsed,
        planner.source,
        planner.file,
        planner.settings,
    );
    let c = &candidates[i];
    let import = &index.imports[c.import];
    let stmt_range = import.range();
    let scope = import.scope;
    if let Some(block) = import.placement.local_block {
        return Err((
            KeepReason::NestedInFunction,
            first_line(source, block),
            None,
        ));
    }
    if crate::plan::same_name_submodule(import, binding, file) {
        return Err((KeepReason::SameNameSubmodule, c.alias.range(), None));
    }
    if let Some(range) = index.scopes[scope].reads_locals {
        return Err((
            KeepReason::DynamicAccess,
            range,
            Some("the function reads its own `locals()`".to_string()),
        ));
    }
    // The function changes `sys.path` (or the warning filters) around its import, itself or through a helper:
    // the import must run at that point.
    if let Some((kind, range)) = index.state_changers.get(&scope) {
        let reason = match kind {
            StateChange::ImportSystem => KeepReason::SysPathChanged,
            StateChange::WarningFilters => KeepReason::WarningFiltersChanged,
        };
        return Err((
            reason,
            first_line(source, *range),
            Some("the function changes it around its import".to_string()),
        ));
    }
    if parsed.has_keep_pragma(source, stmt_range) {
        return Err((KeepReason::KeepPragma, stmt_range, None));
    }
    if let Some(module) = &c.verdict.resolved_module {
        if let Some(pattern) = settings.keep.matching(module) {
            return Err((
                KeepReason::KeepList,
                c.alias.range(),
                Some(format!("`{module}` matches keep pattern `{pattern}`")),
            ));
        }
        if let Some(entry) = known::side_effect_entry(module) {
            return Err((
                KeepReason::KnownSideEffects,
                c.alias.range(),
                Some(format!("`{module}` matches built-in entry `{entry}`")),
            ));
        }
        if !settings.include_preloaded && known::is_preloaded(module) {
            return Err((KeepReason::Preloaded, c.alias.range(), None));
        }
    }
    let before = line_prefix(source, stmt_range.start());
    let after = line_rest(source, stmt_range.end());
    if !before.trim().is_empty()
        || !(after.trim().is_empty() || after.trim_start().starts_with('#'))
    {
        return Err((KeepReason::SharesLine, stmt_range, None));
    }
    // The function itself: assigned, `global`, `nonlocal`.
    let s = &index.scopes[scope];
    if s.other_bindings.contains(binding)
        || s.globals.contains(binding)
        || s.nonlocals.contains(binding)
    {
        return Err((
            KeepReason::HoistConflict,
            stmt_range,
            Some(format!("the function also binds or declares `{binding}`")),
        ));
    }
    // Enclosing scopes: a class whose body binds the name, an enclosing function that binds it.
    let mut parent = s.parent;
    while let Some(p) = parent {
        let ps = &index.scopes[p];
        if ps.kind != ScopeKind::Module && ps.bindings.contains(binding) {
            return Err((
                KeepReason::HoistConflict,
                stmt_range,
                Some(format!(
                    "an enclosing class or function binds `{binding}` too"
                )),
            ));
        }
        parent = ps.parent;
    }
    // Other imports of the name: identical ones are shared (or make this one redundant at module level);
    // different ones conflict.
    if let Some((j, other_text)) = lookups
        .by_name
        .get(binding)
        .and_then(|same| same.first_conflict(i, text))
    {
        let other = &index.imports[candidates[*j].import];
        if other.is_module_level() {
            if other_text == text {
                return Err((KeepReason::RedundantLocalImport, other.range(), None));
            }
            return Err((
                KeepReason::HoistConflict,
                other.range(),
                Some(format!("the module binds `{binding}` with `{other_text}`")),
            ));
        } else if other_text != text {
            return Err((
                KeepReason::HoistConflict,
                other.range(),
                Some(format!(
                    "another function imports `{binding}` with `{other_text}`"
                )),
            ));
        }
    }
    if let Some(rebinding) = lookups.rebindings.get(binding) {
        return Err((
            KeepReason::HoistConflict,
            rebinding.range,
            Some(format!("`{binding}` is bound at module level")),
        ));
    }
    // Code that reads the namespace as a dict would find a new, unresolved entry.
    if let Some(access) = index.dynamic.iter().find(|d| {
        matches!(d.kind, DynamicKind::Dict | DynamicKind::Keys)
            && d.key.is_none_or(|k| k == binding)
    }) {
        return Err((KeepReason::DynamicAccess, access.range, None));
    }
    // Code that reads the name as a global or builtin would see the hoisted binding instead.
    if let Some(reference) = index.references.get(binding).and_then(|r| r.first()) {
        return Err((KeepReason::HoistShadows, reference.range, None));
    }
    let own_references = lookups
        .local_references
        .get(&(binding, scope))
        .map_or(&[][..], Vec::as_slice);
    // The function reads the name before the import runs (an `UnboundLocalError` today).
    if let Some(reference) = own_references
        .iter()
        .find(|r| r.range.start() < stmt_range.start())
    {
        return Err((KeepReason::UsedBeforeImport, reference.range, None));
    }
    // An import whose name the function never reads is there for its side effect: hoisted, it would never run.
    if own_references.is_empty() {
        return Err((
            KeepReason::SideEffectOnly,
            c.alias.range(),
            Some("the function never reads the name".to_string()),
        ));
    }
    // `import a.b` then `a.c` in the function: the eager import made `a.c` reachable, a lazy `a` may not.
    if import.source_module().is_none()
        && c.alias.asname.is_none()
        && let Some(reference) = crate::plan::submodule_attribute_use(
            c.alias.name.as_str(),
            index
                .local_references
                .get(binding)
                .into_iter()
                .flatten()
                .filter(|r| r.binding_scope == scope),
            index,
        )
    {
        return Err((KeepReason::SubmoduleSideEffect, reference.range, None));
    }
    // A module-level `__getattr__` answers `module.name` for names the module lacks; a hoisted binding would
    // answer first.
    if let Some(getattr) = parsed.body().iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(f) if f.name.as_str() == "__getattr__" => Some(f),
        _ => None,
    }) {
        return Err((
            KeepReason::HoistShadows,
            first_line(source, getattr.range()),
            Some(format!(
                "the module's `__getattr__` answers `{binding}` today; a hoisted binding would bypass it"
            )),
        ));
    }
    if let Some(project) = &settings.project {
        let module = c.verdict.resolved_module.as_deref().unwrap_or_default();
        // `from m import x` re-reads `m.x` on each call; a hoisted binding keeps the first value.
        if let (Some(member), Some(from)) = (&c.verdict.member, &c.verdict.resolved_module)
            && let Some(at) = project.attribute_touched(from, member)
        {
            return Err((
                KeepReason::AttributeReboundElsewhere,
                stmt_range,
                Some(format!("`{from}.{member}` is touched at {at}")),
            ));
        }
        // `from this import *` elsewhere, and no `__all__` here: a public hoisted name would join it.
        if !index.has_all
            && !binding.starts_with('_')
            && let Some(this) = file.module_name.as_deref()
            && let Some(at) = project.star_imported(this)
        {
            return Err((
                KeepReason::StarExported,
                c.alias.range(),
                Some(format!("`from {this} import *` at {at}")),
            ));
        }
        if let Some(at) = project.sys_modules_patched(module) {
            return Err((
                KeepReason::SysModulesPatched,
                stmt_range,
                Some(format!("`sys.modules` is patched at {at}")),
            ));
        }
        // `from pkg import a` loads `pkg` and, when `a` is a submodule, `pkg.a`.
        let loaded: Vec<String> = c
            .verdict
            .resolved_module
            .iter()
            .flat_map(|m| {
                std::iter::once(m.clone())
                    .chain(c.verdict.member.as_ref().map(|x| format!("{m}.{x}")))
            })
            .collect();
        if let Some(this) = file.module_name.as_deref()
            && let Some((target, path)) = loaded
                .iter()
                .find_map(|t| project.import_path_back(t, this).map(|p| (t, p)))
        {
            let detail = if path.len() == 1 {
                format!("`{target}` imports `{this}` at module level")
            } else {
                format!(
                    "`{target}` leads back to `{this}` through module-level imports: {} → {this}",
                    path.join(" → ")
                )
            };
            return Err((KeepReason::ImportCycle, stmt_range, Some(detail)));
        }
    }
    Ok(())
}
