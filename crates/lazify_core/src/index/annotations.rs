//! Annotations: when they are evaluated, and which classes (dataclass-like, pydantic, `NamedTuple`, ...) read
//! them when the class is created.

use super::helpers::dotted;
use super::reference::Ctx;
use super::walker::Walker;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

pub(super) const TYPING_EVALUATING_BASES: &[&str] = &[
    "NamedTuple",
    "TypedDict",
    "BaseModel",
    "BaseSettings",
    "RootModel",
    "Struct",
    "SQLModel",
    "DeclarativeBase",
    "DeclarativeBaseNoMeta",
    "MappedAsDataclass",
];

pub(super) const TYPING_EVALUATING_DECORATORS: &[&str] = &[
    "dataclass",
    "dataclasses.dataclass",
    "pydantic.dataclasses.dataclass",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attr.frozen",
    "attr.mutable",
    "attr.dataclass",
    "attrs.define",
    "attrs.frozen",
    "attrs.mutable",
    "define",
    "frozen",
    "mutable",
    "attrs",
    "dataclass_json",
];

impl<'a> Walker<'a> {
    pub(super) fn visit_annotation_expr(&mut self, expr: &'a Expr, evaluated: bool) {
        self.visit_annotation_expr_by(expr, evaluated, false);
    }

    /// `introspected`: the annotation is resolved by name (dataclass-like classes), so even a string
    /// annotation's names are read; a plainly evaluated string annotation stays a string.
    pub(super) fn visit_annotation_expr_by(
        &mut self,
        expr: &'a Expr,
        evaluated: bool,
        introspected: bool,
    ) {
        let saved_introspected = std::mem::replace(&mut self.annotation_introspected, introspected);
        let saved = std::mem::replace(&mut self.in_annotation, true);
        if evaluated {
            self.visit_expr(expr);
        } else {
            self.with_ctx(Ctx::Annotation, |w| w.visit_expr(expr));
        }
        self.in_annotation = saved;
        self.annotation_introspected = saved_introspected;
    }

    /// A string annotation (`"np.ndarray"`): its names are references where the string sits. When evaluated
    /// (dataclass-like classes, `get_type_hints`), they are read like any other annotation.
    pub(super) fn visit_string_annotation(&mut self, literal: &'a ast::ExprStringLiteral) {
        let Some(part) = literal.as_single_part_string() else {
            return;
        };
        let Some(parsed) = crate::python::parse_string_annotation(self.source, part) else {
            return;
        };
        let mut names = Vec::new();
        collect_names(parsed.expr(), &mut names);
        let range = literal.range();
        // Evaluating a string annotation gives the string: only name-resolving machinery reads its names.
        let ctx = if self.annotation_introspected || self.ctx != Ctx::ImportTime {
            self.ctx
        } else {
            Ctx::Annotation
        };
        for (name, attr) in names {
            let Some(id) = self.tracked.id(name.as_str()) else {
                continue;
            };
            let attr = attr.and_then(|a| self.tracked_attr(&a));
            self.record_reference(id, self.tracked.names[id], range, ctx, attr);
        }
    }

    /// Attribute names in string annotations are owned by a temporary parse; keep the ones the `import a.b`
    /// check compares with, by finding the same text among import statements' dotted names.
    pub(super) fn tracked_attr(&self, attr: &str) -> Option<&'a str> {
        self.imports.iter().find_map(|import| {
            import
                .aliases()
                .iter()
                .find_map(|alias| alias.name.as_str().split('.').find(|part| *part == attr))
        })
    }
}

/// Names read in a parsed string annotation, each with the attribute read right after it.
pub(super) fn collect_names(expr: &Expr, out: &mut Vec<(String, Option<String>)>) {
    struct Names<'o>(&'o mut Vec<(String, Option<String>)>);
    impl<'b> Visitor<'b> for Names<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                Expr::Name(n) => self.0.push((n.id.to_string(), None)),
                Expr::Attribute(a) => {
                    if let Expr::Name(n) = &*a.value {
                        self.0.push((n.id.to_string(), Some(a.attr.to_string())));
                    } else {
                        visitor::walk_expr(self, expr);
                    }
                }
                Expr::Subscript(sub) if dotted(&sub.value).ends_with("Literal") => {
                    self.visit_expr(&sub.value);
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    Names(out).visit_expr(expr);
}
