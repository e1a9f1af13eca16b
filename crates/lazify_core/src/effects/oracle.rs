//! The oracle: whether loading a module has an effect, across modules, with the chain that shows it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap as HashMap;

use super::table::TABLE;
use super::{EffectKind, ExternalRef, ModuleSummary, RefUse, Site, summarize};
use crate::known;

/// How deep the oracle follows imports and calls across modules before it stops (and trusts the rest).
const MAX_DEPTH: usize = 48;

/// Where a module's source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Located {
    /// A `.py` file (a package's `__init__.py`), with its text.
    Source {
        /// The file.
        path: PathBuf,
        /// Its decoded text.
        text: String,
    },
    /// A namespace package: a folder without `__init__.py`; loading it runs nothing.
    Namespace,
    /// The module exists without Python source (a compiled extension, or a `.pyi` stub only).
    NoSource {
        /// What was found.
        path: Option<PathBuf>,
    },
    /// Not found.
    Missing,
}

/// Finds modules' sources: the workspace reads the project and the target environment; tests use a map.
pub trait ModuleLocator: Send + Sync + fmt::Debug {
    /// Where `module` (dotted) is.
    fn locate(&self, module: &str) -> Located;

    /// What a missing module means, for messages ("not installed in the target environment").
    fn missing_reason(&self) -> String {
        "not found in the project or the target environment".to_string()
    }

    /// The effect summary of `module`, whose source [`ModuleLocator::locate`] found at `path`; `None` when it
    /// does not parse. The default computes it; a locator with a cache may remember it.
    fn summarize(&self, module: &str, path: &Path, text: &str) -> Option<Arc<ModuleSummary>> {
        summarize(text, module, path).map(Arc::new)
    }

    /// The project's own modules (for feature checks made anywhere in the project).
    fn project_modules(&self) -> Vec<String> {
        Vec::new()
    }

    /// The feature checks of every project module that may hold one: `(module, path, checks)`. The default
    /// reads them one after the other; a locator with threads at hand may do it in parallel.
    fn project_feature_checks(&self) -> Vec<(String, PathBuf, super::features::FeatureChecks)> {
        self.project_modules()
            .into_iter()
            .filter_map(|module| {
                let Located::Source { path, text } = self.locate(&module) else {
                    return None;
                };
                if !super::features::may_check(&text) {
                    return None;
                }
                let checks = super::features::scan(&text, &module, &path)?;
                Some((module, path, checks))
            })
            .collect()
    }
}

/// A locator over an in-memory map of module name → source (tests, the language server's open buffers).
#[derive(Clone, Debug, Default)]
pub struct MapLocator {
    /// Module name → (path, text).
    pub modules: HashMap<String, (PathBuf, String)>,
}

impl MapLocator {
    /// Adds a module held in `path`.
    #[must_use]
    pub fn with(mut self, module: &str, path: &str, text: &str) -> Self {
        self.modules
            .insert(module.to_string(), (PathBuf::from(path), text.to_string()));
        self
    }
}

impl ModuleLocator for MapLocator {
    fn project_modules(&self) -> Vec<String> {
        let mut modules: Vec<String> = self.modules.keys().cloned().collect();
        modules.sort_unstable();
        modules
    }

    fn locate(&self, module: &str) -> Located {
        match self.modules.get(module) {
            Some((path, text)) => Located::Source {
                path: path.clone(),
                text: text.clone(),
            },
            None if self
                .modules
                .keys()
                .any(|k| k.strip_prefix(module).is_some_and(|r| r.starts_with('.'))) =>
            {
                Located::Namespace
            }
            None => Located::Missing,
        }
    }
}

/// One step of an explanation: a place in another file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainStep {
    /// The module.
    pub module: String,
    /// The file (`None` for the built-in table).
    pub path: Option<PathBuf>,
    /// 1-based line (0 for the built-in table).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The code there, or what the table says.
    pub text: String,
}

impl fmt::Display for ChainStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}:{}: {}", path.display(), self.line, self.text),
            None => write!(f, "`{}` (built-in table): {}", self.module, self.text),
        }
    }
}

/// Why loading a module has an effect: the steps from the import to the effect, the last one the effect.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EffectChain {
    /// The effect's kind.
    pub kind: EffectKind,
    /// The steps, the import's own module first.
    pub steps: Vec<ChainStep>,
    /// For `other-module`: the module it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<String>,
}

