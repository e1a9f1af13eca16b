//! The effect scanner: one module's source in, its [`ModuleSummary`] out.

use std::cell::RefCell;
use std::path::Path;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::table::{TABLE, Table};
use super::{
    CallableSummary, EagerImport, Effect, EffectKind, ExternalRef, ModuleSummary, RefUse, Site,
};
use crate::index::{bound_name, dotted, is_main_test, is_type_checking_test};
use crate::settings::SourceFile;

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

/// Module-level bindings, before anything is judged: functions can be called before their text.
impl<'a> Scanner<'a> {
    fn collect_bindings(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import(_) => {
                    for (bound, target) in self.import_aliases(stmt) {
                        self.aliases.insert(bound, target);
                        self.module_names.insert(bound);
                        self.plain_imports.insert(bound);
                    }
                }
                Stmt::ImportFrom(_) => {
                    for (bound, target) in self.import_aliases(stmt) {
                        self.summary
                            .reexports
                            .insert(bound.to_string(), target.clone());
                        self.aliases.insert(bound, target);
                        self.module_names.insert(bound);
                    }
                }
                Stmt::FunctionDef(f) => {
                    self.functions.insert(f.name.as_str(), f);
                    self.module_names.insert(f.name.as_str());
                    self.aliases.remove(f.name.as_str());
                }
                Stmt::ClassDef(c) => {
                    self.classes.insert(c.name.as_str(), c);
                    self.module_names.insert(c.name.as_str());
                    self.aliases.remove(c.name.as_str());
                }
                Stmt::Assign(a) => {
                    for target in &a.targets {
                        self.bind_target(target);
                    }
                    if let [Expr::Name(n)] = a.targets.as_slice() {
                        if n.id.as_str() == "__lazy_modules__" {
                            self.note_lazy_modules(&a.value);
                        }
                        self.note_object(n.id.as_str(), &a.value);
                    }
                }
                Stmt::AnnAssign(a) => {
                    self.bind_target(&a.target);
                    if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                        self.note_object(n.id.as_str(), value);
                    }
                }
                Stmt::AugAssign(a) => self.bind_target(&a.target),
                Stmt::If(s) => {
                    if !is_type_checking_test(&s.test) {
                        self.collect_bindings(&s.body);
                    }
                    for clause in &s.elif_else_clauses {
                        self.collect_bindings(&clause.body);
                    }
                }
                Stmt::Try(t) => {
                    self.collect_bindings(&t.body);
                    for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                        self.collect_bindings(&h.body);
                    }
                    self.collect_bindings(&t.orelse);
                    self.collect_bindings(&t.finalbody);
                }
                Stmt::With(w) => self.collect_bindings(&w.body),
                Stmt::For(f) => {
                    self.bind_target(&f.target);
                    self.collect_bindings(&f.body);
                    self.collect_bindings(&f.orelse);
                }
                Stmt::While(w) => {
                    self.collect_bindings(&w.body);
                    self.collect_bindings(&w.orelse);
                }
                _ => {}
            }
        }
    }

    fn bind_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(n) => {
                self.module_names.insert(n.id.as_str());
                self.aliases.remove(n.id.as_str());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::Starred(s) => self.bind_target(&s.value),
            _ => {}
        }
    }

    fn note_lazy_modules(&mut self, value: &Expr) {
        let elts = match value {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::Set(s) => &s.elts,
            _ => return,
        };
        for e in elts {
            if let Expr::StringLiteral(s) = e {
                self.lazy_modules.insert(s.value.to_str().to_string());
            }
        }
    }

    /// `log = logging.getLogger(...)`, `t = threading.Thread(...)`.
    fn note_object(&mut self, name: &'a str, value: &'a Expr) {
        let Expr::Call(call) = value else { return };
        let frame = Frame::module();
        match self.target(&call.func, &frame) {
            Target::Imported(q) if q == "logging.getLogger" => {
                let own = self.is_own_logger(call);
                self.loggers.insert(name, own);
            }
            Target::Imported(q) if is_thread_constructor(&q) => {
                self.threads.insert(name);
            }
            _ => {}
        }
    }

    /// `getLogger(__name__)` or `getLogger("<this module>...")`.
    fn is_own_logger(&self, call: &ast::ExprCall) -> bool {
        match call.arguments.args.first() {
            Some(Expr::Name(n)) => n.id.as_str() == "__name__",
            Some(Expr::StringLiteral(s)) => {
                let name = s.value.to_str();
                let own = self.file.module_name.as_deref().unwrap_or_default();
                let top = own.split('.').next().unwrap_or_default();
                name == own
                    || name.starts_with(&format!("{own}."))
                    || (!top.is_empty() && (name == top || name.starts_with(&format!("{top}."))))
            }
            _ => false,
        }
    }
}

