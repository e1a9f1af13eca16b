//! What the walk follows, found before it starts: the names imports bind, the module's callables, and a cheap
//! first test that rejects most other names without hashing them.

use super::binding::bound_name;
use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::{Expr, Stmt};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Names bound by imports inside functions and classes (at any depth).
pub(super) fn collect_local_import_names<'a>(
    body: &'a [Stmt],
    inside: bool,
    out: &mut HashSet<&'a str>,
) {
    struct LocalImports<'o, 'a> {
        /// In a function or class body.
        inside: bool,
        out: &'o mut HashSet<&'a str>,
    }
    impl<'a> StatementVisitor<'a> for LocalImports<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Import(s) if self.inside => {
                    self.out
                        .extend(s.names.iter().map(|a| bound_name(a, false)));
                }
                Stmt::ImportFrom(s) if self.inside => self.out.extend(
                    s.names
                        .iter()
                        .filter(|a| a.name.as_str() != "*")
                        .map(|a| bound_name(a, true)),
                ),
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                    let saved = std::mem::replace(&mut self.inside, true);
                    walk_stmt(self, stmt);
                    self.inside = saved;
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }
    LocalImports { inside, out }.visit_body(body);
}

/// Every statement that runs at module scope: the module's own, and those in its `if`, `try`, `with`, loops and
/// `match` at any depth, but not in functions or classes.
pub(super) fn for_each_module_scope_stmt<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    struct ModuleScope<'f, F>(&'f mut F);
    impl<'a, F: FnMut(&'a Stmt)> StatementVisitor<'a> for ModuleScope<'_, F> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            (self.0)(stmt);
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
    }
    ModuleScope(f).visit_body(body);
}

/// Names bound by imports outside functions and classes.
pub(super) fn collect_module_import_names<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
    for_each_module_scope_stmt(body, &mut |stmt| match stmt {
        Stmt::Import(s) => out.extend(s.names.iter().map(|a| bound_name(a, false))),
        Stmt::ImportFrom(s) => out.extend(
            s.names
                .iter()
                .filter(|a| a.name.as_str() != "*")
                .map(|a| bound_name(a, true)),
        ),
        _ => {}
    });
}

/// A quick first test for a small set of names: most names read in a module are in none of the walk's sets, and
/// their length and first byte reject them without hashing the name.
#[derive(Default)]
pub(super) struct Prefilter {
    /// Bit `min(len, 63)` of every name's length.
    pub(super) lengths: u64,
    /// Bit `b` of every name's first byte `b`.
    pub(super) first_bytes: [u64; 4],
}

impl<'n> FromIterator<&'n str> for Prefilter {
    fn from_iter<I: IntoIterator<Item = &'n str>>(names: I) -> Self {
        let mut filter = Self::default();
        for name in names {
            filter.lengths |= 1 << name.len().min(63);
            if let Some(&b) = name.as_bytes().first() {
                filter.first_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        filter
    }
}

impl Prefilter {
    /// `false` when `name` is certainly not in the set.
    #[inline]
    pub(super) fn may_contain(&self, name: &str) -> bool {
        let Some(&b) = name.as_bytes().first() else {
            return false;
        };
        self.lengths & (1 << name.len().min(63)) != 0
            && self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// The names the walk follows (those bound by imports), each with a number.
pub(super) struct Tracked<'a> {
    pub(super) names: Vec<&'a str>,
    pub(super) ids: HashMap<&'a str, usize>,
    pub(super) filter: Prefilter,
}

impl<'a> Tracked<'a> {
    /// `names` in a fixed order: a name's number is its position.
    pub(super) fn new(names: Vec<&'a str>) -> Self {
        Self {
            ids: names
                .iter()
                .enumerate()
                .map(|(id, name)| (*name, id))
                .collect(),
            filter: names.iter().copied().collect(),
            names,
        }
    }

    /// The number of `name`, if it is tracked.
    #[inline]
    pub(super) fn id(&self, name: &str) -> Option<usize> {
        if !self.filter.may_contain(name) {
            return None;
        }
        self.ids.get(name).copied()
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.id(name).is_some()
    }
}

/// The names a module-level `def`, `class` or `name = lambda ...` binds: the only callees whose calls the
/// import-time analysis follows ([`Walker::import_time_scopes`]).
pub(super) struct Callables<'a> {
    pub(super) names: HashSet<&'a str>,
    pub(super) filter: Prefilter,
}

impl<'a> Callables<'a> {
    pub(super) fn new(body: &'a [Stmt]) -> Self {
        let mut names = HashSet::default();
        collect_module_callables(body, &mut names);
        Self {
            filter: names.iter().copied().collect(),
            names,
        }
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.filter.may_contain(name) && self.names.contains(name)
    }
}

/// Names bound at module scope (in any module-level block, not in functions or classes) by `def`, `class`,
/// `name = lambda ...` and `name = (generator expression)`, and the names of functions nested in functions
/// (calls of those are resolved against the enclosing functions first).
pub(super) fn collect_module_callables<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
    fn nested_defs<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
        for_each_module_scope_stmt(body, &mut |stmt| {
            if let Stmt::FunctionDef(f) = stmt {
                out.insert(f.name.as_str());
                nested_defs(&f.body, out);
            }
        });
    }
    for_each_module_scope_stmt(body, &mut |stmt| match stmt {
        Stmt::FunctionDef(f) => {
            out.insert(f.name.as_str());
            nested_defs(&f.body, out);
        }
        Stmt::Assign(a) if a.value.is_generator_expr() => {
            if let [Expr::Name(n)] = a.targets.as_slice() {
                out.insert(n.id.as_str());
            }
        }
        Stmt::ClassDef(c) => {
            out.insert(c.name.as_str());
            for stmt in &c.body {
                if let Stmt::FunctionDef(f) = stmt {
                    nested_defs(&f.body, out);
                }
            }
        }
        Stmt::Assign(a) if a.value.is_lambda_expr() => {
            if let [Expr::Name(n)] = a.targets.as_slice() {
                out.insert(n.id.as_str());
            }
        }
        _ => {}
    });
}

/// Module-level names bound to a generator expression: `gen = (f(x) for x in xs)`.
pub(super) fn collect_generator_names(body: &[Stmt]) -> HashSet<&str> {
    let mut out = HashSet::default();
    for_each_module_scope_stmt(body, &mut |stmt| {
        if let Stmt::Assign(a) = stmt
            && a.value.is_generator_expr()
            && let [Expr::Name(n)] = a.targets.as_slice()
        {
            out.insert(n.id.as_str());
        }
    });
    out
}
