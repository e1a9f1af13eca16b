//! Running the engine on a buffer and turning its outcome into diagnostics and fixes.
//!
//! Everything here works on text in memory: the buffer as the client sent it, and scratch copies of it.
//! The engine is `lazify_core::run`, the same entry point the command line uses.

use std::collections::BTreeMap;

use lazify_core::{
    DEFERRABLE_CODE, Decision, EngineError, FileOutcome, ImportVerdict, RewriteWhy, Settings,
    SourceFile, Style, TextRange,
};
use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::edits::{self, Replacement};
use crate::encoding::{LineIndex, PositionEncoding, text_size};

/// The comment that keeps an import eager.
pub(crate) const KEEP_PRAGMA: &str = "  # lazify: keep";

/// The `source` field of every diagnostic the server publishes.
pub(crate) const SOURCE: &str = "lazify";

/// The engine's outcome for one version of a buffer, with the inputs that produced it.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// What the engine found; `None` when the engine panicked (a bug, logged).
    pub(crate) outcome: Option<FileOutcome>,
    /// The settings used.
    pub(crate) settings: Settings,
    /// The file description used.
    pub(crate) file: SourceFile,
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

/// The import statements with at least one rewrite verdict, keyed by statement range, in source order.
pub(crate) fn rewrite_statements(
    outcome: &FileOutcome,
) -> BTreeMap<(u32, u32), Vec<&ImportVerdict>> {
    let mut statements: BTreeMap<(u32, u32), Vec<&ImportVerdict>> = BTreeMap::new();
    for verdict in outcome.rewrites() {
        let key = (
            verdict.stmt_range.start().into(),
            verdict.stmt_range.end().into(),
        );
        statements.entry(key).or_default().push(verdict);
    }
    statements
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
            code: Some(NumberOrString::String(DEFERRABLE_CODE.to_string())),
            code_description: crate::links::code_description(crate::links::Section::Rewritten),
            source: Some(SOURCE.to_string()),
            message: message(verdict),
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
    let code = match error {
        EngineError::Placement { .. } => "lazify::misplaced-lazy",
        EngineError::FixBrokeSyntax { .. } => "lazify::fix-broke-syntax",
        EngineError::TooDeep { .. } => "lazify::too-deeply-nested",
        EngineError::Syntax { .. }
        | EngineError::Settings { .. }
        | EngineError::Internal { .. } => {
            return None;
        }
    };
    let range = error.range()?;
    Some(Diagnostic {
        range: index.range(text, range, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(code.to_string())),
        source: Some(SOURCE.to_string()),
        message: error.to_string(),
        ..Diagnostic::default()
    })
}

/// The diagnostic message: the import, why it can be deferred, and what the style does with it.
pub(crate) fn message(verdict: &ImportVerdict) -> String {
    let Decision::Rewrite { style, why } = &verdict.decision else {
        return verdict.describe();
    };
    let why = match why {
        RewriteWhy::UsedOnlyDeferred => "is only used after import time",
        RewriteWhy::ReExport => "is an unreferenced re-export",
        RewriteWhy::Hoisted => {
            return format!(
                "`{}` inside a function can be one module-level lazy import (style `{style}`)",
                verdict.describe()
            );
        }
        RewriteWhy::LazyAttribute => {
            return format!(
                "`{}` is a re-export: bind it on first attribute access with the module's `__getattr__` \
                 (style `{style}`)",
                verdict.describe()
            );
        }
    };
    match style {
        Style::Lazy => format!(
            "`{}` {why}: make it lazy (style `lazy`)",
            verdict.describe()
        ),
        Style::LazyModules => format!(
            "`{}` {why}: add `{}` to `__lazy_modules__` (style `lazy-modules`)",
            verdict.describe(),
            listed_module(verdict)
        ),
        Style::Local => format!(
            "`{}` {why}: move it into the functions that use it (style `local`)",
            verdict.describe()
        ),
    }
}

