//! Turning verdicts and errors into text: report lines, JSON objects, GitHub annotations and miette
//! diagnostics. Pure functions; [`crate::printer`] decides where the text goes.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use lazify_core::{Decision, EngineError, ImportVerdict, Notice, SourceLines, TextRange};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};

/// A source file shared by the diagnostics that point into it.
pub(crate) type Source = NamedSource<Arc<String>>;

pub(crate) fn named_source(path: &Path, text: &str) -> Source {
    NamedSource::new(path.display().to_string(), Arc::new(text.to_string()))
}

/// 1-based start line and column, end line and column (columns in characters).
pub(crate) fn position(lines: &SourceLines<'_>, range: TextRange) -> (usize, usize, usize, usize) {
    let (line, column) = lines.line_column(range.start());
    let (end_line, end_column) = lines.line_column(range.end());
    (line, column, end_line, end_column)
}

/// The one-line message for a verdict (worded once, in the engine).
pub(crate) fn message(verdict: &ImportVerdict) -> String {
    verdict.message()
}

/// `path:line:col: LZF001 Make `import json` lazy (used only in deferred code) [lazy]`.
pub(crate) fn report_line(path: &Path, lines: &SourceLines<'_>, verdict: &ImportVerdict) -> String {
    let (line, column, ..) = position(lines, verdict.alias_range);
    let location = format!("{}:{line}:{column}:", path.display());
    match &verdict.decision {
        Decision::Rewrite { style, .. } => {
            format!(
                "{location} {} {} [{style}]",
                verdict.code(),
                message(verdict)
            )
        }
        Decision::Keep { reason, .. } => format!("{location} keep[{reason}] {}", message(verdict)),
    }
}

/// A file-level notice as a report line.
pub(crate) fn notice_line(path: &Path, lines: &SourceLines<'_>, notice: &Notice) -> String {
    let (line, column, ..) = position(lines, notice.range);
    let kind = if notice.warning { "warning" } else { "note" };
    format!(
        "{}:{line}:{column}: {kind}[{}] {}",
        path.display(),
        notice.name,
        notice.message
    )
}

/// The version of the JSON output's shape (`{"version": 1, "findings": [...], "errors": [...]}`). A change
/// that removes or renames a field, or changes its meaning, raises it; new fields do not.
pub(crate) const JSON_VERSION: u32 = 1;

/// The whole JSON output of a run.
#[derive(serde::Serialize)]
pub(crate) struct JsonOutput<'a> {
    pub(crate) version: u32,
    /// One object per verdict shown (the rewrites; every verdict with `--explain`).
    pub(crate) findings: Vec<JsonVerdict<'a>>,
    /// `--statistics`: the counts instead of the findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) statistics: Option<Vec<Statistic>>,
    /// Every error of the run, also printed on stderr.
    pub(crate) errors: Vec<JsonError>,
}

/// An error in the JSON output: what it is about and where, when it is known.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct JsonError {
    /// The file (a Python file, a configuration file, a path given on the command line).
    pub(crate) path: Option<String>,
    /// Where in it, when there is a position (1-based, columns in characters as for findings).
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
    pub(crate) end_line: Option<usize>,
    pub(crate) end_column: Option<usize>,
    /// `lazify::syntax_error`, `lazify::config`, ...
    pub(crate) code: String,
    pub(crate) message: String,
}

/// The JSON error for an operational error.
pub(crate) fn json_workspace_error(error: &lazify_workspace::WorkspaceError) -> JsonError {
    use lazify_workspace::WorkspaceError;
    let (line, column) = match error {
        WorkspaceError::Decode { line, column, .. }
        | WorkspaceError::NullByte { line, column, .. } => (Some(*line), Some(*column)),
        _ => (None, None),
    };
    JsonError {
        path: error.path().map(|p| p.display().to_string()),
        line,
        column,
        end_line: None,
        end_column: None,
        code: Diagnostic::code(error)
            .map_or_else(|| "lazify::error".to_string(), |c| c.to_string()),
        message: error.to_string(),
    }
}

/// The JSON error for an engine error in `path`.
pub(crate) fn json_engine_error(
    path: &Path,
    source: Option<&str>,
    error: &EngineError,
) -> JsonError {
    let span = source
        .zip(error.range())
        .map(|(source, range)| position(&SourceLines::new(source), range));
    JsonError {
        path: Some(path.display().to_string()),
        line: span.map(|s| s.0),
        column: span.map(|s| s.1),
        end_line: span.map(|s| s.2),
        end_column: span.map(|s| s.3),
        code: error
            .code()
            .map_or_else(|| "lazify::error".to_string(), |c| c.to_string()),
        message: error.to_string(),
    }
}

