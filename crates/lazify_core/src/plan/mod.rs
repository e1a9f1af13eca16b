//! One verdict per name bound by each import statement: rewrite, or keep with a reason and the span that
//! proves it. An import is rewritten only when every name it binds is used, and used only where deferring is
//! invisible, and no blocker applies.

use ruff_text_size::{Ranged, TextRange};

pub(crate) use self::lazy_modules::Existing;
pub(crate) use self::local::implicit_submodule;
use self::local::judge_local;
use self::project::{judge_effects, judge_project};
use self::propagate::{loaded_anyway, share_fate};
pub(crate) use self::shadowing::same_name_submodule;
use self::shadowing::{TopLevelBindings, judge_unreferenced, shadowing_import, top_level_bindings};
use crate::diagnostic::{Decision, ImportVerdict, KeepReason, Notice, RewriteWhy};
use crate::edit::Edit;
use crate::index::{Ctx, DynamicKind, ImportStmt, Index, bound_name};
use crate::known;
use crate::python::ParsedModule;
use crate::rewrite;
use crate::rewrite::first_line;
use crate::settings::{Settings, SourceFile, Style};

mod hoist;
mod late;
mod lazy_modules;
mod local;
mod project;
mod propagate;
mod resolved;
mod shadowing;

/// The planner's result.
pub(crate) struct Plan {
    pub(crate) verdicts: Vec<ImportVerdict>,
    pub(crate) notices: Vec<Notice>,
    /// Every edit of the file, in the order the rewrite made them.
    pub(crate) edits: Vec<Edit>,
    /// The fixes: per fix, the verdicts it rewrites and the indices of its edits in `edits` (a partition of them).
    pub(crate) fixes: Vec<(Vec<usize>, Vec<usize>)>,
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

/// What every check reads: the file, its index and parse, and the settings. The order of the checks is written
/// once, in [`Planner::plan`].
pub(crate) struct Planner<'p, 'a> {
    pub(super) index: &'p Index<'a>,
    pub(super) parsed: &'p ParsedModule,
    pub(super) source: &'p str,
    pub(super) file: &'p SourceFile,
    pub(super) settings: &'p Settings,
    pub(super) style: Style,
    top_bindings: TopLevelBindings<'a>,
}

pub(crate) fn plan(
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    file: &SourceFile,
    settings: &Settings,
    style: Style,
) -> Plan {
    Planner {
        index,
        parsed,
        source,
        file,
        settings,
        style,
        top_bindings: top_level_bindings(index),
    }
    .plan()
}

impl<'a> Planner<'_, 'a> {
    /// The verdicts, then the edits that carry them out. The order:
    ///
    /// 1. each name alone: the statement's blockers, the name's uses, style `local`'s moves, other files' facts;
    /// 2. `--hoist`'s function-local imports;
    /// 3. the imported modules' effects (asked last: files with nothing to rewrite never ask);
    /// 4. until nothing changes: keeps carried across statements (`share_fate`, `loaded_anyway`), then the
    ///    checks that depend on which names are left (a split that would drop comments; style `lazy-modules`'s
    ///    list; style `local`'s moves that would lose a comment or a coding declaration, found by building them);
    /// 5. `LZF002`: `lazy` imports read at once, beside the style's edits.
    fn plan(self) -> Plan {
        let (index, parsed, source, style) = (self.index, self.parsed, self.source, self.style);
        let mut notices = Vec::new();
        let mut candidates: Vec<Candidate<'a>> = Vec::new();
        for (i, import) in index.imports.iter().enumerate() {
            for alias in import.aliases() {
                let mut candidate = new_candidate(i, import, alias, self.file, style);
                self.judge_statement(&mut candidate, import);
                if candidate.verdict.is_rewrite() {
                    self.judge_name(&mut candidate, import);
                }
                if style == Style::Local && candidate.verdict.is_rewrite() {
                    judge_local(&self, &mut candidate, import);
                }
                if candidate.verdict.is_rewrite() {
                    judge_project(&mut candidate, index, self.file, self.settings, style);
                }
                candidates.push(candidate);
            }
        }
        let hoist = self.settings.hoist && style == Style::Lazy;
        if hoist {
            hoist::judge(&self, &mut candidates, &mut notices);
        }
        judge_effects(&mut candidates, self.file, self.settings);
        // Read once: its notices are the file's, whatever the verdicts.
        let existing =
            (style == Style::LazyModules).then(|| lazy_modules::existing_list(index, &mut notices));
        let owned = loop {
            share_fate(&mut candidates, index);
            loaded_anyway(&mut candidates, index);
            let changed = match &existing {
                Some(existing) => lazy_modules::checks(&mut candidates, index, existing),
                None => {
                    late::lossy_splits(&mut candidates, index, parsed, style)
                        | (style == Style::Local
                            && late::read_back_while_loading(&self, &mut candidates))
                }
            };
            if changed {
                continue;
            }
            match style {
                Style::Lazy => {
                    let mut edits = rewrite::lazy::edits(&candidates, index, parsed, source);
                    if hoist {
                        edits.extend(rewrite::hoist::edits(&candidates, index, parsed, source));
                    }
                    break edits;
                }
                Style::LazyModules => {
                    let existing = existing.as_ref().unwrap_or(&lazy_modules::Existing::None);
                    break rewrite::lazy_modules::edits(
                        &candidates,
                        index,
                        source,
                        existing,
                        &mut notices,
                    );
                }
                Style::Local => match rewrite::local::try_edits(
                    &candidates,
                    index,
                    parsed,
                    source,
                    self.settings.type_checking_imports,
                ) {
                    Ok(edits) => {
                        break rewrite::local::edits(
                            &candidates,
                            index,
                            parsed,
                            source,
                            self.file,
                            edits,
                        );
                    }
                    // Each refusal keeps one more statement, so this ends.
                    Err(refusal) => {
                        for c in candidates
                            .iter_mut()
                            .filter(|c| c.import == refusal.import && c.verdict.is_rewrite())
                        {
                            c.keep(refusal.reason, refusal.span, Some(refusal.detail.clone()));
                        }
                    }
                },
            }
        };
        if style == Style::Local {
            rewrite::local::doctest_notices(&candidates, parsed, source, &mut notices);
        }
        let mut owned = owned;
        let eager = resolved::resolved_at_once(&self, &mut candidates, &owned);
        owned.extend(eager);
        let owners: Vec<Vec<usize>> = owned.iter().map(|o| o.owners.clone()).collect();
        Plan {
            verdicts: candidates.into_iter().map(|c| c.verdict).collect(),
            notices,
            edits: owned.into_iter().map(|o| o.edit).collect(),
            fixes: crate::fix::partition(&owners),
        }
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
            proof: None,
            note: None,
        },
    }
}