fn is_thread_constructor(qualified: &str) -> bool {
    matches!(
        qualified,
        "threading.Thread" | "threading.Timer" | "multiprocessing.Process"
    ) || qualified.starts_with("multiprocessing.")
}

/// Name resolution.
impl Scanner<'_> {
    fn target(&self, expr: &Expr, frame: &Frame<'_>) -> Target {
        let chain = dotted(expr);
        if chain.is_empty() {
            return Target::Unknown;
        }
        let (root, rest) = chain
            .split_once('.')
            .map_or((chain.as_str(), None), |(r, t)| (r, Some(t)));
        if frame.state_roots.contains(root) {
            return Target::Own(chain);
        }
        let join = |base: &str| match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.to_string(),
        };
        if let Some(base) = frame.local_aliases.get(root) {
            return Target::Imported(join(base));
        }
        if frame.locals.contains(root) {
            return Target::Unknown;
        }
        if let Some(base) = self.aliases.get(root) {
            return Target::Imported(join(base));
        }
        if self.module_names.contains(root) {
            return Target::Own(chain);
        }
        if BUILTINS.contains(&root) {
            return Target::Imported(join(&format!("builtins.{root}")));
        }
        Target::Unknown
    }

    /// The names an `import` or `from ... import` statement binds, each with the module or member it stands
    /// for (`import a.b` binds `a` to `a`; `import a.b as c` binds `c` to `a.b`; `from .m import x` binds `x` to
    /// `pkg.m.x`). A star import, or a relative import this file cannot resolve, binds nothing here.
    fn import_aliases<'b>(&self, stmt: &'b Stmt) -> Vec<(&'b str, String)> {
        match stmt {
            Stmt::Import(i) => i
                .names
                .iter()
                .map(|alias| {
                    let bound = bound_name(alias, false);
                    let target = if alias.asname.is_some() {
                        alias.name.as_str()
                    } else {
                        bound
                    };
                    (bound, target.to_string())
                })
                .collect(),
            Stmt::ImportFrom(f) => {
                let Some(module) = self.resolve_relative(f.module.as_deref(), f.level) else {
                    return Vec::new();
                };
                f.names
                    .iter()
                    .filter(|alias| alias.name.as_str() != "*")
                    .map(|alias| (bound_name(alias, true), format!("{module}.{}", alias.name)))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// What a function's own imports bind (its body and the blocks in it, not nested functions): the same
    /// names and modules as at module level, so that a module rewritten by `--style local` is judged as before.
    fn function_imports<'b>(&self, body: &'b [Stmt]) -> HashMap<&'b str, String> {
        let mut out = HashMap::default();
        let mut stack: Vec<&'b [Stmt]> = vec![body];
        while let Some(body) = stack.pop() {
            for stmt in body {
                match stmt {
                    Stmt::Import(_) | Stmt::ImportFrom(_) => out.extend(self.import_aliases(stmt)),
                    Stmt::If(s) => {
                        stack.push(&s.body);
                        for clause in &s.elif_else_clauses {
                            stack.push(&clause.body);
                        }
                    }
                    Stmt::Try(t) => {
                        stack.push(&t.body);
                        for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                            stack.push(&h.body);
                        }
                        stack.push(&t.orelse);
                        stack.push(&t.finalbody);
                    }
                    Stmt::With(w) => stack.push(&w.body),
                    Stmt::For(f) => {
                        stack.push(&f.body);
                        stack.push(&f.orelse);
                    }
                    Stmt::While(w) => {
                        stack.push(&w.body);
                        stack.push(&w.orelse);
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Whether `qualified` (from [`Target::Imported`]) lies in the standard library.
    fn is_stdlib(&self, qualified: &str) -> bool {
        qualified.starts_with("builtins.") || self.table.is_stdlib(qualified)
    }
}

/// The module body at import time.
impl<'a> Scanner<'a> {
    fn module_body(&mut self, body: &'a [Stmt]) {
        let mut frame = Frame::module();
        self.statements(body, &mut frame, true);
        self.summary.effects = frame.effects;
        self.summary.external = frame.external;
    }

    /// Walks statements that run: at module level (`module_level`: imports count as eager imports), or in a
    /// function body, or a class body.
    fn statements(&mut self, body: &'a [Stmt], frame: &mut Frame<'a>, module_level: bool) {
        for stmt in body {
            self.statement(stmt, frame, module_level);
        }
    }

    fn statement(&mut self, stmt: &'a Stmt, frame: &mut Frame<'a>, module_level: bool) {
        match stmt {
            Stmt::Import(i) if module_level && !i.is_lazy => {
                for alias in &i.names {
                    self.eager_import(alias.name.as_str(), false, alias.range());
                }
            }
            Stmt::ImportFrom(f) => {
                if module_level
                    && !f.is_lazy
                    && let Some(module) = self.resolve_relative(f.module.as_deref(), f.level)
                {
                    self.eager_import(&module, false, f.range());
                    for alias in &f.names {
                        if alias.name.as_str() != "*" {
                            self.eager_import(
                                &format!("{module}.{}", alias.name),
                                true,
                                alias.range(),
                            );
                        }
                    }
                }
            }
            Stmt::FunctionDef(f) => {
                for decorator in &f.decorator_list {
                    self.decorator(&decorator.expression, frame);
                }
                for p in f.parameters.iter_non_variadic_params() {
                    if let Some(default) = &p.default {
                        self.expr(default, frame);
                    }
                }
            }
            Stmt::ClassDef(c) => self.class(c, frame),
            Stmt::Assign(a) => {
                for target in &a.targets {
                    self.store(target, frame);
                }
                self.expr(&a.value, frame);
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.store(&a.target, frame);
                    self.expr(value, frame);
                }
            }
            Stmt::AugAssign(a) => {
                // `Cls.counter += 1` in a function: a counter the module keeps, not a registry.
                let counter = frame.in_function
                    && matches!(&*a.target, Expr::Attribute(_))
                    && matches!(self.target(&a.target, frame), Target::Own(_));
                if !counter {
                    self.store(&a.target, frame);
                }
                self.expr(&a.value, frame);
            }
            Stmt::Delete(d) => {
                for target in &d.targets {
                    self.store(target, frame);
                }
            }
            Stmt::Expr(e) => self.expr(&e.value, frame),
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    self.expr(value, frame);
                }
            }
            Stmt::If(s) => {
                if is_type_checking_test(&s.test) {
                    for clause in &s.elif_else_clauses {
                        self.statements(&clause.body, frame, module_level);
                    }
                    return;
                }
                // `if __name__ == "__main__":` does not run when the module is imported.
                if module_level && is_main_test(&s.test) {
                    return;
                }
                self.expr(&s.test, frame);
                frame.conditional += 1;
                self.statements(&s.body, frame, module_level);
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.expr(test, frame);
                    }
                    self.statements(&clause.body, frame, module_level);
                }
                frame.conditional -= 1;
            }
            Stmt::Try(t) => {
                self.statements(&t.body, frame, module_level);
                frame.conditional += 1;
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    self.statements(&h.body, frame, module_level);
                }
                self.statements(&t.orelse, frame, module_level);
                frame.conditional -= 1;
                self.statements(&t.finalbody, frame, module_level);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr, frame);
                }
                self.statements(&w.body, frame, module_level);
            }
            Stmt::For(f) => {
                self.expr(&f.iter, frame);
                self.statements(&f.body, frame, module_level);
                self.statements(&f.orelse, frame, module_level);
            }
            Stmt::While(w) => {
                self.expr(&w.test, frame);
                self.statements(&w.body, frame, module_level);
                self.statements(&w.orelse, frame, module_level);
            }
            Stmt::Match(m) => {
                self.expr(&m.subject, frame);
                for case in &m.cases {
                    self.statements(&case.body, frame, module_level);
                }
            }
            Stmt::Raise(r) => {
                if let Some(exc) = &r.exc {
                    self.expr(exc, frame);
                }
            }
            Stmt::Assert(a) => self.expr(&a.test, frame),
            Stmt::Global(g) if frame.in_function => {
                for name in &g.names {
                    frame.globals.insert(name.as_str());
                }
            }
            _ => {}
        }
    }

    fn eager_import(&mut self, module: &str, maybe_submodule: bool, range: TextRange) {
        if self.lazy_modules.contains(module) {
            return;
        }
        let text = self.snippet(range);
        let text = if maybe_submodule || text.starts_with("import ") || text.starts_with("from ") {
            text
        } else {
            format!("import {text}")
        };
        let site = self.site(range, text);
        self.summary.imports.push(EagerImport {
            module: module.to_string(),
            maybe_submodule,
            site,
        });
    }

    fn class(&mut self, c: &'a ast::StmtClassDef, frame: &mut Frame<'a>) {
        for decorator in &c.decorator_list {
            self.decorator(&decorator.expression, frame);
        }
        if let Some(arguments) = &c.arguments {
            for base in &arguments.args {
                self.expr(base, frame);
                self.class_reference(base, RefUse::Base, frame);
            }
            for keyword in &arguments.keywords {
                self.expr(&keyword.value, frame);
                if keyword
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "metaclass")
                {
                    self.class_reference(&keyword.value, RefUse::Metaclass, frame);
                }
            }
        }
        // The class body runs at once; its methods do not. A name the body binds (a method, an attribute) is the
        // class's own while the body runs: `def open(self): ...` then `open.alters_data = True` changes the
        // method, not the builtin.
        let mut bound: HashSet<&'a str> = HashSet::default();
        let mut stores = Stores { out: &mut bound };
        for stmt in &c.body {
            stores.visit_stmt(stmt);
        }
        let added: Vec<&'a str> = bound
            .into_iter()
            .filter(|name| frame.locals.insert(name))
            .collect();
        self.statements(&c.body, frame, false);
        for name in added {
            frame.locals.remove(name);
        }
    }

    /// A base class or metaclass from another module.
    fn class_reference(&mut self, expr: &'a Expr, used: RefUse, frame: &mut Frame<'a>) {
        if let Target::Imported(q) = self.target(expr, frame)
            && !self.is_stdlib(&q)
            && let Some((module, name)) = q.rsplit_once('.')
        {
            let site = self.site(expr.range(), self.snippet(expr.range()));
            frame.external.push(ExternalRef {
                module: module.to_string(),
                name: name.to_string(),
                used,
                site,
                via: frame.via.clone(),
            });
        }
    }

    /// `@d` calls `d` with the function; `@d(args)` calls `d(args)` and then the result.
    fn decorator(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) {
        if matches!(expr, Expr::Call(_)) {
            // The factory's call is judged like any call; what its result (an inner function) records is part
            // of the factory's summary (`CallableSummary::mutates` covers nested functions).
            self.expr(expr, frame);
        } else {
            let text = format!("@{}", self.snippet(expr.range()));
            self.callee(expr, expr.range(), text, None, frame);
        }
    }
}

