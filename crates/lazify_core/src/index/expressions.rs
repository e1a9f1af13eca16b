//! The walk over expressions other than plain names: attributes, calls, comprehensions.

use super::call_graph::Callee;
use super::dynamic::{DynamicKind, is_namespace_call};
use super::helpers::dotted;
use super::reference::{Ctx, Reference};
use super::scope::{ScopeId, ScopeKind};
use super::walker::Walker;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext};
use ruff_text_size::{Ranged, TextRange};

impl<'a> Walker<'a> {
    /// `name.attr` reads `name`, with the attribute read right after it; any other attribute's value is walked.
    #[inline]
    pub(super) fn visit_attribute(&mut self, expr: &'a Expr, a: &'a ast::ExprAttribute) {
        match &*a.value {
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                let name = n.id.as_str();
                if self.is_module_alias(name) {
                    // `this.x`: an attribute of the module object, which reads the global `x`.
                    self.module_object_read(a.attr.as_str(), expr.range());
                    return;
                }
                self.reference(name, n.range(), Some(a.attr.as_str()));
                self.note_special_name(name, &a.value);
            }
            // `a.b.c`: the name with every attribute read after it.
            Expr::Attribute(inner) => {
                let mut first = inner;
                while let Expr::Attribute(deeper) = &*first.value {
                    first = deeper;
                }
                if let Expr::Name(n) = &*first.value
                    && n.ctx == ExprContext::Load
                    && let Some(id) = self.tracked.id(n.id.as_str())
                {
                    self.raw_refs[id].push(Reference {
                        name: self.tracked.names[id],
                        range: n.range(),
                        ctx: self.ctx,
                        scope: self.scope,
                        exec_scope: self.exec_scope,
                        attr: Some(first.attr.as_str()),
                        chain: Some(a),
                        binding_scope: ScopeId::MODULE,
                    });
                } else {
                    visitor::walk_expr(self, expr);
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    /// `this.x` or `getattr(this, "x")` on the module object: a read of the global `x` where it runs (a lazy
    /// binding resolves), which a name moved into a function would miss.
    pub(super) fn module_object_read(&mut self, key: &'a str, range: TextRange) {
        self.dynamic_access(Some(key), range, DynamicKind::ModuleObject);
        if let Some(id) = self.tracked.id(key) {
            self.record_reference(id, self.tracked.names[id], range, self.ctx, None);
        }
    }

    /// A read of a name that is more than a reference: the module object under another name escapes (any of
    /// its names may be read), and a module-level generator may be iterated.
    #[inline]
    pub(super) fn note_special_name(&mut self, name: &'a str, expr: &'a Expr) {
        if self.is_module_alias(name) {
            self.dynamic_access(None, expr.range(), DynamicKind::Dict);
        }
        if !self.generator_names.is_empty() && self.generator_names.contains(name) {
            self.note_call(Callee::Name(name), expr.range());
        }
    }

    /// Every expression `visit_expr` does not handle itself.
    #[inline(never)]
    pub(super) fn visit_other_expr(&mut self, expr: &'a Expr) {
        if self.note_dynamic(expr) {
            return;
        }
        match expr {
            Expr::Attribute(a) => self.visit_attribute(expr, a),
            Expr::Call(call) => {
                if let Expr::Name(n) = &*call.func
                    && matches!(n.id.as_str(), "locals" | "vars" | "dir")
                    && call.arguments.args.is_empty()
                    && call.arguments.keywords.is_empty()
                    && !self.exec_scope.is_module()
                {
                    self.scopes[self.exec_scope]
                        .reads_locals
                        .get_or_insert(expr.range());
                }
                let callee = match &*call.func {
                    Expr::Name(n) => Some(Callee::Name(n.id.as_str())),
                    // `C.m(...)` and `C(...).m(...)`.
                    Expr::Attribute(attr) => match &*attr.value {
                        Expr::Name(n) => Some(Callee::Method(n.id.as_str(), attr.attr.as_str())),
                        Expr::Call(inner) => match &*inner.func {
                            Expr::Name(n) => {
                                Some(Callee::Method(n.id.as_str(), attr.attr.as_str()))
                            }
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(callee) = callee {
                    self.note_call(callee, expr.range());
                    self.call_arguments.insert(expr.range(), &call.arguments);
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for p in parameters.iter_non_variadic_params() {
                        if let Some(default) = &p.default {
                            self.visit_expr(default);
                        }
                    }
                }
                let scope = self.push_scope(ScopeKind::Function);
                if let Some(parameters) = &lambda.parameters {
                    for p in parameters {
                        let pname = p.name().as_str();
                        if self.tracked.contains(pname) {
                            self.scopes[scope].bindings.insert(pname);
                        }
                    }
                }
                let (saved_scope, saved_exec) = (self.scope, self.exec_scope);
                self.scope = scope;
                self.exec_scope = scope;
                self.with_ctx(Ctx::Deferred, |w| w.visit_expr(&lambda.body));
                self.scope = saved_scope;
                self.exec_scope = saved_exec;
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                self.visit_comprehension(expr, false);
            }
            Expr::Named(named) => {
                // The walrus target binds in the nearest enclosing non-comprehension scope.
                self.visit_expr(&named.value);
                if let Expr::Name(n) = &*named.target {
                    let saved = self.scope;
                    while self.scopes[self.scope].kind == ScopeKind::Comprehension {
                        self.scope = self.scopes[self.scope].parent.unwrap_or(ScopeId::MODULE);
                    }
                    self.bind(n.id.as_str(), n.range());
                    self.scope = saved;
                }
            }
            Expr::Subscript(sub)
                if self.in_annotation && dotted(&sub.value).ends_with("Literal") =>
            {
                // `Literal["json"]` holds values, not forward references.
                self.visit_expr(&sub.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl<'a> Walker<'a> {
    /// A comprehension: the first iterable runs in the enclosing scope, the rest in the comprehension's own.
    /// `deferred`: a generator bound to a module-level name, whose body runs only when something iterates it
    /// (a read of the name counts as a call, see [`Self::note_special_name`]); its scope is then an execution
    /// scope of its own.
    pub(super) fn visit_comprehension(&mut self, expr: &'a Expr, deferred: bool) -> ScopeId {
        let (generators, elts): (&'a [ast::Comprehension], Vec<&'a Expr>) = match expr {
            Expr::ListComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::SetComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::Generator(c) => (&c.generators, vec![&*c.elt]),
            Expr::DictComp(c) => (
                &c.generators,
                c.key.iter().map(|k| &**k).chain([&*c.value]).collect(),
            ),
            _ => return self.scope,
        };
        // The first iterable is evaluated in the enclosing scope; `for k in globals()` reads names only.
        if let Some(first) = generators.first() {
            if is_namespace_call(&first.iter, self.at_module_scope()) {
                self.dynamic_access(None, first.iter.range(), DynamicKind::Keys);
            } else {
                self.visit_expr(&first.iter);
            }
        }
        let scope = self.push_scope(ScopeKind::Comprehension);
        let (saved_scope, saved_exec) = (self.scope, self.exec_scope);
        self.scope = scope;
        let body = |w: &mut Self| {
            for (i, generator) in generators.iter().enumerate() {
                w.visit_expr(&generator.target);
                if i > 0 {
                    w.visit_expr(&generator.iter);
                }
                for cond in &generator.ifs {
                    w.visit_expr(cond);
                }
            }
            for elt in elts {
                w.visit_expr(elt);
            }
        };
        if deferred {
            self.exec_scope = scope;
            self.with_ctx(Ctx::Deferred, body);
        } else {
            body(self);
        }
        self.scope = saved_scope;
        self.exec_scope = saved_exec;
        scope
    }
}
