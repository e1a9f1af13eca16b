//! The words of a finding, written once for every caller: its code, its message, the one-line hint under it,
//! and the title of its fix. The command line's report, `--explain`, JSON and GitHub output, and the language
//! server's diagnostics and code actions all take them from here.

use crate::RewriteWhy;
use crate::diagnostic::{
    DEFERRABLE_CODE, Decision, EngineError, FileOutcome, ImportVerdict, KeepReason,
    RESOLVED_AT_ONCE_CODE,
};
use crate::fix::Fix;
use crate::settings::Style;

/// One verdict of a file with the fix that rewrites it (`None` for a kept import). Made by
/// [`FileOutcome::findings`].
#[derive(Clone, Copy, Debug)]
pub struct Finding<'a> {
    /// The verdict.
    pub verdict: &'a ImportVerdict,
    /// Its index in [`FileOutcome::verdicts`].
    pub index: usize,
    /// The fix that rewrites it, shared with the other findings of its group when it has one.
    pub fix: Option<&'a Fix>,
}

impl Finding<'_> {
    /// `LZF001` for a rewrite, `LZF002` for a `lazy` import made eager, `keep::<reason>` for a kept import.
    pub fn code(&self) -> String {
        self.verdict.code()
    }

    /// The one-line message.
    pub fn message(&self) -> String {
        self.verdict.message()
    }

    /// The title of its fix.
    pub fn fix_title(&self) -> Option<&str> {
        self.fix.map(Fix::title)
    }
}

impl FileOutcome {
    /// Every verdict with its fix, in source order.
    pub fn findings(&self) -> impl Iterator<Item = Finding<'_>> {
        self.verdicts
            .iter()
            .enumerate()
            .map(|(index, verdict)| Finding {
                verdict,
                index,
                fix: self.fix_of(index),
            })
    }

    /// The fix that rewrites the verdict at `index`.
    pub fn fix_of(&self, index: usize) -> Option<&Fix> {
        self.fixes.iter().find(|f| f.members().contains(&index))
    }
}

impl ImportVerdict {
    /// The finding code: `LZF001` for a rewrite, `LZF002` for a `lazy` import made eager, `keep::<reason>` for
    /// a kept import.
    pub fn code(&self) -> String {
        match &self.decision {
            Decision::Rewrite {
                why: RewriteWhy::ResolvedAtOnce,
                ..
            } => RESOLVED_AT_ONCE_CODE.to_string(),
            Decision::Rewrite { .. } => DEFERRABLE_CODE.to_string(),
            Decision::Keep { reason, .. } => format!("keep::{reason}"),
        }
    }

    /// The one-line message, e.g. ``Make `import json` lazy (used only in deferred code)``.
    pub fn message(&self) -> String {
        match &self.decision {
            Decision::Rewrite {
                why: RewriteWhy::ResolvedAtOnce,
                ..
            } => format!(
                "Make `{}` eager: module-level code reads it at once, so being lazy gains nothing",
                self.describe()
            ),
            Decision::Rewrite {
                why: why @ RewriteWhy::LazyAttribute,
                ..
            } => format!(
                "Make `{}` a lazy attribute ({})",
                self.describe(),
                why.message()
            ),
            Decision::Rewrite {
                style: Style::Local,
                why,
            } => format!(
                "Move `{}` into the functions that use it ({})",
                self.describe(),
                why.message()
            ),
            Decision::Rewrite { why, .. } => {
                format!("Make `{}` lazy ({})", self.describe(), why.message())
            }
            // Kept as it is, but not eager: saying "Keep ... eager" would contradict the reason.
            Decision::Keep {
                reason: KeepReason::AlreadyLazy,
                detail,
                ..
            } => match detail {
                Some(detail) => format!("`{}` is already lazy ({detail})", self.describe()),
                None => format!("`{}` is already lazy", self.describe()),
            },
            Decision::Keep { reason, detail, .. } => {
                let text = format!("Keep `{}` eager: {}", self.describe(), reason.message());
                match detail {
                    Some(detail) => format!("{text} ({detail})"),
                    None => text,
                }
            }
        }
    }

