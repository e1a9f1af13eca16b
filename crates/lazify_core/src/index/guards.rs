//! A cheap path-sensitive check for reads in functions that run at import time: a read under a guard on a
//! parameter that defaults to `None` (`None if meta is None else dumps(meta)`, `if meta is not None: ...`,
//! `if meta: ...`, `meta and dumps(meta)`) does not run when every call made at import time leaves that parameter
//! out. rich's `NULL_STYLE = Style()` runs `Style.__init__`, whose `dumps(meta)` is such a read.
//!
//! Only the function the read sits in is looked at (not the functions it calls), only guards on its own
//! parameters that nothing in it rebinds, and only calls whose arguments can be matched to its parameters.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap as HashMap;

use super::call_graph::{Callee, ImportTimeCall};
use super::reference::Ctx;
use super::scope::ScopeId;
use super::walker::Walker;

impl Walker<'_> {
    /// Whether the read at `read` in function `scope` is skipped by every call that makes the function run at
    /// import time (`marked`: the functions that run then).
    pub(super) fn guarded_off(
        &self,
        scope: ScopeId,
        read: TextRange,
        marked: &HashMap<ScopeId, ImportTimeCall>,
    ) -> bool {
        let Some(def) = self.scopes[scope].def else {
            return false;
        };
        let guards = guards_of(&def.body, read);
        if guards.is_empty() {
            return false;
        }
        guards.iter().any(|name| {
            let Some((position, keyword_only)) = none_default_parameter(def, name) else {
                return false;
            };
            if rebinds(&def.body, name) {
                return false;
            }
            // Every call that runs the function at import time must leave the parameter out.
            self.calls
                .iter()
                .filter(|(caller, _, _, ctx, _)| {
                    (caller.is_module() && *ctx == Ctx::ImportTime)
                        || (marked.contains_key(caller) && *ctx == Ctx::Deferred)
                })
                .filter(|(_, callee, _, _, lexical)| {
                    self.call_targets(callee, *lexical).contains(&scope)
                })
                .all(|(_, callee, range, _, _)| {
                    let Some(arguments) = self.call_arguments.get(range) else {
                        return false;
                    };
                    // A class called by name runs `__init__`/`__new__` with the instance (or class) first.
                    let skipped = match callee {
                        Callee::Name(name) if self.module_classes.contains_key(name) => 1,
                        Callee::Name(_) => 0,
                        // `C.m(...)`: static, class or instance method, which cannot be told here.
                        Callee::Method(..) if keyword_only => 0,
                        Callee::Method(..) => return false,
                    };
                    leaves_out(arguments, name, position, skipped, keyword_only)
                })
        })
    }
}

/// Where the parameter `name` of `def` can be passed (its position among the positional parameters, and
/// whether it is keyword-only), when its default is the literal `None`.
fn none_default_parameter(def: &ast::StmtFunctionDef, name: &str) -> Option<(usize, bool)> {
    let parameters = &def.parameters;
    let positional = parameters.posonlyargs.iter().chain(&parameters.args);
    for (position, p) in positional.enumerate() {
        if p.parameter.name.as_str() == name {
            return p
                .default
                .as_deref()
                .is_some_and(Expr::is_none_literal_expr)
                .then_some((position, false));
        }
    }
    parameters
        .kwonlyargs
        .iter()
        .find(|p| p.parameter.name.as_str() == name)
        .and_then(|p| {
            p.default
                .as_deref()
                .is_some_and(Expr::is_none_literal_expr)
                .then_some((0, true))
        })
}

/// Whether a call with `arguments` leaves out the parameter `name`: no keyword for it, no `**mapping`, and (unless
/// it is keyword-only) fewer positional arguments, none of them `*starred`, than reach its `position` (`skipped`
/// leading parameters are bound by the call itself: `self`, `cls`).
fn leaves_out(
    arguments: &ast::Arguments,
    name: &str,
    position: usize,
    skipped: usize,
    keyword_only: bool,
) -> bool {
    if arguments
        .keywords
        .iter()
        .any(|k| k.arg.as_ref().is_none_or(|a| a.as_str() == name))
    {
        return false;
    }
    if keyword_only {
        return true;
    }
    if arguments.args.iter().any(Expr::is_starred_expr) {
        return false;
    }
    arguments.args.len() + skipped <= position
}

/// The parameters whose being `None` skips the read at `read`: the names `n` of the guards on the way to it
/// that run it only when `n` is not `None` (or truthy).
fn guards_of(body: &[Stmt], read: TextRange) -> Vec<String> {
    let mut finder = Guards {
        read,
        stack: Vec::new(),
        found: None,
    };
    finder.visit_body(body);
    finder.found.unwrap_or_default()
}

