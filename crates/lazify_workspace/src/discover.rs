//! Which files to process: directories are walked with the `ignore` crate (`.gitignore`, `.ignore` and
//! `.git/info/exclude` are respected, also outside a git repository; hidden files and directories are
//! skipped; `exclude` globs prune the walk), files named on the command line are taken as they are unless
//! `--force-exclude` applies the exclusions to them too.

use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::{WalkBuilder, WalkState};

use crate::error::WorkspaceError;
use crate::resolve::Resolver;

/// A file to process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The path for messages: as given on the command line or found by the walk, without a leading `./`.
    pub path: PathBuf,
    /// The absolute path (symlinks not resolved).
    pub absolute: PathBuf,
}

/// The result of discovery: files in path order, and the problems met on the way.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The files, sorted by path, each once.
    pub files: Vec<Candidate>,
    /// Missing paths and walk errors.
    pub errors: Vec<WorkspaceError>,
}

/// Finds the Python files under `paths`.
pub fn discover(resolver: &Arc<Resolver>, paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    let mut seen = HashSet::default();
    // One directory: the walk yields each file once, in path order once sorted; only several paths (which may
    // overlap) need the set of files seen and a sort of the whole.
    let single = paths.len() == 1;
    for path in paths {
        let absolute = resolver.absolute(path);
        let Ok(metadata) = std::fs::metadata(&absolute) else {
            found
                .errors
                .push(WorkspaceError::NotFound { path: path.clone() });
            continue;
        };
        if !metadata.is_dir() {
            if resolver.overrides().force_exclude && resolver.is_excluded(&absolute, true) {
                continue;
            }
            if single || seen.insert(absolute.clone()) {
                found.files.push(Candidate {
                    path: clean(path),
                    absolute,
                });
            }
            continue;
        }
        if resolver.overrides().force_exclude && resolver.is_excluded(&absolute, true) {
            continue;
        }
        let mut walked = walk(resolver, path, &absolute, &mut found.errors);
        walked.sort_by(|a, b| a.path.cmp(&b.path));
        if single {
            found.files = walked;
            break;
        }
        for candidate in walked {
            if seen.insert(candidate.absolute.clone()) {
                found.files.push(candidate);
            }
        }
    }
    if !single {
        found.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    found
}

/// Walks one directory in parallel (the `ignore` crate's walker threads).
fn walk(
    resolver: &Arc<Resolver>,
    path: &Path,
    absolute: &Path,
    errors: &mut Vec<WorkspaceError>,
) -> Vec<Candidate> {
    let files = Mutex::new(Vec::new());
    let walk_errors = Mutex::new(Vec::new());
    let filter_resolver = Arc::clone(resolver);
    // The walk's paths are `absolute` joined with plain components: the display path is the cleaned `path`
    // joined with the same components, and only `path` needs cleaning.
    let display_root = clean(path);
    WalkBuilder::new(absolute)
        .require_git(false)
        .filter_entry(move |entry| {
            entry.depth() == 0 || !filter_resolver.is_excluded(entry.path(), false)
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file && lazify_core::is_python_file(entry.path()) {
                            let relative =
                                entry.path().strip_prefix(absolute).unwrap_or(entry.path());
                            let candidate = Candidate {
                                path: if display_root == Path::new(".") {
                                    relative.to_path_buf()
                                } else {
                                    display_root.join(relative)
                                },
                                absolute: entry.path().to_path_buf(),
                            };
                            files
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push(candidate);
                        }
                    }
                    Err(error) => walk_errors
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(WorkspaceError::Walk {
                            message: error.to_string(),
                        }),
                }
                WalkState::Continue
            })
        });
    let mut walk_errors = walk_errors
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    walk_errors.sort_by_key(ToString::to_string);
    errors.append(&mut walk_errors);
    files.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Drops a leading `./` (and inner `.` components) for display.
fn clean(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write as _;

    use super::*;
    use crate::resolve::Overrides;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::File::create(path)
            .unwrap()
            .write_all(b"x = 1\n")
            .unwrap();
    }

    fn names(found: &Discovered) -> Vec<String> {
        found
            .files
            .iter()
            .map(|c| c.path.display().to_string())
            .collect()
    }

    #[test]
    fn walks_respecting_gitignore_hidden_and_excludes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for rel in [
            "a.py",
            "b.pyi",
            "notes.txt",
            "pkg/__init__.py",
            "pkg/z.py",
            "ignored.py",
            "build_out/gen.py",
            ".hidden/h.py",
            ".venv/lib/site.py",
            "venv/x.py",
            "skipme/s.py",
        ] {
            touch(root, rel);
        }
        fs::File::create(root.join(".gitignore"))
            .unwrap()
            .write_all(b"ignored.py\nbuild_out/\n")
            .unwrap();
        fs::File::create(root.join("lazify.toml"))
            .unwrap()
            .write_all(b"extend-exclude = [\"skipme\"]\n")
            .unwrap();
        let resolver = Arc::new(Resolver::new(root, Overrides::default()).unwrap());
        let found = discover(&resolver, &[PathBuf::from(".")]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(
            names(&found),
            ["a.py", "b.pyi", "pkg/__init__.py", "pkg/z.py"]
        );

        // Named files are taken even when ignored or excluded; --force-exclude applies exclusions.
        let found = discover(
            &resolver,
            &[
                PathBuf::from("skipme/s.py"),
                PathBuf::from("a.py"),
                PathBuf::from("missing.py"),
            ],
        );
        assert_eq!(names(&found), ["a.py", "skipme/s.py"]);
        assert_eq!(found.errors.len(), 1);
        assert!(found.errors[0].to_string().contains("missing.py"));

        let forced = Arc::new(
            Resolver::new(
                root,
                Overrides {
                    force_exclude: true,
                    ..Overrides::default()
                },
            )
            .unwrap(),
        );
        let found = discover(
            &forced,
            &[PathBuf::from("skipme/s.py"), PathBuf::from("./a.py")],
        );
        assert_eq!(names(&found), ["a.py"]);
    }

    #[test]
    fn overlapping_paths_give_each_file_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(root, "pkg/m.py");
        let resolver = Arc::new(Resolver::new(root, Overrides::default()).unwrap());
        let found = discover(
            &resolver,
            &[PathBuf::from("pkg"), PathBuf::from("pkg/m.py")],
        );
        assert_eq!(names(&found), ["pkg/m.py"]);
    }

    #[test]
    fn display_paths_drop_dot_components() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(root, "pkg/sub/m.py");
        let resolver = Arc::new(Resolver::new(root, Overrides::default()).unwrap());
        for arg in [".", "./pkg", "pkg/./sub", "pkg/sub/", "./pkg/sub/."] {
            let found = discover(&resolver, &[PathBuf::from(arg)]);
            assert_eq!(names(&found), ["pkg/sub/m.py"], "argument {arg}");
        }
    }
}
