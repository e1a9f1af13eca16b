//! The module's `__all__` and `__lazy_modules__`, and the header a `__lazy_modules__` list goes after.

use super::walker::Walker;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// How the module defines `__lazy_modules__`.
#[derive(Clone, Debug)]
pub(crate) enum LazyModulesDef {
    /// `__lazy_modules__ = [..]` / `(..)` / `{..}` of string literals, bound once at module level.
    Literal {
        stmt: TextRange,
        /// The container expression.
        value: TextRange,
        entries: Vec<String>,
        /// Range of the last element, if any.
        last_elt: Option<TextRange>,
    },
    /// A string: a substring test (`pep810.md` case 11).
    Str { stmt: TextRange },
    /// `None`, a number, a bool: every later import raises `TypeError` on 3.15 (case 12).
    NotContainer { stmt: TextRange },
    /// Anything else (computed, imported, changed later) (case 10).
    Opaque { stmt: TextRange },
}

/// The last statement of the module header: docstring, then `from __future__` imports.
pub(super) fn header_end(body: &[Stmt]) -> Option<TextRange> {
    let mut end = None;
    for (i, stmt) in body.iter().enumerate() {
        match stmt {
            Stmt::Expr(e) if i == 0 && e.value.is_string_literal_expr() => end = Some(stmt.range()),
            Stmt::ImportFrom(f) if f.module.as_deref() == Some("__future__") => {
                end = Some(stmt.range());
            }
            _ => break,
        }
    }
    end
}

impl<'a> Walker<'a> {
    pub(super) fn note_all_and_lazy_modules(&mut self, stmt: &'a Stmt) {
        if !self.at_module_scope() {
            return;
        }
        match stmt {
            Stmt::Assign(a) => {
                for target in &a.targets {
                    if let Expr::Name(n) = target {
                        if n.id.as_str() == "__all__" {
                            self.has_all = true;
                            self.add_all_entries(&a.value);
                        } else if n.id.as_str() == "__lazy_modules__" {
                            self.lazy_modules
                                .push(classify_lazy_modules(stmt.range(), &a.value));
                        }
                    } else if binds_lazy_modules(target) {
                        // `__lazy_modules__, x = [...], 1`: bound by unpacking, which lazify cannot extend.
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                    if n.id.as_str() == "__all__" {
                        self.has_all = true;
                        self.add_all_entries(value);
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(classify_lazy_modules(stmt.range(), value));
                    }
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    if n.id.as_str() == "__all__" {
                        self.add_all_entries(&a.value);
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = &*e.value
                    && let Expr::Attribute(attr) = &*call.func
                    && let Expr::Name(n) = &*attr.value
                {
                    if n.id.as_str() == "__all__" {
                        for arg in &call.arguments.args {
                            if attr.attr.as_str() == "append" {
                                if let Expr::StringLiteral(s) = arg {
                                    self.all_names.insert(s.value.to_str());
                                }
                            } else {
                                self.add_all_entries(arg);
                            }
                        }
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn add_all_entries(&mut self, value: &'a Expr) {
        let elts: &[Expr] = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::BinOp(b) => {
                self.add_all_entries(&b.left);
                self.add_all_entries(&b.right);
                return;
            }
            _ => return,
        };
        for elt in elts {
            if let Expr::StringLiteral(s) = elt {
                self.all_names.insert(s.value.to_str());
            }
        }
    }
}

/// Whether an unpacking target (`a, __lazy_modules__ = ...`, `[*__lazy_modules__] = ...`) binds `__lazy_modules__`.
pub(super) fn binds_lazy_modules(target: &Expr) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == "__lazy_modules__",
        Expr::Tuple(t) => t.elts.iter().any(binds_lazy_modules),
        Expr::List(l) => l.elts.iter().any(binds_lazy_modules),
        Expr::Starred(s) => binds_lazy_modules(&s.value),
        _ => false,
    }
}

pub(super) fn classify_lazy_modules(stmt: TextRange, value: &Expr) -> LazyModulesDef {
    let (elts, is_tuple_without_parens): (&[Expr], bool) = match value {
        Expr::List(l) => (&l.elts, false),
        Expr::Set(s) => (&s.elts, false),
        Expr::Tuple(t) => (&t.elts, !t.parenthesized),
        Expr::StringLiteral(_) => return LazyModulesDef::Str { stmt },
        Expr::NoneLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) => {
            return LazyModulesDef::NotContainer { stmt };
        }
        _ => return LazyModulesDef::Opaque { stmt },
    };
    let mut entries = Vec::with_capacity(elts.len());
    for elt in elts {
        match elt {
            Expr::StringLiteral(s) => entries.push(s.value.to_str().to_string()),
            _ => return LazyModulesDef::Opaque { stmt },
        }
    }
    if is_tuple_without_parens {
        return LazyModulesDef::Opaque { stmt };
    }
    LazyModulesDef::Literal {
        stmt,
        value: value.range(),
        entries,
        last_elt: elts.last().map(Ranged::range),
    }
}
