//! One pass over the module that records, for every name bound by a module-level import, every reference to it
//! with its **execution context** (does it run while the module is imported, or later?), plus the facts that
//! can block a rewrite: other bindings of the name, `global` rebinding, dynamic namespace access, `__all__`,
//! `__lazy_modules__`, import-system changes.
//!
//! The walk records references by name and scope; names are resolved against each scope's bindings once the
//! walk is done (a binding later in a function still makes the name local everywhere in it), so there are no
//! per-reference rescans.

mod all;
mod annotations;
mod binding;
mod call_graph;
mod definitions;
mod dynamic;
mod expressions;
mod guards;
mod helpers;
mod import_state;
pub(crate) mod lazy_attributes;
mod prefilter;
mod reference;
mod scope;
mod walker;

pub(crate) use all::LazyModulesDef;
pub(crate) use binding::{Binding, Bindings, ImportStmt, Placement, bound_name};
pub(crate) use dynamic::{Dynamic, DynamicKind};
pub(crate) use helpers::{dotted, is_main_test, is_type_checking_test};
pub(crate) use import_state::StateChange;
pub(crate) use reference::{Ctx, Reference};
pub(crate) use scope::{ScopeId, ScopeKind, Scopes};

use self::all::header_end;
use self::dynamic::collect_module_aliases;
use self::import_state::collect_aliases;
use self::prefilter::{
    Callables, Tracked, collect_generator_names, collect_local_import_names,
    collect_module_import_names,
};
use self::walker::Walker;
use crate::python::ParsedModule;
use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Everything the planner needs to know about the module.
pub(crate) struct Index<'a> {
    pub(crate) imports: Vec<ImportStmt<'a>>,
    /// References to names bound by module-level imports, resolved to module scope.
    pub(crate) references: HashMap<&'a str, Vec<Reference<'a>>>,
    /// The bindings of those names other than imports: non-import bindings at module level, rebindings through
    /// `global`, and `global name` declarations in functions, each recorded once.
    pub(crate) bindings: Bindings<'a>,
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
    /// Function scopes that run while the module is imported (called at module level, directly or not), each
    /// with the call that runs it.
    pub(crate) import_time: HashMap<ScopeId, call_graph::ImportTimeCall>,
    /// Where a `__lazy_modules__` assignment may go: after the docstring and `__future__` imports.
    pub(crate) header_end: Option<TextRange>,
    /// The module's first statement.
    pub(crate) first_statement: Option<TextRange>,
    /// Every scope; references point into it.
    pub(crate) scopes: Scopes<'a>,
    /// With local import tracking: references that resolve to a function's own binding of the name.
    pub(crate) local_references: HashMap<&'a str, Vec<Reference<'a>>>,
    /// lazify's own lazy-attribute table (style `local`), when the module has one.
    pub(crate) own_table: Option<lazy_attributes::OwnTable>,
    /// The module's own `__getattr__` or `__dir__` (a module-level binding of either, when lazify's table is
    /// not there).
    pub(crate) own_hooks: Option<TextRange>,
}

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
        let own_table = lazy_attributes::own_table(body, source);
        let own_hooks = if own_table.is_some() {
            None
        } else {
            lazy_attributes::hook_binding(body)
        };
        let mut walker = Walker {
            skip: own_table
                .as_ref()
                .map(|t| t.hooks.clone())
                .unwrap_or_default(),
            source,
            in_annotation: false,
            annotation_introspected: false,
            tracked,
            callables: Callables::new(body),
            scopes: Scopes::with_module(),
            scope: ScopeId::MODULE,
            exec_scope: ScopeId::MODULE,
            ctx: Ctx::ImportTime,
            placement: Placement::default(),
            annotations_deferred: annotations_deferred || future_annotations,
            evaluating_classes: HashSet::default(),
            imports: Vec::new(),
            raw_refs,
            bindings: Bindings::default(),
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
            call_arguments: HashMap::default(),
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
            .keys()
            .filter_map(|scope| {
                let (kind, _) = walker.direct_changes.get(scope)?;
                // The module-level call that starts the way to the change.
                let root = *call_graph::import_time_path(&import_time_scopes, *scope).first()?;
                Some((root, *kind))
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
                    && !walker.guarded_off(
                        reference.exec_scope,
                        reference.range,
                        &import_time_scopes,
                    )
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
            bindings: walker.bindings,
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
            own_table,
            own_hooks,
        }
    }
}

impl<'a> Index<'a> {
    /// The calls that make the function `scope` run while the module is imported, from the module-level
    /// statement down; empty when it does not run then.
    pub(crate) fn import_time_path(&self, scope: ScopeId) -> Vec<TextRange> {
        call_graph::import_time_path(&self.import_time, scope)
    }

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
