//! The invariants, checked for one input and one style through the engine's public entry point
//! ([`lazify_core::run`], on text decoded as the command line decodes it, and encoded back the same way).
//!
//! For an input that decodes and parses, when the engine rewrites it:
//! - the engine reports no internal error (`fix-broke-syntax`);
//! - the output encodes in the file's encoding, decodes back to the same text, keeps its coding declaration, and
//!   re-parses (with the PEP 810 placement check);
//! - a second run on the output changes nothing;
//! - the output's syntax tree equals the input's apart from the import changes the style makes (see
//!   [`normalize`]);
//! - every comment of the input is in the output (as a multiset of comment texts).
//!
//! Panics are caught by the caller ([`crate::check_catching`]); aborts (stack overflows) by the process that
//! runs the checks in a child (`lazify-fuzz`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use lazify_core::{EngineError, ProjectFacts, PythonVersion, Settings, SourceFile, Style};
use lazify_workspace::encoding;
use ruff_python_ast::comparable::ComparableModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{self as ast, ModModule, Stmt, Suite};
use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::Ranged;

/// A style as the command line runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Config {
    /// `--style lazy`.
    Lazy,
    /// `--style lazy-modules`.
    LazyModules,
    /// `--style local`.
    Local,
    /// `--style lazy --hoist`.
    Hoist,
}

impl Config {
    /// Every style, in the order they are checked.
    pub const ALL: [Config; 4] = [
        Config::Lazy,
        Config::LazyModules,
        Config::Local,
        Config::Hoist,
    ];

    /// The name used in reports and the expected-failures file.
    pub fn name(self) -> &'static str {
        match self {
            Config::Lazy => "lazy",
            Config::LazyModules => "lazy-modules",
            Config::Local => "local",
            Config::Hoist => "hoist",
        }
    }

    /// The style named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether the style moves imports between scopes (then imports are compared as a set, not in place).
    fn moves_imports(self) -> bool {
        matches!(self, Config::Local | Config::Hoist)
    }

    /// The settings for `text` as file `file`; style `local` and `hoist` get the facts of a one-file project.
    fn settings(self, text: &str, file: &SourceFile) -> Settings {
        let mut settings = Settings {
            style: Some(match self {
                Config::Lazy | Config::Hoist => Style::Lazy,
                Config::LazyModules => Style::LazyModules,
                Config::Local => Style::Local,
            }),
            target_version: Some(PythonVersion::PY315),
            // Imports of start-up modules (`os`, `sys`) are everywhere: rewrite them too, to exercise more.
            include_preloaded: true,
            hoist: self == Config::Hoist,
            ..Settings::default()
        };
        if self.moves_imports() {
            let mut project = ProjectFacts::default();
            if let Some(facts) = lazify_core::facts::scan(text, file) {
                project.add(&file.path, text, facts);
            }
            settings.project = Some(Arc::new(project));
        }
        settings
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which broken invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The engine panicked.
    Panic,
    /// The process died (a stack overflow aborts).
    Abort,
    /// No answer within the time limit.
    Timeout,
    /// The engine reported its own output as broken (`lazify::fix-broke-syntax`).
    FixBrokeSyntax,
    /// The output does not re-parse (or breaks the placement rules).
    Reparse,
    /// The output cannot be encoded, does not decode back, or its coding declaration changed.
    Encoding,
    /// A second run changes the output again, or fails.
    NotIdempotent,
    /// The syntax tree changed beyond the import changes.
    AstChanged,
    /// A comment of the input is missing from the output.
    CommentLost,
    /// The engine refused the fuzzer's settings (a bug in the fuzzer).
    Settings,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 10] = [
        Kind::Panic,
        Kind::Abort,
        Kind::Timeout,
        Kind::FixBrokeSyntax,
        Kind::Reparse,
        Kind::Encoding,
        Kind::NotIdempotent,
        Kind::AstChanged,
        Kind::CommentLost,
        Kind::Settings,
    ];

    /// The name used in reports, file names and the expected-failures file.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Panic => "panic",
            Kind::Abort => "abort",
            Kind::Timeout => "timeout",
            Kind::FixBrokeSyntax => "fix-broke-syntax",
            Kind::Reparse => "reparse",
            Kind::Encoding => "encoding",
            Kind::NotIdempotent => "not-idempotent",
            Kind::AstChanged => "ast-changed",
            Kind::CommentLost => "comment-lost",
            Kind::Settings => "settings",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The style.
    pub config: Config,
    /// What broke.
    pub kind: Kind,
    /// Details for the report.
    pub detail: String,
}

