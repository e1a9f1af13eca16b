//! What the engine tells its callers: one [`ImportVerdict`] per name bound by an import statement, file-level
//! [`Notice`]s, and [`EngineError`]s. Printing them is the binary's job; this module only describes them.

use std::fmt;

use ruff_text_size::TextRange;
use serde::Serialize;

use crate::settings::Style;

/// The finding code of an import lazify rewrites.
pub const DEFERRABLE_CODE: &str = "LZF001";

/// The finding code of a `lazy` import that module-level code reads at once, so that it gains nothing.
pub const RESOLVED_AT_ONCE_CODE: &str = "LZF002";

/// What lazify decided for one name bound by one import statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportVerdict {
    /// The whole import statement.
    #[serde(skip)]
    pub stmt_range: TextRange,
    /// The `name` or `name as alias` this verdict is about.
    #[serde(skip)]
    pub alias_range: TextRange,
    /// The module as written (`a.b`, `.m`, `..`), for messages.
    pub module: String,
    /// The absolute dotted module name, when it can be known (`pkg.m` for `.m` in `pkg`).
    pub resolved_module: Option<String>,
    /// The imported name for `from` imports (`x` in `from m import x`), `None` for `import m`.
    pub member: Option<String>,
    /// The name the statement binds in the module namespace (`a` for `import a.b`).
    pub binding: String,
    /// Rewrite or keep.
    pub decision: Decision,
    /// `imported-module-has-effects`: the chain from this import to the effect, in other files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<crate::effects::EffectChain>,
    /// What proves a rewrite where one place does: for `resolved-at-once`, the module-level read.
    #[serde(skip)]
    pub proof: Option<TextRange>,
    /// Something the verdict rests on that lazify could not check, e.g. "effects of `numpy` not analysed:
    /// not installed in the target environment". Shown by `--explain`.
    #[serde(skip)]
    pub note: Option<String>,
}

impl ImportVerdict {
    /// How the import is written, e.g. `import a.b as c` or `from m import x`, for messages.
    pub fn describe(&self) -> String {
        if let Some(member) = &self.member {
            if *member == self.binding {
                format!("from {} import {member}", self.module)
            } else {
                format!("from {} import {member} as {}", self.module, self.binding)
            }
        } else {
            let first = self.module.split('.').next().unwrap_or_default();
            if first == self.binding {
                format!("import {}", self.module)
            } else {
                format!("import {} as {}", self.module, self.binding)
            }
        }
    }

    /// Whether this is style `local`'s lazy attribute (a re-export behind the module's `__getattr__`).
    pub fn is_lazy_attribute(&self) -> bool {
        matches!(
            self.decision,
            Decision::Rewrite {
                why: RewriteWhy::LazyAttribute,
                ..
            }
        )
    }

    /// Whether this is a `--hoist` rewrite.
    pub fn is_hoisted(&self) -> bool {
        matches!(
            self.decision,
            Decision::Rewrite {
                why: RewriteWhy::Hoisted,
                ..
            }
        )
    }

    /// Whether this is `LZF002`: a `lazy` import made eager again.
    pub fn is_resolved_at_once(&self) -> bool {
        matches!(
            self.decision,
            Decision::Rewrite {
                why: RewriteWhy::ResolvedAtOnce,
                ..
            }
        )
    }

    /// Whether lazify rewrites this import.
    pub fn is_rewrite(&self) -> bool {
        matches!(self.decision, Decision::Rewrite { .. })
    }
}

/// The decision for one imported name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// Rewritten in the given style.
    Rewrite {
        /// The style of the rewrite.
        style: Style,
        /// Why it is safe: every use is deferred, or it is an unreferenced re-export.
        why: RewriteWhy,
    },
    /// Left as it is.
    Keep {
        /// Why.
        reason: KeepReason,
        /// The span that proves it (a use, a `try`, a `with`, ...).
        #[serde(skip)]
        span: TextRange,
        /// Extra words for the message (a module name, a pattern, ...).
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// Where a keep reason applies, which is also the README table that documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonScope {
    /// In every style.
    Every,
    /// In the `lazy` and `local` styles.
    LazyAndLocal,
    /// In the `lazy-modules` style.
    LazyModules,
    /// In the `local` style.
    Local,
    /// With `--hoist`.
    Hoist,
}

impl ReasonScope {
    /// Every scope, in documentation order.
    pub const ALL: &'static [ReasonScope] = &[
        ReasonScope::Every,
        ReasonScope::LazyAndLocal,
        ReasonScope::LazyModules,
        ReasonScope::Local,
        ReasonScope::Hoist,
    ];

    /// The words that introduce the scope's table in the README.
    pub fn heading(self) -> &'static str {
        match self {
            ReasonScope::Every => "In every style",
            ReasonScope::LazyAndLocal => "In the `lazy` and `local` styles",
            ReasonScope::LazyModules => "In the `lazy-modules` style",
            ReasonScope::Local => "In the `local` style",
            ReasonScope::Hoist => "With `--hoist`",
        }
    }
}