impl EffectChain {
    /// The effect itself.
    pub fn effect(&self) -> Option<&ChainStep> {
        self.steps.last()
    }

    /// `a.py:3: import b → b.py:5: codecs.register(...)`.
    pub fn describe(&self) -> String {
        self.steps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// A module whose effects are not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The module.
    pub module: String,
    /// Why (`not installed in the target environment`).
    pub why: String,
}

/// The oracle's answer for one import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EffectAnswer {
    /// Loading the module has an effect, shown by this chain.
    pub chain: Option<Arc<EffectChain>>,
    /// A module on the way (or the module itself) could not be analysed.
    pub unknown: Option<Unknown>,
}

/// Another file of the project detects a module's presence: `"name" in sys.modules`, or an import of this
/// module inside `try: ... except ImportError:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureCheck {
    /// Where.
    pub at: ChainStep,
}

/// Answers, for a module an import is about to defer, whether loading it has an effect visible outside it.
pub trait EffectOracle: Send + Sync + fmt::Debug {
    /// A file of the project that tests `"module" in sys.modules` (or `sys.modules.get("module")`).
    fn sys_modules_check(&self, module: &str) -> Option<FeatureCheck> {
        let _ = module;
        None
    }

    /// A file of the project that imports `guarded_file` (the file being rewritten) inside `try:` catching
    /// `ImportError`: its imports of modules outside the project and the standard library must stay eager.
    /// `None` when `dependency` is in the project or the standard library, or no such guard exists.
    fn import_guard(&self, guarded_file: &str, dependency: &str) -> Option<FeatureCheck> {
        let _ = (guarded_file, dependency);
        None
    }

    /// `import module` (and the packages it is in, except those of `importer`, which are loaded already).
    /// `importer_package` is the package the importing file is in (its own name for a package's
    /// `__init__.py`): changes to modules of the same top-level package are that package's business.
    fn module(
        &self,
        module: &str,
        importer: Option<&str>,
        importer_package: Option<&str>,
    ) -> EffectAnswer;

    /// `from module import member`, for the case where `module.member` is a submodule (nothing when it is
    /// not a module).
    fn member(&self, module: &str, member: &str, importer_package: Option<&str>) -> EffectAnswer;
}

/// A summarised module, or why there is none.
#[derive(Debug)]
enum Entry {
    Summary(Arc<ModuleSummary>),
    Namespace,
    NoSource,
    Missing,
    Unparsable(PathBuf),
}

/// Whether the oracle reads `module`'s source to judge it: not for a module every interpreter has loaded
/// before any user code runs, nor for one the built-in table judges (the standard library). A project scan
/// that summarises modules ahead of time skips these.
pub fn reads_source(module: &str) -> bool {
    !known::is_preloaded(module)
        && TABLE.module_effect(module).is_none()
        && !TABLE.is_stdlib(module)
}

/// The oracle over a [`ModuleLocator`]: every module is located and summarised at most once (thread-safe),
/// and a module's transitive answer is remembered once it is known for certain.
#[derive(Debug)]
pub struct Analyzer<L> {
    locator: L,
    entries: Mutex<HashMap<String, Arc<OnceLock<Entry>>>>,
    resolved: Mutex<HashMap<String, Resolved>>,
    /// What a name of another module does when called or subclassed, once known without a cycle cut.
    names: Mutex<HashMap<NameKey, Option<Arc<EffectChain>>>>,
    features: OnceLock<ProjectFeatures>,
    /// Names registered in `sys.modules` by some module: whether the registration is a private alias.
    aliases: Mutex<HashMap<String, bool>>,
}

/// A name of a module, and how it is used (called, subclassed).
type NameKey = (String, String, RefUse);

/// Feature checks across the project: module → the first place that checks it.
#[derive(Debug, Default)]
struct ProjectFeatures {
    sys_modules: HashMap<String, ChainStep>,
    guarded: HashMap<String, ChainStep>,
    project: rustc_hash::FxHashSet<String>,
    /// The first components of the project's modules.
    tops: rustc_hash::FxHashSet<String>,
}

impl<L: ModuleLocator> Analyzer<L> {
    /// An oracle reading modules through `locator`.
    pub fn new(locator: L) -> Self {
        Self {
            locator,
            entries: Mutex::new(HashMap::default()),
            resolved: Mutex::new(HashMap::default()),
            names: Mutex::new(HashMap::default()),
            features: OnceLock::new(),
            aliases: Mutex::new(HashMap::default()),
        }
    }