/// What a passing check saw (for the summary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The bytes do not decode (not UTF-8 where they should be, unknown coding declaration).
    Undecodable,
    /// The text does not parse: reported, never rewritten.
    Unparsable,
    /// Parsed; nothing to rewrite.
    Unchanged,
    /// Rewritten; every invariant holds.
    Rewritten,
}

/// Where the input is checked as being: a module in a package, or the package's `__init__.py` (re-exports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `pkg/mod.py`, module `pkg.mod`.
    Module,
    /// `pkg/__init__.py`, module `pkg`.
    Init,
}

impl Target {
    /// The target a regression file stands for: `…__init__.py` is a package's `__init__.py`.
    pub fn for_file_name(name: &str) -> Self {
        if name.ends_with("__init__.py") {
            Target::Init
        } else {
            Target::Module
        }
    }

    fn file(self) -> SourceFile {
        let (path, module) = match self {
            Target::Module => ("pkg/mod.py", "pkg.mod"),
            Target::Init => ("pkg/__init__.py", "pkg"),
        };
        SourceFile {
            path: path.into(),
            module_name: Some(module.to_string()),
        }
    }
}

/// Checks every invariant for `bytes` under `config`.
pub fn check(bytes: &[u8], config: Config, target: Target) -> Result<Seen, Failure> {
    let fail = |kind: Kind, detail: String| Failure {
        config,
        kind,
        detail,
    };
    let file = target.file();
    let path = file.path.clone();
    let Ok(decoded) = encoding::decode(&path, bytes) else {
        return Ok(Seen::Undecodable);
    };
    let text = decoded.text.as_str();
    let settings = config.settings(text, &file);
    let outcome = lazify_core::run(text, &file, &settings);
    match outcome.error {
        None => {}
        // Code nested past lazify's limit is refused on purpose, as CPython refuses it.
        Some(
            EngineError::Syntax { .. }
            | EngineError::Placement { .. }
            | EngineError::TooDeep { .. },
        ) => {
            return Ok(Seen::Unparsable);
        }
        // A panic the engine's caller caught (`lazify::internal`).
        Some(EngineError::Internal { message }) => return Err(fail(Kind::Panic, message)),
        Some(EngineError::FixBrokeSyntax { message, .. }) => {
            return Err(fail(Kind::FixBrokeSyntax, message));
        }
        Some(EngineError::Settings { message }) => return Err(fail(Kind::Settings, message)),
    }
    let Some(fixed) = outcome.fixed else {
        return Ok(Seen::Unchanged);
    };

    // Written as the command line writes it.
    let out = decoded
        .encode(&path, &fixed)
        .map_err(|e| fail(Kind::Encoding, format!("the output does not encode: {e}")))?;
    let before = encoding::coding_declaration(bytes).map(|(name, _)| name);
    let after = encoding::coding_declaration(&out).map(|(name, _)| name);
    if before != after {
        return Err(fail(
            Kind::Encoding,
            format!("the coding declaration changed from {before:?} to {after:?}"),
        ));
    }
    match encoding::decode(&path, &out) {
        Ok(again) if fixed == again.text => {}
        Ok(_) => {
            return Err(fail(
                Kind::Encoding,
                "the written bytes decode to another text".to_string(),
            ));
        }
        Err(e) => {
            return Err(fail(
                Kind::Encoding,
                format!("the written bytes do not decode: {e}"),
            ));
        }
    }

    if let Err(e) = lazify_core::python::parse(&fixed) {
        return Err(fail(Kind::Reparse, e.to_string()));
    }

    let again = lazify_core::run(&fixed, &file, &config.settings(&fixed, &file));
    if let Some(error) = again.error {
        return Err(fail(
            Kind::NotIdempotent,
            format!("the second run fails: {error}"),
        ));
    }
    if let Some(second) = again.fixed
        && second != fixed
    {
        return Err(fail(
            Kind::NotIdempotent,
            format!(
                "the second run changes the output again:\n{}",
                first_difference(&fixed, &second)
            ),
        ));
    }

    let (Some(old), Some(new)) = (parse(text), parse(&fixed)) else {
        return Err(fail(
            Kind::Reparse,
            "the fuzzer's parser disagrees with the engine's".to_string(),
        ));
    };
    if let Some(detail) = compare_trees(&old.0, &new.0, config) {
        return Err(fail(Kind::AstChanged, detail));
    }
    let mut lost = lost_comments(&old.1, &new.1);
    // `--hoist` writes one module-level line for the same import made in several places (several functions,
    // or twice in one), and the same comment those copies carry once: a copy of a comment that stays is not
    // lost.
    if config == Config::Hoist {
        lost.retain(|comment| !new.1.contains(comment));
    }
    if !lost.is_empty() {
        return Err(fail(
            Kind::CommentLost,
            format!("comments missing from the output: {lost:?}"),
        ));
    }
    Ok(Seen::Rewritten)
}

