//! An open document: the buffer text the client sent, its version, and its line index.
//!
//! The text comes only from `didOpen` and `didChange`; a document is never read from or written to disk.

use lsp_types::TextDocumentContentChangeEvent;

use crate::encoding::{LineIndex, PositionEncoding};

/// One open buffer.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    text: String,
    version: i32,
    index: LineIndex,
}

impl Document {
    /// A document with its initial text.
    pub(crate) fn new(text: String, version: i32) -> Self {
        let index = LineIndex::new(&text);
        Self {
            text,
            version,
            index,
        }
    }

    /// The current text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The client's version number of the current text.
    pub(crate) fn version(&self) -> i32 {
        self.version
    }

    /// The line index of the current text.
    pub(crate) fn index(&self) -> &LineIndex {
        &self.index
    }

    /// Applies `didChange` content changes in order (each range refers to the text after the previous
    /// change), then records `version`.
    pub(crate) fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: PositionEncoding,
    ) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let range = self.index.text_range(&self.text, range, encoding);
                    self.text.replace_range(
                        usize::from(range.start())..usize::from(range.end()),
                        &change.text,
                    );
                }
            }
            self.index = LineIndex::new(&self.text);
        }
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_sequence() {
        let mut doc = Document::new("import os\n\ndef f():\n    return os\n".to_string(), 1);
        doc.apply_changes(
            vec![
                // Insert a line at the top, then edit the (now shifted) function name.
                change(Some(((0, 0), (0, 0))), "# π\n"),
                change(Some(((3, 4), (3, 5))), "g"),
            ],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "# π\nimport os\n\ndef g():\n    return os\n");
        assert_eq!(doc.version(), 2);
        assert_eq!(doc.index().line_count(), 6);
        doc.apply_changes(vec![change(None, "x = 1\n")], 3, PositionEncoding::Utf16);
        assert_eq!(doc.text(), "x = 1\n");
    }

    #[test]
    fn utf16_ranges_after_non_ascii() {
        let mut doc = Document::new("s = '𝄞'; import json\n".to_string(), 1);
        // `𝄞` is two UTF-16 units: `import` starts at unit 10.
        doc.apply_changes(
            vec![change(Some(((0, 10), (0, 10))), "lazy ")],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(doc.text(), "s = '𝄞'; lazy import json\n");
    }
}
