//! Operational errors: everything that can go wrong around the engine (reading, decoding, configuration,
//! discovery, writing). Each names the path it is about. Findings in the user's Python are not errors; the
//! engine's own errors are [`lazify_core::EngineError`].

use std::io;
use std::path::PathBuf;

/// An error from the file-system side of lazify. The file it names is never written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkspaceError {
    /// A file or directory could not be read.
    #[error("failed to read {}: {source}", path.display())]
    #[diagnostic(code(lazify::io))]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A path given on the command line does not exist.
    #[error("{}: no such file or directory", path.display())]
    #[diagnostic(code(lazify::not_found))]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// A path given on the command line is a symbolic link that leads back to itself (`ELOOP`).
    #[error("{}: symbolic link loop (too many levels of symbolic links)", path.display())]
    #[diagnostic(code(lazify::symlink_loop))]
    SymlinkLoop {
        /// The path.
        path: PathBuf,
    },
    /// A path given on the command line is neither a regular file nor a directory (a FIFO, a socket, a
    /// device): reading it could block forever or consume someone else's data.
    #[error("{}: not a regular file or directory ({kind}); it was not read", path.display())]
    #[diagnostic(code(lazify::not_a_file))]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is (`a FIFO`, `a socket`, ...).
        kind: &'static str,
    },
    /// The file is in an encoding Python does not read source in (UTF-16, UTF-32).
    #[error("{}: {what}; Python source must be UTF-8 or declare an 8-bit encoding; the file was not changed", path.display())]
    #[diagnostic(code(lazify::wrong_encoding))]
    WrongEncoding {
        /// The path.
        path: PathBuf,
        /// What the file looks like (`UTF-16 encoded (BOM FF FE)`).
        what: String,
    },
    /// The source holds a NUL byte, which `CPython` refuses.
    #[error("{}:{line}:{column}: source code cannot contain null bytes (byte offset {offset}); the file was not changed", path.display())]
    #[diagnostic(code(lazify::null_byte))]
    NullByte {
        /// The path.
        path: PathBuf,
        /// The byte offset of the first NUL.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column, in bytes.
        column: usize,
    },
    /// A UTF-8 byte order mark together with a coding declaration for another encoding, which `CPython` refuses.
    #[error("{}:{line}: encoding problem: `{name}` with a UTF-8 byte order mark (CPython refuses the file); the file was not changed", path.display())]
    #[diagnostic(code(lazify::bom_mismatch))]
    BomMismatch {
        /// The path.
        path: PathBuf,
        /// The declared encoding.
        name: String,
        /// The line of the declaration (1 or 2).
        line: usize,
    },
    /// The bytes are not valid in the file's encoding.
    #[error("{}:{line}:{column}: invalid {encoding} at byte offset {offset}; the file was not changed", path.display())]
    #[diagnostic(code(lazify::decode))]
    Decode {
        /// The path.
        path: PathBuf,
        /// The encoding the file was read with (`utf-8`, or its PEP 263 declaration).
        encoding: String,
        /// The byte offset of the first bad byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column, in bytes.
        column: usize,
    },
    /// The PEP 263 coding declaration names an encoding lazify does not know.
    #[error("{}:{line}: unknown or unsupported encoding `{name}` in the coding declaration", path.display())]
    #[diagnostic(code(lazify::unknown_encoding))]
    UnknownEncoding {
        /// The path.
        path: PathBuf,
        /// The declared name.
        name: String,
        /// The line of the declaration (1 or 2).
        line: usize,
    },
    /// The text cannot be written back in the file's encoding byte for byte.
    #[error("{}: cannot write the file back in {encoding}: {message}; the file was not changed", path.display())]
    #[diagnostic(code(lazify::encode))]
    Encode {
        /// The path.
        path: PathBuf,
        /// The encoding.
        encoding: String,
        /// What went wrong.
        message: String,
    },
    /// A configuration file is invalid.
    #[error("{}: invalid configuration: {message}", path.display())]
    #[diagnostic(code(lazify::config))]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An invalid `--exclude` or `--keep` pattern, or another bad command-line value.
    #[error("{message}")]
    #[diagnostic(code(lazify::options))]
    Options {
        /// What is wrong.
        message: String,
    },
    /// The file is read-only, so it is not rewritten.
    #[error("{}: the file is read-only; it was not changed", path.display())]
    #[diagnostic(code(lazify::read_only))]
    ReadOnly {
        /// The path.
        path: PathBuf,
    },
    /// The file changed on disk between the analysis and the write, so the rewrite was not written.
    #[error("{}: the file changed on disk since it was read; it was not written (run lazify again)", path.display())]
    #[diagnostic(code(lazify::changed))]
    Changed {
        /// The path.
        path: PathBuf,
    },
    /// The file was deleted between the analysis and the write; it is not recreated.
    #[error("{}: the file was deleted since it was read; it was not recreated", path.display())]
    #[diagnostic(code(lazify::deleted))]
    Deleted {
        /// The path.
        path: PathBuf,
    },
    /// Writing the file failed; the original is untouched.
    #[error("failed to write {}: {source}; the file was not changed", path.display())]
    #[diagnostic(code(lazify::write))]
    Write {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The directory walk failed somewhere.
    #[error("{message}")]
    #[diagnostic(code(lazify::walk))]
    Walk {
        /// The walker's message (it names the path).
        message: String,
    },
}

impl WorkspaceError {
    /// The path the error is about, if any.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            WorkspaceError::Read { path, .. }
            | WorkspaceError::NotFound { path }
            | WorkspaceError::SymlinkLoop { path }
            | WorkspaceError::NotAFile { path, .. }
            | WorkspaceError::WrongEncoding { path, .. }
            | WorkspaceError::NullByte { path, .. }
            | WorkspaceError::BomMismatch { path, .. }
            | WorkspaceError::Changed { path }
            | WorkspaceError::Deleted { path }
            | WorkspaceError::Decode { path, .. }
            | WorkspaceError::UnknownEncoding { path, .. }
            | WorkspaceError::Encode { path, .. }
            | WorkspaceError::Config { path, .. }
            | WorkspaceError::ReadOnly { path }
            | WorkspaceError::Write { path, .. } => Some(path),
            WorkspaceError::Options { .. } | WorkspaceError::Walk { .. } => None,
        }
    }
}