/// The module and its comments (texts without trailing blanks), or `None` when it does not parse.
fn parse(text: &str) -> Option<(ModModule, Vec<String>)> {
    let options = ParseOptions::from(Mode::Module).with_target_version(ast::PythonVersion::PY315);
    let parsed = ruff_python_parser::parse_unchecked(text, options);
    if !parsed.errors().is_empty() {
        return None;
    }
    let comments = parsed
        .tokens()
        .iter()
        .filter(|t| t.kind() == TokenKind::Comment)
        .map(|t| text[t.range()].trim_end().to_string())
        .collect();
    let module = parsed.try_into_module()?.into_syntax();
    Some((module, comments))
}

/// The comments of `old` that `new` lacks (multiset difference).
pub fn lost_comments(old: &[String], new: &[String]) -> Vec<String> {
    let mut have: BTreeMap<&str, usize> = BTreeMap::new();
    for c in new {
        *have.entry(c).or_default() += 1;
    }
    let mut lost = Vec::new();
    for c in old {
        match have.get_mut(c.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => lost.push(c.clone()),
        }
    }
    lost
}

/// Compares the two trees after [`normalize`]; `None` when equal, else what differs.
fn compare_trees(old: &ModModule, new: &ModModule, config: Config) -> Option<String> {
    let mut old = old.clone();
    let mut new = new.clone();
    // Lazy attributes are decided from the rewritten tree and normalised away in both: a file that already set
    // `TYPE_CHECKING = False` keeps that line, and lazify reuses it rather than adding its own.
    let lazy_attributes = config == Config::Local && has_lazy_attributes(&new.body);
    if lazy_attributes {
        // Normalising drops every `TYPE_CHECKING = False`; the count says whether one of the file's own was lost
        // (lazify adds at most one, when the file has none).
        let count = |body: &Suite| {
            body.iter()
                .filter(|stmt| assigns(stmt, "TYPE_CHECKING"))
                .count()
        };
        let (before, after) = (count(&old.body), count(&new.body));
        if !(after == before || (before == 0 && after == 1)) {
            return Some(format!(
                "`TYPE_CHECKING = ...` assigned {before} time(s) before and {after} after"
            ));
        }
    }
    let old_imports = normalize(&mut old.body, config, lazy_attributes);
    let new_imports = normalize(&mut new.body, config, lazy_attributes);
    if config.moves_imports() {
        let old_set: BTreeSet<_> = old_imports.iter().collect();
        let new_set: BTreeSet<_> = new_imports.iter().collect();
        if old_set != new_set {
            return Some(format!(
                "the imported names changed: only before {:?}, only after {:?}",
                old_set.difference(&new_set).collect::<Vec<_>>(),
                new_set.difference(&old_set).collect::<Vec<_>>()
            ));
        }
    }
    if ComparableModModule::from(&old) == ComparableModModule::from(&new) {
        return None;
    }
    let count = old.body.len().max(new.body.len());
    for i in 0..count {
        let dump = |s: &Stmt| format!("{:?}", ruff_python_ast::comparable::ComparableStmt::from(s));
        let a = old.body.get(i).map(dump);
        let b = new.body.get(i).map(dump);
        let same = match (old.body.get(i), new.body.get(i)) {
            (Some(x), Some(y)) => {
                ruff_python_ast::comparable::ComparableStmt::from(x)
                    == ruff_python_ast::comparable::ComparableStmt::from(y)
            }
            _ => false,
        };
        if !same {
            return Some(format!(
                "module statement {i} differs (after normalising imports):\nbefore: {}\nafter:  {}",
                shorten(a.as_deref().unwrap_or("<none>")),
                shorten(b.as_deref().unwrap_or("<none>"))
            ));
        }
    }
    Some("the trees differ".to_string())
}

