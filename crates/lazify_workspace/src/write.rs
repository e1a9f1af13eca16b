//! Checked, atomic writes: a temporary file in the same directory, renamed over the original, but only when the
//! original still holds the bytes that were analysed.
//!
//! The new file gets the original's owner and group (where the process may set them) and then its mode bits,
//! setuid, setgid and sticky included (in that order: changing the owner clears setuid and setgid). A symlink is
//! resolved and its target is written, so the link stays a link. A read-only file is refused.
//!
//! Just before the rename, after the temporary file is written, the original is read again and compared byte for
//! byte with what was analysed: an edit saved in the meantime is never overwritten, and a file deleted in the
//! meantime is never recreated. (Between that check and the rename there is still a window of one system call.)
//!
//! A rename would break a file's other hard links, and it cannot keep an owner, group or mode bits the process may
//! not give a new file. Such a file (more than one link, or a temporary file that did not get the same owner,
//! group and mode) is written in place instead, through one handle that is checked and then overwritten: its links,
//! owner and mode stay, but that write is not atomic; if it fails, the original bytes are written back.
//! Extended attributes and ACLs are not copied to a renamed file.
//!
//! The temporary file is deleted on every error path, and by its destructor when a panic unwinds through here.

use std::fs;
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::Path;

use crate::error::WorkspaceError;

/// Replaces the contents of `path` with `bytes`, atomically where possible, if the file still holds `expected`
/// (the bytes that were read and analysed). Errors name `display`.
pub fn write_checked(
    display: &Path,
    path: &Path,
    expected: &[u8],
    bytes: &[u8],
) -> Result<(), WorkspaceError> {
    let failed = |source: io::Error| WorkspaceError::Write {
        path: display.to_path_buf(),
        source,
    };
    let target = match fs::canonicalize(path) {
        Ok(target) => target,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(WorkspaceError::Deleted {
                path: display.to_path_buf(),
            });
        }
        Err(error) => return Err(failed(error)),
    };
    let metadata = fs::metadata(&target).map_err(failed)?;
    if !metadata.is_file() {
        return Err(failed(io::Error::other("not a regular file")));
    }
    if metadata.permissions().readonly() {
        return Err(WorkspaceError::ReadOnly {
            path: display.to_path_buf(),
        });
    }
    if has_other_links(&metadata) {
        return write_in_place(display, &target, expected, bytes);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    // Dropped (and deleted) on every early return below, and when a panic unwinds.
    let mut temp = tempfile::Builder::new()
        .prefix(".lazify-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed)?;
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    if !copy_owner_and_mode(temp.as_file(), &metadata).map_err(failed)? {
        drop(temp);
        return write_in_place(display, &target, expected, bytes);
    }
    before_replace(&target);
    check_unchanged(display, &target, expected)?;
    temp.persist(&target).map_err(|e| failed(e.error))?;
    Ok(())
}

/// Whether the file has other hard links, which a rename would split off.
fn has_other_links(metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        metadata.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

/// Gives `file` the owner, group and mode of `original`. `false` when the result differs (the process may not set
/// that owner, group or those mode bits), so that a rename would change them.
fn copy_owner_and_mode(file: &fs::File, original: &fs::Metadata) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // The owner first: a change of owner clears setuid and setgid, so the mode comes after it. Setting an
        // owner needs privileges; the comparison below decides what a failure means.
        let _ = std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()));
        file.set_permissions(original.permissions())?;
        let now = file.metadata()?;
        Ok(now.uid() == original.uid()
            && now.gid() == original.gid()
            && now.mode() & 0o7777 == original.mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        file.set_permissions(original.permissions())?;
        Ok(true)
    }
}

