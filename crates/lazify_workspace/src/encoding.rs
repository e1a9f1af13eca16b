//! Bytes to text and back, the way Python reads source files.
//!
//! A UTF-8 byte order mark is stripped and remembered. A PEP 263 coding declaration on line 1 or 2
//! (`# -*- coding: latin-1 -*-`, `# vim: set fileencoding=cp1252 :`) selects the encoding; without one the
//! file is UTF-8. Latin-1 and ASCII are implemented here (`encoding_rs` follows WHATWG, which maps both labels
//! to windows-1252); the other ASCII-compatible encodings come from `encoding_rs`. Undecodable bytes are an
//! error naming the offset, and a file whose bytes would not come back identical is never written.

use std::path::Path;

use crate::error::WorkspaceError;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding a file is read and written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, Python's default.
    Utf8,
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// ASCII: bytes below 0x80 only.
    Ascii,
    /// Another ASCII-compatible encoding from `encoding_rs` (`windows-1252`, `Shift_JIS`, `KOI8-R`, ...).
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The encoding's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Latin1 => "latin-1",
            Encoding::Ascii => "ascii",
            Encoding::Other(encoding) => encoding.name(),
        }
    }

    /// The encoding for a PEP 263 name, following Python's normalisation (`latin_1`, `ISO-8859-1` and
    /// `latin1` are one encoding). `None` when the name is unknown or the encoding is not ASCII-compatible.
    pub fn for_python_name(name: &str) -> Option<Self> {
        let normal = name.to_ascii_lowercase().replace('_', "-");
        let normal = normal.as_str();
        if matches!(normal, "utf-8" | "utf8" | "u8" | "utf" | "cp65001")
            || normal.starts_with("utf-8-")
        {
            return Some(Encoding::Utf8);
        }
        let latin1 = [
            "latin-1",
            "iso-8859-1",
            "iso-latin-1",
            "latin1",
            "latin",
            "l1",
            "iso8859-1",
            "iso8859",
            "8859",
            "cp819",
            "iso-ir-100",
            "csisolatin1",
        ];
        if latin1.contains(&normal)
            || ["latin-1-", "iso-8859-1-", "iso-latin-1-"]
                .iter()
                .any(|p| normal.starts_with(p))
        {
            return Some(Encoding::Latin1);
        }
        if matches!(normal, "ascii" | "us-ascii" | "646" | "us") {
            return Some(Encoding::Ascii);
        }
        let encoding = encoding_rs::Encoding::for_label(normal.as_bytes())?;
        if encoding == encoding_rs::UTF_8 {
            return Some(Encoding::Utf8);
        }
        if !encoding.is_ascii_compatible() || encoding == encoding_rs::REPLACEMENT {
            return None;
        }
        Some(Encoding::Other(encoding))
    }
}

/// A decoded source file: its text and how to turn text back into the same kind of bytes.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The text, without the byte order mark.
    pub text: String,
    /// Whether the file started with a UTF-8 byte order mark.
    pub bom: bool,
    /// The encoding.
    pub encoding: Encoding,
    /// Whether encoding `text` gives back the original bytes exactly. Always true for UTF-8, Latin-1 and
    /// ASCII; checked for the others.
    pub round_trips: bool,
}

impl Decoded {
    /// Encodes `text` (the original or the rewritten text) in the file's encoding, with the BOM if the file
    /// had one.
    pub fn encode(&self, path: &Path, text: &str) -> Result<Vec<u8>, WorkspaceError> {
        let error = |message: String| WorkspaceError::Encode {
            path: path.to_path_buf(),
            encoding: self.encoding.name().to_string(),
            message,
        };
        if !self.round_trips {
            return Err(error(
                "the original bytes do not survive decoding and encoding again".to_string(),
            ));
        }
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        match self.encoding {
            Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
            Encoding::Latin1 | Encoding::Ascii => {
                let limit = if self.encoding == Encoding::Latin1 {
                    0xFF
                } else {
                    0x7F
                };
                for c in text.chars() {
                    let code = u32::from(c);
                    let byte = u8::try_from(code)
                        .ok()
                        .filter(|_| code <= limit)
                        .ok_or_else(|| error(format!("the character {c:?} has no byte in it")))?;
                    out.push(byte);
                }
            }
            Encoding::Other(encoding) => {
                let (bytes, _, unmappable) = encoding.encode(text);
                if unmappable {
                    return Err(error(
                        "the text has characters it cannot represent".to_string(),
                    ));
                }
                out.extend_from_slice(&bytes);
            }
        }
        Ok(out)
    }
}

