//! Scopes (module, class, function, comprehension) and how a name read in one resolves to a binding.

use super::walker::Walker;
use ruff_python_ast::{self as ast};
use ruff_text_size::TextRange;
use rustc_hash::FxHashSet as HashSet;

/// A scope's number in [`Scopes`]: the module is [`ScopeId::MODULE`], the others follow in the order the walk
/// enters them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ScopeId(u32);

impl ScopeId {
    /// The module's own scope.
    pub(crate) const MODULE: Self = Self(0);

    pub(crate) fn is_module(self) -> bool {
        self == Self::MODULE
    }
}

/// Every scope of the module, by [`ScopeId`].
#[derive(Debug, Default)]
pub(crate) struct Scopes<'a>(Vec<Scope<'a>>);

impl<'a> Scopes<'a> {
    /// The module's scope alone, as [`ScopeId::MODULE`].
    pub(crate) fn with_module() -> Self {
        let mut scopes = Self::default();
        scopes.push(Scope {
            def: None,
            kind: ScopeKind::Module,
            parent: None,
            bindings: HashSet::default(),
            other_bindings: HashSet::default(),
            reads_locals: None,
            globals: HashSet::default(),
            nonlocals: HashSet::default(),
        });
        scopes
    }

    /// The id the next scope pushed gets.
    pub(crate) fn next_id(&self) -> ScopeId {
        ScopeId(u32::try_from(self.0.len()).unwrap_or(u32::MAX))
    }

    /// Adds a scope and returns its id.
    pub(crate) fn push(&mut self, scope: Scope<'a>) -> ScopeId {
        let id = self.next_id();
        self.0.push(scope);
        id
    }
}

impl<'a> std::ops::Index<ScopeId> for Scopes<'a> {
    type Output = Scope<'a>;

    fn index(&self, id: ScopeId) -> &Scope<'a> {
        &self.0[id.0 as usize]
    }
}

impl std::ops::IndexMut<ScopeId> for Scopes<'_> {
    fn index_mut(&mut self, id: ScopeId) -> &mut Self::Output {
        &mut self.0[id.0 as usize]
    }
}

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
        })
    }

    pub(super) fn at_module_scope(&self) -> bool {
        self.scope.is_module()
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