fn listed_module(verdict: &ImportVerdict) -> &str {
    verdict
        .resolved_module
        .as_deref()
        .unwrap_or(&verdict.module)
}

/// The title of the quick fix for one statement's rewrites.
pub(crate) fn fix_title(verdicts: &[&ImportVerdict]) -> String {
    let Some(first) = verdicts.first() else {
        return String::new();
    };
    let style = match first.decision {
        Decision::Rewrite { style, .. } => style,
        Decision::Keep { .. } => return String::new(),
    };
    if style == Style::LazyModules {
        let mut modules: Vec<&str> = verdicts.iter().map(|v| listed_module(v)).collect();
        modules.dedup();
        return format!("Add {} to `__lazy_modules__`", backticked(&modules));
    }
    if style == Style::Lazy && verdicts.len() == 1 && first.member.is_none() {
        return format!("Make `{}` lazy", first.module);
    }
    let names: Vec<String> = verdicts
        .iter()
        .map(|v| {
            let (name, default_binding) = match &v.member {
                Some(member) => (member.as_str(), member.as_str()),
                None => (
                    v.module.as_str(),
                    v.module.split('.').next().unwrap_or_default(),
                ),
            };
            if v.binding == default_binding {
                name.to_string()
            } else {
                format!("{name} as {}", v.binding)
            }
        })
        .collect();
    let names = names.join(", ");
    let statement = match &first.member {
        Some(_) => format!("from {} import {names}", first.module),
        None => format!("import {names}"),
    };
    if style == Style::Local {
        format!("Move `{statement}` into the functions that use it")
    } else {
        format!("Make `{statement}` lazy")
    }
}

fn backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a statement's last line ends (before the line break).
fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

/// The edit that appends `# lazify: keep` to the statement's last line (replacing trailing blanks).
pub(crate) fn keep_edit(text: &str, stmt: TextRange) -> Replacement {
    let end = line_end(text, usize::from(stmt.end()));
    let content_end = text[..end]
        .trim_end_matches([' ', '\t'])
        .len()
        .max(usize::from(stmt.end()));
    Replacement {
        range: TextRange::new(text_size(content_end), text_size(end)),
        content: KEEP_PRAGMA.to_string(),
    }
}

/// The whole-file fix: minimal edits from the buffer to the engine's rewritten text.
pub(crate) fn fix_all(text: &str, outcome: &FileOutcome) -> Option<Vec<Replacement>> {
    if outcome.error.is_some() {
        return None;
    }
    let fixed = outcome.fixed.as_deref()?;
    Some(edits::diff(text, fixed))
}

/// The fix for one statement alone: the engine runs on a scratch copy of the buffer where every other
/// statement it would rewrite carries `# lazify: keep`, and the result is mapped back onto the buffer. When
/// the statement cannot be isolated that way (another rewritten statement on the same line, or the engine
/// decides differently once the others stay eager), the whole-file edits that touch the statement are used.
pub(crate) fn statement_fix(
    text: &str,
    analysis: &Analysis,
    outcome: &FileOutcome,
    stmt: TextRange,
) -> Option<Vec<Replacement>> {
    isolated_fix(text, analysis, outcome, stmt).or_else(|| {
        let all = fix_all(text, outcome)?;
        let touching: Vec<Replacement> = all
            .into_iter()
            .filter(|r| r.range.intersect(stmt).is_some())
            .collect();
        (!touching.is_empty()).then_some(touching)
    })
}

