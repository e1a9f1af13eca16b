//! Facts that one file's verdicts depend on but other files hold: `mock.patch("pkg.mod.name")` strings,
//! `from pkg.mod import name` elsewhere, `patch.dict(sys.modules, ...)`, and which modules import which at module
//! level (for import cycles).
//!
//! [`scan`] reads one file (pure, like [`crate::run`]); the caller scans the whole project once and merges the
//! results into [`ProjectFacts`], which the `local` style and `--hoist` consult. The command line, the
//! pre-commit hook and the editor scan the same project and so reach the same verdicts.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::index::{dotted, is_type_checking_test};
use crate::settings::SourceFile;

/// Where another file says something about a name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// What one file tells about others. Offsets are into that file's source.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileFacts {
    /// The file's own dotted module name, when known.
    pub module: Option<String>,
    /// Dotted strings handed to `patch(...)`-like calls: `"pkg.mod.name"`.
    pub patch_targets: Vec<(String, TextSize)>,
    /// `from <module> import <name>` anywhere in the file (module resolved when relative).
    pub imported_names: Vec<(String, String, TextSize)>,
    /// `patch.dict(sys.modules, ...)`, `sys.modules[...] = ...`, `monkeypatch.setitem(sys.modules, ...)`: the
    /// module name when it is a literal (or `__name__`), `None` when any module may be affected. Computed keys
    /// count only in test files (see `Scanner::is_test_file`).
    pub sys_modules_patches: Vec<(Option<String>, TextSize)>,
    /// Modules imported at module level (not in functions, not under `if TYPE_CHECKING:`; `lazy` ones included).
    pub module_level_imports: Vec<String>,
    /// `module.name` read or written through an imported module (`import pkg.mod` then `pkg.mod.name = x`,
    /// `from pkg import mod` then `mod.name`), and `setattr(mod, "name", ...)`, `patch.object(mod, "name")`:
    /// `(module, name)`.
    pub attribute_uses: Vec<(String, String, TextSize)>,
    /// `module.name` rebound from outside: `module.name = v`, `del module.name`, `setattr(module, "name", v)`,
    /// `monkeypatch.setattr(module, "name", v)`, `patch.object(module, "name")`, `patch.multiple(module,
    /// name=v)`, and `patch("module.name")` strings: `(module, name)`.
    pub attribute_writes: Vec<(String, String, TextSize)>,
    /// A module's namespace read from outside: `vars(mod)`, `mod.__dict__` (the raw dict, which holds lazy
    /// proxies and misses moved names) or `dir(mod)` (the names only): `(module, NamespaceRead)`.
    pub namespace_reads: Vec<(String, NamespaceRead, TextSize)>,
    /// `from module import *` (module resolved when relative).
    pub star_imports: Vec<(String, TextSize)>,
    /// The literal `sys.modules` keys that a patch (`patch.dict(sys.modules, {...})`, `monkeypatch.setitem`)
    /// replaces, or that a test file replaces in any way. Library code that writes a literal key
    /// (`sys.modules["pkg._impl"] = _impl`) installs an alias while its package loads, which an import that runs
    /// later finds as well; it is left out.
    pub sys_modules_named: Vec<(String, TextSize)>,
}

/// How another file reads a module's namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NamespaceRead {
    /// `vars(mod)`, `mod.__dict__`: the raw dict, whose values are unresolved proxies under `lazy` and
    /// `__lazy_modules__`, and which misses the names `local` moves into functions.
    Dict,
    /// `dir(mod)`, `patch.dict(mod.__dict__, ...)` with computed keys: the names only, which `local` changes.
    Names,
}

/// Scans one file; `None` when it does not parse.
pub fn scan(source: &str, file: &SourceFile) -> Option<FileFacts> {
    let parsed = crate::python::parse(source).ok()?;
    Some(scan_parsed(&parsed, file))
}