/// Expressions.
impl<'a> Scanner<'a> {
    fn expr(&mut self, expr: &'a Expr, frame: &mut Frame<'a>) {
        let mut walker = ExprWalker {
            scanner: self,
            frame,
        };
        walker.visit_expr(expr);
    }

    /// An effect of `kind` at `range`.
    fn effect(&self, kind: EffectKind, range: TextRange, text: String, frame: &mut Frame<'a>) {
        self.effect_on(kind, None, range, text, frame);
    }

    /// An effect of `kind` at `range` that changes `changes` (another module, for `other-module`).
    fn effect_on(
        &self,
        kind: EffectKind,
        changes: Option<String>,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let site = self.site(range, text);
        frame.effects.push(Effect {
            kind,
            site,
            via: frame.via.clone(),
            changes,
        });
    }

    fn mutation(&self, range: TextRange, frame: &mut Frame<'a>) {
        if frame.mutates.is_none() {
            frame.mutates = Some(self.site(range, self.snippet(range)));
        }
    }

    /// A store to `target` (assignment, `del`, augmented assignment).
    fn store(&mut self, target: &'a Expr, frame: &mut Frame<'a>) {
        match target {
            Expr::Name(n) if frame.in_function && frame.globals.contains(n.id.as_str()) => {
                self.mutation(target.range(), frame);
            }
            Expr::Attribute(a) => {
                if !is_name_chain(&a.value) {
                    self.expr(&a.value, frame);
                }
                self.store_into(&a.value, target, true, frame);
            }
            Expr::Subscript(s) => {
                if !is_name_chain(&s.value) {
                    self.expr(&s.value, frame);
                }
                self.expr(&s.slice, frame);
                self.store_into(&s.value, target, false, frame);
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.store(e, frame)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.store(e, frame)),
            Expr::Starred(s) => self.store(&s.value, frame),
            _ => {}
        }
    }

