//! `LZF002`: a `lazy` import that module-level code reads at once. The module then loads while this one is
//! imported anyway, and `lazy` gains nothing. The fix removes `lazy`, which moves the load from that read up to
//! the import statement; it is offered only where that move cannot change what the program does.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::Candidate;
use crate::diagnostic::{Decision, KeepReason, RewriteWhy};
use crate::edit::Edit;
use crate::index::{Ctx, ImportStmt, Index, LazyModulesDef, ScopeId, bound_name};
use crate::python::ParsedModule;
use crate::rewrite::Owned;
use crate::settings::{Settings, SourceFile, Style, UnknownModules};

/// Turns the `already-lazy` verdicts of `lazy` statements whose every name module-level code reads at once
/// into `resolved-at-once` rewrites, with the edits that remove `lazy`; or, where removing it is not proven
/// safe, says why in the keep's detail. Runs after the style's own edits (`owned`), and leaves alone a
/// statement one of them touches.
pub(super) fn resolved_at_once(
    planner: &super::Planner<'_, '_>,
    candidates: &mut [Candidate<'_>],
    owned: &[Owned],
) -> Vec<Owned> {
    let (index, parsed, source, file, settings, style) = (
        planner.index,
        planner.parsed,
        planner.source,
        planner.file,
        planner.settings,
        planner.style,
    );
    let mut out = Vec::new();
    // The `lazy` statements, each with the indices of its verdicts.
    let mut statements: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let import = &index.imports[c.import];
        if !import.is_lazy()
            || !matches!(
                c.verdict.decision,
                Decision::Keep {
                    reason: KeepReason::AlreadyLazy,
                    ..
                }
            )
        {
            continue;
        }
        match statements.last_mut() {
            Some((stmt, members)) if *stmt == c.import => members.push(i),
            _ => statements.push((c.import, vec![i])),
        }
    }
    'statements: for (stmt, members) in statements {
        let import = &index.imports[stmt];
        let stmt_range = import.range();
        if members.len() != import.aliases().len()
            || parsed.has_keep_pragma(source, stmt_range)
            || owned.iter().any(|o| {
                let r = o.edit.range();
                r.start() <= stmt_range.end() && stmt_range.start() <= r.end()
            })
        {
            continue;
        }
        let mut first_read: Option<TextRange> = None;
        for &i in &members {
            let Some(read) = read_at_once(&candidates[i], import, index, parsed) else {
                continue 'statements;
            };
            if first_read.is_none_or(|f| read.start() < f.start()) {
                first_read = Some(read);
            }
        }
        let modules: Vec<String> = members
            .iter()
            .flat_map(|&i| loaded_modules(&candidates[i]))
            .collect();
        // A module listed in `__lazy_modules__` stays lazy on 3.15 without the keyword.
        let listed = index.lazy_modules.iter().any(|def| match def {
            LazyModulesDef::Literal { entries, .. } => {
                modules.iter().any(|m| entries.iter().any(|e| e == m))
            }
            _ => true,
        });
        if listed {
            continue;
        }
        let Some(edit) = remove_lazy(source, stmt_range) else {
            continue;
        };
        let why = why_not(candidates, &members, index, source, file, settings).and_then(|notes| {
            match first_read.and_then(|read| runs_between(planner, stmt_range.end(), read)) {
                Some(why) => Err(why),
                None => Ok(notes),
            }
        });
        out.extend(settle(candidates, members, why, first_read, style, edit));
    }
    out.extend(listed_entries(planner, candidates, owned));
    out
}