/// Fails unless `target` still holds `expected`.
fn check_unchanged(display: &Path, target: &Path, expected: &[u8]) -> Result<(), WorkspaceError> {
    match fs::read(target) {
        Ok(current) if current == expected => Ok(()),
        Ok(_) => Err(WorkspaceError::Changed {
            path: display.to_path_buf(),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Err(WorkspaceError::Deleted {
            path: display.to_path_buf(),
        }),
        Err(source) => Err(WorkspaceError::Read {
            path: display.to_path_buf(),
            source,
        }),
    }
}

/// Overwrites `target` through one handle, after checking through the same handle that it holds `expected`.
fn write_in_place(
    display: &Path,
    target: &Path,
    expected: &[u8],
    bytes: &[u8],
) -> Result<(), WorkspaceError> {
    let failed = |source: io::Error| WorkspaceError::Write {
        path: display.to_path_buf(),
        source,
    };
    // Never `create`: a file deleted since it was read stays deleted.
    let mut file = match fs::OpenOptions::new().read(true).write(true).open(target) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(WorkspaceError::Deleted {
                path: display.to_path_buf(),
            });
        }
        Err(error) => return Err(failed(error)),
    };
    before_replace(target);
    let mut current = Vec::with_capacity(expected.len());
    file.read_to_end(&mut current).map_err(failed)?;
    if current != expected {
        return Err(WorkspaceError::Changed {
            path: display.to_path_buf(),
        });
    }
    let overwrite = |file: &mut fs::File, bytes: &[u8]| -> io::Result<()> {
        file.rewind()?;
        file.write_all(bytes)?;
        file.set_len(bytes.len() as u64)?;
        file.sync_all()
    };
    if let Err(error) = overwrite(&mut file, bytes) {
        let restored = overwrite(&mut file, expected).is_ok();
        let what = if restored {
            "the original contents were written back"
        } else {
            "writing the original contents back failed too, so the file may be damaged"
        };
        return Err(failed(io::Error::new(
            error.kind(),
            format!("{error} (while writing the file in place; {what})"),
        )));
    }
    Ok(())
}

/// Runs between the analysis (and the temporary file's write) and the check before the replace: the test hook.
#[cfg(not(test))]
fn before_replace(_target: &Path) {}

#[cfg(test)]
fn before_replace(target: &Path) {
    hook::run(target);
}

