//! The lazify engine: Python source text in, import verdicts and rewritten text out.
//!
//! No files, no printing, no global state. The command line, the language server and the tests all call
//! [`run`]. The pipeline is `parse → index → plan → rewrite → apply → verify`, one module per stage.

#![warn(missing_docs)]

pub mod diagnostic;
pub mod edit;
pub mod effects;
pub mod facts;
pub mod finding;
pub mod fix;
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
    NoticeKind, RESOLVED_AT_ONCE_CODE, ReasonScope, RewriteWhy, Skipped,
};
pub use facts::{FileFacts, Location, NamespaceRead, ProjectFacts};
pub use finding::Finding;
pub use fix::{Applicability, Fix, UnverifiedText, VerifiedText};
pub use ruff_text_size::{Ranged, TextRange, TextSize};
pub use settings::{KeepList, PythonVersion, Settings, SourceFile, Style, UnknownModules};

/// Analyses one file and, when something can be deferred, rewrites it.
///
/// `source` is the decoded text. Each rewrite verdict belongs to one of the outcome's [`Fix`]es; the result's
/// `fixed` text, when present, is all of them applied in one pass, re-parsed and checked against the PEP 810
/// placement rules; when that check fails the outcome carries [`EngineError::FixBrokeSyntax`] and no text.
pub fn run(source: &str, file: &SourceFile, settings: &Settings) -> FileOutcome {
    if file.is_stub() {
        return FileOutcome {
            skipped: Some(Skipped::Stub),
            ..FileOutcome::default()
        };
    }
    let (style, style_note) = settings.effective_style();
    // Callers that resolve settings (the workspace) report this once, before any file; a caller that did not
    // gets it for each file.
    if let Some(message) = settings.problem() {
        return FileOutcome {
            error: Some(EngineError::Settings { message }),
            ..FileOutcome::default()
        };
    }
    // The syntax tree and the index are dropped before the rewritten text is re-parsed: two trees of a large
    // file at once doubled the peak memory of `--diff` and `--write`. Only the comments' ranges, which the
    // verification needs, outlive them.
    let (plan, comments, starts) = {
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
        // `lazy` and `__lazy_modules__` act only on 3.15, where annotations are deferred (PEP 649); a
        // function-local import must hold on the target version.
        let annotations_deferred = style != Style::Local || settings.target_defers_annotations();
        let index = index::Index::build(&parsed, source, annotations_deferred, settings.hoist);
        let plan = plan::plan(&index, &parsed, source, file, settings, style);
        let (comments, starts): (Vec<TextRange>, Vec<TextSize>) =
            if settings.verify && !plan.edits.is_empty() {
                (
                    parsed.comments().collect(),
                    parsed
                        .body()
                        .iter()
                        .map(ruff_text_size::Ranged::start)
                        .collect(),
                )
            } else {
                (Vec::new(), Vec::new())
            };
        (plan, comments, starts)
    };
    let mut planned: Vec<Fix> = plan
        .fixes
        .iter()
        .map(|(members, edits)| {
            let verdicts: Vec<&ImportVerdict> =
                members.iter().map(|&i| &plan.verdicts[i]).collect();
            Fix::new(
                verdicts.first().map(|v| v.code()).unwrap_or_default(),
                finding::fix_title(&verdicts),
                edits.iter().map(|&e| plan.edits[e].clone()).collect(),
                members.clone(),
            )
        })
        .collect();
    // In source order: by the first verdict each rewrites.
    planned.sort_by_key(|fix| fix.members().first().copied());
    let mut outcome = FileOutcome {
        style: Some(style),
        style_note,
        verdicts: plan.verdicts,
        notices: plan.notices,
        fixes: planned,
        ..FileOutcome::default()
    };
    if plan.edits.is_empty() {
        return outcome;
    }
    let edited: Vec<(TextRange, usize)> = plan
        .edits
        .iter()
        .map(|e| (ruff_text_size::Ranged::range(e), e.content().len()))
        .collect();
    match edit::apply(source, plan.edits) {
        // Unverified text is not handed out: the caller asked for the verdicts only.
        Ok(fixed) if !settings.verify => outcome.changes = fixed.as_str() != source,
        Ok(fixed) => match checked(source, &comments, &edited, &starts, fixed.as_str()) {
            Ok(()) => {
                outcome.changes = fixed.as_str() != source;
                outcome.fixed = Some(fixed.verified());
            }
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

/// Applies one fix alone to `source` (the text the outcome was computed from) and verifies the result as
/// [`run`] verifies the whole file's: the quick fix for one finding must not break the file either.
pub fn verify_fix(source: &str, fix: &Fix) -> Result<VerifiedText, EngineError> {
    let parsed = python::parse(source)?;
    let comments: Vec<TextRange> = parsed.comments().collect();
    let starts: Vec<TextSize> = parsed
        .body()
        .iter()
        .map(ruff_text_size::Ranged::start)
        .collect();
    drop(parsed);
    let range = fix.range().unwrap_or_default();
    let edited: Vec<(TextRange, usize)> = fix
        .edits()
        .iter()
        .map(|e| (ruff_text_size::Ranged::range(e), e.content().len()))
        .collect();
    let fixed = edit::apply(source, fix.edits().to_vec())
        .map_err(|message| EngineError::FixBrokeSyntax { message, range })?;
    checked(source, &comments, &edited, &starts, fixed.as_str())
        .map_err(|message| EngineError::FixBrokeSyntax { message, range })?;
    Ok(fixed.verified())
}

/// The verification of a rewrite ([`verify::verify_regions`]: only the changed parts are re-parsed). Debug
/// builds (the test suites) also check the whole file and insist that both agree, so that every test of the
/// engine tests the shortcut too.
fn checked(
    source: &str,
    comments: &[TextRange],
    edited: &[(TextRange, usize)],
    starts: &[TextSize],
    fixed: &str,
) -> Result<(), String> {
    let ranges = || -> Vec<TextRange> { edited.iter().map(|(range, _)| *range).collect() };
    // The shortcut may refuse what the whole file accepts (a region that ends in a backslash continuation, found
    // by the fuzzer): a refusal stands only once the whole file confirms it. Refusals are rare, so this costs
    // nothing on real code; what the shortcut accepts, the debug check below holds against the whole file.
    let result = match verify::verify_regions(source, comments, edited, starts, fixed) {
        Ok(()) => Ok(()),
        Err(_) => verify::verify(source, comments, &ranges(), fixed),
    };
    if cfg!(debug_assertions) {
        let whole = verify::verify(source, comments, &ranges(), fixed);
        assert_eq!(
            result.is_ok(),
            whole.is_ok(),
            "the verification of the changed regions ({result:?}) disagrees with the whole file's ({whole:?})"
        );
    }
    result
}

/// The lines of one text, indexed once ([`ruff_source_file::LineIndex`]): positions of many offsets in the same
/// file cost a binary search each, not a scan of the file. Lines end at `\n`, `\r\n` or a lone `\r` (old Mac
/// files), as Python reads them.
pub struct SourceLines<'s> {
    source: &'s str,
    index: ruff_source_file::LineIndex,
}

impl<'s> SourceLines<'s> {
    /// Indexes the lines of `source` (a text over 4 GiB, which the parser does not take either, is indexed up
    /// to there).
    pub fn new(source: &'s str) -> Self {
        let indexed = &source[..source.floor_char_boundary(source.len().min(u32::MAX as usize))];
        Self {
            source,
            index: ruff_source_file::LineIndex::from_source_text(indexed),
        }
    }

    /// The text this index was built from.
    pub fn source(&self) -> &'s str {
        self.source
    }

    /// The 1-based line and column (in characters) of a byte offset; an offset past the end counts as the end,
    /// one inside a character as that character's start.
    pub fn line_column(&self, offset: TextSize) -> (usize, usize) {
        let mut offset = usize::from(offset).min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let offset = TextSize::try_from(offset).unwrap_or(TextSize::new(u32::MAX));
        let location = self.index.source_location(
            offset,
            self.source,
            ruff_source_file::PositionEncoding::Utf32,
        );
        (location.line.get(), location.character_offset.get())
    }
}

/// Convenience: the 1-based line and column (in characters) of a byte offset. Lines end at `\n`, `\r\n` or a
/// lone `\r` (old Mac files), as Python reads them. Indexes the whole text on each call: for many offsets in
/// one file, build a [`SourceLines`] once.
pub fn line_column(source: &str, offset: TextSize) -> (usize, usize) {
    SourceLines::new(source).line_column(offset)
}

/// Whether `path` looks like a file lazify processes (`.py`, `.pyi`).
pub fn is_python_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py" || e == "pyi")
}

#[cfg(test)]
mod docs_tests;
#[cfg(test)]
mod tests;
