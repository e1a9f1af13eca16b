//! The lazify engine: Python source text in, import verdicts and rewritten text out.
//!
//! No files, no printing, no global state. The command line, the language server and the tests all call
//! [`run`]. The pipeline is `parse → index → plan → rewrite → apply → verify`, one module per stage.

pub mod diagnostic;
pub mod edit;
pub mod effects;
pub mod facts;
mod index;
mod known;
mod plan;
pub mod python;
mod rewrite;
pub mod settings;
mod verify;

use std::path::Path;

pub use diagnostic::{
    DEFERRABLE_CODE, Decision, EngineError, FileOutcome, ImportVerdict, KeepReason, Notice,
    RewriteWhy, Skipped,
};
pub use facts::{FileFacts, Location, NamespaceRead, ProjectFacts};
pub use ruff_text_size::{TextRange, TextSize};
pub use settings::{KeepList, PythonVersion, Settings, SourceFile, Style, UnknownModules};

/// Analyses one file and, when something can be deferred, rewrites it.
///
/// `source` is the decoded text. The result's `fixed` text, when present, has been re-parsed and checked
/// against the PEP 810 placement rules; when that check fails the outcome carries
/// [`EngineError::FixBrokeSyntax`] and no text.
pub fn run(source: &str, file: &SourceFile, settings: &Settings) -> FileOutcome {
    if file.is_stub() {
        return FileOutcome {
            skipped: Some(Skipped::Stub),
            ..FileOutcome::default()
        };
    }
    let (style, style_note) = settings.effective_style();
    if style == Style::Lazy
        && let Some(v) = settings.target_version.filter(|v| !v.supports_lazy())
    {
        return FileOutcome {
            error: Some(EngineError::Settings {
                message: format!(
                    "style `lazy` needs target version py315 or newer, but the target is {v}; use \
                         `--style lazy-modules`"
                ),
            }),
            ..FileOutcome::default()
        };
    }
    if settings.hoist && style != Style::Lazy {
        return FileOutcome {
            error: Some(EngineError::Settings {
                message: format!(
                    "`--hoist` makes module-level `lazy` imports, so it needs style `lazy` (target py315 or newer), \
                     but the style is `{style}`"
                ),
            }),
            ..FileOutcome::default()
        };
    }
    let parsed = match python::parse(source) {
        Ok(parsed) => parsed,
        Err(error) => {
            return FileOutcome {
                error: Some(error),
                ..FileOutcome::default()
            };
        }
    };
    if parsed.has_skip_file_pragma(source) {
        return FileOutcome {
            skipped: Some(Skipped::SkipFilePragma),
            ..FileOutcome::default()
        };
    }
    // `lazy` and `__lazy_modules__` act only on 3.15, where annotations are deferred (PEP 649); a function-local
    // import must hold on the target version.
    let annotations_deferred = style != Style::Local || settings.target_defers_annotations();
    let index = index::Index::build(&parsed, source, annotations_deferred, settings.hoist);
    let plan = plan::plan(&index, &parsed, source, file, settings, style);
    let mut outcome = FileOutcome {
        style: Some(style),
        style_note,
        verdicts: plan.verdicts,
        notices: plan.notices,
        ..FileOutcome::default()
    };
    if plan.edits.is_empty() {
        return outcome;
    }
    match edit::apply(source, plan.edits) {
        Ok(fixed) if !settings.verify => outcome.fixed = Some(fixed),
        Ok(fixed) => match verify::verify(&fixed) {
            Ok(()) => outcome.fixed = Some(fixed),
            Err(message) => {
                let range = outcome
                    .rewrites()
                    .next()
                    .map_or_else(TextRange::default, |v| v.stmt_range);
                outcome.error = Some(EngineError::FixBrokeSyntax { message, range });
            }
        },
        Err(message) => {
            outcome.error = Some(EngineError::FixBrokeSyntax {
                message,
                range: TextRange::default(),
            });
        }
    }
    outcome
}

/// Convenience: the 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: TextSize) -> (usize, usize) {
    let offset = usize::from(offset).min(source.len());
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Whether `path` looks like a file lazify processes (`.py`, `.pyi`).
pub fn is_python_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py" || e == "pyi")
}

#[cfg(test)]
mod tests;
