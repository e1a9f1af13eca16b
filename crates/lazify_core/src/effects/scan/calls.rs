//! Calls: what a call of an imported, builtin or own callable does when it runs.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::TextRange;

use super::bindings::is_thread_constructor;
use super::{Frame, LOGGER_CONFIG, LOGGER_EMIT, MUTATING_METHODS, Scanner, Target, method};
use crate::effects::{CallableSummary, Effect, EffectKind, ExternalRef, RefUse};

impl<'a> Scanner<'a> {
    /// A call (or decorator application) of `func`. Returns whether it was judged (an effect, a followed
    /// function or a reference into another module), so that the callee's own text is not judged again as a
    /// read.
    pub(super) fn callee(
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

    pub(super) fn imported_call(
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
            frame.add_external(ExternalRef {
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
    pub(super) fn own_warning_filter(
        &self,
        q: &str,
        call: &ast::ExprCall,
        frame: &Frame<'a>,
    ) -> bool {
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

    pub(super) fn open_call(
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
    pub(super) fn own_call(
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
    pub(super) fn call_on_result(
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
    pub(super) fn inherit(
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
            frame.add_external(ExternalRef {
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
}
