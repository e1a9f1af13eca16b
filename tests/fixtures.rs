//! Check fixtures: one Python file per situation in `tests/fixtures/<group>/<case>.py`, one test each, one insta
//! snapshot each in `snapshots/checks/<group>__<case>.snap`.
//!
//! A snapshot holds the settings used, the style, every verdict (position of the imported name, the import as
//! written, rewrite or keep, the reason, and for a keep the position and text of the span that proves it), the
//! notices, the error if any, and the unified diff of the rewrite. Control characters that matter to the
//! byte-for-byte promise are shown escaped in the diff: `\r`, `\t` and a BOM as `\u{feff}`.
//!
//! # Fixture header
//!
//! A fixture's first lines may be `# lazify-test:` comments holding `key=value` settings separated by spaces
//! (a leading BOM is allowed before the first one). They stay in the source given to the engine; they are only
//! comments. Keys:
//!
//! | key | values | default |
//! | --- | --- | --- |
//! | `style` | `lazy`, `lazy-modules`, `auto` (let the engine pick from the target) | `lazy` |
//! | `target` | `py315`, `3.11`, ..., `none` (unknown) | `py315` |
//! | `path` | the file's path as the engine sees it, e.g. `pkg/__init__.py` or `stub.pyi` | `<case>.py` |
//! | `module` | the dotted module name, or `none` (unknown) | derived from `path`: `pkg/sub.py` → `pkg.sub`, `pkg/__init__.py` → `pkg` |
//! | `keep` | comma-separated keep patterns (`numpy,pkg.*`) | none |
//! | `include-preloaded` | `true`, `false` | `false` |
//! | `lazy-reexports` | `true`, `false` | `true` |
//! | `hoist` | `true`, `false` (`--hoist`) | `false` |
//! | `type-checking-imports` | `true`, `false` (`--type-checking-imports`) | `false` |
//! | `project` | a folder name, relative to the fixture's group folder (see below) | none |
//! | `effects` | `true`, `false`: analyse the import-time effects of the project's modules (needs `project`) | `false` |
//!
//! Example: `# lazify-test: style=lazy-modules target=py311 path=pkg/__init__.py keep=numpy`.
//!
//! # Project facts (`project=<dir>`)
//!
//! Style `local` and `--hoist` also depend on facts other files hold (`mock.patch("pkg.mod.name")` strings,
//! `from pkg.mod import name` elsewhere, `patch.dict(sys.modules, ...)`, import cycles). A fixture with
//! `project=<dir>` runs as if it sat in a project made of the `.py` files under `tests/fixtures/<group>/<dir>/`
//! (usually `<dir>` is the case name): each of them is scanned with `lazify_core::facts::scan`, as the file at
//! its path relative to `<dir>` (module name derived from that path, as for `path`), and so is the text being
//! run (the fixture at its `path`, and on the second run lazify's own output, as a second `lazify` run would
//! rescan it). The merged `ProjectFacts` go in `Settings::project`. Without `project`, `Settings::project` is
//! `None`: only the fixture itself is known. The files under such a folder are not fixtures themselves; the
//! snapshot lists them after the settings.
//!
//! # Invariants checked on every fixture
//!
//! - A rewrite verdict exists exactly when there is rewritten text.
//! - The rewritten text is accepted by the engine (it re-parses and passes the placement check: `run` on it
//!   reports no error) and a second run changes nothing (`fixed` is `None`).
//! - The BOM, the line-ending style and the presence of a final newline are as they were.
//! - Style `local` leaves no stray blank lines (issue 3): the output has no longer run of blank lines than the
//!   input, no more blank lines right after a line ending in `:` (a block's first line) than the input, and
//!   starts with a blank line only if the input did.
//! - After `ruff check --select I --fix` and `ruff format` on the output (ruff from `LAZIFY_RUFF` or `PATH`, written
//!   against ruff 0.17.5), lazify has nothing more to do. Without ruff this step is skipped with a loud message,
//!   or fails when `CI` is set.
//!
//! - The `# Expect:` comment (a line starting `# Expect:`, with the `#` lines right after it), where there is one,
//!   says in words what the fixture should show, and two things in it are checked: every verdict reason or notice
//!   name it mentions (`keep (in-try)`, `rewrite (re-export)`, `lazy-modules-is-str`) must be reported by the
//!   outcome, so an alternative the engine does not take is described without its name; and when its first word is
//!   `keep`, `rewrite` or `skipped`, at least one import is kept, at least one is rewritten, or the file is
//!   skipped.
//!
//! Adding a fixture: create the file, add its name to the `fixtures!` list below (a test fails when a file is not
//! listed), run `INSTA_UPDATE=always cargo test -p lazify_core --test fixtures`, and read the new snapshot.

#![expect(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a test harness: failing loudly and telling why a check was skipped is its job"
)]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lazify_core::{
    Decision, FileOutcome, KeepList, KeepReason, NoticeKind, ProjectFacts, PythonVersion,
    RewriteWhy, Settings, SourceFile, Style, TextRange, line_column,
};

/// The settings one fixture runs with, from its header.
#[derive(Debug)]
struct Fixture {
    /// `group/case.py`, relative to `tests/fixtures`.
    name: String,
    /// The snapshot name, `group__case`.
    snapshot: String,
    source: String,
    /// The path the engine sees.
    path: PathBuf,
    module: Option<String>,
    style: Option<Style>,
    target: Option<PythonVersion>,
    keep: Vec<String>,
    include_preloaded: bool,
    lazy_reexports: bool,
    hoist: bool,
    type_checking_imports: bool,
    /// `project=<dir>`: the folder name, relative to the group folder.
    project: Option<String>,
    /// `effects=true`: an effect oracle over the project's files (modules outside them are unknown, and trusted).
    effects: bool,
    /// The project's other files: path relative to the project folder, and text.
    project_files: Vec<(PathBuf, String)>,
}