/// The `__lazy_modules__` half of `LZF002`: an entry whose every import in the file is read at once gains nothing;
/// the fix removes the entry (the imports stay as they are written, eager). Only a literal list bound once, and
/// an entry whose removal takes no comment with it.
fn listed_entries(
    planner: &super::Planner<'_, '_>,
    candidates: &mut [Candidate<'_>],
    owned: &[Owned],
) -> Vec<Owned> {
    let (index, parsed, source, file, settings, style) = (
        planner.index,
        planner.parsed,
        planner.source,
        planner.file,
        planner.settings,
        planner.style,
    );
    let [
        LazyModulesDef::Literal {
            stmt: list_stmt, ..
        },
    ] = index.lazy_modules.as_slice()
    else {
        return Vec::new();
    };
    let Some(elements) = list_elements(parsed, *list_stmt) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    'entries: for (position, (entry, _)) in elements.iter().enumerate() {
        // The imports the entry makes lazy: `import a.b` is tested as `a.b`, `from m import x` as `m`.
        let affected: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let import = &index.imports[c.import];
                import.is_module_level()
                    && c.verdict.resolved_module.as_deref() == Some(entry.as_str())
                    && (import.source_module().is_some() || c.alias.name.as_str() == entry.as_str())
            })
            .map(|(i, _)| i)
            .collect();
        if affected.is_empty() {
            continue;
        }
        let mut first_read: Option<TextRange> = None;
        for &i in &affected {
            let c = &candidates[i];
            let import = &index.imports[c.import];
            let kept_as_it_is = matches!(
                c.verdict.decision,
                Decision::Keep {
                    reason: KeepReason::UsedAtImportTime | KeepReason::AlreadyLazy,
                    ..
                }
            );
            if import.is_lazy()
                || !kept_as_it_is
                || import.range().start() < list_stmt.start()
                || parsed.has_keep_pragma(source, import.range())
            {
                continue 'entries;
            }
            // Every name of each affected statement must be read at once.
            for alias in import.aliases() {
                let Some(sibling) = candidates
                    .iter()
                    .find(|s| s.import == c.import && std::ptr::eq(s.alias, alias))
                else {
                    continue 'entries;
                };
                let Some(read) = read_at_once(sibling, import, index, parsed) else {
                    continue 'entries;
                };
                if first_read.is_none_or(|f| read.start() < f.start()) {
                    first_read = Some(read);
                }
            }
        }
        let Some(range) = entry_removal(source, &elements, position) else {
            continue;
        };
        // Style `lazy-modules` may add entries to the same list: a removal must not overlap its insertions.
        if parsed.has_comment_in(range)
            || owned.iter().any(|o| {
                let r = o.edit.range();
                r.start() < range.end() && range.start() < r.end()
                    || (r.is_empty() && range.start() < r.start() && r.start() < range.end())
            })
        {
            continue;
        }
        // The load moves up to the first affected statement.
        let from = affected
            .iter()
            .map(|&i| index.imports[candidates[i].import].range().end())
            .min()
            .unwrap_or_default();
        let why = why_not(candidates, &affected, index, source, file, settings).and_then(|notes| {
            match first_read.and_then(|read| runs_between(planner, from, read)) {
                Some(why) => Err(why),
                None => Ok(notes),
            }
        });
        out.extend(settle(
            candidates,
            affected,
            why,
            first_read,
            style,
            Edit::deletion(range),
        ));
    }
    out
}

/// Either way of settling `members`: a refusal (`Err`) goes into the detail of their `already-lazy` keeps; else
/// they become `resolved-at-once` rewrites owning `edit`, with the trusted-not-checked notes.
fn settle(
    candidates: &mut [Candidate<'_>],
    members: Vec<usize>,
    why: Result<Vec<String>, String>,
    first_read: Option<TextRange>,
    style: Style,
    edit: Edit,
) -> Option<Owned> {
    let notes = match why {
        Ok(notes) => notes,
        Err(why) => {
            for &i in &members {
                if let Decision::Keep {
                    reason: KeepReason::AlreadyLazy,
                    detail,
                    ..
                } = &mut candidates[i].verdict.decision
                {
                    *detail = Some(format!("module-level code reads it at once, but {why}"));
                }
            }
            return None;
        }
    };
    for &i in &members {
        let verdict = &mut candidates[i].verdict;
        verdict.decision = Decision::Rewrite {
            style,
            why: RewriteWhy::ResolvedAtOnce,
        };
        verdict.proof = first_read;
        if !notes.is_empty() {
            verdict.note = Some(notes.join("; "));
        }
    }
    Some(Owned::new(edit, members))
}

/// The string entries of the `__lazy_modules__` literal bound by `stmt`, with their elements.
fn list_elements(parsed: &ParsedModule, stmt: TextRange) -> Option<Vec<(String, &Expr)>> {
    let value = parsed.body().iter().find_map(|s| match s {
        Stmt::Assign(a) if a.range == stmt => Some(&*a.value),
        Stmt::AnnAssign(a) if a.range == stmt => a.value.as_deref(),
        _ => None,
    })?;
    let elts = match value {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        _ => return None,
    };
    elts.iter()
        .map(|e| match e {
            Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), e)),
            _ => None,
        })
        .collect()
}

