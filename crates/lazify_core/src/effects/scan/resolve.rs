//! Name resolution: what a name or attribute chain stands for, and what an import statement binds.

use ruff_python_ast::{self as ast, Expr, Stmt};
use rustc_hash::FxHashMap as HashMap;

use super::{BUILTINS, Frame, Scanner, Target};
use crate::index::{bound_name, dotted};

/// Name resolution.
impl Scanner<'_> {
    pub(super) fn target(&self, expr: &Expr, frame: &Frame<'_>) -> Target {
        let chain = dotted(expr);
        if chain.is_empty() {
            return Target::Unknown;
        }
        let (root, rest) = chain
            .split_once('.')
            .map_or((chain.as_str(), None), |(r, t)| (r, Some(t)));
        if frame.state_roots.contains(root) {
            return Target::Own(chain);
        }
        let join = |base: &str| match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.to_string(),
        };
        if let Some(base) = frame.local_aliases.get(root) {
            return Target::Imported(join(base));
        }
        if frame.locals.contains(root) {
            return Target::Unknown;
        }
        if let Some(base) = self.aliases.get(root) {
            return Target::Imported(join(base));
        }
        if self.module_names.contains(root) {
            return Target::Own(chain);
        }
        if BUILTINS.contains(&root) {
            return Target::Imported(join(&format!("builtins.{root}")));
        }
        Target::Unknown
    }

    /// The names an `import` or `from ... import` statement binds, each with the module or member it stands
    /// for (`import a.b` binds `a` to `a`; `import a.b as c` binds `c` to `a.b`; `from .m import x` binds `x` to
    /// `pkg.m.x`). A star import, or a relative import this file cannot resolve, binds nothing here.
    pub(super) fn import_aliases<'b>(&self, stmt: &'b Stmt) -> Vec<(&'b str, String)> {
        match stmt {
            Stmt::Import(i) => i
                .names
                .iter()
                .map(|alias| {
                    let bound = bound_name(alias, false);
                    let target = if alias.asname.is_some() {
                        alias.name.as_str()
                    } else {
                        bound
                    };
                    (bound, target.to_string())
                })
                .collect(),
            Stmt::ImportFrom(f) => {
                let Some(module) = self.resolve_relative(f.module.as_deref(), f.level) else {
                    return Vec::new();
                };
                f.names
                    .iter()
                    .filter(|alias| alias.name.as_str() != "*")
                    .map(|alias| (bound_name(alias, true), format!("{module}.{}", alias.name)))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// What a function's own imports bind (its body and the blocks in it, not nested functions): the same
    /// names and modules as at module level, so that a module rewritten by `--style local` is judged as before.
    pub(super) fn function_imports<'b>(&self, body: &'b [Stmt]) -> HashMap<&'b str, String> {
        let mut out = HashMap::default();
        let mut stack: Vec<&'b [Stmt]> = vec![body];
        while let Some(body) = stack.pop() {
            for stmt in body {
                match stmt {
                    Stmt::Import(_) | Stmt::ImportFrom(_) => out.extend(self.import_aliases(stmt)),
                    Stmt::If(s) => {
                        stack.push(&s.body);
                        for clause in &s.elif_else_clauses {
                            stack.push(&clause.body);
                        }
                    }
                    Stmt::Try(t) => {
                        stack.push(&t.body);
                        for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                            stack.push(&h.body);
                        }
                        stack.push(&t.orelse);
                        stack.push(&t.finalbody);
                    }
                    Stmt::With(w) => stack.push(&w.body),
                    Stmt::For(f) => {
                        stack.push(&f.body);
                        stack.push(&f.orelse);
                    }
                    Stmt::While(w) => {
                        stack.push(&w.body);
                        stack.push(&w.orelse);
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Whether `qualified` (from [`Target::Imported`]) lies in the standard library.
    pub(super) fn is_stdlib(&self, qualified: &str) -> bool {
        qualified.starts_with("builtins.") || self.table.is_stdlib(qualified)
    }
}
