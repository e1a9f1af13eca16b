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
