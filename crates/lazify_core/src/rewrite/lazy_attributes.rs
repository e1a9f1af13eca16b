//! Style `local`, re-exports (`RewriteWhy::LazyAttribute`): the module-level `__getattr__` of PEP 562 that
//! imports a re-exported name on first attribute access, with its table and a `__dir__` that lists the lazy names.
//!
//! A module without lazify's table gets the whole block at its end; a module with one gets its new entries added to
//! the table, and nothing else changes. The shape of the table is in `index::lazy_attributes`.

use std::fmt::Write as _;

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::{Decision, RewriteWhy};
use crate::edit::Edit;
use crate::index::lazy_attributes::{Entry, MARKER, TABLE};
use crate::index::{ImportStmt, Index};
use crate::plan::Candidate;
use crate::plan::implicit_submodule;
use crate::settings::SourceFile;

/// Whether the candidate becomes a lazy attribute.
pub(crate) fn is_lazy_attribute(candidate: &Candidate<'_>) -> bool {
    matches!(
        candidate.verdict.decision,
        Decision::Rewrite {
            why: RewriteWhy::LazyAttribute,
            ..
        }
    )
}

/// The table entries the rewritten imports need, in candidate order: the name itself, and in a package
/// `__init__.py` the submodule the import bound as a side effect (`core` for `from .core import Markdown`),
/// unless the module binds that name some other way.
fn new_entries(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    body: &[Stmt],
    file: &SourceFile,
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut push = |entry: Entry| {
        if !entries.iter().any(|e| e.name == entry.name) {
            entries.push(entry);
        }
    };
    for c in candidates.iter().filter(|c| is_lazy_attribute(c)) {
        let import: &ImportStmt<'_> = &index.imports[c.import];
        let Some((module, level)) = import.source_module() else {
            continue;
        };
        let dots = ".".repeat(level as usize);
        let written = format!("{dots}{}", module.unwrap_or_default());
        let member = c.alias.name.as_str();
        // `from . import sub` (or `from pkg import sub`) in `pkg/__init__.py` names a submodule: importing the
        // package and taking the attribute would call this very `__getattr__`.
        let own_package = file.is_package_init()
            && match (module, level) {
                (None, 1) => true,
                (Some(m), 0) => file.module_name.as_deref() == Some(m),
                _ => false,
            };
        let entry = if own_package {
            let sub = if module.is_none() {
                format!(".{member}")
            } else {
                format!("{written}.{member}")
            };
            Entry {
                name: c.verdict.binding.clone(),
                module: sub,
                attribute: None,
            }
        } else {
            Entry {
                name: c.verdict.binding.clone(),
                module: written,
                attribute: Some(member.to_string()),
            }
        };
        push(entry);
        if let Some(sub) = implicit_submodule(module, level, file)
            && !binds_name(body, sub)
        {
            let path = if level == 0 {
                format!("{}.{sub}", file.module_name.as_deref().unwrap_or_default())
            } else {
                format!(".{sub}")
            };
            push(Entry {
                name: sub.to_string(),
                module: path,
                attribute: None,
            });
        }
    }
    entries
}

/// Whether a module-level statement binds `name` (an import, a `def`, a `class`, an assignment).
fn binds_name(body: &[Stmt], name: &str) -> bool {
    let target = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == name);
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(f) => f.name.as_str() == name,
        Stmt::ClassDef(c) => c.name.as_str() == name,
        Stmt::Assign(a) => a.targets.iter().any(target),
        Stmt::AnnAssign(a) => target(&a.target),
        Stmt::Import(_) | Stmt::ImportFrom(_) => super::statement_aliases(stmt)
            .iter()
            .any(|a| crate::index::bound_name(a, matches!(stmt, Stmt::ImportFrom(_))) == name),
        _ => false,
    })
}