/// Joins the lines of a doc comment (`#[doc = " ..."]` each) into one paragraph.
fn one_paragraph(doc: &'static [&'static str]) -> String {
    doc.iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

// The registries below are the only place a reason or a notice is named, documented and worded: the doc comment
// of each entry is its documentation (README.md's tables are generated from it, see `docs_tests.rs`), the string
// after `=` its kebab-case name, and the last string its one-line message.

macro_rules! rewrite_reasons {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $message:literal; )*) => {
        /// Why a rewrite is safe.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum RewriteWhy {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl RewriteWhy {
            /// Every reason, in documentation order.
            pub const ALL: &'static [RewriteWhy] = &[$(RewriteWhy::$variant),*];

            /// The kebab-case name shown in reports.
            pub fn name(self) -> &'static str {
                match self { $(RewriteWhy::$variant => $name,)* }
            }

            /// A one-line explanation.
            pub fn message(self) -> &'static str {
                match self { $(RewriteWhy::$variant => $message,)* }
            }

            /// The documentation, as one paragraph of Markdown (the entry's doc comment).
            pub fn doc(self) -> String {
                match self { $(RewriteWhy::$variant => one_paragraph(&[$($doc),*]),)* }
            }
        }
    };
}

rewrite_reasons! {
    /// Every use of every name the statement binds runs after import time: in function and lambda bodies, in
    /// annotations that are not evaluated (3.14+ or `from __future__ import annotations`, outside dataclass-like
    /// classes), or in the `if __name__ == "__main__":` block, where the lazy name resolves when the block runs.
    UsedOnlyDeferred = "used-only-deferred", "used only in deferred code";
    /// Never read in this file, but re-exported: an unreferenced public `from ... import name` in a package
    /// `__init__.py`, any name listed in `__all__` or imported from this module by another file of the project,
    /// and in any module a name marked as meant (`from m import x as x`, or `# noqa: F401` on its line). Reading
    /// `pkg.name` or `from pkg import name` resolves it. This is where packages save the most start-up time.
    /// `lazy-reexports = false` turns it off.
    ReExport = "re-export", "an unreferenced re-export";
    /// `--hoist`: a function-local import replaced by one module-level `lazy import`.
    Hoisted = "hoisted", "a function-local import hoisted to one module-level lazy import";
    /// Style `local`, a `from` import whose name the module re-exports (a package `__init__.py`, `__all__`, or
    /// imported from this module by other files), in a module with `__all__`: the import goes into an
    /// `if TYPE_CHECKING:` block for type checkers, the functions of the module that use the name get their own
    /// import, and a module-level `__getattr__` (PEP 562) imports it on first attribute access
    /// (`module.name`, `from module import name`, `from module import *`) and stores it in the module's globals.
    /// Works on every Python.
    LazyAttribute = "lazy-attribute", "a re-export, bound on first attribute access by the module's `__getattr__`";
    /// `LZF002`, in every style: a `lazy` import (written by hand or by an older run) whose every name is read by
    /// module-level code that always runs, after the import and before the module finishes loading, so the module
    /// loads with this one anyway and `lazy` gains nothing. The fix removes `lazy`. It is offered only where moving
    /// the load from that read up to the import statement cannot change what the program does: loading the module
    /// has no import-time effect (for a module lazify cannot read, `unknown-modules = "trust"` assumes so), it does
    /// not import this module back, this file changes neither the import system nor the warning filters, and
    /// nothing that could set up what the module reads runs between the import and the read (only `lazy` imports,
    /// imports of modules free of import-time effects, plain `def`s and classes, constants and reads of imported
    /// names; not a call, as in `matplotlib.use("Agg")` before `pyplot` is read). Otherwise the import is reported
    /// as `already-lazy`, with the reason in its detail.
    ResolvedAtOnce = "resolved-at-once", "module-level code reads it at once, so `lazy` gains nothing";
}

/// Serialized as its registry name, so that no second spelling can drift from it.
impl Serialize for RewriteWhy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for RewriteWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the planner's passes ask of a kept import's reason, beyond its name and message (the `[...]` list of each
/// entry in [`keep_reasons!`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReasonProperty {
    /// The import binds nothing eagerly that another import of the same name must follow: it never runs, is
    /// already lazy, or its binding is never read.
    NoEagerBinding,
    /// Keeping the import does not load its module while the module is imported: it never runs, is already lazy,
    /// or is a compiler directive.
    LoadsNothing,
    /// A `__lazy_modules__` list would not make the import lazy anyway (not a plain module-level import).
    OutsideLazyModules,
}

