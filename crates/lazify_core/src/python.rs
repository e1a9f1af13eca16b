//! The only door to `ruff_python_parser`: parsing with the 3.15 grammar, the PEP 810 placement check, and the
//! comment scan that finds `# lazify:` pragmas.

use std::cell::RefCell;

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{self as ast, ModModule, PythonVersion, Stmt};
use ruff_python_parser::semantic_errors::{
    LazyImportContext, SemanticSyntaxChecker, SemanticSyntaxContext, SemanticSyntaxError,
    SemanticSyntaxErrorKind,
};
use ruff_python_parser::{Mode, ParseOptions, Parsed};
use ruff_text_size::{Ranged, TextRange};

use crate::diagnostic::EngineError;

/// A parsed module plus the comments lazify cares about.
pub struct ParsedModule {
    parsed: Parsed<ModModule>,
    /// Ranges of comments that contain `lazify:`, in source order.
    pragmas: Vec<TextRange>,
}

impl ParsedModule {
    /// The module's statements.
    pub fn body(&self) -> &[Stmt] {
        &self.parsed.syntax().body
    }

    /// Whether a `# lazify: skip-file` comment appears anywhere.
    pub fn has_skip_file_pragma(&self, source: &str) -> bool {
        self.pragmas
            .iter()
            .any(|r| pragma_says(&source[*r], "skip-file"))
    }

    /// Whether a `# lazify: keep` comment sits on a line that `range` spans (the statement's own lines).
    pub fn has_keep_pragma(&self, source: &str, range: TextRange) -> bool {
        if self.pragmas.is_empty() {
            return false;
        }
        let line_end = source[usize::from(range.end())..]
            .find('\n')
            .map_or(source.len(), |i| usize::from(range.end()) + i);
        let start = source[..usize::from(range.start())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        self.pragmas.iter().any(|r| {
            let s = usize::from(r.start());
            s >= start && s < line_end && pragma_says(&source[*r], "keep")
        })
    }

    /// Whether any comment lies inside `range`.
    pub fn has_comment_in(&self, range: TextRange) -> bool {
        self.comments_in(range).next().is_some()
    }

    /// The ranges of the comments inside `range`, in source order.
    pub fn comments_in(&self, range: TextRange) -> impl Iterator<Item = TextRange> + '_ {
        self.parsed
            .tokens()
            .in_range(range)
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(Ranged::range)
    }

    /// The ranges of every comment in the module, in source order.
    pub fn comments(&self) -> impl Iterator<Item = TextRange> + '_ {
        self.parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
            .map(Ranged::range)
    }
}

/// The PEP 263 coding declaration Python obeys in `source` (decoded text, a leading BOM allowed): the name in
/// `# -*- coding: NAME -*-` / `# vim: set fileencoding=NAME :` on line 1, or on line 2 when line 1 is blank or a
/// comment. Lines end at `\n`, `\r\n` or a lone `\r`, as Python reads them. A rewrite must not change it: moving such
/// a comment into the first two lines (or out of them) changes how Python decodes the file.
pub fn coding_declaration(source: &str) -> Option<(&str, usize)> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines = source.split(['\n', '\r']);
    let first = lines.next()?;
    if let Some(name) = coding_in_line(first) {
        return Some((name, 1));
    }
    let rest = first.trim_start_matches([' ', '\t', '\x0c']);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    // A `\r\n` break splits into `\r` and an empty piece; skip that piece.
    let after_first = &source[first.len()..];
    let second = if after_first.starts_with("\r\n") {
        lines.nth(1)?
    } else {
        lines.next()?
    };
    coding_in_line(second).map(|name| (name, 2))
}

/// Python's `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on one line.
fn coding_in_line(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches([' ', '\t', '\x0c']);
    if !rest.starts_with('#') {
        return None;
    }
    let mut from = 0;
    while let Some(pos) = rest[from..].find("coding") {
        let after = from + pos + "coding".len();
        from = from + pos + 1;
        if !matches!(rest.as_bytes().get(after), Some(b':' | b'=')) {
            continue;
        }
        let value = rest[after + 1..].trim_start_matches([' ', '\t']);
        let len = value
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(value.len());
        if len > 0 {
            return Some(&value[..len]);
        }
    }
    None
}

fn pragma_says(comment: &str, what: &str) -> bool {
    // `# lazify: keep`, `#lazify:keep`, `# noqa: X  # lazify: keep, reason`.
    comment.split('#').any(|part| {
        part.trim_start()
            .strip_prefix("lazify:")
            .is_some_and(|rest| rest.trim_start().starts_with(what))
    })
}

