//! Verdicts into edits, one submodule per style.

pub(crate) mod hoist;
pub(crate) mod lazy;
pub(crate) mod lazy_attributes;
pub(crate) mod lazy_modules;
pub(crate) mod local;

use ruff_text_size::{Ranged, TextRange, TextSize};

use ruff_python_ast::{self as ast, Stmt};

use crate::edit::Edit;
use crate::plan::Candidate;
use crate::python::ParsedModule;

/// An edit and the candidates (their indices) it rewrites: the planner groups edits that share a candidate,
/// and candidates that share an edit, into one fix.
pub(crate) struct Owned {
    pub(crate) edit: Edit,
    pub(crate) owners: Vec<usize>,
}

impl Owned {
    pub(crate) fn new(edit: Edit, owners: Vec<usize>) -> Self {
        Self { edit, owners }
    }
}

/// The text between the start of the line holding `offset` and `offset`. Python ends a line at `\n`, `\r\n` or a
/// lone `\r` (old Mac files), and so does every line helper here.
pub(crate) fn line_prefix(source: &str, offset: TextSize) -> &str {
    let offset = usize::from(offset);
    let start = source[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    &source[start..offset]
}

/// The file's line ending: the first line break's kind (`\r\n`, a lone `\r`, or `\n`); `\n` when there is none.
pub(crate) fn line_ending(source: &str) -> &'static str {
    match source.find(['\n', '\r']) {
        Some(i) if source.as_bytes()[i] == b'\n' => "\n",
        Some(i) if source.as_bytes().get(i + 1) == Some(&b'\n') => "\r\n",
        Some(_) => "\r",
        None => "\n",
    }
}

/// The line ending to write at `at`: the break that ends the line before it when `at` starts a line, else the
/// break that ends its own line, else the file's. Files that mix `\n`, `\r\n` and `\r` get, at each insertion
/// point, the ending already there.
pub(crate) fn line_ending_at(source: &str, at: TextSize) -> &'static str {
    let at = usize::from(at);
    let before = &source.as_bytes()[..at];
    match before {
        [.., b'\r', b'\n'] => return "\r\n",
        [.., b'\n'] => return "\n",
        [.., b'\r'] => return "\r",
        _ => {}
    }
    let rest = &source[at..];
    match rest.find(['\n', '\r']) {
        Some(i) => line_ending(&rest[i..]),
        None => line_ending(source),
    }
}

/// The length of the line break at the start of `text` (0 when `text` does not start with one).
fn break_len(text: &str) -> usize {
    match text.as_bytes() {
        [b'\r', b'\n', ..] => 2,
        [b'\r' | b'\n', ..] => 1,
        _ => 0,
    }
}

/// The offset in `text` just after the first line break (its length when there is none).
pub(crate) fn after_first_break(text: &str) -> Option<usize> {
    let i = text.find(['\n', '\r'])?;
    Some(i + break_len(&text[i..]))
}

/// `text` split into lines, each with its line break (`\n`, `\r\n` or a lone `\r`); the last one may have none.
pub(crate) fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = after_first_break(rest).unwrap_or(rest.len());
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// Whether `line` ends with a line break.
pub(crate) fn has_break(line: &str) -> bool {
    line.ends_with(['\n', '\r'])
}

/// The text between `offset` and the end of its line (without the line break).
pub(crate) fn line_rest(source: &str, offset: TextSize) -> &str {
    let offset = usize::from(offset);
    let rest = &source[offset..];
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    &rest[..end]
}

/// The first line of `range` (trailing whitespace trimmed), for pointing at a `def`, `class`, `try` or `with`
/// header.
pub(crate) fn first_line(source: &str, range: TextRange) -> TextRange {
    let text = &source[range];
    let len = text.find(['\n', '\r']).unwrap_or(text.len());
    let len = text[..len].trim_end().len();
    TextRange::at(range.start(), TextSize::try_from(len).unwrap_or_default())
}