    /// What the style does with this one import, the `help:` line under a rewrite in `--explain` (a fix's
    /// [`Fix::title`] names the statements it rewrites instead).
    pub fn hint(&self) -> Option<String> {
        let Decision::Rewrite { style, why } = self.decision else {
            return None;
        };
        if why == RewriteWhy::ResolvedAtOnce {
            return Some(
                "Remove `lazy` (or the module's `__lazy_modules__` entry): the import then loads the module where \
                 it stands"
                    .to_string(),
            );
        }
        if why == RewriteWhy::LazyAttribute {
            return Some(
                "Bind the name on first attribute access with the module's `__getattr__`"
                    .to_string(),
            );
        }
        Some(match style {
            Style::Lazy => "Convert to `lazy` import".to_string(),
            Style::LazyModules => format!("Add `{}` to `__lazy_modules__`", self.listed_module()),
            Style::Local => "Move the import into the functions that use it".to_string(),
        })
    }

    /// The entry `__lazy_modules__` tests for this import.
    fn listed_module(&self) -> &str {
        self.resolved_module.as_deref().unwrap_or(&self.module)
    }

    /// The name as written in its statement: `a.b`, `a.b as c`, `x as y`.
    fn written_name(&self) -> String {
        let (name, default_binding) = match &self.member {
            Some(member) => (member.as_str(), member.as_str()),
            None => (
                self.module.as_str(),
                self.module.split('.').next().unwrap_or_default(),
            ),
        };
        if self.binding == default_binding {
            name.to_string()
        } else {
            format!("{name} as {}", self.binding)
        }
    }
}

impl EngineError {
    /// The error's code, e.g. `lazify::fix_broke_syntax` (the one the command line prints and the server
    /// publishes).
    pub fn error_code(&self) -> String {
        miette::Diagnostic::code(self).map_or_else(String::new, |c| c.to_string())
    }
}

/// The title of a fix that rewrites `members` (verdicts, in source order): ``Make `json` lazy``,
/// ``Make `from os.path import join as j, split` lazy``, ``Add `a`, `b` to `__lazy_modules__` ``,
/// ``Move `import json` into the functions that use it``. A fix that covers several statements names them all.
pub(crate) fn fix_title(members: &[&ImportVerdict]) -> String {
    let Some(first) = members.first() else {
        return String::new();
    };
    let Decision::Rewrite { style, .. } = first.decision else {
        return String::new();
    };
    if first.is_resolved_at_once() {
        return format!("Make `{}` eager", statement_text(members));
    }
    if style == Style::LazyModules {
        let mut modules: Vec<&str> = members.iter().map(|v| v.listed_module()).collect();
        modules.sort_unstable();
        modules.dedup();
        return format!("Add {} to `__lazy_modules__`", backticked(&modules));
    }
    // One entry per statement, in order: `import a, b as c`, `from m import x`.
    let mut statements: Vec<(ruff_text_size::TextRange, Vec<&ImportVerdict>)> = Vec::new();
    for v in members {
        match statements.last_mut() {
            Some((range, names)) if *range == v.stmt_range => names.push(v),
            _ => statements.push((v.stmt_range, vec![v])),
        }
    }
    let texts: Vec<String> = statements
        .iter()
        .map(|(_, names)| {
            let list = names
                .iter()
                .map(|v| v.written_name())
                .collect::<Vec<_>>()
                .join(", ");
            match &names[0].member {
                Some(_) => format!("from {} import {list}", names[0].module),
                None => format!("import {list}"),
            }
        })
        .collect();
    // The same import in several functions (`--hoist`) is named once.
    let mut unique: Vec<&str> = Vec::with_capacity(texts.len());
    for text in &texts {
        if !unique.contains(&text.as_str()) {
            unique.push(text);
        }
    }
    let texts = unique;
    let several = texts.len() > 1;
    if first.is_hoisted() {
        return if several {
            format!(
                "Hoist {} to module-level `lazy` imports",
                backticked(&texts)
            )
        } else {
            format!(
                "Hoist {} to a module-level `lazy` import",
                backticked(&texts)
            )
        };
    }
    if members.iter().any(|v| v.is_lazy_attribute()) {
        return if members.iter().all(|v| v.is_lazy_attribute()) {
            format!(
                "Make {} {} behind `__getattr__`",
                backticked(&texts),
                if several {
                    "lazy attributes"
                } else {
                    "a lazy attribute"
                }
            )
        } else {
            format!(
                "Move {} into functions or behind `__getattr__`",
                backticked(&texts)
            )
        };
    }
    match style {
        Style::Local if several => format!(
            "Move {} into the functions that use them",
            backticked(&texts)
        ),
        Style::Local => format!("Move {} into the functions that use it", backticked(&texts)),
        _ if !several && members.len() == 1 && first.member.is_none() => {
            format!("Make `{}` lazy", first.module)
        }
        _ => format!("Make {} lazy", backticked(&texts)),
    }
}