    /// `owner.attr = x` (`attribute`) or `owner[k] = x`.
    fn store_into(
        &mut self,
        owner: &'a Expr,
        target: &'a Expr,
        attribute: bool,
        frame: &mut Frame<'a>,
    ) {
        let text = self.snippet(target.range());
        let whole = if attribute {
            self.target(target, frame)
        } else {
            self.target(owner, frame)
        };
        // `sys.modules[__name__] = replacement`: the module replaces its own entry, which no other code can
        // reach before importing it.
        if let (Target::Imported(q), Expr::Subscript(sub)) = (&whole, target)
            && q == "sys.modules"
            && matches!(&*sub.slice, Expr::Name(n) if n.id.as_str() == "__name__")
        {
            return;
        }
        match whole {
            Target::Imported(q) => {
                let kind = self
                    .table
                    .attribute(&q)
                    .or({
                        // `os.environ[k] = v`, `sys.modules[k] = m`: the owner is listed.
                        if attribute {
                            None
                        } else {
                            match q.as_str() {
                                "os.environ" | "sys.modules" | "sys.path_importer_cache" => {
                                    Some(EffectKind::ProcessState)
                                }
                                _ => None,
                            }
                        }
                    })
                    .unwrap_or(EffectKind::OtherModule);
                let changes = (kind == EffectKind::OtherModule).then(|| {
                    if attribute {
                        q.rsplit_once('.')
                            .map_or(q.clone(), |(owner, _)| owner.to_string())
                    } else {
                        q.clone()
                    }
                });
                self.effect_on(kind, changes, target.range(), text, frame);
            }
            Target::Own(_) if frame.in_function => self.mutation(target.range(), frame),
            _ => {}
        }
    }