/// The text to delete to take element `position` out of its container: up to the next element, or, for the
/// last one, from the end of the one before (so no dangling comma is left); for the only one, with its trailing
/// comma.
fn entry_removal(source: &str, elements: &[(String, &Expr)], position: usize) -> Option<TextRange> {
    let element = elements.get(position)?.1.range();
    if let Some((_, next)) = elements.get(position + 1) {
        return Some(TextRange::new(element.start(), next.start()));
    }
    if position > 0 {
        let previous = elements[position - 1].1.range();
        return Some(TextRange::new(previous.end(), element.end()));
    }
    // The only element: with a trailing comma, if any, and only from a bracketed list or tuple (an empty `{}` is
    // a dict, and `"a",` without parentheses cannot lose its only element).
    let container = &source[..usize::from(element.start())];
    if !container.trim_end().ends_with(['[', '(']) {
        return None;
    }
    let rest = &source[usize::from(element.end())..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let end = if trimmed.starts_with(',') {
        element.end() + TextSize::try_from(rest.len() - trimmed.len() + 1).ok()?
    } else {
        element.end()
    };
    Some(TextRange::new(element.start(), end))
}

/// The first read of the candidate's name by module-level code that always runs once the statement has: after
/// it, outside any condition, loop body, `try`, `with` body or function. For `lazy import a.b`, which binds `a`
/// and loads only `a` when `a` is read, the read must go on to `a.b`.
fn read_at_once(
    c: &Candidate<'_>,
    import: &ImportStmt<'_>,
    index: &Index<'_>,
    parsed: &ParsedModule,
) -> Option<TextRange> {
    let binding = c.verdict.binding.as_str();
    // Another binding of the name: a read may see it instead.
    if index.bindings.rebindings().any(|r| r.name == binding)
        || index.imports.iter().any(|other| {
            !std::ptr::eq(other.stmt, import.stmt)
                && other
                    .aliases()
                    .iter()
                    .any(|a| bound_name(a, other.source_module().is_some()) == binding)
        })
    {
        return None;
    }
    let path: Vec<&str> = if import.source_module().is_none() && c.alias.asname.is_none() {
        c.alias.name.as_str().split('.').skip(1).collect()
    } else {
        Vec::new()
    };
    index
        .references
        .get(binding)?
        .iter()
        .filter(|r| {
            r.ctx == Ctx::ImportTime
                && r.exec_scope.is_module()
                && r.binding_scope == ScopeId::MODULE
                && r.range.start() >= import.range().end()
                && r.attributes().starts_with(&path)
        })
        .map(|r| r.range)
        .find(|&range| always_runs(parsed.body(), range))
}

/// The modules a verdict's statement loads for it: `m`, and `m.x` for `from m import x` (in case `x` is a
/// submodule).
fn loaded_modules(c: &Candidate<'_>) -> Vec<String> {
    let Some(module) = c.verdict.resolved_module.as_deref() else {
        return Vec::new();
    };
    let mut out = vec![module.to_string()];
    if let Some(member) = &c.verdict.member {
        out.push(format!("{module}.{member}"));
    }
    out
}

/// Why moving the load up to the statement might change what the program does (`Err`), or the notes on what was
/// trusted rather than checked when it cannot.
fn why_not(
    candidates: &[Candidate<'_>],
    members: &[usize],
    index: &Index<'_>,
    source: &str,
    file: &SourceFile,
    settings: &Settings,
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let lines = crate::SourceLines::new(source);
    let line = |range: TextRange| lines.line_column(range.start()).0;
    if let Some(change) = index.import_state_change {
        return Err(format!(
            "this file changes how imports resolve (line {}), and removing `lazy` would load the module before that",
            line(change)
        ));
    }
    if let Some(change) = index.warnings_change {
        return Err(format!(
            "this file changes the warning filters (line {}), and removing `lazy` would load the module before that",
            line(change)
        ));
    }
    let Some(oracle) = settings.effects.as_deref() else {
        return Err("the effects of the modules it imports were not analysed".to_string());
    };
    let importer = file.module_name.as_deref();
    for &i in members {
        let c = &candidates[i];
        let Some(module) = c.verdict.resolved_module.as_deref() else {
            return Err(format!("`{}` cannot be resolved", c.verdict.module));
        };
        for name in loaded_modules(c) {
            if let Some(check) = oracle.sys_modules_check(&name) {
                return Err(format!(
                    "`{name}` is looked up in `sys.modules` at {}",
                    check.at
                ));
            }
        }
        let mut answer = oracle.module(module, importer, file.package());
        if answer.chain.is_none()
            && let Some(member) = &c.verdict.member
        {
            let inner = oracle.member(module, member, file.package());
            answer.chain = inner.chain;
            answer.unknown = answer.unknown.or(inner.unknown);
        }
        if let Some(chain) = answer.chain {
            return Err(match chain.effect() {
                Some(effect) => format!(
                    "loading `{module}` {} ({effect}), which would then happen earlier",
                    chain.kind.describe()
                ),
                None => format!("loading `{module}` {}", chain.kind.describe()),
            });
        }
        if let Some(unknown) = answer.unknown {
            if settings.unknown_modules == UnknownModules::Keep {
                return Err(format!(
                    "the effects of `{}` were not analysed: {}",
                    unknown.module, unknown.why
                ));
            }
            notes.push(format!(
                "effects of `{}` not analysed: {}",
                unknown.module, unknown.why
            ));
        }
        // Loading the module earlier, while this one is half done, must not bring this one back.
        let (Some(project), Some(this)) = (settings.project.as_deref(), importer) else {
            return Err(format!(
                "lazify cannot tell whether `{module}` imports this module back (no project was scanned)"
            ));
        };
        for name in loaded_modules(c) {
            if let Some(path) = project.import_path_back(&name, this) {
                let how = if path.len() == 1 {
                    format!("`{name}` imports `{this}` at module level")
                } else {
                    format!(
                        "`{name}` leads back to `{this}` through module-level imports ({} → {this})",
                        path.join(" → ")
                    )
                };
                return Err(format!("{how}, and would find it half loaded"));
            }
        }
    }
    Ok(notes)
}

/// What runs today between the import statement (ending at `from`) and the read that loads the module, and would
/// run after the load once `lazy` is gone: `None` when nothing there can tell (`lazy` imports, imports of modules
/// proven free of import-time effects, `def`s without decorators and with constant defaults, plain classes made of
/// such statements, constant assignments, docstrings, `if TYPE_CHECKING:`). Anything else (a call, an attribute
/// assignment, `matplotlib.use("Agg")` before `pyplot` loads) may set up what the module reads when it loads.
fn runs_between(
    planner: &super::Planner<'_, '_>,
    from: TextSize,
    read: TextRange,
) -> Option<String> {
    let lines = crate::SourceLines::new(planner.source);
    let line = |at: TextSize| lines.line_column(at).0;
    for stmt in planner.parsed.body() {
        if stmt.end() <= from {
            continue;
        }
        if stmt.start() >= read.start() {
            break;
        }
        let active = if stmt.range().contains_range(read) {
            // The statement holding the read: a call evaluated before the read runs first.
            calls_before(stmt, read.start())
        } else {
            !inert(planner, stmt)
        };
        if active {
            return Some(format!(
                "module-level code runs between the import and that read (line {}), before the module loads \
                 today; removing `lazy` would load it first",
                line(stmt.start())
            ));
        }
    }
    None
}

/// Whether running `stmt` can do anything the module to be loaded could see.
fn inert(planner: &super::Planner<'_, '_>, stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => e.value.is_literal_expr(),
        Stmt::Assign(a) => {
            a.targets.iter().all(Expr::is_name_expr)
                && (constant(&a.value) || quiet_read(planner, &a.value))
        }
        Stmt::AnnAssign(a) => {
            a.target.is_name_expr()
                && a.value
                    .as_deref()
                    .is_none_or(|v| constant(v) || quiet_read(planner, v))
        }
        Stmt::If(i) => {
            crate::index::is_type_checking_test(&i.test) && i.elif_else_clauses.is_empty()
        }
        Stmt::FunctionDef(f) => {
            f.decorator_list.is_empty()
                && f.parameters
                    .iter_non_variadic_params()
                    .filter_map(|p| p.default.as_deref())
                    .all(constant)
        }
        Stmt::ClassDef(c) => {
            c.decorator_list.is_empty()
                && c.type_params.is_none()
                && c.arguments
                    .as_deref()
                    .is_none_or(ruff_python_ast::Arguments::is_empty)
                && c.body.iter().all(|s| inert(planner, s))
        }
        Stmt::Import(i) if i.is_lazy => true,
        Stmt::ImportFrom(i) if i.is_lazy => true,
        Stmt::Import(_) | Stmt::ImportFrom(_) => {
            let Some(oracle) = planner.settings.effects.as_deref() else {
                return false;
            };
            let Some(import) = planner
                .index
                .imports
                .iter()
                .find(|i| std::ptr::eq(i.stmt, stmt))
            else {
                return false;
            };
            let importer = planner.file.module_name.as_deref();
            super::local::loaded_by(import, planner.file)
                .iter()
                .all(|m| {
                    let answer = oracle.module(m, importer, planner.file.package());
                    answer.chain.is_none() && answer.unknown.is_none()
                })
        }
        _ => false,
    }
}

/// `name` or `name.attr...` where `name` is bound by an import of this file: reading it runs nothing, except that a
/// `lazy` import's module loads, which is quiet when the oracle proves the module free of import-time effects.
fn quiet_read(planner: &super::Planner<'_, '_>, expr: &Expr) -> bool {
    let mut root = expr;
    while let Expr::Attribute(a) = root {
        root = &a.value;
    }
    let Expr::Name(name) = root else {
        return false;
    };
    let Some(import) = planner.index.imports.iter().find(|i| {
        i.is_module_level()
            && i.aliases()
                .iter()
                .any(|a| bound_name(a, i.source_module().is_some()) == name.id.as_str())
    }) else {
        return false;
    };
    if !import.is_lazy() {
        return true;
    }
    let Some(oracle) = planner.settings.effects.as_deref() else {
        return false;
    };
    let importer = planner.file.module_name.as_deref();
    super::local::loaded_by(import, planner.file)
        .iter()
        .all(|m| {
            let answer = oracle.module(m, importer, planner.file.package());
            answer.chain.is_none() && answer.unknown.is_none()
        })
}

/// A literal made of literals: evaluating it runs nothing.
fn constant(expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(t) => t.elts.iter().all(constant),
        Expr::List(l) => l.elts.iter().all(constant),
        Expr::Set(s) => s.elts.iter().all(constant),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|item| item.key.as_ref().is_some_and(constant) && constant(&item.value)),
        Expr::UnaryOp(u) => constant(&u.operand),
        other => other.is_literal_expr(),
    }
}