/// Finds the PEP 263 coding declaration on line 1 or 2 (line 2 only when line 1 is blank or a comment).
/// Returns the declared name and its line. Lines end at `\n`, `\r\n` or a lone `\r`, as Python reads them.
pub fn coding_declaration(bytes: &[u8]) -> Option<(String, usize)> {
    let mut lines = split_lines(bytes);
    let first = lines.next()?;
    if let Some(name) = coding_in_line(first) {
        return Some((name, 1));
    }
    let blank_or_comment = {
        let rest = skip_whitespace(first);
        rest.is_empty() || matches!(rest[0], b'#' | b'\r')
    };
    if !blank_or_comment {
        return None;
    }
    coding_in_line(lines.next()?).map(|name| (name, 2))
}

/// The lines of `bytes`, without their breaks (`\n`, `\r\n`, or a lone `\r`).
fn split_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let Some(i) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
            done = true;
            return Some(rest);
        };
        let line = &rest[..i];
        let len = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[i + len..];
        Some(line)
    })
}

fn skip_whitespace(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .unwrap_or(line.len());
    &line[start..]
}

/// Python's `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn coding_in_line(line: &[u8]) -> Option<String> {
    let rest = skip_whitespace(line);
    if rest.first() != Some(&b'#') {
        return None;
    }
    let mut from = 0;
    while let Some(pos) = find(&rest[from..], b"coding") {
        let after = from + pos + b"coding".len();
        from = from + pos + 1;
        if !matches!(rest.get(after), Some(b':' | b'=')) {
            continue;
        }
        let value = skip_spaces_tabs(&rest[after + 1..]);
        let len = value
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            .unwrap_or(value.len());
        if len > 0 {
            return Some(String::from_utf8_lossy(&value[..len]).into_owned());
        }
    }
    None
}