impl KeepReason {
    /// Whether other imports binding the same name must stay eager with this one (`plan::propagate::share_fate`).
    pub(crate) fn constrains_same_name(self) -> bool {
        !self.properties().contains(&ReasonProperty::NoEagerBinding)
    }

    /// Whether the kept import still loads its module while the module is imported
    /// (`plan::propagate::loaded_anyway`).
    pub(crate) fn loads_module(self) -> bool {
        !self.properties().contains(&ReasonProperty::LoadsNothing)
    }

    /// Whether a `__lazy_modules__` entry for the module would affect this import (`rewrite::lazy_modules`).
    pub(crate) fn affected_by_lazy_modules(self) -> bool {
        !self
            .properties()
            .contains(&ReasonProperty::OutsideLazyModules)
    }
}

macro_rules! keep_reasons {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $scope:ident, [$($flag:ident),*], $message:literal; )*) => {
        /// Why an import stays as it is. Each reason carries the span that proves it in [`Decision::Keep`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum KeepReason {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl KeepReason {
            /// Every reason, in documentation order.
            pub const ALL: &'static [KeepReason] = &[$(KeepReason::$variant),*];

            /// The kebab-case name shown in reports and accepted in docs.
            pub fn name(self) -> &'static str {
                match self { $(KeepReason::$variant => $name,)* }
            }

            /// A one-line explanation.
            pub fn message(self) -> &'static str {
                match self { $(KeepReason::$variant => $message,)* }
            }

            /// Where the reason applies (and which README table documents it).
            pub fn scope(self) -> ReasonScope {
                match self { $(KeepReason::$variant => ReasonScope::$scope,)* }
            }

            /// The properties the planner's passes test, written once beside each reason.
            fn properties(self) -> &'static [ReasonProperty] {
                match self { $(KeepReason::$variant => &[$(ReasonProperty::$flag),*],)* }
            }

            /// The documentation, as one paragraph of Markdown (the entry's doc comment).
            pub fn doc(self) -> String {
                match self { $(KeepReason::$variant => one_paragraph(&[$($doc),*]),)* }
            }
        }
    };
}

