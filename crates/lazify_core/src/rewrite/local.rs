//! Style `local`: move a module-level import into the functions that use it, so it runs when they are called.
//! Works on every Python.
//!
//! Each function gets only the names it uses, one statement per original statement, rebuilt from the syntax
//! tree with the original aliases and every comment that belongs to those names (a parenthesised form when
//! comments sit inside) plus the comment that followed the import. The module-level statement loses the moved
//! names (or goes entirely, with the blank lines around it collapsed). A move that would lose a comment or change
//! which coding declaration Python obeys is refused instead.

use std::collections::BTreeMap;

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{KeepReason, Notice, NoticeKind};
use crate::edit::Edit;
use crate::index::{Index, ScopeId, is_type_checking_test};
use crate::plan::Candidate;
use crate::python::{ParsedModule, coding_declaration};
use crate::settings::SourceFile;

use super::{
    Owned, StatementComments, alias_text, delete_lines, delete_lines_each, first_line, full_lines,
    line_ending, line_prefix, line_rest, lines_inclusive, statement_aliases, statement_groups,
    statement_head,
};

/// The edits of a file whose moves [`try_edits`] found possible, with the lazy-attribute table's (shared by every
/// lazy attribute of the file: one fix).
pub(crate) fn edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    file: &SourceFile,
    mut edits: Vec<Owned>,
) -> Vec<Owned> {
    let owners: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| super::lazy_attributes::is_lazy_attribute(c))
        .map(|(i, _)| i)
        .collect();
    edits.extend(
        super::lazy_attributes::edits(candidates, index, parsed.body(), source, file)
            .into_iter()
            .map(|edit| Owned::new(edit, owners.clone())),
    );
    edits
}

/// A statement whose move the edits cannot make without losing something: the planner keeps it and asks again.
pub(crate) struct Refusal {
    pub(crate) import: usize,
    pub(crate) reason: KeepReason,
    pub(crate) span: TextRange,
    pub(crate) detail: String,
}

