//! Module-level bindings, collected before anything is judged (functions can be called before their text).

use ruff_python_ast::{self as ast, Expr, Stmt};

use super::{Frame, Scanner, Target};
use crate::index::is_type_checking_test;

/// Module-level bindings, before anything is judged: functions can be called before their text.
impl<'a> Scanner<'a> {
    pub(super) fn collect_bindings(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import(_) => {
                    for (bound, target) in self.import_aliases(stmt) {
                        self.aliases.insert(bound, target);
                        self.module_names.insert(bound);
                        self.plain_imports.insert(bound);
                    }
                }
                Stmt::ImportFrom(_) => {
                    for (bound, target) in self.import_aliases(stmt) {
                        self.summary
                            .reexports
                            .insert(bound.to_string(), target.clone());
                        self.aliases.insert(bound, target);
                        self.module_names.insert(bound);
                    }
                }
                Stmt::FunctionDef(f) => {
                    self.functions.insert(f.name.as_str(), f);
                    self.module_names.insert(f.name.as_str());
                    self.aliases.remove(f.name.as_str());
                }
                Stmt::ClassDef(c) => {
                    self.classes.insert(c.name.as_str(), c);
                    self.module_names.insert(c.name.as_str());
                    self.aliases.remove(c.name.as_str());
                }
                Stmt::Assign(a) => {
                    for target in &a.targets {
                        self.bind_target(target);
                    }
                    if let [Expr::Name(n)] = a.targets.as_slice() {
                        if n.id.as_str() == "__lazy_modules__" {
                            self.note_lazy_modules(&a.value);
                        }
                        self.note_object(n.id.as_str(), &a.value);
                    }
                }
                Stmt::AnnAssign(a) => {
                    self.bind_target(&a.target);
                    if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                        self.note_object(n.id.as_str(), value);
                    }
                }
                Stmt::AugAssign(a) => self.bind_target(&a.target),
                Stmt::If(s) => {
                    if !is_type_checking_test(&s.test) {
                        self.collect_bindings(&s.body);
                    }
                    for clause in &s.elif_else_clauses {
                        self.collect_bindings(&clause.body);
                    }
                }
                Stmt::Try(t) => {
                    self.collect_bindings(&t.body);
                    for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                        self.collect_bindings(&h.body);
                    }
                    self.collect_bindings(&t.orelse);
                    self.collect_bindings(&t.finalbody);
                }
                Stmt::With(w) => self.collect_bindings(&w.body),
                Stmt::For(f) => {
                    self.bind_target(&f.target);
                    self.collect_bindings(&f.body);
                    self.collect_bindings(&f.orelse);
                }
                Stmt::While(w) => {
                    self.collect_bindings(&w.body);
                    self.collect_bindings(&w.orelse);
                }
                _ => {}
            }
        }
    }

    pub(super) fn bind_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(n) => {
                self.module_names.insert(n.id.as_str());
                self.aliases.remove(n.id.as_str());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::Starred(s) => self.bind_target(&s.value),
            _ => {}
        }
    }

    pub(super) fn note_lazy_modules(&mut self, value: &Expr) {
        let elts = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::Set(s) => &s.elts,
            _ => return,
        };
        for e in elts {
            if let Expr::StringLiteral(s) = e {
                self.lazy_modules.insert(s.value.to_str().to_string());
            }
        }
    }

    /// `log = logging.getLogger(...)`, `t = threading.Thread(...)`.
    pub(super) fn note_object(&mut self, name: &'a str, value: &'a Expr) {
        let Expr::Call(call) = value else { return };
        let frame = Frame::module();
        match self.target(&call.func, &frame) {
            Target::Imported(q) if q == "logging.getLogger" => {
                let own = self.is_own_logger(call);
                self.loggers.insert(name, own);
            }
            Target::Imported(q) if is_thread_constructor(&q) => {
                self.threads.insert(name);
            }
            _ => {}
        }
    }

    /// `getLogger(__name__)` or `getLogger("<this module>...")`.
    pub(super) fn is_own_logger(&self, call: &ast::ExprCall) -> bool {
        match call.arguments.args.first() {
            Some(Expr::Name(n)) => n.id.as_str() == "__name__",
            Some(Expr::StringLiteral(s)) => {
                let name = s.value.to_str();
                let own = self.file.module_name.as_deref().unwrap_or_default();
                let top = own.split('.').next().unwrap_or_default();
                name == own
                    || name.starts_with(&format!("{own}."))
                    || (!top.is_empty() && (name == top || name.starts_with(&format!("{top}."))))
            }
            _ => false,
        }
    }
}

pub(super) fn is_thread_constructor(qualified: &str) -> bool {
    matches!(
        qualified,
        "threading.Thread" | "threading.Timer" | "multiprocessing.Process"
    ) || qualified.starts_with("multiprocessing.")
}