keep_reasons! {
    /// A use runs while the module is imported: the module body, a class body, a decorator, a default value, a base
    /// class or class keyword, an evaluated annotation (for example in a `@dataclass`, `NamedTuple` or `TypedDict`
    /// class, which evaluates annotations when the class is created), or a comprehension or call made at module level.
    /// A lazy import would be resolved at once, so nothing is gained. A use in a function that module-level code calls
    /// names the calls that lead there (`helper()` (line 13) → `Style()` (line 10)). A use in such a function under a
    /// guard on one of its parameters that defaults to `None` (`None if meta is None else dumps(meta)`, `if meta:`,
    /// `meta is not None and ...`) does not count when every call made at import time leaves that parameter out.
    UsedAtImportTime = "used-at-import-time", Every, [], "the name is used while the module is imported, so deferring gains nothing";
    /// The name is never read in this file. The import is there for its side effects (registration, patching, a check
    /// that the module is installed), and a lazy import that is never read never runs. A plain unreferenced `import x`
    /// always stays eager.
    SideEffectOnly = "side-effect-only", Every, [NoEagerBinding], "the name is never used in this file: the import is kept for its side effects";
    /// A private name (`_x`, not a dunder) that is never read and not in `__all__`: not a re-export, so it is kept for
    /// its side effects.
    PrivateUnused = "private-unused", Every, [NoEagerBinding], "a private name that is never used and not in `__all__`: kept for its side effects";
    /// `from . import sub` / `from pkg import sub` where `sub` is a submodule that is never read. Importing a submodule
    /// is how packages register signals, plugins and codecs. Listing it in `__all__` makes it lazy.
    SubmoduleImport = "submodule-import", Every, [NoEagerBinding], "an unreferenced submodule import registers the submodule; list it in `__all__` to make it lazy";
    /// `from .core import core` in a package `__init__.py`. A later `import pkg.core` anywhere would replace the lazy
    /// binding with the submodule (PEP 810 behaviour), where an eager import keeps the function.
    SameNameSubmodule = "same-name-submodule", Every, [], "the name equals a submodule of this package: `import pkg.<name>` elsewhere would replace a lazy binding";
    /// Inside `try` (any clause). `lazy` is a syntax error there, `__lazy_modules__` has no effect there, and catching
    /// the import's errors needs it eager.
    InTry = "in-try", Every, [OutsideLazyModules], "imports inside `try` cannot be lazy (and catching their errors needs them eager)";
    /// Inside a function or class body: already deferred, or `lazy` is not allowed there.
    InClassOrFunction = "in-class-or-function", Every, [OutsideLazyModules], "imports inside a function or class cannot be lazy";
    /// `from m import *` can never be lazy.
    Star = "star-import", Every, [OutsideLazyModules], "star imports can never be lazy";
    /// `from __future__ import ...` is a compiler directive.
    Future = "future-import", Every, [LoadsNothing, OutsideLazyModules], "`__future__` imports are compiler directives";
    /// Inside `if TYPE_CHECKING:`. It never runs, and promoting it would import at run time what was meant for type
    /// checkers only.
    TypeChecking = "type-checking-block", Every, [NoEagerBinding, LoadsNothing, OutsideLazyModules], "the import is inside `if TYPE_CHECKING:` and never runs";
    /// Inside a `with` block. A lazy import would run after the context manager exited: warning filters,
    /// `suppress(ImportError)`, a patched `sys.modules` or a changed working directory would no longer apply.
    ContextManager = "in-with-block", Every, [], "the import is inside a `with` block, whose effect a lazy import would miss";
    /// `sys.path` (or the import system, or the working directory) is changed at module level, before or after the
    /// import, also under another name (`import sys as _sys`, `from sys import path`) or by a function of this module
    /// called at import time (the proof is the call). A lazy import resolves with the state at first use, which may
    /// differ.
    SysPathChanged = "import-state-changed", Every, [], "the import system is changed at module level, and a lazy import would resolve with the changed state";
    /// The module's namespace is read as a dict (`globals()`, `vars()`, `sys.modules[__name__].__dict__`,
    /// `frame.f_globals`, a function's `__globals__`, `sys._getframe().f_locals` at module level, a name bound to
    /// `sys.modules[__name__]` and passed on or read through `__dict__`, `sys.modules[...]` read with a computed name
    /// at import time, `globals().update(mapping)`, `eval`/`exec`). The dict would hold unresolved proxies, which break
    /// callers. Reading only the names (`dir()`, `globals().keys()`, `for name in globals()`, `len(globals())`) and
    /// `globals().update(a=1)` with known names (a rebinding of `a`) do not block the lazy styles.
    DynamicAccess = "dynamic-access", Every, [], "the module's globals are read as a dict, which would hold unresolved lazy proxies";
    /// The name is bound again elsewhere in the module (an assignment, `def`, `class`, `del`, `global` in a function),
    /// so which binding a use sees depends on the order things run in.
    Rebound = "rebound", Every, [], "the name is bound again elsewhere in the module";
    /// `import a.b` while the code reads another attribute of `a`. That attribute may exist only because importing
    /// `a.b` set it, and a lazy `a` imports only `a`.
    SubmoduleSideEffect = "submodule-attribute", Every, [], "`import a.b` binds `a`, and a use reads another attribute of `a` that may need the eager submodule import";
    /// The module matches `keep` / `--keep`.
    KeepList = "keep-list", Every, [], "the module is on the keep list";
    /// `# lazify: keep` on the import.
    KeepPragma = "keep-pragma", Every, [], "`# lazify: keep` on the import";
    /// The module is known to act when imported, from a built-in list: `readline`, `rlcompleter`, `site`,
    /// `sitecustomize`, `usercustomize`, `antigravity`, `this`, `encodings.*`, `gnureadline`, `pyreadline3`,
    /// `gevent.monkey`, `ddtrace.auto`, OpenTelemetry auto-instrumentation, `_distutils_hack`, `setuptools`,
    /// `pkg_resources`, `matplotlib.backends.*`, `mpl_toolkits.mplot3d`, `pygame`. Extend it with `keep`.
    KnownSideEffects = "known-side-effects", Every, [], "the module is known to act when it is imported";
    /// The interpreter loads this module at start-up anyway (`os`, `sys`, `abc`, `codecs`, `time`, ...), so deferring
    /// it saves nothing. `--include-preloaded` rewrites it anyway.
    Preloaded = "preloaded", Every, [], "the interpreter loads this module at start-up anyway";
    /// Already `lazy`, or already listed in `__lazy_modules__`.
    AlreadyLazy = "already-lazy", Every, [NoEagerBinding, LoadsNothing, OutsideLazyModules], "already lazy";
    /// Another import that stays eager loads the module anyway: another name of the same `from m import ...`
    /// statement, or an eager import elsewhere in the file of the same module or of one of its submodules (which
    /// loads its parents).
    ModuleLoadedEagerly = "module-loaded-eagerly", Every, [], "another import of the same module stays eager, so the module loads anyway";
    /// A relative import in a file whose package is unknown, so its full dotted name cannot be listed.
    PackageUnknown = "package-unknown", LazyModules, [], "the file's package is unknown, so the relative import's full name cannot be listed in `__lazy_modules__`";
    /// The module already has a `__lazy_modules__` that lazify cannot extend safely: not a literal list, a string,
    /// `None`, or bound after the imports it should cover.
    LazyModulesUnextendable = "lazy-modules-unextendable", LazyModules, [], "the module's existing `__lazy_modules__` cannot be extended safely";
    /// Only some names of the statement qualify, and splitting it would drop the comments inside it; or (`local`) the
    /// receiving function is a one-line `def` after its docstring, where the import's comment cannot follow it.
    SplitWouldDropComments = "split-would-drop-comments", LazyAndLocal, [], "the statement would have to be split, which would drop the comments inside it";
    /// The import is on line 1 or 2, and removing its line would bring a `# -*- coding: ... -*-` comment into the first
    /// two lines, where Python obeys it (or take one out): the file would be decoded differently.
    CodingDeclaration = "coding-declaration", Local, [], "removing the import's line would move a coding declaration into or out of the first two lines, changing how Python decodes the file";
    /// A use is not inside a `def` (for example a module-level lambda), so there is no function to move the import
    /// into.
    NoEnclosingFunction = "no-enclosing-function", Local, [], "a use is not inside a `def`, so there is no function to move the import into";
    /// The name is used in an annotation, which `typing.get_type_hints`, dataclasses or pydantic can evaluate at run
    /// time, where a moved name would raise `NameError`. `--type-checking-imports` moves it anyway and keeps it for
    /// type checkers under `if TYPE_CHECKING:`, on targets where annotations are not evaluated at import.
    UsedInAnnotation = "used-in-annotation", Local, [], "the name is used in an annotation, which can be evaluated at run time";
    /// The name is used in the `if __name__ == "__main__":` block, which is module-level code.
    UsedInMainBlock = "used-in-main-block", Local, [], "the name is used in the `__main__` block, which is module-level code";
    /// The import sits in a module-level `if`, `for`, `while` or `match`.
    Conditional = "conditional", Local, [], "the import is inside a module-level `if`/`for`/`while`/`match`";
    /// The name is re-exported (`__all__` or a package `__init__.py`), and moving it would break `from module import
    /// name` elsewhere.
    ReExported = "re-exported", Local, [], "the name is re-exported (package `__init__.py` or `__all__`)";
    /// Another statement shares the import's line (`import a; x = 1`).
    SharesLine = "shares-line", Local, [], "another statement shares the import's line";
    /// Another file reads the name from this module (`from this import name`, `mock.patch("this.name")`).
    UsedByOtherModule = "used-by-other-module", Local, [], "another module reads this name from this module";
    /// The module defines `__getattr__` or `__dir__` itself (not lazify's own lazy-attribute table): a re-export
    /// cannot become a lazy attribute without rewriting the module's own hook.
    GetattrDefined = "getattr-defined", Local, [], "the module defines its own `__getattr__` or `__dir__`, so its re-exports cannot become lazy attributes";
    /// A re-exported name in a module without `__all__`: `from module import *` copies the module's globals
    /// then, and a lazy attribute is not one of them until first accessed. Add `__all__` to defer it.
    LazyAttributeWithoutAll = "lazy-attribute-without-all", Local, [], "the name is re-exported and the module has no `__all__`, so a lazy attribute would drop out of `from module import *`";
    /// `from .core import Markdown` in a package `__init__.py` also binds the submodule `core` in the package;
    /// this module reads `core`, which would be missing until something imports the submodule.
    SubmoduleReadHere = "submodule-read-here", Local, [], "the package reads the submodule this import binds as a side effect, which a lazy attribute would not bind";
    /// Style `local`, a re-export that another file reads from this module: an eager import further down this
    /// module loads a module that imports this one back while it loads. The `__getattr__` table goes at the end of
    /// the file, so during that import (`from pkg import Name` in the module that imports back) the name would be
    /// missing where the eager import had bound it.
    ReadBackWhileLoading = "read-back-while-loading", Local, [], "an import further down that stays eager leads back to this module while it loads, before the lazy-attribute table at the end of the file exists";
    /// The function-local import sits inside a `try`, loop, condition or `with` in its function: an optional-dependency
    /// check, or an import that must run at that point.
    NestedInFunction = "nested-in-function", Hoist, [], "the function-local import is inside a `try`, loop, condition or `with`";
    /// The name would clash with another binding: a module-level name, another function's different import, an
    /// assignment or `global`/`nonlocal` in the function, its class, or an enclosing function.
    HoistConflict = "hoist-conflict", Hoist, [], "hoisting would clash with another binding of the name";
    /// Other code reads this name as a global or builtin, which a module-level binding would shadow.
    HoistShadows = "hoist-shadows", Hoist, [], "other code reads this name as a global or builtin, which hoisting would shadow";
    /// The function reads the name before its import runs.
    UsedBeforeImport = "used-before-import", Hoist, [], "the function reads the name before the import statement runs";
    /// The module already imports the same thing at module level, so the local import is redundant.
    RedundantLocalImport = "redundant-local-import", Hoist, [], "the module already imports this at module level";
    /// The project replaces the module in `sys.modules` (`patch.dict(sys.modules, {"m": fake})`,
    /// `sys.modules["m"] = fake`): an import that runs later (a lazy import at first use, a function-local
    /// import on each call) reads what `sys.modules` holds then, not what it held when this import ran. With
    /// `--hoist`, any `sys.modules` patch counts, named or not.
    SysModulesPatched = "sys-modules-patched", Every, [], "the project replaces this module in `sys.modules`, which an import that runs later would not see (or see differently)";
    /// The imported module imports this one back at module level. A hoisted lazy import stays correct only if the name
    /// is not read while the other module is still initialising.
    ImportCycle = "import-cycle", Hoist, [], "the imported module imports this module back at module level";
    /// Another import binds the same name and must stay eager. Statements binding one name are decided together.
    SharedName = "shared-name", Every, [], "another import binding the same name stays eager";
    /// Another file of the project rebinds the imported name in its module (`settings.X = v`,
    /// `setattr(settings, "X", v)`, `patch.object(settings, "X")`, `mock.patch("settings.X")`): `from settings
    /// import X` copies the value when it runs, so a lazy or function-local copy can see the new value where
    /// the eager one kept the old.
    RebindElsewhere = "rebound-elsewhere", Every, [], "another file rebinds this name in its module, and a later `from` import would copy the new value";
    /// Another file of the project reads this module's namespace: `vars(this)` or `this.__dict__` (raw
    /// values, which are unresolved proxies under `lazy` and `__lazy_modules__`), or, for style `local`,
    /// `dir(this)` (the names, which a move into a function removes).
    NamespaceReadElsewhere = "namespace-read-elsewhere", Every, [], "another file reads this module's namespace (`vars`, `__dict__`, `dir`)";
    /// Loading the imported module (or a module it imports eagerly) has an effect visible outside it
    /// (registering a codec or a handler, changing another module or process state, reading the environment,
    /// printing, starting a thread): a deferred import would move that effect to the first use. The proof is
    /// in the other file; `--explain` shows the chain.
    ImportedModuleHasEffects = "imported-module-has-effects", Every, [], "loading the imported module has an effect visible outside it, which deferring would move";
    /// Another file of the project tests whether the module is loaded (`"name" in sys.modules`,
    /// `sys.modules.get("name")`): deferring the import here would change its answer.
    CheckedInSysModules = "checked-in-sys-modules", Every, [], "another file of the project tests whether this module is in `sys.modules`";
    /// Another file of the project imports this module inside `try: ... except ImportError:`: an import of a
    /// module outside the project and the standard library must fail here, inside that `try`, not at first use.
    ImportGuardedElsewhere = "import-guarded-elsewhere", Every, [], "another file imports this module inside `try`/`except ImportError`, which must see this import fail";
    /// `unknown-modules = "keep"`: the imported module (or one it loads) could not be analysed (not found in
    /// the project or the target environment, or without Python source).
    ImportedModuleUnknown = "imported-module-unknown", Every, [], "the imported module's effects could not be analysed, and `unknown-modules = \"keep\"`";
    /// The warning filters are changed while the module is imported (`warnings.simplefilter(...)`,
    /// `warnings.filterwarnings(...)`, `warnings.resetwarnings()`, `warnings.filters[:] = ...` as plain statements, or
    /// in a function of this module called at import time), outside `with warnings.catch_warnings():`. A lazy import
    /// would run its module's body under the filters in force at first use.
    WarningFiltersChanged = "warning-filters-changed", Every, [], "the warning filters are changed while the module is imported, and a deferred import would run under different filters";
    /// A class body inside the receiving function assigns the name it reads (`class C: json = json`). Such a read looks
    /// in the class namespace and then the module's globals, never the function's locals, so a moved import would not
    /// be found.
    ClassBodyBindsName = "class-body-binds-name", Local, [], "a class body in the function binds the name it reads, so it reads the module's global, not a moved import";
    /// `from m import x` in a function re-reads `m.x` on each call, and the project patches or assigns `m.x`
    /// (`mock.patch("m.x")`, `m.x = ...`, `setattr(m, "x", ...)`); a hoisted binding would keep the first value.
    AttributeReboundElsewhere = "attribute-rebound-elsewhere", Hoist, [], "the imported attribute is rebound or patched elsewhere, which a function-local import sees on each call";
    /// Another module of the project runs `from this_module import *` and this module has no `__all__`: a hoisted
    /// public name would join what that star import binds.
    StarExported = "star-exported", Hoist, [], "another module star-imports this one, and a hoisted public name would join what it binds";
}