/// The moves' edits, or the first statement whose move would lose a comment or change the coding declaration.
pub(crate) fn try_edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    type_checking_imports: bool,
) -> Result<Vec<Owned>, Refusal> {
    let eol = line_ending(source);
    let unit = indent_unit(source);
    let mut edits: Vec<Owned> = Vec::new();
    let mut deleted_lines: Vec<(usize, TextRange)> = Vec::new();
    // The moving candidates of each statement, which own its deletion.
    let mut moving_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    // receiver scope → (import index → names), in source order of both.
    let mut receivers: BTreeMap<ScopeId, (&ast::StmtFunctionDef, BTreeMap<usize, Vec<usize>>)> =
        BTreeMap::new();

    for group_range in statement_groups(candidates) {
        let (start, end) = (group_range.start, group_range.end);
        let import_idx = candidates[start].import;
        let moving: Vec<usize> = (start..end)
            .filter(|&i| candidates[i].verdict.is_rewrite())
            .collect();
        if !moving.is_empty() {
            let import = &index.imports[import_idx];
            let stmt_range = import.range();
            moving_of.insert(import_idx, moving.clone());
            if moving.len() == end - start {
                deleted_lines.push((import_idx, full_lines(source, stmt_range)));
            } else {
                let kept: Vec<String> = (start..end)
                    .filter(|i| !moving.contains(i))
                    .map(|i| alias_text(candidates[i].alias))
                    .collect();
                let text = format!("{}{}", statement_head(import.stmt), kept.join(", "));
                edits.push(Owned::new(
                    Edit::replacement(stmt_range, text),
                    moving.clone(),
                ));
            }
            for &i in &moving {
                let binding = candidates[i].verdict.binding.as_str();
                for reference in index.references.get(binding).into_iter().flatten() {
                    if let Some((scope, def)) = index.receiver(reference.scope) {
                        receivers
                            .entry(scope)
                            .or_insert_with(|| (def, BTreeMap::new()))
                            .1
                            .entry(import_idx)
                            .or_default()
                            .push(i);
                    }
                }
            }
        }
    }

    let ranges: Vec<TextRange> = deleted_lines.iter().map(|(_, r)| *r).collect();
    // One deletion per statement, so that statements on neighbouring lines stay separate fixes.
    let deletions: Vec<Owned> = delete_lines_each(source, &ranges)
        .into_iter()
        .map(|(edit, i)| {
            let owners = moving_of
                .get(&deleted_lines[i].0)
                .cloned()
                .unwrap_or_default();
            Owned::new(edit, owners)
        })
        .collect();
    let deleted: Vec<TextRange> = delete_lines(source, &ranges)
        .iter()
        .map(Ranged::range)
        .collect();
    edits.extend(type_checking_block(
        candidates,
        index,
        parsed,
        source,
        eol,
        &deleted,
        type_checking_imports,
    ));
    edits.extend(deletions);

    let mut comments: BTreeMap<usize, StatementComments> = BTreeMap::new();
    for (def, per_import) in receivers.values() {
        let mut pieces = Vec::new();
        for (import_idx, members) in per_import {
            let import = &index.imports[*import_idx];
            let aliases = statement_aliases(import.stmt);
            let mut names: Vec<usize> = members
                .iter()
                .filter_map(|&i| {
                    aliases
                        .iter()
                        .position(|a| a.range() == candidates[i].alias.range())
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            let comments = comments
                .entry(*import_idx)
                .or_insert_with(|| StatementComments::of(import.stmt, parsed, source));
            let lines = comments
                .render(import.stmt, &names, &unit, true)
                .ok_or_else(|| Refusal {
                    import: *import_idx,
                    reason: KeepReason::SplitWouldDropComments,
                    span: import.range(),
                    detail: "the comments inside the statement cannot be re-emitted".to_string(),
                })?;
            pieces.push((*import_idx, lines));
        }
        if let Some(edit) = insert_at_top(source, parsed, def, &pieces, &unit)? {
            let owners = per_import.values().flatten().copied().collect();
            edits.push(Owned::new(edit, owners));
        }
    }

    // Deleting the first lines must not move a coding declaration into (or out of) lines 1–2, where Python obeys
    // it: that would change how the file is decoded.
    if memchr::memmem::find(source.as_bytes(), b"coding").is_some() {
        let all = edits.iter().map(|o| o.edit.clone()).collect();
        let fixed = crate::edit::apply(source, all)
            .map(|text| text.as_str().to_string())
            .unwrap_or_default();
        if coding_declaration(source).map(|c| c.0) != coding_declaration(&fixed).map(|c| c.0) {
            let head_end = lines_inclusive(source).take(2).map(str::len).sum::<usize>();
            if let Some((import, range)) = deleted_lines
                .iter()
                .find(|(_, r)| usize::from(r.start()) < head_end)
            {
                return Err(Refusal {
                    import: *import,
                    reason: KeepReason::CodingDeclaration,
                    span: first_line(source, *range),
                    detail: describe_coding_change(source, &fixed),
                });
            }
        }
    }
    Ok(edits)
}

fn describe_coding_change(source: &str, fixed: &str) -> String {
    let describe = |text: &str| {
        coding_declaration(text).map_or_else(
            || "no coding declaration".to_string(),
            |(name, line)| format!("`{name}` on line {line}"),
        )
    };
    format!(
        "removing the line would change the coding declaration Python obeys from {} to {}",
        describe(source),
        describe(fixed)
    )
}

fn text_len(s: &str) -> TextSize {
    TextSize::try_from(s.len()).unwrap_or_default()
}

/// Inserts the import `pieces` (each the physical lines of one statement) at the top of `def`'s body, after its
/// docstring.
fn insert_at_top(
    source: &str,
    parsed: &ParsedModule,
    def: &ast::StmtFunctionDef,
    pieces: &[(usize, Vec<String>)],
    unit: &str,
) -> Result<Option<Edit>, Refusal> {
    let mut body = def.body.iter();
    let Some(first) = body.next() else {
        return Ok(None);
    };
    let is_docstring = matches!(first, Stmt::Expr(e) if e.value.is_string_literal_expr());
    let anchor = if is_docstring {
        body.next()
    } else {
        Some(first)
    };
    let Some(anchor) = anchor else {
        return Ok(None);
    };
    let prefix = line_prefix(source, anchor.start());
    let eol = super::line_ending_at(source, anchor.start() - text_len(prefix));
    // Where the logical line of the statement before `anchor` ends (the header's `:` or a `;`), when `anchor`
    // continues it: on the same physical line, or after backslash continuations (`def f():\` then `return x`).
    let gap_start = parsed.logical_line_gap(anchor.start());
    if gap_start.is_none() {
        // The usual shape: the body starts on its own line.
        let mut text = String::new();
        for line in pieces.iter().flat_map(|(_, lines)| lines) {
            text.push_str(prefix);
            text.push_str(line);
            text.push_str(eol);
        }
        return Ok(Some(Edit::insertion(
            anchor.start() - text_len(prefix),
            text,
        )));
    }
    // `def f(): "doc"; return x`: the statement follows another on the same line, so the imports go right before
    // it on that line (`import x; return x`). A comment cannot follow them there: such a statement stays.
    if is_docstring {
        let mut text = String::new();
        for (import, lines) in pieces {
            if lines.len() > 1 || lines[0].contains('#') {
                return Err(Refusal {
                    import: *import,
                    reason: KeepReason::SplitWouldDropComments,
                    span: first_line(source, def.range()),
                    detail: "the receiving function is on one line after its docstring, where the import's \
                             comment cannot follow it"
                        .to_string(),
                });
            }
            text.push_str(&lines[0]);
            text.push_str("; ");
        }
        return Ok(Some(Edit::insertion(anchor.start(), text)));
    }
    // `def f(): return x`: break the line before the statement.
    let def_indent: String = line_prefix(source, def.start())
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let indent = format!("{def_indent}{unit}");
    let gap_start = gap_start.unwrap_or(anchor.start());
    let mut text = String::new();
    for line in pieces.iter().flat_map(|(_, lines)| lines) {
        text.push_str(eol);
        text.push_str(&indent);
        text.push_str(line);
    }
    text.push_str(eol);
    text.push_str(&indent);
    Ok(Some(Edit::replacement(
        TextRange::new(gap_start, anchor.start()),
        text,
    )))
}

/// The file's indentation step: the first indented line's leading whitespace, else four spaces.
fn indent_unit(source: &str) -> String {
    lines_inclusive(source)
        .map(|l| {
            let ws: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            (ws, l)
        })
        .find(|(ws, l)| !ws.is_empty() && !l.trim().is_empty())
        .map_or_else(|| "    ".to_string(), |(ws, _)| ws)
}

/// `--type-checking-imports`: moved names that annotations or `if TYPE_CHECKING:` code use stay visible to type
/// checkers in an `if TYPE_CHECKING:` block (an existing one at module level, or a new one after the imports).
/// Lazy attributes (re-exports behind `__getattr__`) always go there, so that type checkers and editors see the
/// module's names as before; a new block for them tests a `TYPE_CHECKING = False` of the module's own rather than
/// importing `typing` at run time.
fn type_checking_block(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    parsed: &ParsedModule,
    source: &str,
    eol: &str,
    deleted: &[TextRange],
    type_checking_imports: bool,
) -> Vec<Owned> {
    use crate::index::Ctx;
    let body = parsed.body();
    // One statement per original statement, with its names in order (positions in the statement), and
    // whether it holds a lazy attribute.
    let mut per_statement: BTreeMap<usize, (Vec<usize>, bool)> = BTreeMap::new();
    let mut lazy_attributes = false;
    // The rewrites whose names the block carries: they share its fix.
    let mut owners: Vec<usize> = Vec::new();
    for (i, c) in candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.verdict.is_rewrite())
    {
        let typing_use = type_checking_imports
            && index
                .references
                .get(c.verdict.binding.as_str())
                .into_iter()
                .flatten()
                .any(|r| matches!(r.ctx, Ctx::Annotation | Ctx::TypeChecking));
        let lazy_attribute = super::lazy_attributes::is_lazy_attribute(c);
        lazy_attributes |= lazy_attribute;
        if typing_use || lazy_attribute {
            owners.push(i);
            let stmt = index.imports[c.import].stmt;
            let entry = per_statement.entry(c.import).or_default();
            entry.1 |= lazy_attribute;
            if let Some(position) = statement_aliases(stmt)
                .iter()
                .position(|a| a.range() == c.alias.range())
                && !entry.0.contains(&position)
            {
                entry.0.push(position);
            }
        }
    }
    let unit = indent_unit(source);
    let mut lines: Vec<String> = Vec::new();
    for (import, (names, lazy)) in &mut per_statement {
        names.sort_unstable();
        let stmt = index.imports[*import].stmt;
        // A lazy attribute's statement may leave the module with nothing else to carry its comments (`# noqa`):
        // the copy for type checkers keeps them.
        let with_comments = lazy
            .then(|| StatementComments::of(stmt, parsed, source).render(stmt, names, &unit, true));
        if let Some(rendered) = with_comments.flatten() {
            lines.extend(rendered);
        } else {
            let aliases = statement_aliases(stmt);
            let list: Vec<String> = names.iter().map(|&i| alias_text(&aliases[i])).collect();
            lines.push(format!("{}{}", statement_head(stmt), list.join(", ")));
        }
    }
    if lines.is_empty() {
        return Vec::new();
    }
    // An existing module-level `if TYPE_CHECKING:` block whose statements each start their own line: append to
    // its body (a body on the `if` line, or `a; b` on one line, has no indentation to copy).
    let own_line = |stmt: &Stmt| line_prefix(source, stmt.start()).trim().is_empty();
    let existing = body.iter().find_map(|stmt| match stmt {
        Stmt::If(s)
            if s.elif_else_clauses.is_empty()
                && is_type_checking_test(&s.test)
                && s.body.iter().all(own_line) =>
        {
            s.body.last()
        }
        _ => None,
    });
    if let Some(last) = existing {
        let indent = line_prefix(source, last.start());
        // At the end of the block's last line, before its line break: the insertion belongs to the `if`
        // statement, where the verification of changed regions looks for it.
        let at = last.end() + text_len(line_rest(source, last.end()));
        let mut text = String::new();
        for line in &lines {
            text.push_str(eol);
            text.push_str(indent);
            text.push_str(line);
        }
        return vec![Owned::new(Edit::insertion(at, text), owners)];
    }
    let has_type_checking_name = body.iter().any(|stmt| match stmt {
        Stmt::ImportFrom(f) => f
            .names
            .iter()
            .any(|a| a.asname.is_none() && a.name.as_str() == "TYPE_CHECKING"),
        // `TYPE_CHECKING = False`, the module's own.
        Stmt::Assign(a) => a
            .targets
            .iter()
            .any(|t| matches!(t, ast::Expr::Name(n) if n.id.as_str() == "TYPE_CHECKING")),
        _ => false,
    });
    // After the last top-level import before the first definition.
    let mut anchor = None;
    for stmt in body {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => anchor = Some(stmt.range()),
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            _ => {}
        }
    }
    // No import before the first definition: where the first statement the block copies began, so that the
    // block stays below the module's header (a coding declaration must stay on line 1 or 2).
    let first_copied = per_statement
        .keys()
        .next()
        .map(|&i| full_lines(source, index.imports[i].range()).start());
    let mut at = match anchor {
        Some(r) => full_lines(source, r).end(),
        None => first_copied.unwrap_or_default(),
    };
    // The anchor itself may be going away: insert where its deleted lines began.
    if let Some(d) = deleted.iter().find(|d| d.start() < at && at <= d.end()) {
        at = d.start();
    }
    let mut text = String::new();
    // What stays after the insertion point once the deleted lines there are gone.
    let resume = deleted
        .iter()
        .find(|d| d.start() == at)
        .map_or(at, Ranged::end);
    let next_line_blank = lines_inclusive(&source[usize::from(resume)..])
        .next()
        .is_none_or(|l| l.trim().is_empty());
    if !has_type_checking_name && lazy_attributes {
        // Code between the imports and the rest, set off by blank lines as ruff formats it.
        let before = &source[..usize::from(at)];
        if !before.is_empty() && !super::last_line_is_empty(before) {
            text.push_str(eol);
        }
        text.push_str("TYPE_CHECKING = False");
        text.push_str(eol);
        text.push_str(eol);
        text.push_str("if TYPE_CHECKING:");
        text.push_str(eol);
        for line in &lines {
            text.push_str(&unit);
            text.push_str(line);
            text.push_str(eol);
        }
        if !next_line_blank {
            text.push_str(eol);
        }
        return vec![Owned::new(Edit::insertion(at, text), owners)];
    }
    if !has_type_checking_name {
        text.push_str("from typing import TYPE_CHECKING");
        text.push_str(eol);
    }
    // Lazy attributes set the block off by blank lines as ruff formats it, without doubling one already there.
    let before = &source[..usize::from(at)];
    if !(lazy_attributes && has_type_checking_name && super::last_line_is_empty(before)) {
        text.push_str(eol);
    }
    text.push_str("if TYPE_CHECKING:");
    text.push_str(eol);
    for line in &lines {
        text.push_str(&unit);
        text.push_str(line);
        text.push_str(eol);
    }
    if lazy_attributes && !next_line_blank {
        text.push_str(eol);
    }
    vec![Owned::new(Edit::insertion(at, text), owners)]
}

