//! Expressions: reads, stores and mutations, and the summaries of the module's own functions.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet as HashSet;

use super::{
    Frame, Scanner, Target, function_locals, is_metaclass, is_name_chain, method, nested_functions,
};
use crate::effects::{CallableSummary, Effect, EffectKind};

/// Expressions.
impl<'a> Scanner<'a> {
    pub(super) fn expr(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) {
        let mut walker = ExprWalker {
            scanner: self,
            frame,
        };
        walker.visit_expr(expr);
    }

    /// An effect of `kind` at `range`.
    pub(super) fn effect(
        &self,
        kind: EffectKind,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        self.effect_on(kind, None, range, text, frame);
    }

    /// An effect of `kind` at `range` that changes `changes` (another module, for `other-module`).
    pub(super) fn effect_on(
        &self,
        kind: EffectKind,
        changes: Option<String>,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let site = self.site(range, text);
        frame.effects.push(Effect {
            kind,
            site,
            via: frame.via.clone(),
            changes,
        });
    }

    pub(super) fn mutation(&self, range: TextRange, frame: &mut Frame<'a>) {
        if frame.mutates.is_none() {
            frame.mutates = Some(self.site(range, self.snippet(range)));
        }
    }

    /// A store to `target` (assignment, `del`, augmented assignment).
    pub(super) fn store(&mut self, target: &'a Expr, frame: &mut Frame<'a>) {
        match target {
            Expr::Name(n) if frame.in_function && frame.globals.contains(n.id.as_str()) => {
                self.mutation(target.range(), frame);
            }
            Expr::Attribute(a) => {
                if !is_name_chain(&a.value) {
                    self.expr(&a.value, frame);
                }
                self.store_into(&a.value, target, true, frame);
            }
            Expr::Subscript(s) => {
                if !is_name_chain(&s.value) {
                    self.expr(&s.value, frame);
                }
                self.expr(&s.slice, frame);
                self.store_into(&s.value, target, false, frame);
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.store(e, frame)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.store(e, frame)),
            Expr::Starred(s) => self.store(&s.value, frame),
            _ => {}
        }
    }

    /// `owner.attr = x` (`attribute`) or `owner[k] = x`.
    pub(super) fn store_into(
        &mut self,
        owner: &'a Expr,
        target: &'a Expr,
        attribute: bool,
        frame: &mut Frame<'a>,
    ) {
        let text = self.snippet(target.range());
        let whole = if attribute {
            self.target(target, frame)
        } else {
            self.target(owner, frame)
        };
        // `sys.modules[__name__] = replacement`: the module replaces its own entry, which no other code can
        // reach before importing it.
        if let (Target::Imported(q), Expr::Subscript(sub)) = (&whole, target)
            && q == "sys.modules"
            && matches!(&*sub.slice, Expr::Name(n) if n.id.as_str() == "__name__")
        {
            return;
        }
        match whole {
            Target::Imported(q) => {
                let kind = self
                    .table
                    .attribute(&q)
                    .or({
                        // `os.environ[k] = v`, `sys.modules[k] = m`: the owner is listed.
                        if attribute {
                            None
                        } else {
                            match q.as_str() {
                                "os.environ" | "sys.modules" | "sys.path_importer_cache" => {
                                    Some(EffectKind::ProcessState)
                                }
                                _ => None,
                            }
                        }
                    })
                    .unwrap_or(EffectKind::OtherModule);
                let changes = if kind == EffectKind::OtherModule {
                    Some(if attribute {
                        q.rsplit_once('.')
                            .map_or(q.clone(), |(owner, _)| owner.to_string())
                    } else {
                        q.clone()
                    })
                } else {
                    // `sys.modules["name"] = m`: what changes is module `name` (the oracle discounts a private
                    // alias that nothing imports and no module of that name exists for).
                    match target {
                        Expr::Subscript(sub) if q == "sys.modules" => match &*sub.slice {
                            Expr::StringLiteral(name) if !name.value.to_str().is_empty() => {
                                Some(name.value.to_str().to_string())
                            }
                            _ => None,
                        },
                        _ => None,
                    }
                };
                self.effect_on(kind, changes, target.range(), text, frame);
            }
            Target::Own(_) if frame.in_function => self.mutation(target.range(), frame),
            _ => {}
        }
    }

