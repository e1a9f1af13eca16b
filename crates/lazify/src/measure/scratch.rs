//! The temporary copies of the project a measurement works on.

use std::io::{self};
use std::path::{Path, PathBuf};

/// A temporary directory removed on drop.
pub(super) struct Scratch(pub(super) PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn scratch_dir() -> Result<Scratch, String> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!(
            "lazify-measure-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        if std::fs::create_dir(&dir).is_ok() {
            let dir = dir.canonicalize().unwrap_or(dir);
            return Ok(Scratch(dir));
        }
    }
    Err(format!(
        "cannot create a temporary directory in {}",
        base.display()
    ))
}

/// Directories never copied: version control, environments, caches and build output.
pub(super) const SKIPPED: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "target",
];
/// A project with more files than this is probably not the folder the user meant.
pub(super) const MAX_FILES: usize = 100_000;

pub(super) fn copy_tree(from: &Path, to: &Path, count: &mut usize) -> Result<(), String> {
    let error = |path: &Path, e: io::Error| format!("cannot copy {}: {e}", path.display());
    std::fs::create_dir_all(to).map_err(|e| error(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| error(from, e))? {
        let entry = entry.map_err(|e| error(from, e))?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let source = entry.path();
        let target = to.join(&name);
        *count += 1;
        if *count > MAX_FILES {
            return Err(format!(
                "{} holds more than {MAX_FILES} files: pass the project's folder",
                from.display()
            ));
        }
        let Ok(meta) = std::fs::metadata(&source) else {
            continue; // a broken symlink
        };
        if meta.is_dir() {
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                continue;
            }
            copy_tree(&source, &target, count)?;
        } else if meta.is_file() {
            std::fs::copy(&source, &target).map_err(|e| error(&source, e))?;
        }
    }
    Ok(())
}

/// The deepest folder holding every path.
pub(super) fn common_dir(paths: &[PathBuf]) -> Option<PathBuf> {
    let mut dirs = paths.iter().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    });
    let mut common = dirs.next()?;
    for dir in dirs {
        while !dir.starts_with(&common) {
            common = common.parent()?.to_path_buf();
        }
    }
    Some(common)
}

/// Where the copy of `module`'s top-level package or module sits: the `sys.path` entry. `copy_root` is the
/// folder holding the copy of the project folder; `src/` layouts are found from the given paths.
pub(super) fn find_import_root(
    copy_root: &Path,
    paths: &[PathBuf],
    module: &str,
) -> Option<PathBuf> {
    let top = module.split('.').next()?;
    let holds = |dir: &Path| dir.join(top).is_dir() || dir.join(format!("{top}.py")).is_file();
    let mut candidates: Vec<PathBuf> = Vec::new();
    for path in paths {
        for dir in path.ancestors() {
            if !dir.starts_with(copy_root) {
                break;
            }
            candidates.push(dir.to_path_buf());
            candidates.push(dir.join("src"));
        }
    }
    candidates.into_iter().find(|dir| holds(dir))
}
