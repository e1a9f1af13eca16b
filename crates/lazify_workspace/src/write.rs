//! Atomic writes: a temporary file in the same directory, renamed over the original.
//!
//! The original's permissions (and, on Unix, owner and group where the process may set them) are copied to the
//! new file first. A symlink is resolved and its target is written, so the link stays a link. A read-only file
//! is refused. On any failure the original file is untouched.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::error::WorkspaceError;

/// Replaces the contents of `path` with `bytes`, atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
    let failed = |source: std::io::Error| WorkspaceError::Write {
        path: path.to_path_buf(),
        source,
    };
    let target = fs::canonicalize(path).map_err(failed)?;
    let metadata = fs::metadata(&target).map_err(failed)?;
    if metadata.permissions().readonly() {
        return Err(WorkspaceError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".lazify-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed)?;
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    fs::set_permissions(temp.path(), metadata.permissions()).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // Keeping the owner needs privileges; without them the new file belongs to us, as with any editor.
        let _ = std::os::unix::fs::chown(temp.path(), Some(metadata.uid()), Some(metadata.gid()));
    }
    temp.persist(&target).map_err(|e| failed(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(path: &Path, bytes: &[u8]) {
        fs::File::create(path).unwrap().write_all(bytes).unwrap();
    }

    #[test]
    fn replaces_contents_and_leaves_no_temp_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.py");
        create(&file, b"import json\r\n");
        write_atomic(&file, b"lazy import json\r\n").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"lazy import json\r\n");
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.py"]);
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

        write_atomic(&link, b"new\n").unwrap();
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
    fn refuses_read_only_files() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("ro.py");
        create(&file, b"import json\n");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
        let error = write_atomic(&file, b"changed\n").unwrap_err();
        assert!(matches!(error, WorkspaceError::ReadOnly { .. }));
        assert!(error.to_string().contains("ro.py"));
        assert_eq!(fs::read(&file).unwrap(), b"import json\n");
    }

    #[test]
    fn missing_file_is_a_write_error() {
        let tmp = tempfile::tempdir().unwrap();
        let error = write_atomic(&tmp.path().join("gone.py"), b"x").unwrap_err();
        assert!(matches!(error, WorkspaceError::Write { .. }), "{error:?}");
    }
}