/// The finding code of a verdict: `LZF001` for a rewrite, `keep::<reason>` for a kept import (as `--explain`
/// and the editor name it).
pub(crate) fn verdict_code(verdict: &ImportVerdict) -> String {
    verdict.code()
}

/// The reason name of a verdict, rewrite or keep.
pub(crate) fn verdict_reason(verdict: &ImportVerdict) -> &'static str {
    match &verdict.decision {
        Decision::Rewrite { why, .. } => why.name(),
        Decision::Keep { reason, .. } => reason.name(),
    }
}

/// One line of `--statistics`: how many verdicts have this code and reason.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Statistic {
    pub(crate) count: usize,
    pub(crate) code: String,
    pub(crate) decision: &'static str,
    pub(crate) reason: &'static str,
}

/// Counts verdicts per code and reason, most frequent first (then by code and reason), as ruff's
/// `--statistics` does per rule.
pub(crate) fn statistics<'a>(
    verdicts: impl IntoIterator<Item = &'a ImportVerdict>,
) -> Vec<Statistic> {
    let mut counts: std::collections::BTreeMap<(String, &'static str, &'static str), usize> =
        std::collections::BTreeMap::new();
    for verdict in verdicts {
        let decision = if verdict.is_rewrite() {
            "rewrite"
        } else {
            "keep"
        };
        *counts
            .entry((verdict_code(verdict), decision, verdict_reason(verdict)))
            .or_default() += 1;
    }
    let mut rows: Vec<Statistic> = counts
        .into_iter()
        .map(|((code, decision, reason), count)| Statistic {
            count,
            code,
            decision,
            reason,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.code, a.reason).cmp(&(&b.code, b.reason)))
    });
    rows
}

/// `--statistics` as text: `count  code  message`, the counts right-aligned.
pub(crate) fn statistics_lines(rows: &[Statistic]) -> Vec<String> {
    let count_width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = rows.iter().map(|r| r.code.len()).max().unwrap_or(0);
    rows.iter()
        .map(|row| {
            let what = match row.decision {
                "rewrite" => lazify_core::RewriteWhy::ALL
                    .iter()
                    .find(|w| w.name() == row.reason)
                    .map_or("", |w| w.message()),
                _ => lazify_core::KeepReason::ALL
                    .iter()
                    .find(|k| k.name() == row.reason)
                    .map_or("", |k| k.message()),
            };
            let label = if row.decision == "rewrite" {
                format!("rewrite ({}): {what}", row.reason)
            } else {
                format!("keep: {what}")
            };
            format!(
                "{:>count_width$}  {:<code_width$}  {label}",
                row.count, row.code
            )
        })
        .collect()
}

/// The JSON object for a verdict (fields in this order).
#[derive(serde::Serialize)]
pub(crate) struct JsonVerdict<'a> {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// `LZF001` for a rewrite, `keep::<reason>` for a kept import.
    code: String,
    decision: &'static str,
    style: Option<&'static str>,
    reason: &'static str,
    /// For a kept import: where the code that proves the reason is.
    proof: Option<JsonSpan>,
    module: &'a str,
    resolved_module: Option<&'a str>,
    member: Option<&'a str>,
    binding: &'a str,
    message: String,
    /// `imported-module-has-effects`: the steps from the import to the effect, in other files.
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<&'a lazify_core::effects::EffectChain>,
    /// A rewrite's fix in ruff's shape ([`json_fix`]); `null` for a kept import, and for every finding of a
    /// file whose rewrite failed verification.
    fix: Option<JsonFix>,
}

/// A finding's fix as ruff's JSON writes it: rows and columns 1-based, columns in characters.
#[derive(serde::Serialize)]
pub(crate) struct JsonFix {
    applicability: lazify_core::Applicability,
    /// The fix title.
    message: String,
    edits: Vec<JsonEdit>,
}

#[derive(serde::Serialize)]
pub(crate) struct JsonEdit {
    content: String,
    location: JsonLocation,
    end_location: JsonLocation,
}

#[derive(serde::Serialize)]
pub(crate) struct JsonLocation {
    row: usize,
    column: usize,
}