    /// A call (or decorator application) of `func`. Returns whether it was judged (an effect, a followed
    /// function or a reference into another module), so that the callee's own text is not judged again as a
    /// read.
    fn callee(
        &mut self,
        func: &'a Expr,
        range: TextRange,
        text: String,
        call: Option<&'a ast::ExprCall>,
        frame: &mut Frame<'a>,
    ) -> bool {
        match self.target(func, frame) {
            Target::Imported(q) => self.imported_call(&q, func, range, text, call, frame),
            Target::Own(chain) => {
                self.own_call(&chain, func, range, text, frame);
                false
            }
            Target::Unknown => {
                self.call_on_result(func, range, text, frame);
                false
            }
        }
    }

    fn imported_call(
        &mut self,
        q: &str,
        func: &'a Expr,
        range: TextRange,
        text: String,
        call: Option<&'a ast::ExprCall>,
        frame: &mut Frame<'a>,
    ) -> bool {
        // A warning issued on a condition (a missing optional dependency, an old version) reports on the
        // environment; an unconditional one at import time is output the program shows.
        if matches!(q, "warnings.warn" | "warnings.warn_explicit") && frame.conditional > 0 {
            return true;
        }
        if let Some(call) = call
            && self.own_warning_filter(q, call, frame)
        {
            return true;
        }
        if let Some(kind) = self.table.function(q) {
            self.effect(kind, range, text, frame);
            return true;
        }
        match q {
            "builtins.open" => {
                if let Some(call) = call {
                    self.open_call(call, range, text, frame);
                }
                return false;
            }
            "builtins.setattr" | "builtins.delattr" => {
                if let Some(first) = call.and_then(|c| c.arguments.args.first()) {
                    match self.target(first, frame) {
                        Target::Imported(owner) => {
                            self.effect_on(
                                EffectKind::OtherModule,
                                Some(owner),
                                range,
                                text,
                                frame,
                            );
                        }
                        Target::Own(_) if frame.in_function => self.mutation(range, frame),
                        _ => {}
                    }
                }
                return false;
            }
            "logging.getLogger" => return false,
            _ => {}
        }
        // `other.HOOKS.append(f)`, `from other import registry; registry.register(x)`: a mutation of an object
        // another module holds. (`other.register(x)` on a module bound by `import other` is a call of its
        // function, which that module's summary judges.)
        if let Expr::Attribute(a) = func
            && MUTATING_METHODS.contains(&a.attr.as_str())
            && !matches!(&*a.value, Expr::Name(n) if self.plain_imports.contains(n.id.as_str()))
            && let Target::Imported(owner) = self.target(&a.value, frame)
        {
            // Standard-library objects: the table lists the ones that matter (`sys.path.append`); an ABC's
            // `register(OwnClass)` registers a class no code can hold before importing it.
            if self.is_stdlib(&owner) {
                return false;
            }
            self.effect_on(EffectKind::OtherModule, Some(owner), range, text, frame);
            return true;
        }
        // A logger method on `logging.getLogger(...)` chains is handled by `call_on_result`.
        if self.is_stdlib(q) {
            return false;
        }
        if let Some((module, name)) = q.rsplit_once('.') {
            let site = self.site(range, text);
            frame.external.push(ExternalRef {
                module: module.to_string(),
                name: name.to_string(),
                used: RefUse::Call,
                site,
                via: frame.via.clone(),
            });
            return true;
        }
        false
    }

