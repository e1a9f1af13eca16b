//! The last gate before any text leaves the engine: the rewritten source must parse and pass the PEP 810
//! placement check, keep every comment, and be decoded by Python as the original was.

use std::collections::HashMap;

use ruff_text_size::{TextRange, TextSize};

use crate::python::{ParsedModule, coding_declaration};

/// Checks `fixed`, the rewrite of `source` (whose comments sit at `comments`) by edits that replaced `edited`; the
/// error message says what broke.
///
/// - `fixed` re-parses and passes the placement check.
/// - Every comment survives: a comment outside the edited ranges was copied as it was, so the output holds at
///   least as many comments with its text as the input has outside them; a comment the edits removed was moved,
///   so its text appears at least once more.
/// - The coding declaration Python obeys (`# -*- coding: ... -*-` on line 1 or 2) is the same.
pub(crate) fn verify(
    source: &str,
    comments: &[TextRange],
    edited: &[TextRange],
    fixed: &str,
) -> Result<(), String> {
    let output = crate::python::parse(fixed).map_err(|e| e.to_string())?;
    if coding_declaration(source).map(|(name, _)| name)
        != coding_declaration(fixed).map(|(name, _)| name)
    {
        return Err(format!(
            "the coding declaration Python obeys changed from {} to {}",
            describe_coding(source),
            describe_coding(fixed)
        ));
    }
    check_comments(source, comments, edited, fixed, &output)
}

/// [`verify`], re-parsing only the parts of `fixed` that the edits changed: each edit widened to the top-level
/// statements around it. The output of a file whose imports alone changed is thus checked in a fraction of a
/// full parse, with the same guarantees:
///
/// - a region starts where a top-level statement starts a line in the source (or at the start), and ends where
///   another one does (or at the end), and no edit crosses its edges, so the text around it is the source's own,
///   unchanged, and Python reads the region as it reads it inside the file: from a line start at the top level,
///   outside any bracket or string;
/// - an insertion at a region's start belongs to the region, and one at the very end of the file is checked
///   with the statement before it;
/// - a region that holds `__future__` but does not start the file is checked with the whole file (a future
///   import must come first);
/// - comments are counted in the regions only: outside them, the text is copied as it was.
///
/// `edits` are the edits' ranges in `source` with the length of their new text; `starts` the start of each
/// top-level statement of `source`, in order.
pub(crate) fn verify_regions(
    source: &str,
    comments: &[TextRange],
    edits: &[(TextRange, usize)],
    starts: &[TextSize],
    fixed: &str,
) -> Result<(), String> {
    let Some(regions) = regions(source, edits, starts) else {
        let edited: Vec<TextRange> = edits.iter().map(|(range, _)| *range).collect();
        return verify(source, comments, &edited, fixed);
    };
    if coding_declaration(source).map(|(name, _)| name)
        != coding_declaration(fixed).map(|(name, _)| name)
    {
        return Err(format!(
            "the coding declaration Python obeys changed from {} to {}",
            describe_coding(source),
            describe_coding(fixed)
        ));
    }
    if regions
        .iter()
        .any(|r| r.fixed.start > 0 && fixed[r.fixed.clone()].contains("__future__"))
    {
        let edited: Vec<TextRange> = edits.iter().map(|(range, _)| *range).collect();
        return verify(source, comments, &edited, fixed);
    }
    // Comments are counted over all the regions together: one that an edit moved from one region to
    // another (an import and its comment moved into a function) is found in the other.
    let mut tally = CommentTally::default();
    let edited: Vec<TextRange> = edits.iter().map(|(range, _)| *range).collect();
    let inside: Vec<TextRange> = comments
        .iter()
        .copied()
        .filter(|c| regions.iter().any(|r| r.source.contains_range(*c)))
        .collect();
    tally.wanted(source, &inside, &edited);
    for region in &regions {
        let text = &fixed[region.fixed.clone()];
        let output = crate::python::parse(text).map_err(|e| e.to_string())?;
        tally.found(text, &output);
    }
    tally.lost()
}