impl Fixture {
    fn load(group: &str, case: &str) -> Self {
        let name = format!("{group}/{case}.py");
        let file = support::repo_root().join("tests/fixtures").join(&name);
        let source = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", file.display()));
        let mut fixture = Fixture {
            name,
            snapshot: format!("{group}__{case}"),
            path: PathBuf::from(format!("{case}.py")),
            module: None,
            style: Some(Style::Lazy),
            target: Some(PythonVersion::PY315),
            keep: Vec::new(),
            include_preloaded: false,
            lazy_reexports: true,
            hoist: false,
            type_checking_imports: false,
            project: None,
            effects: false,
            project_files: Vec::new(),
            source: String::new(),
        };
        let mut module: Option<Option<String>> = None;
        // Lines end at `\n`, `\r\n` or a lone `\r`, as Python reads them.
        for line in source
            .trim_start_matches('\u{feff}')
            .split("\r\n")
            .flat_map(|l| l.split(['\n', '\r']))
        {
            let Some(rest) = line.strip_prefix("# lazify-test:") else {
                break;
            };
            for pair in rest.split_whitespace() {
                let (key, value) = pair.split_once('=').unwrap_or_else(|| {
                    panic!("{}: header entry `{pair}` is not key=value", fixture.name)
                });
                match key {
                    "style" => {
                        fixture.style = match value {
                            "auto" => None,
                            other => Some(
                                other
                                    .parse()
                                    .unwrap_or_else(|e| panic!("{}: {e}", fixture.name)),
                            ),
                        }
                    }
                    "target" => {
                        fixture.target = match value {
                            "none" => None,
                            other => Some(
                                other
                                    .parse()
                                    .unwrap_or_else(|e| panic!("{}: {e}", fixture.name)),
                            ),
                        }
                    }
                    "path" => fixture.path = PathBuf::from(value),
                    "module" => module = Some((value != "none").then(|| value.to_string())),
                    "keep" => fixture.keep = value.split(',').map(str::to_string).collect(),
                    "include-preloaded" => {
                        fixture.include_preloaded = parse_bool(&fixture.name, value);
                    }
                    "lazy-reexports" => fixture.lazy_reexports = parse_bool(&fixture.name, value),
                    "hoist" => fixture.hoist = parse_bool(&fixture.name, value),
                    "type-checking-imports" => {
                        fixture.type_checking_imports = parse_bool(&fixture.name, value);
                    }
                    "project" => fixture.project = Some(value.to_string()),
                    "effects" => fixture.effects = parse_bool(&fixture.name, value),
                    other => panic!("{}: unknown header key `{other}`", fixture.name),
                }
            }
        }
        fixture.module = module.unwrap_or_else(|| Some(module_name_of(&fixture.path)));
        fixture.source = source;
        if let Some(dir) = &fixture.project {
            let root = support::repo_root()
                .join("tests/fixtures")
                .join(group)
                .join(dir);
            fixture.project_files = python_files_under(&root)
                .into_iter()
                .map(|rel| {
                    let text = std::fs::read_to_string(root.join(&rel)).unwrap_or_else(|e| {
                        panic!("{}: cannot read project file {rel}: {e}", fixture.name)
                    });
                    (PathBuf::from(rel), text)
                })
                .collect();
            assert!(
                !fixture.project_files.is_empty(),
                "{}: `project={dir}` names {}, which holds no .py file",
                fixture.name,
                root.display()
            );
        }
        fixture
    }

    /// The project facts for a run on `source` (the fixture's text or lazify's output): every project file plus
    /// `source` itself at the fixture's path. `None` without `project=`.
    fn project_facts(&self, source: &str) -> Option<std::sync::Arc<ProjectFacts>> {
        self.project.as_ref()?;
        let mut facts = ProjectFacts::default();
        let files = self
            .project_files
            .iter()
            .map(|(path, text)| (path.clone(), Some(module_name_of(path)), text.as_str()))
            .chain(std::iter::once((
                self.path.clone(),
                self.module.clone(),
                source,
            )));
        for (path, module, text) in files {
            let mut file = SourceFile::new(&path);
            if let Some(module) = module {
                file = file.with_module_name(module);
            }
            let scanned = lazify_core::facts::scan(text, &file).unwrap_or_else(|| {
                panic!(
                    "{}: project file {} does not parse",
                    self.name,
                    path.display()
                )
            });
            facts.add(&path, text, scanned);
        }
        Some(std::sync::Arc::new(facts))
    }

    fn settings(&self) -> Settings {
        Settings {
            style: self.style,
            target_version: self.target,
            target_version_source: self.target.map(|_| "the fixture header".to_string()),
            keep: KeepList::new(self.keep.iter().cloned())
                .unwrap_or_else(|e| panic!("{}: {e}", self.name)),
            include_preloaded: self.include_preloaded,
            lazy_reexports: self.lazy_reexports,
            hoist: self.hoist,
            type_checking_imports: self.type_checking_imports,
            ..Settings::default()
        }
    }

    fn source_file(&self) -> SourceFile {
        let file = SourceFile::new(&self.path);
        match &self.module {
            Some(module) => file.with_module_name(module.clone()),
            None => file,
        }
    }