    /// `warnings.simplefilter("default", OwnWarning)`, `filterwarnings("ignore", category=OwnWarning)` or
    /// `module="own_package..."`: a filter that only touches the module's own warnings.
    fn own_warning_filter(&self, q: &str, call: &ast::ExprCall, frame: &Frame<'a>) -> bool {
        let category_index = match q {
            "warnings.simplefilter" => 1,
            "warnings.filterwarnings" => 2,
            _ => return false,
        };
        let own_top = self
            .file
            .module_name
            .as_deref()
            .and_then(|m| m.split('.').next())
            .unwrap_or_default();
        let category = call
            .arguments
            .find_argument_value("category", category_index);
        let own_category = category.is_some_and(|c| match self.target(c, frame) {
            Target::Own(_) => true,
            Target::Imported(q) => q.split('.').next() == Some(own_top),
            Target::Unknown => false,
        });
        let own_module = call
            .arguments
            .find_keyword("module")
            .is_some_and(|k| match &k.value {
                Expr::StringLiteral(s) => {
                    let pattern = s.value.to_str();
                    !own_top.is_empty()
                        && pattern.strip_prefix(own_top).is_some_and(|rest| {
                            rest.is_empty() || rest.starts_with(['.', '\\', '$'])
                        })
                }
                _ => false,
            });
        own_category || own_module
    }

    fn open_call(
        &mut self,
        call: &'a ast::ExprCall,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let mode = call
            .arguments
            .args
            .get(1)
            .or_else(|| call.arguments.find_keyword("mode").map(|k| &k.value));
        let writes = match mode {
            Some(Expr::StringLiteral(s)) => {
                let mode = s.value.to_str();
                mode.contains(['w', 'a', 'x', '+'])
            }
            Some(_) => true,
            None => false,
        };
        if writes {
            self.effect(EffectKind::Output, range, text, frame);
            return;
        }
        // A relative path reads the working directory.
        if let Some(Expr::StringLiteral(s)) = call.arguments.args.first()
            && !s.value.to_str().starts_with('/')
        {
            self.effect(EffectKind::ReadsProcess, range, text, frame);
        }
    }

    /// `log.info(...)`, `t.start()`, `REGISTRY.append(x)`, `setup()`, `Plugin()`: calls of this module's names.
    fn own_call(
        &mut self,
        chain: &str,
        func: &'a Expr,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let (root, rest) = chain
            .split_once('.')
            .map_or((chain, None), |(r, t)| (r, Some(t)));
        match rest {
            None => {
                if let Some(f) = self.functions.get(root).copied() {
                    let summary = self.own_function(f);
                    self.inherit(&summary, range, text, frame);
                } else if let Some(c) = self.classes.get(root).copied() {
                    // Instantiating an own class runs its `__init__`.
                    if let Some(init) = method(c, "__init__") {
                        let summary = self.function_summary(init, None);
                        self.inherit(&summary, range, text, frame);
                    }
                }
            }
            Some(method_name) => {
                if let Some(&own) = self.loggers.get(root) {
                    if LOGGER_EMIT.contains(&method_name) {
                        self.effect(EffectKind::Output, range, text, frame);
                    } else if !own && LOGGER_CONFIG.contains(&method_name) {
                        self.effect(EffectKind::Registers, range, text, frame);
                    }
                    return;
                }
                if self.threads.contains(root) && method_name == "start" {
                    self.effect(EffectKind::Concurrency, range, text, frame);
                    return;
                }
                if frame.in_function
                    && let Expr::Attribute(a) = func
                    && MUTATING_METHODS.contains(&a.attr.as_str())
                {
                    self.mutation(range, frame);
                }
            }
        }
    }

