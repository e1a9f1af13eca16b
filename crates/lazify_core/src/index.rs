//! One pass over the module that records, for every name bound by a module-level import, every reference to it
//! with its **execution context** (does it run while the module is imported, or later?), plus the facts that
//! can block a rewrite: other bindings of the name, `global` rebinding, dynamic namespace access, `__all__`,
//! `__lazy_modules__`, import-system changes.
//!
//! The walk records references by name and scope; names are resolved against each scope's bindings once the
//! walk is done (a binding later in a function still makes the name local everywhere in it), so there are no
//! per-reference rescans.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::python::ParsedModule;

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

/// What a statement run while the module is imported changes that a deferred import would see differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StateChange {
    /// `sys.path`, `sys.modules`, `sys.meta_path`, the working directory: how imports resolve.
    ImportSystem,
    /// The warning filters: which warnings an imported module's body shows.
    WarningFilters,
}

/// A binding of a tracked name at module level that is not an import, or a rebinding through `global`.
#[derive(Clone, Debug)]
pub(crate) struct Rebinding<'a> {
    pub(crate) name: &'a str,
    pub(crate) range: TextRange,
}

/// What a call calls, as far as one file can tell.
#[derive(Clone, Copy, Debug)]
enum Callee<'a> {
    /// `f(...)`, `@f`, `C(...)`.
    Name(&'a str),
    /// `C.m(...)`, `C().m(...)`, and hooks such as `__init_subclass__` run by defining a subclass of `C`.
    Method(&'a str, &'a str),
}

/// How code reaches the module's namespace without naming the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DynamicKind {
    /// Only the namespace's names (`dir()`, `globals().keys()`, `for k in globals()`): a lazy binding is listed
    /// like an eager one, but a name moved into a function (or hoisted out of one) changes the list.
    Keys,
    /// The namespace as a dict (`globals()`, `vars()`, `f_globals`, `__dict__`): it holds unresolved lazy proxies.
    Dict,
    /// The module object (`sys.modules[__name__]`): attribute reads resolve lazy names, but a name moved into a
    /// function is not there.
    ModuleObject,
    /// `eval`/`exec` with this module's globals: names resolve one by one, but not function-local ones.
    Exec,
}

/// One dynamic access.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dynamic<'a> {
    /// The name read through a literal key, or `None` for any name.
    pub(crate) key: Option<&'a str>,
    pub(crate) range: TextRange,
    pub(crate) kind: DynamicKind,
}

/// How the module defines `__lazy_modules__`.
#[derive(Clone, Debug)]
pub(crate) enum LazyModulesDef {
    /// `__lazy_modules__ = [..]` / `(..)` / `{..}` of string literals, bound once at module level.
    Literal {
        stmt: TextRange,
        /// The container expression.
        value: TextRange,
        entries: Vec<String>,
        /// Range of the last element, if any.
        last_elt: Option<TextRange>,
    },
    /// A string: a substring test (`pep810.md` case 11).
    Str { stmt: TextRange },
    /// `None`, a number, a bool: every later import raises `TypeError` on 3.15 (case 12).
    NotContainer { stmt: TextRange },
    /// Anything else (computed, imported, changed later) (case 10).
    Opaque { stmt: TextRange },
}

/// Everything the planner needs to know about the module.
pub(crate) struct Index<'a> {
    pub(crate) imports: Vec<ImportStmt<'a>>,
    /// References to names bound by module-level imports, resolved to module scope.
    pub(crate) references: HashMap<&'a str, Vec<Reference<'a>>>,
    /// Non-import bindings of those names at module level, and `global` rebindings in functions.
    pub(crate) rebindings: Vec<Rebinding<'a>>,
    /// `globals()` and friends.
    pub(crate) dynamic: Vec<Dynamic<'a>>,
    /// `eval`/`exec` calls that run at import time.
    pub(crate) import_time_eval: Option<TextRange>,
    /// Names in `__all__` (literal parts).
    pub(crate) all_names: HashSet<&'a str>,
    /// Whether the module binds `__all__`.
    pub(crate) has_all: bool,
    /// Whether annotations are left unevaluated at import (target 3.14+ or `from __future__ import annotations`).
    pub(crate) annotations_deferred: bool,
    pub(crate) lazy_modules: Vec<LazyModulesDef>,
    /// The first module-level change to the import system (`sys.path`, `sys.modules`, `os.chdir`, ...), made
    /// directly or by a function called at import time (then the span is the call).
    pub(crate) import_state_change: Option<TextRange>,
    /// The first change to the warning filters made while the module is imported, outside
    /// `with warnings.catch_warnings():` (directly, or by a function called at import time).
    pub(crate) warnings_change: Option<TextRange>,
    /// Function scopes that change the import system or the warning filters when they run, themselves or
    /// through the functions of this module they call: the span proves it (the change, or the call).
    pub(crate) state_changers: HashMap<ScopeId, (StateChange, TextRange)>,
    /// Function scopes that run while the module is imported (called at module level, directly or not).
    pub(crate) import_time: HashMap<ScopeId, TextRange>,
    /// Where a `__lazy_modules__` assignment may go: after the docstring and `__future__` imports.
    pub(crate) header_end: Option<TextRange>,
    /// The module's first statement.
    pub(crate) first_statement: Option<TextRange>,
    /// Every scope; references point into it.
    pub(crate) scopes: Vec<Scope<'a>>,
    /// With local import tracking: references that resolve to a function's own binding of the name.
    pub(crate) local_references: HashMap<&'a str, Vec<Reference<'a>>>,
    /// `global name` declarations of tracked names in functions.
    pub(crate) global_decls: Vec<(&'a str, TextRange)>,
}

const TYPING_EVALUATING_BASES: &[&str] = &[
    "NamedTuple",
    "TypedDict",
    "BaseModel",
    "BaseSettings",
    "RootModel",
    "Struct",
    "SQLModel",
    "DeclarativeBase",
    "DeclarativeBaseNoMeta",
    "MappedAsDataclass",
];

const TYPING_EVALUATING_DECORATORS: &[&str] = &[
    "dataclass",
    "dataclasses.dataclass",
    "pydantic.dataclasses.dataclass",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
    "attr.dataclass",
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
    "define",
    "frozen",
    "mutable",
    "attrs",
    "dataclass_json",
];