/// Parses `source` with the Python 3.15 grammar and checks PEP 810 placement. Any syntax error, or a `lazy`
/// import `CPython` would refuse to compile, is an error with its span.
pub fn parse(source: &str) -> Result<ParsedModule, EngineError> {
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY315);
    let parsed = ruff_python_parser::parse_unchecked(source, options);
    if let Some(error) = parsed.errors().first() {
        return Err(EngineError::Syntax {
            message: error.error.to_string(),
            range: error.location,
        });
    }
    let parsed = parsed
        .try_into_module()
        .ok_or_else(|| EngineError::Syntax {
            message: "not a module".to_string(),
            range: TextRange::default(),
        })?;
    // Every placement error is about a `lazy` import or a module-level `__future__` import: a module with
    // neither the word `lazy` nor such an import has none, and skips the walk.
    let may_misplace =
        memchr::memmem::find(source.as_bytes(), b"lazy").is_some()
            || parsed.syntax().body.iter().any(
                |s| matches!(s, Stmt::ImportFrom(f) if f.module.as_deref() == Some("__future__")),
            );
    if may_misplace
        && let Some(error) = placement_errors(parsed.syntax(), source).into_iter().next()
    {
        return Err(EngineError::Placement {
            message: format!("SyntaxError: {error}"),
            range: error.range,
        });
    }
    // Most files have no pragma: one substring search of the source spares a pass over every token.
    let pragmas = if memchr::memmem::find(source.as_bytes(), b"lazify:").is_some() {
        parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment && source[t.range()].contains("lazify:"))
            .map(Ranged::range)
            .collect()
    } else {
        Vec::new()
    };
    Ok(ParsedModule { parsed, pragmas })
}

/// The PEP 810 placement errors in a module: `lazy` in a function, class or `try`, `lazy` star and
/// `__future__` imports, and `__future__` imports after other statements. Uses ruff's
/// `SemanticSyntaxChecker` with a `lazy_import_context` that matches `CPython`.
pub fn placement_errors(module: &ModModule, source: &str) -> Vec<SemanticSyntaxError> {
    let mut walker = PlacementWalker {
        checker: SemanticSyntaxChecker::new(),
        ctx: PlacementContext {
            source,
            stack: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
        },
    };
    walker.body(&module.body, true);
    walker.ctx.errors.into_inner()
}

struct PlacementContext<'a> {
    source: &'a str,
    /// Innermost last: what encloses the statement being checked.
    stack: RefCell<Vec<LazyImportContext>>,
    errors: RefCell<Vec<SemanticSyntaxError>>,
}

struct PlacementWalker<'a> {
    checker: SemanticSyntaxChecker,
    ctx: PlacementContext<'a>,
}

impl PlacementWalker<'_> {
    fn body(&mut self, body: &[Stmt], module_level: bool) {
        for stmt in body {
            if module_level {
                self.checker.visit_stmt(stmt, &self.ctx);
            } else if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                // The checker's `__future__` boundary tracks module-level statements only; nested imports need
                // the lazy checks alone, which a fresh checker gives without disturbing that state.
                SemanticSyntaxChecker::new().visit_stmt(stmt, &self.ctx);
            }
            self.nested(stmt);
        }
    }

    fn with_context(&mut self, context: LazyImportContext, body: &[Stmt]) {
        self.ctx.stack.borrow_mut().push(context);
        self.body(body, false);
        self.ctx.stack.borrow_mut().pop();
    }

    fn nested(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => self.with_context(LazyImportContext::Function, &f.body),
            Stmt::ClassDef(c) => self.with_context(LazyImportContext::Class, &c.body),
            Stmt::Try(t) => {
                self.ctx
                    .stack
                    .borrow_mut()
                    .push(LazyImportContext::TryExceptBlocks);
                self.body(&t.body, false);
                for handler in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    self.body(&h.body, false);
                }
                self.body(&t.orelse, false);
                self.body(&t.finalbody, false);
                self.ctx.stack.borrow_mut().pop();
            }
            Stmt::If(s) => {
                self.body(&s.body, false);
                for clause in &s.elif_else_clauses {
                    self.body(&clause.body, false);
                }
            }
            Stmt::For(s) => {
                self.body(&s.body, false);
                self.body(&s.orelse, false);
            }
            Stmt::While(s) => {
                self.body(&s.body, false);
                self.body(&s.orelse, false);
            }
            Stmt::With(s) => self.body(&s.body, false),
            Stmt::Match(s) => {
                for case in &s.cases {
                    self.body(&case.body, false);
                }
            }
            _ => {}
        }
    }
}

