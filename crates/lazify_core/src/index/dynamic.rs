//! Dynamic namespace access: `globals()`, `vars()`, `sys.modules[__name__]`, `eval`/`exec`, frame globals.

use super::binding::BindingKind;
use super::helpers::is_dotted;
use super::import_state::canonical_with;
use super::prefilter::for_each_module_scope_stmt;
use super::reference::Ctx;
use super::walker::Walker;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// How code reaches the module's namespace without naming the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DynamicKind {
    /// Only the namespace's names (`dir()`, `globals().keys()`, `for k in globals()`): a lazy binding is listed
    /// like an eager one, but a name moved into a function (or hoisted out of one) changes the list.
    Keys,
    /// The namespace as a dict (`globals()`, `vars()`, `f_globals`, `__dict__`): it holds unresolved lazy proxies.
    Dict,
    /// The module object (`sys.modules[__name__]`): attribute reads resolve lazy names, but a name moved into a
    /// function is not there.
    ModuleObject,
    /// `eval`/`exec` with this module's globals: names resolve one by one, but not function-local ones.
    Exec,
}

/// One dynamic access.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dynamic<'a> {
    /// The name read through a literal key, or `None` for any name.
    pub(crate) key: Option<&'a str>,
    pub(crate) range: TextRange,
    pub(crate) kind: DynamicKind,
}

