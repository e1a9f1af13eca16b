//! `def` and `class` statements: their scopes, decorators, bases and bodies.

use super::annotations::{TYPING_EVALUATING_BASES, TYPING_EVALUATING_DECORATORS};
use super::binding::Placement;
use super::call_graph::Callee;
use super::helpers::dotted;
use super::reference::Ctx;
use super::scope::ScopeKind;
use super::walker::Walker;
use ruff_python_ast::helpers::map_callable;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

impl<'a> Walker<'a> {
    pub(super) fn visit_function(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        class_scope: Option<&'a str>,
    ) {
        for decorator in &f.decorator_list {
            self.visit_expr(&decorator.expression);
            self.record_decorator_call(&decorator.expression);
        }
        // Defaults run when the `def` runs.
        for p in f.parameters.iter_non_variadic_params() {
            if let Some(default) = &p.default {
                self.visit_expr(default);
            }
        }
        // Parameter and return annotations: evaluated at `def` time unless deferred.
        let evaluated = !self.annotations_deferred;
        for p in &f.parameters {
            if let Some(annotation) = p.annotation() {
                self.visit_annotation_expr(annotation, evaluated);
            }
        }
        if let Some(returns) = &f.returns {
            self.visit_annotation_expr(returns, evaluated);
        }
        if let Some(params) = &f.type_params {
            self.with_ctx(Ctx::Annotation, |w| w.visit_type_params(params));
        }
        let name = f.name.as_str();
        self.bind(name, f.name.range());
        let module_level_def = self.at_module_scope();
        let enclosing = self.scope;
        let scope = self.push_scope(ScopeKind::Function);
        self.scopes[scope].def = Some(f);
        if module_level_def {
            self.module_functions.insert(name, scope);
        } else if self.scopes[enclosing].kind == ScopeKind::Function {
            // A nested `def` hides a module-level function of the same name from calls in its function.
            self.local_defs.insert((enclosing, name), scope);
        }
        if let Some(class_name) = class_scope {
            if matches!(name, "__init__" | "__new__" | "__post_init__") {
                self.module_classes
                    .entry(class_name)
                    .or_default()
                    .push(scope);
            }
            self.class_methods
                .entry(class_name)
                .or_default()
                .insert(name, scope);
        }
        // Parameters are local bindings.
        for p in &f.parameters {
            let pname = p.name().as_str();
            if self.tracked.contains(pname) {
                self.scopes[scope].bindings.insert(pname);
            }
        }
        let (saved_scope, saved_exec) = (self.scope, self.exec_scope);
        self.scope = scope;
        self.exec_scope = scope;
        let inner = Placement {
            in_def_or_class: Some(f.range()),
            local_block: None,
            ..self.placement.clone()
        };
        let saved_placement = std::mem::replace(&mut self.placement, inner);
        // Pre-declare `global`/`nonlocal` and local bindings so that uses before them resolve correctly.
        self.with_ctx(Ctx::Deferred, |w| {
            let saved_depth = w.depth;
            w.depth += 1;
            w.visit_body(&f.body);
            w.depth = saved_depth;
        });
        self.placement = saved_placement;
        self.scope = saved_scope;
        self.exec_scope = saved_exec;
    }

    pub(super) fn visit_class(&mut self, c: &'a ast::StmtClassDef) {
        for decorator in &c.decorator_list {
            self.visit_expr(&decorator.expression);
            self.record_decorator_call(&decorator.expression);
        }
        // A decorator this file defines itself (`def define(cls): ...`) is not the library one of that name.
        let mut evaluating = c.decorator_list.iter().any(|d| {
            let name = dotted(map_callable(&d.expression));
            let root = name.split('.').next().unwrap_or_default();
            TYPING_EVALUATING_DECORATORS.contains(&name.as_str()) && !self.callables.contains(root)
        });
        // Type-parameter bounds, constraints and defaults (PEP 695) are evaluated lazily, when read.
        if let Some(params) = &c.type_params {
            self.with_ctx(Ctx::Annotation, |w| w.visit_type_params(params));
        }
        if let Some(arguments) = &c.arguments {
            for base in &arguments.args {
                self.visit_expr(base);
                // Defining a subclass runs the base's `__init_subclass__`.
                if let Expr::Name(n) = base {
                    self.note_call(
                        Callee::Method(n.id.as_str(), "__init_subclass__"),
                        c.range(),
                    );
                }
                let name = dotted(map_callable(base));
                let last = name.rsplit('.').next().unwrap_or_default();
                // `NamedTuple`, `TypedDict`, `BaseModel`, ... and classes of this module built on them (a class of
                // this module that only shares such a name is not one of them).
                let own_class =
                    matches!(base, Expr::Name(n) if self.callables.contains(n.id.as_str()));
                if (TYPING_EVALUATING_BASES.contains(&last) && !own_class)
                    || self.evaluating_classes.contains(name.as_str())
                {
                    evaluating = true;
                }
            }
            for keyword in &arguments.keywords {
                self.visit_expr(&keyword.value);
                if keyword
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "metaclass")
                {
                    evaluating = true;
                    // The metaclass builds the class.
                    if let Expr::Name(n) = &keyword.value {
                        for method in ["__new__", "__init__", "__prepare__"] {
                            self.note_call(Callee::Method(n.id.as_str(), method), c.range());
                        }
                    }
                }
            }
        }
        let name = c.name.as_str();
        let module_level = self.at_module_scope();
        if evaluating && module_level {
            self.evaluating_classes.insert(name);
        }
        let scope = self.push_scope(ScopeKind::Class);
        let saved_scope = self.scope;
        self.scope = scope;
        let inner = Placement {
            in_def_or_class: Some(c.range()),
            local_block: None,
            ..self.placement.clone()
        };
        let saved_placement = std::mem::replace(&mut self.placement, inner);
        let saved_depth = self.depth;
        self.depth += 1;
        for stmt in &c.body {
            match stmt {
                Stmt::AnnAssign(a) => {
                    // Class-level annotations: evaluated at class creation before 3.14, and by dataclass-like
                    // machinery on every version.
                    let evaluated = evaluating || !self.annotations_deferred;
                    self.visit_annotation_expr_by(&a.annotation, evaluated, evaluating);
                    if let Some(value) = &a.value {
                        self.visit_expr(value);
                    }
                    self.visit_target(&a.target);
                }
                Stmt::FunctionDef(f) => {
                    self.visit_function(f, module_level.then_some(name));
                }
                other => self.visit_stmt(other),
            }
        }
        self.depth = saved_depth;
        self.placement = saved_placement;
        self.scope = saved_scope;
        self.bind(name, c.name.range());
    }
}