/// The fix in JSON: its edits with their positions in the original text.
pub(crate) fn json_fix(lines: &SourceLines<'_>, fix: &lazify_core::Fix) -> JsonFix {
    let location = |offset| {
        let (row, column) = lines.line_column(offset);
        JsonLocation { row, column }
    };
    JsonFix {
        applicability: fix.applicability(),
        message: fix.title().to_string(),
        edits: fix
            .edits()
            .iter()
            .map(|edit| {
                use lazify_core::Ranged as _;
                JsonEdit {
                    content: edit.content().to_string(),
                    location: location(edit.range().start()),
                    end_location: location(edit.range().end()),
                }
            })
            .collect(),
    }
}

#[derive(serde::Serialize)]
pub(crate) struct JsonSpan {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// The JSON object for a verdict.
pub(crate) fn json_object<'a>(
    path: &Path,
    lines: &SourceLines<'_>,
    outcome: &lazify_core::FileOutcome,
    verdict: &'a ImportVerdict,
) -> JsonVerdict<'a> {
    let fix = outcome
        .error
        .is_none()
        .then(|| {
            let index = outcome
                .verdicts
                .iter()
                .position(|v| std::ptr::eq(v, verdict))?;
            outcome.fix_of(index)
        })
        .flatten()
        .map(|fix| json_fix(lines, fix));
    let (line, column, end_line, end_column) = position(lines, verdict.alias_range);
    let (decision, style, reason, proof) = match &verdict.decision {
        Decision::Rewrite { style, why } => (
            "rewrite",
            Some(style.as_str()),
            why.name(),
            verdict.proof.map(|proof| {
                let (line, column, end_line, end_column) = position(lines, proof);
                JsonSpan {
                    line,
                    column,
                    end_line,
                    end_column,
                }
            }),
        ),
        Decision::Keep { reason, span, .. } => {
            let (line, column, end_line, end_column) = position(lines, *span);
            (
                "keep",
                None,
                reason.name(),
                Some(JsonSpan {
                    line,
                    column,
                    end_line,
                    end_column,
                }),
            )
        }
    };
    JsonVerdict {
        path: path.display().to_string(),
        line,
        column,
        end_line,
        end_column,
        code: verdict_code(verdict),
        decision,
        style,
        reason,
        proof,
        module: &verdict.module,
        resolved_module: verdict.resolved_module.as_deref(),
        member: verdict.member.as_deref(),
        binding: &verdict.binding,
        message: message(verdict),
        chain: verdict.chain.as_ref(),
        fix,
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A GitHub Actions annotation for a verdict.
pub(crate) fn github_line(path: &Path, lines: &SourceLines<'_>, verdict: &ImportVerdict) -> String {
    let (line, column, end_line, end_column) = position(lines, verdict.alias_range);
    let title = match &verdict.decision {
        Decision::Rewrite { .. } => verdict.code(),
        Decision::Keep { reason, .. } => format!("keep {reason}"),
    };
    format!(
        "::notice file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
        escape_property(&path.display().to_string()),
        escape_property(&title),
        escape_data(&message(verdict))
    )
}

/// A GitHub Actions error annotation.
pub(crate) fn github_error(
    path: Option<&Path>,
    position: Option<(usize, usize)>,
    text: &str,
) -> String {
    let mut properties = Vec::new();
    if let Some(path) = path {
        properties.push(format!(
            "file={}",
            escape_property(&path.display().to_string())
        ));
    }
    if let Some((line, column)) = position {
        properties.push(format!("line={line},col={column}"));
    }
    let properties = if properties.is_empty() {
        String::new()
    } else {
        format!(" {}", properties.join(","))
    };
    format!("::error{properties}::{}", escape_data(text))
}

/// A diagnostic with a source snippet, rendered by miette.
#[derive(Debug)]
pub(crate) struct Report {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Snippet,
    labels: Vec<LabeledSpan>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(match &self.source {
            Snippet::Whole(source) => source as &dyn SourceCode,
            Snippet::Window(window) => window,
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn span(range: TextRange) -> SourceSpan {
    SourceSpan::from((usize::from(range.start()), usize::from(range.len())))
}

/// `--explain`: a verdict as a diagnostic pointing at the import and, for a kept import, at the code that
/// proves the reason.
pub(crate) fn explain_report(source: &Source, verdict: &ImportVerdict) -> Report {
    match &verdict.decision {
        Decision::Rewrite { style, why } => Report {
            message: message(verdict),
            code: verdict.code(),
            severity: Severity::Warning,
            help: Some(match &verdict.note {
                Some(note) => format!("{}\nnote: {note}", verdict.hint().unwrap_or_default()),
                None => verdict.hint().unwrap_or_default(),
            }),
            source: Snippet::Whole(source.clone()),
            labels: std::iter::once(LabeledSpan::new_with_span(
                Some(if verdict.is_resolved_at_once() {
                    why.message().to_string()
                } else {
                    format!("{} [{style}]", why.message())
                }),
                span(verdict.alias_range),
            ))
            .chain(verdict.proof.map(|proof| {
                LabeledSpan::new_with_span(Some("read here".to_string()), span(proof))
            }))
            .collect(),
        },
        Decision::Keep {
            reason,
            span: proof,
            detail,
        } => {
            let mut labels = vec![LabeledSpan::new_with_span(
                Some(reason.message().to_string()),
                span(*proof),
            )];
            if !proof.contains_range(verdict.alias_range)
                && !verdict.alias_range.contains_range(*proof)
            {
                let what = if *reason == lazify_core::KeepReason::AlreadyLazy {
                    "already lazy"
                } else {
                    "kept eager"
                };
                labels.push(LabeledSpan::new_with_span(
                    Some(what.to_string()),
                    span(verdict.alias_range),
                ));
            }
            let help = match (&verdict.chain, &verdict.note) {
                (Some(chain), _) => Some(chain_text(verdict, chain)),
                (None, Some(note)) => Some(note.clone()),
                (None, None) => detail.clone(),
            };
            Report {
                message: message(verdict),
                code: format!("keep::{reason}"),
                severity: Severity::Advice,
                help,
                source: Snippet::Whole(source.clone()),
                labels,
            }
        }
    }
}

/// The chain from an import to the effect its module has, one step a line.
fn chain_text(verdict: &ImportVerdict, chain: &lazify_core::effects::EffectChain) -> String {
    let mut text = format!(
        "loading `{}` {} ({}):\n  `{}`",
        verdict
            .resolved_module
            .as_deref()
            .unwrap_or(&verdict.module),
        chain.kind.describe(),
        chain.kind,
        verdict.describe()
    );
    for step in &chain.steps {
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!("\n  → {step}"));
    }
    text
}

/// An engine error (syntax error, misplaced `lazy`, a rewrite that broke the file) with its snippet.
pub(crate) fn engine_error_report(
    path: &Path,
    source: &Source,
    text: &str,
    error: &EngineError,
) -> Report {
    let range = error.range().unwrap_or_default();
    let (line, column, ..) = position(&SourceLines::new(text), range);
    let code = error
        .code()
        .map_or_else(|| "lazify::error".to_string(), |c| c.to_string());
    let label = match error {
        EngineError::Syntax { .. } => "syntax error here",
        EngineError::Placement { .. } => "not allowed here",
        EngineError::FixBrokeSyntax { .. } => "the rewrite nearest to the breakage",
        EngineError::TooDeep { .. } => "the nesting limit is crossed here",
        EngineError::Settings { .. } | EngineError::Internal { .. } => "",
    };
    Report {
        message: format!("{}:{line}:{column}: {error}", path.display()),
        code,
        severity: Severity::Error,
        help: None,
        source: Snippet::Whole(source.clone()),
        labels: vec![LabeledSpan::new_with_span(
            Some(label.to_string()),
            span(range),
        )],
    }
}

/// Renders a diagnostic: Unicode boxes always, colours only when asked. A label far along a long line is shown
/// in a window of that line (see [`Window`]).
pub(crate) fn render(report: &Report, color: bool, width: usize) -> String {
    let windowed = window(report);
    let report = windowed.as_ref().unwrap_or(report);
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    if handler.render_report(&mut out, report).is_err() {
        out = format!("{report}\n");
    }
    out
}

/// The source a diagnostic shows: the whole file, or the file with parts of its long lines left out.
#[derive(Debug)]
enum Snippet {
    Whole(Source),
    Window(Window),
}

/// Labels further right on their line than this many bytes are shown in a window of the line: miette's renderer
/// panics on a label past column 65,535 (it pads with a formatting width), and such a line is unreadable anyway.
const MAX_LABEL_COLUMN: usize = 1_000;
/// Characters kept on each side of a label's ends in such a window.
const WINDOW_RADIUS: usize = 40;
/// What stands for the text left out.
const ELISION: &str = "…";

/// The source text with long stretches of some lines replaced by [`ELISION`]: the lines keep their numbers, and
/// the header still gives the label's real column.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// The original text's byte offset of the start of each line, to give real columns.
    original: Arc<String>,
    /// The kept pieces, in order: offset in the original, offset in `text`, length in bytes.
    pieces: Vec<(usize, usize, usize)>,
}

impl Window {
    /// The offset in `text` of an offset in the original (which lies in a kept piece).
    fn to_window(&self, offset: usize) -> usize {
        self.pieces
            .iter()
            .rev()
            .find(|(start, _, _)| *start <= offset)
            .map_or(offset, |(start, at, len)| at + (offset - start).min(*len))
    }

    /// The offset in the original of an offset in `text`.
    fn to_original(&self, offset: usize) -> usize {
        self.pieces
            .iter()
            .rev()
            .find(|(_, at, _)| *at <= offset)
            .map_or(offset, |(start, at, len)| start + (offset - at).min(*len))
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // Without context the column is the span's own, which the header shows: give the original's.
        let column = if context_lines_before == 0 {
            let offset = self.to_original(inner.span().offset());
            let line_start = self.original[..offset].rfind('\n').map_or(0, |i| i + 1);
            offset - line_start
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// The report with a windowed source, when one of its labels lies past [`MAX_LABEL_COLUMN`].
fn window(report: &Report) -> Option<Report> {
    let Snippet::Whole(source) = &report.source else {
        return None;
    };
    let text: &Arc<String> = source.inner();
    let ends: Vec<usize> = report
        .labels
        .iter()
        .flat_map(|label| [label.offset(), label.offset() + label.len()])
        .map(|offset| offset.min(text.len()))
        .collect();
    let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let long_lines: std::collections::BTreeSet<usize> = ends
        .iter()
        .filter(|&&offset| offset - line_start(offset) > MAX_LABEL_COLUMN)
        .map(|&offset| line_start(offset))
        .collect();
    if long_lines.is_empty() {
        return None;
    }
    // The stretches to leave out: on each long line, everything farther than the radius from a label's end.
    let mut elided = Vec::new();
    for start in long_lines {
        let mut end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        if text[..end].ends_with('\r') {
            end -= 1;
        }
        let mut kept: Vec<(usize, usize)> = ends
            .iter()
            .filter(|&&offset| start <= offset && offset <= end)
            .map(|&offset| {
                let line = &text[start..end];
                let at = offset - start;
                let before = line[..at]
                    .char_indices()
                    .rev()
                    .nth(WINDOW_RADIUS - 1)
                    .map_or(0, |(i, _)| i);
                let after = line[at..]
                    .char_indices()
                    .nth(WINDOW_RADIUS)
                    .map_or(line.len(), |(i, _)| at + i);
                (start + before, start + after)
            })
            .collect();
        kept.sort_unstable();
        let mut cursor = start;
        for (from, to) in kept {
            if from > cursor {
                elided.push((cursor, from));
            }
            cursor = cursor.max(to);
        }
        if cursor < end {
            elided.push((cursor, end));
        }
    }
    let mut window = Window {
        name: source.name().to_string(),
        text: String::with_capacity(text.len()),
        original: Arc::clone(text),
        pieces: Vec::new(),
    };
    let mut cursor = 0;
    for (from, to) in elided {
        window
            .pieces
            .push((cursor, window.text.len(), from - cursor));
        window.text.push_str(&text[cursor..from]);
        window.text.push_str(ELISION);
        cursor = to;
    }
    window
        .pieces
        .push((cursor, window.text.len(), text.len() - cursor));
    window.text.push_str(&text[cursor..]);
    let labels = report
        .labels
        .iter()
        .map(|label| {
            let start = window.to_window(label.offset());
            let end = window.to_window(label.offset() + label.len());
            LabeledSpan::new_with_span(label.label().map(String::from), (start, end - start))
        })
        .collect();
    Some(Report {
        message: report.message.clone(),
        code: report.code.clone(),
        severity: report.severity,
        help: report.help.clone(),
        source: Snippet::Window(window),
        labels,
    })
}

#[cfg(test)]
mod tests;