    /// A method called on the result of a call: `logging.getLogger().addHandler(h)`,
    /// `threading.Thread(...).start()`.
    fn call_on_result(
        &mut self,
        func: &'a Expr,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let Expr::Attribute(a) = func else { return };
        let Expr::Call(inner) = &*a.value else { return };
        let Target::Imported(q) = self.target(&inner.func, frame) else {
            return;
        };
        let method_name = a.attr.as_str();
        if q == "logging.getLogger" {
            if LOGGER_EMIT.contains(&method_name) {
                self.effect(EffectKind::Output, range, text, frame);
            } else if LOGGER_CONFIG.contains(&method_name) && !self.is_own_logger(inner) {
                self.effect(EffectKind::Registers, range, text, frame);
            }
        } else if is_thread_constructor(&q) && method_name == "start" {
            self.effect(EffectKind::Concurrency, range, text, frame);
        }
    }

    /// Effects of a call of an own function, seen from the call site.
    fn inherit(
        &mut self,
        summary: &CallableSummary,
        range: TextRange,
        text: String,
        frame: &mut Frame<'a>,
    ) {
        let site = self.site(range, text);
        if let Some(effect) = &summary.effect {
            let mut via = frame.via.clone();
            via.push(site.clone());
            via.extend(effect.via.iter().cloned());
            frame.effects.push(Effect {
                kind: effect.kind,
                site: effect.site.clone(),
                via,
                changes: effect.changes.clone(),
            });
        }
        for external in &summary.external {
            let mut via = frame.via.clone();
            via.push(site.clone());
            via.extend(external.via.iter().cloned());
            frame.external.push(ExternalRef {
                via,
                ..external.clone()
            });
        }
        if frame.in_function
            && frame.mutates.is_none()
            && let Some(m) = &summary.mutates
        {
            frame.mutates = Some(m.clone());
        }
    }

