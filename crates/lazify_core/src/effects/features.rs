//! Feature detection elsewhere in the project: `"name" in sys.modules` (or `sys.modules.get("name")`) in any
//! file, and imports of a project module guarded by `try: ... except ImportError:` in a sibling.

use std::path::Path;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::index::dotted;
use crate::settings::SourceFile;

/// What one file tests about other modules.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureChecks {
    /// `"name" in sys.modules`, `sys.modules.get("name")`: the module name, the 1-based line and the code.
    pub sys_modules: Vec<(String, usize, String)>,
    /// Modules imported inside `try:` whose handlers catch `ImportError` (or a broader exception): name, line
    /// and code.
    pub guarded_imports: Vec<(String, usize, String)>,
}

/// Whether `source` may hold a feature check (a cheap test before parsing): `sys.modules` in the text, or a
/// `try:` whose body holds an import line before its first `except`.
pub fn may_check(source: &str) -> bool {
    if source.contains("sys.modules") {
        return true;
    }
    if !source.contains("try:") {
        return false;
    }
    let mut in_try = false;
    for line in source.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("try:") {
            in_try = true;
        } else if trimmed.starts_with("except") || trimmed.starts_with("finally") {
            in_try = false;
        } else if in_try && (trimmed.starts_with("import ") || trimmed.starts_with("from ")) {
            return true;
        }
    }
    false
}

/// The feature checks in one file; `None` when it does not parse.
pub fn scan(source: &str, module: &str, path: &Path) -> Option<FeatureChecks> {
    let parsed = crate::python::parse(source).ok()?;
    Some(scan_parsed(&parsed, source, module, path))
}

/// [`scan`] on a module already parsed.
pub fn scan_parsed(
    parsed: &crate::python::ParsedModule,
    source: &str,
    module: &str,
    path: &Path,
) -> FeatureChecks {
    let mut scanner = Scanner {
        lines: crate::SourceLines::new(source),
        file: SourceFile {
            path: path.to_path_buf(),
            module_name: Some(module.to_string()),
        },
        checks: FeatureChecks::default(),
        guarded: 0,
    };
    scanner.visit_body(parsed.body());
    scanner.checks
}

struct Scanner<'s> {
    /// The file's text, with its lines indexed once.
    lines: crate::SourceLines<'s>,
    file: SourceFile,
    checks: FeatureChecks,
    /// How many `try` bodies guarding against `ImportError` the walk is in.
    guarded: usize,
}

impl Scanner<'_> {
    fn line(&self, range: TextRange) -> (usize, String) {
        let (line, _) = self.lines.line_column(range.start());
        let text = self.lines.source()[range]
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        (line, text.to_string())
    }

    fn guarded_import(&mut self, module: String, range: TextRange) {
        let (line, text) = self.line(range);
        self.checks.guarded_imports.push((module, line, text));
    }
}

/// Whether an `except` clause catches `ImportError`.
fn catches_import_error(handler: &ast::ExceptHandler) -> bool {
    let ast::ExceptHandler::ExceptHandler(h) = handler;
    let Some(kind) = &h.type_ else {
        return true;
    };
    let names: Vec<&Expr> = match &**kind {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    names.iter().any(|e| {
        let name = dotted(e);
        let last = name.rsplit('.').next().unwrap_or_default();
        matches!(
            last,
            "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"
        )
    })
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Try(t) if t.handlers.iter().any(catches_import_error) => {
                self.guarded += 1;
                self.visit_body(&t.body);
                self.guarded -= 1;
                for handler in &t.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&t.orelse);
                self.visit_body(&t.finalbody);
            }
            Stmt::Import(i) if self.guarded > 0 => {
                for alias in &i.names {
                    self.guarded_import(alias.name.to_string(), i.range());
                }
            }
            Stmt::ImportFrom(f) if self.guarded > 0 => {
                if let Some(module) = self.file.resolve_import(f.module.as_deref(), f.level) {
                    for alias in &f.names {
                        if alias.name.as_str() != "*" {
                            self.guarded_import(format!("{module}.{}", alias.name), f.range());
                        }
                    }
                    self.guarded_import(module, f.range());
                }
            }
            // A function defined in a guarded `try` runs later, outside it.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) if self.guarded > 0 => {
                let saved = std::mem::replace(&mut self.guarded, 0);
                visitor::walk_stmt(self, stmt);
                self.guarded = saved;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // `"name" in sys.modules`, `"name" not in sys.modules`.
            Expr::Compare(c)
                if c.comparators.len() == 1
                    && matches!(c.ops[0], ast::CmpOp::In | ast::CmpOp::NotIn)
                    && dotted(&c.comparators[0]) == "sys.modules" =>
            {
                if let Expr::StringLiteral(s) = &*c.left {
                    let (line, text) = self.line(expr.range());
                    self.checks
                        .sys_modules
                        .push((s.value.to_str().to_string(), line, text));
                }
            }
            // `sys.modules.get("name")`.
            Expr::Call(call)
                if dotted(&call.func) == "sys.modules.get"
                    && let Some(Expr::StringLiteral(s)) = call.arguments.args.first() =>
            {
                let (line, text) = self.line(expr.range());
                self.checks
                    .sys_modules
                    .push((s.value.to_str().to_string(), line, text));
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether `source` imports the module `name` by its absolute name (or a submodule of it): `import name`,
/// `from name import x`, `importlib.import_module("name")`, `__import__("name")`, `sys.modules["name"]` read. It
/// tells whether a module alias registered in `sys.modules` under `name` is used by the project. `None` when the
/// file does not parse.
pub fn imports_by_name(source: &str, name: &str) -> Option<bool> {
    if !source.contains(name) {
        return Some(false);
    }
    let parsed = crate::python::parse(source).ok()?;
    let mut finder = NameImports { name, found: false };
    finder.visit_body(parsed.body());
    Some(finder.found)
}

struct NameImports<'n> {
    name: &'n str,
    found: bool,
}

impl NameImports<'_> {
    fn names(&self, module: &str) -> bool {
        module == self.name
            || module
                .strip_prefix(self.name)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

impl<'a> Visitor<'a> for NameImports<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(i) if i.names.iter().any(|a| self.names(a.name.as_str())) => {
                self.found = true;
            }
            Stmt::ImportFrom(f)
                if f.level == 0 && f.module.as_deref().is_some_and(|m| self.names(m)) =>
            {
                self.found = true;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call)
                if matches!(
                    dotted(&call.func).as_str(),
                    "importlib.import_module" | "import_module" | "__import__"
                ) && matches!(call.arguments.args.first(),
                    Some(Expr::StringLiteral(s)) if self.names(s.value.to_str())) =>
            {
                self.found = true;
            }
            // `sys.modules["name"]` read (a store is the registration itself, and the file making it is
            // not asked).
            Expr::Subscript(sub)
                if sub.ctx.is_load()
                    && dotted(&sub.value) == "sys.modules"
                    && matches!(&*sub.slice,
                        Expr::StringLiteral(s) if self.names(s.value.to_str())) =>
            {
                self.found = true;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
