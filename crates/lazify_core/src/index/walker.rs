//! The walk over the module: its state, and the statement visitor.

use super::all::LazyModulesDef;
use super::binding::{BindingKind, Bindings, ImportStmt, Placement, bound_name};
use super::call_graph::Callee;
use super::dynamic::{Dynamic, DynamicKind, is_namespace_call};
use super::helpers::{is_main_test, is_type_checking_test};
use super::import_state::StateChange;
use super::prefilter::{Callables, Tracked};
use super::reference::{Ctx, Reference};
use super::scope::{ScopeId, ScopeKind, Scopes};
use ruff_python_ast::helpers::map_callable;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

pub(super) struct Walker<'a> {
    pub(super) source: &'a str,
    /// Inside an annotation: string literals there are forward references.
    pub(super) in_annotation: bool,
    /// The annotation being visited is resolved by name when the class is created.
    pub(super) annotation_introspected: bool,
    pub(super) tracked: Tracked<'a>,
    pub(super) callables: Callables<'a>,
    pub(super) scopes: Scopes<'a>,
    pub(super) scope: ScopeId,
    pub(super) exec_scope: ScopeId,
    pub(super) ctx: Ctx,
    pub(super) placement: Placement,
    pub(super) annotations_deferred: bool,
    /// Module-level classes whose annotations are evaluated when the class is created (dataclass-like).
    pub(super) evaluating_classes: HashSet<&'a str>,
    pub(super) imports: Vec<ImportStmt<'a>>,
    /// References by the number of the name they read ([`Tracked`]), in the order of the walk.
    pub(super) raw_refs: Vec<Vec<Reference<'a>>>,
    /// Bindings of tracked names other than imports: rebindings and `global` declarations.
    pub(super) bindings: Bindings<'a>,
    pub(super) dynamic: Vec<Dynamic<'a>>,
    pub(super) import_time_eval: Option<TextRange>,
    pub(super) all_names: HashSet<&'a str>,
    pub(super) has_all: bool,
    pub(super) lazy_modules: Vec<LazyModulesDef>,
    pub(super) import_state_change: Option<TextRange>,
    pub(super) warnings_change: Option<TextRange>,
    /// Function scopes (and lambdas) that change the import system or the warning filters themselves: the
    /// first such statement.
    pub(super) direct_changes: HashMap<ScopeId, (StateChange, TextRange)>,
    /// Inside `with warnings.catch_warnings():`, which restores the filters on exit.
    pub(super) in_catch_warnings: bool,
    /// Names that stand for `sys`, `os`, `warnings` or one of their attributes under another name.
    pub(super) aliases: HashMap<&'a str, String>,
    /// Names bound to this module's object (`this = sys.modules[__name__]`).
    pub(super) module_aliases: HashSet<&'a str>,
    /// Module-level names bound to a generator expression (`gen = (f(x) for x in xs)`): its body runs when
    /// something iterates it, which a read of the name may do.
    pub(super) generator_names: HashSet<&'a str>,
    /// `def` nested in a function: (enclosing function scope, name) → the nested function's scope.
    pub(super) local_defs: HashMap<(ScopeId, &'a str), ScopeId>,
    /// Module-level `def name` → its scope.
    pub(super) module_functions: HashMap<&'a str, ScopeId>,
    /// Module-level `class name` → scopes of its `__init__`, `__new__`, `__post_init__`.
    pub(super) module_classes: HashMap<&'a str, Vec<ScopeId>>,
    /// The arguments of the calls in `calls` made with a call expression, by the call's range.
    pub(super) call_arguments: HashMap<TextRange, &'a ast::Arguments>,
    /// Calls of plain names: (caller exec scope, callee name, call range, context, the scope the call sits in).
    pub(super) calls: Vec<(ScopeId, Callee<'a>, TextRange, Ctx, ScopeId)>,
    /// Methods of module-level classes: class → method → scope.
    pub(super) class_methods: HashMap<&'a str, HashMap<&'a str, ScopeId>>,
    /// Nesting depth of compound statements at module level (0: a top-level statement).
    pub(super) depth: usize,
    /// lazify's own `__getattr__` and `__dir__` (with its lazy-attribute table): not walked, since their
    /// `globals()` and `import` are lazify's machinery, not the module's.
    pub(super) skip: Vec<TextRange>,
}

impl<'a> Walker<'a> {
    pub(super) fn with_ctx(&mut self, ctx: Ctx, f: impl FnOnce(&mut Self)) {
        let saved = self.ctx;
        // A weaker context never overrides a stronger one: nothing under `if TYPE_CHECKING:` ever runs.
        if !(saved == Ctx::TypeChecking || (saved == Ctx::Annotation && ctx != Ctx::TypeChecking)) {
            self.ctx = ctx;
        }
        f(self);
        self.ctx = saved;
    }

    pub(super) fn visit_target(&mut self, target: &'a Expr) {
        self.visit_expr(target);
    }
}

impl<'a> Walker<'a> {
    pub(super) fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        if self.depth == 0 || self.at_module_scope() {
            self.note_import_state_change(stmt);
            self.note_all_and_lazy_modules(stmt);
        } else if !self.exec_scope.is_module() {
            self.note_import_state_change(stmt);
        }
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                let import = ImportStmt {
                    stmt,
                    placement: self.placement.clone(),
                    scope: self.scope,
                };
                if !self.at_module_scope() {
                    let is_from = import.source_module().is_some();
                    for alias in import.aliases() {
                        self.bind_import(bound_name(alias, is_from), alias.range());
                    }
                }
                self.imports.push(import);
            }
            Stmt::FunctionDef(f) if self.skip.contains(&f.range) => {}
            Stmt::FunctionDef(f) => self.visit_function(f, None),
            // `f_globals = frame.f_back.f_globals` in a function, read only with literal keys.
            Stmt::Assign(a) if self.note_namespace_alias(a) => {}
            // `name = (f(x) for x in xs)` at module level: the body runs when the generator is iterated, which
            // a read of `name` at import time may do.
            Stmt::Assign(a)
                if self.at_module_scope()
                    && a.value.is_generator_expr()
                    && matches!(a.targets.as_slice(), [Expr::Name(_)]) =>
            {
                let scope = self.visit_comprehension(&a.value, true);
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.module_functions.insert(n.id.as_str(), scope);
                    self.visit_expr(&a.targets[0]);
                }
            }
            // `name = lambda ...` at module level: a call of `name` at import time runs the lambda's body.
            Stmt::Assign(a)
                if self.at_module_scope()
                    && a.value.is_lambda_expr()
                    && matches!(a.targets.as_slice(), [Expr::Name(_)]) =>
            {
                let lambda_scope = self.scopes.next_id();
                visitor::walk_stmt(self, stmt);
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.module_functions.insert(n.id.as_str(), lambda_scope);
                }
            }
            Stmt::ClassDef(c) => self.visit_class(c),
            Stmt::Global(g) => {
                for name in &g.names {
                    let n = name.as_str();
                    if self.tracked.contains(n) {
                        self.scopes[self.scope].globals.insert(n);
                        self.bindings
                            .push(n, name.range(), BindingKind::GlobalDeclaration);
                    }
                }
            }
            Stmt::Nonlocal(g) => {
                for name in &g.names {
                    let n = name.as_str();
                    if self.tracked.contains(n) {
                        self.scopes[self.scope].nonlocals.insert(n);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                // Module-level annotations are evaluated at import time before 3.14; annotations of local
                // variables are never evaluated: in a function they are uses that run no earlier than the
                // function (a type checker reads them there).
                let evaluated = self.at_module_scope() && !self.annotations_deferred;
                if self.scopes[self.scope].kind == ScopeKind::Function {
                    let saved = std::mem::replace(&mut self.in_annotation, true);
                    self.visit_expr(&a.annotation);
                    self.in_annotation = saved;
                } else {
                    self.visit_annotation_expr(&a.annotation, evaluated);
                }
                if let Some(value) = &a.value {
                    self.visit_expr(value);
                }
                self.visit_expr(&a.target);
            }
            Stmt::TypeAlias(t) => {
                // `type X = ...`: the value is evaluated lazily.
                self.visit_expr(&t.name);
                if let Some(params) = &t.type_params {
                    self.with_ctx(Ctx::Annotation, |w| w.visit_type_params(params));
                }
                self.with_ctx(Ctx::Annotation, |w| w.visit_expr(&t.value));
            }
            Stmt::If(s) => {
                self.visit_expr(&s.test);
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                let saved_depth = self.depth;
                self.depth += 1;
                if is_type_checking_test(&s.test) {
                    let saved = self.placement.in_type_checking;
                    self.placement.in_type_checking = Some(s.test.range());
                    self.with_ctx(Ctx::TypeChecking, |w| w.visit_body(&s.body));
                    self.placement.in_type_checking = saved;
                } else if is_main_test(&s.test)
                    && self.ctx == Ctx::ImportTime
                    && self.at_module_scope()
                {
                    let saved = std::mem::replace(&mut self.placement.in_main, true);
                    self.with_ctx(Ctx::Main, |w| w.visit_body(&s.body));
                    self.placement.in_main = saved;
                } else {
                    self.visit_body(&s.body);
                }
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            Stmt::Try(t) => {
                let saved = self.placement.in_try;
                self.placement.in_try.get_or_insert(t.range());
                let saved_depth = self.depth;
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth = saved_depth;
                self.placement.in_try = saved;
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_with_item(item);
                }
                let saved = self.placement.in_with;
                let header_end = w.items.last().map_or(w.range().start(), Ranged::end);
                self.placement
                    .in_with
                    .get_or_insert(TextRange::new(w.range().start(), header_end));
                let saved_depth = self.depth;
                self.depth += 1;
                // `with warnings.catch_warnings():` restores the filters when the block ends.
                let restores_filters = w.items.iter().any(|item| {
                    self.canonical(map_callable(&item.context_expr)) == "warnings.catch_warnings"
                });
                let saved_catch = self.in_catch_warnings;
                self.in_catch_warnings |= restores_filters;
                self.visit_body(&w.body);
                self.in_catch_warnings = saved_catch;
                self.depth = saved_depth;
                self.placement.in_with = saved;
            }
            // `for name in globals():` reads the names only.
            Stmt::For(f) if is_namespace_call(&f.iter, self.at_module_scope()) => {
                self.dynamic_access(None, f.iter.range(), DynamicKind::Keys);
                let saved_depth = self.depth;
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                self.depth += 1;
                self.visit_expr(&f.target);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::Match(_) => {
                let saved_depth = self.depth;
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let compound = matches!(
            stmt,
            Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::Match(_)
                | Stmt::Try(_)
                | Stmt::With(_)
        );
        if compound && self.placement.in_def_or_class.is_some() {
            let saved = self.placement.local_block.replace(stmt.range());
            self.visit_stmt_inner(stmt);
            self.placement.local_block = saved;
        } else {
            self.visit_stmt_inner(stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // The common expressions stay in this small function; the rest, with the dynamic-access checks, are in
        // `visit_other_expr` (half the walk's own instructions were this function's entry and exit when it held
        // everything).
        match expr {
            Expr::Name(n) => match n.ctx {
                ExprContext::Load => {
                    let name = n.id.as_str();
                    self.reference(name, n.range(), None);
                    self.note_special_name(name, expr);
                }
                ExprContext::Store | ExprContext::Del => self.bind(n.id.as_str(), n.range()),
                ExprContext::Invalid => {}
            },
            // `__dict__`, `f_globals`, `f_locals` and `__globals__` may be namespace reads (`note_dynamic`).
            Expr::Attribute(a)
                if !matches!(
                    a.attr.as_str(),
                    "__dict__" | "f_globals" | "f_locals" | "__globals__"
                ) =>
            {
                self.visit_attribute(expr, a);
            }
            Expr::StringLiteral(literal) => {
                if self.in_annotation {
                    self.visit_string_annotation(literal);
                }
            }
            Expr::NumberLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            _ => self.visit_other_expr(expr),
        }
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(type_) = &h.type_ {
            self.visit_expr(type_);
        }
        if let Some(name) = &h.name {
            self.bind(name.as_str(), name.range());
        }
        self.visit_body(&h.body);
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        match pattern {
            ast::Pattern::MatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str(), name.range());
                }
            }
            ast::Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str(), name.range());
                }
            }
            ast::Pattern::MatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind(name.as_str(), name.range());
                }
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }

    fn visit_alias(&mut self, _alias: &'a ast::Alias) {}
}