fn skip_spaces_tabs(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    &s[start..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The 1-based line and byte column of `offset` in `bytes`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    // `\n`, and a `\r` not followed by `\n`, end a line.
    let is_break =
        |i: usize| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
    let line = (0..offset).filter(|&i| is_break(i)).count() + 1;
    let line_start = (0..offset)
        .rev()
        .find(|&i| is_break(i))
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// Whether the bytes start with a UTF-8 byte order mark, and the encoding they declare (UTF-8 by default).
/// Refuses, as `CPython` does, UTF-16 and UTF-32 text, a NUL byte anywhere, and a byte order mark with a
/// declaration of another encoding.
fn detect(path: &Path, bytes: &[u8]) -> Result<(bool, Encoding), WorkspaceError> {
    if let Some(what) = wide_encoding(bytes) {
        return Err(WorkspaceError::WrongEncoding {
            path: path.to_path_buf(),
            what,
        });
    }
    if let Some(offset) = memchr::memchr(0, bytes) {
        let (line, column) = line_column(bytes, offset);
        return Err(WorkspaceError::NullByte {
            path: path.to_path_buf(),
            offset,
            line,
            column,
        });
    }
    if let Some(body) = bytes.strip_prefix(BOM) {
        // CPython accepts a declaration after a BOM only when it names UTF-8 (`utf-8`, `UTF_8`, `utf-8-sig`).
        if let Some((name, line)) = coding_declaration(body) {
            let normal = name.to_ascii_lowercase().replace('_', "-");
            if normal != "utf-8" && !normal.starts_with("utf-8-") {
                return Err(WorkspaceError::BomMismatch {
                    path: path.to_path_buf(),
                    name,
                    line,
                });
            }
        }
        return Ok((true, Encoding::Utf8));
    }
    let encoding = match coding_declaration(bytes) {
        None => Encoding::Utf8,
        Some((name, line)) => {
            Encoding::for_python_name(&name).ok_or_else(|| WorkspaceError::UnknownEncoding {
                path: path.to_path_buf(),
                name,
                line,
            })?
        }
    };
    Ok((false, encoding))
}

/// What the bytes are when they are UTF-16 or UTF-32 text (by their byte order mark, or by the NUL bytes that
/// ASCII characters leave in every second or fourth byte), or mostly NUL bytes.
fn wide_encoding(bytes: &[u8]) -> Option<String> {
    let boms: [(&[u8], &str, &str); 4] = [
        (b"\xFF\xFE\x00\x00", "UTF-32", "FF FE 00 00"),
        (b"\x00\x00\xFE\xFF", "UTF-32", "00 00 FE FF"),
        (b"\xFF\xFE", "UTF-16", "FF FE"),
        (b"\xFE\xFF", "UTF-16", "FE FF"),
    ];
    for (bom, name, hex) in boms {
        if bytes.starts_with(bom) {
            return Some(format!("{name} encoded (BOM {hex})"));
        }
    }
    let head = &bytes[..bytes.len().min(1024)];
    let nuls = memchr::memchr_iter(0, head).count();
    if head.len() < 4 || nuls * 4 < head.len() {
        return None;
    }
    // Most units look like an ASCII character in that layout.
    let most = |size: usize, ascii_at: usize| {
        let units = head.chunks_exact(size);
        let total = units.len();
        let matching = units
            .filter(|unit| {
                unit.iter()
                    .enumerate()
                    .all(|(i, &b)| (i == ascii_at) == (b != 0))
            })
            .count();
        matching * 4 >= total * 3
    };
    let layouts = [
        (4, 0, "UTF-32 encoded (little-endian, no BOM)"),
        (4, 3, "UTF-32 encoded (big-endian, no BOM)"),
        (2, 0, "UTF-16 encoded (little-endian, no BOM)"),
        (2, 1, "UTF-16 encoded (big-endian, no BOM)"),
    ];
    for (size, ascii_at, what) in layouts {
        if most(size, ascii_at) {
            return Some(what.to_string());
        }
    }
    Some(format!(
        "mostly NUL bytes ({nuls} of the first {}), not text",
        head.len()
    ))
}

/// Decodes a source file's bytes.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Decoded, WorkspaceError> {
    let (bom, encoding) = detect(path, bytes)?;
    let body = if bom { &bytes[BOM.len()..] } else { bytes };
    let decode_error = |offset: usize| {
        let offset_in_file = offset + if bom { BOM.len() } else { 0 };
        let (line, column) = line_column(bytes, offset_in_file);
        WorkspaceError::Decode {
            path: path.to_path_buf(),
            encoding: encoding.name().to_string(),
            offset: offset_in_file,
            line,
            column,
        }
    };
    let (text, round_trips) = match encoding {
        Encoding::Utf8 => match std::str::from_utf8(body) {
            Ok(text) => (text.to_string(), true),
            Err(error) => return Err(decode_error(error.valid_up_to())),
        },
        Encoding::Latin1 => (body.iter().map(|&b| char::from(b)).collect(), true),
        Encoding::Ascii => match body.iter().position(|b| !b.is_ascii()) {
            Some(offset) => return Err(decode_error(offset)),
            None => (body.iter().map(|&b| char::from(b)).collect(), true),
        },
        Encoding::Other(encoding) => {
            let text = decode_other(encoding, body).map_err(decode_error)?;
            let round_trips = {
                let (again, _, unmappable) = encoding.encode(&text);
                !unmappable && again.as_ref() == body
            };
            (text, round_trips)
        }
    };
    Ok(Decoded {
        text,
        bom,
        encoding,
        round_trips,
    })
}

/// [`decode`] for bytes the caller owns: a UTF-8 file without a byte order mark becomes the text without a copy.
pub fn decode_owned(path: &Path, bytes: Vec<u8>) -> Result<Decoded, WorkspaceError> {
    if detect(path, &bytes)? != (false, Encoding::Utf8) {
        return decode(path, &bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            bom: false,
            encoding: Encoding::Utf8,
            round_trips: true,
        }),
        Err(error) => decode(path, error.as_bytes()),
    }
}

