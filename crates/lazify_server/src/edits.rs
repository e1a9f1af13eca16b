//! Minimal edits: the smallest replacements that turn a buffer into the engine's rewritten text.
//!
//! The engine returns whole rewritten texts; editors want small `TextEdit`s so that cursors, marks and undo
//! history stay where they were. A line diff finds the changed regions, then a character diff inside each
//! region finds the exact changes, so `import numpy` → `lazy import numpy` becomes one insertion of `lazy `
//! and three rewritten neighbouring lines become three insertions.

use lazify_core::TextRange;
use lsp_types::TextEdit;
use similar::{Algorithm, DiffOp, TextDiff};

use crate::encoding::{LineIndex, PositionEncoding, text_size};

/// One replacement in the old text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Replacement {
    /// The byte range replaced in the old text.
    pub(crate) range: TextRange,
    /// The new text.
    pub(crate) content: String,
}

/// The minimal replacements, in order and never overlapping, that turn `old` into `new`.
pub(crate) fn diff(old: &str, new: &str) -> Vec<Replacement> {
    if old == new {
        return Vec::new();
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_lines(old, new);
    let old_starts = line_offsets(diff.old_slices());
    let new_starts = line_offsets(diff.new_slices());
    let mut out = Vec::new();
    // Merge runs of adjacent non-equal ops into one hunk.
    let mut hunk: Option<((usize, usize), (usize, usize))> = None;
    for op in diff.ops() {
        if let DiffOp::Equal { .. } = op {
            if let Some((o, n)) = hunk.take() {
                refine(old, new, o, n, &mut out);
            }
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let o = (old_starts[o.start], old_starts[o.end]);
        let n = (new_starts[n.start], new_starts[n.end]);
        hunk = Some(match hunk {
            Some((ho, hn)) => ((ho.0, o.1), (hn.0, n.1)),
            None => (o, n),
        });
    }
    if let Some((o, n)) = hunk {
        refine(old, new, o, n, &mut out);
    }
    out
}

/// Above this size (bytes on either side) a changed region is sent as one trimmed replacement instead of
/// being diffed character by character.
const CHAR_DIFF_LIMIT: usize = 20_000;

/// Splits one changed region (`old_span` in the old text, `new_span` in the new) into the character-level
/// changes.
fn refine(
    old: &str,
    new: &str,
    old_span: (usize, usize),
    new_span: (usize, usize),
    out: &mut Vec<Replacement>,
) {
    let before = &old[old_span.0..old_span.1];
    let after = &new[new_span.0..new_span.1];
    if before.len() > CHAR_DIFF_LIMIT || after.len() > CHAR_DIFF_LIMIT {
        out.push(trimmed(old, new, old_span, new_span));
        return;
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_chars(before, after);
    let before_starts = line_offsets(diff.old_slices());
    let after_starts = line_offsets(diff.new_slices());
    // The current run of changes: byte spans in `before` and `after`.
    let mut run: Option<((usize, usize), (usize, usize))> = None;
    let mut flush = |run: Option<((usize, usize), (usize, usize))>| {
        if let Some((removed, inserted)) = run {
            out.push(Replacement {
                range: TextRange::new(
                    text_size(old_span.0 + removed.0),
                    text_size(old_span.0 + removed.1),
                ),
                content: after[inserted.0..inserted.1].to_string(),
            });
        }
    };
    for op in diff.ops() {
        if let DiffOp::Equal { .. } = op {
            flush(run.take());
            continue;
        }
        let (removed, inserted) = (op.old_range(), op.new_range());
        let removed = (before_starts[removed.start], before_starts[removed.end]);
        let inserted = (after_starts[inserted.start], after_starts[inserted.end]);
        run = Some(match run {
            Some((r, i)) => ((r.0, removed.1), (i.0, inserted.1)),
            None => (removed, inserted),
        });
    }
    flush(run);
}

/// Byte offsets of each slice (line or character) start, plus the total length.
fn line_offsets(lines: &[&str]) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    offsets.push(0);
    for line in lines {
        at += line.len();
        offsets.push(at);
    }
    offsets
}

fn trimmed(old: &str, new: &str, o: (usize, usize), n: (usize, usize)) -> Replacement {
    let (a, b) = (&old[o.0..o.1], &new[n.0..n.1]);
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(prefix) || !b.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let mut suffix = a_rest
        .bytes()
        .rev()
        .zip(b_rest.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while !a_rest.is_char_boundary(a_rest.len() - suffix)
        || !b_rest.is_char_boundary(b_rest.len() - suffix)
    {
        suffix -= 1;
    }
    Replacement {
        range: TextRange::new(
            text_size(o.0 + prefix),
            text_size(o.0 + prefix + a_rest.len() - suffix),
        ),
        content: b_rest[..b_rest.len() - suffix].to_string(),
    }
}

/// The replacements as LSP `TextEdit`s on `text`.
pub(crate) fn to_text_edits(
    text: &str,
    index: &LineIndex,
    encoding: PositionEncoding,
    replacements: &[Replacement],
) -> Vec<TextEdit> {
    replacements
        .iter()
        .map(|r| TextEdit::new(index.range(text, r.range, encoding), r.content.clone()))
        .collect()
}

/// Applies replacements (sorted, non-overlapping) to `text`.
#[cfg(test)]
pub(crate) fn apply(text: &str, replacements: &[Replacement]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in replacements {
        let (start, end) = (usize::from(r.range.start()), usize::from(r.range.end()));
        out.push_str(&text[last..start]);
        out.push_str(&r.content);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(old: &str, new: &str) -> Vec<(String, String)> {
        let edits = diff(old, new);
        assert_eq!(apply(old, &edits), new);
        edits
            .iter()
            .map(|e| (old[e.range].to_string(), e.content.clone()))
            .collect()
    }

    #[test]
    fn keyword_insertion_is_one_small_edit() {
        let old = "import os\nimport numpy\n\ndef f():\n    return numpy, os\n";
        let new = "import os\nlazy import numpy\n\ndef f():\n    return numpy, os\n";
        let edits = diff(old, new);
        assert_eq!(edits.len(), 1);
        assert_eq!(usize::from(edits[0].range.start()), 10);
        assert!(edits[0].range.is_empty());
        assert_eq!(edits[0].content, "lazy ");
    }

    #[test]
    fn separate_hunks_stay_separate() {
        let old = "import a\nx = 1\nimport b\n";
        let new = "lazy import a\nx = 1\nlazy import b\n";
        assert_eq!(
            check(old, new),
            [
                (String::new(), "lazy ".to_string()),
                (String::new(), "lazy ".to_string())
            ]
        );
    }

    #[test]
    fn neighbouring_lines_give_separate_edits() {
        let old = "import a\nimport b\nfrom m import x, y\n";
        let new = "lazy import a\nlazy import b\nlazy from m import x\nfrom m import y\n";
        let edits = check(old, new);
        assert_eq!(edits.len(), 4, "{edits:?}");
        assert_eq!(edits[0], (String::new(), "lazy ".to_string()));
        assert_eq!(edits[2], (String::new(), "lazy ".to_string()));
    }

    #[test]
    fn line_insertions_and_non_ascii() {
        check(
            "# é\nimport a\n",
            "# é\n__lazy_modules__ = [\"a\"]\nimport a\n",
        );
        check("x = 'é'\n", "x = 'è'\n");
        check("a\r\nb\r\n", "a\r\nlazy b\r\n");
        check("no newline", "lazy no newline");
        check("", "x\n");
        check("x\n", "");
    }
}