/// Serialized as its registry name, so that no second spelling can drift from it.
impl Serialize for KeepReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for KeepReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! notices {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $warning:literal, $message:literal; )*) => {
        /// A kind of [`Notice`]: a file-level observation that is not a verdict on one import.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum NoticeKind {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl NoticeKind {
            /// Every kind, in documentation order.
            pub const ALL: &'static [NoticeKind] = &[$(NoticeKind::$variant),*];

            /// The kebab-case name shown in reports.
            pub fn name(self) -> &'static str {
                match self { $(NoticeKind::$variant => $name,)* }
            }

            /// Whether it points at a problem in the user's code (a warning) rather than giving information.
            pub fn is_warning(self) -> bool {
                match self { $(NoticeKind::$variant => $warning,)* }
            }

            /// The message, with `{placeholder}`s that [`NoticeKind::at`] fills in.
            pub fn template(self) -> &'static str {
                match self { $(NoticeKind::$variant => $message,)* }
            }

            /// The documentation, as one paragraph of Markdown (the entry's doc comment).
            pub fn doc(self) -> String {
                match self { $(NoticeKind::$variant => one_paragraph(&[$($doc),*]),)* }
            }
        }
    };
}

notices! {
    /// An added `__lazy_modules__` entry is a package that this module imports from with `from . import x`:
    /// listing it makes every `from . import ...` of that package in this module lazy.
    LazyModulesPackageEntry = "lazy-modules-package-entry", true,
        "listing `{entry}` makes every `from {module} import ...` in this module lazy";
    /// `__lazy_modules__` is bound or changed more than once, so lazify does not edit it.
    LazyModulesRebound = "lazy-modules-rebound", false,
        "`__lazy_modules__` is bound or changed more than once; lazify will not edit it";
    /// `__lazy_modules__` is a string: `in` tests substrings, so it makes more modules lazy than it names. lazify
    /// does not edit it.
    LazyModulesIsStr = "lazy-modules-is-str", true,
        "`__lazy_modules__` is a string: `in` tests substrings, so `\"json\"` also makes `js` and `so` lazy; use a list";
    /// `__lazy_modules__` is not a container (for example `None`): on Python 3.15 every later module-level import
    /// raises `TypeError`. lazify does not edit it.
    LazyModulesNotContainer = "lazy-modules-not-container", true,
        "`__lazy_modules__` is not a container: on Python 3.15 every later module-level import raises `TypeError`";
    /// `__lazy_modules__` is not a literal list of strings, so lazify does not edit it.
    LazyModulesOpaque = "lazy-modules-opaque", false,
        "`__lazy_modules__` is not a literal list of strings; lazify will not edit it";
    /// Style `local`: a doctest example (`>>> ...` in a docstring) uses a name whose import moves into functions.
    /// The example runs with the module's globals and would not find it.
    DoctestUsesMovedName = "doctest-uses-moved-name", true,
        "a doctest example in this docstring uses `{name}`, which moves into functions: the example runs with the module's globals and will not find it";
    /// `--hoist`: a function-local import is redundant, because the module already imports the same thing eagerly
    /// at module level (it stays, with the keep reason `redundant-local-import`).
    RedundantLocalImport = "redundant-local-import", false,
        "`{import}` inside a function is redundant: the module imports it already";
    /// `--hoist`: a hoisted public name in a module without `__all__` becomes a module attribute and joins
    /// `from module import *`.
    HoistedNameExported = "hoisted-name-exported", false,
        "hoisted `{name}` becomes a public module attribute and joins `from {module} import *` (the module has no `__all__`)";
}

