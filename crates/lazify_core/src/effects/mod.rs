//! What a module does when it is imported, found statically: its *effect summary*.
//!
//! [`summarize`] reads one module's source (pure, like [`crate::run`]): the effects its body has when it runs
//! (a call of `codecs.register`, a `print`, a write to `os.environ`, a change to another module's attributes),
//! following calls made at import time into the module's own functions; the modules it imports eagerly; the
//! references into other modules that only another module's summary can judge (a call of `other.register(...)`,
//! a decorator or base class from another module); and, for each module-level function and class, whether
//! calling it (or subclassing it) from another module has effects.
//!
//! [`Analyzer`] (the oracle) joins summaries across modules: loading a module also loads what it imports
//! eagerly, so it has an effect when any module it loads has one. It finds module sources through a
//! [`ModuleLocator`] (the workspace reads files; tests use a map) and summarises each module at most once.
//! The planner asks it only about imports it is about to rewrite.

pub mod features;
mod oracle;
mod scan;
pub mod table;

use std::fmt;
use std::path::PathBuf;

use ruff_text_size::TextRange;
use serde::Serialize;

pub use oracle::{
    Analyzer, ChainStep, EffectAnswer, EffectChain, EffectOracle, FeatureCheck, Located,
    MapLocator, ModuleLocator, Unknown, reads_source,
};
pub use scan::{summarize, summarize_parsed};

/// What an import-time effect changes. Each one makes deferring the import visible to the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectKind {
    /// Registers with something outside the module: `atexit.register`, `signal.signal`, `codecs.register`,
    /// warning filters, logging configuration or handlers on a logger that is not the module's own, hooks
    /// (`sys.excepthook`), limits (`sys.setrecursionlimit`), the locale.
    Registers,
    /// Changes another module: a call of another module's function that records into its registry, a
    /// decorator or base class from another module that records, assignment to another module's attributes,
    /// mutation of another module's dicts or lists.
    OtherModule,
    /// Changes process-wide state: `sys.path`, `sys.modules`, `sys.meta_path`, `os.environ` writes,
    /// `os.chdir`, `os.umask`.
    ProcessState,
    /// Reads process state that may differ by the time a deferred import runs: `os.environ`, `sys.argv`, the
    /// working directory (`os.getcwd`, a relative `open`).
    ReadsProcess,
    /// Starts a thread or a process.
    Concurrency,
    /// Writes output: `print`, `sys.stdout.write`, `warnings.warn`, logging calls, files opened for writing,
    /// sockets.
    Output,
    /// Reads input: `input()`, `sys.stdin`.
    Input,
}

impl EffectKind {
    /// Every kind, in documentation order.
    pub const ALL: &'static [EffectKind] = &[
        EffectKind::Registers,
        EffectKind::OtherModule,
        EffectKind::ProcessState,
        EffectKind::ReadsProcess,
        EffectKind::Concurrency,
        EffectKind::Output,
        EffectKind::Input,
    ];

    /// The kebab-case name used in the table and in reports.
    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Registers => "registers",
            EffectKind::OtherModule => "other-module",
            EffectKind::ProcessState => "process-state",
            EffectKind::ReadsProcess => "reads-process",
            EffectKind::Concurrency => "concurrency",
            EffectKind::Output => "output",
            EffectKind::Input => "input",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// A few words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            EffectKind::Registers => "registers with something outside the module",
            EffectKind::OtherModule => "changes another module",
            EffectKind::ProcessState => "changes process-wide state",
            EffectKind::ReadsProcess => "reads process state that may change later",
            EffectKind::Concurrency => "starts a thread or process",
            EffectKind::Output => "writes output",
            EffectKind::Input => "reads input",
        }
    }
}

impl fmt::Display for EffectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A place in a summarised module: span, 1-based line and column, and the code there (shortened).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Site {
    /// Byte range in the module's source.
    pub range: TextRange,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The code, e.g. `codecs.register(...)`.
    pub text: String,
}

/// One import-time effect.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Effect {
    /// What it changes.
    pub kind: EffectKind,
    /// Where: the effect itself.
    pub site: Site,
    /// The calls inside the module that lead to it, outermost first (`setup()` at module level, then the
    /// effect inside `setup`).
    pub via: Vec<Site>,
    /// For [`EffectKind::OtherModule`]: the module (or object path, `other.REGISTRY`) it changes.
    pub changes: Option<String>,
}

/// How an import-time reference into another module is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RefUse {
    /// Called (`other.register(x)`), or used as a decorator (`@other.register`).
    Call,
    /// A base class (`class C(other.Base)`): its `__init_subclass__` or metaclass runs.
    Base,
    /// A metaclass (`class C(metaclass=other.Meta)`).
    Metaclass,
}

/// A reference, at import time, to a name of another module, which only that module's summary can judge.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExternalRef {
    /// The module the name is read from (`other` for `other.register`, `m` for `from m import f`).
    pub module: String,
    /// The name in it.
    pub name: String,
    /// How it is used.
    pub used: RefUse,
    /// Where.
    pub site: Site,
    /// The calls inside the module that lead to it.
    pub via: Vec<Site>,
}

/// What calling a module-level function (or subclassing a class) from another module does.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallableSummary {
    /// The first effect its body has when called (own functions followed).
    pub effect: Option<Effect>,
    /// Where it (or a function it defines, such as a decorator's inner function) changes its module's state:
    /// a registry, a `global`, `setattr` on a module-level object. Seen from another module this is the
    /// "registers into another module" effect.
    pub mutates: Option<Site>,
    /// Calls it makes into other modules.
    pub external: Vec<ExternalRef>,
}

/// A module's effect summary.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ModuleSummary {
    /// The module's dotted name.
    pub module: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// Effects of the module body, in source order.
    pub effects: Vec<Effect>,
    /// Modules imported eagerly at module level: name and where (`from m import x` adds `m` and, as a
    /// possible submodule, `m.x` with `maybe_submodule`).
    pub imports: Vec<EagerImport>,
    /// References into other modules made at import time.
    pub external: Vec<ExternalRef>,
    /// Module-level functions: what calling them from elsewhere does.
    pub functions: rustc_hash::FxHashMap<String, CallableSummary>,
    /// Module-level classes whose subclassing (`__init_subclass__`) or use as a metaclass (`__new__`,
    /// `__init__`) records into the module's state.
    pub recording_classes: rustc_hash::FxHashMap<String, Site>,
    /// Names the module imports from elsewhere (`from m import f` binds `f` to `m.f`): where a name read from
    /// this module really lives.
    pub reexports: rustc_hash::FxHashMap<String, String>,
}

/// One eager import of a summarised module.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EagerImport {
    /// The absolute dotted name.
    pub module: String,
    /// `from m import x`: `m.x`, which is a module only if it exists as one.
    pub maybe_submodule: bool,
    /// Where.
    pub site: Site,
}

#[cfg(test)]
mod tests;
