//! Running the engine on a buffer and turning its outcome into diagnostics.
//!
//! Everything here works on the buffer as the client sent it. The engine is `lazify_core::run`, the same entry
//! point the command line uses; its findings carry their messages, codes and fixes, so nothing here words a
//! message or derives an edit from text.

use lazify_core::edit::Edit;
use lazify_core::{
    Decision, EngineError, FileOutcome, ImportVerdict, Settings, SourceFile, TextRange,
};
use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::encoding::{LineIndex, PositionEncoding, text_size};

/// The comment that keeps an import eager.
pub(crate) const KEEP_PRAGMA: &str = "  # lazify: keep";

/// The `source` field of every diagnostic the server publishes.
pub(crate) const SOURCE: &str = "lazify";

/// The engine's outcome for one version of a buffer.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// What the engine found; `None` when the engine panicked (a bug, logged).
    pub(crate) outcome: Option<FileOutcome>,
}

/// Runs the engine on a thread with a stack big enough for the deepest code lazify accepts (deeper code is
/// an error in the outcome), turning a panic into an error message so one bad buffer never stops the server.
pub(crate) fn run_engine(
    text: &str,
    file: &SourceFile,
    settings: &Settings,
) -> Result<FileOutcome, String> {
    lazify_workspace::on_big_stack(|| {
        lazify_workspace::guarded(&file.path, || lazify_core::run(text, file, settings))
    })
    .map_err(|error| error.to_string())
}

/// The diagnostics for an outcome.
pub(crate) fn diagnostics(
    text: &str,
    index: &LineIndex,
    encoding: PositionEncoding,
    outcome: &FileOutcome,
    severity: DiagnosticSeverity,
) -> Vec<Diagnostic> {
    if let Some(error) = &outcome.error {
        return error_diagnostic(text, index, encoding, error)
            .into_iter()
            .collect();
    }
    let mut diagnostics: Vec<Diagnostic> = outcome
        .rewrites()
        .map(|verdict| Diagnostic {
            range: index.range(text, verdict.alias_range, encoding),
            severity: Some(severity),
            code: Some(NumberOrString::String(verdict.code())),
            code_description: crate::links::code_description(crate::links::Section::Rewritten),
            source: Some(SOURCE.to_string()),
            message: verdict.message(),
            data: serde_json::to_value(verdict).ok(),
            ..Diagnostic::default()
        })
        .collect();
    diagnostics.extend(
        outcome
            .verdicts
            .iter()
            .filter_map(|v| effect_hint(text, index, encoding, v)),
    );
    diagnostics
}

/// `file:///a/my%20file.py` for an absolute path.
fn file_uri(path: &std::path::Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = std::fmt::Write::write_fmt(&mut uri, format_args!("%{byte:02X}"));
        }
    }
    uri
}

/// An import kept eager because its module has an effect when it loads: a hint whose related information
/// points at each step of the chain in the other files.
fn effect_hint(
    text: &str,
    index: &LineIndex,
    encoding: PositionEncoding,
    verdict: &ImportVerdict,
) -> Option<Diagnostic> {
    let chain = verdict.chain.as_ref()?;
    let Decision::Keep { reason, .. } = verdict.decision else {
        return None;
    };
    let related = chain
        .steps
        .iter()
        .filter_map(|step| {
            let path = step.path.as_ref()?;
            let path = std::path::absolute(path).ok()?;
            let uri: lsp_types::Uri = file_uri(&path).parse().ok()?;
            let line = u32::try_from(step.line.saturating_sub(1)).ok()?;
            let column = u32::try_from(step.column.saturating_sub(1)).ok()?;
            let position = lsp_types::Position::new(line, column);
            Some(lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location::new(uri, lsp_types::Range::new(position, position)),
                message: step.text.clone(),
            })
        })
        .collect();
    Some(Diagnostic {
        range: index.range(text, verdict.alias_range, encoding),
        severity: Some(DiagnosticSeverity::HINT),
        code: Some(NumberOrString::String(format!("keep::{reason}"))),
        code_description: crate::links::code_description(crate::links::Section::Kept),
        source: Some(SOURCE.to_string()),
        message: format!(
            "`{}` stays eager: loading it {} ({})",
            verdict.describe(),
            chain.kind.describe(),
            chain.describe()
        ),
        related_information: Some(related),
        ..Diagnostic::default()
    })
}

/// A syntax error gets no diagnostic (the user's other tools report it, and lazify has nothing to add);
/// a misplaced `lazy` (which parsers accept but `CPython` refuses) and an internal rewrite failure do.
fn error_diagnostic(
    text: &str,
    index: &LineIndex,
    encoding: PositionEncoding,
    error: &EngineError,
) -> Option<Diagnostic> {
    match error {
        EngineError::Placement { .. }
        | EngineError::FixBrokeSyntax { .. }
        | EngineError::TooDeep { .. } => {}
        EngineError::Syntax { .. }
        | EngineError::Settings { .. }
        | EngineError::Internal { .. } => {
            return None;
        }
    }
    let range = error.range()?;
    Some(Diagnostic {
        range: index.range(text, range, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(error.error_code())),
        source: Some(SOURCE.to_string()),
        message: error.to_string(),
        ..Diagnostic::default()
    })
}

/// Where a statement's last line ends (before the line break).
fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

/// The edit that appends `# lazify: keep` to the statement's last line (replacing trailing blanks).
pub(crate) fn keep_edit(text: &str, stmt: TextRange) -> Edit {
    let end = line_end(text, usize::from(stmt.end()));
    let content_end = text[..end]
        .trim_end_matches([' ', '\t'])
        .len()
        .max(usize::from(stmt.end()));
    Edit::replacement(
        TextRange::new(text_size(content_end), text_size(end)),
        KEEP_PRAGMA.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: Edit) -> String {
        lazify_core::edit::apply(text, vec![edit])
            .unwrap()
            .as_str()
            .to_string()
    }

    #[test]
    fn keep_edit_replaces_trailing_blanks() {
        let text = "import a  \nimport b\r\nx = 1";
        let a = TextRange::new(0.into(), 8.into());
        assert_eq!(
            apply(text, keep_edit(text, a)),
            "import a  # lazify: keep\nimport b\r\nx = 1"
        );
        let b = TextRange::new(11.into(), 19.into());
        assert_eq!(
            apply(text, keep_edit(text, b)),
            "import a  \nimport b  # lazify: keep\r\nx = 1"
        );
        let text = "import c";
        let c = TextRange::new(0.into(), 8.into());
        assert_eq!(apply(text, keep_edit(text, c)), "import c  # lazify: keep");
    }

    #[test]
    fn file_uris_are_percent_encoded() {
        assert_eq!(
            file_uri(std::path::Path::new("/tmp/my proj/café.py")),
            "file:///tmp/my%20proj/caf%C3%A9.py"
        );
    }
}
