//! Scopes (module, class, function, comprehension) and how a name read in one resolves to a binding.

use super::walker::Walker;
use ruff_python_ast::{self as ast};
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet as HashSet;

pub(crate) type ScopeId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Class,
    Function,
    Comprehension,
}

#[derive(Debug)]
pub(crate) struct Scope<'a> {
    pub(crate) kind: ScopeKind,
    pub(crate) parent: Option<ScopeId>,
    /// The `def` of a function scope (`None` for a lambda).
    pub(crate) def: Option<&'a ast::StmtFunctionDef>,
    /// Tracked names bound in this scope (for functions: anywhere in the body).
    pub(crate) bindings: HashSet<&'a str>,
    /// The subset of `bindings` bound by something other than an import statement.
    pub(crate) other_bindings: HashSet<&'a str>,
    pub(crate) globals: HashSet<&'a str>,
    pub(crate) nonlocals: HashSet<&'a str>,
    /// A function that reads its own namespace (`locals()`, `vars()`, `dir()` without arguments): moving a
    /// local in or out of it changes what that returns.
    pub(crate) reads_locals: Option<TextRange>,
}

impl Walker<'_> {
    pub(super) fn push_scope(&mut self, kind: ScopeKind) -> ScopeId {
        self.scopes.push(Scope {
            kind,
            def: None,
            parent: Some(self.scope),
            bindings: HashSet::default(),
            other_bindings: HashSet::default(),
            reads_locals: None,
            globals: HashSet::default(),
            nonlocals: HashSet::default(),
        });
        self.scopes.len() - 1
    }

    pub(super) fn at_module_scope(&self) -> bool {
        self.scope == 0
    }

    /// The scope a plain binding lands in (comprehension targets bind in the comprehension).
    pub(super) fn binding_scope(&self) -> ScopeId {
        self.scope
    }

    /// The function or comprehension scope whose binding a read of `name` in `scope` sees; `None` for the
    /// module's binding (or a builtin).
    pub(super) fn binding_scope_of(&self, name: &str, scope: ScopeId) -> Option<ScopeId> {
        let mut current = scope;
        loop {
            let s = &self.scopes[current];
            match s.kind {
                ScopeKind::Module => return None,
                // A class body sees its own names, then globals, and functions inside it skip it. A name the
                // class binds may or may not be bound yet when it is read: count it as the global (a reference
                // makes a rewrite less likely, never more).
                ScopeKind::Class => {}
                ScopeKind::Function => {
                    if s.globals.contains(name) {
                        return None;
                    }
                    if s.nonlocals.contains(name) || s.bindings.contains(name) {
                        return Some(current);
                    }
                }
                ScopeKind::Comprehension => {
                    if s.bindings.contains(name) {
                        return Some(current);
                    }
                }
            }
            current = s.parent?;
        }
    }
}
