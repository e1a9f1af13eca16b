//! Verdicts into edits, one submodule per style.

pub(crate) mod hoist;
pub(crate) mod lazy;
pub(crate) mod lazy_modules;
pub(crate) mod local;

use ruff_text_size::{TextRange, TextSize};

/// The text between the start of the line holding `offset` and `offset`.
pub(crate) fn line_prefix(source: &str, offset: TextSize) -> &str {
    let offset = usize::from(offset);
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    &source[start..offset]
}

/// The file's line ending: `\r\n` when its first line ends that way, `\n` otherwise.
pub(crate) fn line_ending(source: &str) -> &'static str {
    match source.find('\n') {
        Some(i) if i > 0 && source.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The text between `offset` and the end of its line (without the line break).
pub(crate) fn line_rest(source: &str, offset: TextSize) -> &str {
    let offset = usize::from(offset);
    let rest = &source[offset..];
    let end = rest.find('\n').map_or(rest.len(), |i| i);
    rest[..end].trim_end_matches('\r')
}

/// The first line of `range` (trailing whitespace trimmed), for pointing at a `def`, `class`, `try` or `with`
/// header.
pub(crate) fn first_line(source: &str, range: TextRange) -> TextRange {
    let text = &source[range];
    let len = text.find('\n').unwrap_or(text.len());
    let len = text[..len].trim_end().len();
    TextRange::at(range.start(), TextSize::try_from(len).unwrap_or_default())
}

/// The whole lines `range` spans, line break included.
pub(crate) fn full_lines(source: &str, range: TextRange) -> TextRange {
    let prefix = line_prefix(source, range.start());
    let start = range.start() - TextSize::try_from(prefix.len()).unwrap_or_default();
    let rest = &source[usize::from(range.end())..];
    let end = match rest.find('\n') {
        Some(i) => range.end() + TextSize::try_from(i + 1).unwrap_or_default(),
        None => TextSize::try_from(source.len()).unwrap_or(range.end()),
    };
    TextRange::new(start, end)
}
