//! Verdicts into edits, one submodule per style.

pub(crate) mod hoist;
pub(crate) mod lazy;
pub(crate) mod lazy_modules;
pub(crate) mod local;

use ruff_text_size::{TextRange, TextSize};

use ruff_python_ast::{self as ast, Stmt};

use crate::edit::Edit;
use crate::plan::Candidate;

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

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Deletes whole lines; where a run of deleted lines sat between blank lines, the blank lines on both sides
/// would meet, so the shorter side's count is removed too.
pub(crate) fn delete_lines(source: &str, ranges: &[TextRange]) -> Vec<Edit> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(ruff_text_size::Ranged::start);
    // Merge deleted ranges separated by nothing or by blank lines only into runs: the blank lines inside a run
    // separated statements that are all gone.
    let mut runs: Vec<TextRange> = Vec::new();
    for r in sorted {
        match runs.last_mut() {
            Some(last)
                if last.end() <= r.start()
                    && source[TextRange::new(last.end(), r.start())]
                        .split_inclusive('\n')
                        .all(is_blank) =>
            {
                *last = TextRange::new(last.start(), r.end());
            }
            _ => runs.push(r),
        }
    }
    let mut edits = Vec::new();
    for run in runs {
        let before = &source[..usize::from(run.start())];
        let after = &source[usize::from(run.end())..];
        // At the top of the file or of a block (after a line ending in `:`), no blank line is wanted.
        let opens_block = before.trim_end().rsplit('\n').next().is_some_and(|line| {
            line.split('#')
                .next()
                .unwrap_or(line)
                .trim_end()
                .ends_with(':')
        });
        let blank_before = if before.is_empty() || (opens_block && !before.ends_with("\n\n")) {
            usize::MAX
        } else {
            before
                .split_inclusive('\n')
                .rev()
                .take_while(|l| is_blank(l))
                .count()
        };
        let mut extra = 0usize;
        let mut blank_after = 0usize;
        for line in after.split_inclusive('\n') {
            if !is_blank(line) || !line.ends_with('\n') {
                break;
            }
            blank_after += 1;
            if blank_after <= blank_before {
                extra += line.len();
            }
        }
        let end = run.end() + TextSize::try_from(extra).unwrap_or_default();
        edits.push(Edit::deletion(TextRange::new(run.start(), end)));
    }
    edits
}

/// The index ranges of `candidates` that belong to one import statement each (the planner emits candidates in
/// statement order, one per alias).
pub(crate) fn statement_groups(candidates: &[Candidate<'_>]) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < candidates.len() {
        let import = candidates[start].import;
        let end = start
            + candidates[start..]
                .iter()
                .take_while(|c| c.import == import)
                .count();
        groups.push(start..end);
        start = end;
    }
    groups
}

/// `import ` or `from <dots><module> import `: the head of an import statement, for rewriting its names.
pub(crate) fn statement_head(stmt: &Stmt) -> String {
    match stmt {
        Stmt::ImportFrom(f) => format!(
            "from {}{} import ",
            ".".repeat(f.level as usize),
            f.module.as_ref().map_or("", ast::Identifier::as_str)
        ),
        _ => "import ".to_string(),
    }
}
