//! What binds a tracked name: import statements (with where they sit), and the other bindings of the name.

use super::scope::ScopeId;
use super::walker::Walker;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// Where a module-level import statement sits.
#[derive(Clone, Debug, Default)]
pub(crate) struct Placement {
    /// Enclosing `try` statement (any clause).
    pub(crate) in_try: Option<TextRange>,
    /// Enclosing `with` statement's header.
    pub(crate) in_with: Option<TextRange>,
    /// Enclosing function or class (the import is not module-level at all).
    pub(crate) in_def_or_class: Option<TextRange>,
    /// Enclosing `if TYPE_CHECKING:` test.
    pub(crate) in_type_checking: Option<TextRange>,
    /// Inside `if __name__ == "__main__":` (runs only as a script).
    pub(crate) in_main: bool,
    /// Enclosing module-level `if`/`for`/`while`/`match` (its first line).
    pub(crate) in_block: Option<TextRange>,
    /// Inside a function: the innermost compound statement of that function enclosing the import.
    pub(crate) local_block: Option<TextRange>,
}

/// An import statement anywhere in the module.
pub(crate) struct ImportStmt<'a> {
    pub(crate) stmt: &'a Stmt,
    pub(crate) placement: Placement,
    /// The scope the import binds in.
    pub(crate) scope: ScopeId,
}

impl<'a> ImportStmt<'a> {
    pub(crate) fn range(&self) -> TextRange {
        self.stmt.range()
    }

    pub(crate) fn aliases(&self) -> &'a [ast::Alias] {
        match self.stmt {
            Stmt::Import(s) => &s.names,
            Stmt::ImportFrom(s) => &s.names,
            _ => &[],
        }
    }

    pub(crate) fn is_lazy(&self) -> bool {
        match self.stmt {
            Stmt::Import(s) => s.is_lazy,
            Stmt::ImportFrom(s) => s.is_lazy,
            _ => false,
        }
    }

    /// `Some((module, level))` for a `from` import.
    pub(crate) fn source_module(&self) -> Option<(Option<&'a str>, u32)> {
        match self.stmt {
            Stmt::ImportFrom(s) => Some((s.module.as_ref().map(ast::Identifier::as_str), s.level)),
            _ => None,
        }
    }

    pub(crate) fn is_module_level(&self) -> bool {
        self.placement.in_def_or_class.is_none()
    }

    /// A statement directly in the module body (not in `if`, `try`, `with`, loops or functions).
    pub(crate) fn is_top_level(&self) -> bool {
        let p = &self.placement;
        p.in_def_or_class.is_none()
            && p.in_block.is_none()
            && p.in_try.is_none()
            && p.in_with.is_none()
            && p.in_type_checking.is_none()
            && !p.in_main
    }
}

/// The name an alias binds: `c` for `import a.b as c`, `a` for `import a.b`, `x` for `from m import x`.
pub(crate) fn bound_name(alias: &ast::Alias, is_from: bool) -> &str {
    match &alias.asname {
        Some(asname) => asname.as_str(),
        None if is_from => alias.name.as_str(),
        None => alias.name.as_str().split('.').next().unwrap_or_default(),
    }
}

/// What a recorded [`Binding`] of a tracked name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindingKind {
    /// A binding at module level that is not an import, or a rebinding of the global through `global`.
    Rebinding,
    /// A `global name` declaration in a function.
    GlobalDeclaration,
}

/// A binding of a tracked name that is not the import itself, recorded once in [`Bindings`].
#[derive(Clone, Debug)]
pub(crate) struct Binding<'a> {
    pub(crate) name: &'a str,
    pub(crate) range: TextRange,
    pub(crate) kind: BindingKind,
}

/// A binding's number in [`Bindings`], in the order the walk met them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct BindingId(u32);

/// The bindings of tracked names other than the imports, by [`BindingId`], in source order of the walk.
#[derive(Debug, Default)]
pub(crate) struct Bindings<'a>(Vec<Binding<'a>>);

impl<'a> Bindings<'a> {
    /// Records a binding and returns its id.
    pub(crate) fn push(&mut self, name: &'a str, range: TextRange, kind: BindingKind) -> BindingId {
        let id = BindingId(u32::try_from(self.0.len()).unwrap_or(u32::MAX));
        self.0.push(Binding { name, range, kind });
        id
    }

    /// The non-import bindings at module level and the rebindings through `global`, in walk order.
    pub(crate) fn rebindings(&self) -> impl Iterator<Item = &Binding<'a>> {
        self.0.iter().filter(|b| b.kind == BindingKind::Rebinding)
    }

    /// The `global name` declarations, in walk order.
    pub(crate) fn global_declarations(&self) -> impl Iterator<Item = &Binding<'a>> {
        self.0
            .iter()
            .filter(|b| b.kind == BindingKind::GlobalDeclaration)
    }
}

impl<'a> std::ops::Index<BindingId> for Bindings<'a> {
    type Output = Binding<'a>;

    fn index(&self, id: BindingId) -> &Binding<'a> {
        &self.0[id.0 as usize]
    }
}

impl<'a> Walker<'a> {
    pub(super) fn bind(&mut self, name: &'a str, range: TextRange) {
        if !self.tracked.contains(name) {
            return;
        }
        let scope = self.binding_scope();
        if scope.is_module() {
            self.bindings.push(name, range, BindingKind::Rebinding);
            return;
        }
        let s = &self.scopes[scope];
        if s.globals.contains(name) {
            self.bindings.push(name, range, BindingKind::Rebinding);
        } else {
            self.scopes[scope].bindings.insert(name);
            self.scopes[scope].other_bindings.insert(name);
        }
    }

    /// An import inside a function or class binds there.
    pub(super) fn bind_import(&mut self, name: &'a str, range: TextRange) {
        if !self.tracked.contains(name) {
            return;
        }
        if self.scopes[self.scope].globals.contains(name) {
            self.bindings.push(name, range, BindingKind::Rebinding);
        } else {
            self.scopes[self.scope].bindings.insert(name);
        }
    }
}
