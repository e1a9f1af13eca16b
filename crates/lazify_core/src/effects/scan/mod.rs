//! The effect scanner: one module's source in, its [`ModuleSummary`] out.

use std::cell::RefCell;
use std::path::Path;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::table::{TABLE, Table};
use super::{CallableSummary, Effect, ExternalRef, ModuleSummary, Site};
use crate::index::dotted;
use crate::settings::SourceFile;

mod bindings;
mod calls;
mod expressions;
mod resolve;
mod statements;

/// Names that, called on an object another module holds, change it.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "appendleft",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "register",
    "pop",
    "popitem",
    "remove",
    "discard",
    "clear",
];

/// Logger methods that configure it.
const LOGGER_CONFIG: &[&str] = &[
    "addHandler",
    "removeHandler",
    "setLevel",
    "addFilter",
    "removeFilter",
];

/// Logger methods that emit a record.
const LOGGER_EMIT: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

/// Builtins whose calls are looked up in the table as `builtins.<name>`.
const BUILTINS: &[&str] = &[
    "print",
    "input",
    "open",
    "setattr",
    "delattr",
    "breakpoint",
    "__import__",
    "exec",
];

/// Summarises the module `module` held in `path` (a package's `__init__.py` when `is_package`). `None` when
/// the source does not parse.
pub fn summarize(source: &str, module: &str, path: &Path) -> Option<ModuleSummary> {
    let parsed = crate::python::parse(source).ok()?;
    Some(summarize_parsed(&parsed, source, module, path))
}

/// [`summarize`] on a module already parsed (the workspace's project scan parses each file once for its facts,
/// its summary and its feature checks).
pub fn summarize_parsed(
    parsed: &crate::python::ParsedModule,
    source: &str,
    module: &str,
    path: &Path,
) -> ModuleSummary {
    let file = SourceFile {
        path: path.to_path_buf(),
        module_name: Some(module.to_string()),
    };
    let body = parsed.body();
    let mut scanner = Scanner {
        source,
        line_starts: line_starts(source),
        file: &file,
        table: &TABLE,
        aliases: HashMap::default(),
        module_names: HashSet::default(),
        plain_imports: HashSet::default(),
        functions: HashMap::default(),
        classes: HashMap::default(),
        loggers: HashMap::default(),
        threads: HashSet::default(),
        lazy_modules: HashSet::default(),
        memo: RefCell::new(HashMap::default()),
        in_progress: RefCell::new(HashSet::default()),
        walked: RefCell::new(HashMap::default()),
        walking: RefCell::new(HashSet::default()),
        summary: ModuleSummary {
            module: module.to_string(),
            path: path.to_path_buf(),
            ..ModuleSummary::default()
        },
    };
    scanner.collect_bindings(body);
    scanner.module_body(body);
    scanner.finish();
    scanner.summary
}

fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1))
        .collect()
}

/// Where a walk is: the module body at import time, or a function's body (when it is called).
struct Frame<'a> {
    /// Names local to the function (parameters, assigned names, minus `global` ones); empty at module level.
    locals: HashSet<&'a str>,
    /// The function's own imports (`import subprocess` in its body, as `--style local` writes them): the
    /// module or member each binds.
    local_aliases: HashMap<&'a str, String>,
    /// `global` names of the function.
    globals: HashSet<&'a str>,
    /// Parameters that stand for module state: `cls` in `__init_subclass__`, the metaclass in `__new__`.
    state_roots: HashSet<&'a str>,
    /// Whether this is a function body (mutations of module-level state are the module's own business at
    /// import time, but a registry seen from another module).
    in_function: bool,
    /// Effects found.
    effects: Vec<Effect>,
    /// References into other modules found.
    external: Vec<ExternalRef>,
    /// The first mutation of module-level state.
    mutates: Option<Site>,
    /// The call sites leading here.
    via: Vec<Site>,
    /// How many `if` branches, `except`/`else` clauses or loop bodies the walk is inside.
    conditional: usize,
}

impl Frame<'_> {
    fn module() -> Self {
        Self {
            locals: HashSet::default(),
            local_aliases: HashMap::default(),
            globals: HashSet::default(),
            state_roots: HashSet::default(),
            in_function: false,
            effects: Vec::new(),
            external: Vec::new(),
            mutates: None,
            via: Vec::new(),
            conditional: 0,
        }
    }

    /// Records a reference into another module, once per name and use: the oracle judges a name once per
    /// question and reports the first place that reaches it, so a second call of the same function (Django
    /// calls `gettext_lazy` hundreds of times in a module) adds nothing but size to the summary.
    fn add_external(&mut self, reference: ExternalRef) {
        if !self.external.iter().any(|e| {
            e.used == reference.used && e.name == reference.name && e.module == reference.module
        }) {
            self.external.push(reference);
        }
    }
}

/// What a name refers to.
enum Target {
    /// A dotted name reached through an import or a builtin: `codecs.register`, `builtins.print`,
    /// `other.REGISTRY`.
    Imported(String),
    /// A module-level name of this module (and the attribute chain after it): `setup`, `REGISTRY.append`.
    Own(String),
    /// A local, or something not a plain name.
    Unknown,
}

