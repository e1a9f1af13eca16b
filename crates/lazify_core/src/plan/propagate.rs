//! The passes that carry a keep across statements: shared fate, and modules loaded anyway.

use rustc_hash::FxHashMap as HashMap;

use ruff_text_size::{Ranged, TextRange};

use super::Candidate;
use crate::diagnostic::KeepReason;
use crate::index::Index;

/// Statements binding the same name are decided together, and the names of one `from m import ...` share the
/// module: if one stays eager, the module loads anyway.
pub(super) fn share_fate(candidates: &mut [Candidate<'_>], index: &Index<'_>) {
    let mut keepers: HashMap<&str, (KeepReason, TextRange)> = HashMap::default();
    for c in candidates.iter() {
        let import = &index.imports[c.import];
        if !import.is_module_level() {
            continue;
        }
        if let Some((reason, _)) = c.keep_reason() {
            // Imports that never run (`if TYPE_CHECKING:`) or are already lazy bind nothing eagerly; one whose
            // binding is never read does not constrain the others.
            if reason.constrains_same_name() {
                keepers
                    .entry(index_name(c))
                    .or_insert((reason, c.alias.range()));
            }
        }
    }
    for c in candidates.iter_mut() {
        if !c.verdict.is_rewrite() {
            continue;
        }
        if let Some((_, span)) = keepers.get(c.verdict.binding.as_str()) {
            let detail = format!(
                "`{}` is also bound by an import that stays eager",
                c.verdict.binding
            );
            c.keep(KeepReason::SharedName, *span, Some(detail));
        }
    }
    // Siblings in `from m import x, y` (with a module: `from . import a, b` imports separate submodules).
    let mut eager_stmt: HashMap<usize, TextRange> = HashMap::default();
    for c in candidates.iter() {
        let import = &index.imports[c.import];
        if matches!(import.source_module(), Some((Some(_), _))) && !c.verdict.is_rewrite() {
            eager_stmt.entry(c.import).or_insert(c.alias.range());
        }
    }
    for c in candidates.iter_mut() {
        if c.verdict.is_rewrite()
            && let Some(span) = eager_stmt.get(&c.import)
        {
            c.keep(
                KeepReason::ModuleLoadedEagerly,
                *span,
                Some(format!(
                    "another name imported from `{}` in this statement stays eager",
                    c.verdict.module
                )),
            );
        }
    }
}

/// A module that an eager import loads anyway (itself or a submodule, which loads its parents) gains nothing
/// from a lazy import elsewhere in the file. Repeats until nothing changes.
pub(super) fn loaded_anyway(candidates: &mut [Candidate<'_>], index: &Index<'_>) {
    loop {
        // Each module an eager import loads, with its parents, and the first such import.
        let mut loaded: HashMap<&str, TextRange> = HashMap::default();
        for c in candidates.iter() {
            let import = &index.imports[c.import];
            let Some((reason, _)) = c.keep_reason() else {
                continue;
            };
            if !import.is_module_level() || !reason.loads_module() {
                continue;
            }
            let Some(module) = c.verdict.resolved_module.as_deref() else {
                continue;
            };
            let mut name = module;
            loop {
                loaded.entry(name).or_insert(c.alias.range());
                match name.rsplit_once('.') {
                    Some((parent, _)) => name = parent,
                    None => break,
                }
            }
        }
        let mut kept: Vec<(usize, TextRange)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            if !c.verdict.is_rewrite() {
                continue;
            }
            let import = &index.imports[c.import];
            // `from . import x`: the package is this module's parent, loaded before it; `x` is what is deferred.
            if matches!(import.source_module(), Some((None, _))) {
                continue;
            }
            if let Some(span) = c
                .verdict
                .resolved_module
                .as_deref()
                .and_then(|module| loaded.get(module))
            {
                kept.push((i, *span));
            }
        }
        if kept.is_empty() {
            return;
        }
        for (i, span) in kept {
            let c = &mut candidates[i];
            let detail = format!(
                "`{}` is loaded by an import that stays eager",
                c.verdict.resolved_module.as_deref().unwrap_or_default()
            );
            c.keep(KeepReason::ModuleLoadedEagerly, span, Some(detail));
        }
    }
}

pub(super) fn index_name<'a>(c: &Candidate<'a>) -> &'a str {
    // The binding borrowed from the AST rather than the verdict's owned copy.
    let alias = c.alias;
    alias.asname.as_ref().map_or_else(
        || alias.name.as_str().split('.').next().unwrap_or_default(),
        |a| a.as_str(),
    )
}