fn isolated_fix(
    text: &str,
    analysis: &Analysis,
    outcome: &FileOutcome,
    stmt: TextRange,
) -> Option<Vec<Replacement>> {
    let own_line_end = line_end(text, usize::from(stmt.end()));
    let mut pragmas: Vec<usize> = Vec::new();
    for &(start, end) in rewrite_statements(outcome).keys() {
        if TextRange::new(start.into(), end.into()) == stmt {
            continue;
        }
        let at = line_end(text, end as usize);
        if at == own_line_end {
            return None;
        }
        pragmas.push(at);
    }
    pragmas.sort_unstable();
    pragmas.dedup();
    if pragmas.is_empty() {
        return fix_all(text, outcome);
    }
    let mut scratch = String::with_capacity(text.len() + pragmas.len() * KEEP_PRAGMA.len());
    let mut last = 0;
    for &at in &pragmas {
        scratch.push_str(&text[last..at]);
        scratch.push_str(KEEP_PRAGMA);
        last = at;
    }
    scratch.push_str(&text[last..]);
    let scratch_outcome = run_engine(&scratch, &analysis.file, &analysis.settings).ok()?;
    if scratch_outcome.error.is_some() {
        return None;
    }
    let fixed = scratch_outcome.fixed?;
    let len = KEEP_PRAGMA.len();
    // Pragma `i` occupies [pragmas[i] + i*len, pragmas[i] + (i+1)*len) in the scratch text.
    let mut mapped = Vec::new();
    for r in edits::diff(&scratch, &fixed) {
        let (s1, s2) = (usize::from(r.range.start()), usize::from(r.range.end()));
        let mut shift = 0;
        for (i, &p) in pragmas.iter().enumerate() {
            let (ps, pe) = (p + i * len, p + (i + 1) * len);
            let overlaps = if s1 == s2 {
                ps < s1 && s1 < pe
            } else {
                ps < s2 && s1 < pe
            };
            if overlaps {
                return None;
            }
            if pe <= s1 {
                shift += len;
            }
        }
        mapped.push(Replacement {
            range: TextRange::new(text_size(s1 - shift), text_size(s2 - shift)),
            content: r.content,
        });
    }
    (!mapped.is_empty()).then_some(mapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_edit_replaces_trailing_blanks() {
        let text = "import a  \nimport b\r\nx = 1";
        let a = TextRange::new(0.into(), 8.into());
        let r = keep_edit(text, a);
        assert_eq!(
            edits::apply(text, &[r]),
            "import a  # lazify: keep\nimport b\r\nx = 1"
        );
        let b = TextRange::new(11.into(), 19.into());
        let r = keep_edit(text, b);
        assert_eq!(
            edits::apply(text, &[r]),
            "import a  \nimport b  # lazify: keep\r\nx = 1"
        );
        let text = "import c";
        let r = keep_edit(text, TextRange::new(0.into(), 8.into()));
        assert_eq!(edits::apply(text, &[r]), "import c  # lazify: keep");
    }

    fn verdict(module: &str, member: Option<&str>, binding: &str, style: Style) -> ImportVerdict {
        ImportVerdict {
            stmt_range: TextRange::default(),
            alias_range: TextRange::default(),
            module: module.to_string(),
            resolved_module: None,
            member: member.map(str::to_string),
            binding: binding.to_string(),
            decision: Decision::Rewrite {
                style,
                why: RewriteWhy::UsedOnlyDeferred,
            },
            chain: None,
            note: None,
        }
    }

    #[test]
    fn file_uris_are_percent_encoded() {
        assert_eq!(
            file_uri(std::path::Path::new("/tmp/my proj/café.py")),
            "file:///tmp/my%20proj/caf%C3%A9.py"
        );
    }

    #[test]
    fn titles_name_the_import() {
        let np = verdict("numpy", None, "numpy", Style::Lazy);
        assert_eq!(fix_title(&[&np]), "Make `numpy` lazy");
        let join = verdict("os.path", Some("join"), "j", Style::Lazy);
        let split = verdict("os.path", Some("split"), "split", Style::Lazy);
        assert_eq!(
            fix_title(&[&join, &split]),
            "Make `from os.path import join as j, split` lazy"
        );
        let np = verdict("numpy", None, "numpy", Style::LazyModules);
        assert_eq!(fix_title(&[&np]), "Add `numpy` to `__lazy_modules__`");
        assert_eq!(
            message(&np),
            "`import numpy` is only used after import time: add `numpy` to `__lazy_modules__` (style \
             `lazy-modules`)"
        );
    }
}