/// The statement the members share, as written without `lazy`: `import a, b as c`, `from m import x, y`.
fn statement_text(members: &[&ImportVerdict]) -> String {
    let list = members
        .iter()
        .map(|v| v.written_name())
        .collect::<Vec<_>>()
        .join(", ");
    match &members[0].member {
        Some(_) => format!("from {} import {list}", members[0].module),
        None => format!("import {list}"),
    }
}

fn backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use ruff_text_size::TextRange;

    use super::*;
    use crate::RewriteWhy;

    fn verdict(module: &str, member: Option<&str>, binding: &str, style: Style) -> ImportVerdict {
        ImportVerdict {
            stmt_range: TextRange::default(),
            alias_range: TextRange::default(),
            module: module.to_string(),
            resolved_module: None,
            member: member.map(str::to_string),
            binding: binding.to_string(),
            decision: Decision::Rewrite {
                style,
                why: RewriteWhy::UsedOnlyDeferred,
            },
            chain: None,
            proof: None,
            note: None,
        }
    }

    #[test]
    fn titles_name_the_import() {
        let np = verdict("numpy", None, "numpy", Style::Lazy);
        assert_eq!(fix_title(&[&np]), "Make `numpy` lazy");
        let join = verdict("os.path", Some("join"), "j", Style::Lazy);
        let split = verdict("os.path", Some("split"), "split", Style::Lazy);
        assert_eq!(
            fix_title(&[&join, &split]),
            "Make `from os.path import join as j, split` lazy"
        );
        let np = verdict("numpy", None, "numpy", Style::LazyModules);
        let a = verdict("a", None, "a", Style::LazyModules);
        assert_eq!(fix_title(&[&np]), "Add `numpy` to `__lazy_modules__`");
        assert_eq!(
            fix_title(&[&np, &a, &np]),
            "Add `a`, `numpy` to `__lazy_modules__`"
        );
        assert_eq!(
            np.message(),
            "Make `import numpy` lazy (used only in deferred code)"
        );
    }

    #[test]
    fn an_import_already_lazy_is_not_called_eager() {
        let mut os = verdict("os", None, "os", Style::Lazy);
        os.decision = Decision::Keep {
            reason: KeepReason::AlreadyLazy,
            span: TextRange::default(),
            detail: None,
        };
        assert_eq!(os.message(), "`import os` is already lazy");
        os.decision = Decision::Keep {
            reason: KeepReason::InTry,
            span: TextRange::default(),
            detail: None,
        };
        assert!(os.message().starts_with("Keep `import os` eager: "));
    }

    #[test]
    fn group_titles_name_every_statement() {
        let mut json = verdict("json", None, "json", Style::Local);
        let mut csv = verdict("csv", None, "c", Style::Local);
        json.stmt_range = TextRange::new(0.into(), 11.into());
        csv.stmt_range = TextRange::new(12.into(), 27.into());
        assert_eq!(
            fix_title(&[&json]),
            "Move `import json` into the functions that use it"
        );
        assert_eq!(
            fix_title(&[&json, &csv]),
            "Move `import json`, `import csv as c` into the functions that use them"
        );
    }
}