/// Doctest examples (`>>> ...` lines in docstrings) run with the module's globals: a name moved into functions
/// is missing there. lazify cannot see which examples a test run collects, so it reports each one that uses a
/// moved name.
pub(crate) fn doctest_notices(
    candidates: &[Candidate<'_>],
    parsed: &ParsedModule,
    source: &str,
    notices: &mut Vec<Notice>,
) {
    let moved: Vec<&str> = candidates
        .iter()
        .filter(|c| c.verdict.is_rewrite())
        .map(|c| c.verdict.binding.as_str())
        .collect();
    if moved.is_empty() || memchr::memmem::find(source.as_bytes(), b">>>").is_none() {
        return;
    }
    let mut docstrings = Vec::new();
    collect_docstrings(parsed.body(), &mut docstrings);
    for docstring in docstrings {
        let text = &source[docstring.range()];
        let examples: Vec<&str> = text
            .lines()
            .map(str::trim_start)
            .filter_map(|l| l.strip_prefix(">>>").or_else(|| l.strip_prefix("...")))
            .collect();
        for name in &moved {
            if examples.iter().any(|line| uses_word(line, name)) {
                notices.push(
                    NoticeKind::DoctestUsesMovedName.at(docstring.range(), &[("name", name)]),
                );
            }
        }
    }
}

/// Whether `word` occurs in `line` as a whole identifier.
fn uses_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The docstrings of the module, its classes and functions (at any depth).
fn collect_docstrings<'a>(body: &'a [Stmt], out: &mut Vec<&'a ast::ExprStringLiteral>) {
    if let Some(Stmt::Expr(e)) = body.first()
        && let ast::Expr::StringLiteral(s) = &*e.value
    {
        out.push(s);
    }
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => collect_docstrings(&f.body, out),
            Stmt::ClassDef(c) => collect_docstrings(&c.body, out),
            Stmt::If(s) => {
                for inner in
                    std::iter::once(&s.body).chain(s.elif_else_clauses.iter().map(|c| &c.body))
                {
                    for stmt in inner {
                        if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
                            collect_docstrings(std::slice::from_ref(stmt), out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
