//! The built-in table (`data/stdlib_effects.toml`): standard-library module names, modules that act when
//! imported, and calls, assignments and reads that are effects at import time.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Deserialize;

use super::EffectKind;

/// The table's text, as kept in the repository.
pub const TABLE_TEXT: &str = include_str!("../../data/stdlib_effects.toml");

/// The parsed table.
#[derive(Debug, Deserialize)]
pub struct Table {
    /// `sys.stdlib_module_names` of `CPython` 3.15.
    pub stdlib: Vec<String>,
    /// Modules whose import acts on the process: `[kind, what]`.
    pub modules: HashMap<String, (String, String)>,
    /// Modules that change something observable when imported without it mattering: the reason.
    #[serde(default)]
    pub exceptions: HashMap<String, String>,
    /// Calls that are effects at import time.
    pub functions: HashMap<String, String>,
    /// Attributes whose assignment is an effect.
    pub attributes: HashMap<String, String>,
    /// Names whose reading is an effect.
    pub reads: Reads,
    #[serde(skip)]
    stdlib_set: HashSet<String>,
}

/// `[reads]`.
#[derive(Debug, Deserialize)]
pub struct Reads {
    /// Dotted names.
    pub names: Vec<String>,
}

/// The table, parsed once. A broken table is a build-time mistake that the unit tests catch.
pub static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table: Table = toml::from_str(TABLE_TEXT).unwrap_or_else(|e| {
        // The table is part of the source; `table_parses` tests it.
        panic!("data/stdlib_effects.toml is invalid: {e}")
    });
    table.stdlib_set = table.stdlib.iter().cloned().collect();
    table
});

impl Table {
    /// Whether `module`'s top-level package is in the standard library.
    pub fn is_stdlib(&self, module: &str) -> bool {
        self.stdlib_set
            .contains(module.split('.').next().unwrap_or_default())
    }

    /// The import-time effect of `module` itself (or of a package it is in), if the table lists one.
    pub fn module_effect(&self, module: &str) -> Option<(EffectKind, &str, &str)> {
        let mut name = module;
        loop {
            if let Some((key, (kind, what))) = self.modules.get_key_value(name) {
                return Some((EffectKind::from_name(kind)?, what.as_str(), key.as_str()));
            }
            name = name.rsplit_once('.')?.0;
        }
    }

    /// The kind of a call of `qualified` (`atexit.register`), if it is an effect.
    pub fn function(&self, qualified: &str) -> Option<EffectKind> {
        if let Some(kind) = self.functions.get(qualified) {
            return EffectKind::from_name(kind);
        }
        let (module, _) = qualified.rsplit_once('.')?;
        let mut prefix = module;
        loop {
            if let Some(kind) = self.functions.get(&format!("{prefix}.*")) {
                return EffectKind::from_name(kind);
            }
            prefix = prefix.rsplit_once('.')?.0;
        }
    }

    /// The kind of an assignment to `qualified` (`sys.excepthook`), if listed.
    pub fn attribute(&self, qualified: &str) -> Option<EffectKind> {
        self.attributes
            .get(qualified)
            .and_then(|k| EffectKind::from_name(k))
    }

    /// Whether reading `qualified` (`os.environ`) is an effect.
    pub fn is_read(&self, qualified: &str) -> bool {
        self.reads.names.iter().any(|n| n == qualified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_every_kind_is_known() {
        let table = &*TABLE;
        assert!(table.stdlib.len() > 200, "the stdlib list is complete");
        for (name, kind) in table.functions.iter().chain(&table.attributes) {
            assert!(
                EffectKind::from_name(kind).is_some(),
                "{name}: unknown kind {kind}"
            );
        }
        for (name, (kind, _)) in &table.modules {
            assert!(
                EffectKind::from_name(kind).is_some(),
                "{name}: unknown kind {kind}"
            );
        }
    }

    #[test]
    fn lookups() {
        let table = &*TABLE;
        assert!(table.is_stdlib("os.path") && table.is_stdlib("json"));
        assert!(!table.is_stdlib("numpy"));
        assert_eq!(
            table.function("atexit.register"),
            Some(EffectKind::Registers)
        );
        assert_eq!(
            table.function("subprocess.run"),
            Some(EffectKind::Concurrency)
        );
        assert_eq!(table.function("json.dumps"), None);
        assert_eq!(
            table.attribute("sys.excepthook"),
            Some(EffectKind::Registers)
        );
        assert_eq!(
            table.module_effect("this").map(|(k, ..)| k),
            Some(EffectKind::Output)
        );
        assert!(table.module_effect("json").is_none());
        assert!(table.is_read("os.environ"));
    }
}
