//! The last gate before any text leaves the engine: the rewritten source must parse and pass the PEP 810
//! placement check, keep every comment, and be decoded by Python as the original was.

use std::collections::HashMap;

use ruff_text_size::TextRange;

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
    // text → (copied as it was, removed by an edit).
    let mut wanted: HashMap<&str, (usize, usize)> = HashMap::new();
    for &range in comments {
        let touched = edited.iter().any(|e| {
            e.start() < range.end() && range.start() < e.end()
                || (e.is_empty() && range.start() < e.start() && e.start() < range.end())
        });
        let entry = wanted.entry(comment_body(&source[range])).or_default();
        if touched {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<&str, usize> = HashMap::new();
    for range in output.comments() {
        *found.entry(comment_body(&fixed[range])).or_default() += 1;
    }
    let mut lost: Vec<&str> = wanted
        .iter()
        .filter(|(text, (copied, removed))| {
            found.get(*text).copied().unwrap_or(0) < copied + usize::from(*removed > 0)
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
}