impl NoticeKind {
    /// A notice of this kind at `range`, its message filled in from `args` (`(placeholder, value)` pairs; every
    /// placeholder of the template must be given, and nothing else).
    pub fn at(self, range: TextRange, args: &[(&str, &str)]) -> Notice {
        let template = self.template();
        let mut message = String::with_capacity(template.len() + 32);
        let mut used = 0;
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            message.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map_or(rest.len(), |close| open + close);
            let key = &rest[open + 1..close];
            if let Some((_, value)) = args.iter().find(|(k, _)| *k == key) {
                message.push_str(value);
                used += 1;
            } else {
                debug_assert!(false, "notice `{}`: no value for `{{{key}}}`", self.name());
                message.push_str(&rest[open..=close.min(rest.len() - 1)]);
            }
            rest = rest.get(close + 1..).unwrap_or_default();
        }
        message.push_str(rest);
        debug_assert_eq!(
            used,
            args.len(),
            "notice `{}`: unused arguments",
            self.name()
        );
        Notice {
            kind: self,
            name: self.name(),
            message,
            range,
            warning: self.is_warning(),
        }
    }
}

impl fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file-level observation that is not a verdict on one import. Made by [`NoticeKind::at`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// What kind of notice.
    #[serde(skip)]
    pub kind: NoticeKind,
    /// Kebab-case name, e.g. `lazy-modules-is-str` (the kind's [`NoticeKind::name`]).
    pub name: &'static str,
    /// What it means here.
    pub message: String,
    /// Where.
    #[serde(skip)]
    pub range: TextRange,
    /// Whether it is a problem in the user's code (a warning) rather than information.
    pub warning: bool,
}