    fn run(&self, source: &str) -> FileOutcome {
        let mut settings = self.settings();
        settings.project = self.project_facts(source);
        if self.effects {
            let mut locator = lazify_core::effects::MapLocator::default();
            for (path, text) in &self.project_files {
                locator = locator.with(&module_name_of(path), &path.to_string_lossy(), text);
            }
            settings.effects = Some(std::sync::Arc::new(lazify_core::effects::Analyzer::new(
                locator,
            )));
        }
        lazify_core::run(source, &self.source_file(), &settings)
    }

    fn describe_settings(&self) -> String {
        let style = self.style.map_or("auto", Style::as_str);
        let target = self
            .target
            .map_or_else(|| "none".to_string(), |t| t.to_string());
        let module = self.module.as_deref().unwrap_or("none");
        let mut s = format!(
            "style={style} target={target} path={} module={module}",
            self.path.display()
        );
        if !self.keep.is_empty() {
            let _ = write!(s, " keep={}", self.keep.join(","));
        }
        if self.include_preloaded {
            s.push_str(" include-preloaded=true");
        }
        if !self.lazy_reexports {
            s.push_str(" lazy-reexports=false");
        }
        if self.hoist {
            s.push_str(" hoist=true");
        }
        if self.type_checking_imports {
            s.push_str(" type-checking-imports=true");
        }
        if let Some(dir) = &self.project {
            let _ = write!(s, " project={dir}");
        }
        if self.effects {
            s.push_str(" effects=true");
        }
        s
    }
}

fn parse_bool(fixture: &str, value: &str) -> bool {
    match value {
        "true" => true,
        "false" => false,
        other => panic!("{fixture}: expected true or false, got `{other}`"),
    }
}

/// `pkg/sub.py` → `pkg.sub`, `pkg/__init__.py` → `pkg`, `stub.pyi` → `stub`.
fn module_name_of(path: &Path) -> String {
    let mut parts: Vec<String> = path
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "__init__") {
        parts.pop();
    }
    parts.join(".")
}

/// `line:col` of an offset.
fn position(source: &str, offset: lazify_core::TextSize) -> String {
    let (line, column) = line_column(source, offset);
    format!("{line}:{column}")
}

/// The text of a span, on one line: the first line only (with `...` when it goes on), at most 80 characters.
fn span_text(source: &str, range: TextRange) -> String {
    let text = &source[usize::from(range.start())..usize::from(range.end())];
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().trim_end_matches('\r');
    let mut shown: String = first.chars().take(80).collect();
    if lines.next().is_some() || first.chars().count() > 80 {
        shown.push_str("...");
    }
    shown
}

/// Makes the characters the byte-for-byte promise is about visible.
fn escape_invisible(text: &str) -> String {
    text.replace('\r', "\\r")
        .replace('\t', "\\t")
        .replace('\u{feff}', "\\u{feff}")
}

fn render(fixture: &Fixture, outcome: &FileOutcome) -> String {
    let source = &fixture.source;
    let mut out = String::new();
    let _ = writeln!(out, "fixture: {}", fixture.name);
    let _ = writeln!(out, "settings: {}", fixture.describe_settings());
    for (path, _) in &fixture.project_files {
        let _ = writeln!(
            out,
            "project file: {} (module {})",
            path.display(),
            module_name_of(path)
        );
    }
    let _ = writeln!(
        out,
        "style: {}",
        outcome.style.map_or("none", Style::as_str)
    );
    if let Some(note) = &outcome.style_note {
        let _ = writeln!(out, "style note: {note}");
    }
    if let Some(skipped) = outcome.skipped {
        let _ = writeln!(out, "skipped: {skipped:?}");
    }
    let _ = writeln!(out, "\nverdicts:");
    if outcome.verdicts.is_empty() {
        out.push_str("  (none)\n");
    }
    for verdict in &outcome.verdicts {
        let at = position(source, verdict.alias_range.start());
        let resolved = match &verdict.resolved_module {
            Some(resolved) if *resolved != verdict.module => format!(" [module {resolved}]"),
            Some(_) => String::new(),
            None => " [module unknown]".to_string(),
        };
        let decision = match &verdict.decision {
            Decision::Rewrite { style, why } => {
                let mut text = format!("rewrite ({}, {})", style.as_str(), rewrite_why_name(*why));
                if let Some(proof) = verdict.proof {
                    let _ = write!(
                        text,
                        " proof: {} `{}`",
                        position(source, proof.start()),
                        &source[proof]
                    );
                }
                text
            }
            Decision::Keep {
                reason,
                span,
                detail,
            } => {
                let mut text = format!("keep ({})", reason.name());
                if let Some(detail) = detail {
                    let _ = write!(text, " ({detail})");
                }
                if span.is_empty() {
                    text.push_str(" proof: none");
                } else {
                    let _ = write!(
                        text,
                        " proof: {} `{}`",
                        position(source, span.start()),
                        span_text(source, *span)
                    );
                }
                text
            }
        };
        let _ = writeln!(
            out,
            "  {at} `{}`{resolved} -> {decision}",
            verdict.describe()
        );
    }
    let _ = writeln!(out, "\nnotices:");
    if outcome.notices.is_empty() {
        out.push_str("  (none)\n");
    }
    for notice in &outcome.notices {
        let level = if notice.warning { "warning" } else { "info" };
        let _ = writeln!(
            out,
            "  {} {level} {}: {}",
            position(source, notice.range.start()),
            notice.name,
            notice.message
        );
    }
    let _ = writeln!(out, "\nerror:");
    match &outcome.error {
        None => out.push_str("  (none)\n"),
        Some(error) => {
            let at = error
                .range()
                .map_or_else(|| "-".to_string(), |r| position(source, r.start()));
            let _ = writeln!(out, "  {at} {error}");
        }
    }
    let _ = writeln!(out, "\ndiff:");
    match &outcome.fixed {
        None => out.push_str("  (no change)\n"),
        Some(fixed) => {
            let path = fixture.path.display().to_string();
            let diff = similar::TextDiff::from_lines(source.as_str(), fixed.as_str());
            let text = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string();
            out.push_str(&escape_invisible(&text));
        }
    }
    out
}

