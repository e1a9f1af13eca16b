//! The summary cache: what the project scan and the effect oracle learn from a file (its facts for other
//! files, its effect summary, its feature checks), kept on disk between runs and keyed by the file's content.
//!
//! A run parses every file of a project once for these (instead of once for the facts, again for the
//! summary and again for the feature checks) and the next run, for every file whose text has not changed,
//! not at all. The cache lives in the project's folder, `.lazify_cache/` (as ruff keeps `.ruff_cache/`),
//! marked with a `CACHEDIR.TAG` and a `.gitignore` that ignores it; `--cache-dir` or `LAZIFY_CACHE_DIR` put it
//! elsewhere and `--no-cache` (or `LAZIFY_NO_CACHE=1`) turns it off. One file per project folder holds the
//! entries of the files the last run read, named after the version of lazify and the build, so that an
//! upgraded lazify never reads a stale summary. A cache that cannot be read is ignored; one that cannot be
//! written is not written: the cache never changes a verdict, and never stops a run.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use lazify_core::effects::ModuleSummary;
use lazify_core::effects::features::{self, FeatureChecks};
use lazify_core::{FileFacts, SourceFile};
use serde::{Deserialize, Serialize};

/// The name of the cache folder in a project.
pub const CACHE_FOLDER: &str = ".lazify_cache";

/// What one file yields, computed from one parse. A field is `None` when it was not asked for (an installed
/// package's module has no project facts) or when the file does not parse.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FileScan {
    /// The file's facts for other files (`None` when it does not parse or was not scanned for them).
    pub facts: Option<FileFacts>,
    /// Its effect summary, when it has a module name and parses.
    pub summary: Option<Arc<ModuleSummary>>,
    /// Its feature checks (`"name" in sys.modules`, guarded imports), when it may hold some.
    pub features: Option<FeatureChecks>,
    /// Whether it parsed.
    pub parses: bool,
}

/// One cached file: the key parts, and the scan.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// Hash of the decoded text.
    hash: u64,
    /// Its length in bytes.
    len: usize,
    /// The path it is shown as (summaries quote it).
    shown: PathBuf,
    /// The module name it was scanned as.
    module: Option<String>,
    /// Whether the facts were asked for.
    with_facts: bool,
    scan: Arc<FileScan>,
}

/// The cache of one project folder: entries loaded from disk, and the entries this run used or made, which
/// are what is saved.
#[derive(Debug, Default)]
pub struct SummaryCache {
    /// Where it is saved; `None` for a cache kept in memory only (`--no-cache`).
    file: Option<PathBuf>,
    /// The project folder (saved with the entries, and checked on load).
    root: PathBuf,
    loaded: HashMap<PathBuf, Arc<Entry>>,
    used: Mutex<HashMap<PathBuf, Arc<Entry>>>,
    changed: AtomicBool,
    hits: std::sync::atomic::AtomicUsize,
}

impl SummaryCache {
    /// A cache that is not read from or written to disk (it still shares one scan of a file between the
    /// project facts and the effect oracle within a run).
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// The cache of the project in `root`, kept in `folder` (`<root>/.lazify_cache` by default); loaded now.
    pub fn open(folder: &Path, root: &Path) -> Self {
        let file = folder.join(format!(
            "summaries-{}-{:016x}.bin",
            build_id(),
            hash_of(root)
        ));
        let loaded = std::fs::read(&file)
            .ok()
            .and_then(|bytes| bincode::deserialize::<Stored>(&bytes).ok())
            .filter(|stored| stored.root == root)
            .map(|stored| {
                stored
                    .entries
                    .into_iter()
                    .map(|(path, entry)| (path, Arc::new(entry)))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            file: Some(file),
            root: root.to_path_buf(),
            loaded,
            ..Self::default()
        }
    }

    /// The scan of the file at `absolute` (shown as `shown`, module `module`) whose decoded text is `text`:
    /// from the cache when the text is the same, else computed (one parse) and remembered. `with_facts`: also
    /// its facts for other files (project files; an installed package needs only its summary).
    pub fn scan(
        &self,
        absolute: &Path,
        shown: &Path,
        module: Option<&str>,
        text: &str,
        with_facts: bool,
    ) -> Arc<FileScan> {
        let hash = hash_of(text);
        let fits = |entry: &Entry| {
            entry.hash == hash
                && entry.len == text.len()
                && entry.shown == shown
                && entry.module.as_deref() == module
                && (entry.with_facts || !with_facts)
        };
        if let Some(entry) = self.lock_used().get(absolute).filter(|e| fits(e)) {
            return Arc::clone(&entry.scan);
        }
        if let Some(entry) = self.loaded.get(absolute).filter(|e| fits(e)) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            self.lock_used()
                .insert(absolute.to_path_buf(), Arc::clone(entry));
            return Arc::clone(&entry.scan);
        }
        let scan = Arc::new(compute(shown, module, text, with_facts));
        self.lock_used().insert(
            absolute.to_path_buf(),
            Arc::new(Entry {
                hash,
                len: text.len(),
                shown: shown.to_path_buf(),
                module: module.map(str::to_string),
                with_facts,
                scan: Arc::clone(&scan),
            }),
        );
        self.changed.store(true, Ordering::Relaxed);
        scan
    }