fn shorten(text: &str) -> String {
    if text.len() <= 600 {
        return text.to_string();
    }
    let mut end = 600;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Normalises a body for comparison; returns the imports it removed (when the style moves imports).
///
/// - `lazy` keywords are dropped and every import statement is split into one per name; runs of consecutive
///   imports are sorted (a split statement may come out in another order);
/// - style `lazy-modules`: statements that assign or extend `__lazy_modules__` are removed;
/// - styles `local` and `hoist` move imports between scopes: every import statement is removed (anywhere), and
///   the names they bind are returned, to be compared as a set;
/// - style `local`, lazy attributes (`lazy_attributes`: the rewritten module has lazify's table): the table, its
///   `__getattr__` and `__dir__` and `TYPE_CHECKING = False` are removed, and so are `if TYPE_CHECKING:` blocks
///   left empty. Both trees are normalised so, since the file may have set `TYPE_CHECKING = False` itself.
pub fn normalize(body: &mut Suite, config: Config, lazy_attributes: bool) -> Vec<String> {
    if lazy_attributes {
        drop_lazy_attributes(body);
    }
    let mut removed = Vec::new();
    normalize_into(body, config, &mut removed);
    if config == Config::Local {
        // `if TYPE_CHECKING:` blocks left empty once their imports are removed (the copies lazy attributes keep
        // for type checkers, in a new or an existing block).
        body.retain(|stmt| {
            !matches!(stmt, Stmt::If(s) if s.body.is_empty()
                && s.elif_else_clauses.is_empty()
                && matches!(&*s.test, ast::Expr::Name(n) if n.id.as_str() == "TYPE_CHECKING"))
        });
    }
    removed
}

fn assigns(stmt: &Stmt, name: &str) -> bool {
    matches!(stmt, Stmt::Assign(a) if matches!(a.targets.as_slice(),
        [ast::Expr::Name(n)] if n.id.as_str() == name))
}

/// Whether a module has lazify's lazy-attribute table (`_lazy_attributes = {...}`).
fn has_lazy_attributes(body: &Suite) -> bool {
    body.iter().any(|stmt| assigns(stmt, "_lazy_attributes"))
}

/// Style `local`: what lazy attributes add at module level: the table, its `__getattr__` and `__dir__`, and
/// `TYPE_CHECKING = False`. Each is removed from both trees, so a module whose re-exports became lazy attributes
/// compares equal to the input apart from its imports.
fn drop_lazy_attributes(body: &mut Suite) {
    body.retain(|stmt| {
        let hook = matches!(stmt, Stmt::FunctionDef(f)
            if matches!(f.name.as_str(), "__getattr__" | "__dir__"));
        !(hook || assigns(stmt, "_lazy_attributes") || assigns(stmt, "TYPE_CHECKING"))
    });
}

fn normalize_into(body: &mut Suite, config: Config, removed: &mut Vec<String>) {
    let old = std::mem::take(body);
    for mut stmt in old {
        if config == Config::LazyModules && touches_lazy_modules(&stmt) {
            continue;
        }
        match &mut stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let one = ast::StmtImport {
                        names: vec![alias.clone()],
                        is_lazy: false,
                        ..import.clone()
                    };
                    if config.moves_imports() {
                        removed.push(import_text(&Stmt::Import(one)));
                    } else {
                        body.push(Stmt::Import(one));
                    }
                }
                continue;
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let one = ast::StmtImportFrom {
                        names: vec![alias.clone()],
                        is_lazy: false,
                        ..import.clone()
                    };
                    if config.moves_imports() {
                        removed.push(import_text(&Stmt::ImportFrom(one)));
                    } else {
                        body.push(Stmt::ImportFrom(one));
                    }
                }
                continue;
            }
            Stmt::FunctionDef(def) => normalize_into(&mut def.body, config, removed),
            Stmt::ClassDef(class) => normalize_into(&mut class.body, config, removed),
            Stmt::If(stmt_if) => {
                normalize_into(&mut stmt_if.body, config, removed);
                for clause in &mut stmt_if.elif_else_clauses {
                    normalize_into(&mut clause.body, config, removed);
                }
            }
            Stmt::For(stmt_for) => {
                normalize_into(&mut stmt_for.body, config, removed);
                normalize_into(&mut stmt_for.orelse, config, removed);
            }
            Stmt::While(stmt_while) => {
                normalize_into(&mut stmt_while.body, config, removed);
                normalize_into(&mut stmt_while.orelse, config, removed);
            }
            Stmt::With(with) => normalize_into(&mut with.body, config, removed),
            Stmt::Try(stmt_try) => {
                normalize_into(&mut stmt_try.body, config, removed);
                for handler in &mut stmt_try.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    normalize_into(&mut handler.body, config, removed);
                }
                normalize_into(&mut stmt_try.orelse, config, removed);
                normalize_into(&mut stmt_try.finalbody, config, removed);
            }
            Stmt::Match(stmt_match) => {
                for case in &mut stmt_match.cases {
                    normalize_into(&mut case.body, config, removed);
                }
            }
            _ => {}
        }
        body.push(stmt);
    }
    // Sort each run of consecutive imports.
    let mut i = 0;
    while i < body.len() {
        if !is_import(&body[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < body.len() && is_import(&body[i]) {
            i += 1;
        }
        body[start..i].sort_by_cached_key(import_text);
    }
}

fn is_import(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_))
}

