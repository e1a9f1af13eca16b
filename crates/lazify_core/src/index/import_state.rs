//! Changes to the import system (`sys.path`, `sys.modules`, `os.chdir`, ...) and to the warning filters, and the
//! aliases of `sys`, `os`, `warnings` they may be spelled with.

use super::helpers::{dotted, root_name};
use super::walker::Walker;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap as HashMap;

/// What a statement run while the module is imported changes that a deferred import would see differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StateChange {
    /// `sys.path`, `sys.modules`, `sys.meta_path`, the working directory: how imports resolve.
    ImportSystem,
    /// The warning filters: which warnings an imported module's body shows.
    WarningFilters,
}

impl<'a> Walker<'a> {
    /// `dotted(expr)` with a leading alias spelled out: `sys.path` for `_sys.path` after `import sys as _sys`, or
    /// for `path` after `from sys import path`.
    pub(super) fn canonical(&self, expr: &Expr) -> String {
        canonical_with(expr, &self.aliases)
    }

    /// What a statement changes that a deferred import would see differently: the import system, or the
    /// warning filters.
    pub(super) fn state_change(&self, stmt: &'a Stmt) -> Option<StateChange> {
        // Most statements touch none of these names: reject them before building any dotted text.
        let relevant = |expr: &Expr| {
            root_name(expr).is_some_and(|root| {
                matches!(
                    root,
                    "sys" | "os" | "site" | "warnings" | "chdir" | "addsitedir"
                ) || self.aliases.contains_key(root)
            })
        };
        let any_relevant = match stmt {
            Stmt::Expr(e) => matches!(&*e.value, Expr::Call(call) if relevant(&call.func)),
            Stmt::Assign(a) => a.targets.iter().any(relevant),
            Stmt::AugAssign(a) => relevant(&a.target),
            Stmt::Delete(d) => d.targets.iter().any(relevant),
            _ => false,
        };
        if !any_relevant {
            return None;
        }
        let import_system = match stmt {
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(call) => {
                    let name = self.canonical(&call.func);
                    if is_warning_filter_call(&name) {
                        return (!self.in_catch_warnings).then_some(StateChange::WarningFilters);
                    }
                    is_import_state_path(&name)
                        || matches!(
                            name.as_str(),
                            "os.chdir"
                                | "site.addsitedir"
                                | "chdir"
                                | "addsitedir"
                                | "sys.path_importer_cache.clear"
                        )
                }
                _ => false,
            },
            Stmt::Assign(a) => {
                if a.targets.iter().any(|t| self.is_warning_filters_target(t)) {
                    return (!self.in_catch_warnings).then_some(StateChange::WarningFilters);
                }
                a.targets.iter().any(|t| self.is_import_state_target(t))
            }
            Stmt::AugAssign(a) => {
                if self.is_warning_filters_target(&a.target) {
                    return (!self.in_catch_warnings).then_some(StateChange::WarningFilters);
                }
                self.is_import_state_target(&a.target)
            }
            Stmt::Delete(d) => {
                if d.targets.iter().any(|t| self.is_warning_filters_target(t)) {
                    return (!self.in_catch_warnings).then_some(StateChange::WarningFilters);
                }
                d.targets.iter().any(|t| self.is_import_state_target(t))
            }
            _ => false,
        };
        import_system.then_some(StateChange::ImportSystem)
    }

    pub(super) fn is_import_state_target(&self, target: &Expr) -> bool {
        match target {
            Expr::Subscript(s) => is_import_state_path(&self.canonical(&s.value)),
            other => is_import_state_path(&self.canonical(other)),
        }
    }

    /// `warnings.filters = ...`, `warnings.filters[:] = ...`.
    pub(super) fn is_warning_filters_target(&self, target: &Expr) -> bool {
        let base = match target {
            Expr::Subscript(s) => &*s.value,
            other => other,
        };
        self.canonical(base) == "warnings.filters"
    }

    /// Statements that change how imports resolve or which warnings show: at module level they keep every
    /// import eager; in a function they count for that function (and for whoever calls it at import time).
    pub(super) fn note_import_state_change(&mut self, stmt: &'a Stmt) {
        let Some(kind) = self.state_change(stmt) else {
            return;
        };
        if self.at_module_scope() {
            let slot = match kind {
                StateChange::ImportSystem => &mut self.import_state_change,
                StateChange::WarningFilters => &mut self.warnings_change,
            };
            slot.get_or_insert(stmt.range());
        } else if !self.exec_scope.is_module() {
            self.direct_changes
                .entry(self.exec_scope)
                .or_insert((kind, stmt.range()));
        }
    }
}

/// `dotted(expr)` with a leading alias spelled out (see [`collect_aliases`]).
pub(super) fn canonical_with(expr: &Expr, aliases: &HashMap<&str, String>) -> String {
    let name = dotted(expr);
    if aliases.is_empty() {
        return name;
    }
    let (root, rest) = name.split_once('.').unwrap_or((name.as_str(), ""));
    match aliases.get(root) {
        Some(full) if rest.is_empty() => full.clone(),
        Some(full) => format!("{full}.{rest}"),
        None => name,
    }
}

pub(super) fn is_import_state_path(name: &str) -> bool {
    ["sys.path", "sys.meta_path", "sys.path_hooks", "sys.modules"]
        .iter()
        .any(|p| {
            name.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
}

/// The modules whose aliases the walk resolves: their attributes change the import system, the warning filters,
/// or reach the module's namespace.
pub(super) const ALIASED_MODULES: &[&str] = &["sys", "os", "site", "warnings", "inspect"];

/// Names that stand for one of [`ALIASED_MODULES`] or one of its attributes, anywhere in the file:
/// `_sys` → `sys` for `import sys as _sys`, `path` → `sys.path` for `from sys import path`.
pub(super) fn collect_aliases(body: &[Stmt]) -> HashMap<&str, String> {
    struct Imports<'a>(HashMap<&'a str, String>);
    impl<'a> Visitor<'a> for Imports<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Import(i) => {
                    for alias in &i.names {
                        if let Some(asname) = &alias.asname
                            && ALIASED_MODULES.contains(&alias.name.as_str())
                        {
                            self.0.insert(asname.as_str(), alias.name.to_string());
                        }
                    }
                }
                Stmt::ImportFrom(f) if f.level == 0 => {
                    if let Some(module) = &f.module
                        && ALIASED_MODULES.contains(&module.as_str())
                    {
                        for alias in &f.names {
                            let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                            self.0
                                .insert(bound.as_str(), format!("{module}.{}", alias.name));
                        }
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _expr: &'a Expr) {}
    }
    let mut imports = Imports(HashMap::default());
    imports.visit_body(body);
    imports.0
}

/// `warnings.simplefilter(...)`, `warnings.filterwarnings(...)`, `warnings.resetwarnings()`,
/// `warnings.filters.insert(...)` and the like.
pub(super) fn is_warning_filter_call(name: &str) -> bool {
    matches!(
        name,
        "warnings.simplefilter" | "warnings.filterwarnings" | "warnings.resetwarnings"
    ) || name
        .strip_prefix("warnings.filters.")
        .is_some_and(|method| !method.contains('.'))
}