impl SemanticSyntaxContext for PlacementContext<'_> {
    fn future_annotations_or_stub(&self) -> bool {
        false
    }

    fn lazy_import_context(&self) -> Option<LazyImportContext> {
        let stack = self.stack.borrow();
        // Function and class by the innermost scope, then `try` if any enclosing statement is one (as ruff's
        // linter and CPython do).
        stack
            .iter()
            .rev()
            .find(|c| matches!(c, LazyImportContext::Function | LazyImportContext::Class))
            .or_else(|| stack.last())
            .copied()
    }

    fn python_version(&self) -> PythonVersion {
        PythonVersion::PY315
    }

    fn source(&self) -> &str {
        self.source
    }

    fn global(&self, _name: &str) -> Option<TextRange> {
        None
    }

    fn has_nonlocal_binding(&self, _name: &str) -> bool {
        true
    }

    fn in_async_context(&self) -> bool {
        true
    }

    fn in_await_allowed_context(&self) -> bool {
        true
    }

    fn in_yield_allowed_context(&self) -> bool {
        true
    }

    fn in_sync_comprehension(&self) -> bool {
        false
    }

    fn in_class_body_comprehension(&self) -> bool {
        false
    }

    fn in_module_scope(&self) -> bool {
        self.stack.borrow().is_empty()
    }

    fn in_function_scope(&self) -> bool {
        false
    }

    fn in_generator_context(&self) -> bool {
        true
    }

    fn in_notebook(&self) -> bool {
        false
    }

    fn report_semantic_error(&self, error: SemanticSyntaxError) {
        // Only the checks this walker drives faithfully; the rest need a full semantic model.
        if matches!(
            error.kind,
            SemanticSyntaxErrorKind::LazyImportNotAllowed { .. }
                | SemanticSyntaxErrorKind::LazyImportStar
                | SemanticSyntaxErrorKind::LazyFutureImport
                | SemanticSyntaxErrorKind::LateFutureImport
        ) {
            self.errors.borrow_mut().push(error);
        }
    }

    fn in_loop_context(&self) -> bool {
        true
    }

    fn is_bound_parameter(&self, _name: &str) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(src: &str) -> Vec<String> {
        match parse(src) {
            Ok(_) => vec![],
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn accepts_module_level_lazy() {
        assert!(
            placement(
                "lazy import os\nif x:\n    lazy from a import b\nwith c:\n    lazy import d\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn rejects_lazy_in_function_class_try() {
        assert_eq!(placement("def f():\n    lazy import os\n").len(), 1);
        assert_eq!(placement("class C:\n    lazy import os\n").len(), 1);
        assert_eq!(
            placement("try:\n    pass\nfinally:\n    lazy import os\n").len(),
            1
        );
        assert_eq!(
            placement("try:\n    pass\nexcept E:\n    if x:\n        lazy import os\n").len(),
            1
        );
        assert_eq!(placement("lazy from os import *\n").len(), 1);
        assert_eq!(
            placement("lazy from __future__ import annotations\n").len(),
            1
        );
    }

    #[test]
    fn rejects_late_future_import() {
        assert_eq!(
            placement("__lazy_modules__ = ['a']\nfrom __future__ import annotations\n").len(),
            1
        );
        assert!(
            placement("\"\"\"doc\"\"\"\nfrom __future__ import annotations\nx = 1\n").is_empty()
        );
    }

    #[test]
    fn reports_syntax_errors_with_span() {
        let err = parse("import (\n").err().unwrap();
        assert!(err.range().is_some());
    }

    #[test]
    fn coding_declarations_as_python_reads_them() {
        // Checked against python3.11 and python3.15: which files decode `\xc3\xa9` as one character.
        let cases = [
            ("# -*- coding: latin-1 -*-\nx\n", Some(("latin-1", 1))),
            (
                "#!/usr/bin/python\n# -*- coding: latin-1 -*-\n",
                Some(("latin-1", 2)),
            ),
            ("\n# coding=cp1252\n", Some(("cp1252", 2))),
            (
                "\u{feff}# vim: set fileencoding=latin-1 :\n",
                Some(("latin-1", 1)),
            ),
            ("import os\n# -*- coding: latin-1 -*-\n", None),
            ("\"\"\"Doc.\"\"\"\n# -*- coding: latin-1 -*-\n", None),
            ("import os\n\n# -*- coding: latin-1 -*-\n", None),
            ("x = 1  # -*- coding: latin-1 -*-\n", None),
            (
                "#!/bin/python\r\n# coding: latin-1\r\n",
                Some(("latin-1", 2)),
            ),
            ("#!/bin/python\r# coding: latin-1\r", Some(("latin-1", 2))),
            ("#!/bin/python\r\n\r\n# coding: latin-1\r\n", None),
            ("# no declaration\nimport os\n", None),
        ];
        for (source, expected) in cases {
            assert_eq!(coding_declaration(source), expected, "{source:?}");
        }
    }

    #[test]
    fn pragmas() {
        let src = "import a  # lazify: keep\nimport b  # noqa: F401 # lazify: keep\nimport c # lazify:keeper\n";
        let parsed = parse(src).unwrap();
        let lines: Vec<bool> = parsed
            .body()
            .iter()
            .map(|s| parsed.has_keep_pragma(src, s.range()))
            .collect();
        assert_eq!(lines, [true, true, true]);
        assert!(!parsed.has_skip_file_pragma(src));
        let src = "# lazify: skip-file\nimport a\n";
        assert!(parse(src).unwrap().has_skip_file_pragma(src));
    }
}