struct Scanner<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
    file: &'a SourceFile,
    table: &'static Table,
    /// Module-level names bound by imports: name → the dotted name it stands for.
    aliases: HashMap<&'a str, String>,
    /// Every module-level binding (assignments, defs, classes, imports).
    module_names: HashSet<&'a str>,
    /// Names bound by `import m` / `import m as n` (modules, not objects).
    plain_imports: HashSet<&'a str>,
    functions: HashMap<&'a str, &'a ast::StmtFunctionDef>,
    classes: HashMap<&'a str, &'a ast::StmtClassDef>,
    /// Module-level names bound to loggers: whether the logger is the module's own (`getLogger(__name__)`).
    loggers: HashMap<&'a str, bool>,
    /// Module-level names bound to `threading.Thread(...)`-like objects.
    threads: HashSet<&'a str>,
    /// Names in the module's own `__lazy_modules__`.
    lazy_modules: HashSet<String>,
    /// Own functions already summarised (as called).
    memo: RefCell<HashMap<&'a str, CallableSummary>>,
    in_progress: RefCell<HashSet<&'a str>>,
    /// Every function body walked, by where it starts and whether it was walked as a class hook: a body is
    /// walked once, and a body that reaches itself again (a class whose `__init__` makes another instance, a
    /// method calling a function that instantiates its class) is cut there instead of recursing for ever.
    walked: RefCell<HashMap<(TextSize, bool), CallableSummary>>,
    walking: RefCell<HashSet<(TextSize, bool)>>,
    summary: ModuleSummary,
}

impl Scanner<'_> {
    fn site(&self, range: TextRange, text: String) -> Site {
        let offset = usize::from(range.start());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.source[start..offset].chars().count() + 1;
        Site {
            range,
            line,
            column,
            text,
        }
    }

    /// The code at `range`, on one line and shortened.
    fn snippet(&self, range: TextRange) -> String {
        let text = &self.source[range];
        let first = text.lines().next().unwrap_or_default().trim();
        shorten(first, text.contains('\n'))
    }

    /// `f(...)` for a call: the callee's text and `(...)`.
    fn call_text(&self, call: &ast::ExprCall) -> String {
        let callee = &self.source[call.func.range()];
        if call.arguments.is_empty() {
            format!("{}()", shorten(callee, false))
        } else {
            format!("{}(...)", shorten(callee, false))
        }
    }

    fn resolve_relative(&self, module: Option<&str>, level: u32) -> Option<String> {
        self.file.resolve_import(module, level)
    }
}

fn shorten(text: &str, cut: bool) -> String {
    const MAX: usize = 70;
    if text.chars().count() > MAX {
        let short: String = text.chars().take(MAX).collect();
        format!("{short}...")
    } else if cut {
        format!("{text} ...")
    } else {
        text.to_string()
    }
}

/// `a` or `a.b.c`: a store into it is judged as a store, not a read.
fn is_name_chain(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) => true,
        Expr::Attribute(a) => is_name_chain(&a.value),
        _ => false,
    }
}

fn method<'a>(c: &'a ast::StmtClassDef, name: &str) -> Option<&'a ast::StmtFunctionDef> {
    c.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(f) if f.name.as_str() == name => Some(f),
        _ => None,
    })
}

fn is_metaclass(c: &ast::StmtClassDef) -> bool {
    c.arguments.as_ref().is_some_and(|a| {
        a.args
            .iter()
            .any(|b| matches!(dotted(b).as_str(), "type" | "abc.ABCMeta" | "ABCMeta"))
    })
}

/// The functions defined directly in `body` (not in nested functions' bodies).
fn nested_functions(body: &[Stmt]) -> Vec<&ast::StmtFunctionDef> {
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => out.push(f),
            Stmt::If(s) => {
                out.extend(nested_functions(&s.body));
                for clause in &s.elif_else_clauses {
                    out.extend(nested_functions(&clause.body));
                }
            }
            Stmt::Try(t) => out.extend(nested_functions(&t.body)),
            Stmt::With(w) => out.extend(nested_functions(&w.body)),
            _ => {}
        }
    }
    out
}

/// Names a function body binds.
struct Stores<'b, 'c> {
    out: &'c mut HashSet<&'b str>,
}
impl<'b> Visitor<'b> for Stores<'b, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                self.out.insert(f.name.as_str());
            }
            Stmt::ClassDef(c) => {
                self.out.insert(c.name.as_str());
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let bound = a.asname.as_ref().map_or_else(
                        || a.name.as_str().split('.').next().unwrap_or_default(),
                        |n| n.as_str(),
                    );
                    self.out.insert(bound);
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    self.out
                        .insert(a.asname.as_ref().unwrap_or(&a.name).as_str());
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Name(n) if n.ctx.is_store() => {
                self.out.insert(n.id.as_str());
            }
            Expr::Lambda(_) => {}
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Parameters and names assigned in a function (not in its nested functions).
fn function_locals(f: &ast::StmtFunctionDef) -> HashSet<&str> {
    let mut out: HashSet<&str> = HashSet::default();
    for p in &f.parameters {
        out.insert(p.name().as_str());
    }
    let mut stores = Stores { out: &mut out };
    for stmt in &f.body {
        stores.visit_stmt(stmt);
    }
    out
}