    /// Whether `sys.modules["name"] = m` registers a private alias, which deferring the module that makes it
    /// cannot make visible: no module of that name (or of its top-level package) exists in the standard library,
    /// the project or the target environment, and no file of the project imports it by that name, reads
    /// `sys.modules["name"]` or checks `"name" in sys.modules`. Only code lazify does not see could tell.
    fn private_alias(&self, name: &str) -> bool {
        if let Some(&known) = self
            .aliases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
        {
            return known;
        }
        let top = name.split('.').next().unwrap_or_default();
        let missing = |module: &str| {
            !TABLE.is_stdlib(module)
                && !known::is_preloaded(module)
                && matches!(self.entry(module).get(), Some(Entry::Missing))
        };
        let private = missing(top)
            && missing(name)
            && !self.features().tops.contains(top)
            && !self.features().sys_modules.contains_key(name)
            && self.locator.project_modules().iter().all(|module| {
                match self.locator.locate(module) {
                    Located::Source { text, .. } => {
                        super::features::imports_by_name(&text, name) == Some(false)
                    }
                    _ => true,
                }
            });
        self.aliases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_string(), private);
        private
    }

    /// Scans the project once for feature checks (only files that may hold one are parsed).
    fn features(&self) -> &ProjectFeatures {
        self.features.get_or_init(|| {
            let mut features = ProjectFeatures::default();
            for module in self.locator.project_modules() {
                features
                    .tops
                    .insert(module.split('.').next().unwrap_or_default().to_string());
                features.project.insert(module);
            }
            for (module, path, checks) in self.locator.project_feature_checks() {
                let step = |line: usize, text: &str| ChainStep {
                    module: module.clone(),
                    path: Some(path.clone()),
                    line,
                    column: 1,
                    text: text.to_string(),
                };
                for (name, line, text) in &checks.sys_modules {
                    features
                        .sys_modules
                        .entry(name.clone())
                        .or_insert_with(|| step(*line, text));
                }
                for (name, line, text) in &checks.guarded_imports {
                    features
                        .guarded
                        .entry(name.clone())
                        .or_insert_with(|| step(*line, text));
                }
            }
            features
        })
    }

    /// The locator.
    pub fn locator(&self) -> &L {
        &self.locator
    }

    /// The summary of `module` (computed once).
    fn entry(&self, module: &str) -> Arc<OnceLock<Entry>> {
        let cell = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            entries.entry(module.to_string()).or_default().clone()
        };
        cell.get_or_init(|| match self.locator.locate(module) {
            Located::Source { path, text } => match self.locator.summarize(module, &path, &text) {
                Some(summary) => Entry::Summary(summary),
                None => Entry::Unparsable(path),
            },
            Located::Namespace => Entry::Namespace,
            Located::NoSource { .. } => Entry::NoSource,
            Located::Missing => Entry::Missing,
        });
        cell
    }

    fn summary(&self, module: &str) -> Option<Arc<ModuleSummary>> {
        match self.entry(module).get() {
            Some(Entry::Summary(s)) => Some(s.clone()),
            _ => None,
        }
    }

    /// What loading `module` (its body and what it imports eagerly) does: its effects (the first of each
    /// kind of change), remembered once known for certain.
    fn resolve(&self, module: &str, q: &mut Query) -> Resolved {
        if known::is_preloaded(module) {
            return Resolved::default();
        }
        if let Some((kind, what, entry)) = TABLE.module_effect(module) {
            return Resolved {
                chains: vec![Arc::new(EffectChain {
                    kind,
                    steps: vec![ChainStep {
                        module: entry.to_string(),
                        path: None,
                        line: 0,
                        column: 0,
                        text: what.to_string(),
                    }],
                    changes: None,
                })],
                unknown: None,
            };
        }
        if TABLE.is_stdlib(module) {
            return Resolved::default();
        }
        if let Some(done) = self
            .resolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(module)
        {
            return done.clone();
        }
        // An answer this question found with a cycle cut: reusing it cuts this one too.
        if let Some(done) = q.local.get(module) {
            q.cut = true;
            return done.clone();
        }
        if q.visiting.contains(module) || q.depth >= MAX_DEPTH {
            q.cut = true;
            return Resolved::default();
        }
        let unknown = |why: String| Resolved {
            chains: Vec::new(),
            unknown: Some(Unknown {
                module: module.to_string(),
                why,
            }),
        };
        let entry = self.entry(module);
        let summary = match entry.get() {
            Some(Entry::Summary(s)) => s.clone(),
            Some(Entry::Namespace) => return Resolved::default(),
            Some(Entry::NoSource) => {
                return unknown("it has no Python source (a compiled module)".to_string());
            }
            Some(Entry::Unparsable(path)) => {
                return unknown(format!("its source {} does not parse", path.display()));
            }
            Some(Entry::Missing) | None => return unknown(self.locator.missing_reason()),
        };
        q.visiting.insert(module.to_string());
        q.depth += 1;
        let outer_cut = std::mem::replace(&mut q.cut, false);
        let resolved = self.resolve_summary(&summary, q);
        q.depth -= 1;
        q.visiting.remove(module);
        // Only an answer found without cutting a cycle is the same whichever module the question started from;
        // one found with a cut (even an effect: which chain is found first depends on where the cycle was entered)
        // is kept for this question alone, so that what a run prints never depends on which file asked first.
        if q.cut {
            q.local.insert(module.to_string(), resolved.clone());
        } else {
            self.resolved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(module.to_string(), resolved.clone());
        }
        q.cut |= outer_cut;
        resolved
    }

    fn resolve_summary(&self, summary: &ModuleSummary, q: &mut Query) -> Resolved {
        let step = |site: &Site| ChainStep {
            module: summary.module.clone(),
            path: Some(summary.path.clone()),
            line: site.line,
            column: site.column,
            text: site.text.clone(),
        };
        let mut found = Found::new(&summary.module);
        for effect in &summary.effects {
            let mut steps: Vec<ChainStep> = effect.via.iter().map(step).collect();
            steps.push(step(&effect.site));
            q.discarded |= !found.add(EffectChain {
                kind: effect.kind,
                steps,
                changes: effect.changes.clone(),
            });
            if found.certain() {
                return found.done(None);
            }
        }
        for external in &summary.external {
            if let Some(inner) = self.resolve_ref(external, q, 0) {
                let mut steps: Vec<ChainStep> = external.via.iter().map(step).collect();
                steps.push(step(&external.site));
                steps.extend(inner.steps.iter().cloned());
                q.discarded |= !found.add(EffectChain {
                    kind: inner.kind,
                    steps,
                    changes: inner.changes.clone(),
                });
                if found.certain() {
                    return found.done(None);
                }
            }
        }
        let mut unknown = None;
        for import in &summary.imports {
            // The packages of this module are loading already.
            if is_package_of(&import.module, &summary.module) || import.module == summary.module {
                continue;
            }
            if import.maybe_submodule
                && matches!(self.entry(&import.module).get(), Some(Entry::Missing))
            {
                continue;
            }
            for loaded in with_parents(&import.module) {
                if is_package_of(loaded, &summary.module) {
                    continue;
                }
                let resolved = self.resolve(loaded, q);
                for chain in &resolved.chains {
                    let mut steps = vec![step(&import.site)];
                    steps.extend(chain.steps.iter().cloned());
                    q.discarded |= !found.add(EffectChain {
                        kind: chain.kind,
                        steps,
                        changes: chain.changes.clone(),
                    });
                }
                if found.certain() {
                    return found.done(None);
                }
                if unknown.is_none() {
                    unknown = resolved.unknown;
                }
            }
        }
        found.done(unknown)
    }

    /// What a reference into another module (`other.register(...)`, a base class) does there.
    fn resolve_ref(
        &self,
        external: &ExternalRef,
        q: &mut Query,
        depth: usize,
    ) -> Option<Arc<EffectChain>> {
        self.resolve_name(&external.module, &external.name, external.used, q, depth)
    }

    fn resolve_name(
        &self,
        module: &str,
        name: &str,
        used: RefUse,
        q: &mut Query,
        depth: usize,
    ) -> Option<Arc<EffectChain>> {
        if TABLE.is_stdlib(module) {
            return None;
        }
        if depth >= MAX_DEPTH {
            q.cut = true;
            return None;
        }
        // As for modules: an answer found without a cycle cut is remembered for every question, one found with
        // a cut for this question alone (calls across modules can go round in circles), and each name is looked
        // into once per question.
        let key = (module.to_string(), name.to_string(), used);
        if let Some(done) = self
            .names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            return done.clone();
        }
        if let Some(done) = q.names_local.get(&key) {
            q.cut = true;
            return done.clone();
        }
        if !q.names_visiting.insert(key.clone()) {
            q.cut = true;
            return None;
        }
        let outer_cut = std::mem::replace(&mut q.cut, false);
        let found = self.resolve_name_in(module, name, used, q, depth);
        q.names_visiting.remove(&key);
        if q.cut {
            q.names_local.insert(key, found.clone());
        } else {
            self.names
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, found.clone());
        }
        q.cut |= outer_cut;
        found
    }

    fn resolve_name_in(
        &self,
        module: &str,
        name: &str,
        used: RefUse,
        q: &mut Query,
        depth: usize,
    ) -> Option<Arc<EffectChain>> {
        let summary = self.summary(module)?;
        let step = |site: &Site| ChainStep {
            module: summary.module.clone(),
            path: Some(summary.path.clone()),
            line: site.line,
            column: site.column,
            text: site.text.clone(),
        };
        // What a function records, it records into its own module.
        let own = Some(summary.module.clone());
        let found = match used {
            RefUse::Call => summary.functions.get(name).and_then(|f| {
                if let Some(effect) = &f.effect {
                    let mut steps: Vec<ChainStep> = effect.via.iter().map(step).collect();
                    steps.push(step(&effect.site));
                    return Some(EffectChain {
                        kind: effect.kind,
                        steps,
                        changes: effect.changes.clone(),
                    });
                }
                if let Some(site) = &f.mutates {
                    return Some(EffectChain {
                        kind: EffectKind::OtherModule,
                        steps: vec![step(site)],
                        changes: own.clone(),
                    });
                }
                f.external.iter().find_map(|inner| {
                    let chain = self.resolve_ref(inner, q, depth + 1)?;
                    let mut steps: Vec<ChainStep> = inner.via.iter().map(step).collect();
                    steps.push(step(&inner.site));
                    steps.extend(chain.steps.iter().cloned());
                    Some(EffectChain {
                        kind: chain.kind,
                        steps,
                        changes: chain.changes.clone(),
                    })
                })
            }),
            RefUse::Base | RefUse::Metaclass => {
                summary.recording_classes.get(name).map(|site| EffectChain {
                    kind: EffectKind::OtherModule,
                    steps: vec![step(site)],
                    changes: own.clone(),
                })
            }
        };
        if let Some(chain) = found {
            return Some(Arc::new(chain));
        }
        // `from .core import register` in a package: the name lives elsewhere.
        let target = summary.reexports.get(name)?;
        let (module, name) = target.rsplit_once('.')?;
        self.resolve_name(module, name, used, q, depth + 1)
    }

    /// The answer for `module`; changes to modules of the package `own` (the importing file's top-level
    /// package) are the package's own business and do not count.
    fn answer(&self, module: &str, own: Option<&str>) -> EffectAnswer {
        let mut q = Query::default();
        let resolved = self.resolve(module, &mut q);
        // Nothing reachable from `module` has an effect (none was found, none discounted): every module this
        // question left undecided because of a cycle is clean too.
        if resolved.chains.is_empty() && resolved.unknown.is_none() && !q.discarded {
            let mut memo = self
                .resolved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (module, local) in q.local {
                memo.entry(module).or_insert(local);
            }
        }
        let outside =
            |changed: &str| own.is_none_or(|own| changed != own && !is_package_of(own, changed));
        // `sys.modules["name"] = m` (process state that changes module `name`): a private alias is no effect.
        let counts = |c: &EffectChain| match (c.kind, c.changes.as_deref()) {
            (_, None) => true,
            (EffectKind::ProcessState, Some(alias)) => outside(alias) && !self.private_alias(alias),
            (_, Some(changed)) => outside(changed),
        };
        EffectAnswer {
            chain: resolved.chains.into_iter().find(|c| counts(c)),
            unknown: resolved.unknown,
        }
    }
}