/// The kebab-case name of a rewrite's justification, as it appears in JSON output.
fn rewrite_why_name(why: lazify_core::RewriteWhy) -> String {
    match serde_json::to_value(why) {
        Ok(serde_json::Value::String(name)) => name,
        other => panic!("RewriteWhy serialised to {other:?}"),
    }
}

/// The fixture's `# Expect:` comment (that line and the `#` lines right after it), as one line of text.
fn expect_comment(source: &str) -> Option<String> {
    let mut lines = source.lines().skip_while(|l| !l.starts_with("# Expect:"));
    let first = lines.next()?.strip_prefix("# Expect:")?;
    let mut text = first.trim().to_string();
    for line in lines.map_while(|l| l.strip_prefix('#')) {
        text.push(' ');
        text.push_str(line.trim());
    }
    Some(text)
}

/// Checks the fixture's `# Expect:` comment (see the module docs) against the outcome.
fn check_expect_comment(fixture: &Fixture, outcome: &FileOutcome) {
    let name = &fixture.name;
    let Some(expect) = expect_comment(&fixture.source) else {
        return;
    };
    let mut reported: Vec<&str> = Vec::new();
    for v in &outcome.verdicts {
        match &v.decision {
            Decision::Keep { reason, .. } => reported.push(reason.name()),
            Decision::Rewrite { why, .. } => reported.push(why.name()),
        }
    }
    reported.extend(outcome.notices.iter().map(|n| n.name));
    let registry = KeepReason::ALL
        .iter()
        .map(|r| r.name())
        .chain(RewriteWhy::ALL.iter().map(|w| w.name()))
        .chain(NoticeKind::ALL.iter().map(|n| n.name()));
    let words: Vec<&str> = expect
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    for registered in registry {
        if words.contains(&registered) {
            assert!(
                reported.contains(&registered),
                "{name}: the `# Expect:` comment names `{registered}`, which the outcome does not report \
                 (it reports {reported:?}): fix the comment or the engine.\n  # Expect: {expect}"
            );
        }
    }
    let claim = expect.split_whitespace().next().unwrap_or_default();
    match claim.trim_end_matches([',', '.', ';']) {
        "keep" => assert!(
            outcome.verdicts.iter().any(|v| !v.is_rewrite()),
            "{name}: the `# Expect:` comment starts with `keep`, but no import is kept.\n  # Expect: {expect}"
        ),
        "rewrite" => assert!(
            outcome.rewrites().next().is_some(),
            "{name}: the `# Expect:` comment starts with `rewrite`, but nothing is rewritten.\n  # Expect: {expect}"
        ),
        "skipped" => assert!(
            outcome.skipped.is_some(),
            "{name}: the `# Expect:` comment starts with `skipped`, but the file was analysed.\n  # Expect: {expect}"
        ),
        _ => {}
    }
}

/// Whether `text` has a `\n` not preceded by `\r`.
fn has_lone_lf(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
}

fn check_invariants(fixture: &Fixture, outcome: &FileOutcome) {
    let name = &fixture.name;
    let rewrites = outcome.rewrites().count();
    match (&outcome.fixed, &outcome.error) {
        (Some(_), Some(error)) => panic!("{name}: both rewritten text and an error: {error}"),
        (Some(fixed), None) => {
            assert!(
                rewrites > 0,
                "{name}: the text changed but no verdict says rewrite"
            );
            assert_ne!(
                fixed, &fixture.source,
                "{name}: `fixed` is set but equals the input"
            );
            let second = fixture.run(fixed);
            assert!(
                second.error.is_none(),
                "{name}: the rewritten text is refused by the engine: {:?}\n--- output ---\n{fixed}",
                second.error
            );
            assert!(
                second.fixed.is_none(),
                "{name}: not idempotent; a second run changes the output again\n--- first output ---\n{fixed}\n--- second output ---\n{}",
                second.fixed.map(String::from).unwrap_or_default()
            );
            assert_eq!(
                fixed.starts_with('\u{feff}'),
                fixture.source.starts_with('\u{feff}'),
                "{name}: the BOM was not kept as it was"
            );
            assert_eq!(
                fixed.ends_with('\n'),
                fixture.source.ends_with('\n'),
                "{name}: the final newline was not kept as it was"
            );
            if fixture.source.contains("\r\n") && !has_lone_lf(&fixture.source) {
                assert!(
                    !has_lone_lf(fixed),
                    "{name}: a CRLF file got a bare LF line ending"
                );
            }
            if !fixture.source.contains('\r') {
                assert!(!fixed.contains('\r'), "{name}: an LF file got a CR");
            }
            if !fixture.source.contains('\n') {
                assert!(
                    !fixed.contains('\n'),
                    "{name}: a file with lone-CR line endings got an LF"
                );
            }
            if outcome.style == Some(Style::Local) {
                check_no_stray_blank_lines(name, &fixture.source, fixed);
            }
            check_fixes(name, &fixture.source, outcome, fixed);
        }
        (None, _) => {
            assert_eq!(
                rewrites, 0,
                "{name}: {rewrites} verdict(s) say rewrite but there is no rewritten text (error: {:?})",
                outcome.error
            );
        }
    }
}