/// A part of the source that edits changed, and where it is in the rewritten text.
#[derive(Debug, PartialEq, Eq)]
struct Region {
    source: TextRange,
    fixed: std::ops::Range<usize>,
}

/// The regions of [`verify_regions`], in order; `None` when they cannot be told (an edit crosses the edge of
/// every possible region: then the whole file is checked).
fn regions(source: &str, edits: &[(TextRange, usize)], starts: &[TextSize]) -> Option<Vec<Region>> {
    let bytes = source.as_bytes();
    let end = TextSize::try_from(source.len()).ok()?;
    // Where a region may start: the file's start, and each top-level statement that starts a line.
    let mut firsts: Vec<TextSize> = std::iter::once(TextSize::new(0))
        .chain(starts.iter().copied().filter(|s| {
            let i = usize::from(*s);
            i > 0 && matches!(bytes.get(i - 1), Some(b'\n' | b'\r'))
        }))
        .collect();
    firsts.dedup();
    let mut sorted: Vec<(TextRange, usize)> = edits.to_vec();
    sorted.sort_by_key(|(range, _)| (range.start(), range.end()));
    // Each edit widened, then merged with the ones it touches.
    let mut spans: Vec<TextRange> = Vec::new();
    for (range, _) in &sorted {
        let lo = firsts[firsts.partition_point(|s| *s <= range.start()) - 1];
        // The next line-starting statement after the edit (strictly after an insertion's point, so that an
        // insertion is checked with the statement it joins); else the end of the file.
        let i = firsts.partition_point(|s| *s < range.end() || *s <= range.start());
        let hi = firsts.get(i).copied().unwrap_or(end);
        let span = TextRange::new(lo, hi);
        match spans.last_mut() {
            Some(last) if span.start() <= last.end() => *last = last.cover(span),
            _ => spans.push(span),
        }
    }
    // Where each one is in the rewritten text: shifted by the edits before it, and grown by its own.
    let mut out = Vec::with_capacity(spans.len());
    let mut delta: isize = 0;
    let mut next = 0;
    for span in spans {
        while let Some((range, len)) = sorted.get(next)
            && range.start() < span.start()
        {
            if range.end() > span.start() {
                return None;
            }
            delta += (*len).cast_signed() - usize::from(range.len()).cast_signed();
            next += 1;
        }
        let start = usize::from(span.start()).checked_add_signed(delta)?;
        while let Some((range, len)) = sorted.get(next)
            && (range.start() < span.end()
                || (range.is_empty() && range.start() == span.end() && span.end() == end))
        {
            if range.end() > span.end() {
                return None;
            }
            delta += (*len).cast_signed() - usize::from(range.len()).cast_signed();
            next += 1;
        }
        let stop = usize::from(span.end()).checked_add_signed(delta)?;
        out.push(Region {
            source: span,
            fixed: start..stop,
        });
    }
    Some(out)
}

fn describe_coding(text: &str) -> String {
    coding_declaration(text).map_or_else(
        || "none".to_string(),
        |(name, line)| format!("`{name}` (line {line})"),
    )
}

/// A comment's text without the `#` and the surrounding whitespace, so that re-indenting it does not count as a
/// change.
fn comment_body(text: &str) -> &str {
    text.trim_start_matches('#').trim()
}

fn check_comments(
    source: &str,
    comments: &[TextRange],
    edited: &[TextRange],
    fixed: &str,
    output: &ParsedModule,
) -> Result<(), String> {
    let mut tally = CommentTally::default();
    tally.wanted(source, comments, edited);
    tally.found(fixed, output);
    tally.lost()
}

/// The comments of the source that the output must hold, and those it holds, by text.
#[derive(Default)]
struct CommentTally<'t> {
    /// text → (copied as it was, removed by an edit).
    wanted: HashMap<&'t str, (usize, usize)>,
    found: HashMap<&'t str, usize>,
}