/// [`scan`] on a file already parsed.
pub fn scan_parsed(parsed: &crate::python::ParsedModule, file: &SourceFile) -> FileFacts {
    let mut scanner = Scanner {
        file,
        facts: FileFacts {
            module: file.module_name.clone(),
            ..FileFacts::default()
        },
        depth: 0,
        aliases: HashMap::new(),
    };
    for stmt in parsed.body() {
        scanner.module_level_import(stmt);
    }
    scanner.visit_body(parsed.body());
    scanner.facts
}

struct Scanner<'f> {
    file: &'f SourceFile,
    facts: FileFacts,
    depth: usize,
    /// Names bound to (what may be) modules by the file's imports, whatever their scope: `a` for `import a.b`,
    /// `m` for `import a.b as m`, `mod` for `from pkg import mod`.
    aliases: HashMap<String, String>,
}

impl Scanner<'_> {
    fn module_level_import(&mut self, stmt: &Stmt) {
        match stmt {
            // Lazy imports count too: they still read the other module, only later; and a file rewritten to
            // `lazy` must keep the edges it had, or a second run would decide differently.
            Stmt::Import(i) => {
                for alias in &i.names {
                    self.facts.module_level_imports.push(alias.name.to_string());
                }
            }
            Stmt::ImportFrom(f) => {
                if let Some(module) = self.file.resolve_import(f.module.as_deref(), f.level) {
                    for alias in &f.names {
                        if alias.name.as_str() != "*" {
                            self.facts
                                .module_level_imports
                                .push(format!("{module}.{}", alias.name));
                        }
                    }
                    self.facts.module_level_imports.push(module);
                }
            }
            Stmt::If(s) => {
                if !is_type_checking_test(&s.test) {
                    for inner in &s.body {
                        self.module_level_import(inner);
                    }
                }
                for clause in &s.elif_else_clauses {
                    for inner in &clause.body {
                        self.module_level_import(inner);
                    }
                }
            }
            Stmt::Try(t) => {
                for inner in t.body.iter().chain(&t.orelse).chain(&t.finalbody) {
                    self.module_level_import(inner);
                }
                for ast::ExceptHandler::ExceptHandler(h) in &t.handlers {
                    for inner in &h.body {
                        self.module_level_import(inner);
                    }
                }
            }
            Stmt::With(w) => {
                for inner in &w.body {
                    self.module_level_import(inner);
                }
            }
            _ => {}
        }
    }
}

impl Scanner<'_> {
    /// `sys.modules["name"] = ...`; `sys.modules[__name__] = ...` names this file's own module. A removal
    /// (`del sys.modules[name]`) with a computed key is not counted: it puts no replacement in place.
    fn sys_modules_item(&mut self, target: &Expr, removal: bool) {
        if let Expr::Subscript(sub) = target
            && is_sys_modules(&sub.value)
        {
            let key = self.sys_modules_key(&sub.slice);
            if key.is_none() && (removal || !self.is_test_file()) {
                return;
            }
            self.named_replacement(key.as_deref(), target.start(), false);
            self.facts.sys_modules_patches.push((key, target.start()));
        }
    }

    /// Tests swap modules in `sys.modules` under computed names (`import_fresh_module`, fixtures); library code
    /// that writes a computed key is an import system installing what it loaded (`runpy`, `importlib`), which
    /// replaces nothing an import would not. So a computed key counts in test files only (under a `test`/`tests`
    /// folder, `test_*.py`, `*_test.py`, `conftest.py`); `patch.dict(sys.modules, ...)` counts everywhere.
    fn is_test_file(&self) -> bool {
        let path = &self.file.path;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        name.starts_with("test_")
            || name.ends_with("_test.py")
            || name == "conftest.py"
            || path
                .components()
                .any(|c| matches!(c.as_os_str().to_str(), Some("test" | "tests" | "testing")))
    }

    /// Records a literal key replaced by a patch (`patch`), or by anything in a test file.
    fn named_replacement(&mut self, key: Option<&str>, at: TextSize, patch: bool) {
        if let Some(key) = key
            && (patch || self.is_test_file())
        {
            self.facts.sys_modules_named.push((key.to_string(), at));
        }
    }

    /// The module a `sys.modules` key names: a string literal, or `__name__` for this file's module.
    fn sys_modules_key(&self, key: &Expr) -> Option<String> {
        match key {
            Expr::StringLiteral(k) => Some(k.value.to_str().to_string()),
            Expr::Name(n) if n.id.as_str() == "__name__" => self.facts.module.clone(),
            _ => None,
        }
    }
}

