//! Small AST helpers the index and other modules share: dotted names, call targets, `TYPE_CHECKING` and
//! `__main__` tests.

use ruff_python_ast::name::UnqualifiedName;
use ruff_python_ast::{self as ast, Expr};

/// The name an attribute or subscript chain starts from (`sys` in `sys.path[0]`).
pub(super) fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => root_name(&a.value),
        Expr::Subscript(s) => root_name(&s.value),
        _ => None,
    }
}

/// Whether `expr` is the chain of attributes `want` (`a.b.c`), without building its text as [`dotted`] does.
pub(super) fn is_dotted(expr: &Expr, want: &str) -> bool {
    match expr {
        Expr::Name(n) => n.id.as_str() == want,
        Expr::Attribute(a) => want
            .strip_suffix(a.attr.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|rest| is_dotted(&a.value, rest)),
        _ => false,
    }
}

/// `a.b.c` for a chain of attributes on a name, `""` otherwise.
pub(crate) fn dotted(expr: &Expr) -> String {
    // `UnqualifiedName` walks long chains (tens of thousands of attributes) in a loop, not a recursion.
    UnqualifiedName::from_expr(expr)
        .map(|name| name.to_string())
        .unwrap_or_default()
}

/// `TYPE_CHECKING` or `<module>.TYPE_CHECKING`, as the test of an `if`.
pub(crate) fn is_type_checking_test(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

pub(crate) fn is_main_test(test: &Expr) -> bool {
    let Expr::Compare(cmp) = test else {
        return false;
    };
    if cmp.ops.len() != 1 || cmp.ops[0] != ast::CmpOp::Eq {
        return false;
    }
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&cmp.left) && is_main(&cmp.comparators[0]))
        || (is_main(&cmp.left) && is_name(&cmp.comparators[0]))
}