impl<'t> CommentTally<'t> {
    fn wanted(&mut self, source: &'t str, comments: &[TextRange], edited: &[TextRange]) {
        for &range in comments {
            let touched = edited.iter().any(|e| {
                e.start() < range.end() && range.start() < e.end()
                    || (e.is_empty() && range.start() < e.start() && e.start() < range.end())
            });
            let entry = self.wanted.entry(comment_body(&source[range])).or_default();
            if touched {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
    }

    fn found(&mut self, fixed: &'t str, output: &ParsedModule) {
        if self.wanted.is_empty() {
            return;
        }
        for range in output.comments() {
            *self.found.entry(comment_body(&fixed[range])).or_default() += 1;
        }
    }

    /// A comment copied must be there as many times as in the source; one removed by an edit was moved, so
    /// its text must appear at least once more.
    fn lost(&self) -> Result<(), String> {
        let mut lost: Vec<&str> = self
            .wanted
            .iter()
            .filter(|(text, (copied, removed))| {
                self.found.get(*text).copied().unwrap_or(0) < copied + usize::from(*removed > 0)
            })
            .map(|(text, _)| *text)
            .collect();
        if lost.is_empty() {
            return Ok(());
        }
        lost.sort_unstable();
        Err(format!(
            "the rewrite would drop the comment{} {}",
            if lost.len() == 1 { "" } else { "s" },
            lost.iter()
                .map(|t| format!("`# {t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::TextSize;

    fn check(source: &str, edited: &[TextRange], fixed: &str) -> Result<(), String> {
        let parsed = crate::python::parse(source).unwrap();
        let comments: Vec<TextRange> = parsed.comments().collect();
        verify(source, &comments, edited, fixed)
    }

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(TextSize::new(start), TextSize::new(end))
    }

    #[test]
    fn refuses_broken_output() {
        assert!(check("import os\n", &[], "lazy import os\n").is_ok());
        assert!(check("import os\n", &[], "def f():\n    lazy import os\n").is_err());
        assert!(check("import os\n", &[], "lazy\nimport (").is_err());
    }

    #[test]
    fn refuses_a_lost_comment() {
        let source = "import a  # why\nimport b  # other\n";
        // The first line's comment removed and not re-emitted.
        let err = check(source, &[range(0, 16)], "import b  # other\n").unwrap_err();
        assert!(err.contains("`# why`"), "{err}");
        // Moved elsewhere: fine.
        assert!(
            check(
                source,
                &[range(0, 16)],
                "import b  # other\n\ndef f():\n    import a  # why\n"
            )
            .is_ok()
        );
        // A comment outside the edits turned into a string is lost too.
        assert!(check("x = 1  # keep\n", &[], "x = '1  # keep'\n").is_err());
        // A duplicate comment outside the edits must keep its count.
        let source = "import a  # noqa\nimport b  # noqa\n";
        assert!(check(source, &[range(0, 17)], "import b  # noqa\n").is_err());
    }

    #[test]
    fn refuses_a_changed_coding_declaration() {
        let source = "import a\n\n# -*- coding: latin-1 -*-\nx = 1\n";
        let err = check(
            source,
            &[range(0, 10)],
            "# -*- coding: latin-1 -*-\nx = 1\n",
        )
        .unwrap_err();
        assert!(err.contains("coding declaration"), "{err}");
        assert!(check(source, &[range(0, 0)], &format!("lazy {source}")).is_ok());
    }

    /// Applies `edits` (offset, length removed, text) to `source`, and checks the result both ways.
    fn both(source: &str, edits: &[(u32, u32, &str)]) -> (Result<(), String>, Result<(), String>) {
        let parsed = crate::python::parse(source).unwrap();
        let comments: Vec<TextRange> = parsed.comments().collect();
        let starts: Vec<TextSize> = parsed
            .body()
            .iter()
            .map(ruff_text_size::Ranged::start)
            .collect();
        let real: Vec<crate::edit::Edit> = edits
            .iter()
            .map(|(at, len, text)| {
                crate::edit::Edit::replacement(range(*at, at + len), (*text).to_string())
            })
            .collect();
        let info: Vec<(TextRange, usize)> = edits
            .iter()
            .map(|(at, len, text)| (range(*at, at + len), text.len()))
            .collect();
        let fixed = crate::edit::apply(source, real)
            .unwrap()
            .as_str()
            .to_string();
        let ranges: Vec<TextRange> = info.iter().map(|(r, _)| *r).collect();
        (
            verify_regions(source, &comments, &info, &starts, &fixed),
            verify(source, &comments, &ranges, &fixed),
        )
    }

    #[test]
    fn regions_are_the_changed_top_level_statements() {
        let source = "import a\nimport b\n\ndef f():\n    x = 1\n    return x\n\nY = 2\n";
        let parsed = crate::python::parse(source).unwrap();
        let starts: Vec<TextSize> = parsed
            .body()
            .iter()
            .map(ruff_text_size::Ranged::start)
            .collect();
        // `lazy ` before `import b`: that statement only.
        let got = regions(source, &[(range(9, 9), 5)], &starts).unwrap();
        assert_eq!(
            got,
            [Region {
                source: range(9, 19),
                fixed: 9..24
            }]
        );
        // A line inserted in the function and `import a` removed: two regions, the second shifted.
        let got = regions(source, &[(range(0, 9), 0), (range(28, 28), 13)], &starts).unwrap();
        assert_eq!(
            got,
            [
                Region {
                    source: range(0, 9),
                    fixed: 0..0
                },
                Region {
                    source: range(19, 52),
                    fixed: 10..56
                },
            ]
        );
        // Two edits in neighbouring statements make one region.
        let got = regions(source, &[(range(0, 0), 5), (range(9, 9), 5)], &starts).unwrap();
        assert_eq!(
            got,
            [Region {
                source: range(0, 19),
                fixed: 0..29
            }]
        );
        // An insertion at the very end is checked with the last statement.
        let got = regions(source, &[(range(58, 58), 4)], &starts).unwrap();
        assert_eq!(
            got,
            [Region {
                source: range(52, 58),
                fixed: 52..62
            }]
        );
    }

    #[test]
    fn regions_agree_with_the_whole_file() {
        let ok = |source: &str, edits: &[(u32, u32, &str)]| {
            let (regions, whole) = both(source, edits);
            assert!(whole.is_ok(), "{whole:?}");
            assert_eq!(regions, whole, "{source:?} {edits:?}");
        };
        let broken = |source: &str, edits: &[(u32, u32, &str)]| {
            let (regions, whole) = both(source, edits);
            assert!(whole.is_err());
            assert!(
                regions.is_err(),
                "{source:?} {edits:?}: the regions missed {whole:?}"
            );
        };
        ok("import a\nimport b\n", &[(0, 0, "lazy "), (9, 0, "lazy ")]);
        ok("import a; import b\nx = 1\n", &[(10, 0, "lazy ")]);
        ok(
            "\"\"\"Doc.\"\"\"\nimport a\n",
            &[(11, 0, "__lazy_modules__ = [\"a\"]\n")],
        );
        ok(
            "import a\n\ndef f():\n    return a\n",
            &[(0, 9, ""), (19, 0, "    import a\n")],
        );
        ok(
            "from __future__ import annotations\nimport a\n",
            &[(35, 0, "lazy ")],
        );
        ok("import a  # why\nx = 1\n", &[(0, 0, "lazy ")]);
        // A comment moved from one region into another (an import moved into a function).
        ok(
            "import a  # why\n\nx = 1\n\n\ndef f():\n    return a\n",
            &[(0, 16, ""), (34, 0, "    import a  # why\n")],
        );
        // Broken output is found in a region: a `lazy` import inside `try`, a bad insertion at the end of a
        // file without a final newline, an unbalanced bracket, a lost comment.
        broken(
            "try:\n    import a\nexcept ImportError:\n    pass\n",
            &[(9, 0, "lazy ")],
        );
        broken("import a\nx = 1", &[(14, 0, "y")]);
        broken("import a\nx = 1\n", &[(0, 0, "(")]);
        broken("import a  # why\nx = 1\n", &[(0, 16, "lazy import a\n")]);
        // A future import pushed after another statement: the whole file is checked.
        broken(
            "from __future__ import annotations\nimport a\n",
            &[(0, 0, "import b\n")],
        );
        let doc = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport a\n";
        broken(doc, &[(11, 0, "import b\n")]);
        ok(doc, &[(46, 0, "lazy ")]);
    }
}
