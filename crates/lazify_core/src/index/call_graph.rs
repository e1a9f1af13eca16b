//! The calls one file can resolve, and the functions they make run while the module is imported (or that change
//! the import state when they run).

use super::import_state::StateChange;
use super::reference::Ctx;
use super::scope::ScopeId;
use super::walker::Walker;
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap as HashMap;

/// What a call calls, as far as one file can tell.
#[derive(Clone, Copy, Debug)]
pub(super) enum Callee<'a> {
    /// `f(...)`, `@f`, `C(...)`.
    Name(&'a str),
    /// `C.m(...)`, `C().m(...)`, and hooks such as `__init_subclass__` run by defining a subclass of `C`.
    Method(&'a str, &'a str),
}

impl<'a> Walker<'a> {
    /// A call of `callee`, kept only where [`Self::import_time_scopes`] looks: a module-level function, class or
    /// class method called at import time at module level, or in a function body.
    pub(super) fn note_call(&mut self, callee: Callee<'a>, range: TextRange) {
        let followed_ctx = if self.exec_scope.is_module() {
            Ctx::ImportTime
        } else {
            Ctx::Deferred
        };
        let (Callee::Name(name) | Callee::Method(name, _)) = callee;
        if self.ctx == followed_ctx && self.callables.contains(name) {
            self.calls
                .push((self.exec_scope, callee, range, self.ctx, self.scope));
        }
    }

    pub(super) fn record_decorator_call(&mut self, expr: &'a Expr) {
        // `@helper` and `@helper(...)` call `helper` when the decorated statement runs.
        let target = match expr {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        if let Expr::Name(n) = target {
            self.note_call(Callee::Name(n.id.as_str()), expr.range());
        }
    }

    /// The scopes a call of `callee` made in `scope` may run: a function defined in an enclosing function
    /// under that name (which hides a module-level one), else the module-level function, class constructor or
    /// method.
    pub(super) fn call_targets(&self, callee: &Callee<'_>, scope: ScopeId) -> Vec<ScopeId> {
        let mut out = Vec::new();
        match callee {
            Callee::Name(name) => {
                let mut current = Some(scope);
                while let Some(id) = current {
                    if id.is_module() {
                        break;
                    }
                    if let Some(def) = self.local_defs.get(&(id, *name)) {
                        out.push(*def);
                        return out;
                    }
                    current = self.scopes[id].parent;
                }
                if let Some(scope) = self.module_functions.get(name) {
                    out.push(*scope);
                }
                if let Some(scopes) = self.module_classes.get(name) {
                    out.extend(scopes.iter().copied());
                }
            }
            Callee::Method(class, method) => {
                if let Some(scope) = self.class_methods.get(class).and_then(|m| m.get(method)) {
                    out.push(*scope);
                }
            }
        }
        out
    }

    /// Function scopes that run at import time, because a module-level function or class is called (or used
    /// as a decorator) while the module is imported, directly or through other such functions. Each comes with
    /// the call that makes it run and the scope that call sits in (`None` at module level), so the whole way
    /// from a module-level statement can be shown ([`ImportTimeCall`]).
    pub(super) fn import_time_scopes(&self) -> HashMap<ScopeId, ImportTimeCall> {
        let mut marked: HashMap<ScopeId, ImportTimeCall> = HashMap::default();
        let mut work: Vec<(ScopeId, ImportTimeCall)> = Vec::new();
        for (caller, callee, range, ctx, scope) in &self.calls {
            if caller.is_module() && *ctx == Ctx::ImportTime {
                for target in self.call_targets(callee, *scope) {
                    let call = ImportTimeCall {
                        call: *range,
                        caller: None,
                    };
                    work.push((target, call));
                }
            }
        }
        if work.is_empty() {
            return marked;
        }
        let by_caller = self.deferred_calls();
        while let Some((scope, call)) = work.pop() {
            if marked.contains_key(&scope) {
                continue;
            }
            marked.insert(scope, call);
            for (callee, range, lexical) in by_caller.get(&scope).into_iter().flatten() {
                for target in self.call_targets(callee, *lexical) {
                    let call = ImportTimeCall {
                        call: *range,
                        caller: Some(scope),
                    };
                    work.push((target, call));
                }
            }
        }
        marked
    }

    /// The calls made in function bodies, by the function that makes them.
    pub(super) fn deferred_calls(
        &self,
    ) -> HashMap<ScopeId, Vec<(&Callee<'a>, TextRange, ScopeId)>> {
        let mut by_caller: HashMap<ScopeId, Vec<(&Callee<'a>, TextRange, ScopeId)>> =
            HashMap::default();
        for (caller, callee, range, ctx, scope) in &self.calls {
            if !caller.is_module() && *ctx == Ctx::Deferred {
                by_caller
                    .entry(*caller)
                    .or_default()
                    .push((callee, *range, *scope));
            }
        }
        by_caller
    }

    /// Function scopes that change the import system or the warning filters when they run: directly, or by
    /// calling (at any depth) a function of this module that does. The span is the change, or the call that
    /// leads to it.
    pub(super) fn state_changers(&self) -> HashMap<ScopeId, (StateChange, TextRange)> {
        let mut out = self.direct_changes.clone();
        if out.is_empty() {
            return out;
        }
        let by_caller = self.deferred_calls();
        loop {
            let mut added = Vec::new();
            for (caller, calls) in &by_caller {
                if out.contains_key(caller) {
                    continue;
                }
                if let Some((kind, range)) = calls.iter().find_map(|(callee, range, lexical)| {
                    self.call_targets(callee, *lexical)
                        .into_iter()
                        .find_map(|t| out.get(&t))
                        .map(|(kind, _)| (*kind, *range))
                }) {
                    added.push((*caller, (kind, range)));
                }
            }
            if added.is_empty() {
                return out;
            }
            out.extend(added);
        }
    }
}

/// How a function comes to run while the module is imported: the call that runs it, made at module level
/// (`caller` is `None`) or in a function that itself runs then.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ImportTimeCall {
    pub(crate) call: TextRange,
    pub(crate) caller: Option<ScopeId>,
}

/// The calls that make `scope` run at import time, from the module-level statement down; empty when it does
/// not run then.
pub(crate) fn import_time_path(
    marked: &HashMap<ScopeId, ImportTimeCall>,
    scope: ScopeId,
) -> Vec<TextRange> {
    let mut path = Vec::new();
    let mut current = Some(scope);
    // Each scope is marked once, by a caller marked before it: the links cannot go round.
    while let Some(id) = current {
        let Some(step) = marked.get(&id) else { break };
        path.push(step.call);
        current = step.caller;
        if path.len() > marked.len() {
            break;
        }
    }
    path.reverse();
    path
}
