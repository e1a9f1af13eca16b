//! README.md's tables of reasons and notices are generated from the registries in `diagnostic.rs`
//! (`rewrite_reasons!`, `keep_reasons!`, `notices!`). This test renders them and compares them with the region of
//! README.md between the marker comments; `LAZIFY_UPDATE_DOCS=1 cargo test -p lazify_core docs` rewrites the
//! region instead.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::diagnostic::{KeepReason, NoticeKind, ReasonScope, RewriteWhy};

const BEGIN: &str = "<!-- reasons: BEGIN (generated from crates/lazify_core/src/diagnostic.rs by \
                     `LAZIFY_UPDATE_DOCS=1 cargo test -p lazify_core docs`; edit the registries there, not this) -->";
const END: &str = "<!-- reasons: END -->";
const REGENERATE: &str = "LAZIFY_UPDATE_DOCS=1 cargo test -p lazify_core docs";

/// A Markdown table cell: `|` would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn table(out: &mut String, head: &str, rows: impl IntoIterator<Item = (String, String)>) {
    let _ = writeln!(out, "| {head} | Meaning |\n| --- | --- |");
    for (name, doc) in rows {
        let _ = writeln!(out, "| `{name}` | {} |", cell(&doc));
    }
}

/// The generated region of README.md, markers included.
fn render() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}\n\n### Why an import is rewritten\n");
    table(
        &mut out,
        "Reason",
        RewriteWhy::ALL
            .iter()
            .map(|w| (w.name().to_string(), w.doc())),
    );
    let _ = writeln!(out, "\n### Why an import is kept");
    for &scope in ReasonScope::ALL {
        let reasons: Vec<KeepReason> = KeepReason::ALL
            .iter()
            .copied()
            .filter(|r| r.scope() == scope)
            .collect();
        if reasons.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:\n", scope.heading());
        table(
            &mut out,
            "Reason",
            reasons.iter().map(|r| (r.name().to_string(), r.doc())),
        );
    }
    let _ = writeln!(
        out,
        "\n### Notices\n\nBesides the verdicts, lazify reports observations about the file as a whole: a **warning** \
         points at a problem in the code, a **note** tells why lazify left something alone.\n"
    );
    let _ = writeln!(out, "| Notice | Kind | Meaning |\n| --- | --- | --- |");
    for &kind in NoticeKind::ALL {
        let level = if kind.is_warning() { "warning" } else { "note" };
        let _ = writeln!(
            out,
            "| `{}` | {level} | {} |",
            kind.name(),
            cell(&kind.doc())
        );
    }
    let _ = write!(out, "\n{END}");
    out
}

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")
}

#[test]
fn docs_readme_reason_tables_are_generated_from_the_registry() {
    let path = readme_path();
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find("<!-- reasons: BEGIN")
        .unwrap_or_else(|| panic!("README.md has no `<!-- reasons: BEGIN ... -->` marker"));
    let end = readme[start..].find(END).map_or_else(
        || panic!("README.md has no `{END}` marker after the BEGIN marker"),
        |at| start + at + END.len(),
    );
    let expected = render();
    let current = &readme[start..end];
    if current == expected {
        return;
    }
    if std::env::var_os("LAZIFY_UPDATE_DOCS").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        #[expect(
            clippy::disallowed_methods,
            reason = "a developer's regeneration of README.md, not a user's file"
        )]
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    let diff = similar::TextDiff::from_lines(current, &expected)
        .unified_diff()
        .header("README.md", "generated")
        .to_string();
    panic!(
        "README.md's reason tables differ from the registries in crates/lazify_core/src/diagnostic.rs.\n\
         Regenerate them with `{REGENERATE}`.\n\n{diff}"
    );
}

#[test]
fn docs_every_entry_is_documented_and_named_once() {
    let mut names: Vec<&str> = KeepReason::ALL.iter().map(|r| r.name()).collect();
    names.extend(RewriteWhy::ALL.iter().map(|w| w.name()));
    let before = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(before, names.len(), "a reason name is used twice");
    for r in KeepReason::ALL {
        assert!(!r.doc().is_empty(), "`{r}` has no doc comment");
        assert!(!r.message().is_empty(), "`{r}` has no message");
    }
    for w in RewriteWhy::ALL {
        assert!(!w.doc().is_empty(), "`{w}` has no doc comment");
    }
    let mut notices: Vec<&str> = NoticeKind::ALL.iter().map(|n| n.name()).collect();
    let before = notices.len();
    notices.sort_unstable();
    notices.dedup();
    assert_eq!(before, notices.len(), "a notice name is used twice");
    for n in NoticeKind::ALL {
        assert!(!n.doc().is_empty(), "`{n}` has no doc comment");
    }
}

#[test]
fn docs_serialized_names_are_the_registry_names() {
    for r in KeepReason::ALL {
        assert_eq!(
            serde_json::to_value(r).unwrap(),
            serde_json::Value::from(r.name())
        );
    }
    for w in RewriteWhy::ALL {
        assert_eq!(
            serde_json::to_value(w).unwrap(),
            serde_json::Value::from(w.name())
        );
    }
}

#[test]
fn docs_notice_templates_are_filled() {
    let range = crate::TextRange::default();
    let notice =
        NoticeKind::LazyModulesPackageEntry.at(range, &[("entry", "pkg"), ("module", ".")]);
    assert_eq!(
        notice.message,
        "listing `pkg` makes every `from . import ...` in this module lazy"
    );
    assert_eq!(notice.name, "lazy-modules-package-entry");
    assert!(notice.warning);
    let notice = NoticeKind::LazyModulesOpaque.at(range, &[]);
    assert!(!notice.warning);
    assert!(!notice.message.contains('{'));
    // Every placeholder is a plain word, closed on the same template.
    for kind in NoticeKind::ALL {
        let template = kind.template();
        assert_eq!(
            template.matches('{').count(),
            template.matches('}').count(),
            "`{kind}`: unbalanced placeholder braces"
        );
    }
}