impl Planner<'_, '_> {
    /// Blockers that hold for the whole statement.
    fn judge_statement(&self, candidate: &mut Candidate<'_>, import: &ImportStmt<'_>) {
        let (index, parsed, source, settings) =
            (self.index, self.parsed, self.source, self.settings);
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
}

impl Planner<'_, '_> {
    /// Blockers that depend on how the bound name is used.
    fn judge_name(&self, candidate: &mut Candidate<'_>, import: &ImportStmt<'_>) {
        let (index, parsed, source, file, settings) = (
            self.index,
            self.parsed,
            self.source,
            self.file,
            self.settings,
        );
        let top_bindings = &self.top_bindings;
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
        if let Some(rebinding) = index.bindings.rebindings().find(|r| r.name == binding) {
            candidate.keep(KeepReason::Rebound, rebinding.range, None);
            return;
        }
        // `from json import loads` then `from pickle import loads`: the first binding is replaced before anything
        // reads it, so it is there for its side effects only.
        if let Some(later) = shadowing_import(import, candidate.alias, binding, index, top_bindings)
        {
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
            candidate.keep(
                KeepReason::UsedAtImportTime,
                first.range,
                import_time_calls(index, source, first),
            );
            return;
        }
        if references.is_empty() {
            judge_unreferenced(candidate, import, index, parsed, source, file, settings);
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

/// For a use inside a function that runs while the module is imported, the calls that make it run, as words for
/// the keep's message: "... called through `helper()` (line 13) → `Style()` (line 10)". `None` for a use at module
/// level.
pub(crate) fn import_time_calls(
    index: &Index<'_>,
    source: &str,
    reference: &crate::index::Reference<'_>,
) -> Option<String> {
    if reference.exec_scope.is_module() {
        return None;
    }
    let path = index.import_time_path(reference.exec_scope);
    if path.is_empty() {
        return None;
    }
    let lines = crate::SourceLines::new(source);
    let steps: Vec<String> = path
        .iter()
        .map(|range| {
            let (line, _) = lines.line_column(range.start());
            format!("`{}` (line {line})", call_text(&source[*range]))
        })
        .collect();
    Some(format!(
        "its function runs at import time, called through {}",
        steps.join(" → ")
    ))
}

/// A call (or a class statement, or a decorator) as a message shows it: its first line, `f(...)` when long.
fn call_text(text: &str) -> String {
    const MAX: usize = 40;
    let first = text.lines().next().unwrap_or_default().trim_end();
    if first.len() <= MAX && first.len() == text.trim_end().len() {
        return first.to_string();
    }
    if let Some(open) = first.find('(')
        && open <= MAX
    {
        return format!("{}(...)", &first[..open]);
    }
    let mut end = MAX.min(first.len());
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &first[..end])
}

#[cfg(test)]
mod call_text_tests {
    use super::call_text;

    #[test]
    fn calls_are_shown_short() {
        assert_eq!(call_text("helper()"), "helper()");
        assert_eq!(
            call_text("configure_everything_for_the_application(first_argument, second)"),
            "configure_everything_for_the_application(...)"
        );
        assert_eq!(call_text("setup(\n    a,\n)"), "setup(...)");
        assert_eq!(
            call_text("class Child(Base):\n    x = 1\n"),
            "class Child(...)"
        );
        let long = "é".repeat(30);
        assert_eq!(call_text(&long), format!("{}...", "é".repeat(20)));
    }
}