/// Whether a call (or `await`, `yield`) in `stmt` ends before `at`: it runs before the code at `at`.
fn calls_before(stmt: &Stmt, at: TextSize) -> bool {
    struct Calls {
        at: TextSize,
        found: bool,
    }
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(
                expr,
                Expr::Call(_) | Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_)
            ) && expr.end() <= self.at
            {
                self.found = true;
            }
            if !self.found && expr.start() < self.at {
                visitor::walk_expr(self, expr);
            }
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !self.found && stmt.start() < self.at {
                visitor::walk_stmt(self, stmt);
            }
        }
    }
    let mut calls = Calls { at, found: false };
    calls.visit_stmt(stmt);
    calls.found
}

/// The edit that removes `lazy` (and the space after it, line continuations included) from the statement.
fn remove_lazy(source: &str, stmt: TextRange) -> Option<Edit> {
    let text = &source[stmt];
    let rest = text.strip_prefix("lazy")?;
    let mut skipped = 0;
    let bytes = rest.as_bytes();
    loop {
        match bytes.get(skipped..) {
            Some([b' ' | b'\t' | b'\x0c', ..]) => skipped += 1,
            Some([b'\\', b'\r', b'\n', ..]) => skipped += 3,
            Some([b'\\', b'\r' | b'\n', ..]) => skipped += 2,
            _ => break,
        }
    }
    if skipped == 0 {
        return None;
    }
    let end = stmt.start() + TextSize::try_from(4 + skipped).ok()?;
    Some(Edit::deletion(TextRange::new(stmt.start(), end)))
}

