//! Minimal edits: the smallest replacements that turn a buffer into the engine's rewritten text.
//!
//! The engine returns whole rewritten texts; editors want small `TextEdit`s so that cursors, marks and undo
//! history stay where they were. A line diff finds the changed regions, then each region is trimmed of the
//! text it shares at both ends, so `import numpy` → `lazy import numpy` becomes one insertion of `lazy `.

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
                out.push(trimmed(old, new, o, n));
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
        out.push(trimmed(old, new, o, n));
    }
    out
}

/// Byte offsets of each line start, plus the total length.
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