impl Scanner<'_> {
    /// The module a name or attribute chain refers to through the file's imports (`pkg.mod` for `pkg.mod` after
    /// `import pkg.mod`, or for `mod` after `from pkg import mod`).
    fn module_of(&self, expr: &Expr) -> Option<String> {
        let chain = dotted(expr);
        if chain.is_empty() {
            return None;
        }
        let (root, rest) = chain
            .split_once('.')
            .map_or((chain.as_str(), None), |(r, t)| (r, Some(t)));
        let base = self.aliases.get(root)?;
        Some(match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.clone(),
        })
    }
}

fn is_sys_modules(expr: &Expr) -> bool {
    dotted(expr) == "sys.modules"
        || matches!(expr, Expr::StringLiteral(s) if s.value.to_str() == "sys.modules")
}

impl<'a> Visitor<'a> for Scanner<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ImportFrom(f) => {
                if let Some(module) = self.file.resolve_import(f.module.as_deref(), f.level) {
                    for alias in &f.names {
                        if alias.name.as_str() == "*" {
                            self.facts
                                .star_imports
                                .push((module.clone(), alias.start()));
                            continue;
                        }
                        self.facts.imported_names.push((
                            module.clone(),
                            alias.name.to_string(),
                            alias.start(),
                        ));
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.aliases
                            .insert(bound.to_string(), format!("{module}.{}", alias.name));
                    }
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    if let Some(asname) = &alias.asname {
                        self.aliases
                            .insert(asname.to_string(), alias.name.to_string());
                    } else {
                        let first = alias.name.split('.').next().unwrap_or_default();
                        self.aliases.insert(first.to_string(), first.to_string());
                    }
                }
            }
            Stmt::Assign(a) => {
                for target in &a.targets {
                    self.sys_modules_item(target, false);
                }
            }
            Stmt::Delete(d) => {
                for target in &d.targets {
                    self.sys_modules_item(target, true);
                }
            }
            _ => {}
        }
        self.depth += 1;
        visitor::walk_stmt(self, stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // `mod.name` (read or written) through an imported module: each link of a chain `mod.a.b` names
        // something in the module before it; `mod.__dict__` reads the namespace. The chain is taken whole, in one
        // pass, and its links are not visited again one by one (they have no other children).
        if let Expr::Attribute(outer) = expr {
            let mut links = Vec::new();
            let mut base = expr;
            while let Expr::Attribute(attr) = base {
                links.push(attr);
                base = &attr.value;
            }
            if let Expr::Name(root) = base
                && let Some(module) = self.aliases.get(root.id.as_str())
            {
                // The module before each link, innermost first; recorded outermost first, as a walk meets them.
                let mut module = module.clone();
                let mut uses = Vec::with_capacity(links.len());
                for (depth, attr) in links.iter().rev().enumerate() {
                    let name = attr.attr.as_str();
                    if name == "__dict__" {
                        self.facts.namespace_reads.push((
                            module,
                            NamespaceRead::Dict,
                            expr.start(),
                        ));
                        break;
                    }
                    // Only the outermost link is what an assignment or `del` writes.
                    if depth + 1 == links.len() && !matches!(outer.ctx, ast::ExprContext::Load) {
                        self.facts.attribute_writes.push((
                            module.clone(),
                            name.to_string(),
                            expr.start(),
                        ));
                    }
                    uses.push((module.clone(), name.to_string(), expr.start()));
                    module.push('.');
                    module.push_str(name);
                }
                self.facts.attribute_uses.extend(uses.into_iter().rev());
            }
            self.visit_expr(base);
            return;
        }
        if let Expr::Call(call) = expr {
            let callee = dotted(&call.func);
            let last = callee.rsplit('.').next().unwrap_or_default();
            // `setattr(mod, "name", v)`, `monkeypatch.setattr(mod, "name", v)`, `patch.object(mod, "name")`.
            if matches!(
                last,
                "setattr" | "delattr" | "getattr" | "hasattr" | "object"
            ) && let [target, Expr::StringLiteral(name), ..] = &*call.arguments.args
                && let Some(module) = self.module_of(target)
            {
                let name = name.value.to_str().to_string();
                if matches!(last, "setattr" | "delattr" | "object") {
                    self.facts
                        .attribute_writes
                        .push((module.clone(), name.clone(), expr.start()));
                }
                self.facts.attribute_uses.push((module, name, expr.start()));
            }
            // `vars(mod)`, `dir(mod)`.
            if matches!(callee.as_str(), "vars" | "dir")
                && let [target] = &*call.arguments.args
                && let Some(module) = self.module_of(target)
            {
                let kind = if callee == "vars" {
                    NamespaceRead::Dict
                } else {
                    NamespaceRead::Names
                };
                self.facts
                    .namespace_reads
                    .push((module, kind, expr.start()));
            }
            // `patch.multiple(mod, a=x, b=y)`: rebinds `mod.a` and `mod.b`.
            if callee.ends_with("patch.multiple")
                && let Some(target) = call.arguments.args.first()
                && let Some(module) = self.module_of(target)
            {
                for keyword in &call.arguments.keywords {
                    if let Some(arg) = &keyword.arg
                        && !matches!(
                            arg.as_str(),
                            "spec" | "create" | "spec_set" | "autospec" | "new_callable"
                        )
                    {
                        self.facts.attribute_writes.push((
                            module.clone(),
                            arg.to_string(),
                            expr.start(),
                        ));
                        self.facts.attribute_uses.push((
                            module.clone(),
                            arg.to_string(),
                            expr.start(),
                        ));
                    }
                }
            }
            // `patch.dict(mod.__dict__, {"a": x})`: adds or replaces `mod.a` (a lazy binding is restored as it
            // was, but a name `local` moved is added beside the function's own import, which keeps reading its
            // own); computed keys may name anything.
            if callee.ends_with("patch.dict")
                && let Some(Expr::Attribute(dict)) = call.arguments.args.first()
                && dict.attr.as_str() == "__dict__"
                && let Some(module) = self.module_of(&dict.value)
            {
                let mut computed = !call.arguments.keywords.is_empty()
                    && call.arguments.keywords.iter().any(|k| k.arg.is_none());
                match call.arguments.args.get(1) {
                    Some(Expr::Dict(d)) => {
                        for item in &d.items {
                            match &item.key {
                                Some(Expr::StringLiteral(k)) => {
                                    let name = k.value.to_str().to_string();
                                    self.facts.attribute_writes.push((
                                        module.clone(),
                                        name.clone(),
                                        expr.start(),
                                    ));
                                    self.facts.attribute_uses.push((
                                        module.clone(),
                                        name,
                                        expr.start(),
                                    ));
                                }
                                _ => computed = true,
                            }
                        }
                    }
                    Some(_) => computed = true,
                    None => {}
                }
                for keyword in &call.arguments.keywords {
                    if let Some(arg) = keyword.arg.as_ref().filter(|a| a.as_str() != "clear") {
                        self.facts.attribute_writes.push((
                            module.clone(),
                            arg.to_string(),
                            expr.start(),
                        ));
                        self.facts.attribute_uses.push((
                            module.clone(),
                            arg.to_string(),
                            expr.start(),
                        ));
                    }
                }
                if computed {
                    self.facts
                        .namespace_reads
                        .push((module, NamespaceRead::Names, expr.start()));
                }
                // The `mod.__dict__` argument is the patch's target, not a read of the raw dict.
                for arg in call.arguments.args.iter().skip(1) {
                    self.visit_expr(arg);
                }
                for keyword in &call.arguments.keywords {
                    self.visit_expr(&keyword.value);
                }
                return;
            }
            let first = call.arguments.args.first();
            if callee.ends_with("patch.dict") && first.is_some_and(is_sys_modules) {
                // `patch.dict(sys.modules, {"a": fake}, b=fake)`; `clear=True` or a computed dict: anything.
                let mut keys: Vec<Option<String>> = Vec::new();
                match call.arguments.args.get(1) {
                    Some(Expr::Dict(d)) => {
                        keys.extend(d.items.iter().map(|item| match &item.key {
                            Some(Expr::StringLiteral(k)) => Some(k.value.to_str().to_string()),
                            _ => None,
                        }));
                    }
                    Some(_) => keys.push(None),
                    None => {}
                }
                for keyword in &call.arguments.keywords {
                    keys.push(
                        keyword
                            .arg
                            .as_ref()
                            .filter(|a| a.as_str() != "clear")
                            .map(ToString::to_string),
                    );
                }
                for key in keys {
                    self.named_replacement(key.as_deref(), expr.start(), true);
                    self.facts.sys_modules_patches.push((key, expr.start()));
                }
            } else if matches!(last, "setitem" | "delitem") && first.is_some_and(is_sys_modules) {
                let key = match call.arguments.args.get(1) {
                    Some(Expr::StringLiteral(k)) => Some(k.value.to_str().to_string()),
                    _ => None,
                };
                self.named_replacement(key.as_deref(), expr.start(), true);
                self.facts.sys_modules_patches.push((key, expr.start()));
            } else if let Expr::Attribute(attr) = &*call.func
                && is_sys_modules(&attr.value)
                && matches!(
                    attr.attr.as_str(),
                    "pop" | "setdefault" | "update" | "clear" | "__setitem__" | "__delitem__"
                )
            {
                let method = attr.attr.as_str();
                let key = match method {
                    "pop" | "setdefault" | "__setitem__" | "__delitem__" => {
                        first.and_then(|k| self.sys_modules_key(k))
                    }
                    _ => None,
                };
                // A removal with a computed key (`sys.modules.pop(name, None)`) puts no replacement in place.
                let removal = matches!(method, "pop" | "__delitem__");
                if key.is_some() || (!removal && self.is_test_file()) {
                    self.named_replacement(key.as_deref(), expr.start(), false);
                    self.facts.sys_modules_patches.push((key, expr.start()));
                }
            } else if (last.contains("patch") || matches!(last, "setattr" | "delattr"))
                && let Some(Expr::StringLiteral(s)) = first
            {
                let target = s.value.to_str();
                if target.contains('.') && !target.contains(char::is_whitespace) {
                    self.facts
                        .patch_targets
                        .push((target.to_string(), expr.start()));
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Everything the project's files tell about each other, merged from [`FileFacts`].
#[derive(Clone, Debug, Default)]
pub struct ProjectFacts {
    patched: HashMap<String, Vec<Location>>,
    attribute_uses: HashMap<(String, String), Vec<Location>>,
    imported: HashMap<(String, String), Vec<Location>>,
    sys_modules_patched: Vec<(Option<String>, Location)>,
    module_imports: HashMap<String, std::collections::BTreeSet<String>>,
    attribute_writes: HashMap<(String, String), Vec<Location>>,
    namespace_reads: HashMap<String, Vec<(NamespaceRead, Location)>>,
    star_imports: HashMap<String, Vec<Location>>,
    entry_points: HashMap<(String, String), Vec<Location>>,
    /// Literal `sys.modules` keys patched anywhere or replaced in a test file (a module replacing its own entry
    /// while it loads, `sys.modules[__name__] = ...`, is left out: an import that runs later finds the same
    /// replacement).
    sys_modules_named: Vec<(String, Location)>,
}

impl ProjectFacts {
    /// Adds one scanned file.
    pub fn add(&mut self, path: &Path, source: &str, facts: FileFacts) {
        // The offsets of the file's line breaks, found once: a file can hold tens of thousands of facts, and
        // counting lines from the start for each was quadratic.
        let newlines = std::cell::OnceCell::new();
        let at = |offset: TextSize| {
            let newlines: &Vec<usize> =
                newlines.get_or_init(|| memchr::memchr_iter(b'\n', source.as_bytes()).collect());
            let offset = usize::from(offset);
            Location {
                path: path.to_path_buf(),
                line: newlines.partition_point(|&newline| newline < offset) + 1,
            }
        };
        for (target, offset) in facts.patch_targets {
            self.patched.entry(target).or_default().push(at(offset));
        }
        for (module, name, offset) in facts.imported_names {
            self.imported
                .entry((module, name))
                .or_default()
                .push(at(offset));
        }
        for (module, name, offset) in facts.attribute_uses {
            self.attribute_uses
                .entry((module, name))
                .or_default()
                .push(at(offset));
        }
        for (module, name, offset) in facts.attribute_writes {
            self.attribute_writes
                .entry((module, name))
                .or_default()
                .push(at(offset));
        }
        for (module, kind, offset) in facts.namespace_reads {
            self.namespace_reads
                .entry(module)
                .or_default()
                .push((kind, at(offset)));
        }
        for (module, offset) in facts.star_imports {
            self.star_imports
                .entry(module)
                .or_default()
                .push(at(offset));
        }
        for (key, offset) in facts.sys_modules_named {
            if facts.module.as_deref() != Some(key.as_str()) {
                self.sys_modules_named.push((key, at(offset)));
            }
        }
        for (key, offset) in facts.sys_modules_patches {
            self.sys_modules_patched.push((key, at(offset)));
        }
        if let Some(module) = facts.module {
            self.module_imports
                .entry(module)
                .or_default()
                .extend(facts.module_level_imports);
        }
    }

    /// Adds an entry point of the project (`"module:name"` or `"module:name.attr"` in `pyproject.toml`'s
    /// `[project.scripts]`, `[project.gui-scripts]` or `[project.entry-points.*]`), found at `at`.
    pub fn add_entry_point(&mut self, target: &str, at: Location) {
        let Some((module, object)) = target.split_once(':') else {
            return;
        };
        let module = module.trim();
        // `"pkg.cli:main [extra]"`: the extras are not part of the object.
        let object = object.split('[').next().unwrap_or_default().trim();
        let name = object.split('.').next().unwrap_or_default();
        if module.is_empty() || name.is_empty() {
            return;
        }
        self.entry_points
            .entry((module.to_string(), name.to_string()))
            .or_default()
            .push(at);
    }

    /// Where another file patches or imports `name` from `module` (`mock.patch("module.name")`,
    /// `mock.patch("module.name.attr")`, `from module import name`, `module.name`, `patch.multiple(module,
    /// name=...)`, `patch.dict(module.__dict__, {"name": ...})`), or an entry point names it.
    pub fn outside_uses(&self, module: &str, name: &str) -> Option<&Location> {
        let dotted = format!("{module}.{name}");
        self.patched
            .get(&dotted)
            .and_then(|v| v.first())
            .or_else(|| {
                // A target below the name (`module.name.attr`) reads `module.name` first.
                self.patched
                    .iter()
                    .filter(|(target, _)| {
                        target
                            .strip_prefix(dotted.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                    })
                    .filter_map(|(_, at)| at.first())
                    .min_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)))
            })
            .or_else(|| {
                let key = (module.to_string(), name.to_string());
                self.imported
                    .get(&key)
                    .or_else(|| self.attribute_uses.get(&key))
                    .or_else(|| self.entry_points.get(&key))
                    .and_then(|v| v.first())
            })
    }

    /// Where another file rebinds `module.name` (`module.name = v`, `setattr`, `patch.object`,
    /// `patch.multiple`, `mock.patch("module.name")`): a `from module import name` elsewhere copies the value
    /// when it runs, so running it later (lazy) can copy a different value.
    pub fn rebound_elsewhere(&self, module: &str, name: &str) -> Option<&Location> {
        let key = (module.to_string(), name.to_string());
        self.attribute_writes
            .get(&key)
            .and_then(|v| v.first())
            .or_else(|| {
                self.patched
                    .get(&format!("{module}.{name}"))
                    .and_then(|v| v.first())
            })
    }

    /// Where another file reads `module`'s namespace: `vars(module)` or `module.__dict__` (any style), or only
    /// its names, `dir(module)` (`names_too`, for style `local`).
    pub fn namespace_read(&self, module: &str, names_too: bool) -> Option<&Location> {
        self.namespace_reads
            .get(module)?
            .iter()
            .find(|(kind, _)| names_too || *kind == NamespaceRead::Dict)
            .map(|(_, at)| at)
    }

    /// Where another file runs `from module import *`.
    pub fn star_imported(&self, module: &str) -> Option<&Location> {
        self.star_imports.get(module).and_then(|v| v.first())
    }

    /// Where the project puts a replacement for `module` (or one of its packages) into `sys.modules` under a
    /// literal name (`patch.dict(sys.modules, {"module": fake})`, `sys.modules["module"] = fake`): an import
    /// that runs later (lazy, or in a function) reads what is there at that moment, not the replacement.
    pub fn sys_modules_replaced(&self, module: &str) -> Option<&Location> {
        self.sys_modules_named
            .iter()
            .find(|(k, _)| {
                module == k
                    || module
                        .strip_prefix(k.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
            .map(|(_, at)| at)
    }

    /// Where the project replaces the `sys.modules` entry that `import module` reads (the module or one of
    /// its packages), or an entry it cannot name.
    pub fn sys_modules_patched(&self, module: &str) -> Option<&Location> {
        self.sys_modules_patched
            .iter()
            .find(|(key, _)| {
                key.as_deref().is_none_or(|k| {
                    module == k
                        || module
                            .strip_prefix(k)
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            })
            .map(|(_, at)| at)
    }

    /// Whether `module` (or a package of it) imports `target` (or a module inside it) at module level. Packages
    /// that also contain `target` do not count: they finished initialising before `target`'s body ran.
    pub fn imports_back(&self, module: &str, target: &str) -> bool {
        let mut name = module;
        loop {
            if target
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
            {
                return false;
            }
            if let Some(imports) = self.module_imports.get(name)
                && imports.iter().any(|i| {
                    i == target || i.strip_prefix(target).is_some_and(|r| r.starts_with('.'))
                })
            {
                return true;
            }
            match name.rsplit_once('.') {
                Some((parent, _)) => name = parent,
                None => return false,
            }
        }
    }
}

impl ProjectFacts {
    /// Where another file patches, assigns or otherwise touches `module.name` (`mock.patch("module.name")`,
    /// `module.name = x`, `setattr(module, "name", x)`).
    pub fn attribute_touched(&self, module: &str, name: &str) -> Option<&Location> {
        self.patched
            .get(&format!("{module}.{name}"))
            .and_then(|v| v.first())
            .or_else(|| {
                self.attribute_uses
                    .get(&(module.to_string(), name.to_string()))
                    .and_then(|v| v.first())
            })
    }

    /// The chain of module-level imports through which loading `module` leads back to `target`: `[module,
    /// c, ...]` where the last one imports `target` (or a module inside it) directly; `None` when there is
    /// none. A direct import gives `[module]`. Packages that also contain `target` do not count (see
    /// [`Self::imports_back`]).
    pub fn import_path_back(&self, module: &str, target: &str) -> Option<Vec<String>> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue: std::collections::VecDeque<Vec<String>> = std::collections::VecDeque::new();
        queue.push_back(vec![module.to_string()]);
        seen.insert(module.to_string());
        while let Some(path) = queue.pop_front() {
            let Some(last) = path.last() else { continue };
            if self.imports_back(last, target) {
                return Some(path);
            }
            // What loading `last` runs: its own imports and those of its packages (not target's packages).
            let mut name = last.as_str();
            loop {
                if target
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
                {
                    break;
                }
                for next in self.module_imports.get(name).into_iter().flatten() {
                    if seen.insert(next.clone()) {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        queue.push_back(longer);
                    }
                }
                match name.rsplit_once('.') {
                    Some((parent, _)) => name = parent,
                    None => break,
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
