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
///
/// A path named on the command line must be a regular file or a directory (a FIFO could block forever). A file
/// reached through several paths (symlinks, hard links, overlapping arguments) is processed once, under the
/// first path that reached it.
pub fn discover(resolver: &Arc<Resolver>, paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    let mut seen = HashSet::default();
    // One directory: the walk yields each file once (it follows no symlinks), in path order once sorted; only
    // several paths (which may overlap or reach one file by different names) need the set of files seen and a
    // sort of the whole.
    let single = paths.len() == 1;
    for path in paths {
        let absolute = resolver.absolute(path);
        let metadata = match std::fs::metadata(&absolute) {
            Ok(metadata) => metadata,
            Err(error) => {
                found.errors.push(unreadable(path, error));
                continue;
            }
        };
        if !metadata.is_dir() {
            if !metadata.is_file() {
                found.errors.push(WorkspaceError::NotAFile {
                    path: path.clone(),
                    kind: special_kind(&metadata),
                });
                continue;
            }
            if resolver.overrides().force_exclude && resolver.is_excluded(&absolute, true) {
                continue;
            }
            if single || seen.insert(identity(&absolute, Some(&metadata))) {
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
            if seen.insert(identity(&candidate.absolute, None)) {
                found.files.push(candidate);
            }
        }
    }
    if !single {
        found.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    found
}

/// What makes two paths one file: the device and inode on Unix, else the canonical path (the path itself when
/// neither can be read).
#[derive(Debug, PartialEq, Eq, Hash)]
enum FileId {
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(absolute: &Path, metadata: Option<&std::fs::Metadata>) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let metadata = metadata
            .cloned()
            .or_else(|| std::fs::metadata(absolute).ok());
        if let Some(metadata) = metadata {
            return FileId::Inode(metadata.dev(), metadata.ino());
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    FileId::Path(std::fs::canonicalize(absolute).unwrap_or_else(|_| absolute.to_path_buf()))
}

/// The error for a command-line path whose metadata cannot be read.
fn unreadable(path: &Path, error: std::io::Error) -> WorkspaceError {
    if is_symlink_loop(&error) {
        WorkspaceError::SymlinkLoop {
            path: path.to_path_buf(),
        }
    } else if error.kind() == std::io::ErrorKind::NotFound {
        WorkspaceError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        WorkspaceError::Read {
            path: path.to_path_buf(),
            source: error,
        }
    }
}

/// Whether the error is `ELOOP` (`io::ErrorKind::FilesystemLoop` is not stable yet).
fn is_symlink_loop(error: &std::io::Error) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const ELOOP: Option<i32> = Some(40);
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    const ELOOP: Option<i32> = Some(62);
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    )))]
    const ELOOP: Option<i32> = None;
    ELOOP.is_some() && error.raw_os_error() == ELOOP
}

/// What a path that is neither a file nor a directory is, for the message.
fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_char_device() {
            return "a character device";
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    "a special file"
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

    #[cfg(unix)]
    #[test]
    fn special_files_and_symlink_loops_on_the_command_line_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(root, "ok.py");
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.py"))
            .status()
            .unwrap();
        assert!(fifo.success());
        std::os::unix::fs::symlink("loop_b.py", root.join("loop_a.py")).unwrap();
        std::os::unix::fs::symlink("loop_a.py", root.join("loop_b.py")).unwrap();
        let resolver = Arc::new(Resolver::new(root, Overrides::default()).unwrap());
        let found = discover(
            &resolver,
            &[
                PathBuf::from("pipe.py"),
                PathBuf::from("loop_a.py"),
                PathBuf::from("ok.py"),
                PathBuf::from("/dev/null"),
            ],
        );
        assert_eq!(names(&found), ["ok.py"]);
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "pipe.py: not a regular file or directory (a FIFO); it was not read",
                "loop_a.py: symbolic link loop (too many levels of symbolic links)",
                "/dev/null: not a regular file or directory (a character device); it was not read",
            ]
        );
        // The walk skips the FIFO and the loop without a word, as it skips every symlink.
        let found = discover(&resolver, &[PathBuf::from(".")]);
        assert_eq!(names(&found), ["ok.py"]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
    }

    #[cfg(unix)]
    #[test]
    fn one_file_reached_by_several_paths_is_taken_once_under_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(root, "pkg/m.py");
        touch(root, "pkg/n.py");
        std::os::unix::fs::symlink("pkg/m.py", root.join("link1.py")).unwrap();
        std::os::unix::fs::symlink("pkg/m.py", root.join("link2.py")).unwrap();
        std::os::unix::fs::symlink("pkg", root.join("alias")).unwrap();
        fs::hard_link(root.join("pkg/n.py"), root.join("hard.py")).unwrap();
        let resolver = Arc::new(Resolver::new(root, Overrides::default()).unwrap());
        let args = |list: &[&str]| list.iter().map(PathBuf::from).collect::<Vec<_>>();
        let found = discover(&resolver, &args(&["link2.py", "link1.py", "pkg/m.py"]));
        assert_eq!(names(&found), ["link2.py"]);
        let found = discover(&resolver, &args(&["alias", "pkg", "hard.py"]));
        assert_eq!(names(&found), ["alias/m.py", "alias/n.py"]);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
    }
}
