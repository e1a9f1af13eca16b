//! Statements: the module body at import time, and the bodies of the functions it runs.

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet as HashSet;

use super::{Frame, Scanner, Stores, Target};
use crate::effects::{EagerImport, ExternalRef, RefUse};
use crate::index::{is_main_test, is_type_checking_test};

/// The module body at import time.
impl<'a> Scanner<'a> {
    pub(super) fn module_body(&mut self, body: &'a [Stmt]) {
        let mut frame = Frame::module();
        self.statements(body, &mut frame, true);
        self.summary.effects = frame.effects;
        self.summary.external = frame.external;
    }

    /// Walks statements that run: at module level (`module_level`: imports count as eager imports), or in a
    /// function body, or a class body.
    pub(super) fn statements(
        &mut self,
        body: &'a [Stmt],
        frame: &mut Frame<'a>,
        module_level: bool,
    ) {
        for stmt in body {
            self.statement(stmt, frame, module_level);
        }
    }

    pub(super) fn statement(&mut self, stmt: &'a Stmt, frame: &mut Frame<'a>, module_level: bool) {
        match stmt {
            Stmt::Import(i) if module_level && !i.is_lazy => {
                for alias in &i.names {
                    self.eager_import(alias.name.as_str(), false, alias.range());
                }
            }
            Stmt::ImportFrom(f) => {
                if module_level
                    && !f.is_lazy
                    && let Some(module) = self.resolve_relative(f.module.as_deref(), f.level)
                {
                    self.eager_import(&module, false, f.range());
                    for alias in &f.names {
                        if alias.name.as_str() != "*" {
                            self.eager_import(
                                &format!("{module}.{}", alias.name),
                                true,
                                alias.range(),
                            );
                        }
                    }
                }
            }
            Stmt::FunctionDef(f) => {
                for decorator in &f.decorator_list {
                    self.decorator(&decorator.expression, frame);
                }
                for p in f.parameters.iter_non_variadic_params() {
                    if let Some(default) = &p.default {
                        self.expr(default, frame);
                    }
                }
            }
            Stmt::ClassDef(c) => self.class(c, frame),
            Stmt::Assign(a) => {
                for target in &a.targets {
                    self.store(target, frame);
                }
                self.expr(&a.value, frame);
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.store(&a.target, frame);
                    self.expr(value, frame);
                }
            }
            Stmt::AugAssign(a) => {
                // `Cls.counter += 1` in a function: a counter the module keeps, not a registry.
                let counter = frame.in_function
                    && matches!(&*a.target, Expr::Attribute(_))
                    && matches!(self.target(&a.target, frame), Target::Own(_));
                if !counter {
                    self.store(&a.target, frame);
                }
                self.expr(&a.value, frame);
            }
            Stmt::Delete(d) => {
                for target in &d.targets {
                    self.store(target, frame);
                }
            }
            Stmt::Expr(e) => self.expr(&e.value, frame),
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.expr(value, frame);
                }
            }
            Stmt::If(s) => {
                if is_type_checking_test(&s.test) {
                    for clause in &s.elif_else_clauses {
                        self.statements(&clause.body, frame, module_level);
                    }
                    return;
                }
                // `if __name__ == "__main__":` does not run when the module is imported.
                if module_level && is_main_test(&s.test) {
                    return;
                }
                self.expr(&s.test, frame);
                frame.conditional += 1;
                self.statements(&s.body, frame, module_level);
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.expr(test, frame);
                    }
                    self.statements(&clause.body, frame, module_level);
                }
                frame.conditional -= 1;
            }
            Stmt::Try(t) => {
                self.statements(&t.body, frame, module_level);
                frame.conditional += 1;
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    self.statements(&h.body, frame, module_level);
                }
                self.statements(&t.orelse, frame, module_level);
                frame.conditional -= 1;
                self.statements(&t.finalbody, frame, module_level);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr, frame);
                }
                self.statements(&w.body, frame, module_level);
            }
            Stmt::For(f) => {
                self.expr(&f.iter, frame);
                self.statements(&f.body, frame, module_level);
                self.statements(&f.orelse, frame, module_level);
            }
            Stmt::While(w) => {
                self.expr(&w.test, frame);
                self.statements(&w.body, frame, module_level);
                self.statements(&w.orelse, frame, module_level);
            }
            Stmt::Match(m) => {
                self.expr(&m.subject, frame);
                for case in &m.cases {
                    self.statements(&case.body, frame, module_level);
                }
            }
            Stmt::Raise(r) => {
                if let Some(exc) = &r.exc {
                    self.expr(exc, frame);
                }
            }
            Stmt::Assert(a) => self.expr(&a.test, frame),
            Stmt::Global(g) if frame.in_function => {
                for name in &g.names {
                    frame.globals.insert(name.as_str());
                }
            }
            _ => {}
        }
    }

    pub(super) fn eager_import(&mut self, module: &str, maybe_submodule: bool, range: TextRange) {
        if self.lazy_modules.contains(module) {
            return;
        }
        let text = self.snippet(range);
        let text = if maybe_submodule || text.starts_with("import ") || text.starts_with("from ") {
            text
        } else {
            format!("import {text}")
        };
        let site = self.site(range, text);
        self.summary.imports.push(EagerImport {
            module: module.to_string(),
            maybe_submodule,
            site,
        });
    }

    pub(super) fn class(&mut self, c: &'a ast::StmtClassDef, frame: &mut Frame<'a>) {
        for decorator in &c.decorator_list {
            self.decorator(&decorator.expression, frame);
        }
        if let Some(arguments) = &c.arguments {
            for base in &arguments.args {
                self.expr(base, frame);
                self.class_reference(base, RefUse::Base, frame);
            }
            for keyword in &arguments.keywords {
                self.expr(&keyword.value, frame);
                if keyword
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "metaclass")
                {
                    self.class_reference(&keyword.value, RefUse::Metaclass, frame);
                }
            }
        }
        // The class body runs at once; its methods do not. A name the body binds (a method, an attribute) is the
        // class's own while the body runs: `def open(self): ...` then `open.alters_data = True` changes the
        // method, not the builtin.
        let mut bound: HashSet<&'a str> = HashSet::default();
        let mut stores = Stores { out: &mut bound };
        for stmt in &c.body {
            stores.visit_stmt(stmt);
        }
        let added: Vec<&'a str> = bound
            .into_iter()
            .filter(|name| frame.locals.insert(name))
            .collect();
        self.statements(&c.body, frame, false);
        for name in added {
            frame.locals.remove(name);
        }
    }

    /// A base class or metaclass from another module.
    pub(super) fn class_reference(&mut self, expr: &'a Expr, used: RefUse, frame: &mut Frame<'a>) {
        if let Target::Imported(q) = self.target(expr, frame)
            && !self.is_stdlib(&q)
            && let Some((module, name)) = q.rsplit_once('.')
        {
            let site = self.site(expr.range(), self.snippet(expr.range()));
            frame.add_external(ExternalRef {
                module: module.to_string(),
                name: name.to_string(),
                used,
                site,
                via: frame.via.clone(),
            });
        }
    }

    /// `@d` calls `d` with the function; `@d(args)` calls `d(args)` and then the result.
    pub(super) fn decorator(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) {
        if matches!(expr, Expr::Call(_)) {
            // The factory's call is judged like any call; what its result (an inner function) records is part
            // of the factory's summary (`CallableSummary::mutates` covers nested functions).
            self.expr(expr, frame);
        } else {
            let text = format!("@{}", self.snippet(expr.range()));
            self.callee(expr, expr.range(), text, None, frame);
        }
    }
}
