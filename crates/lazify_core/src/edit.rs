//! Text edits and applying them in one pass.
//!
//! ```
//! use lazify_core::edit::{Edit, apply};
//! use lazify_core::TextSize;
//!
//! let edits = vec![Edit::insertion(TextSize::new(0), "lazy ".to_string())];
//! assert_eq!(apply("import json\n", edits).unwrap(), "lazy import json\n");
//! ```
//!
//! The result is [`UnverifiedText`]: only the engine's verification ([`crate::verify_fix`]) makes text that
//! may be written.

use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::fix::UnverifiedText;

/// A replacement of a range of the source by new text (empty range: insertion; empty text: deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    range: TextRange,
    content: String,
}

impl Edit {
    /// Inserts `content` at `at`.
    pub fn insertion(at: TextSize, content: String) -> Self {
        Self {
            range: TextRange::empty(at),
            content,
        }
    }

    /// Deletes `range`.
    pub fn deletion(range: TextRange) -> Self {
        Self {
            range,
            content: String::new(),
        }
    }

    /// Replaces `range` by `content`.
    pub fn replacement(range: TextRange, content: String) -> Self {
        Self { range, content }
    }

    /// The new text.
    pub fn content(&self) -> &str {
        &self.content
    }
}

impl Ranged for Edit {
    fn range(&self) -> TextRange {
        self.range
    }
}

/// Applies `edits` to `source` in one pass. Edits are sorted by position (insertions at the same offset keep
/// their order); overlapping edits are a planner bug and return an error naming them.
pub fn apply(source: &str, edits: Vec<Edit>) -> Result<UnverifiedText, String> {
    apply_text(source, edits).map(UnverifiedText::new)
}

fn apply_text(source: &str, mut edits: Vec<Edit>) -> Result<String, String> {
    edits.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut out =
        String::with_capacity(source.len() + edits.iter().map(|e| e.content.len()).sum::<usize>());
    let mut last = TextSize::new(0);
    for edit in &edits {
        if edit.range.start() < last {
            return Err(format!("overlapping edits at {:?}", edit.range));
        }
        out.push_str(&source[TextRange::new(last, edit.range.start())]);
        out.push_str(&edit.content);
        last = edit.range.end();
    }
    out.push_str(&source[usize::from(last)..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_order() {
        let src = "import a\nimport b\n";
        let edits = vec![
            Edit::insertion(TextSize::new(9), "lazy ".into()),
            Edit::insertion(TextSize::new(0), "lazy ".into()),
        ];
        assert_eq!(apply(src, edits).unwrap(), "lazy import a\nlazy import b\n");
    }

    #[test]
    fn rejects_overlaps() {
        let src = "abcdef";
        let edits = vec![
            Edit::replacement(TextRange::new(0.into(), 3.into()), "x".into()),
            Edit::deletion(TextRange::new(2.into(), 4.into())),
        ];
        assert!(apply(src, edits).is_err());
    }
}