/// A file lazify could not process. The file is left untouched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum EngineError {
    /// The source does not parse.
    #[error("syntax error: {message}")]
    #[diagnostic(code(lazify::syntax_error))]
    Syntax {
        /// The parser's message.
        message: String,
        /// Where.
        range: TextRange,
    },
    /// The source parses but `CPython` would refuse to compile it (a misplaced `lazy`).
    #[error("{message}")]
    #[diagnostic(code(lazify::misplaced_lazy))]
    Placement {
        /// `CPython`'s wording.
        message: String,
        /// Where.
        range: TextRange,
    },
    /// lazify's own output failed to re-parse or broke the PEP 810 placement rules. This is a bug in lazify;
    /// the file is left as it was.
    #[error(
        "internal error: the rewrite broke the file ({message}); the file was left unchanged, please report this"
    )]
    #[diagnostic(code(lazify::fix_broke_syntax))]
    FixBrokeSyntax {
        /// The parse or placement error in the output.
        message: String,
        /// Where, in the original source: the import whose rewrite is nearest.
        range: TextRange,
    },
    /// The source nests deeper than lazify analyses ([`crate::python::MAX_NESTING`]; far deeper than `CPython`
    /// compiles).
    #[error("{message}")]
    #[diagnostic(code(lazify::too_deeply_nested))]
    TooDeep {
        /// What is wrong.
        message: String,
        /// Where the limit is crossed.
        range: TextRange,
    },
    /// lazify failed on this file (a panic, caught): a bug in lazify. The file is left as it was.
    #[error("internal error: {message}; the file was left unchanged, please report this")]
    #[diagnostic(code(lazify::internal))]
    Internal {
        /// What failed.
        message: String,
    },
    /// The settings cannot be applied to this file (e.g. `--style lazy` with a target below 3.15).
    #[error("{message}")]
    #[diagnostic(code(lazify::settings))]
    Settings {
        /// What is wrong.
        message: String,
    },
}

