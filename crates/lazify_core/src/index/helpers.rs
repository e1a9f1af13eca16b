//! Small AST helpers the index and other modules share: dotted names, call targets, `TYPE_CHECKING` and
//! `__main__` tests.

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

pub(super) fn call_target(expr: &Expr) -> &Expr {
    match expr {
        Expr::Call(call) => &call.func,
        other => other,
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
    // A loop, not a recursion: chains of attributes can be tens of thousands long.
    let mut parts = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Expr::Attribute(a) => {
                parts.push(a.attr.as_str());
                current = &a.value;
            }
            Expr::Name(n) => {
                parts.push(n.id.as_str());
                break;
            }
            _ => return String::new(),
        }
    }
    parts.reverse();
    parts.join(".")
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