/// `import a.b as c` / `from ..m import x as y`, for one-name imports.
fn import_text(stmt: &Stmt) -> String {
    let alias = |a: &ast::Alias| match &a.asname {
        Some(asname) => format!("{} as {asname}", a.name),
        None => a.name.to_string(),
    };
    match stmt {
        Stmt::Import(import) => format!(
            "import {}",
            import
                .names
                .iter()
                .map(alias)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Stmt::ImportFrom(import) => format!(
            "from {}{} import {}",
            ".".repeat(usize::try_from(import.level).unwrap_or(0)),
            import.module.as_ref().map_or("", |m| m.as_str()),
            import
                .names
                .iter()
                .map(alias)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    }
}

/// `__lazy_modules__ = ...`, `__lazy_modules__ += ...`, `__lazy_modules__: list[str] = ...`,
/// `__lazy_modules__.extend(...)`.
fn touches_lazy_modules(stmt: &Stmt) -> bool {
    let is_name = |expr: &ast::Expr| matches!(expr, ast::Expr::Name(name) if name.id.as_str() == "__lazy_modules__");
    match stmt {
        Stmt::Assign(assign) => assign.targets.iter().any(is_name),
        Stmt::AnnAssign(assign) => is_name(&assign.target),
        Stmt::AugAssign(assign) => is_name(&assign.target),
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            ast::Expr::Call(call)
                if matches!(&*call.func, ast::Expr::Attribute(attr) if is_name(&attr.value))
        ),
        _ => false,
    }
}

/// The first line where two texts differ, with a line of context.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    format!(
        "line {}:\n- {:?}\n+ {:?}",
        i + 1,
        la.get(i).copied().unwrap_or("<end>"),
        lb.get(i).copied().unwrap_or("<end>")
    )
}

