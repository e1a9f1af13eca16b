//! What the engine tells its callers: one [`ImportVerdict`] per name bound by an import statement, file-level
//! [`Notice`]s, and [`EngineError`]s. Printing them is the binary's job; this module only describes them.

use std::fmt;

use ruff_text_size::TextRange;
use serde::Serialize;

use crate::settings::Style;

/// The finding code of an import lazify rewrites.
pub const DEFERRABLE_CODE: &str = "LZF001";

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

    /// Whether this is a function-local import hoisted to module level.
    pub fn is_hoisted(&self) -> bool {
        matches!(
            self.decision,
            Decision::Rewrite {
                why: RewriteWhy::Hoisted,
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

/// Why a rewrite is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RewriteWhy {
    /// Every use of the name runs after import time (functions, lambdas, deferred annotations, the
    /// `__main__` block).
    UsedOnlyDeferred,
    /// Never read in this file, but re-exported (package `__init__.py` or `__all__`).
    ReExport,
    /// A function-local import hoisted to one module-level `lazy` import (`--hoist`).
    Hoisted,
}

macro_rules! keep_reasons {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $message:literal; )*) => {
        /// Why an import stays as it is. Each reason carries the span that proves it in [`Decision::Keep`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum KeepReason {
            $( $(#[$doc])* $variant, )*
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
        }
    };
}

keep_reasons! {
    /// A use of the name runs while the module is being imported (module body, class body, decorator,
    /// default value, base class, evaluated annotation, a comprehension or a call made at module level):
    /// a lazy import would be resolved at once, so there is nothing to gain.
    UsedAtImportTime = "used-at-import-time", "the name is used while the module is imported, so deferring gains nothing";
    /// The name is never read in this file: the import is there for its side effects (registration,
    /// patching, a check that the module is installed). A lazy import that is never read never runs.
    SideEffectOnly = "side-effect-only", "the name is never used in this file: the import is kept for its side effects";
    /// A private name (`_x`) that is never read and not in `__all__`: not a re-export.
    PrivateUnused = "private-unused", "a private name that is never used and not in `__all__`: kept for its side effects";
    /// `from . import sub` / `from pkg import sub` where `sub` is a submodule that is never read: importing a
    /// submodule is how packages register signals, plugins and codecs. Listing it in `__all__` makes it lazy.
    SubmoduleImport = "submodule-import", "an unreferenced submodule import registers the submodule; list it in `__all__` to make it lazy";
    /// `from .core import core` in a package `__init__.py`: a later `import pkg.core` anywhere would replace
    /// the lazy binding with the submodule (PEP 810 behaviour), where an eager import keeps the function.
    SameNameSubmodule = "same-name-submodule", "the name equals a submodule of this package: `import pkg.<name>` elsewhere would replace a lazy binding";
    /// The import is inside `try`: `lazy` is a syntax error there and `__lazy_modules__` has no effect.
    InTry = "in-try", "imports inside `try` cannot be lazy (and catching their errors needs them eager)";
    /// The import is inside a function or class body: already deferred, or `lazy` is not allowed there.
    InClassOrFunction = "in-class-or-function", "imports inside a function or class cannot be lazy";
    /// `from m import *` can never be lazy.
    Star = "star-import", "star imports can never be lazy";
    /// `from __future__ import ...` is a compiler directive.
    Future = "future-import", "`__future__` imports are compiler directives";
    /// Inside `if TYPE_CHECKING:`: never runs, and promoting it would import at run time what was meant
    /// for type checkers only.
    TypeChecking = "type-checking-block", "the import is inside `if TYPE_CHECKING:` and never runs";
    /// Inside a `with` block: a lazy import would run after the context manager exited (warnings filters,
    /// `suppress(ImportError)`, patched `sys.modules`, a changed working directory).
    ContextManager = "in-with-block", "the import is inside a `with` block, whose effect a lazy import would miss";
    /// `sys.path` (or the import system, or the working directory) is changed at module level, before or after
    /// the import: a lazy import resolves with the state at first use, after the module body ran.
    SysPathChanged = "import-state-changed", "the import system is changed at module level, and a lazy import would resolve with the changed state";
    /// The module's namespace is read as a dict (`globals()`, `vars()`, `sys.modules[__name__].__dict__`,
    /// `frame.f_globals`): the dict holds unresolved proxies, which break callers.
    DynamicAccess = "dynamic-access", "the module's globals are read as a dict, which would hold unresolved lazy proxies";
    /// The name is bound again (assignment, `def`, `class`, `del`, `global` in a function): which binding a
    /// use sees depends on the order things run in.
    Rebound = "rebound", "the name is bound again elsewhere in the module";
    /// `import a.b` while the code only reads `a.x`: the attribute may exist only because importing `a.b` set
    /// it; a lazy `a` imports only `a`.
    SubmoduleSideEffect = "submodule-attribute", "`import a.b` binds `a`, and a use reads another attribute of `a` that may need the eager submodule import";
    /// The module is on the user's keep list (`keep` setting or `--keep`).
    KeepList = "keep-list", "the module is on the keep list";
    /// A `# lazify: keep` comment on the import.
    KeepPragma = "keep-pragma", "`# lazify: keep` on the import";
    /// The module is known to act when imported (patching, registering, configuring): e.g. `readline`,
    /// `gevent.monkey`, `matplotlib` backends.
    KnownSideEffects = "known-side-effects", "the module is known to act when it is imported";
    /// The interpreter always loads this module at start-up, so deferring it saves nothing
    /// (`--include-preloaded` rewrites it anyway).
    Preloaded = "preloaded", "the interpreter loads this module at start-up anyway";
    /// Already `lazy`.
    AlreadyLazy = "already-lazy", "already lazy";
    /// Another name imported from the same module must stay eager in the same statement, so the module loads
    /// anyway.
    ModuleLoadedEagerly = "module-loaded-eagerly", "another import of the same module stays eager, so the module loads anyway";
    /// `__lazy_modules__` style: the module's dotted name cannot be known (a relative import in a file whose
    /// package is unknown).
    PackageUnknown = "package-unknown", "the file's package is unknown, so the relative import's full name cannot be listed in `__lazy_modules__`";
    /// `__lazy_modules__` style: the module already has a `__lazy_modules__` that lazify cannot extend safely
    /// (not a literal list, a string, `None`, or bound after the imports it should cover).
    LazyModulesUnextendable = "lazy-modules-unextendable", "the module's existing `__lazy_modules__` cannot be extended safely";
    /// Style `lazy`: only some names of the statement qualify, and splitting it would drop the comments inside
    /// it.
    SplitWouldDropComments = "split-would-drop-comments", "the statement would have to be split, which would drop the comments inside it";
    /// Style `local`: a use runs outside any function (a module-level lambda, a class body lambda), so there
    /// is no function to move the import into.
    NoEnclosingFunction = "no-enclosing-function", "a use is not inside a `def`, so there is no function to move the import into";
    /// Style `local`: the name is used in an annotation, which `typing.get_type_hints`, dataclasses or pydantic
    /// can evaluate at run time, where a moved name would raise `NameError` (`--type-checking-imports` moves it
    /// and keeps it for type checkers under `if TYPE_CHECKING:`).
    UsedInAnnotation = "used-in-annotation", "the name is used in an annotation, which can be evaluated at run time";
    /// Style `local`: the name is used in `if __name__ == "__main__":`, which is module-level code.
    UsedInMainBlock = "used-in-main-block", "the name is used in the `__main__` block, which is module-level code";
    /// Style `local`: the import sits in an `if`, `for`, `while` or `match` at module level.
    Conditional = "conditional", "the import is inside a module-level `if`/`for`/`while`/`match`";
    /// Style `local`: the name is re-exported (`__all__` or a package `__init__.py`); moving it would break
    /// `from module import name` elsewhere.
    ReExported = "re-exported", "the name is re-exported (package `__init__.py` or `__all__`)";
    /// Style `local`: another statement shares the import's line (`import a; x = 1`).
    SharesLine = "shares-line", "another statement shares the import's line";
    /// Style `local`: another file reads the name from this module (`from this import name`, `this.name`,
    /// `mock.patch("this.name")` or `mock.patch("this.name.attr")`, `patch.multiple(this, name=...)`,
    /// `patch.dict(this.__dict__, {"name": ...})`, an entry point `"this:name"` in `pyproject.toml`, or
    /// `from this import *` in a module without `__all__`), which a function-local import would break.
    UsedByOtherModule = "used-by-other-module", "another module reads this name from this module";
    /// `--hoist`: the function-local import sits inside a `try`, loop, condition or `with` in its function (an
    /// optional dependency check, or an import that must run at that point).
    NestedInFunction = "nested-in-function", "the function-local import is inside a `try`, loop, condition or `with`";
    /// `--hoist`: the name would clash with another binding: a module-level name, another function's
    /// different import, an assignment or `global`/`nonlocal` in the function, its class, or an enclosing
    /// function.
    HoistConflict = "hoist-conflict", "hoisting would clash with another binding of the name";
    /// `--hoist`: another part of the module reads the name as a global or builtin, which a module-level binding
    /// would shadow.
    HoistShadows = "hoist-shadows", "other code reads this name as a global or builtin, which hoisting would shadow";
    /// `--hoist`: the function reads the name before its import runs.
    UsedBeforeImport = "used-before-import", "the function reads the name before the import statement runs";
    /// `--hoist`: the module already imports the same thing at module level; the function-local import is
    /// redundant.
    RedundantLocalImport = "redundant-local-import", "the module already imports this at module level";
    /// The project replaces the module in `sys.modules` (`patch.dict(sys.modules, {"m": fake})`,
    /// `sys.modules["m"] = fake`): an import that runs later (a lazy import at first use, a function-local
    /// import on each call) reads what `sys.modules` holds then, not what it held when this import ran. With
    /// `--hoist`, any `sys.modules` patch counts, named or not.
    SysModulesPatched = "sys-modules-patched", "the project replaces this module in `sys.modules`, which an import that runs later would not see (or see differently)";
    /// `--hoist`: the imported module imports this one back at module level: a hoisted lazy import stays
    /// correct only if the name is not read while the other module is still initialising.
    ImportCycle = "import-cycle", "the imported module imports this module back at module level";
    /// Another file of the project rebinds the imported name in its module (`settings.X = v`,
    /// `setattr(settings, "X", v)`, `patch.object(settings, "X")`, `mock.patch("settings.X")`): `from settings
    /// import X` copies the value when it runs, so a lazy or function-local copy can see the new value where
    /// the eager one kept the old.
    RebindElsewhere = "rebound-elsewhere", "another file rebinds this name in its module, and a later `from` import would copy the new value";
    /// Another file of the project reads this module's namespace: `vars(this)` or `this.__dict__` (raw
    /// values, which are unresolved proxies under `lazy` and `__lazy_modules__`), or, for style `local`,
    /// `dir(this)` (the names, which a move into a function removes).
    NamespaceReadElsewhere = "namespace-read-elsewhere", "another file reads this module's namespace (`vars`, `__dict__`, `dir`)";
    /// Another import binds the same name and must stay eager: the statements are decided together.
    SharedName = "shared-name", "another import binding the same name stays eager";
    /// Loading the imported module (or a module it imports eagerly) has an effect visible outside it
    /// (registering a codec or a handler, changing another module or process state, reading the environment,
    /// printing, starting a thread): a deferred import would move that effect to the first use. The proof is
    /// in the other file; `--explain` shows the chain.
    ImportedModuleHasEffects = "imported-module-has-effects", "loading the imported module has an effect visible outside it, which deferring would move";
    /// `unknown-modules = "keep"`: the imported module (or one it loads) could not be analysed (not found in
    /// the project or the target environment, or without Python source).
    /// Another file of the project tests whether the module is loaded (`"name" in sys.modules`,
    /// `sys.modules.get("name")`): deferring the import here would change its answer.
    CheckedInSysModules = "checked-in-sys-modules", "another file of the project tests whether this module is in `sys.modules`";
    /// Another file of the project imports this module inside `try: ... except ImportError:`: an import of a
    /// module outside the project and the standard library must fail here, inside that `try`, not at first use.
    ImportGuardedElsewhere = "import-guarded-elsewhere", "another file imports this module inside `try`/`except ImportError`, which must see this import fail";
    ImportedModuleUnknown = "imported-module-unknown", "the imported module's effects could not be analysed, and `unknown-modules = \"keep\"`";
}

impl fmt::Display for KeepReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file-level observation that is not a verdict on one import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Kebab-case name, e.g. `lazy-modules-is-str`.
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
            | EngineError::FixBrokeSyntax { range, .. } => Some(*range),
            EngineError::Settings { .. } => None,
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
    /// The rewritten source, when anything changes. Always re-parsed and placement-checked.
    #[serde(skip)]
    pub fixed: Option<String>,
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
