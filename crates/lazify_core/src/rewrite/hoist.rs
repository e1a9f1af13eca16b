//! `--hoist`: function-local imports written only to defer loading become one module-level `lazy import` each
//! (PEP 810's recommendation), placed after the module's other imports and shared by every function that
//! imported the same thing.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Decision, RewriteWhy};
use crate::edit::Edit;
use crate::index::Index;
use crate::plan::Candidate;
use crate::python::ParsedModule;

use super::{
    Owned, StatementComments, delete_lines, full_lines, has_break, line_ending, line_prefix,
    line_rest, lines_inclusive, statement_aliases, statement_groups,
};

/// The import as one canonical line: `import a.b as c`, `from .m import x as y`.
pub(crate) fn canonical(import_stmt: &Stmt, alias: &ast::Alias) -> String {
    let alias_text = match &alias.asname {
        Some(asname) => format!("{} as {asname}", alias.name),
        None => alias.name.to_string(),
    };
    match import_stmt {
        Stmt::ImportFrom(f) => format!(
            "from {}{} import {alias_text}",
            ".".repeat(f.level as usize),
            f.module.as_ref().map_or("", ast::Identifier::as_str)
        ),
        _ => format!("import {alias_text}"),
    }
}

/// [`all_edits`], each owned by every hoisted import: the module-level block is one insertion shared by all of
/// them, so they make one fix.
pub(crate) fn edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
) -> Vec<Owned> {
    let hoisted: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.verdict.is_hoisted())
        .map(|(i, _)| i)
        .collect();
    all_edits(candidates, index, parsed, source)
        .into_iter()
        .map(|edit| Owned::new(edit, hoisted.clone()))
        .collect()
}

