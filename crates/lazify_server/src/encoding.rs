//! Positions: converting between byte offsets in a buffer and LSP `Position`s in the negotiated encoding.
//!
//! LSP counts a position's `character` in UTF-16 code units unless client and server agree on UTF-8 bytes or
//! UTF-32 code points (`general.positionEncodings`). Lines end at `\n`, `\r\n` or `\r`. A position past the end
//! of its line means the end of the line (before the line break); a line past the end means the end of the text;
//! a position inside a character snaps to the start of that character. This module does no I/O.

use lazify_core::{TextRange, TextSize};
use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit in which a `Position`'s `character` counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PositionEncoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (the LSP default).
    #[default]
    Utf16,
    /// Unicode code points.
    Utf32,
}

impl PositionEncoding {
    /// The first encoding in the client's list (its order of preference) that we support; UTF-16 when the
    /// client offers none.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(Self::from_kind)
            .unwrap_or_default()
    }

    fn from_kind(kind: &PositionEncodingKind) -> Option<Self> {
        match kind.as_str() {
            "utf-8" => Some(Self::Utf8),
            "utf-16" => Some(Self::Utf16),
            "utf-32" => Some(Self::Utf32),
            _ => None,
        }
    }

    /// The LSP name of the encoding.
    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
            Self::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            // A `char` is at most 4 bytes and 2 UTF-16 units: the casts cannot truncate.
            Self::Utf8 => u32::try_from(c.len_utf8()).unwrap_or(4),
            Self::Utf16 => u32::try_from(c.len_utf16()).unwrap_or(2),
            Self::Utf32 => 1,
        }
    }
}

/// The lines of one version of a text ([`ruff_source_file::LineIndex`], which ends lines at `\n`, `\r\n` and `\r`).
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    index: ruff_source_file::LineIndex,
}

impl LineIndex {
    /// Indexes `text` (a text over 4 GiB, which the parser does not take either, is indexed up to there).
    pub(crate) fn new(text: &str) -> Self {
        let indexed = &text[..text.floor_char_boundary(text.len().min(u32::MAX as usize))];
        Self {
            index: ruff_source_file::LineIndex::from_source_text(indexed),
        }
    }

    /// The number of lines (a text ending with a line break has an empty last line).
    pub(crate) fn line_count(&self) -> usize {
        self.index.line_count()
    }

    /// The byte offset where line `line` (0-based, below [`Self::line_count`]) starts.
    fn line_start(&self, text: &str, line: usize) -> usize {
        usize::from(
            self.index
                .line_start(ruff_source_file::OneIndexed::from_zero_indexed(line), text),
        )
    }

    /// The byte range of line `line`'s content, without its line break.
    fn line_content(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.line_start(text, line);
        let end = if line + 1 < self.line_count() {
            let next = self.line_start(text, line + 1);
            let bytes = text.as_bytes();
            let mut end = next;
            if end > start && bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            end
        } else {
            text.len()
        };
        (start, end)
    }

    /// The byte offset of `position` in `text` (which must be the text this index was built from).
    pub(crate) fn offset(
        &self,
        text: &str,
        position: Position,
        encoding: PositionEncoding,
    ) -> usize {
        let line = position.line as usize;
        if line >= self.line_count() {
            return text.len();
        }
        let (start, end) = self.line_content(text, line);
        let content = &text[start..end];
        let wanted = position.character;
        if content.is_ascii() {
            return start + content.len().min(wanted as usize);
        }
        let mut units = 0u32;
        for (i, c) in content.char_indices() {
            let next = units + encoding.width(c);
            if next > wanted {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// The `Position` of byte offset `offset` in `text` (clamped to the text, snapped to a character start).
    pub(crate) fn position(
        &self,
        text: &str,
        offset: usize,
        encoding: PositionEncoding,
    ) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_index(text_size(offset)).to_zero_indexed();
        let (start, end) = self.line_content(text, line);
        // An offset inside a `\r\n` counts as the end of the line's content.
        let prefix = &text[start..offset.min(end)];
        let character = if prefix.is_ascii() {
            prefix.len()
        } else {
            prefix.chars().map(|c| encoding.width(c) as usize).sum()
        };
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(character).unwrap_or(u32::MAX),
        )
    }

    /// The LSP range of a byte range.
    pub(crate) fn range(&self, text: &str, range: TextRange, encoding: PositionEncoding) -> Range {
        Range::new(
            self.position(text, usize::from(range.start()), encoding),
            self.position(text, usize::from(range.end()), encoding),
        )
    }

    /// The byte range of an LSP range (start and end swapped when given backwards).
    pub(crate) fn text_range(
        &self,
        text: &str,
        range: Range,
        encoding: PositionEncoding,
    ) -> TextRange {
        let a = self.offset(text, range.start, encoding);
        let b = self.offset(text, range.end, encoding);
        TextRange::new(text_size(a.min(b)), text_size(a.max(b)))
    }
}

/// A byte offset as a `TextSize`. Buffers larger than 4 GiB are not supported (neither are they by the
/// parser); offsets beyond saturate.
pub(crate) fn text_size(offset: usize) -> TextSize {
    TextSize::new(u32::try_from(offset).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn line_breaks_of_every_kind() {
        let text = "a\nbb\r\nccc\rd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let enc = PositionEncoding::Utf16;
        assert_eq!(index.offset(text, pos(1, 0), enc), 2);
        assert_eq!(
            index.offset(text, pos(1, 99), enc),
            4,
            "clamped before \\r\\n"
        );
        assert_eq!(index.offset(text, pos(2, 3), enc), 9);
        assert_eq!(index.offset(text, pos(3, 1), enc), 11);
        assert_eq!(index.offset(text, pos(9, 0), enc), text.len());
        assert_eq!(
            index.position(text, 5, enc),
            pos(1, 2),
            "inside \\r\\n is the line end"
        );
        assert_eq!(index.position(text, 10, enc), pos(3, 0));
    }

    #[test]
    fn non_ascii_in_each_encoding() {
        // `é` is 2 bytes / 1 unit / 1 point; `𝄞` is 4 bytes / 2 units / 1 point.
        let text = "# é𝄞x\nimport numpy\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x, PositionEncoding::Utf8), pos(0, 8));
        assert_eq!(index.position(text, x, PositionEncoding::Utf16), pos(0, 5));
        assert_eq!(index.position(text, x, PositionEncoding::Utf32), pos(0, 4));
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            let p = index.position(text, x, enc);
            assert_eq!(index.offset(text, p, enc), x, "{enc:?}");
        }
        // Inside the surrogate pair: snap to the start of `𝄞`.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(index.offset(text, pos(0, 4), PositionEncoding::Utf16), clef);
    }

    #[test]
    fn negotiation_follows_client_order() {
        let kinds = [PositionEncodingKind::UTF32, PositionEncodingKind::UTF8];
        assert_eq!(
            PositionEncoding::negotiate(Some(&kinds)),
            PositionEncoding::Utf32
        );
        let odd = [
            PositionEncodingKind::new("latin-1"),
            PositionEncodingKind::UTF8,
        ];
        assert_eq!(
            PositionEncoding::negotiate(Some(&odd)),
            PositionEncoding::Utf8
        );
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
        assert_eq!(
            PositionEncoding::negotiate(Some(&[])),
            PositionEncoding::Utf16
        );
    }
}
