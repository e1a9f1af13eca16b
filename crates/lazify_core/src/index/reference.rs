//! References to the tracked names, with the context their code runs in.

use super::scope::ScopeId;
use super::walker::Walker;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::TextRange;

/// When the code holding a reference runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ctx {
    /// While the module is being imported.
    ImportTime,
    /// Only in `if __name__ == "__main__":`.
    Main,
    /// In a function or lambda body: when it is called.
    Deferred,
    /// In an annotation that is not evaluated when the module is imported.
    Annotation,
    /// Under `if TYPE_CHECKING:`: never at run time.
    TypeChecking,
}

/// A read of a tracked name.
#[derive(Clone, Debug)]
pub(crate) struct Reference<'a> {
    pub(crate) name: &'a str,
    pub(crate) range: TextRange,
    pub(crate) ctx: Ctx,
    /// The innermost scope the reference sits in (for name resolution).
    pub(crate) scope: ScopeId,
    /// The innermost function or lambda whose execution runs the reference (module scope when none).
    pub(crate) exec_scope: ScopeId,
    /// For `a.b...`, the attribute read right after the name (`b`).
    pub(crate) attr: Option<&'a str>,
    /// For `a.b.c...` (two attributes or more), the outermost attribute of the chain: every level read.
    pub(crate) chain: Option<&'a ast::ExprAttribute>,
    /// The scope whose binding the reference reads (0: the module's, or a builtin).
    pub(crate) binding_scope: ScopeId,
}

impl Reference<'_> {
    /// The attributes read after the name, outermost last: `[b, c]` for `a.b.c`.
    pub(crate) fn attributes(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut current = self.chain;
        while let Some(attr) = current {
            out.push(attr.attr.as_str());
            current = match &*attr.value {
                Expr::Attribute(inner) => Some(inner),
                _ => None,
            };
        }
        if out.is_empty()
            && let Some(attr) = self.attr
        {
            out.push(attr);
        }
        out.reverse();
        out
    }
}

impl<'a> Walker<'a> {
    #[inline]
    pub(super) fn reference(&mut self, name: &'a str, range: TextRange, attr: Option<&'a str>) {
        if let Some(id) = self.tracked.id(name) {
            self.record_reference(id, name, range, self.ctx, attr);
        }
    }

    /// A read of `name`, tracked name number `id`, in the current scope.
    pub(super) fn record_reference(
        &mut self,
        id: usize,
        name: &'a str,
        range: TextRange,
        ctx: Ctx,
        attr: Option<&'a str>,
    ) {
        self.raw_refs[id].push(Reference {
            name,
            range,
            ctx,
            scope: self.scope,
            exec_scope: self.exec_scope,
            attr,
            chain: None,
            binding_scope: ScopeId::MODULE,
        });
    }
}