/// The whole lines `range` spans, line break included.
pub(crate) fn full_lines(source: &str, range: TextRange) -> TextRange {
    let prefix = line_prefix(source, range.start());
    let start = range.start() - TextSize::try_from(prefix.len()).unwrap_or_default();
    let rest = &source[usize::from(range.end())..];
    let end = match after_first_break(rest) {
        Some(i) => range.end() + TextSize::try_from(i).unwrap_or_default(),
        None => TextSize::try_from(source.len()).unwrap_or(range.end()),
    };
    TextRange::new(start, end)
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The last complete line of `text` (which ends with a line break), break included.
fn last_line(text: &str) -> Option<&str> {
    let body = text
        .strip_suffix('\n')
        .or_else(|| text.strip_suffix('\r'))?;
    let body = if text.ends_with('\n') {
        body.strip_suffix('\r').unwrap_or(body)
    } else {
        body
    };
    let start = body.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    Some(&text[start..])
}

/// Whether the last line of `text` is empty: nothing but its line break.
pub(crate) fn last_line_is_empty(text: &str) -> bool {
    last_line(text).is_some_and(|l| l.trim_end_matches(['\r', '\n']).is_empty())
}

/// How many blank lines end `text`.
fn trailing_blank_lines(mut text: &str) -> usize {
    let mut count = 0;
    while let Some(line) = last_line(text) {
        if !is_blank(line) {
            break;
        }
        count += 1;
        text = &text[..text.len() - line.len()];
    }
    count
}

/// Deletes whole lines; where a run of deleted lines sat between blank lines, the blank lines on both sides
/// would meet, so the shorter side's count is removed too.
pub(crate) fn delete_lines(source: &str, ranges: &[TextRange]) -> Vec<Edit> {
    deletion_runs(source, ranges)
        .into_iter()
        .map(|(run, _)| Edit::deletion(run))
        .collect()
}

/// [`delete_lines`] cut at the deleted ranges: one deletion per range (the index in `ranges`), the blank lines
/// between two ranges of a run going with the later one and the collapsed blank lines after the run with the
/// last. Together they delete exactly what [`delete_lines`] deletes; each alone deletes its own lines.
pub(crate) fn delete_lines_each(source: &str, ranges: &[TextRange]) -> Vec<(Edit, usize)> {
    let mut pieces = Vec::new();
    for (run, members) in deletion_runs(source, ranges) {
        let mut start = run.start();
        for (n, &i) in members.iter().enumerate() {
            let end = if n + 1 == members.len() {
                run.end()
            } else {
                ranges[i].end()
            };
            pieces.push((Edit::deletion(TextRange::new(start, end)), i));
            start = end;
        }
    }
    pieces
}

/// The runs [`delete_lines`] deletes, each with the indices (in `ranges`, in source order) of the ranges in it.
fn deletion_runs(source: &str, ranges: &[TextRange]) -> Vec<(TextRange, Vec<usize>)> {
    let mut sorted: Vec<usize> = (0..ranges.len()).collect();
    sorted.sort_by_key(|&i| ranges[i].start());
    // Merge deleted ranges separated by nothing or by blank lines only into runs: the blank lines inside a run
    // separated statements that are all gone.
    let mut runs: Vec<(TextRange, Vec<usize>)> = Vec::new();
    for i in sorted {
        let r = ranges[i];
        match runs.last_mut() {
            Some((last, members))
                if last.end() <= r.start()
                    && lines_inclusive(&source[TextRange::new(last.end(), r.start())])
                        .all(is_blank) =>
            {
                *last = TextRange::new(last.start(), r.end());
                members.push(i);
            }
            _ => runs.push((r, vec![i])),
        }
    }
    let mut out = Vec::new();
    for (run, members) in runs {
        let before = &source[..usize::from(run.start())];
        let after = &source[usize::from(run.end())..];
        // At the top of the file or of a block (after a line ending in `:`), no blank line is wanted.
        let opens_block = before
            .trim_end()
            .rsplit(['\n', '\r'])
            .next()
            .is_some_and(|line| {
                line.split('#')
                    .next()
                    .unwrap_or(line)
                    .trim_end()
                    .ends_with(':')
            });
        let blank_before = if before.is_empty() || (opens_block && !last_line_is_empty(before)) {
            usize::MAX
        } else {
            trailing_blank_lines(before)
        };
        let mut extra = 0usize;
        let mut blank_after = 0usize;
        for line in lines_inclusive(after) {
            if !is_blank(line) || !has_break(line) {
                break;
            }
            blank_after += 1;
            if blank_after <= blank_before {
                extra += line.len();
            }
        }
        let end = run.end() + TextSize::try_from(extra).unwrap_or_default();
        out.push((TextRange::new(run.start(), end), members));
    }
    out
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

/// An alias as Python text rebuilt from the AST: `a.b` or `a.b as c`, on one line whatever the source's layout
/// (`continued_fraction_periodic as\n    cf_p` inside parentheses is valid only there).
pub(crate) fn alias_text(alias: &ast::Alias) -> String {
    match &alias.asname {
        Some(asname) => format!("{} as {asname}", alias.name),
        None => alias.name.to_string(),
    }
}

/// The names of an import statement.
pub(crate) fn statement_aliases(stmt: &Stmt) -> &[ast::Alias] {
    match stmt {
        Stmt::Import(i) => &i.names,
        Stmt::ImportFrom(f) => &f.names,
        _ => &[],
    }
}

/// The comments of one import statement, each attributed to the code it belongs to, so that a rewrite that
/// re-emits some of the names keeps the comments that go with them.
#[derive(Debug, Default)]
pub(crate) struct StatementComments {
    /// Per name of the statement, in order: the comments on their own lines just before it.
    pub(crate) leading: Vec<Vec<String>>,
    /// Per name: the comment after it on its line (`a,  # why`).
    pub(crate) trailing: Vec<Option<String>>,
    /// Comments that belong to the statement as a whole: after `(` on the first line, on their own lines after
    /// the last name, or inside a name (`a as  # x` + line break + `b`).
    pub(crate) inner: Vec<String>,
    /// The comment after the statement on its last line.
    pub(crate) after: Option<String>,
}

impl StatementComments {
    pub(crate) fn of(stmt: &Stmt, parsed: &ParsedModule, source: &str) -> Self {
        let aliases = statement_aliases(stmt);
        let mut comments = StatementComments {
            leading: vec![Vec::new(); aliases.len()],
            trailing: vec![None; aliases.len()],
            ..StatementComments::default()
        };
        for range in parsed.comments_in(stmt.range()) {
            let text = source[range].trim_end().to_string();
            let previous = aliases.iter().rposition(|a| a.end() <= range.start());
            let own_line = line_prefix(source, range.start()).trim().is_empty();
            if let Some(i) = previous
                && !source[TextRange::new(aliases[i].end(), range.start())].contains(['\n', '\r'])
                && comments.trailing[i].is_none()
            {
                comments.trailing[i] = Some(text);
            } else if let Some(next) = aliases.iter().position(|a| a.start() >= range.end())
                && own_line
            {
                comments.leading[next].push(text);
            } else {
                comments.inner.push(text);
            }
        }
        let rest = line_rest(source, stmt.end()).trim();
        if rest.starts_with('#') {
            comments.after = Some(rest.to_string());
        }
        comments
    }

    /// Whether the names at `names` (positions in the statement) carry a comment inside the statement, or the
    /// statement has comments of its own inside it.
    pub(crate) fn has_inner(&self, names: &[usize]) -> bool {
        !self.inner.is_empty()
            || names
                .iter()
                .any(|&i| !self.leading[i].is_empty() || self.trailing[i].is_some())
    }

    /// The statement re-emitted with only the names at `names` (positions in the statement), as physical lines
    /// without indentation (`unit` indents the names of a parenthesised form). One line when no comment sits
    /// inside; otherwise a parenthesised `from` import with each comment next to its name. `None` for an `import`
    /// statement whose comments would need parentheses (never the case in valid Python, which has no comments
    /// inside an unparenthesised statement).
    ///
    /// `with_after`: end with the comment that follows the statement on its line (for a copy elsewhere; a
    /// replacement of the statement's own range leaves that comment where it is).
    pub(crate) fn render(
        &self,
        stmt: &Stmt,
        names: &[usize],
        unit: &str,
        with_after: bool,
    ) -> Option<Vec<String>> {
        let aliases = statement_aliases(stmt);
        let head = statement_head(stmt);
        let after = match &self.after {
            Some(c) if with_after => format!("  {c}"),
            _ => String::new(),
        };
        if !self.has_inner(names) {
            let list: Vec<String> = names.iter().map(|&i| alias_text(&aliases[i])).collect();
            return Some(vec![format!("{head}{}{after}", list.join(", "))]);
        }
        if !matches!(stmt, Stmt::ImportFrom(_)) {
            return None;
        }
        let mut lines = vec![format!("{head}(")];
        for c in &self.inner {
            lines.push(format!("{unit}{c}"));
        }
        for &i in names {
            for c in &self.leading[i] {
                lines.push(format!("{unit}{c}"));
            }
            let mut line = format!("{unit}{},", alias_text(&aliases[i]));
            if let Some(c) = &self.trailing[i] {
                line.push_str("  ");
                line.push_str(c);
            }
            lines.push(line);
        }
        lines.push(format!("){after}"));
        Some(lines)
    }
}