impl<'a> Index<'a> {
    pub(crate) fn build(
        parsed: &'a ParsedModule,
        source: &'a str,
        annotations_deferred: bool,
        track_local_imports: bool,
    ) -> Self {
        let body = parsed.body();
        let future_annotations = body.iter().any(|s| {
            matches!(s, Stmt::ImportFrom(f) if f.module.as_deref() == Some("__future__")
                && f.names.iter().any(|a| a.name.as_str() == "annotations"))
        });
        let mut names = HashSet::default();
        collect_module_import_names(body, &mut names);
        if track_local_imports {
            collect_local_import_names(body, false, &mut names);
        }
        let tracked = Tracked::new(names.into_iter().collect());
        let raw_refs = vec![Vec::new(); tracked.names.len()];
        let aliases = collect_aliases(body);
        let mut walker = Walker {
            global_decls: Vec::new(),
            source,
            in_annotation: false,
            annotation_introspected: false,
            tracked,
            callables: Callables::new(body),
            scopes: vec![Scope {
                def: None,
                kind: ScopeKind::Module,
                parent: None,
                bindings: HashSet::default(),
                other_bindings: HashSet::default(),
                reads_locals: None,
                globals: HashSet::default(),
                nonlocals: HashSet::default(),
            }],
            scope: 0,
            exec_scope: 0,
            ctx: Ctx::ImportTime,
            placement: Placement::default(),
            annotations_deferred: annotations_deferred || future_annotations,
            evaluating_classes: HashSet::default(),
            imports: Vec::new(),
            raw_refs,
            rebindings: Vec::new(),
            dynamic: Vec::new(),
            import_time_eval: None,
            all_names: HashSet::default(),
            has_all: false,
            lazy_modules: Vec::new(),
            import_state_change: None,
            warnings_change: None,
            direct_changes: HashMap::default(),
            in_catch_warnings: false,
            module_aliases: collect_module_aliases(body, &aliases),
            aliases,
            generator_names: collect_generator_names(body),
            local_defs: HashMap::default(),
            module_functions: HashMap::default(),
            module_classes: HashMap::default(),
            calls: Vec::new(),
            class_methods: HashMap::default(),
            depth: 0,
        };
        walker.visit_body(body);
        let import_time_scopes = walker.import_time_scopes();
        let state_changers = walker.state_changers();
        // A helper called at import time that changes the import system or the warning filters changes them
        // as much as a module-level statement would.
        let mut by_call: Vec<(TextRange, StateChange)> = import_time_scopes
            .iter()
            .filter_map(|(scope, call)| {
                walker
                    .direct_changes
                    .get(scope)
                    .map(|(kind, _)| (*call, *kind))
            })
            .collect();
        by_call.sort_by_key(|(range, _)| range.start());
        for (call, kind) in by_call {
            let slot = match kind {
                StateChange::ImportSystem => &mut walker.import_state_change,
                StateChange::WarningFilters => &mut walker.warnings_change,
            };
            if slot.is_none_or(|r| r.start() > call.start()) {
                *slot = Some(call);
            }
        }
        let mut references: HashMap<&'a str, Vec<Reference<'a>>> = HashMap::default();
        let mut local_references: HashMap<&'a str, Vec<Reference<'a>>> = HashMap::default();
        let raw_refs = std::mem::take(&mut walker.raw_refs);
        for (name, refs) in walker.tracked.names.iter().zip(raw_refs) {
            let mut module_refs = Vec::with_capacity(refs.len());
            for mut reference in refs {
                if let Some(scope) = walker.binding_scope_of(reference.name, reference.scope) {
                    if track_local_imports {
                        reference.binding_scope = scope;
                        local_references
                            .entry(reference.name)
                            .or_default()
                            .push(reference);
                    }
                    continue;
                }
                if reference.ctx == Ctx::Deferred
                    && import_time_scopes.contains_key(&reference.exec_scope)
                {
                    reference.ctx = Ctx::ImportTime;
                }
                module_refs.push(reference);
            }
            if !module_refs.is_empty() {
                references.insert(*name, module_refs);
            }
        }
        Index {
            imports: walker.imports,
            references,
            rebindings: walker.rebindings,
            dynamic: walker.dynamic,
            import_time_eval: walker.import_time_eval,
            all_names: walker.all_names,
            has_all: walker.has_all,
            annotations_deferred: walker.annotations_deferred,
            lazy_modules: walker.lazy_modules,
            import_state_change: walker.import_state_change,
            warnings_change: walker.warnings_change,
            state_changers,
            import_time: import_time_scopes,
            header_end: header_end(body),
            first_statement: body.first().map(Ranged::range),
            scopes: walker.scopes,
            local_references,
            global_decls: walker.global_decls,
        }
    }
}

impl<'a> Index<'a> {
    /// The outermost `def` whose call runs code in `scope`: the function for a use in it or in a nested
    /// function or lambda, the method for a use in a method. `None` when no `def` encloses the scope, or when
    /// the outermost function is a lambda.
    ///
    /// A function that runs while the module is imported (a closure factory called at module level) is not a
    /// receiver: an import moved there would run at import time. The function nested in it, which runs later,
    /// receives the import instead.
    pub(crate) fn receiver(&self, scope: ScopeId) -> Option<(ScopeId, &'a ast::StmtFunctionDef)> {
        let mut outermost = None;
        let mut current = Some(scope);
        while let Some(id) = current {
            let s = &self.scopes[id];
            if s.kind == ScopeKind::Function && !self.import_time.contains_key(&id) {
                outermost = Some((id, s.def));
            }
            current = s.parent;
        }
        let (id, def) = outermost?;
        Some((id, def?))
    }
}

/// The last statement of the module header: docstring, then `from __future__` imports.
fn header_end(body: &[Stmt]) -> Option<TextRange> {
    let mut end = None;
    for (i, stmt) in body.iter().enumerate() {
        match stmt {
            Stmt::Expr(e) if i == 0 && e.value.is_string_literal_expr() => end = Some(stmt.range()),
            Stmt::ImportFrom(f) if f.module.as_deref() == Some("__future__") => {
                end = Some(stmt.range());
            }
            _ => break,
        }
    }
    end
}

/// Names bound by imports inside functions and classes (at any depth).
fn collect_local_import_names<'a>(body: &'a [Stmt], inside: bool, out: &mut HashSet<&'a str>) {
    for stmt in body {
        match stmt {
            Stmt::Import(s) if inside => out.extend(s.names.iter().map(|a| bound_name(a, false))),
            Stmt::ImportFrom(s) if inside => out.extend(
                s.names
                    .iter()
                    .filter(|a| a.name.as_str() != "*")
                    .map(|a| bound_name(a, true)),
            ),
            Stmt::FunctionDef(f) => collect_local_import_names(&f.body, true, out),
            Stmt::ClassDef(c) => collect_local_import_names(&c.body, true, out),
            Stmt::If(s) => {
                collect_local_import_names(&s.body, inside, out);
                for clause in &s.elif_else_clauses {
                    collect_local_import_names(&clause.body, inside, out);
                }
            }
            Stmt::Try(s) => {
                collect_local_import_names(&s.body, inside, out);
                for ast::ExceptHandler::ExceptHandler(h) in &s.handlers {
                    collect_local_import_names(&h.body, inside, out);
                }
                collect_local_import_names(&s.orelse, inside, out);
                collect_local_import_names(&s.finalbody, inside, out);
            }
            Stmt::With(s) => collect_local_import_names(&s.body, inside, out),
            Stmt::For(s) => {
                collect_local_import_names(&s.body, inside, out);
                collect_local_import_names(&s.orelse, inside, out);
            }
            Stmt::While(s) => {
                collect_local_import_names(&s.body, inside, out);
                collect_local_import_names(&s.orelse, inside, out);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    collect_local_import_names(&case.body, inside, out);
                }
            }
            _ => {}
        }
    }
}

/// Every statement that runs at module scope: the module's own, and those in its `if`, `try`, `with`, loops and
/// `match` at any depth, but not in functions or classes.
fn for_each_module_scope_stmt<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    for stmt in body {
        f(stmt);
        match stmt {
            Stmt::If(s) => {
                for_each_module_scope_stmt(&s.body, f);
                for clause in &s.elif_else_clauses {
                    for_each_module_scope_stmt(&clause.body, f);
                }
            }
            Stmt::Try(s) => {
                for_each_module_scope_stmt(&s.body, f);
                for ast::ExceptHandler::ExceptHandler(h) in &s.handlers {
                    for_each_module_scope_stmt(&h.body, f);
                }
                for_each_module_scope_stmt(&s.orelse, f);
                for_each_module_scope_stmt(&s.finalbody, f);
            }
            Stmt::With(s) => for_each_module_scope_stmt(&s.body, f),
            Stmt::For(s) => {
                for_each_module_scope_stmt(&s.body, f);
                for_each_module_scope_stmt(&s.orelse, f);
            }
            Stmt::While(s) => {
                for_each_module_scope_stmt(&s.body, f);
                for_each_module_scope_stmt(&s.orelse, f);
            }
            Stmt::Match(s) => {
                for case in &s.cases {
                    for_each_module_scope_stmt(&case.body, f);
                }
            }
            _ => {}
        }
    }
}