/// The edit that writes or extends the table (none when nothing is new).
pub(crate) fn edits(
    candidates: &[Candidate<'_>],
    index: &Index<'_>,
    body: &[Stmt],
    source: &str,
    file: &SourceFile,
) -> Vec<Edit> {
    let fresh = new_entries(candidates, index, body, file);
    if fresh.is_empty() {
        return Vec::new();
    }
    let eol = super::line_ending(source);
    let unit = "    ";
    if let Some(table) = &index.own_table {
        let mut entries = table.entries.clone();
        for entry in fresh {
            if !entries.iter().any(|e| e.name == entry.name) {
                entries.push(entry);
            }
        }
        let added = &entries[table.entries.len()..];
        if added.is_empty() {
            return Vec::new();
        }
        // A table whose hooks were deleted gets them back at the end of the file.
        let mut edits = Vec::new();
        if table.hooks.is_empty() {
            let mut text = String::new();
            if !super::has_break(source) {
                text.push_str(eol);
            }
            push_hooks(&mut text, eol);
            let end = TextSize::try_from(source.len()).unwrap_or_default();
            edits.push(Edit::insertion(end, text));
        }
        // The new entries go on their own lines before the closing brace, so that whatever the table holds
        // (comments, ruff's layout) stays as it is.
        let close = table.range().end() - TextSize::new(1);
        let prefix = super::line_prefix(source, close);
        if source[usize::from(close)..].starts_with('}') && prefix.trim().is_empty() {
            let mut text = String::new();
            for entry in added {
                text.push_str(&render_entry(entry, eol, unit));
            }
            let at = close - TextSize::try_from(prefix.len()).unwrap_or_default();
            edits.push(Edit::insertion(at, text));
        } else {
            edits.push(Edit::replacement(
                table.range(),
                render_table(&entries, eol, unit),
            ));
        }
        return edits;
    }
    let mut text = String::new();
    if !source.is_empty() && !super::has_break(source) {
        text.push_str(eol);
    }
    if !source.trim().is_empty() {
        text.push_str(eol);
        text.push_str(eol);
    }
    text.push_str(MARKER);
    text.push_str(eol);
    text.push_str(&render_table(&fresh, eol, unit));
    text.push_str(eol);
    push_hooks(&mut text, eol);
    let end = TextSize::try_from(source.len()).unwrap_or_default();
    vec![Edit::insertion(end, text)]
}

/// [`HOOKS`] with the file's line ending.
fn push_hooks(text: &mut String, eol: &str) {
    for line in HOOKS.lines() {
        text.push_str(line);
        text.push_str(eol);
    }
}

/// `_lazy_attributes = {...}`, one entry a line, without a final line break.
fn render_table(entries: &[Entry], eol: &str, unit: &str) -> String {
    let mut text = format!("{TABLE} = {{{eol}");
    for e in entries {
        text.push_str(&render_entry(e, eol, unit));
    }
    text.push('}');
    text
}

/// One line of the table, line break included.
fn render_entry(e: &Entry, eol: &str, unit: &str) -> String {
    let attribute = e
        .attribute
        .as_ref()
        .map_or_else(|| "None".to_string(), |a| format!("\"{a}\""));
    let mut text = String::new();
    let _ = write!(
        text,
        "{unit}\"{}\": (\"{}\", {attribute}),{eol}",
        e.name, e.module
    );
    text
}

impl Ranged for crate::index::lazy_attributes::OwnTable {
    fn range(&self) -> ruff_text_size::TextRange {
        self.range
    }
}

/// The hooks, as ruff formats them (two blank lines before each `def`).
const HOOKS: &str = r#"

def __getattr__(name):
    try:
        module_name, attribute = _lazy_attributes[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    import importlib

    value = importlib.import_module(module_name, __package__)
    if attribute is not None:
        try:
            value = getattr(value, attribute)
        except AttributeError:
            value = importlib.import_module(f"{value.__name__}.{attribute}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_lazy_attributes))
"#;