    /// How many files came from the disk cache this run.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// Writes the entries this run used to disk, when anything changed (or files went away). Failures are
    /// ignored: the next run computes again.
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let used = self.lock_used();
        if !self.changed.load(Ordering::Relaxed) && used.len() == self.loaded.len() {
            return;
        }
        let Some(folder) = file.parent() else { return };
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        mark_folder(folder);
        let stored = StoredRef {
            root: &self.root,
            entries: used.iter().map(|(k, v)| (k, &**v)).collect(),
        };
        let Ok(bytes) = bincode::serialize(&stored) else {
            return;
        };
        // Written beside and renamed, so that a run reading it at the same time sees the old or the new.
        let temporary = folder.join(format!(
            ".{}.{}.tmp",
            file.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        if write_file(&temporary, &bytes).is_ok() && std::fs::rename(&temporary, file).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    fn lock_used(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<Entry>>> {
        self.used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The saved form.
#[derive(Deserialize)]
struct Stored {
    root: PathBuf,
    entries: Vec<(PathBuf, Entry)>,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    root: &'a Path,
    entries: Vec<(&'a PathBuf, &'a Entry)>,
}

/// One parse of `text`, and everything the project scan and the oracle want from it.
fn compute(shown: &Path, module: Option<&str>, text: &str, with_facts: bool) -> FileScan {
    let Ok(parsed) = lazify_core::python::parse(text) else {
        return FileScan::default();
    };
    let file = SourceFile {
        path: shown.to_path_buf(),
        module_name: module.map(str::to_string),
    };
    let facts = with_facts.then(|| lazify_core::facts::scan_parsed(&parsed, &file));
    // A stub runs nothing and is no module's source: its facts count, it has no summary.
    let stub = shown.extension().is_some_and(|e| e == "pyi");
    let summary = module
        .filter(|module| !stub && lazify_core::effects::reads_source(module))
        .map(|module| {
            Arc::new(lazify_core::effects::summarize_parsed(
                &parsed, text, module, shown,
            ))
        });
    let features = match module {
        Some(module) if with_facts && !stub && features::may_check(text) => {
            Some(features::scan_parsed(&parsed, text, module, shown))
        }
        _ => None,
    };
    FileScan {
        facts,
        summary,
        features,
        parses: true,
    }
}

/// A hash of `value`, stable for one build of lazify.
fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Names this build: the version, and the executable's size and modification time, so that a rebuilt lazify
/// (whose analysis may differ) does not read the summaries of another build.
fn build_id() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
        .map(|meta| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            hash_of(&(meta.len(), modified))
        })
        .unwrap_or_default();
    format!("{}-{exe:016x}", env!("CARGO_PKG_VERSION"))
}

/// Writes one of the cache's own files (never a source file: those go through [`crate::write`]).
#[expect(
    clippy::disallowed_methods,
    reason = "the cache's own files, not source files: a torn one is ignored when read"
)]
fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Marks a new cache folder as ruff marks its own: `CACHEDIR.TAG` (backup tools skip it) and a `.gitignore`
/// that ignores everything in it.
fn mark_folder(folder: &Path) {
    let tag = folder.join("CACHEDIR.TAG");
    if !tag.exists() {
        let _ = write_file(
            &tag,
            b"Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by lazify.\n",
        );
    }
    let ignore = folder.join(".gitignore");
    if !ignore.exists() {
        let _ = write_file(&ignore, b"# Automatically created by lazify.\n*\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "import json\n\n\ndef dump(x):\n    return json.dumps(x)\n";
    const NOISY: &str = "print('loading')\n";

    fn scan(cache: &SummaryCache, text: &str) -> Arc<FileScan> {
        cache.scan(
            Path::new("/project/pkg/mod.py"),
            Path::new("pkg/mod.py"),
            Some("pkg.mod"),
            text,
            true,
        )
    }

    #[test]
    fn a_saved_scan_is_read_back_and_a_changed_text_is_scanned_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(CACHE_FOLDER);
        let root = Path::new("/project");
        let first = SummaryCache::open(&folder, root);
        let scanned = scan(&first, CLEAN);
        assert!(scanned.parses);
        assert!(scanned.facts.is_some());
        assert!(scanned.summary.as_ref().unwrap().effects.is_empty());
        assert_eq!(first.hits(), 0);
        first.save();
        assert!(folder.join("CACHEDIR.TAG").is_file());
        assert_eq!(
            std::fs::read_to_string(folder.join(".gitignore")).unwrap(),
            "# Automatically created by lazify.\n*\n"
        );

        let second = SummaryCache::open(&folder, root);
        let again = scan(&second, CLEAN);
        assert_eq!(second.hits(), 1);
        assert_eq!(again.facts.as_ref().unwrap().module_level_imports, ["json"]);
        // The same text again in the same run is not a second hit from disk.
        scan(&second, CLEAN);
        assert_eq!(second.hits(), 1);
        // New text: scanned again, and its effect is seen.
        let changed = scan(&second, NOISY);
        assert_eq!(second.hits(), 1);
        assert_eq!(changed.summary.as_ref().unwrap().effects.len(), 1);
        second.save();
        let third = SummaryCache::open(&folder, root);
        assert_eq!(
            scan(&third, NOISY).summary.as_ref().unwrap().effects.len(),
            1
        );
        assert_eq!(third.hits(), 1);
        // Another project folder does not read this one's file.
        let other = SummaryCache::open(&folder, Path::new("/elsewhere"));
        scan(&other, NOISY);
        assert_eq!(other.hits(), 0);
    }

    #[test]
    fn the_module_name_and_the_shown_path_are_part_of_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(CACHE_FOLDER);
        let root = Path::new("/project");
        let first = SummaryCache::open(&folder, root);
        scan(&first, CLEAN);
        first.save();
        let second = SummaryCache::open(&folder, root);
        let renamed = second.scan(
            Path::new("/project/pkg/mod.py"),
            Path::new("pkg/mod.py"),
            Some("other.mod"),
            CLEAN,
            true,
        );
        assert_eq!(renamed.summary.as_ref().unwrap().module, "other.mod");
        let shown = second.scan(
            Path::new("/project/pkg/mod.py"),
            Path::new("../project/pkg/mod.py"),
            Some("pkg.mod"),
            CLEAN,
            true,
        );
        assert_eq!(
            shown.summary.as_ref().unwrap().path,
            Path::new("../project/pkg/mod.py")
        );
        assert_eq!(second.hits(), 0);
    }

    #[test]
    fn a_corrupt_or_unwritable_cache_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(CACHE_FOLDER);
        let root = Path::new("/project");
        let first = SummaryCache::open(&folder, root);
        scan(&first, NOISY);
        first.save();
        let file = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "bin"))
            .unwrap();
        write_file(&file, b"not a cache").unwrap();
        let second = SummaryCache::open(&folder, root);
        assert_eq!(
            scan(&second, NOISY).summary.as_ref().unwrap().effects.len(),
            1
        );
        assert_eq!(second.hits(), 0);
        second.save();
        assert_ne!(std::fs::read(&file).unwrap(), b"not a cache");
        // A folder that cannot be made (a file is in the way): nothing is written, nothing fails.
        let blocked = dir.path().join("file");
        write_file(&blocked, b"x").unwrap();
        let third = SummaryCache::open(&blocked.join("cache"), root);
        scan(&third, NOISY);
        third.save();
        assert!(blocked.is_file());
        // In memory only: nothing is written anywhere.
        let memory = SummaryCache::in_memory();
        scan(&memory, NOISY);
        memory.save();
    }
}