/// What loading a module does: its effects, and a module on the way that could not be analysed.
#[derive(Clone, Debug, Default)]
struct Resolved {
    /// The first effect that changes nothing in particular (output, process state, ...), or else the first
    /// change of each module (a registry filled elsewhere may be in a package that is loading anyway).
    chains: Vec<Arc<EffectChain>>,
    unknown: Option<Unknown>,
}

/// One question to the oracle: the modules being resolved, those left undecided because of a cycle, and the
/// names of other modules already looked into.
#[derive(Default)]
struct Query {
    visiting: rustc_hash::FxHashSet<String>,
    depth: usize,
    cut: bool,
    discarded: bool,
    local: HashMap<String, Resolved>,
    names_visiting: rustc_hash::FxHashSet<NameKey>,
    names_local: HashMap<NameKey, Option<Arc<EffectChain>>>,
}

/// How many changes of other modules one answer keeps.
const MAX_CHANGES: usize = 8;

/// Effects found while resolving one module.
struct Found<'m> {
    module: &'m str,
    chains: Vec<Arc<EffectChain>>,
}

impl<'m> Found<'m> {
    fn new(module: &'m str) -> Self {
        Self {
            module,
            chains: Vec::new(),
        }
    }

    /// Adds an effect, unless it changes a module inside this one's package: any code that reads that module
    /// imports this package first, which makes the change. Returns `false` when it was discounted so.
    fn add(&mut self, chain: EffectChain) -> bool {
        if let Some(changed) = &chain.changes {
            if changed == self.module || is_package_of(self.module, changed) {
                return false;
            }
            if self.chains.len() >= MAX_CHANGES
                || self
                    .chains
                    .iter()
                    .any(|c| c.changes.as_ref() == Some(changed))
            {
                return true;
            }
        }
        self.chains.push(Arc::new(chain));
        true
    }