impl<'a> Walker<'a> {
    /// `sys.modules[__name__]` (see [`is_this_module_with`]), or a name bound to it.
    pub(super) fn is_this_module(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => self.is_module_alias(n.id.as_str()),
            other => is_this_module_with(other, &self.aliases),
        }
    }

    #[inline]
    pub(super) fn is_module_alias(&self, name: &str) -> bool {
        !self.module_aliases.is_empty() && self.module_aliases.contains(name)
    }

    pub(super) fn dynamic_access(
        &mut self,
        key: Option<&'a str>,
        range: TextRange,
        kind: DynamicKind,
    ) {
        self.dynamic.push(Dynamic { key, range, kind });
    }

    /// `globals()`, `vars()`, `locals()` (module level), `frame.f_globals`, `sys.modules[__name__]`, `eval`,
    /// `exec`. Returns whether the expression was fully handled (its children visited or irrelevant).
    pub(super) fn note_dynamic(&mut self, expr: &'a Expr) -> bool {
        let module_scope = self.at_module_scope();
        match expr {
            Expr::Subscript(sub) => {
                // `globals()["name"]`, `frame.f_globals["name"]`: one name.
                if is_namespace_dict(&sub.value, module_scope)
                    && let Expr::StringLiteral(s) = &*sub.slice
                {
                    self.dynamic_access(Some(s.value.to_str()), expr.range(), DynamicKind::Dict);
                    self.visit_namespace_base(&sub.value);
                    return true;
                }
                if self.is_this_module(expr) {
                    // Attribute reads on the module object resolve lazy names; a function-local name is gone.
                    self.dynamic_access(None, expr.range(), DynamicKind::ModuleObject);
                    return true;
                }
                // `sys.modules[name]` with a computed name, read while the module is imported: it may be this
                // module, whatever is done with it next.
                if sub.ctx == ExprContext::Load
                    && self.ctx == Ctx::ImportTime
                    && !sub.slice.is_string_literal_expr()
                    && is_sys_modules_with(&sub.value, &self.aliases)
                {
                    self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                    self.visit_expr(&sub.slice);
                    return true;
                }
                false
            }
            Expr::Attribute(attr) => {
                match attr.attr.as_str() {
                    // `sys.modules[__name__].__dict__`, `this.__dict__`
                    "__dict__" if self.is_this_module(&attr.value) => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        true
                    }
                    // `frame.f_globals`, `function.__globals__`: the module's globals (any module's, as far as
                    // one file can tell).
                    "f_globals" | "__globals__" => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        self.visit_expr(&attr.value);
                        true
                    }
                    // `sys._getframe().f_locals` at module level is the module's namespace; in a function, its
                    // own frame's `f_locals` is its locals, and another frame's may be the module's.
                    "f_locals" => {
                        if !self.exec_scope.is_module() && self.is_own_frame(&attr.value) {
                            self.scopes[self.exec_scope]
                                .reads_locals
                                .get_or_insert(expr.range());
                        } else {
                            self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        }
                        self.visit_expr(&attr.value);
                        true
                    }
                    _ => false,
                }
            }
            Expr::Call(call) if self.note_namespace_call(expr, call, module_scope) => true,
            Expr::Call(call) => {
                // `globals().get("name")`, `frame.f_globals.get("name")`: one name.
                if let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "get"
                    && is_namespace_dict(&attr.value, module_scope)
                    && let Some(Expr::StringLiteral(s)) = call.arguments.args.first()
                {
                    self.dynamic_access(Some(s.value.to_str()), expr.range(), DynamicKind::Dict);
                    self.visit_namespace_base(&attr.value);
                    self.visit_arguments(&call.arguments);
                    return true;
                }
                if is_namespace_call(expr, module_scope) {
                    self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                    return true;
                }
                let Expr::Name(n) = &*call.func else {
                    return false;
                };
                match n.id.as_str() {
                    // `vars(sys.modules[__name__])`
                    "vars"
                        if call
                            .arguments
                            .args
                            .first()
                            .is_some_and(|a| self.is_this_module(a)) =>
                    {
                        self.dynamic_access(None, expr.range(), DynamicKind::Dict);
                        true
                    }
                    // `__import__(name, globals(), ...)` reads only `__name__`, `__package__`, `__spec__`.
                    "__import__" => {
                        for arg in &call.arguments.args {
                            if !is_namespace_call(arg, module_scope) {
                                self.visit_expr(arg);
                            }
                        }
                        for keyword in &call.arguments.keywords {
                            if !is_namespace_call(&keyword.value, module_scope) {
                                self.visit_expr(&keyword.value);
                            }
                        }
                        true
                    }
                    // Code run with this module's globals reads names one by one (a lazy name resolves), but a
                    // function-local import is invisible to it.
                    "eval" | "exec" => {
                        let args = &call.arguments.args;
                        let own_globals = args.len() < 2
                            || args
                                .get(1)
                                .is_some_and(|g| is_namespace_call(g, module_scope))
                            || call.arguments.keywords.iter().any(|k| {
                                k.arg.as_ref().is_some_and(|a| a.as_str() == "globals")
                                    && is_namespace_call(&k.value, module_scope)
                            });
                        if !own_globals {
                            return false;
                        }
                        self.dynamic_access(None, expr.range(), DynamicKind::Exec);
                        if self.ctx == Ctx::ImportTime && self.import_time_eval.is_none() {
                            self.import_time_eval = Some(expr.range());
                        }
                        for arg in args.iter().take(1) {
                            self.visit_expr(arg);
                        }
                        for arg in args.iter().skip(1) {
                            if !is_namespace_call(arg, module_scope) {
                                self.visit_expr(arg);
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            Expr::Compare(cmp) => {
                // `"name" in globals()` only tests membership, which a lazy binding passes.
                if cmp.comparators.len() == 1
                    && is_namespace_dict(&cmp.comparators[0], module_scope)
                    && matches!(cmp.ops[0], ast::CmpOp::In | ast::CmpOp::NotIn)
                {
                    self.visit_expr(&cmp.left);
                    self.visit_namespace_base(&cmp.comparators[0]);
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    /// `sys._getframe()`, `sys._getframe(0)`, `inspect.currentframe()`: the running function's own frame.
    pub(super) fn is_own_frame(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else { return false };
        let name = self.canonical(&call.func);
        match name.as_str() {
            "sys._getframe" => match call.arguments.args.as_ref() {
                [] => true,
                [Expr::NumberLiteral(n)] => {
                    matches!(&n.value, ast::Number::Int(i) if i.as_u8() == Some(0))
                }
                _ => false,
            },
            "inspect.currentframe" => call.arguments.args.is_empty(),
            _ => false,
        }
    }

    /// Namespace reads that see only names, or write known names: `dir()` and `globals().keys()` (names only),
    /// `globals().update(a=1)` (binds `a`), and the helpers called on a name bound to the module object
    /// (`getattr(this, "x")`). Returns whether the call was fully handled.
    pub(super) fn note_namespace_call(
        &mut self,
        expr: &'a Expr,
        call: &'a ast::ExprCall,
        module_scope: bool,
    ) -> bool {
        match &*call.func {
            Expr::Name(n) => match n.id.as_str() {
                "dir" if module_scope && call.arguments.is_empty() => {
                    self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                    true
                }
                "getattr" | "hasattr" | "setattr" | "delattr"
                    if call.arguments.args.first().is_some_and(
                        |a| matches!(a, Expr::Name(m) if self.is_module_alias(m.id.as_str())),
                    ) =>
                {
                    match call.arguments.args.get(1) {
                        Some(Expr::StringLiteral(s)) => {
                            self.module_object_read(s.value.to_str(), expr.range());
                        }
                        _ => self.dynamic_access(None, expr.range(), DynamicKind::ModuleObject),
                    }
                    for arg in call.arguments.args.iter().skip(1) {
                        self.visit_expr(arg);
                    }
                    true
                }
                _ if is_namespace_keys(expr, module_scope) => {
                    self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                    true
                }
                _ => false,
            },
            Expr::Attribute(a) if is_namespace_call(&a.value, module_scope) => {
                match a.attr.as_str() {
                    "keys" if call.arguments.is_empty() => {
                        self.dynamic_access(None, expr.range(), DynamicKind::Keys);
                        true
                    }
                    // `globals().update(a=1)`, `globals().update({"a": 1})`: binds those names, like `a = 1`.
                    "update" => {
                        let mut keys: Vec<(&'a str, TextRange)> = Vec::new();
                        let mut known = true;
                        for keyword in &call.arguments.keywords {
                            match &keyword.arg {
                                Some(arg) => keys.push((arg.as_str(), keyword.range())),
                                None => known = false,
                            }
                        }
                        for arg in &call.arguments.args {
                            match arg {
                                Expr::Dict(d) => {
                                    for item in &d.items {
                                        match &item.key {
                                            Some(Expr::StringLiteral(s)) => {
                                                keys.push((s.value.to_str(), item.range()));
                                            }
                                            _ => known = false,
                                        }
                                    }
                                }
                                _ => known = false,
                            }
                        }
                        if !known {
                            return false;
                        }
                        for (key, range) in keys {
                            if self.tracked.contains(key) {
                                self.bindings.push(key, range, BindingKind::Rebinding);
                            }
                        }
                        for keyword in &call.arguments.keywords {
                            self.visit_expr(&keyword.value);
                        }
                        for arg in &call.arguments.args {
                            if let Expr::Dict(d) = arg {
                                for item in &d.items {
                                    self.visit_expr(&item.value);
                                }
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// `g = frame.f_globals` (or `... if frame is not None else None`) in a function, where every use of `g` in
    /// the function is `g.get("key")`, `g["key"]`, `"key" in g` or an `is None` test: only those keys are read.
    /// Returns whether the statement was handled.
    pub(super) fn note_namespace_alias(&mut self, assign: &'a ast::StmtAssign) -> bool {
        let [Expr::Name(target)] = assign.targets.as_slice() else {
            return false;
        };
        let Some(def) = self.scopes[self.scope].def else {
            return false;
        };
        let (namespace, rest): (&'a Expr, Option<&'a ast::ExprIf>) = match &*assign.value {
            value @ Expr::Attribute(a) if a.attr.as_str() == "f_globals" => (value, None),
            Expr::If(if_exp) => match (&*if_exp.body, &*if_exp.orelse) {
                (value @ Expr::Attribute(a), Expr::NoneLiteral(_))
                | (Expr::NoneLiteral(_), value @ Expr::Attribute(a))
                    if a.attr.as_str() == "f_globals" =>
                {
                    (value, Some(if_exp))
                }
                _ => return false,
            },
            _ => return false,
        };
        let mut uses = AliasUses {
            name: target.id.as_str(),
            keys: Vec::new(),
            other: false,
        };
        uses.visit_body(&def.body);
        if uses.other {
            return false;
        }
        for key in uses.keys {
            self.dynamic_access(Some(key), namespace.range(), DynamicKind::Dict);
        }
        if let Some(if_exp) = rest {
            self.visit_expr(&if_exp.test);
        }
        self.visit_namespace_base(namespace);
        self.visit_expr(&assign.targets[0]);
        true
    }

    /// Visits what a namespace expression is taken from (`frame` in `frame.f_globals`).
    pub(super) fn visit_namespace_base(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(attr) = expr {
            self.visit_expr(&attr.value);
        }
    }
}

/// The uses of a local name bound to a namespace dict: literal keys read, or `other` for any other use.
pub(super) struct AliasUses<'a> {
    pub(super) name: &'a str,
    pub(super) keys: Vec<&'a str>,
    pub(super) other: bool,
}

impl<'a> Visitor<'a> for AliasUses<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let is_alias = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == self.name);
        match expr {
            // `g.get("key", ...)`
            Expr::Call(call) if matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "get" && is_alias(&a.value)) => {
                match call.arguments.args.first() {
                    Some(Expr::StringLiteral(s)) if call.arguments.keywords.is_empty() => {
                        self.keys.push(s.value.to_str());
                        for arg in &call.arguments.args[1..] {
                            self.visit_expr(arg);
                        }
                    }
                    _ => self.other = true,
                }
            }
            // `g["key"]` (read, write or delete: all touch only that key)
            Expr::Subscript(sub) if is_alias(&sub.value) => match &*sub.slice {
                Expr::StringLiteral(s) => self.keys.push(s.value.to_str()),
                _ => self.other = true,
            },
            // `"key" in g`, `g is None`, `g is not None`
            Expr::Compare(cmp) if cmp.comparators.len() == 1 => {
                let (left, right) = (&*cmp.left, &cmp.comparators[0]);
                match cmp.ops[0] {
                    ast::CmpOp::In | ast::CmpOp::NotIn if is_alias(right) => self.visit_expr(left),
                    ast::CmpOp::Is | ast::CmpOp::IsNot
                        if is_alias(left) && right.is_none_literal_expr()
                            || is_alias(right) && left.is_none_literal_expr() => {}
                    _ => visitor::walk_expr(self, expr),
                }
            }
            Expr::Name(n) if n.id.as_str() == self.name => {
                // The assignment itself is a store; any other use (passing `g` on, `del g`) is not tracked.
                if !matches!(n.ctx, ExprContext::Store) {
                    self.other = true;
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// `globals()` (or module-level `vars()`/`locals()`) or `<frame>.f_globals`.
pub(super) fn is_namespace_dict(expr: &Expr, module_scope: bool) -> bool {
    is_namespace_call(expr, module_scope)
        || matches!(expr, Expr::Attribute(a) if a.attr.as_str() == "f_globals")
}

/// `sys.modules[__name__]` or `sys.modules.get(__name__)` (also with `sys` under another name).
pub(super) fn is_this_module_with(expr: &Expr, aliases: &HashMap<&str, String>) -> bool {
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    match expr {
        Expr::Subscript(sub) => is_name(&sub.slice) && is_sys_modules_with(&sub.value, aliases),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Attribute(a) if a.attr.as_str() == "get"
                && is_sys_modules_with(&a.value, aliases))
                && call.arguments.args.first().is_some_and(is_name)
        }
        _ => false,
    }
}

pub(super) fn is_sys_modules_with(expr: &Expr, aliases: &HashMap<&str, String>) -> bool {
    is_dotted(expr, "sys.modules")
        || (!aliases.is_empty() && canonical_with(expr, aliases) == "sys.modules")
}

/// `list(globals())`, `sorted(vars())`, `len(globals())`, `globals().keys()`: only the names are read.
pub(super) fn is_namespace_keys(expr: &Expr, module_scope: bool) -> bool {
    let Expr::Call(call) = expr else { return false };
    match &*call.func {
        Expr::Attribute(a) => {
            a.attr.as_str() == "keys"
                && call.arguments.args.is_empty()
                && is_namespace_call(&a.value, module_scope)
        }
        Expr::Name(n) => {
            matches!(
                n.id.as_str(),
                "list" | "sorted" | "set" | "frozenset" | "tuple" | "len" | "iter"
            ) && call.arguments.keywords.is_empty()
                && matches!(call.arguments.args.as_ref(), [only] if is_namespace_call(only, module_scope))
        }
        _ => false,
    }
}

pub(super) fn is_namespace_call(expr: &Expr, module_scope: bool) -> bool {
    let Expr::Call(call) = expr else { return false };
    let Expr::Name(n) = &*call.func else {
        return false;
    };
    let no_args = call.arguments.args.is_empty() && call.arguments.keywords.is_empty();
    match n.id.as_str() {
        "globals" => true,
        "vars" | "locals" => no_args && module_scope,
        _ => false,
    }
}

/// Module-level names bound to this module's object: `this = sys.modules[__name__]`.
pub(super) fn collect_module_aliases<'a>(
    body: &'a [Stmt],
    aliases: &HashMap<&str, String>,
) -> HashSet<&'a str> {
    let mut out = HashSet::default();
    for_each_module_scope_stmt(body, &mut |stmt| {
        if let Stmt::Assign(a) = stmt
            && let [Expr::Name(n)] = a.targets.as_slice()
            && is_this_module_with(&a.value, aliases)
        {
            out.insert(n.id.as_str());
        }
    });
    out
}