/// The findings carry their fixes (issue 13): every rewrite verdict is a member of exactly one fix and no kept
/// import is; the fixes' edits applied together in one pass give the rewritten text; and each fix applied
/// alone to the original gives text that passes the engine's verification (the server's quick fix).
fn check_fixes(name: &str, source: &str, outcome: &FileOutcome, fixed: &str) {
    for finding in outcome.findings() {
        let owners = outcome
            .fixes
            .iter()
            .filter(|f| f.members().contains(&finding.index))
            .count();
        let expected = usize::from(finding.verdict.is_rewrite());
        assert_eq!(
            owners,
            expected,
            "{name}: `{}` is a member of {owners} fixes",
            finding.verdict.describe()
        );
        if finding.verdict.is_rewrite() {
            assert!(
                finding.fix_title().is_some_and(|t| !t.is_empty()),
                "{name}: `{}` has no fix title",
                finding.verdict.describe()
            );
        }
    }
    let all: Vec<lazify_core::edit::Edit> = outcome
        .fixes
        .iter()
        .flat_map(|f| f.edits().iter().cloned())
        .collect();
    let together = match lazify_core::edit::apply(source, all) {
        Ok(text) => text,
        Err(error) => panic!("{name}: the fixes overlap: {error}"),
    };
    assert_eq!(
        together.as_str(),
        fixed,
        "{name}: the fixes applied together differ from the rewritten text"
    );
    for fix in &outcome.fixes {
        if let Err(error) = lazify_core::verify_fix(source, fix) {
            panic!(
                "{name}: the fix `{}` alone does not verify: {error}",
                fix.title()
            );
        }
    }
}