    fn own_function(&mut self, f: &'a ast::StmtFunctionDef) -> CallableSummary {
        let name = f.name.as_str();
        if let Some(done) = self.memo.borrow().get(name) {
            return done.clone();
        }
        if !self.in_progress.borrow_mut().insert(name) {
            return CallableSummary::default();
        }
        let summary = self.function_summary(f, None);
        self.in_progress.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name, summary.clone());
        summary
    }

    /// What calling `f` does: its body's effects (own calls followed), its mutations of module-level state
    /// (its nested functions' too: a decorator factory records in its inner function), its calls into other
    /// modules.
    fn function_summary(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        class_hook: Option<&str>,
    ) -> CallableSummary {
        let key = (f.range.start(), class_hook.is_some());
        if let Some(done) = self.walked.borrow().get(&key) {
            return done.clone();
        }
        if !self.walking.borrow_mut().insert(key) {
            return CallableSummary::default();
        }
        let summary = self.walk_function(f, class_hook);
        self.walking.borrow_mut().remove(&key);
        self.walked.borrow_mut().insert(key, summary.clone());
        summary
    }

    /// [`Scanner::function_summary`], uncached.
    fn walk_function(
        &mut self,
        f: &'a ast::StmtFunctionDef,
        class_hook: Option<&str>,
    ) -> CallableSummary {
        let mut locals = function_locals(f);
        let mut state_roots = HashSet::default();
        if class_hook.is_some()
            && let Some(first) = f.parameters.iter().next()
        {
            locals.remove(first.name().as_str());
            state_roots.insert(first.name().as_str());
        }
        let local_aliases = self.function_imports(&f.body);
        let mut frame = Frame {
            locals,
            local_aliases,
            state_roots,
            globals: HashSet::default(),
            in_function: true,
            effects: Vec::new(),
            external: Vec::new(),
            mutates: None,
            via: Vec::new(),
            conditional: 0,
        };
        for stmt in &f.body {
            if let Stmt::Global(g) = stmt {
                for name in &g.names {
                    frame.globals.insert(name.as_str());
                    frame.locals.remove(name.as_str());
                }
            }
        }
        self.statements(&f.body, &mut frame, false);
        // Nested functions (a decorator's inner function, a closure) run later, but what they record is
        // recorded into this module.
        if frame.mutates.is_none() {
            for nested in nested_functions(&f.body) {
                let inner = self.function_summary(nested, None);
                if let Some(m) = inner.mutates {
                    frame.mutates = Some(m);
                    break;
                }
            }
        }
        CallableSummary {
            effect: frame.effects.into_iter().next(),
            mutates: frame.mutates,
            external: frame.external,
        }
    }

    /// After the body: what other modules see of the functions and classes.
    fn finish(&mut self) {
        let functions: Vec<(&'a str, &'a ast::StmtFunctionDef)> =
            self.functions.iter().map(|(n, f)| (*n, *f)).collect();
        for (name, f) in functions {
            let summary = self.own_function(f);
            if summary.effect.is_some() || summary.mutates.is_some() || !summary.external.is_empty()
            {
                self.summary.functions.insert(name.to_string(), summary);
            }
        }
        let classes: Vec<(&'a str, &'a ast::StmtClassDef)> =
            self.classes.iter().map(|(n, c)| (*n, *c)).collect();
        for (name, c) in &classes {
            for hook in ["__init_subclass__", "__new__", "__init__"] {
                // `__init__`/`__new__` matter for a metaclass only.
                if hook != "__init_subclass__" && !is_metaclass(c) {
                    continue;
                }
                if let Some(m) = method(c, hook) {
                    let summary = self.function_summary(m, Some(name));
                    if let Some(site) = summary.mutates.or_else(|| summary.effect.map(|e| e.site)) {
                        self.summary
                            .recording_classes
                            .insert((*name).to_string(), site);
                        break;
                    }
                }
            }
        }
        // A class inherits recording from an own base or metaclass that records.
        loop {
            let mut added = false;
            for (name, c) in &classes {
                if self.summary.recording_classes.contains_key(*name) {
                    continue;
                }
                let Some(arguments) = &c.arguments else {
                    continue;
                };
                let inherited = arguments
                    .args
                    .iter()
                    .chain(arguments.keywords.iter().map(|k| &k.value))
                    .find_map(|e| match e {
                        Expr::Name(n) => self.summary.recording_classes.get(n.id.as_str()),
                        _ => None,
                    })
                    .cloned();
                if let Some(site) = inherited {
                    self.summary
                        .recording_classes
                        .insert((*name).to_string(), site);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
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

/// Walks an expression that runs, judging calls and reads.
struct ExprWalker<'s, 'a, 'f> {
    scanner: &'s mut Scanner<'a>,
    frame: &'f mut Frame<'a>,
}

impl<'a> Visitor<'a> for ExprWalker<'_, 'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // Lambdas run later.
            Expr::Lambda(l) => {
                if let Some(parameters) = &l.parameters {
                    for p in parameters.iter_non_variadic_params() {
                        if let Some(default) = &p.default {
                            self.visit_expr(default);
                        }
                    }
                }
            }
            Expr::Call(call) => {
                let text = self.scanner.call_text(call);
                let judged =
                    self.scanner
                        .callee(&call.func, call.range(), text, Some(call), self.frame);
                if !judged {
                    self.visit_expr(&call.func);
                } else if let Expr::Attribute(a) = &*call.func {
                    // The callee's owner may hold calls (`f().register(x)`).
                    if !matches!(&*a.value, Expr::Name(_) | Expr::Attribute(_)) {
                        self.visit_expr(&a.value);
                    }
                }
                for arg in &call.arguments.args {
                    self.visit_expr(arg);
                }
                for keyword in &call.arguments.keywords {
                    self.visit_expr(&keyword.value);
                }
            }
            Expr::Attribute(_) | Expr::Name(_) => {
                if let Target::Imported(q) = self.scanner.target(expr, self.frame)
                    && self.scanner.table.is_read(&q)
                {
                    let text = self.scanner.snippet(expr.range());
                    self.scanner
                        .effect(EffectKind::ReadsProcess, expr.range(), text, self.frame);
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}