/// Names bound by imports outside functions and classes.
fn collect_module_import_names<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
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
struct Prefilter {
    /// Bit `min(len, 63)` of every name's length.
    lengths: u64,
    /// Bit `b` of every name's first byte `b`.
    first_bytes: [u64; 4],
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
    fn may_contain(&self, name: &str) -> bool {
        let Some(&b) = name.as_bytes().first() else {
            return false;
        };
        self.lengths & (1 << name.len().min(63)) != 0
            && self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// The names the walk follows (those bound by imports), each with a number.
struct Tracked<'a> {
    names: Vec<&'a str>,
    ids: HashMap<&'a str, usize>,
    filter: Prefilter,
}

impl<'a> Tracked<'a> {
    /// `names` in a fixed order: a name's number is its position.
    fn new(names: Vec<&'a str>) -> Self {
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
    fn id(&self, name: &str) -> Option<usize> {
        if !self.filter.may_contain(name) {
            return None;
        }
        self.ids.get(name).copied()
    }

    fn contains(&self, name: &str) -> bool {
        self.id(name).is_some()
    }
}

/// The names a module-level `def`, `class` or `name = lambda ...` binds: the only callees whose calls the
/// import-time analysis follows ([`Walker::import_time_scopes`]).
struct Callables<'a> {
    names: HashSet<&'a str>,
    filter: Prefilter,
}

impl<'a> Callables<'a> {
    fn new(body: &'a [Stmt]) -> Self {
        let mut names = HashSet::default();
        collect_module_callables(body, &mut names);
        Self {
            filter: names.iter().copied().collect(),
            names,
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.filter.may_contain(name) && self.names.contains(name)
    }
}

/// Names bound at module scope (in any module-level block, not in functions or classes) by `def`, `class`,
/// `name = lambda ...` and `name = (generator expression)`, and the names of functions nested in functions
/// (calls of those are resolved against the enclosing functions first).
fn collect_module_callables<'a>(body: &'a [Stmt], out: &mut HashSet<&'a str>) {
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

struct Walker<'a> {
    global_decls: Vec<(&'a str, TextRange)>,
    source: &'a str,
    /// Inside an annotation: string literals there are forward references.
    in_annotation: bool,
    /// The annotation being visited is resolved by name when the class is created.
    annotation_introspected: bool,
    tracked: Tracked<'a>,
    callables: Callables<'a>,
    scopes: Vec<Scope<'a>>,
    scope: ScopeId,
    exec_scope: ScopeId,
    ctx: Ctx,
    placement: Placement,
    annotations_deferred: bool,
    /// Module-level classes whose annotations are evaluated when the class is created (dataclass-like).
    evaluating_classes: HashSet<&'a str>,
    imports: Vec<ImportStmt<'a>>,
    /// References by the number of the name they read ([`Tracked`]), in the order of the walk.
    raw_refs: Vec<Vec<Reference<'a>>>,
    rebindings: Vec<Rebinding<'a>>,
    dynamic: Vec<Dynamic<'a>>,
    import_time_eval: Option<TextRange>,
    all_names: HashSet<&'a str>,
    has_all: bool,
    lazy_modules: Vec<LazyModulesDef>,
    import_state_change: Option<TextRange>,
    warnings_change: Option<TextRange>,
    /// Function scopes (and lambdas) that change the import system or the warning filters themselves: the
    /// first such statement.
    direct_changes: HashMap<ScopeId, (StateChange, TextRange)>,
    /// Inside `with warnings.catch_warnings():`, which restores the filters on exit.
    in_catch_warnings: bool,
    /// Names that stand for `sys`, `os`, `warnings` or one of their attributes under another name.
    aliases: HashMap<&'a str, String>,
    /// Names bound to this module's object (`this = sys.modules[__name__]`).
    module_aliases: HashSet<&'a str>,
    /// Module-level names bound to a generator expression (`gen = (f(x) for x in xs)`): its body runs when
    /// something iterates it, which a read of the name may do.
    generator_names: HashSet<&'a str>,
    /// `def` nested in a function: (enclosing function scope, name) → the nested function's scope.
    local_defs: HashMap<(ScopeId, &'a str), ScopeId>,
    /// Module-level `def name` → its scope.
    module_functions: HashMap<&'a str, ScopeId>,
    /// Module-level `class name` → scopes of its `__init__`, `__new__`, `__post_init__`.
    module_classes: HashMap<&'a str, Vec<ScopeId>>,
    /// Calls of plain names: (caller exec scope, callee name, call range, context, the scope the call sits in).
    calls: Vec<(ScopeId, Callee<'a>, TextRange, Ctx, ScopeId)>,
    /// Methods of module-level classes: class → method → scope.
    class_methods: HashMap<&'a str, HashMap<&'a str, ScopeId>>,
    /// Nesting depth of compound statements at module level (0: a top-level statement).
    depth: usize,
}

impl<'a> Walker<'a> {
    fn push_scope(&mut self, kind: ScopeKind) -> ScopeId {
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

    fn at_module_scope(&self) -> bool {
        self.scope == 0
    }

    fn bind(&mut self, name: &'a str, range: TextRange) {
        if !self.tracked.contains(name) {
            return;
        }
        let scope = self.binding_scope();
        if scope == 0 {
            self.rebindings.push(Rebinding { name, range });
            return;
        }
        let s = &self.scopes[scope];
        if s.globals.contains(name) {
            self.rebindings.push(Rebinding { name, range });
        } else {
            self.scopes[scope].bindings.insert(name);
            self.scopes[scope].other_bindings.insert(name);
        }
    }

    /// An import inside a function or class binds there.
    fn bind_import(&mut self, name: &'a str, range: TextRange) {
        if !self.tracked.contains(name) {
            return;
        }
        if self.scopes[self.scope].globals.contains(name) {
            self.rebindings.push(Rebinding { name, range });
        } else {
            self.scopes[self.scope].bindings.insert(name);
        }
    }

    /// The scope a plain binding lands in (comprehension targets bind in the comprehension).
    fn binding_scope(&self) -> ScopeId {
        self.scope
    }

    #[inline]
    fn reference(&mut self, name: &'a str, range: TextRange, attr: Option<&'a str>) {
        if let Some(id) = self.tracked.id(name) {
            self.record_reference(id, name, range, self.ctx, attr);
        }
    }

    /// A read of `name`, tracked name number `id`, in the current scope.
    fn record_reference(
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
            binding_scope: 0,
        });
    }

    /// The function or comprehension scope whose binding a read of `name` in `scope` sees; `None` for the
    /// module's binding (or a builtin).
    fn binding_scope_of(&self, name: &str, scope: ScopeId) -> Option<ScopeId> {
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

    /// The scopes a call of `callee` made in `scope` may run: a function defined in an enclosing function
    /// under that name (which hides a module-level one), else the module-level function, class constructor or
    /// method.
    fn call_targets(&self, callee: &Callee<'_>, scope: ScopeId) -> Vec<ScopeId> {
        let mut out = Vec::new();
        match callee {
            Callee::Name(name) => {
                let mut current = Some(scope);
                while let Some(id) = current {
                    if id == 0 {
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
    /// as a decorator) while the module is imported, directly or through other such functions.
    fn import_time_scopes(&self) -> HashMap<ScopeId, TextRange> {
        let mut marked: HashMap<ScopeId, TextRange> = HashMap::default();
        let mut work: Vec<(ScopeId, TextRange)> = Vec::new();
        for (caller, callee, range, ctx, scope) in &self.calls {
            if *caller == 0 && *ctx == Ctx::ImportTime {
                for target in self.call_targets(callee, *scope) {
                    work.push((target, *range));
                }
            }
        }
        if work.is_empty() {
            return marked;
        }
        let by_caller = self.deferred_calls();
        while let Some((scope, range)) = work.pop() {
            if marked.contains_key(&scope) {
                continue;
            }
            marked.insert(scope, range);
            for (callee, _, lexical) in by_caller.get(&scope).into_iter().flatten() {
                for target in self.call_targets(callee, *lexical) {
                    work.push((target, range));
                }
            }
        }
        marked
    }

    /// The calls made in function bodies, by the function that makes them.
    fn deferred_calls(&self) -> HashMap<ScopeId, Vec<(&Callee<'a>, TextRange, ScopeId)>> {
        let mut by_caller: HashMap<ScopeId, Vec<(&Callee<'a>, TextRange, ScopeId)>> =
            HashMap::default();
        for (caller, callee, range, ctx, scope) in &self.calls {
            if *caller != 0 && *ctx == Ctx::Deferred {
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
    fn state_changers(&self) -> HashMap<ScopeId, (StateChange, TextRange)> {
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

    fn with_ctx(&mut self, ctx: Ctx, f: impl FnOnce(&mut Self)) {
        let saved = self.ctx;
        // A weaker context never overrides a stronger one: nothing under `if TYPE_CHECKING:` ever runs.
        if !(saved == Ctx::TypeChecking || (saved == Ctx::Annotation && ctx != Ctx::TypeChecking)) {
            self.ctx = ctx;
        }
        f(self);
        self.ctx = saved;
    }

    fn visit_annotation_expr(&mut self, expr: &'a Expr, evaluated: bool) {
        self.visit_annotation_expr_by(expr, evaluated, false);
    }

    /// `introspected`: the annotation is resolved by name (dataclass-like classes), so even a string
    /// annotation's names are read; a plainly evaluated string annotation stays a string.
    fn visit_annotation_expr_by(&mut self, expr: &'a Expr, evaluated: bool, introspected: bool) {
        let saved_introspected = std::mem::replace(&mut self.annotation_introspected, introspected);
        let saved = std::mem::replace(&mut self.in_annotation, true);
        if evaluated {
            self.visit_expr(expr);
        } else {
            self.with_ctx(Ctx::Annotation, |w| w.visit_expr(expr));
        }
        self.in_annotation = saved;
        self.annotation_introspected = saved_introspected;
    }

    /// A string annotation (`"np.ndarray"`): its names are references where the string sits. When evaluated
    /// (dataclass-like classes, `get_type_hints`), they are read like any other annotation.
    fn visit_string_annotation(&mut self, literal: &'a ast::ExprStringLiteral) {
        let Some(part) = literal.as_single_part_string() else {
            return;
        };
        let Ok(parsed) = ruff_python_parser::parse_string_annotation(self.source, part) else {
            return;
        };
        let mut names = Vec::new();
        collect_names(parsed.expr(), &mut names);
        let range = literal.range();
        // Evaluating a string annotation gives the string: only name-resolving machinery reads its names.
        let ctx = if self.annotation_introspected || self.ctx != Ctx::ImportTime {
            self.ctx
        } else {
            Ctx::Annotation
        };
        for (name, attr) in names {
            let Some(id) = self.tracked.id(name.as_str()) else {
                continue;
            };
            let attr = attr.and_then(|a| self.tracked_attr(&a));
            self.record_reference(id, self.tracked.names[id], range, ctx, attr);
        }
    }

    /// Attribute names in string annotations are owned by a temporary parse; keep the ones the `import a.b`
    /// check compares with, by finding the same text among import statements' dotted names.
    fn tracked_attr(&self, attr: &str) -> Option<&'a str> {
        self.imports.iter().find_map(|import| {
            import
                .aliases()
                .iter()
                .find_map(|alias| alias.name.as_str().split('.').find(|part| *part == attr))
        })
    }

    fn visit_function(&mut self, f: &'a ast::StmtFunctionDef, class_scope: Option<&'a str>) {
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

    /// A call of `callee`, kept only where [`Self::import_time_scopes`] looks: a module-level function, class or
    /// class method called at import time at module level, or in a function body.
    fn note_call(&mut self, callee: Callee<'a>, range: TextRange) {
        let followed_ctx = if self.exec_scope == 0 {
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

    fn record_decorator_call(&mut self, expr: &'a Expr) {
        // `@helper` and `@helper(...)` call `helper` when the decorated statement runs.
        let target = match expr {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        if let Expr::Name(n) = target {
            self.note_call(Callee::Name(n.id.as_str()), expr.range());
        }
    }

    fn visit_class(&mut self, c: &'a ast::StmtClassDef) {
        for decorator in &c.decorator_list {
            self.visit_expr(&decorator.expression);
            self.record_decorator_call(&decorator.expression);
        }
        // A decorator this file defines itself (`def define(cls): ...`) is not the library one of that name.
        let mut evaluating = c.decorator_list.iter().any(|d| {
            let name = dotted(call_target(&d.expression));
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
                let name = dotted(call_target(base));
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

    fn visit_target(&mut self, target: &'a Expr) {
        self.visit_expr(target);
    }

    /// `dotted(expr)` with a leading alias spelled out: `sys.path` for `_sys.path` after `import sys as _sys`, or
    /// for `path` after `from sys import path`.
    fn canonical(&self, expr: &Expr) -> String {
        canonical_with(expr, &self.aliases)
    }

    /// `sys.modules[__name__]` (see [`is_this_module_with`]), or a name bound to it.
    fn is_this_module(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => self.is_module_alias(n.id.as_str()),
            other => is_this_module_with(other, &self.aliases),
        }
    }

    #[inline]
    fn is_module_alias(&self, name: &str) -> bool {
        !self.module_aliases.is_empty() && self.module_aliases.contains(name)
    }

    /// What a statement changes that a deferred import would see differently: the import system, or the
    /// warning filters.
    fn state_change(&self, stmt: &'a Stmt) -> Option<StateChange> {
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

    fn is_import_state_target(&self, target: &Expr) -> bool {
        match target {
            Expr::Subscript(s) => is_import_state_path(&self.canonical(&s.value)),
            other => is_import_state_path(&self.canonical(other)),
        }
    }

    /// `warnings.filters = ...`, `warnings.filters[:] = ...`.
    fn is_warning_filters_target(&self, target: &Expr) -> bool {
        let base = match target {
            Expr::Subscript(s) => &*s.value,
            other => other,
        };
        self.canonical(base) == "warnings.filters"
    }

    /// Statements that change how imports resolve or which warnings show: at module level they keep every
    /// import eager; in a function they count for that function (and for whoever calls it at import time).
    fn note_import_state_change(&mut self, stmt: &'a Stmt) {
        let Some(kind) = self.state_change(stmt) else {
            return;
        };
        if self.at_module_scope() {
            let slot = match kind {
                StateChange::ImportSystem => &mut self.import_state_change,
                StateChange::WarningFilters => &mut self.warnings_change,
            };
            slot.get_or_insert(stmt.range());
        } else if self.exec_scope != 0 {
            self.direct_changes
                .entry(self.exec_scope)
                .or_insert((kind, stmt.range()));
        }
    }

    fn note_all_and_lazy_modules(&mut self, stmt: &'a Stmt) {
        if !self.at_module_scope() {
            return;
        }
        match stmt {
            Stmt::Assign(a) => {
                for target in &a.targets {
                    if let Expr::Name(n) = target {
                        if n.id.as_str() == "__all__" {
                            self.has_all = true;
                            self.add_all_entries(&a.value);
                        } else if n.id.as_str() == "__lazy_modules__" {
                            self.lazy_modules
                                .push(classify_lazy_modules(stmt.range(), &a.value));
                        }
                    } else if binds_lazy_modules(target) {
                        // `__lazy_modules__, x = [...], 1`: bound by unpacking, which lazify cannot extend.
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                    if n.id.as_str() == "__all__" {
                        self.has_all = true;
                        self.add_all_entries(value);
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(classify_lazy_modules(stmt.range(), value));
                    }
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    if n.id.as_str() == "__all__" {
                        self.add_all_entries(&a.value);
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = &*e.value
                    && let Expr::Attribute(attr) = &*call.func
                    && let Expr::Name(n) = &*attr.value
                {
                    if n.id.as_str() == "__all__" {
                        for arg in &call.arguments.args {
                            if attr.attr.as_str() == "append" {
                                if let Expr::StringLiteral(s) = arg {
                                    self.all_names.insert(s.value.to_str());
                                }
                            } else {
                                self.add_all_entries(arg);
                            }
                        }
                    } else if n.id.as_str() == "__lazy_modules__" {
                        self.lazy_modules
                            .push(LazyModulesDef::Opaque { stmt: stmt.range() });
                    }
                }
            }
            _ => {}
        }
    }

    fn add_all_entries(&mut self, value: &'a Expr) {
        let elts: &[Expr] = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::BinOp(b) => {
                self.add_all_entries(&b.left);
                self.add_all_entries(&b.right);
                return;
            }
            _ => return,
        };
        for elt in elts {
            if let Expr::StringLiteral(s) = elt {
                self.all_names.insert(s.value.to_str());
            }
        }
    }

    fn dynamic_access(&mut self, key: Option<&'a str>, range: TextRange, kind: DynamicKind) {
        self.dynamic.push(Dynamic { key, range, kind });
    }

    /// `globals()`, `vars()`, `locals()` (module level), `frame.f_globals`, `sys.modules[__name__]`, `eval`,
    /// `exec`. Returns whether the expression was fully handled (its children visited or irrelevant).
    fn note_dynamic(&mut self, expr: &'a Expr) -> bool {
        let module_scope = self.at_module_scope();
        match expr {
            Expr::Subscript(sub) => {
                // `globals()["name"]`, `frame.f_globals["name"]`: one name.
                if is_namespace_dict(&sub.value, module_scope)
                    && let Expr::StringLiteral(s) = &*sub.slice
                {
                    self.dynamic_access(Some(s.value.to_str()), expr.range(), DynamicKind::Dict);
                    self.visit_namespace_base(&sub.value);
                    return true;
                }
                if self.is_this_module(expr) {
                    // Attribute reads on the module object resolve lazy names; a function-local name is gone.
                    self.dynamic_access(None, expr.range(), DynamicKind::ModuleObject);
                    return true;
                }
                // `sys.modules[name]` with a computed name, read while the module is imported: it may be this
                // module, whatever is done with it next.
                if sub.ctx == ExprContext::Load
                    && self.ctx == Ctx::ImportTime
                    && !sub.slice.is_string_literal_expr()
                    && is_sys_modules_with(&sub.value, &self.aliases)
                {
                    self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                    self.visit_expr(&sub.slice);
                    return true;
                }
                false
            }
            Expr::Attribute(attr) => {
                match attr.attr.as_str() {
                    // `sys.modules[__name__].__dict__`, `this.__dict__`
                    "__dict__" if self.is_this_module(&attr.value) => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        true
                    }
                    // `frame.f_globals`, `function.__globals__`: the module's globals (any module's, as far as
                    // one file can tell).
                    "f_globals" | "__globals__" => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        self.visit_expr(&attr.value);
                        true
                    }
                    // `sys._getframe().f_locals` at module level is the module's namespace; in a function, its
                    // own frame's `f_locals` is its locals, and another frame's may be the module's.
                    "f_locals" => {
                        if self.exec_scope != 0 && self.is_own_frame(&attr.value) {
                            self.scopes[self.exec_scope]
                                .reads_locals
                                .get_or_insert(expr.range());
                        } else {
                            self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        }
                        self.visit_expr(&attr.value);
                        true
                    }
                    _ => false,
                }
            }
            Expr::Call(call) if self.note_namespace_call(expr, call, module_scope) => true,
            Expr::Call(call) => {
                // `globals().get("name")`, `frame.f_globals.get("name")`: one name.
                if let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "get"
                    && is_namespace_dict(&attr.value, module_scope)
                    && let Some(Expr::StringLiteral(s)) = call.arguments.args.first()
                {
                    self.dynamic_access(Some(s.value.to_str()), expr.range(), DynamicKind::Dict);
                    self.visit_namespace_base(&attr.value);
                    self.visit_arguments(&call.arguments);
                    return true;
                }
                if is_namespace_call(expr, module_scope) {
                    self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                    return true;
                }
                let Expr::Name(n) = &*call.func else {
                    return false;
                };
                match n.id.as_str() {
                    // `vars(sys.modules[__name__])`
                    "vars"
                        if call
                            .arguments
                            .args
                            .first()
                            .is_some_and(|a| self.is_this_module(a)) =>
                    {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        true
                    }
                    // `__import__(name, globals(), ...)` reads only `__name__`, `__package__`, `__spec__`.
                    "__import__" => {
                        for arg in &call.arguments.args {
                            if !is_namespace_call(arg, module_scope) {
                                self.visit_expr(arg);
                            }
                        }
                        for keyword in &call.arguments.keywords {
                            if !is_namespace_call(&keyword.value, module_scope) {
                                self.visit_expr(&keyword.value);
                            }
                        }
                        true
                    }
                    // Code run with this module's globals reads names one by one (a lazy name resolves), but a
                    // function-local import is invisible to it.
                    "eval" | "exec" => {
                        let args = &call.arguments.args;
                        let own_globals = args.len() < 2
                            || args
                                .get(1)
                                .is_some_and(|g| is_namespace_call(g, module_scope))
                            || call.arguments.keywords.iter().any(|k| {
                                k.arg.as_ref().is_some_and(|a| a.as_str() == "globals")
                                    && is_namespace_call(&k.value, module_scope)
                            });
                        if !own_globals {
                            return false;
                        }
                        self.dynamic_access(None, expr.range(), DynamicKind::Exec);
                        if self.ctx == Ctx::ImportTime && self.import_time_eval.is_none() {
                            self.import_time_eval = Some(expr.range());
                        }
                        for arg in args.iter().take(1) {
                            self.visit_expr(arg);
                        }
                        for arg in args.iter().skip(1) {
                            if !is_namespace_call(arg, module_scope) {
                                self.visit_expr(arg);
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            Expr::Compare(cmp) => {
                // `"name" in globals()` only tests membership, which a lazy binding passes.
                if cmp.comparators.len() == 1
                    && is_namespace_dict(&cmp.comparators[0], module_scope)
                    && matches!(cmp.ops[0], ast::CmpOp::In | ast::CmpOp::NotIn)
                {
                    self.visit_expr(&cmp.left);
                    self.visit_namespace_base(&cmp.comparators[0]);
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// A comprehension: the first iterable runs in the enclosing scope, the rest in the comprehension's own.
    /// `deferred`: a generator bound to a module-level name, whose body runs only when something iterates it
    /// (a read of the name counts as a call, see [`Self::note_special_name`]); its scope is then an execution
    /// scope of its own.
    fn visit_comprehension(&mut self, expr: &'a Expr, deferred: bool) -> ScopeId {
        let (generators, elts): (&'a [ast::Comprehension], Vec<&'a Expr>) = match expr {
            Expr::ListComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::SetComp(c) => (&c.generators, vec![&*c.elt]),
            Expr::Generator(c) => (&c.generators, vec![&*c.elt]),
            Expr::DictComp(c) => (
                &c.generators,
                c.key.iter().map(|k| &**k).chain([&*c.value]).collect(),
            ),
            _ => return self.scope,
        };
        // The first iterable is evaluated in the enclosing scope; `for k in globals()` reads names only.
        if let Some(first) = generators.first() {
            if is_namespace_call(&first.iter, self.at_module_scope()) {
                self.dynamic_access(None, first.iter.range(), DynamicKind::Keys);
            } else {
                self.visit_expr(&first.iter);
            }
        }
        let scope = self.push_scope(ScopeKind::Comprehension);
        let (saved_scope, saved_exec) = (self.scope, self.exec_scope);
        self.scope = scope;
        let body = |w: &mut Self| {
            for (i, generator) in generators.iter().enumerate() {
                w.visit_expr(&generator.target);
                if i > 0 {
                    w.visit_expr(&generator.iter);
                }
                for cond in &generator.ifs {
                    w.visit_expr(cond);
                }
            }
            for elt in elts {
                w.visit_expr(elt);
            }
        };
        if deferred {
            self.exec_scope = scope;
            self.with_ctx(Ctx::Deferred, body);
        } else {
            body(self);
        }
        self.scope = saved_scope;
        self.exec_scope = saved_exec;
        scope
    }

    /// `sys._getframe()`, `sys._getframe(0)`, `inspect.currentframe()`: the running function's own frame.
    fn is_own_frame(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else { return false };
        let name = self.canonical(&call.func);
        match name.as_str() {
            "sys._getframe" => match call.arguments.args.as_ref() {
                [] => true,
                [Expr::NumberLiteral(n)] => {
                    matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0))
                }
                _ => false,
            },
            "inspect.currentframe" => call.arguments.args.is_empty(),
            _ => false,
        }
    }

    /// Namespace reads that see only names, or write known names: `dir()` and `globals().keys()` (names only),
    /// `globals().update(a=1)` (binds `a`), and the helpers called on a name bound to the module object
    /// (`getattr(this, "x")`). Returns whether the call was fully handled.
    fn note_namespace_call(
        &mut self,
        expr: &'a Expr,
        call: &'a ast::ExprCall,
        module_scope: bool,
    ) -> bool {
        match &*call.func {
            Expr::Name(n) => match n.id.as_str() {
                "dir" if module_scope && call.arguments.is_empty() => {
                    self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                    true
                }
                "getattr" | "hasattr" | "setattr" | "delattr"
                    if call.arguments.args.first().is_some_and(
                        |a| matches!(a, Expr::Name(m) if self.is_module_alias(m.id.as_str())),
                    ) =>
                {
                    match call.arguments.args.get(1) {
                        Some(Expr::StringLiteral(s)) => {
                            self.module_object_read(s.value.to_str(), expr.range());
                        }
                        _ => self.dynamic_access(None, expr.range(), DynamicKind::ModuleObject),
                    }
                    for arg in call.arguments.args.iter().skip(1) {
                        self.visit_expr(arg);
                    }
                    true
                }
                _ if is_namespace_keys(expr, module_scope) => {
                    self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                    true
                }
                _ => false,
            },
            Expr::Attribute(a) if is_namespace_call(&a.value, module_scope) => {
                match a.attr.as_str() {
                    "keys" if call.arguments.is_empty() => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                        true
                    }
                    // `globals().update(a=1)`, `globals().update({"a": 1})`: binds those names, like `a = 1`.
                    "update" => {
                        let mut keys: Vec<(&'a str, TextRange)> = Vec::new();
                        let mut known = true;
                        for keyword in &call.arguments.keywords {
                            match &keyword.arg {
                                Some(arg) => keys.push((arg.as_str(), keyword.range())),
                                None => known = false,
                            }
                        }
                        for arg in &call.arguments.args {
                            match arg {
                                Expr::Dict(d) => {
                                    for item in &d.items {
                                        match &item.key {
                                            Some(Expr::StringLiteral(s)) => {
                                                keys.push((s.value.to_str(), item.range()));
                                            }
                                            _ => known = false,
                                        }
                                    }
                                }
                                _ => known = false,
                            }
                        }
                        if !known {
                            return false;
                        }
                        for (key, range) in keys {
                            if self.tracked.contains(key) {
                                self.rebindings.push(Rebinding { name: key, range });
                            }
                        }
                        for keyword in &call.arguments.keywords {
                            self.visit_expr(&keyword.value);
                        }
                        for arg in &call.arguments.args {
                            if let Expr::Dict(d) = arg {
                                for item in &d.items {
                                    self.visit_expr(&item.value);
                                }
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// `g = frame.f_globals` (or `... if frame is not None else None`) in a function, where every use of `g` in
    /// the function is `g.get("key")`, `g["key"]`, `"key" in g` or an `is None` test: only those keys are read.
    /// Returns whether the statement was handled.
    fn note_namespace_alias(&mut self, assign: &'a ast::StmtAssign) -> bool {
        let [Expr::Name(target)] = assign.targets.as_slice() else {
            return false;
        };
        let Some(def) = self.scopes[self.scope].def else {
            return false;
        };
        let (namespace, rest): (&'a Expr, Option<&'a ast::ExprIf>) = match &*assign.value {
            value @ Expr::Attribute(a) if a.attr.as_str() == "f_globals" => (value, None),
            Expr::If(if_exp) => match (&*if_exp.body, &*if_exp.orelse) {
                (value @ Expr::Attribute(a), Expr::NoneLiteral(_))
                | (Expr::NoneLiteral(_), value @ Expr::Attribute(a))
                    if a.attr.as_str() == "f_globals" =>
                {
                    (value, Some(if_exp))
                }
                _ => return false,
            },
            _ => return false,
        };
        let mut uses = AliasUses {
            name: target.id.as_str(),
            keys: Vec::new(),
            other: false,
        };
        uses.visit_body(&def.body);
        if uses.other {
            return false;
        }
        for key in uses.keys {
            self.dynamic_access(Some(key), namespace.range(), DynamicKind::Dict);
        }
        if let Some(if_exp) = rest {
            self.visit_expr(&if_exp.test);
        }
        self.visit_namespace_base(namespace);
        self.visit_expr(&assign.targets[0]);
        true
    }

    /// Visits what a namespace expression is taken from (`frame` in `frame.f_globals`).
    fn visit_namespace_base(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(attr) = expr {
            self.visit_expr(&attr.value);
        }
    }
}

/// The uses of a local name bound to a namespace dict: literal keys read, or `other` for any other use.
struct AliasUses<'a> {
    name: &'a str,
    keys: Vec<&'a str>,
    other: bool,
}

impl<'a> Visitor<'a> for AliasUses<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let is_alias = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == self.name);
        match expr {
            // `g.get("key", ...)`
            Expr::Call(call) if matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "get" && is_alias(&a.value)) => {
                match call.arguments.args.first() {
                    Some(Expr::StringLiteral(s)) if call.arguments.keywords.is_empty() => {
                        self.keys.push(s.value.to_str());
                        for arg in &call.arguments.args[1..] {
                            self.visit_expr(arg);
                        }
                    }
                    _ => self.other = true,
                }
            }
            // `g["key"]` (read, write or delete: all touch only that key)
            Expr::Subscript(sub) if is_alias(&sub.value) => match &*sub.slice {
                Expr::StringLiteral(s) => self.keys.push(s.value.to_str()),
                _ => self.other = true,
            },
            // `"key" in g`, `g is None`, `g is not None`
            Expr::Compare(cmp) if cmp.comparators.len() == 1 => {
                let (left, right) = (&*cmp.left, &cmp.comparators[0]);
                match cmp.ops[0] {
                    ast::CmpOp::In | ast::CmpOp::NotIn if is_alias(right) => self.visit_expr(left),
                    ast::CmpOp::Is | ast::CmpOp::IsNot
                        if is_alias(left) && right.is_none_literal_expr()
                            || is_alias(right) && left.is_none_literal_expr() => {}
                    _ => visitor::walk_expr(self, expr),
                }
            }
            Expr::Name(n) if n.id.as_str() == self.name => {
                // The assignment itself is a store; any other use (passing `g` on, `del g`) is not tracked.
                if !matches!(n.ctx, ExprContext::Store) {
                    self.other = true;
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// `globals()` (or module-level `vars()`/`locals()`) or `<frame>.f_globals`.
fn is_namespace_dict(expr: &Expr, module_scope: bool) -> bool {
    is_namespace_call(expr, module_scope)
        || matches!(expr, Expr::Attribute(a) if a.attr.as_str() == "f_globals")
}

/// `sys.modules[__name__]` or `sys.modules.get(__name__)` (also with `sys` under another name).
fn is_this_module_with(expr: &Expr, aliases: &HashMap<&str, String>) -> bool {
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    match expr {
        Expr::Subscript(sub) => is_name(&sub.slice) && is_sys_modules_with(&sub.value, aliases),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "get"
                && is_sys_modules_with(&a.value, aliases))
                && call.arguments.args.first().is_some_and(is_name)
        }
        _ => false,
    }
}

fn is_sys_modules_with(expr: &Expr, aliases: &HashMap<&str, String>) -> bool {
    is_dotted(expr, "sys.modules")
        || (!aliases.is_empty() && canonical_with(expr, aliases) == "sys.modules")
}

/// `dotted(expr)` with a leading alias spelled out (see [`collect_aliases`]).
fn canonical_with(expr: &Expr, aliases: &HashMap<&str, String>) -> String {
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

/// `list(globals())`, `sorted(vars())`, `len(globals())`, `globals().keys()`: only the names are read.
fn is_namespace_keys(expr: &Expr, module_scope: bool) -> bool {
    let Expr::Call(call) = expr else { return false };
    match &*call.func {
        Expr::Attribute(a) => {
            a.attr.as_str() == "keys"
                && call.arguments.args.is_empty()
                && is_namespace_call(&a.value, module_scope)
        }
        Expr::Name(n) => {
            matches!(
                n.id.as_str(),
                "list" | "sorted" | "set" | "frozenset" | "tuple" | "len" | "iter"
            ) && call.arguments.keywords.is_empty()
                && matches!(call.arguments.args.as_ref(), [only] if is_namespace_call(only, module_scope))
        }
        _ => false,
    }
}

fn is_namespace_call(expr: &Expr, module_scope: bool) -> bool {
    let Expr::Call(call) = expr else { return false };
    let Expr::Name(n) = &*call.func else {
        return false;
    };
    let no_args = call.arguments.args.is_empty() && call.arguments.keywords.is_empty();
    match n.id.as_str() {
        "globals" => true,
        "vars" | "locals" => no_args && module_scope,
        _ => false,
    }
}

fn is_import_state_path(name: &str) -> bool {
    ["sys.path", "sys.meta_path", "sys.path_hooks", "sys.modules"]
        .iter()
        .any(|p| {
            name.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
}

/// The modules whose aliases the walk resolves: their attributes change the import system, the warning filters,
/// or reach the module's namespace.
const ALIASED_MODULES: &[&str] = &["sys", "os", "site", "warnings", "inspect"];

/// Names that stand for one of [`ALIASED_MODULES`] or one of its attributes, anywhere in the file:
/// `_sys` → `sys` for `import sys as _sys`, `path` → `sys.path` for `from sys import path`.
fn collect_aliases(body: &[Stmt]) -> HashMap<&str, String> {
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

/// Module-level names bound to a generator expression: `gen = (f(x) for x in xs)`.
fn collect_generator_names(body: &[Stmt]) -> HashSet<&str> {
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

/// Module-level names bound to this module's object: `this = sys.modules[__name__]`.
fn collect_module_aliases<'a>(
    body: &'a [Stmt],
    aliases: &HashMap<&str, String>,
) -> HashSet<&'a str> {
    let mut out = HashSet::default();
    for_each_module_scope_stmt(body, &mut |stmt| {
        if let Stmt::Assign(a) = stmt
            && let [Expr::Name(n)] = a.targets.as_slice()
            && is_this_module_with(&a.value, aliases)
        {
            out.insert(n.id.as_str());
        }
    });
    out
}

/// The name an attribute or subscript chain starts from (`sys` in `sys.path[0]`).
fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => root_name(&a.value),
        Expr::Subscript(s) => root_name(&s.value),
        _ => None,
    }
}

/// `warnings.simplefilter(...)`, `warnings.filterwarnings(...)`, `warnings.resetwarnings()`,
/// `warnings.filters.insert(...)` and the like.
fn is_warning_filter_call(name: &str) -> bool {
    matches!(
        name,
        "warnings.simplefilter" | "warnings.filterwarnings" | "warnings.resetwarnings"
    ) || name
        .strip_prefix("warnings.filters.")
        .is_some_and(|method| !method.contains('.'))
}

/// Whether an unpacking target (`a, __lazy_modules__ = ...`, `[*__lazy_modules__] = ...`) binds `__lazy_modules__`.
fn binds_lazy_modules(target: &Expr) -> bool {
    match target {
        Expr::Name(n) => n.id.as_str() == "__lazy_modules__",
        Expr::Tuple(t) => t.elts.iter().any(binds_lazy_modules),
        Expr::List(l) => l.elts.iter().any(binds_lazy_modules),
        Expr::Starred(s) => binds_lazy_modules(&s.value),
        _ => false,
    }
}

fn classify_lazy_modules(stmt: TextRange, value: &Expr) -> LazyModulesDef {
    let (elts, is_tuple_without_parens): (&[Expr], bool) = match value {
        Expr::List(l) => (&l.elts, false),
        Expr::Set(s) => (&s.elts, false),
        Expr::Tuple(t) => (&t.elts, !t.parenthesized),
        Expr::StringLiteral(_) => return LazyModulesDef::Str { stmt },
        Expr::NoneLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) => {
            return LazyModulesDef::NotContainer { stmt };
        }
        _ => return LazyModulesDef::Opaque { stmt },
    };
    let mut entries = Vec::with_capacity(elts.len());
    for elt in elts {
        match elt {
            Expr::StringLiteral(s) => entries.push(s.value.to_str().to_string()),
            _ => return LazyModulesDef::Opaque { stmt },
        }
    }
    if is_tuple_without_parens {
        return LazyModulesDef::Opaque { stmt };
    }
    LazyModulesDef::Literal {
        stmt,
        value: value.range(),
        entries,
        last_elt: elts.last().map(Ranged::range),
    }
}

/// Names read in a parsed string annotation, each with the attribute read right after it.
fn collect_names(expr: &Expr, out: &mut Vec<(String, Option<String>)>) {
    struct Names<'o>(&'o mut Vec<(String, Option<String>)>);
    impl<'b> Visitor<'b> for Names<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                Expr::Name(n) => self.0.push((n.id.to_string(), None)),
                Expr::Attribute(a) => {
                    if let Expr::Name(n) = &*a.value {
                        self.0.push((n.id.to_string(), Some(a.attr.to_string())));
                    } else {
                        visitor::walk_expr(self, expr);
                    }
                }
                Expr::Subscript(sub) if dotted(&sub.value).ends_with("Literal") => {
                    self.visit_expr(&sub.value);
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    Names(out).visit_expr(expr);
}

fn call_target(expr: &Expr) -> &Expr {
    match expr {
        Expr::Call(call) => &call.func,
        other => other,
    }
}

/// Whether `expr` is the chain of attributes `want` (`a.b.c`), without building its text as [`dotted`] does.
fn is_dotted(expr: &Expr, want: &str) -> bool {
    match expr {
        Expr::Name(n) => n.id.as_str() == want,
        Expr::Attribute(a) => want
            .strip_suffix(a.attr.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|rest| is_dotted(&a.value, rest)),
        _ => false,
    }
}

/// `a.b.c` for a chain of attributes on a name, `""` otherwise.
pub(crate) fn dotted(expr: &Expr) -> String {
    // A loop, not a recursion: chains of attributes can be tens of thousands long.
    let mut parts = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Attribute(a) => {
                parts.push(a.attr.as_str());
                current = &a.value;
            }
            Expr::Name(n) => {
                parts.push(n.id.as_str());
                break;
            }
            _ => return String::new(),
        }
    }
    parts.reverse();
    parts.join(".")
}

/// `TYPE_CHECKING` or `<module>.TYPE_CHECKING`, as the test of an `if`.
pub(crate) fn is_type_checking_test(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

pub(crate) fn is_main_test(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    if cmp.ops.len() != 1 || cmp.ops[0] != ast::CmpOp::Eq {
        return false;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&cmp.left) && is_main(&cmp.comparators[0]))
        || (is_main(&cmp.left) && is_name(&cmp.comparators[0]))
}

impl<'a> Walker<'a> {
    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        if self.depth == 0 || self.at_module_scope() {
            self.note_import_state_change(stmt);
            self.note_all_and_lazy_modules(stmt);
        } else if self.exec_scope != 0 {
            self.note_import_state_change(stmt);
        }
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                let import = ImportStmt {
                    stmt,
                    placement: self.placement.clone(),
                    scope: self.scope,
                };
                if !self.at_module_scope() {
                    let is_from = import.source_module().is_some();
                    for alias in import.aliases() {
                        self.bind_import(bound_name(alias, is_from), alias.range());
                    }
                }
                self.imports.push(import);
            }
            Stmt::FunctionDef(f) => self.visit_function(f, None),
            // `f_globals = frame.f_back.f_globals` in a function, read only with literal keys.
            Stmt::Assign(a) if self.note_namespace_alias(a) => {}
            // `name = (f(x) for x in xs)` at module level: the body runs when the generator is iterated, which
            // a read of `name` at import time may do.
            Stmt::Assign(a)
                if self.at_module_scope()
                    && a.value.is_generator_expr()
                    && matches!(a.targets.as_slice(), [Expr::Name(_)]) =>
            {
                let scope = self.visit_comprehension(&a.value, true);
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.module_functions.insert(n.id.as_str(), scope);
                    self.visit_expr(&a.targets[0]);
                }
            }
            // `name = lambda ...` at module level: a call of `name` at import time runs the lambda's body.
            Stmt::Assign(a)
                if self.at_module_scope()
                    && a.value.is_lambda_expr()
                    && matches!(a.targets.as_slice(), [Expr::Name(_)]) =>
            {
                let lambda_scope = self.scopes.len();
                visitor::walk_stmt(self, stmt);
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.module_functions.insert(n.id.as_str(), lambda_scope);
                }
            }
            Stmt::ClassDef(c) => self.visit_class(c),
            Stmt::Global(g) => {
                for name in &g.names {
                    let n = name.as_str();
                    if self.tracked.contains(n) {
                        self.scopes[self.scope].globals.insert(n);
                        self.global_decls.push((n, name.range()));
                    }
                }
            }
            Stmt::Nonlocal(g) => {
                for name in &g.names {
                    let n = name.as_str();
                    if self.tracked.contains(n) {
                        self.scopes[self.scope].nonlocals.insert(n);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                // Module-level annotations are evaluated at import time before 3.14; annotations of local
                // variables are never evaluated: in a function they are uses that run no earlier than the
                // function (a type checker reads them there).
                let evaluated = self.at_module_scope() && !self.annotations_deferred;
                if self.scopes[self.scope].kind == ScopeKind::Function {
                    let saved = std::mem::replace(&mut self.in_annotation, true);
                    self.visit_expr(&a.annotation);
                    self.in_annotation = saved;
                } else {
                    self.visit_annotation_expr(&a.annotation, evaluated);
                }
                if let Some(value) = &a.value {
                    self.visit_expr(value);
                }
                self.visit_expr(&a.target);
            }
            Stmt::TypeAlias(t) => {
                // `type X = ...`: the value is evaluated lazily.
                self.visit_expr(&t.name);
                if let Some(params) = &t.type_params {
                    self.with_ctx(Ctx::Annotation, |w| w.visit_type_params(params));
                }
                self.with_ctx(Ctx::Annotation, |w| w.visit_expr(&t.value));
            }
            Stmt::If(s) => {
                self.visit_expr(&s.test);
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                let saved_depth = self.depth;
                self.depth += 1;
                if is_type_checking_test(&s.test) {
                    let saved = self.placement.in_type_checking;
                    self.placement.in_type_checking = Some(s.test.range());
                    self.with_ctx(Ctx::TypeChecking, |w| w.visit_body(&s.body));
                    self.placement.in_type_checking = saved;
                } else if is_main_test(&s.test)
                    && self.ctx == Ctx::ImportTime
                    && self.at_module_scope()
                {
                    let saved = std::mem::replace(&mut self.placement.in_main, true);
                    self.with_ctx(Ctx::Main, |w| w.visit_body(&s.body));
                    self.placement.in_main = saved;
                } else {
                    self.visit_body(&s.body);
                }
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            Stmt::Try(t) => {
                let saved = self.placement.in_try;
                self.placement.in_try.get_or_insert(t.range());
                let saved_depth = self.depth;
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth = saved_depth;
                self.placement.in_try = saved;
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_with_item(item);
                }
                let saved = self.placement.in_with;
                let header_end = w.items.last().map_or(w.range().start(), Ranged::end);
                self.placement
                    .in_with
                    .get_or_insert(TextRange::new(w.range().start(), header_end));
                let saved_depth = self.depth;
                self.depth += 1;
                // `with warnings.catch_warnings():` restores the filters when the block ends.
                let restores_filters = w.items.iter().any(|item| {
                    self.canonical(call_target(&item.context_expr)) == "warnings.catch_warnings"
                });
                let saved_catch = self.in_catch_warnings;
                self.in_catch_warnings |= restores_filters;
                self.visit_body(&w.body);
                self.in_catch_warnings = saved_catch;
                self.depth = saved_depth;
                self.placement.in_with = saved;
            }
            // `for name in globals():` reads the names only.
            Stmt::For(f) if is_namespace_call(&f.iter, self.at_module_scope()) => {
                self.dynamic_access(None, f.iter.range(), DynamicKind::Keys);
                let saved_depth = self.depth;
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                self.depth += 1;
                self.visit_expr(&f.target);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::Match(_) => {
                let saved_depth = self.depth;
                let saved_block = self.placement.in_block;
                self.placement.in_block.get_or_insert(stmt.range());
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth = saved_depth;
                self.placement.in_block = saved_block;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
}

impl<'a> Walker<'a> {
    /// `name.attr` reads `name`, with the attribute read right after it; any other attribute's value is walked.
    #[inline]
    fn visit_attribute(&mut self, expr: &'a Expr, a: &'a ast::ExprAttribute) {
        match &*a.value {
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                let name = n.id.as_str();
                if self.is_module_alias(name) {
                    // `this.x`: an attribute of the module object, which reads the global `x`.
                    self.module_object_read(a.attr.as_str(), expr.range());
                    return;
                }
                self.reference(name, n.range(), Some(a.attr.as_str()));
                self.note_special_name(name, &a.value);
            }
            // `a.b.c`: the name with every attribute read after it.
            Expr::Attribute(inner) => {
                let mut first = inner;
                while let Expr::Attribute(deeper) = &*first.value {
                    first = deeper;
                }
                if let Expr::Name(n) = &*first.value
                    && n.ctx == ExprContext::Load
                    && let Some(id) = self.tracked.id(n.id.as_str())
                {
                    self.raw_refs[id].push(Reference {
                        name: self.tracked.names[id],
                        range: n.range(),
                        ctx: self.ctx,
                        scope: self.scope,
                        exec_scope: self.exec_scope,
                        attr: Some(first.attr.as_str()),
                        chain: Some(a),
                        binding_scope: 0,
                    });
                } else {
                    visitor::walk_expr(self, expr);
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    /// `this.x` or `getattr(this, "x")` on the module object: a read of the global `x` where it runs (a lazy
    /// binding resolves), which a name moved into a function would miss.
    fn module_object_read(&mut self, key: &'a str, range: TextRange) {
        self.dynamic_access(Some(key), range, DynamicKind::ModuleObject);
        if let Some(id) = self.tracked.id(key) {
            self.record_reference(id, self.tracked.names[id], range, self.ctx, None);
        }
    }

    /// A read of a name that is more than a reference: the module object under another name escapes (any of
    /// its names may be read), and a module-level generator may be iterated.
    #[inline]
    fn note_special_name(&mut self, name: &'a str, expr: &'a Expr) {
        if self.is_module_alias(name) {
            self.dynamic_access(None, expr.range(), DynamicKind::Dict);
        }
        if !self.generator_names.is_empty() && self.generator_names.contains(name) {
            self.note_call(Callee::Name(name), expr.range());
        }
    }

    /// Every expression `visit_expr` does not handle itself.
    #[inline(never)]
    fn visit_other_expr(&mut self, expr: &'a Expr) {
        if self.note_dynamic(expr) {
            return;
        }
        match expr {
            Expr::Attribute(a) => self.visit_attribute(expr, a),
            Expr::Call(call) => {
                if let Expr::Name(n) = &*call.func
                    && matches!(n.id.as_str(), "locals" | "vars" | "dir")
                    && call.arguments.args.is_empty()
                    && call.arguments.keywords.is_empty()
                    && self.exec_scope != 0
                {
                    self.scopes[self.exec_scope]
                        .reads_locals
                        .get_or_insert(expr.range());
                }
                let callee = match &*call.func {
                    Expr::Name(n) => Some(Callee::Name(n.id.as_str())),
                    // `C.m(...)` and `C(...).m(...)`.
                    Expr::Attribute(attr) => match &*attr.value {
                        Expr::Name(n) => Some(Callee::Method(n.id.as_str(), attr.attr.as_str())),
                        Expr::Call(inner) => match &*inner.func {
                            Expr::Name(n) => {
                                Some(Callee::Method(n.id.as_str(), attr.attr.as_str()))
                            }
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(callee) = callee {
                    self.note_call(callee, expr.range());
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for p in parameters.iter_non_variadic_params() {
                        if let Some(default) = &p.default {
                            self.visit_expr(default);
                        }
                    }
                }
                let scope = self.push_scope(ScopeKind::Function);
                if let Some(parameters) = &lambda.parameters {
                    for p in parameters {
                        let pname = p.name().as_str();
                        if self.tracked.contains(pname) {
                            self.scopes[scope].bindings.insert(pname);
                        }
                    }
                }
                let (saved_scope, saved_exec) = (self.scope, self.exec_scope);
                self.scope = scope;
                self.exec_scope = scope;
                self.with_ctx(Ctx::Deferred, |w| w.visit_expr(&lambda.body));
                self.scope = saved_scope;
                self.exec_scope = saved_exec;
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                self.visit_comprehension(expr, false);
            }
            Expr::Named(named) => {
                // The walrus target binds in the nearest enclosing non-comprehension scope.
                self.visit_expr(&named.value);
                if let Expr::Name(n) = &*named.target {
                    let saved = self.scope;
                    while self.scopes[self.scope].kind == ScopeKind::Comprehension {
                        self.scope = self.scopes[self.scope].parent.unwrap_or(0);
                    }
                    self.bind(n.id.as_str(), n.range());
                    self.scope = saved;
                }
            }
            Expr::Subscript(sub)
                if self.in_annotation && dotted(&sub.value).ends_with("Literal") =>
            {
                // `Literal["json"]` holds values, not forward references.
                self.visit_expr(&sub.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let compound = matches!(
            stmt,
            Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::Match(_)
                | Stmt::Try(_)
                | Stmt::With(_)
        );
        if compound && self.placement.in_def_or_class.is_some() {
            let saved = self.placement.local_block.replace(stmt.range());
            self.visit_stmt_inner(stmt);
            self.placement.local_block = saved;
        } else {
            self.visit_stmt_inner(stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // The common expressions stay in this small function; the rest, with the dynamic-access checks, are in
        // `visit_other_expr` (half the walk's own instructions were this function's entry and exit when it held
        // everything).
        match expr {
            Expr::Name(n) => match n.ctx {
                ExprContext::Load => {
                    let name = n.id.as_str();
                    self.reference(name, n.range(), None);
                    self.note_special_name(name, expr);
                }
                ExprContext::Store | ExprContext::Del => self.bind(n.id.as_str(), n.range()),
                ExprContext::Invalid => {}
            },
            // `__dict__`, `f_globals`, `f_locals` and `__globals__` may be namespace reads (`note_dynamic`).
            Expr::Attribute(a)
                if !matches!(
                    a.attr.as_str(),
                    "__dict__" | "f_globals" | "f_locals" | "__globals__"
                ) =>
            {
                self.visit_attribute(expr, a);
            }
            Expr::StringLiteral(literal) => {
                if self.in_annotation {
                    self.visit_string_annotation(literal);
                }
            }
            Expr::NumberLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            _ => self.visit_other_expr(expr),
        }
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(type_) = &h.type_ {
            self.visit_expr(type_);
        }
        if let Some(name) = &h.name {
            self.bind(name.as_str(), name.range());
        }
        self.visit_body(&h.body);
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        match pattern {
            ast::Pattern::MatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str(), name.range());
                }
            }
            ast::Pattern::MatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind(name.as_str(), name.range());
                }
            }
            ast::Pattern::MatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind(name.as_str(), name.range());
                }
            }
            _ => {}
        }
        visitor::walk_pattern(self, pattern);
    }

    fn visit_alias(&mut self, _alias: &'a ast::Alias) {}
}