struct Guards {
    read: TextRange,
    stack: Vec<String>,
    found: Option<Vec<String>>,
}

impl Guards {
    fn holds(&self, range: TextRange) -> bool {
        self.found.is_none() && range.contains_range(self.read)
    }

    fn guarded<T>(&mut self, name: Option<String>, f: impl FnOnce(&mut Self) -> T) -> T {
        let pushed = name.is_some();
        if let Some(name) = name {
            self.stack.push(name);
        }
        let out = f(self);
        if pushed {
            self.stack.pop();
        }
        out
    }
}

/// For a test, the name it requires to be not `None` when true (`n`, `n is not None`), and the one it requires
/// when false (`n is None`, `not n`).
fn tested(test: &Expr) -> (Option<String>, Option<String>) {
    match test {
        Expr::Name(n) => (Some(n.id.to_string()), None),
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
            let (when_true, when_false) = tested(&u.operand);
            (when_false, when_true)
        }
        Expr::Compare(c) if c.comparators.len() == 1 && c.comparators[0].is_none_literal_expr() => {
            let Expr::Name(n) = &*c.left else {
                return (None, None);
            };
            match c.ops[0] {
                CmpOp::IsNot => (Some(n.id.to_string()), None),
                CmpOp::Is => (None, Some(n.id.to_string())),
                _ => (None, None),
            }
        }
        _ => (None, None),
    }
}

impl<'a> Visitor<'a> for Guards {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.holds(stmt.range()) {
            return;
        }
        match stmt {
            // A nested function or class runs on its own terms: a read there is not this function's.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If(s) => {
                let (when_true, when_false) = tested(&s.test);
                self.visit_expr(&s.test);
                self.guarded(when_true, |g| g.visit_body(&s.body));
                for clause in &s.elif_else_clauses {
                    // Each later clause runs only when the first test was false.
                    self.guarded(when_false.clone(), |g| {
                        if let Some(test) = &clause.test {
                            g.visit_expr(test);
                        }
                        g.visit_body(&clause.body);
                    });
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.holds(expr.range()) {
            return;
        }
        if expr.range() == self.read {
            self.found = Some(self.stack.clone());
            return;
        }
        match expr {
            Expr::Lambda(_) => {}
            Expr::If(e) => {
                let (when_true, when_false) = tested(&e.test);
                self.visit_expr(&e.test);
                self.guarded(when_true, |g| g.visit_expr(&e.body));
                self.guarded(when_false, |g| g.visit_expr(&e.orelse));
            }
            Expr::BoolOp(b) if b.op == ast::BoolOp::And => {
                // `a and b and c`: each value runs only when the ones before were true.
                let mut required = Vec::new();
                for value in &b.values {
                    let depth = self.stack.len();
                    self.stack.extend(required.iter().cloned());
                    self.visit_expr(value);
                    self.stack.truncate(depth);
                    if let (Some(name), _) = tested(value) {
                        required.push(name);
                    }
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Whether anything in `body` binds `name` again (which would defeat a guard on the parameter).
fn rebinds(body: &[Stmt], name: &str) -> bool {
    let mut finder = Rebinds { name, found: false };
    finder.visit_body(body);
    finder.found
}

struct Rebinds<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for Rebinds<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) if f.name.as_str() == self.name => self.found = true,
            Stmt::ClassDef(c) if c.name.as_str() == self.name => self.found = true,
            Stmt::Import(ast::StmtImport { names, .. })
            | Stmt::ImportFrom(ast::StmtImportFrom { names, .. })
                if names.iter().any(|a| {
                    a.asname
                        .as_ref()
                        .unwrap_or(&a.name)
                        .as_str()
                        .split('.')
                        .next()
                        == Some(self.name)
                }) =>
            {
                self.found = true;
            }
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if names.iter().any(|n| n.as_str() == self.name) =>
            {
                self.found = true;
            }
            Stmt::Try(t)
                if t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    h.name.as_ref().is_some_and(|n| n.as_str() == self.name)
                }) =>
            {
                self.found = true;
            }
            // A match statement can capture into the name; not worth telling apart.
            Stmt::Match(_) => self.found = true,
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(n) = expr
            && n.id.as_str() == self.name
            && n.ctx != ExprContext::Load
        {
            self.found = true;
        }
        visitor::walk_expr(self, expr);
    }
}