/// The blank-line shape of a text: (longest run of blank lines, blank lines right after a line ending in `:`,
/// whether the first line is blank).
fn blank_line_shape(text: &str) -> (usize, usize, bool) {
    let lines: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let blank = |l: &&str| l.trim().is_empty();
    let mut longest = 0;
    let mut run = 0;
    for line in &lines {
        run = if blank(line) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let after_colon = lines
        .windows(2)
        .filter(|w| {
            let code = w[0].split('#').next().unwrap_or_default().trim_end();
            code.ends_with(':') && blank(&w[1])
        })
        .count();
    (longest, after_colon, lines.first().is_some_and(blank))
}

fn check_no_stray_blank_lines(name: &str, source: &str, fixed: &str) {
    // lazify's lazy-attribute block (table, `__getattr__`, `__dir__`) is laid out as ruff formats it, with two
    // blank lines before it and each `def`: the rest of the output is checked.
    let fixed = fixed
        .find("# lazify: lazy attributes")
        .map_or(fixed, |at| fixed[..at].trim_end());
    let (longest_in, colon_in, first_in) = blank_line_shape(source);
    let (longest_out, colon_out, first_out) = blank_line_shape(fixed);
    assert!(
        longest_out <= longest_in,
        "{name}: the output has a run of {longest_out} blank lines, the input at most {longest_in}\n--- output ---\n{fixed}"
    );
    assert!(
        colon_out <= colon_in,
        "{name}: the output has a blank line at the start of a block where the input had none\n--- output ---\n{fixed}"
    );
    assert!(
        first_in || !first_out,
        "{name}: the output starts with a blank line\n--- output ---\n{fixed}"
    );
}

static RUFF_MISSING: OnceLock<()> = OnceLock::new();
static RUFF_OTHER_VERSION: OnceLock<()> = OnceLock::new();

/// Writes `text` to `path`, creating its directory.
fn write_file(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// Runs ruff's import sorting and formatter on `text` (lazify's output, or the input when nothing changed) and
/// checks that lazify then has nothing more to do.
fn check_ruff_convergence(fixture: &Fixture, text: &str) {
    let Some((ruff, version)) = support::ruff() else {
        support::missing_tool_once(
            &RUFF_MISSING,
            "ruff (for the formatter-stability invariant)",
            "Install it with `pip install ruff==0.17.5` and put it on PATH or set LAZIFY_RUFF.",
        );
        return;
    };
    if !version.ends_with(support::RUFF_VERSION) && RUFF_OTHER_VERSION.set(()).is_ok() {
        eprintln!(
            "warning: found {version}; the formatter-stability invariant is written against ruff {}",
            support::RUFF_VERSION
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(&fixture.path);
    write_file(&file, text);
    let target = fixture.target.unwrap_or(PythonVersion::PY315).to_string();
    let steps: [&[&str]; 2] = [
        &[
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "I",
            "--fix",
            "--target-version",
        ],
        &["format", "--isolated", "--no-cache", "--target-version"],
    ];
    for step in steps {
        let mut args: Vec<std::ffi::OsString> = step.iter().map(Into::into).collect();
        args.push(target.clone().into());
        args.push(fixture.path.clone().into_os_string());
        let out = Command::new(&ruff)
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        // `ruff check` exits 1 when diagnostics remain; anything else is a failure to run.
        let ok = out.status.success() || (step[0] == "check" && out.status.code() == Some(1));
        assert!(
            ok,
            "{}: ruff failed on lazify's output\n{}\n--- input to ruff ---\n{text}",
            fixture.name,
            support::describe_output(&args, &out)
        );
    }
    let formatted = std::fs::read_to_string(&file).unwrap();
    let again = fixture.run(&formatted);
    assert!(
        again.error.is_none() && again.fixed.is_none(),
        "{}: after ruff (import sorting + format) lazify has more to do\n--- after ruff ---\n{formatted}\n--- lazify error ---\n{:?}\n--- lazify output ---\n{}",
        fixture.name,
        again.error,
        again.fixed.map(String::from).unwrap_or_default()
    );
}

fn check_fixture(group: &str, case: &str) {
    let fixture = Fixture::load(group, case);
    let outcome = fixture.run(&fixture.source);
    let rendered = render(&fixture, &outcome);

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(support::repo_root().join("snapshots/checks"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(format!("tests/fixtures/{}", fixture.name));
    settings.bind(|| insta::assert_snapshot!(fixture.snapshot.as_str(), rendered));

    check_invariants(&fixture, &outcome);
    check_expect_comment(&fixture, &outcome);
    if outcome.error.is_none() {
        let text = outcome.fixed.as_deref().unwrap_or(&fixture.source);
        check_ruff_convergence(&fixture, text);
    }
}

/// One test per fixture: `group { case, ... }` stands for `tests/fixtures/group/case.py`. A case may carry
/// attributes, e.g. `#[ignore = "engine bug (reported): ..."]` while a reported engine bug is open.
macro_rules! fixtures {
    ($($group:ident { $($(#[$attr:meta])* $case:ident),* $(,)? })*) => {
        $(
            mod $group {
                $(
                    #[test]
                    $(#[$attr])*
                    fn $case() {
                        super::check_fixture(stringify!($group), stringify!($case));
                    }
                )*
            }
        )*

        /// Every fixture listed above, as `group/case.py`.
        const LISTED: &[&str] = &[$($(concat!(stringify!($group), "/", stringify!($case), ".py"),)*)*];
    };
}

fixtures! {
    resolved_at_once {
        conditional_reads,
        listed_entries,
        read_at_once,
    }
    basic {
        alias_used_in_function,
        already_lazy,
        from_import_used_in_function,
        mixed_styles_in_file,
        registry_side_effect_import,
        semicolon_statements,
        split_from_import_names,
        split_import_statement,
        unused_import_noqa,
        used_in_function,
        used_in_lambda,
        used_in_method,
    }
    import_time {
        guard_not_proven,
        guarded_by_a_none_default,
        async_main_run_at_module_level,
        augmented_assignment,
        base_class,
        class_body_attribute,
        class_keyword_metaclass,
        decorator,
        decorator_factory_argument,
        decorator_in_class_body,
        default_argument,
        eager_list_comprehension,
        function_passed_to_map,
        generator_body,
        generator_first_iterable,
        if_condition,
        init_subclass_hook,
        keyword_only_default,
        lambda_called_at_module_level,
        lambda_default,
        local_decorator_function,
        method_called_at_module_level,
        module_body_attribute_chain,
        module_body_call,
        module_level_call_of_class,
        module_level_call_of_local_function,
        module_level_call_transitive,
        staticmethod_called_at_module_level,
        used_in_main_and_module,
    }
    deferred {
        async_function,
        class_in_function,
        function_defined_in_if,
        import_inside_main_block,
        lambda_body,
        main_block,
        main_block_only_call,
        method_called_by_function,
        nested_default_in_function,
        nested_function,
    }
    annotations {
        class_variable_annotation,
        dataclass_field,
        dataclass_field_future_annotations,
        dataclass_imported_as_module,
        dataclass_string_annotation,
        function_annotations_py313_lazy_modules,
        function_annotations_py315,
        future_annotations,
        future_annotations_py311_lazy_modules,
        module_variable_annotation,
        namedtuple_field,
        pydantic_model,
        string_annotation,
        typeddict_field,
    }
    bindings {
        class_scope_does_not_shadow,
        del_at_module_level,
        del_in_function,
        find_spec_guard,
        for_loop_target_at_module_level,
        global_assignment_in_function,
        global_read_in_function,
        nonlocal_in_closure,
        rebound_at_module_level,
        rebound_by_class,
        rebound_by_def,
        same_name_eager_and_deferred,
        same_name_if_else,
        same_name_sequential,
        shadowed_by_local,
        shadowed_by_parameter,
        shadowed_in_comprehension,
        walrus_at_module_level,
    }
    dynamic {
        all_in_plain_module,
        all_with_used_name,
        dunder_import_with_globals,
        eval_in_function,
        exec_at_module_level,
        exec_with_separate_dicts,
        f_globals_alias_escapes,
        f_globals_alias_literal_keys,
        f_globals_alias_own_import_key,
        f_globals_literal_key_import,
        f_globals_literal_key_other_name,
        frame_f_globals,
        globals_literal_key_import,
        globals_subscript,
        locals_at_module_level,
        sys_modules_dict,
        vars_call,
    }
    blockers {
        future_import,
        in_class_body,
        in_function,
        in_method,
        keep_list,
        keep_list_glob,
        keep_pragma,
        keep_pragma_multiline,
        known_side_effects_gevent_monkey,
        known_side_effects_readline,
        known_side_effects_rlcompleter,
        os_chdir,
        preloaded_included,
        preloaded_os_sys,
        skip_file_pragma,
        star_import,
        stub_file,
        sys_path_insert,
        sys_path_insert_after_import,
        try_body,
        try_else,
        try_except_handler,
        try_finally,
        try_nested_if,
        type_checking_block,
        type_checking_else,
        typing_type_checking_block,
        with_catch_warnings,
        with_patch_dict_sys_modules,
        with_suppress_import_error,
    }
    dotted {
        alias_lazy_modules,
        from_a_import_b_lazy_modules,
        from_a_import_submodule,
        import_a_and_import_a_b,
        import_a_b_and_import_a_c,
        import_a_b_as_c,
        import_a_b_as_c_lazy_modules,
        import_a_b_c_deep,
        import_a_b_lazy_modules,
        import_a_b_used_as_a_b,
        import_a_b_uses_a_c_imported_as_alias,
        import_a_b_uses_other_attribute,
    }
    relative {
        from_dot_import_mixed_lazy_modules,
        from_dot_import_name_lazy_modules,
        from_dot_module_lazy,
        from_dot_module_lazy_modules,
        from_dot_module_unknown_package_lazy,
        from_dot_module_unknown_package_lazy_modules,
        from_dotdot_lazy,
        from_dotdot_lazy_modules,
        relative_in_init_lazy_modules,
    }
    reexports {
        init_absolute_submodule_import,
        init_all_extended,
        init_dunder_reexport,
        init_plain_import_unreferenced,
        init_private_in_all,
        init_private_reexport,
        init_public_reexport,
        noqa_f401_in_a_module,
        init_reexport_keep_list,
        init_reexport_lazy_modules,
        init_reexport_used_at_import_time,
        init_reexports_disabled,
        init_same_name_submodule,
        init_same_name_submodule_absolute,
        init_same_name_submodule_used,
        init_submodule_in_all,
        init_submodule_registration,
    }
    lazy_modules {
        default_style_no_target,
        default_style_py311,
        docstring_and_import_on_one_line,
        existing_bound_by_unpacking,
        existing_augmented,
        existing_list_after_imports,
        existing_list_already_has_module,
        existing_multiline_with_comments,
        existing_literal_list,
        existing_non_literal,
        existing_none,
        existing_set,
        existing_str,
        existing_tuple,
        in_class,
        in_if_block,
        in_try,
        keep_pragma_same_module,
        lazy_style_with_old_target,
        module_kept_by_other_import,
        new_list_after_docstring,
        new_list_after_docstring_and_future,
        new_list_after_future_import,
        new_list_at_top,
        py311_target_annotations,
        same_module_import_and_from_import,
        star_and_future,
        with_block_same_module,
    }
    syntax {
        backslash_continuation,
        bom,
        crlf_line_endings,
        elif_else_branches,
        elif_else_shared_name_preloaded,
        encoding_declaration,
        existing_lazy_and_new,
        for_and_while_blocks,
        indented_if_block,
        lazy_soft_keyword_names,
        lone_cr_lazy_modules,
        lone_cr_positions,
        match_case_block,
        misplaced_lazy_in_function,
        misplaced_lazy_in_try,
        misplaced_lazy_star,
        no_final_newline,
        one_line_if,
        parenthesised_from_import_with_comments,
        syntax_error,
        tabs,
        trailing_comment_on_import,
    }
    cross_module {
        circular_import,
        optional_dependency,
        reads_environment_at_import,
        sys_modules_detection_elsewhere,
    }
    infile {
        class_type_param_bound,
        dir_module_level_lazy,
        dir_module_level_local,
        dotted_three_levels_other_leaf,
        dotted_three_levels_sibling_imported,
        frame_f_locals_module_level,
        from_sys_import_path,
        function_globals,
        generator_consumed_at_import,
        generator_consumed_by_import_time_function,
        globals_keys_only,
        globals_update_known_names,
        globals_update_unknown,
        helper_changes_sys_modules_nested,
        helper_changes_sys_path,
        local_variable_annotation,
        nested_function_called_at_import,
        nested_function_shadows_module_function,
        own_decorator_named_define,
        sys_alias_path_insert,
        sys_modules_computed_key,
        sys_modules_name_bound,
        sys_modules_name_bound_getattr,
        vars_module_level,
        warnings_filters_slice_restore,
        warnings_in_catch_warnings_only,
        warnings_set_and_reset,
    }
    fast_path {
        from_import_after_eager_import,
    }
    lazy_attributes {
        block_after_first_class,
        comment_follows_to_type_checking,
        existing_type_checking_block,
        extends_own_table,
        extends_table_with_comment,
        module_with_all,
        own_package_absolute,
        package_init,
        patched_unreferenced,
        refuse_getattr_defined,
        refuse_no_lazy_reexports,
        refuse_patched_and_used_here,
        refuse_read_back_while_loading,
        refuse_same_name_submodule,
        refuse_submodule_read_here,
        refuse_used_at_import_time,
        refuse_without_all,
        type_checking_block_on_one_line,
    }
    local {
        annotation_kept_by_default,
        annotation_py311_import_time,
        async_function,
        comment_moves_with_import,
        coding_comment_after_code_moves,
        comments_in_parenthesised_import,
        comments_in_parenthesised_import_one_function,
        from_import_split_per_function,
        import_statement_split,
        locals_in_receiving_function,
        method,
        moves_after_docstring,
        mixed_cr_lf,
        multiline_alias_in_parentheses,
        nested_function_and_lambda,
        no_stray_blank_lines,
        one_line_def,
        one_line_def_docstring,
        other_module_unrelated,
        partial_move_keeps_rest,
        all_reexport_lazy_attribute,
        refuse_attribute_patched_elsewhere,
        refuse_attribute_set_elsewhere,
        refuse_del_at_module_level,
        refuse_dotted_import_and_other_binding,
        refuse_dotted_import_both_deferred,
        refuse_eval_in_function,
        refuse_exec_at_module_level,
        refuse_global_in_function,
        refuse_imported_elsewhere,
        refuse_in_if,
        refuse_in_try,
        refuse_in_with,
        refuse_mock_patch_elsewhere,
        refuse_module_level_lambda,
        refuse_package_init,
        refuse_rebound_at_module_level,
        refuse_relative_import_elsewhere,
        refuse_shares_line,
        refuse_split_would_drop_comments,
        refuse_sys_modules_name,
        refuse_unused_import,
        refuse_used_in_class_body,
        refuse_used_in_decorator,
        refuse_used_in_default,
        refuse_used_in_main_block,
        type_checking_imports_annotation_only,
        type_checking_imports_existing_block,
        type_checking_imports_future_annotations,
        type_checking_imports_new_block,
        closure_factory_at_import,
        doctest_uses_moved_name,
        local_variable_annotation,
        refuse_class_body_binds_name,
        refuse_class_type_param_bound,
    }
    hoist {
        dedup_across_functions,
        from_import_with_alias,
        import_only_function,
        locals_in_function,
        no_cycle,
        partial_statement,
        placement_after_imports,
        placement_docstring_only,
        private_alias_without_all,
        public_name_without_all,
        redundant_with_module_level,
        refuse_assigned_in_function,
        refuse_conflict_module_level_binding,
        refuse_conflict_other_function_import,
        refuse_global_in_function,
        refuse_import_cycle,
        refuse_import_cycle_from_import,
        refuse_in_conditional,
        refuse_in_loop,
        refuse_in_try,
        refuse_in_with,
        refuse_method_class_binds_name,
        refuse_nonlocal_in_function,
        refuse_shadows_builtin,
        refuse_shadows_global_read,
        refuse_style_lazy_modules,
        refuse_sys_modules_patched,
        refuse_used_before_import,
        same_name_submodule_in_init,
        sys_modules_patched_other_module,
        trailing_comment,
        refuse_attribute_rebound_elsewhere,
        refuse_indirect_import_cycle,
        refuse_module_getattr,
        refuse_star_exported,
        refuse_submodule_attribute,
        refuse_sys_path_helper_in_function,
        refuse_sys_path_in_function,
        refuse_warnings_in_function,
        type_checking_import_not_redundant,
    }
}

/// The `.py` and `.pyi` files under `root` (at any depth), as `/`-separated paths relative to it, sorted.
fn python_files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "py" || e == "pyi") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push(rel);
            }
        }
    }
    found.sort();
    found
}

/// Every Python file under `tests/fixtures` (at any depth) is listed in `fixtures!`, and every listed one exists.
/// Files in a folder that a listed fixture names with `project=` are that fixture's project, not fixtures.
#[test]
fn every_fixture_is_listed() {
    let root = support::repo_root().join("tests/fixtures");
    let project_dirs: Vec<String> = LISTED
        .iter()
        .filter(|f| root.join(f).is_file())
        .filter_map(|f| {
            let (group, case) = f.trim_end_matches(".py").split_once('/')?;
            let dir = Fixture::load(group, case).project?;
            Some(format!("{group}/{dir}/"))
        })
        .collect();
    let on_disk: Vec<String> = python_files_under(&root)
        .into_iter()
        .filter(|f| !project_dirs.iter().any(|d| f.starts_with(d.as_str())))
        .collect();
    let mut listed: Vec<String> = LISTED.iter().map(ToString::to_string).collect();
    listed.sort();
    let unlisted: Vec<&String> = on_disk.iter().filter(|f| !listed.contains(f)).collect();
    let missing: Vec<&String> = listed.iter().filter(|f| !on_disk.contains(f)).collect();
    assert!(
        unlisted.is_empty(),
        "fixture files not listed in `fixtures!`: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "listed fixtures without a file: {missing:?}"
    );
}

/// Every snapshot in `snapshots/checks` belongs to a listed fixture (no stale snapshots after a rename).
#[test]
fn no_orphan_snapshots() {
    let dir = support::repo_root().join("snapshots/checks");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let expected: Vec<String> = LISTED
        .iter()
        .map(|f| format!("{}.snap", f.trim_end_matches(".py").replace('/', "__")))
        .collect();
    let orphans: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            Path::new(name).extension().is_some_and(|e| e == "snap") && !expected.contains(name)
        })
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture: {orphans:?}"
    );
}

/// The header parser and path helpers the snapshots rely on.
#[test]
fn module_names_from_paths() {
    assert_eq!(module_name_of(Path::new("pkg/sub.py")), "pkg.sub");
    assert_eq!(module_name_of(Path::new("pkg/__init__.py")), "pkg");
    assert_eq!(module_name_of(Path::new("a/b/__init__.py")), "a.b");
    assert_eq!(module_name_of(Path::new("stub.pyi")), "stub");
    assert!(has_lone_lf("a\r\nb\n"));
    assert!(!has_lone_lf("a\r\nb\r\n"));
    assert_eq!(escape_invisible("\u{feff}a\t\r\n"), "\\u{feff}a\\t\\r\n");
    assert_eq!(
        blank_line_shape("\nx = 1\n\n\n\ndef f():\n\n    pass\n"),
        (3, 1, true)
    );
    assert_eq!(
        blank_line_shape("if x:  # comment\n\n    y\n"),
        (1, 1, false)
    );
}