    /// Whether an effect no ancestor can discount is known (nothing more needs to be looked at).
    fn certain(&self) -> bool {
        self.chains.iter().any(|c| c.changes.is_none())
    }

    fn done(mut self, unknown: Option<Unknown>) -> Resolved {
        // The effect that changes nothing in particular first: it is the one no importer can discount.
        if let Some(i) = self.chains.iter().position(|c| c.changes.is_none()) {
            let first = self.chains.remove(i);
            self.chains.insert(0, first);
        }
        Resolved {
            chains: self.chains,
            unknown,
        }
    }
}

impl<L: ModuleLocator> EffectOracle for Analyzer<L> {
    fn sys_modules_check(&self, module: &str) -> Option<FeatureCheck> {
        let at = self.features().sys_modules.get(module)?.clone();
        Some(FeatureCheck { at })
    }

    fn import_guard(&self, guarded_file: &str, dependency: &str) -> Option<FeatureCheck> {
        let features = self.features();
        let top = dependency.split('.').next().unwrap_or_default();
        if TABLE.is_stdlib(dependency)
            || features.project.contains(dependency)
            || features.tops.contains(top)
        {
            return None;
        }
        let at = features.guarded.get(guarded_file)?.clone();
        Some(FeatureCheck { at })
    }

    fn module(
        &self,
        module: &str,
        importer: Option<&str>,
        importer_package: Option<&str>,
    ) -> EffectAnswer {
        let mut result = EffectAnswer::default();
        // A registry of the importing file's own package (`pkg.utils.HOOKS` filled by `pkg.environment`,
        // imported by `pkg/__init__.py`) is the package's business: code outside reads it through the package.
        let own = importer_package.and_then(|p| p.split('.').next());
        for loaded in with_parents(module) {
            if importer.is_some_and(|i| is_package_of(loaded, i) || loaded == i) {
                continue;
            }
            let answer = self.answer(loaded, own);
            if answer.chain.is_some() {
                return answer;
            }
            if result.unknown.is_none() {
                result.unknown = answer.unknown;
            }
        }
        result
    }

    fn member(&self, module: &str, member: &str, importer_package: Option<&str>) -> EffectAnswer {
        let name = format!("{module}.{member}");
        if TABLE.is_stdlib(&name) && TABLE.module_effect(&name).is_none() {
            return EffectAnswer::default();
        }
        if !TABLE.is_stdlib(&name) && matches!(self.entry(&name).get(), Some(Entry::Missing)) {
            return EffectAnswer::default();
        }
        // As for the module itself: changes to the importing file's own package are the package's business.
        self.answer(&name, importer_package.and_then(|p| p.split('.').next()))
    }
}

/// `a`, `a.b`, `a.b.c` for `a.b.c`: what importing it loads, outermost first.
fn with_parents(module: &str) -> impl Iterator<Item = &str> {
    module
        .match_indices('.')
        .map(|(i, _)| &module[..i])
        .chain(std::iter::once(module))
}

/// Whether `package` is a package that `module` lies in (`a` and `a.b` for `a.b.c`).
fn is_package_of(package: &str, module: &str) -> bool {
    module
        .strip_prefix(package)
        .is_some_and(|rest| rest.starts_with('.'))
}