/// Whether `path` names a regression input (`.py`).
pub fn is_input(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<String> {
        parse(text).unwrap().1
    }

    #[test]
    fn a_sample_passes_every_style() {
        let source = "\"\"\"Doc.\"\"\"\nimport json  # for load\nfrom os import path as p\n\n\ndef load(x):\n    # body\n    return json.loads(x), p.join(x)\n";
        for config in Config::ALL {
            let seen = check(source.as_bytes(), config, Target::Module)
                .unwrap_or_else(|f| panic!("{config}: {f:?}"));
            assert_eq!(seen, Seen::Rewritten, "{config}");
        }
    }

    #[test]
    #[expect(clippy::many_single_char_names, reason = "trees named by letter")]
    fn normalising_drops_lazy_and_splits_but_keeps_other_changes() {
        let a = parse("import a, b\nx = 1\n").unwrap().0;
        let b = parse("import b\nlazy import a\nx = 1\n").unwrap().0;
        let c = parse("import b\nlazy import a\nx = 2\n").unwrap().0;
        let d = parse("import b\nx = 1\n").unwrap().0;
        assert_eq!(compare_trees(&a, &b, Config::Lazy), None);
        assert!(compare_trees(&a, &c, Config::Lazy).is_some());
        assert!(
            compare_trees(&a, &d, Config::Lazy).is_some(),
            "a lost import"
        );
        // Moved imports: compared as a set, wherever they are.
        let g = parse("import a, b\ndef f():\n    return a, b\nx = 1\n")
            .unwrap()
            .0;
        let e = parse("def f():\n    import a\n    import b\n    return a, b\nx = 1\n")
            .unwrap()
            .0;
        let h = parse("import a\ndef f():\n    return a, b\nx = 1\n")
            .unwrap()
            .0;
        assert_eq!(compare_trees(&g, &e, Config::Local), None);
        assert!(
            compare_trees(&g, &h, Config::Local).is_some(),
            "a lost import"
        );
        // `__lazy_modules__` only for its style.
        let f = parse("__lazy_modules__ = [\"a\"]\nimport a, b\nx = 1\n")
            .unwrap()
            .0;
        assert_eq!(compare_trees(&a, &f, Config::LazyModules), None);
        assert!(compare_trees(&a, &f, Config::Lazy).is_some());
    }

    /// Found by the fuzzer: a package that sets `TYPE_CHECKING = False` itself, whose re-export becomes a lazy
    /// attribute. lazify reuses the line; normalising must not drop it from one tree only.
    #[test]
    fn a_package_that_sets_type_checking_itself_gets_lazy_attributes() {
        let source = "TYPE_CHECKING = False\nfrom pkg.sub import array as array1001\n__all__ = [\"Markdown\", \"Extra\"]\n_lazy_attrib= {\n}\n";
        let seen = check(source.as_bytes(), Config::Local, Target::Init)
            .unwrap_or_else(|f| panic!("{f:?}"));
        assert_eq!(seen, Seen::Rewritten);
        // Still a failure when the rewrite drops the file's own line.
        let before = parse("TYPE_CHECKING = False\nx = 1\n").unwrap().0;
        let after = parse("x = 1\n_lazy_attributes = {}\n").unwrap().0;
        assert!(compare_trees(&before, &after, Config::Local).is_some());
    }

    #[test]
    fn comments_are_a_multiset() {
        let old = comments("# a\nx = 1  # b\n# a\n");
        assert!(lost_comments(&old, &comments("# a\n# a\n# b\n")).is_empty());
        assert_eq!(lost_comments(&old, &comments("# a\n# b\n")), ["# a"]);
    }
}