impl EngineError {
    /// The source span, if there is one.
    pub fn range(&self) -> Option<TextRange> {
        match self {
            EngineError::Syntax { range, .. }
            | EngineError::Placement { range, .. }
            | EngineError::FixBrokeSyntax { range, .. }
            | EngineError::TooDeep { range, .. } => Some(*range),
            EngineError::Settings { .. } | EngineError::Internal { .. } => None,
        }
    }
}

/// Why a file was not analysed at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Skipped {
    /// A `.pyi` stub: nothing in it executes.
    Stub,
    /// `# lazify: skip-file`.
    SkipFilePragma,
}

/// Everything the engine found in one file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileOutcome {
    /// The style used (`None` when the file was skipped or did not parse).
    pub style: Option<Style>,
    /// Why that style, when it was not asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_note: Option<String>,
    /// One verdict per name bound by each module-level import statement, in source order (imports inside
    /// functions and classes get one verdict per statement name too, as `in-class-or-function`).
    pub verdicts: Vec<ImportVerdict>,
    /// File-level observations.
    pub notices: Vec<Notice>,
    /// The rewritten source, when anything changes and [`crate::Settings::verify`] is on: re-parsed and
    /// placement-checked. Every fix of [`FileOutcome::fixes`] applied once, in one pass.
    #[serde(skip)]
    pub fixed: Option<crate::fix::VerifiedText>,
    /// The fixes, in source order; each rewrite verdict is a member of exactly one. Set even when the
    /// combined text was not verified (or failed to).
    #[serde(skip)]
    pub fixes: Vec<crate::fix::Fix>,
    /// Whether the fixes change the text (known also when the text was not verified; `false` when the
    /// verification failed).
    #[serde(skip)]
    pub changes: bool,
    /// Set when the file could not be processed; then `fixed` is `None`.
    #[serde(skip)]
    pub error: Option<EngineError>,
    /// Set when the file was skipped on purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skipped>,
}

impl FileOutcome {
    /// The verdicts that rewrite an import.
    pub fn rewrites(&self) -> impl Iterator<Item = &ImportVerdict> {
        self.verdicts.iter().filter(|v| v.is_rewrite())
    }
}