/// Decodes with `encoding_rs`, returning the offset of the first malformed byte on failure.
fn decode_other(encoding: &'static encoding_rs::Encoding, body: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len().saturating_mul(4));
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            Err(read.saturating_sub(usize::from(extra) + usize::from(bad)))
        }
        // The buffer was sized for the worst case; treat running out as a failure at the read position.
        encoding_rs::DecoderResult::OutputFull => Err(read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_owned_agrees_with_decode() {
        let cases: [&[u8]; 7] = [
            b"x = 1\n",
            b"# -*- coding: utf-8 -*-\nx = '\xc3\xa9'\n",
            b"# coding: klingon\nx = 1\n",
            b"\xEF\xBB\xBFx = 1\n",
            b"# coding: latin-1\nx = '\xe9'\n",
            b"x = 1\ny = '\xff'\n",
            b"s = '\xc3\xa9'\n",
        ];
        for bytes in cases {
            let (owned, borrowed) = (decode_owned(path(), bytes.to_vec()), decode(path(), bytes));
            match (owned, borrowed) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(
                        (a.text, a.bom, a.round_trips),
                        (b.text, b.bom, b.round_trips)
                    );
                    assert_eq!(a.encoding.name(), b.encoding.name());
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{bytes:?}: {a:?} against {b:?}"),
            }
        }
    }

    fn path() -> &'static Path {
        Path::new("f.py")
    }

    // See: issue 12, item 3. Checked against python3.11 and python3.15: a lone CR ends a line for the
    // declaration too.
    #[test]
    fn issue_12_lone_cr_line_endings() {
        assert_eq!(
            coding_declaration(b"#!/bin/python\r# coding: latin-1\rx = 1\r"),
            Some(("latin-1".to_string(), 2))
        );
        assert_eq!(coding_declaration(b"import os\r# coding: latin-1\r"), None);
        assert_eq!(
            coding_declaration(b"# a comment\rimport os\r# coding: latin-1\r"),
            None
        );
        assert_eq!(
            coding_declaration(b"#!/bin/python\r\n# coding: latin-1\r\n"),
            Some(("latin-1".to_string(), 2))
        );
        assert_eq!(line_column(b"a\rb\r\nc\nd", 7), (4, 1));
        assert_eq!(line_column(b"a\rbc", 4), (2, 3));
    }

    #[test]
    fn finds_declarations_like_python() {
        assert_eq!(
            coding_declaration(b"# -*- coding: latin-1 -*-\nx = 1\n"),
            Some(("latin-1".to_string(), 1))
        );
        assert_eq!(
            coding_declaration(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n"),
            Some(("cp1252".to_string(), 2))
        );
        // Line 2 only counts when line 1 is blank or a comment.
        assert_eq!(coding_declaration(b"x = 1\n# coding: latin-1\n"), None);
        // Line 3 never counts.
        assert_eq!(coding_declaration(b"#\n#\n# coding: latin-1\n"), None);
        // `coding` must be followed by `:` or `=`.
        assert_eq!(coding_declaration(b"# coding latin-1\n"), None);
        // The first `coding[:=]` with a value wins.
        assert_eq!(
            coding_declaration(b"# encoding: utf8 coding=latin-1\n"),
            Some(("utf8".to_string(), 1))
        );
        assert_eq!(coding_declaration(b"x = '# coding: latin-1'\n"), None);
    }

    #[test]
    fn normalises_names() {
        assert_eq!(Encoding::for_python_name("UTF-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::for_python_name("utf_8_sig"), Some(Encoding::Utf8));
        assert_eq!(Encoding::for_python_name("Latin_1"), Some(Encoding::Latin1));
        assert_eq!(
            Encoding::for_python_name("iso-8859-1"),
            Some(Encoding::Latin1)
        );
        assert_eq!(Encoding::for_python_name("ascii"), Some(Encoding::Ascii));
        assert_eq!(
            Encoding::for_python_name("cp1252"),
            Some(Encoding::Other(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(
            Encoding::for_python_name("shift_jis"),
            Some(Encoding::Other(encoding_rs::SHIFT_JIS))
        );
        assert_eq!(Encoding::for_python_name("utf-16"), None);
        assert_eq!(Encoding::for_python_name("klingon"), None);
    }

    #[test]
    fn latin1_round_trips_every_byte() {
        let mut bytes = b"# -*- coding: latin-1 -*-\ns = '".to_vec();
        bytes.extend(0x80..=0xFF_u8);
        bytes.extend_from_slice(b"'\n");
        let decoded = decode(path(), &bytes).unwrap();
        assert_eq!(decoded.encoding, Encoding::Latin1);
        assert!(decoded.text.contains('\u{e9}'));
        assert!(decoded.text.contains('\u{81}'), "latin-1, not windows-1252");
        assert_eq!(decoded.encode(path(), &decoded.text).unwrap(), bytes);
        let edited = format!("lazy import json\n{}", decoded.text);
        let mut expected = b"lazy import json\n".to_vec();
        expected.extend_from_slice(&bytes);
        assert_eq!(decoded.encode(path(), &edited).unwrap(), expected);
        assert!(decoded.encode(path(), "x = '\u{20ac}'").is_err());
    }

    #[test]
    fn bom_is_stripped_and_restored() {
        let bytes = b"\xEF\xBB\xBFimport json\r\nx = 1";
        let decoded = decode(path(), bytes).unwrap();
        assert!(decoded.bom);
        assert_eq!(decoded.text, "import json\r\nx = 1");
        assert_eq!(decoded.encode(path(), &decoded.text).unwrap(), bytes);
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let error = decode(path(), b"x = 1\ny = '\xff'\n").unwrap_err();
        match error {
            WorkspaceError::Decode {
                offset,
                line,
                column,
                ..
            } => assert_eq!((offset, line, column), (11, 2, 6)),
            other => panic!("unexpected {other:?}"),
        }
        let message = decode(path(), b"\xEF\xBB\xBF\xff").unwrap_err().to_string();
        assert!(message.contains("f.py:1:4"), "{message}");
    }

    #[test]
    fn declared_encodings_decode_and_fail_with_offsets() {
        let bytes = b"# coding: cp1252\ns = '\x80'\n";
        let decoded = decode(path(), bytes).unwrap();
        assert!(decoded.text.contains('\u{20ac}'));
        assert!(decoded.round_trips);
        assert_eq!(decoded.encode(path(), &decoded.text).unwrap(), bytes);

        let error = decode(path(), b"# coding: ascii\nx = '\xe9'\n").unwrap_err();
        assert!(error.to_string().contains("f.py:2:6"), "{error}");

        // A lone Shift_JIS lead byte at the end is malformed.
        let error = decode(path(), b"# coding: shift_jis\nx = 1 #\x81").unwrap_err();
        assert!(
            matches!(error, WorkspaceError::Decode { offset: 27, .. }),
            "{error:?}"
        );

        // Shift_JIS has two byte sequences for some characters: such a file is read, but never written.
        let bytes = b"# coding: shift_jis\nx = '\xed\x40'\n";
        let decoded = decode(path(), bytes).unwrap();
        assert!(!decoded.round_trips);
        let error = decoded.encode(path(), &decoded.text).unwrap_err();
        assert!(matches!(error, WorkspaceError::Encode { .. }), "{error:?}");
        let bytes = b"# coding: shift_jis\nx = '\x82\xa0'\n";
        let decoded = decode(path(), bytes).unwrap();
        assert!(decoded.round_trips);
        assert_eq!(decoded.encode(path(), &decoded.text).unwrap(), bytes);

        let error = decode(path(), b"# coding: klingon\n").unwrap_err();
        assert!(matches!(
            error,
            WorkspaceError::UnknownEncoding { line: 1, .. }
        ));
    }

    #[test]
    fn utf16_and_utf32_are_named() {
        let text = "import json\n\nprint(json)\n";
        let little16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let little32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let big32: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
        let cases: [(Vec<u8>, &str); 8] = [
            (
                with_bom(b"\xFF\xFE", &little16),
                "UTF-16 encoded (BOM FF FE)",
            ),
            (with_bom(b"\xFE\xFF", &big16), "UTF-16 encoded (BOM FE FF)"),
            (
                with_bom(b"\xFF\xFE\x00\x00", &little32),
                "UTF-32 encoded (BOM FF FE 00 00)",
            ),
            (
                with_bom(b"\x00\x00\xFE\xFF", &big32),
                "UTF-32 encoded (BOM 00 00 FE FF)",
            ),
            (little16.clone(), "UTF-16 encoded (little-endian, no BOM)"),
            (big16, "UTF-16 encoded (big-endian, no BOM)"),
            (little32, "UTF-32 encoded (little-endian, no BOM)"),
            (big32, "UTF-32 encoded (big-endian, no BOM)"),
        ];
        for (bytes, what) in cases {
            for error in [
                decode(path(), &bytes).unwrap_err(),
                decode_owned(path(), bytes.clone()).unwrap_err(),
            ] {
                assert_eq!(
                    error.to_string(),
                    format!(
                        "f.py: {what}; Python source must be UTF-8 or declare an 8-bit encoding; the file was \
                         not changed"
                    )
                );
            }
        }
        let error = decode(path(), &[0, 0, 0, 0, 0, 0, b'x', 0]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("mostly NUL bytes (7 of the first 8)"),
            "{error}"
        );
    }

    #[test]
    fn a_nul_byte_is_refused_with_its_position() {
        // CPython: "SyntaxError: source code cannot contain null bytes", even in a comment.
        for bytes in [
            b"import json\n# a\x00b\n".as_slice(),
            b"# coding: latin-1\nimport json\n# a\x00b\n".as_slice(),
        ] {
            let skip = bytes.len() - b"import json\n# a\x00b\n".len();
            let error = decode_owned(path(), bytes.to_vec()).unwrap_err();
            match &error {
                WorkspaceError::NullByte {
                    offset,
                    line,
                    column,
                    ..
                } => assert_eq!(
                    (*offset, *line, *column),
                    (skip + 15, 2 + usize::from(skip > 0), 4)
                ),
                other => panic!("unexpected {other:?}"),
            }
            assert!(
                error
                    .to_string()
                    .contains("source code cannot contain null bytes"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_bom_with_another_declared_encoding_is_refused() {
        // CPython: "SyntaxError: encoding problem: iso-8859-1 with BOM".
        for (bytes, name, line) in [
            (
                b"\xEF\xBB\xBF# -*- coding: latin-1 -*-\nx = 1\n".as_slice(),
                "latin-1",
                1,
            ),
            (
                b"\xEF\xBB\xBF#!/usr/bin/python\n# coding: utf8\nx = 1\n".as_slice(),
                "utf8",
                2,
            ),
        ] {
            let error = decode(path(), bytes).unwrap_err();
            assert!(
                matches!(&error, WorkspaceError::BomMismatch { name: n, line: l, .. } if n == name && *l == line),
                "{error:?}"
            );
            assert!(
                error.to_string().starts_with(&format!("f.py:{line}: ")),
                "{error}"
            );
        }
        // CPython accepts these.
        for bytes in [
            b"\xEF\xBB\xBF# -*- coding: utf-8 -*-\nx = 1\n".as_slice(),
            b"\xEF\xBB\xBF# coding: UTF_8\nx = 1\n".as_slice(),
            b"\xEF\xBB\xBF# coding: utf-8-sig\nx = 1\n".as_slice(),
        ] {
            let decoded = decode(path(), bytes).unwrap();
            assert!(decoded.bom);
            assert_eq!(decoded.encode(path(), &decoded.text).unwrap(), bytes);
        }
    }
}