/// Removes hoisted imports from their functions and adds one module-level `lazy` import per distinct import.
/// Comments go with the names they belong to: a hoisted name's own comments (and those of a statement that goes
/// entirely) follow it to the module level; a statement that keeps some names keeps the rest.
fn all_edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
) -> Vec<Edit> {
    let body = parsed.body();
    let eol = line_ending(source);
    let mut edits = Vec::new();
    // Each distinct hoisted import, with the comments that go with it.
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    let mut deleted: Vec<TextRange> = Vec::new();
    for group_range in statement_groups(candidates) {
        let (start, end) = (group_range.start, group_range.end);
        let import_idx = candidates[start].import;
        let group = &candidates[start..end];
        let is_hoisted = |c: &Candidate<'_>| {
            matches!(
                c.verdict.decision,
                Decision::Rewrite {
                    why: RewriteWhy::Hoisted,
                    ..
                }
            )
        };
        if !group.iter().any(is_hoisted) {
            continue;
        }
        let import = &index.imports[import_idx];
        let range = import.range();
        let comments = StatementComments::of(import.stmt, parsed, source);
        let aliases = statement_aliases(import.stmt);
        let position =
            |c: &Candidate<'_>| aliases.iter().position(|a| a.range() == c.alias.range());
        let whole = group.iter().all(is_hoisted);
        // This statement's lines, each with its names' comments; the statement's other comments go with its
        // first line.
        let mut own_lines: Vec<(String, Vec<String>)> = Vec::new();
        for c in group.iter().filter(|c| is_hoisted(c)) {
            let line = format!("lazy {}", canonical(import.stmt, c.alias));
            let at = slot(&mut own_lines, line);
            if let Some(k) = position(c) {
                own_lines[at].1.extend(comments.leading[k].iter().cloned());
                own_lines[at].1.extend(comments.trailing[k].iter().cloned());
            }
        }
        if whole && let Some((_, first)) = own_lines.first_mut() {
            first.extend(comments.inner.iter().cloned());
            first.extend(comments.after.iter().cloned());
        }
        for (line, own) in own_lines {
            let at = slot(&mut lines, line);
            // The same import hoisted from several functions is one line: its comments are merged as a
            // multiset union, so a comment every copy carries is written once, and one written twice in a
            // statement stays twice.
            let merged = &mut lines[at].1;
            for (n, comment) in own.iter().enumerate() {
                let wanted = own[..=n].iter().filter(|c| *c == comment).count();
                if merged.iter().filter(|c| *c == comment).count() < wanted {
                    merged.push(comment.clone());
                }
            }
        }
        if whole {
            deleted.push(full_lines(source, range));
        } else {
            let kept: Vec<usize> = group
                .iter()
                .filter(|c| !is_hoisted(c))
                .filter_map(position)
                .collect();
            let indent = line_prefix(source, range.start());
            let unit = if indent.is_empty() { "    " } else { indent };
            let rendered = comments
                .render(import.stmt, &kept, unit, false)
                .unwrap_or_default();
            let mut text = String::new();
            for (n, line) in rendered.iter().enumerate() {
                if n > 0 {
                    text.push_str(eol);
                    text.push_str(indent);
                }
                text.push_str(line);
            }
            edits.push(Edit::replacement(range, text));
        }
    }
    edits.extend(delete_lines(source, &deleted));
    if lines.is_empty() {
        return edits;
    }
    let (at, after_docstring) = module_import_position(body, source);
    let mut text = String::new();
    if usize::from(at) == source.len() && !source.is_empty() && !super::has_break(source) {
        text.push_str(eol);
    }
    if after_docstring {
        text.push_str(eol);
    }
    for (line, comments) in &lines {
        // One comment follows the import on its line; several go on their own lines above it.
        if let [comment] = comments.as_slice() {
            text.push_str(line);
            text.push_str("  ");
            text.push_str(comment);
        } else {
            for comment in comments {
                text.push_str(comment);
                text.push_str(eol);
            }
            text.push_str(line);
        }
        text.push_str(eol);
    }
    // A comment of the block that reads as a coding declaration must not land on line 1 or 2, where Python
    // would obey it: blank lines go first (only ever for such a comment at the very top of a file).
    let first_line = lines_inclusive(&source[..usize::from(at)])
        .filter(|line| has_break(line))
        .count();
    if first_line < 2 {
        let pad = text
            .split(eol)
            .enumerate()
            .filter(|(k, line)| first_line + k < 2 && crate::python::coding_in_line(line).is_some())
            .map(|(k, _)| 2 - (first_line + k))
            .max()
            .unwrap_or(0);
        text.insert_str(0, &eol.repeat(pad));
    }
    // Code that follows directly (not another import, not a blank line) gets a blank line before it.
    let next_line = line_rest(source, at).trim_start();
    let import_like = ["import ", "from ", "lazy "]
        .iter()
        .any(|p| next_line.starts_with(p));
    if !next_line.is_empty() && !import_like {
        text.push_str(eol);
    }
    edits.push(Edit::insertion(at, text));
    edits
}

/// The index of `line` in `lines` (lines to write, each with its comments), added with no comments if missing.
fn slot(lines: &mut Vec<(String, Vec<String>)>, line: String) -> usize {
    lines
        .iter()
        .position(|(l, _)| *l == line)
        .unwrap_or_else(|| {
            lines.push((line, Vec::new()));
            lines.len() - 1
        })
}

/// After the last top-level import before the first `def` or `class`, else after the docstring and
/// `__future__` imports, else at the top.
/// The position, and whether it directly follows the module docstring.
fn module_import_position(body: &[Stmt], source: &str) -> (TextSize, bool) {
    let mut anchor: Option<(TextRange, bool)> = None;
    for (i, stmt) in body.iter().enumerate() {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => anchor = Some((stmt.range(), false)),
            Stmt::Expr(e) if i == 0 && e.value.is_string_literal_expr() => {
                anchor = Some((stmt.range(), true));
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            _ => {}
        }
    }
    match anchor {
        Some((range, docstring)) => (full_lines(source, range).end(), docstring),
        None => (
            body.first().map_or(TextSize::new(0), |first| {
                first.start()
                    - TextSize::try_from(line_prefix(source, first.start()).len())
                        .unwrap_or_default()
            }),
            false,
        ),
    }
}
