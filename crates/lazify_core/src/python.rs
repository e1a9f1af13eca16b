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
use ruff_text_size::{Ranged, TextRange, TextSize};

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

    /// Whether a `# lazify: keep` comment sits on a line that `range` spans (the statement's own lines). Lines end
    /// at `\n`, `\r\n` or a lone `\r`, as Python reads them.
    pub fn has_keep_pragma(&self, source: &str, range: TextRange) -> bool {
        if self.pragmas.is_empty() {
            return false;
        }
        let line_end = source[usize::from(range.end())..]
            .find(['\n', '\r'])
            .map_or(source.len(), |i| usize::from(range.end()) + i);
        let start = source[..usize::from(range.start())]
            .rfind(['\n', '\r'])
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

    /// Whether a comment on the line of `offset` tells flake8 and ruff that an unused import is meant
    /// (`# noqa: F401`, codes listed in any order and case): the usual mark of a re-export.
    pub fn has_noqa_unused_import(&self, source: &str, offset: TextSize) -> bool {
        let at = usize::from(offset).min(source.len());
        let start = source[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let end = source[at..]
            .find(['\n', '\r'])
            .map_or(source.len(), |i| at + i);
        let tokens = self.parsed.tokens();
        let first = tokens.partition_point(|t| usize::from(t.start()) < start);
        tokens[first..]
            .iter()
            .take_while(|t| usize::from(t.start()) < end)
            .filter(|t| t.kind() == TokenKind::Comment)
            .any(|t| noqa_lists(&source[t.range()], "F401"))
    }

    /// When the statement starting at `at` continues the logical line of what comes before it (`def f(): return
    /// x`, `"doc"; return x`, or `def f():\` with `return x` on the next line), the end of the token it follows
    /// (the header's `:`, a `;`): what lies between is blanks and backslash continuations only. `None` when the
    /// statement starts a logical line of its own (comment lines before it end in a non-logical newline, and a
    /// comment after the header is followed by the header's newline).
    pub fn logical_line_gap(&self, at: TextSize) -> Option<TextSize> {
        let tokens = self.parsed.tokens();
        let before = tokens.partition_point(|t| t.end() <= at);
        tokens[..before]
            .iter()
            .rev()
            .find(|t| {
                !matches!(
                    t.kind(),
                    TokenKind::Indent
                        | TokenKind::Dedent
                        | TokenKind::NonLogicalNewline
                        | TokenKind::Comment
                )
            })
            .filter(|t| t.kind() != TokenKind::Newline)
            .map(Ranged::end)
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
pub(crate) fn coding_in_line(line: &str) -> Option<&str> {
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

/// The expression a string annotation holds (`"np.ndarray"` → `np.ndarray`), parsed from its place in `source`
/// as a type checker reads it; `None` when the string is not a valid expression.
pub(crate) fn parse_string_annotation(
    source: &str,
    literal: &ast::StringLiteral,
) -> Option<Parsed<ast::ModExpression>> {
    ruff_python_parser::parse_string_annotation(source, literal).ok()
}

/// Parses `source` with the Python 3.15 grammar and checks PEP 810 placement. Any syntax error, or a `lazy`
/// import `CPython` would refuse to compile, is an error with its span.
pub fn parse(source: &str) -> Result<ParsedModule, EngineError> {
    check_nesting(source)?;
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

/// How deeply lazify lets code nest, as [`nesting`] estimates it: operators, attributes, calls, subscripts,
/// lambdas and the like inside one another, plus a few levels for each bracket and each indented block.
///
/// `CPython` 3.15 (with its default 8 MiB stack) refuses to compile code nested deeper than about 29,000 levels
/// of operators, attributes or calls, 47,000 of subscripts, 3,000 of lambdas, conditional expressions or `**`,
/// 6,000 of unary operators, 200 brackets and 100 indented blocks; lazify accepts all of those. Deeper code
/// is a per-file error rather than a crash: the analysis walks the syntax tree recursively, on threads whose
/// stacks are sized for this depth (`lazify_workspace::STACK_SIZE`).
pub const MAX_NESTING: usize = 50_000;

/// The levels a bracket or an indented block may add without a token [`nesting`] counts: a tuple, an `or`
/// of `and`s, a comparison, a keyword argument, a slice, an f-string's interpolation, a statement.
const LEVEL_SLACK: usize = 8;

/// A file shorter than this cannot nest deeper than [`MAX_NESTING`]: every level of a syntax tree needs a
/// token of at least one byte. Such files skip the pre-pass.
const NESTING_CHECK_MIN_LEN: usize = MAX_NESTING;

/// Refuses, before parsing, source nested deeper than [`MAX_NESTING`], with the span where the limit is
/// crossed. The parser itself grows its stack as it needs, but every walk over the tree (and dropping the
/// tree) recurses once per level.
fn check_nesting(source: &str) -> Result<(), EngineError> {
    if source.len() < NESTING_CHECK_MIN_LEN || nesting(source) <= MAX_NESTING {
        return Ok(());
    }
    // The shortest prefix that is already too deep ends at the token that crosses the limit. Lexing
    // prefixes costs a few passes over the file, only for files refused anyway.
    let (mut fits, mut deep) = (0, source.len());
    while deep - fits > 1 {
        let mut middle = fits + (deep - fits) / 2;
        while !source.is_char_boundary(middle) {
            middle += 1;
        }
        if middle >= deep {
            break;
        }
        if nesting(&source[..middle]) > MAX_NESTING {
            deep = middle;
        } else {
            fits = middle;
        }
    }
    let start = source[..deep]
        .char_indices()
        .next_back()
        .map_or(0, |(i, _)| i);
    let range = TextRange::new(
        TextSize::try_from(start).unwrap_or_default(),
        TextSize::try_from(deep).unwrap_or_default(),
    );
    Err(EngineError::TooDeep {
        message: format!(
            "too deeply nested: more than {MAX_NESTING} levels of nesting here (CPython refuses to compile code \
             this deep); the file was not analysed"
        ),
        range,
    })
}

/// An upper bound of the syntax tree's depth, from the tokens alone (no tree is built, so no input is too
/// deep for it).
///
/// Within each bracket (and at the top of a logical line) it counts the tokens that open a nested node:
/// binary and unary operators, `.` of an attribute, the bracket of a call or subscript, `lambda`, the `else`
/// of a conditional expression, `await`, `yield`, `:=`. A comma or `=` starts a sibling, so the count of
/// its bracket starts again (except in a lambda's parameters, which enclose the body). Comparisons, `and`
/// and `or` are flat in the tree (`a < b < c` is one node) and are covered, like tuples and keyword arguments,
/// by [`LEVEL_SLACK`] per bracket and indented block. Dots of a dotted name in an import are not attributes.
pub fn nesting(source: &str) -> usize {
    #[derive(Default)]
    struct Level {
        count: usize,
        lambda_params: usize,
    }
    let mut lexer = ruff_python_parser::lexer::lex(source, Mode::Module);
    let mut levels = vec![Level::default()];
    let mut sum = 0usize;
    let mut indent = 0usize;
    let mut deepest = 0usize;
    let mut prev = TokenKind::Newline;
    let mut in_import = false;
    loop {
        let kind = lexer.next_token();
        let top = levels.len() - 1;
        let mut counted = false;
        match kind {
            TokenKind::EndOfFile => break,
            TokenKind::Comment | TokenKind::NonLogicalNewline => continue,
            TokenKind::Newline => {
                levels.truncate(1);
                levels[0] = Level::default();
                sum = 0;
                in_import = false;
            }
            TokenKind::Indent => indent += 1,
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Import | TokenKind::From
                if matches!(
                    prev,
                    TokenKind::Newline
                        | TokenKind::Indent
                        | TokenKind::Dedent
                        | TokenKind::Semi
                        | TokenKind::Colon
                        | TokenKind::Lazy
                ) =>
            {
                in_import = true;
            }
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                levels[top].count += 1;
                sum += 1;
                levels.push(Level::default());
                counted = true;
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                if levels.len() > 1
                    && let Some(level) = levels.pop()
                {
                    sum -= level.count;
                }
            }
            TokenKind::Comma | TokenKind::Equal if levels[top].lambda_params == 0 => {
                sum -= levels[top].count;
                levels[top].count = 0;
            }
            TokenKind::Semi => {
                sum -= levels[top].count;
                levels[top].count = 0;
                in_import = false;
            }
            kind if kind.as_augmented_assign_operator().is_some() => {
                sum -= levels[top].count;
                levels[top].count = 0;
            }
            TokenKind::Colon if levels[top].lambda_params > 0 => levels[top].lambda_params -= 1,
            TokenKind::Lambda => {
                levels[top].lambda_params += 1;
                counted = true;
            }
            TokenKind::Dot => counted = !in_import && ends_operand(prev),
            // `not in` and `is not` are comparisons: the `not` of `not in` was counted as unary.
            TokenKind::In if prev == TokenKind::Not => {
                levels[top].count = levels[top].count.saturating_sub(1);
                sum = sum.saturating_sub(1);
            }
            TokenKind::Not => counted = prev != TokenKind::Is,
            TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::Slash
            | TokenKind::DoubleSlash
            | TokenKind::Percent
            | TokenKind::DoubleStar
            | TokenKind::At
            | TokenKind::Vbar
            | TokenKind::Amper
            | TokenKind::CircumFlex
            | TokenKind::Tilde
            | TokenKind::LeftShift
            | TokenKind::RightShift
            | TokenKind::ColonEqual
            | TokenKind::Else
            | TokenKind::Await
            | TokenKind::Yield => counted = true,
            _ => {}
        }
        if counted
            && kind != TokenKind::Lpar
            && kind != TokenKind::Lsqb
            && kind != TokenKind::Lbrace
        {
            levels[top].count += 1;
            sum += 1;
        }
        if counted {
            deepest = deepest.max(sum + LEVEL_SLACK * (levels.len() + indent));
        }
        prev = kind;
    }
    deepest
}

/// Whether a token can end an operand, so that a `.` after it is an attribute.
fn ends_operand(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd
            | TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::None
            | TokenKind::True
            | TokenKind::False
            | TokenKind::Ellipsis
            | TokenKind::Case
            | TokenKind::Lazy
            | TokenKind::Match
            | TokenKind::Type
    )
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
mod tests;

/// Whether the comment `text` holds a `noqa` directive that lists `code` (`# noqa: F401`, `#noqa:E402,F401`,
/// `# type: ignore  # NOQA: F401`). A bare `# noqa` lists no code.
fn noqa_lists(text: &str, code: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("noqa") {
        rest = &rest[i + 4..];
        let Some(codes) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let listed = codes
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .take_while(|c| {
                c.chars().next().is_some_and(|f| f.is_ascii_alphabetic())
                    && c.chars().any(|d| d.is_ascii_digit())
            })
            .any(|c| c.eq_ignore_ascii_case(code));
        if listed {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod noqa_tests {
    use super::noqa_lists;

    #[test]
    fn noqa_directives_that_list_f401() {
        for yes in [
            "# noqa: F401",
            "#noqa:F401",
            "# NOQA: E402, F401",
            "# noqa: E402,F401  re-exported",
            "# type: ignore  # noqa: F401",
            "# noqa:f401",
        ] {
            assert!(noqa_lists(yes, "F401"), "{yes}");
        }
        for no in [
            "# noqa",
            "# noqa: E402",
            "# noqa: F4011",
            "# F401",
            "# used by noqa: nothing",
            "# noqa: E402 because F401",
        ] {
            assert!(!noqa_lists(no, "F401"), "{no}");
        }
    }
}