/// Whether the name read at `target` is evaluated whenever the module body runs to its end: in a top-level
/// statement (or a top-level class body), outside conditions, loop bodies, `try`, `with` bodies, functions,
/// lambdas and the parts of expressions that may be skipped (`a and b`, `x if c else y`, comprehension bodies,
/// the later links of a comparison chain).
fn always_runs(body: &[Stmt], target: TextRange) -> bool {
    let mut finder = Always {
        target,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

struct Always {
    target: TextRange,
    found: bool,
}

impl Always {
    fn holds(&self, range: TextRange) -> bool {
        !self.found && range.contains_range(self.target)
    }
}

impl<'a> Visitor<'a> for Always {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.holds(stmt.range()) {
            return;
        }
        match stmt {
            Stmt::If(s) => self.visit_expr(&s.test),
            Stmt::While(s) => self.visit_expr(&s.test),
            Stmt::For(s) => self.visit_expr(&s.iter),
            Stmt::With(s) => {
                for item in &s.items {
                    self.visit_expr(&item.context_expr);
                }
            }
            Stmt::Match(s) => self.visit_expr(&s.subject),
            Stmt::Assert(s) => self.visit_expr(&s.test),
            Stmt::FunctionDef(f) => {
                for decorator in &f.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                for default in f
                    .parameters
                    .iter_non_variadic_params()
                    .filter_map(|p| p.default.as_deref())
                {
                    self.visit_expr(default);
                }
            }
            Stmt::ClassDef(c) => {
                for decorator in &c.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if let Some(arguments) = &c.arguments {
                    self.visit_arguments(arguments);
                }
                self.visit_body(&c.body);
            }
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    self.visit_expr(value);
                }
            }
            Stmt::Expr(_)
            | Stmt::Assign(_)
            | Stmt::AugAssign(_)
            | Stmt::Delete(_)
            | Stmt::Raise(_)
            | Stmt::Return(_) => visitor::walk_stmt(self, stmt),
            _ => {}
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.holds(expr.range()) {
            return;
        }
        match expr {
            Expr::Name(name) => self.found = name.range == self.target,
            Expr::BoolOp(b) => {
                if let Some(first) = b.values.first() {
                    self.visit_expr(first);
                }
            }
            Expr::If(e) => self.visit_expr(&e.test),
            Expr::Lambda(_) => {}
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
                if let Some(first) = generators.first() {
                    self.visit_expr(&first.iter);
                }
            }
            Expr::Compare(c) => {
                self.visit_expr(&c.left);
                if let Some(first) = c.comparators.first() {
                    self.visit_expr(first);
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
