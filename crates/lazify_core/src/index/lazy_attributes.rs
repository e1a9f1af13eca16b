//! lazify's own lazy-attribute table (style `local`, PEP 562), recognised so that a later run extends it and the
//! walk does not mistake its `__getattr__` and `__dir__` for the module's own namespace tricks.
//!
//! The table is a module-level assignment right after the marker comment:
//!
//! ```python
//! # lazify: lazy attributes
//! _lazy_attributes = {
//!     "Markdown": (".core", "Markdown"),
//!     "core": (".core", None),
//! }
//! ```
//!
//! Each entry maps a module attribute to the module to import (relative to `__package__`) and the name to take
//! from it (`None`: the module itself).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// The comment on the line before the table.
pub(crate) const MARKER: &str = "# lazify: lazy attributes";
/// The table's name.
pub(crate) const TABLE: &str = "_lazy_attributes";

/// One entry of the table: attribute → (module to import, attribute of it or `None` for the module itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) module: String,
    pub(crate) attribute: Option<String>,
}

/// lazify's table as found in the module.
#[derive(Clone, Debug)]
pub(crate) struct OwnTable {
    /// The assignment statement (without the marker comment).
    pub(crate) range: TextRange,
    pub(crate) entries: Vec<Entry>,
    /// The module-level `def __getattr__` and `def __dir__` that go with it.
    pub(crate) hooks: Vec<TextRange>,
}

/// The table, when the module has one in the shape lazify writes.
pub(crate) fn own_table(body: &[Stmt], source: &str) -> Option<OwnTable> {
    let (range, entries) = body.iter().find_map(|stmt| {
        let Stmt::Assign(assign) = stmt else {
            return None;
        };
        let [Expr::Name(target)] = assign.targets.as_slice() else {
            return None;
        };
        if target.id.as_str() != TABLE || !marked(source, stmt.range()) {
            return None;
        }
        Some((stmt.range(), parse_entries(&assign.value)?))
    })?;
    let hooks = body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(f) if is_hook(f.name.as_str()) => Some(f.range()),
            _ => None,
        })
        .collect();
    Some(OwnTable {
        range,
        entries,
        hooks,
    })
}

/// `__getattr__` or `__dir__`: the module hooks of PEP 562.
pub(crate) fn is_hook(name: &str) -> bool {
    matches!(name, "__getattr__" | "__dir__")
}

/// The first module-level binding of `__getattr__` or `__dir__` (a `def`, an assignment or an import), if any.
pub(crate) fn hook_binding(body: &[Stmt]) -> Option<TextRange> {
    body.iter().find_map(|stmt| {
        let binds = match stmt {
            Stmt::FunctionDef(f) => is_hook(f.name.as_str()),
            Stmt::Assign(a) => a
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if is_hook(n.id.as_str()))),
            Stmt::AnnAssign(a) => matches!(&*a.target, Expr::Name(n) if is_hook(n.id.as_str())),
            Stmt::Import(i) => i.names.iter().any(|a| {
                is_hook(
                    a.asname
                        .as_ref()
                        .map_or(a.name.as_str(), ast::Identifier::as_str),
                )
            }),
            Stmt::ImportFrom(i) => i.names.iter().any(|a| {
                is_hook(
                    a.asname
                        .as_ref()
                        .map_or(a.name.as_str(), ast::Identifier::as_str),
                )
            }),
            _ => false,
        };
        binds.then(|| stmt.range())
    })
}

/// Whether the line before `range` is the marker comment.
fn marked(source: &str, range: TextRange) -> bool {
    let before = &source[..usize::from(range.start())];
    let before = before.trim_end_matches([' ', '\t']);
    let Some(before) = before
        .strip_suffix('\n')
        .map(|b| b.strip_suffix('\r').unwrap_or(b))
        .or_else(|| before.strip_suffix('\r'))
    else {
        return false;
    };
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before[line_start..].trim() == MARKER
}

fn parse_entries(value: &Expr) -> Option<Vec<Entry>> {
    let Expr::Dict(dict) = value else {
        return None;
    };
    dict.items
        .iter()
        .map(|item| {
            let Some(Expr::StringLiteral(key)) = &item.key else {
                return None;
            };
            let Expr::Tuple(tuple) = &item.value else {
                return None;
            };
            let [Expr::StringLiteral(module), attribute] = tuple.elts.as_slice() else {
                return None;
            };
            let attribute = match attribute {
                Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
                Expr::NoneLiteral(_) => None,
                _ => return None,
            };
            Some(Entry {
                name: key.value.to_str().to_string(),
                module: module.value.to_str().to_string(),
                attribute,
            })
        })
        .collect()
}