    pub(super) fn own_function(&mut self, f: &'a ast::StmtFunctionDef) -> CallableSummary {
        let name = f.name.as_str();
        if let Some(done) = self.memo.borrow().get(name) {
            return done.clone();
        }
        if !self.in_progress.borrow_mut().insert(name) {
            return CallableSummary::default();
        }
        let summary = self.function_summary(f, None);
        self.in_progress.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name, summary.clone());
        summary
    }

    /// What calling `f` does: its body's effects (own calls followed), its mutations of module-level state
    /// (its nested functions' too: a decorator factory records in its inner function), its calls into other
    /// modules.
    pub(super) fn function_summary(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        class_hook: Option<&str>,
    ) -> CallableSummary {
        let key = (f.range.start(), class_hook.is_some());
        if let Some(done) = self.walked.borrow().get(&key) {
            return done.clone();
        }
        if !self.walking.borrow_mut().insert(key) {
            return CallableSummary::default();
        }
        let summary = self.walk_function(f, class_hook);
        self.walking.borrow_mut().remove(&key);
        self.walked.borrow_mut().insert(key, summary.clone());
        summary
    }

    /// [`Scanner::function_summary`], uncached.
    fn walk_function(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        class_hook: Option<&str>,
    ) -> CallableSummary {
        let mut locals = function_locals(f);
        let mut state_roots = HashSet::default();
        if class_hook.is_some()
            && let Some(first) = f.parameters.iter().next()
        {
            locals.remove(first.name().as_str());
            state_roots.insert(first.name().as_str());
        }
        let local_aliases = self.function_imports(&f.body);
        let mut frame = Frame {
            locals,
            local_aliases,
            state_roots,
            globals: HashSet::default(),
            in_function: true,
            effects: Vec::new(),
            external: Vec::new(),
            mutates: None,
            via: Vec::new(),
            conditional: 0,
        };
        for stmt in &f.body {
            if let Stmt::Global(g) = stmt {
                for name in &g.names {
                    frame.globals.insert(name.as_str());
                    frame.locals.remove(name.as_str());
                }
            }
        }
        self.statements(&f.body, &mut frame, false);
        // Nested functions (a decorator's inner function, a closure) run later, but what they record is
        // recorded into this module.
        if frame.mutates.is_none() {
            for nested in nested_functions(&f.body) {
                let inner = self.function_summary(nested, None);
                if let Some(m) = inner.mutates {
                    frame.mutates = Some(m);
                    break;
                }
            }
        }
        CallableSummary {
            effect: frame.effects.into_iter().next(),
            mutates: frame.mutates,
            external: frame.external,
        }
    }

    /// After the body: what other modules see of the functions and classes.
    pub(super) fn finish(&mut self) {
        let functions: Vec<(&'a str, &'a ast::StmtFunctionDef)> =
            self.functions.iter().map(|(n, f)| (*n, *f)).collect();
        for (name, f) in functions {
            let summary = self.own_function(f);
            if summary.effect.is_some() || summary.mutates.is_some() || !summary.external.is_empty()
            {
                self.summary.functions.insert(name.to_string(), summary);
            }
        }
        let classes: Vec<(&'a str, &'a ast::StmtClassDef)> =
            self.classes.iter().map(|(n, c)| (*n, *c)).collect();
        for (name, c) in &classes {
            for hook in ["__init_subclass__", "__new__", "__init__"] {
                // `__init__`/`__new__` matter for a metaclass only.
                if hook != "__init_subclass__" && !is_metaclass(c) {
                    continue;
                }
                if let Some(m) = method(c, hook) {
                    let summary = self.function_summary(m, Some(name));
                    if let Some(site) = summary.mutates.or_else(|| summary.effect.map(|e| e.site)) {
                        self.summary
                            .recording_classes
                            .insert((*name).to_string(), site);
                        break;
                    }
                }
            }
        }
        // A class inherits recording from an own base or metaclass that records.
        loop {
            let mut added = false;
            for (name, c) in &classes {
                if self.summary.recording_classes.contains_key(*name) {
                    continue;
                }
                let Some(arguments) = &c.arguments else {
                    continue;
                };
                let inherited = arguments
                    .args
                    .iter()
                    .chain(arguments.keywords.iter().map(|k| &k.value))
                    .find_map(|e| match e {
                        Expr::Name(n) => self.summary.recording_classes.get(n.id.as_str()),
                        _ => None,
                    })
                    .cloned();
                if let Some(site) = inherited {
                    self.summary
                        .recording_classes
                        .insert((*name).to_string(), site);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
    }
}

/// Walks an expression that runs, judging calls and reads.
pub(super) struct ExprWalker<'s, 'a, 'f> {
    pub(super) scanner: &'s mut Scanner<'a>,
    pub(super) frame: &'f mut Frame<'a>,
}

impl<'a> Visitor<'a> for ExprWalker<'_, 'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // Lambdas run later.
            Expr::Lambda(l) => {
                if let Some(parameters) = &l.parameters {
                    for p in parameters.iter_non_variadic_params() {
                        if let Some(default) = &p.default {
                            self.visit_expr(default);
                        }
                    }
                }
            }
            Expr::Call(call) => {
                let text = self.scanner.call_text(call);
                let judged =
                    self.scanner
                        .callee(&call.func, call.range(), text, Some(call), self.frame);
                if !judged {
                    self.visit_expr(&call.func);
                } else if let Expr::Attribute(a) = &*call.func {
                    // The callee's owner may hold calls (`f().register(x)`).
                    if !matches!(&*a.value, Expr::Name(_) | Expr::Attribute(_)) {
                        self.visit_expr(&a.value);
                    }
                }
                for arg in &call.arguments.args {
                    self.visit_expr(arg);
                }
                for keyword in &call.arguments.keywords {
                    self.visit_expr(&keyword.value);
                }
            }
            Expr::Attribute(_) | Expr::Name(_) => {
                if let Target::Imported(q) = self.scanner.target(expr, self.frame)
                    && self.scanner.table.is_read(&q)
                {
                    let text = self.scanner.snippet(expr.range());
                    self.scanner
                        .effect(EffectKind::ReadsProcess, expr.range(), text, self.frame);
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
