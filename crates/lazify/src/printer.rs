//! Where output goes: stdout for the report (stderr in stdin mode, where stdout carries the source), stderr
//! for errors. Every write returns `io::Result` so that a closed pipe ends the run quietly.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

use lazify_core::EngineError;
use lazify_workspace::{FileResult, WorkspaceError};

use crate::args::OutputFormat;
use crate::render;

/// The output streams and how to write to them.
pub(crate) struct Printer<'a> {
    pub(crate) out: Box<dyn Write + 'a>,
    pub(crate) err: Box<dyn Write + 'a>,
    /// Colours on stdout / stderr.
    pub(crate) color_out: bool,
    pub(crate) color_err: bool,
    /// Width for rendered diagnostics.
    pub(crate) width: usize,
    pub(crate) format: OutputFormat,
    /// Settings errors already printed (the same message for every file).
    seen_settings_errors: HashSet<String>,
    /// `--output-format json`: every error printed, for the JSON output's `errors`.
    pub(crate) json_errors: Vec<render::JsonError>,
    /// How many errors were printed (a settings error repeated for several files counts once).
    pub(crate) errors: usize,
}

impl<'a> Printer<'a> {
    pub(crate) fn new(
        out: Box<dyn Write + 'a>,
        err: Box<dyn Write + 'a>,
        colors: (bool, bool),
        width: usize,
        format: OutputFormat,
    ) -> Self {
        Self {
            out,
            err,
            color_out: colors.0,
            color_err: colors.1,
            width,
            format,
            seen_settings_errors: HashSet::new(),
            json_errors: Vec::new(),
            errors: 0,
        }
    }

    /// An error not tied to source text.
    pub(crate) fn workspace_error(&mut self, error: &WorkspaceError) -> io::Result<()> {
        self.errors += 1;
        if self.format == OutputFormat::Json {
            self.json_errors.push(render::json_workspace_error(error));
        }
        writeln!(self.err, "error: {error}")?;
        if self.format == OutputFormat::Github {
            let position = match error {
                WorkspaceError::Decode { line, column, .. }
                | WorkspaceError::NullByte { line, column, .. } => Some((*line, *column)),
                _ => None,
            };
            writeln!(
                self.out,
                "{}",
                render::github_error(error.path(), position, &error.to_string())
            )?;
        }
        Ok(())
    }

    /// Every error of a file: the workspace error, or the engine's with its snippet.
    pub(crate) fn file_errors(&mut self, file: &FileResult) -> io::Result<()> {
        if let Some(error) = &file.error {
            self.workspace_error(error)?;
        }
        if let Some(error) = &file.outcome.error {
            self.engine_error(&file.path, file.source(), error)?;
        }
        Ok(())
    }

    fn engine_error(
        &mut self,
        path: &Path,
        source: Option<&str>,
        error: &EngineError,
    ) -> io::Result<()> {
        let (Some(source), Some(range)) = (source, error.range()) else {
            let text = error.to_string();
            // A settings error repeats for every file; each file's other errors are its own.
            if !matches!(error, EngineError::Settings { .. })
                || self.seen_settings_errors.insert(text.clone())
            {
                self.errors += 1;
                if self.format == OutputFormat::Json {
                    self.json_errors
                        .push(render::json_engine_error(path, source, error));
                }
                writeln!(self.err, "error: {}: {text}", path.display())?;
                if self.format == OutputFormat::Github {
                    writeln!(
                        self.out,
                        "{}",
                        render::github_error(Some(path), None, &text)
                    )?;
                }
            }
            return Ok(());
        };
        self.errors += 1;
        if self.format == OutputFormat::Json {
            self.json_errors
                .push(render::json_engine_error(path, Some(source), error));
        }
        // The diagnostic names the path, the position and the error: it is the only text for it.
        let (line, column, ..) = render::position(&lazify_core::SourceLines::new(source), range);
        let named = render::named_source(path, source);
        let report = render::engine_error_report(path, &named, source, error);
        write!(
            self.err,
            "{}",
            render::render(&report, self.color_err, self.width)
        )?;
        if self.format == OutputFormat::Github {
            writeln!(
                self.out,
                "{}",
                render::github_error(Some(path), Some((line, column)), &error.to_string())
            )?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

/// An output stream that names itself in its errors, so that a failed write can be reported:
/// `could not write to stdout: No space left on device (os error 28)`. The error kind is kept (a closed pipe is
/// still [`io::ErrorKind::BrokenPipe`]).
pub(crate) struct Named<W> {
    inner: W,
    name: &'static str,
}

impl<W: Write> Named<W> {
    pub(crate) fn new(name: &'static str, inner: W) -> Self {
        Self { inner, name }
    }

    fn wrap(&self, error: &io::Error) -> io::Error {
        io::Error::new(
            error.kind(),
            format!("could not write to {}: {error}", self.name),
        )
    }
}

impl<W: Write> Write for Named<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|error| self.wrap(&error))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|error| self.wrap(&error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn named_streams_say_which_write_failed() {
        let mut out = Named::new("stdout", Full);
        let error = out.write_all(b"x").unwrap_err();
        assert_eq!(
            error.to_string(),
            "could not write to stdout: No space left on device (os error 28)"
        );
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
    }
}