/// A test-only hook that runs right before the final check, once, for one path: to edit or delete the file
/// between the analysis and the write, as a user's editor might.
#[cfg(test)]
pub(crate) mod hook {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, PoisonError};

    type Hook = Box<dyn FnOnce(&Path) + Send>;

    static HOOKS: Mutex<Vec<(PathBuf, Hook)>> = Mutex::new(Vec::new());

    /// Runs `hook` the next time `path` (or the file it links to) is about to be replaced.
    pub(crate) fn set(path: &Path, hook: impl FnOnce(&Path) + Send + 'static) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        HOOKS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((path, Box::new(hook)));
    }

    pub(super) fn run(target: &Path) {
        let hook = {
            let mut hooks = HOOKS.lock().unwrap_or_else(PoisonError::into_inner);
            let index = hooks.iter().position(|(path, _)| path == target);
            index.map(|index| hooks.swap_remove(index).1)
        };
        if let Some(hook) = hook {
            hook(target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(path: &Path, bytes: &[u8]) {
        fs::File::create(path).unwrap().write_all(bytes).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Writes `new` over a file that held `old`, as the run does.
    fn write(file: &Path, old: &[u8], new: &[u8]) -> Result<(), WorkspaceError> {
        write_checked(Path::new("shown.py"), file, old, new)
    }

    #[test]
    fn replaces_contents_and_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\r\n");
        write(&file, b"import json\r\n", b"lazy import json\r\n").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"lazy import json\r\n");
        assert_eq!(names(tmp.path()), ["a.py"]);
    }

    #[test]
    fn an_edit_saved_after_the_analysis_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\n");
        // Same length, same second: only the bytes tell the difference.
        hook::set(&file, |target| create(target, b"import yaml\n"));
        let error = write(&file, b"import json\n", b"lazy import json\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::Changed { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("shown.py") && message.contains("changed on disk"),
            "{message}"
        );
        assert_eq!(fs::read(&file).unwrap(), b"import yaml\n");
        assert_eq!(names(tmp.path()), ["a.py"]);
    }

    #[test]
    fn a_file_deleted_after_the_analysis_is_not_recreated() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\n");
        hook::set(&file, |target| fs::remove_file(target).unwrap());
        let error = write(&file, b"import json\n", b"lazy import json\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::Deleted { .. }), "{error:?}");
        assert!(error.to_string().contains("not recreated"), "{error}");
        assert!(!file.exists());
        assert!(names(tmp.path()).is_empty());
        // Already gone before the write starts.
        let error = write(&file, b"import json\n", b"lazy import json\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::Deleted { .. }), "{error:?}");
        assert!(!file.exists());
    }

    #[test]
    fn a_panic_before_the_rename_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\n");
        hook::set(&file, |_| panic!("the test hook panics"));
        let path = file.clone();
        let result = std::panic::catch_unwind(move || {
            let _ = write(&path, b"import json\n", b"lazy import json\n");
        });
        assert!(result.is_err());
        assert_eq!(names(tmp.path()), ["a.py"]);
        assert_eq!(fs::read(&file).unwrap(), b"import json\n");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_writes_through_symlinks() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let real_dir = tmp.path().join("real");
        fs::create_dir(&real_dir).unwrap();
        let target = real_dir.join("t.py");
        create(&target, b"old\n");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o751)).unwrap();
        let link = tmp.path().join("link.py");
        std::os::unix::fs::symlink(&target, &link).unwrap();

        write(&link, b"old\n", b"new\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new\n");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
            0o751
        );
    }

    #[cfg(unix)]
    #[test]
    fn keeps_setgid_setuid_and_sticky_bits() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        for mode in [0o2755, 0o4755, 0o1644, 0o6775] {
            let file = tmp.path().join(format!("m{mode:o}.py"));
            create(&file, b"old\n");
            fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
            let before = fs::metadata(&file).unwrap().permissions().mode() & 0o7777;
            write(&file, b"old\n", b"new\n").unwrap();
            assert_eq!(fs::read(&file).unwrap(), b"new\n");
            let after = fs::metadata(&file).unwrap().permissions().mode() & 0o7777;
            assert_eq!(after, before, "mode {mode:o}");
        }
        assert!(names(tmp.path()).iter().all(|n| !n.contains(".lazify-")));
    }

    #[cfg(unix)]
    #[test]
    fn keeps_hard_links() {
        use std::os::unix::fs::MetadataExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        let other = tmp.path().join("b.py");
        create(&file, b"import json\n");
        fs::hard_link(&file, &other).unwrap();
        let inode = fs::metadata(&file).unwrap().ino();
        write(&file, b"import json\n", b"lazy import json\n").unwrap();
        assert_eq!(fs::read(&other).unwrap(), b"lazy import json\n");
        assert_eq!(fs::metadata(&file).unwrap().ino(), inode);
        assert_eq!(fs::metadata(&file).unwrap().nlink(), 2);
        assert_eq!(names(tmp.path()), ["a.py", "b.py"]);

        // The check holds for in-place writes too.
        hook::set(&file, |target| create(target, b"import yaml\n"));
        let error = write(&file, b"lazy import json\n", b"x\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::Changed { .. }), "{error:?}");
        assert_eq!(fs::read(&other).unwrap(), b"import yaml\n");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_read_only_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("ro.py");
        create(&file, b"import json\n");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
        let error = write(&file, b"import json\n", b"changed\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::ReadOnly { .. }));
        assert!(error.to_string().contains("shown.py"));
        assert_eq!(fs::read(&file).unwrap(), b"import json\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_rename_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\n");
        // Replace the file by a directory just before the check: the check fails to read it.
        hook::set(&file, |target| {
            fs::remove_file(target).unwrap();
            fs::create_dir(target).unwrap();
        });
        let error = write(&file, b"import json\n", b"lazy import json\n").unwrap_err();
        assert!(error.to_string().contains("shown.py"), "{error}");
        assert_eq!(names(tmp.path()), ["a.py"]);
        assert!(file.is_dir());
    }

    /// The whole `--write` path: the workspace reads and analyses the file, the user saves an edit, the write is
    /// refused and the edit survives; the other file is written.
    #[test]
    fn a_run_with_write_refuses_a_file_edited_during_it() {
        let tmp = tempfile::tempdir().unwrap();
        let source = b"import json\n\n\ndef f():\n    return json.dumps(1)\n";
        let edited = b"import yaml\n\n\ndef f():\n    return yaml.dumps(1)\n";
        let (a, b) = (tmp.path().join("a.py"), tmp.path().join("b.py"));
        create(&a, source);
        create(&b, source);
        hook::set(&a, move |target| create(target, edited));
        let overrides = crate::Overrides {
            target_version: Some(lazify_core::PythonVersion::PY315),
            // Nothing but the two files in the folder, for `names` below.
            no_cache: true,
            ..crate::Overrides::default()
        };
        let workspace = crate::Workspace::new(tmp.path(), overrides).unwrap();
        let run = workspace.run(&[a.clone(), b.clone()], true);
        let (ra, rb) = (&run.files[0], &run.files[1]);
        assert!(!ra.written && rb.written);
        let error = ra.error.as_ref().unwrap();
        assert!(matches!(error, WorkspaceError::Changed { .. }), "{error:?}");
        assert!(error.to_string().contains("a.py"), "{error}");
        assert_eq!(fs::read(&a).unwrap(), edited);
        assert!(fs::read(&b).unwrap().starts_with(b"lazy import json"));
        assert_eq!(names(tmp.path()), ["a.py", "b.py"]);
    }
}
