//! In-process protocol tests: the server runs on a thread behind `Connection::memory()`, and these tests
//! play the editor. Edits are applied with the test's own position arithmetic (`support::apply`), so a wrong
//! encoding on the server side shows up as a wrong text here.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test harness: a failed step is a failed test"
)]

mod support;

use lazify_core::{PythonVersion, Settings};
use lsp_types::notification::{Notification as _, ShowMessage};
use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, Position, Range,
    TextDocumentContentChangeEvent,
};
use serde_json::json;
use support::{Client, Project, Units, apply, edits_for, engine_fixed, range_of, slice};

/// A module whose imports get different verdicts: `os` is used at import time (kept); `json`, `numpy` and
/// the two names from `requests` are used only inside functions (rewritten).
const SAMPLE: &str = r#""""Reports."""
import os
import json
import numpy as np
from requests import get, post

DEBUG = os.environ.get("DEBUG")


def load(path):
    return json.loads(path), np.zeros(3)


def fetch(url):
    return get(url), post(url)
"#;

/// Snapshots `value` as JSON with the temporary directory replaced by `[TMP]`.
macro_rules! snapshot {
    ($project:expr, $name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        for (regex, replacement) in $project.filters() {
            settings.add_filter(&regex, replacement);
        }
        settings.bind(|| insta::assert_json_snapshot!($name, $value));
    }};
}

fn py315() -> Settings {
    Settings {
        target_version: Some(PythonVersion::PY315),
        ..Settings::default()
    }
}

fn whole(text: &str) -> Range {
    let lines = u32::try_from(text.lines().count()).unwrap();
    Range::new(Position::new(0, 0), Position::new(lines + 1, 0))
}

/// `context.only` asking for the whole-file fix alone.
#[expect(
    clippy::unnecessary_wraps,
    reason = "the type of `CodeActionContext::only`"
)]
fn fix_all_only() -> Option<Vec<CodeActionKind>> {
    Some(vec![CodeActionKind::SOURCE_FIX_ALL])
}

/// The bindings the diagnostics name, from their `data`.
fn bindings(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            d.data.as_ref().unwrap()["binding"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn full_change(text: &str) -> Vec<TextDocumentContentChangeEvent> {
    vec![TextDocumentContentChangeEvent {
        range: None,
        range_length: None,
        text: text.to_string(),
    }]
}

fn quickfixes(actions: &[CodeAction]) -> Vec<&CodeAction> {
    actions
        .iter()
        .filter(|a| a.kind == Some(CodeActionKind::QUICKFIX))
        .collect()
}

#[test]
fn initialize_negotiates_encoding_and_capabilities() {
    let client = Client::default_start();
    let mut capabilities = serde_json::to_value(&client.initialize_result).unwrap();
    assert_eq!(capabilities["serverInfo"]["name"], "lazify");
    capabilities["serverInfo"]["version"] = json!("[VERSION]");
    insta::assert_json_snapshot!("initialize_result", capabilities);
    assert_eq!(capabilities["capabilities"]["positionEncoding"], "utf-16");
    client.shutdown().unwrap();

    for (offered, expected) in [
        (json!(["utf-32", "utf-8", "utf-16"]), "utf-32"),
        (json!(["utf-8"]), "utf-8"),
        (json!(["latin-1", "utf-16"]), "utf-16"),
    ] {
        let client = Client::start(&json!({"general": {"positionEncodings": offered}}), None);
        let result = serde_json::to_value(&client.initialize_result).unwrap();
        assert_eq!(
            result["capabilities"]["positionEncoding"], expected,
            "offered {offered}"
        );
        client.shutdown().unwrap();
    }
}

#[test]
fn open_publishes_a_diagnostic_per_deferrable_name() {
    let project = Project::py315();
    let uri = project.uri("app/report.py");
    let mut client = Client::default_start();
    let published = client.open(&uri, SAMPLE);
    assert_eq!(published.version, Some(1));
    let diagnostics = &published.diagnostics;
    assert_eq!(bindings(diagnostics), ["json", "np", "get", "post"]);
    let spans: Vec<&str> = diagnostics
        .iter()
        .map(|d| slice(SAMPLE, d.range, Units::Utf16))
        .collect();
    assert_eq!(spans, ["json", "numpy as np", "get", "post"]);
    for d in diagnostics {
        // `information` by default (issue 17: most editors barely show a hint).
        assert_eq!(d.severity, Some(DiagnosticSeverity::INFORMATION));
        assert_eq!(
            d.code,
            Some(lsp_types::NumberOrString::String("LZF001".into()))
        );
        // Worded once, in the engine: the same message as the command line's report.
        assert!(
            d.message.starts_with("Make `")
                && d.message.ends_with("` lazy (used only in deferred code)"),
            "{}",
            d.message
        );
        assert_eq!(style_of(d), "lazy");
    }
    assert!(diagnostics[1].message.contains("`import numpy as np`"));
    snapshot!(project, "open_diagnostics", published);

    let closed = client.close(&uri);
    assert!(closed.diagnostics.is_empty());
    client.shutdown().unwrap();
}

#[test]
fn fix_all_gives_the_engines_text_in_minimal_edits() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    client.open(&uri, SAMPLE);
    let actions = client.code_actions(&uri, whole(SAMPLE), fix_all_only(), vec![]);
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    assert_eq!(
        action.kind,
        Some(CodeActionKind::new("source.fixAll.lazify"))
    );
    let edits = edits_for(action.edit.as_ref().unwrap(), &uri);
    // Three statements become lazy: three insertions of the keyword, nothing else touched.
    assert_eq!(edits.len(), 3, "{edits:?}");
    for edit in &edits {
        assert_eq!(edit.new_text, "lazy ");
        assert_eq!(edit.range.start, edit.range.end);
        assert_eq!(edit.range.start.character, 0);
    }
    let fixed = apply(SAMPLE, &edits, Units::Utf16);
    let expected = engine_fixed(&project.path().join("report.py"), SAMPLE, &py315()).unwrap();
    assert_eq!(fixed, expected);
    assert!(fixed.contains("lazy import numpy as np\n") && fixed.contains("\nimport os\n"));
    snapshot!(project, "fix_all_action", action);

    // Quick fixes are not source actions: asking only for `source.fixAll` gives none of them, and asking
    // only for quick fixes gives no `source.fixAll`.
    let only_quickfix = client.code_actions(
        &uri,
        whole(SAMPLE),
        Some(vec![CodeActionKind::QUICKFIX]),
        vec![],
    );
    assert!(!only_quickfix.is_empty());
    assert!(
        only_quickfix
            .iter()
            .all(|a| a.kind == Some(CodeActionKind::QUICKFIX))
    );
    client.shutdown().unwrap();
}

#[test]
fn quick_fixes_rewrite_one_statement_each_and_converge_to_fix_all() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    let mut text = SAMPLE.to_string();
    let mut diagnostics = client.open(&uri, &text).diagnostics;

    let at_numpy = range_of(&text, "numpy", Units::Utf16);
    let actions = client.code_actions(&uri, at_numpy, None, vec![]);
    snapshot!(project, "actions_at_numpy", actions);
    let fixes = quickfixes(&actions);
    let titles: Vec<&str> = fixes.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "lazify (LZF001): Make `numpy` lazy",
            "Keep this import eager"
        ]
    );
    assert_eq!(fixes[0].is_preferred, Some(true));
    assert_eq!(fixes[0].diagnostics.as_ref().unwrap().len(), 1);
    let only_numpy = apply(
        &text,
        &edits_for(fixes[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(
        only_numpy,
        SAMPLE.replace("import numpy as np", "lazy import numpy as np")
    );

    // Apply the first quick fix offered, statement by statement, until nothing is left.
    let mut version = 1;
    let mut rounds = 0;
    while !diagnostics.is_empty() {
        rounds += 1;
        assert!(rounds <= 4, "quick fixes do not converge");
        let first = diagnostics[0].clone();
        let actions = client.code_actions(
            &uri,
            first.range,
            Some(vec![CodeActionKind::QUICKFIX]),
            vec![first],
        );
        let fix = &actions[0];
        assert!(
            fix.title.starts_with("lazify (LZF001): Make "),
            "{}",
            fix.title
        );
        let edits = edits_for(fix.edit.as_ref().unwrap(), &uri);
        assert!(edits.iter().all(|e| e.new_text == "lazy "), "{edits:?}");
        text = apply(&text, &edits, Units::Utf16);
        version += 1;
        let before = diagnostics.len();
        diagnostics = client.change(&uri, version, full_change(&text)).diagnostics;
        assert!(diagnostics.len() < before);
    }
    assert_eq!(rounds, 3, "one round per statement");
    let expected = engine_fixed(&project.path().join("report.py"), SAMPLE, &py315()).unwrap();
    assert_eq!(text, expected);
    client.shutdown().unwrap();
}

#[test]
fn keep_action_appends_the_pragma_and_silences_the_import() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    client.open(&uri, SAMPLE);
    let actions = client.code_actions(&uri, range_of(SAMPLE, "get", Units::Utf16), None, vec![]);
    let keep = quickfixes(&actions)
        .into_iter()
        .find(|a| a.title == "Keep this import eager")
        .unwrap();
    // One action for the statement, linked to both of its diagnostics.
    assert_eq!(keep.diagnostics.as_ref().unwrap().len(), 2);
    let text = apply(
        SAMPLE,
        &edits_for(keep.edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert!(
        text.contains("\nfrom requests import get, post  # lazify: keep\n"),
        "{text}"
    );
    let diagnostics = client.change(&uri, 2, full_change(&text)).diagnostics;
    assert_eq!(bindings(&diagnostics), ["json", "np"]);
    client.shutdown().unwrap();
}

#[test]
fn incremental_changes_keep_the_buffer_in_sync() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    let mut text = SAMPLE.to_string();
    client.open(&uri, &text);

    // Insert a module-level use of `json`: it is now used at import time and must stay eager.
    let insert_at = support::position(
        &text,
        text.find("\n\n\ndef load").unwrap() + 1,
        Units::Utf16,
    );
    let inserted = "SCHEMA = json.loads(\"{}\")\n";
    let change = TextDocumentContentChangeEvent {
        range: Some(Range::new(insert_at, insert_at)),
        range_length: None,
        text: inserted.to_string(),
    };
    text = apply(
        &text,
        &[lsp_types::TextEdit::new(
            Range::new(insert_at, insert_at),
            inserted.into(),
        )],
        Units::Utf16,
    );
    let published = client.change(&uri, 2, vec![change]);
    assert_eq!(published.version, Some(2));
    assert_eq!(bindings(&published.diagnostics), ["np", "get", "post"]);

    // Two changes in one notification, the second relative to the first's result: delete the inserted
    // line, then rename `post` to `put` in both places (last occurrence first, so positions stay valid).
    let line = range_of(&text, inserted, Units::Utf16);
    let mut changes = vec![TextDocumentContentChangeEvent {
        range: Some(line),
        range_length: None,
        text: String::new(),
    }];
    text = text.replacen(inserted, "", 1);
    let last_post = support::position(&text, text.rfind("post").unwrap(), Units::Utf16);
    let first_post = support::position(&text, text.find("post").unwrap(), Units::Utf16);
    for at in [last_post, first_post] {
        let range = Range::new(at, Position::new(at.line, at.character + 4));
        changes.push(TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: Some(4),
            text: "put".to_string(),
        });
        text = apply(
            &text,
            &[lsp_types::TextEdit::new(range, "put".into())],
            Units::Utf16,
        );
    }
    let published = client.change(&uri, 3, changes);
    assert_eq!(
        bindings(&published.diagnostics),
        ["json", "np", "get", "put"]
    );

    // The server's buffer is the client's: the whole-file fix applies cleanly to the client's copy and
    // gives what the engine makes of that copy.
    let actions = client.code_actions(&uri, whole(&text), fix_all_only(), vec![]);
    let fixed = apply(
        &text,
        &edits_for(actions[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(
        Some(fixed),
        engine_fixed(&project.path().join("report.py"), &text, &py315())
    );
    client.shutdown().unwrap();
}

/// Non-ASCII text before the imports, on the same line and inside a module name, in each encoding.
#[test]
fn positions_follow_the_negotiated_encoding() {
    let text = "\"\"\"Ünïcödé 𝄞.\"\"\"\nclef = \"𝄞\"; import numpy\nimport café\n\n\ndef f():\n    return numpy.zeros(1), café.x\n";
    let project = Project::py315();
    let uri = project.uri("uni.py");
    let expected = engine_fixed(&project.path().join("uni.py"), text, &py315()).unwrap();
    let mut numpy_columns = Vec::new();
    for (name, units) in [
        ("utf-16", Units::Utf16),
        ("utf-8", Units::Utf8),
        ("utf-32", Units::Utf32),
    ] {
        let mut client = Client::start(&json!({"general": {"positionEncodings": [name]}}), None);
        let diagnostics = client.open(&uri, text).diagnostics;
        let spans: Vec<&str> = diagnostics
            .iter()
            .map(|d| slice(text, d.range, units))
            .collect();
        assert_eq!(spans, ["numpy", "café"], "{name}");
        numpy_columns.push(diagnostics[0].range.start.character);
        let actions = client.code_actions(&uri, whole(text), fix_all_only(), vec![]);
        let fixed = apply(
            text,
            &edits_for(actions[0].edit.as_ref().unwrap(), &uri),
            units,
        );
        assert_eq!(fixed, expected, "{name}");
        // The quick fix at `café` (found by its position in this encoding) rewrites that statement.
        let actions = client.code_actions(
            &uri,
            range_of(text, "café", units),
            Some(vec![CodeActionKind::QUICKFIX]),
            vec![],
        );
        let one = apply(
            text,
            &edits_for(actions[0].edit.as_ref().unwrap(), &uri),
            units,
        );
        assert_eq!(
            one,
            text.replace("import café", "lazy import café"),
            "{name}"
        );
        client.shutdown().unwrap();
    }
    // `clef = "𝄞"; import ` is 19 code points, 20 UTF-16 units and 22 bytes.
    assert_eq!(numpy_columns, [20, 22, 19]);
}

#[test]
fn syntax_errors_get_no_fixes_and_no_crash() {
    let project = Project::py315();
    let broken_uri = project.uri("broken.py");
    let broken = "import numpy\n\ndef f(:\n    return numpy\n";
    let mut client = Client::default_start();
    let published = client.open(&broken_uri, broken);
    assert!(
        published.diagnostics.is_empty(),
        "{:?}",
        published.diagnostics
    );
    let actions = client.code_actions(&broken_uri, whole(broken), None, vec![]);
    assert!(actions.is_empty(), "{actions:?}");

    // The server goes on serving other files.
    let good_uri = project.uri("good.py");
    assert_eq!(client.open(&good_uri, SAMPLE).diagnostics.len(), 4);

    // Fixing the syntax error brings the diagnostic back.
    let repaired = broken.replace("def f(:", "def f():");
    let published = client.change(&broken_uri, 2, full_change(&repaired));
    assert_eq!(bindings(&published.diagnostics), ["numpy"]);
    client.shutdown().unwrap();
}

#[test]
fn editor_settings_change_style_severity_and_keep() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    client.open(&uri, SAMPLE);

    client.configure(json!({"lazify": {"style": "lazy-modules", "severity": "warning"}}));
    let published = client.diagnostics(&uri);
    assert_eq!(
        bindings(&published.diagnostics),
        ["json", "np", "get", "post"]
    );
    for d in &published.diagnostics {
        assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
        assert!(
            d.message.ends_with("` lazy (used only in deferred code)"),
            "{}",
            d.message
        );
        assert_eq!(style_of(d), "lazy-modules");
    }
    snapshot!(project, "lazy_modules_diagnostics", published.diagnostics);
    let actions = client.code_actions(
        &uri,
        range_of(SAMPLE, "numpy", Units::Utf16),
        Some(vec![CodeActionKind::QUICKFIX]),
        vec![],
    );
    // The imports share the one list, so its quick fix covers all of them, says so, and is linked to every
    // diagnostic it fixes.
    assert_eq!(
        actions[0].title,
        "lazify (LZF001): Add `json`, `numpy`, `requests` to `__lazy_modules__`"
    );
    assert_eq!(actions[0].diagnostics.as_ref().unwrap().len(), 4);
    let one = apply(
        SAMPLE,
        &edits_for(actions[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(one.matches("__lazy_modules__").count(), 1, "{one}");
    // Asking at another of its statements offers the same fix once, not a second list.
    let at_json = client.code_actions(
        &uri,
        whole(SAMPLE),
        Some(vec![CodeActionKind::QUICKFIX]),
        vec![],
    );
    let list_fixes: Vec<_> = at_json
        .iter()
        .filter(|a| a.title.contains("__lazy_modules__"))
        .collect();
    assert_eq!(list_fixes.len(), 1, "{at_json:?}");
    let all = client.code_actions(&uri, whole(SAMPLE), fix_all_only(), vec![]);
    let all = apply(
        SAMPLE,
        &edits_for(all[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(one, all);
    let settings = Settings {
        style: Some(lazify_core::Style::LazyModules),
        ..py315()
    };
    assert_eq!(
        Some(all),
        engine_fixed(&project.path().join("report.py"), SAMPLE, &settings)
    );

    // A new configuration replaces the old one: the style comes from `requires-python` again.
    client.configure(json!({"lazify": {"keep": ["numpy"], "severity": "hint"}}));
    let published = client.diagnostics(&uri);
    assert_eq!(bindings(&published.diagnostics), ["json", "get", "post"]);
    assert!(
        published
            .diagnostics
            .iter()
            .all(|d| d.severity == Some(DiagnosticSeverity::HINT) && style_of(d) == "lazy")
    );

    // A bad value is shown to the user and ignored; the other keys apply.
    client.configure(json!({"lazify": {"style": "eager", "keep": ["requests"]}}));
    let published = client.diagnostics(&uri);
    assert_eq!(bindings(&published.diagnostics), ["json", "np"]);
    let shown = client.drain_pending(ShowMessage::METHOD);
    assert!(
        shown.iter().any(|m| m["message"]
            .as_str()
            .unwrap()
            .contains("unknown style `eager`")),
        "{shown:?}"
    );
    client.shutdown().unwrap();
}

#[test]
fn initialization_options_apply_from_the_start() {
    // No settings files: without options the style would be `lazy-modules` (no target version known).
    let project = Project::new();
    let uri = project.uri("script.py");
    let mut client = Client::start(
        &json!({}),
        Some(json!({"targetVersion": "py315", "keep": ["requests"]})),
    );
    let published = client.open(&uri, SAMPLE);
    assert_eq!(bindings(&published.diagnostics), ["json", "np"]);
    assert_eq!(
        published.diagnostics[0].message,
        "Make `import json` lazy (used only in deferred code)"
    );
    assert_eq!(style_of(&published.diagnostics[0]), "lazy");
    client.shutdown().unwrap();

    let mut client = Client::default_start();
    let published = client.open(&uri, SAMPLE);
    assert_eq!(style_of(&published.diagnostics[0]), "lazy-modules");
    client.shutdown().unwrap();
}

#[test]
fn settings_files_apply_to_buffers_and_nothing_is_read_or_written() {
    let project = Project::py315();
    project.write("lazify.toml", "keep = [\"requests\"]\n");
    // What is on disk differs from the buffer: the server must analyse the buffer.
    let on_disk = "import os\nprint(os.sep)\n";
    let path = project.write("pkg/report.py", on_disk);
    let uri = project.uri("pkg/report.py");
    let mut client = Client::default_start();
    let published = client.open(&uri, SAMPLE);
    assert_eq!(bindings(&published.diagnostics), ["json", "np"]);
    let actions = client.code_actions(&uri, whole(SAMPLE), None, vec![]);
    assert!(!actions.is_empty());
    client.shutdown().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        on_disk,
        "the server never writes"
    );
}

#[test]
fn versioned_document_changes_when_the_client_supports_them() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::start(
        &json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}),
        None,
    );
    client.open(&uri, SAMPLE);
    client.change(&uri, 7, full_change(SAMPLE));
    let actions = client.code_actions(&uri, whole(SAMPLE), fix_all_only(), vec![]);
    let edit = serde_json::to_value(actions[0].edit.as_ref().unwrap()).unwrap();
    assert_eq!(edit["documentChanges"][0]["textDocument"]["version"], 7);
    assert!(edit.get("changes").is_none());
    let fixed = apply(
        SAMPLE,
        &edits_for(actions[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert!(fixed.contains("lazy import json"));
    client.shutdown().unwrap();
}

#[test]
fn shutdown_then_exit_is_clean_and_exit_alone_is_an_error() {
    let mut client = Client::default_start();
    // After `shutdown`, requests are refused until `exit`.
    let result = client.request_raw("shutdown", serde_json::Value::Null);
    assert_eq!(result, serde_json::Value::Null);
    let code = client.request_error(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///x.py"}, "range": whole(""), "context": {"diagnostics": []}}),
    );
    assert_eq!(code, lsp_server::ErrorCode::InvalidRequest as i32);
    assert!(client.exit_now().is_ok());

    let client = Client::default_start();
    let result = client.exit_now();
    assert!(
        matches!(result, Err(lazify_server::ServerError::ExitWithoutShutdown)),
        "{result:?}"
    );
}

#[test]
fn unknown_requests_get_method_not_found() {
    let mut client = Client::default_start();
    let code = client.request_error("textDocument/definition", json!({}));
    assert_eq!(code, lsp_server::ErrorCode::MethodNotFound as i32);
    client.shutdown().unwrap();
}

#[test]
fn a_misplaced_lazy_import_is_an_error_diagnostic_without_fixes() {
    let project = Project::py315();
    let uri = project.uri("misplaced.py");
    let text = "import json\n\n\ndef f():\n    lazy import os\n    return json, os\n";
    let mut client = Client::default_start();
    let published = client.open(&uri, text);
    assert_eq!(
        published.diagnostics.len(),
        1,
        "{:?}",
        published.diagnostics
    );
    let error = &published.diagnostics[0];
    assert_eq!(error.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(
        error.code,
        Some(lsp_types::NumberOrString::String(
            "lazify::misplaced_lazy".into()
        ))
    );
    assert_eq!(error.range.start.line, 4, "{error:?}");
    assert!(
        client
            .code_actions(&uri, whole(text), None, vec![])
            .is_empty()
    );
    client.shutdown().unwrap();
}

#[test]
fn settings_the_engine_refuses_are_shown_once_and_give_no_diagnostics() {
    let project = Project::new();
    let uri = project.uri("old.py");
    let mut client = Client::start(
        &json!({}),
        Some(json!({"style": "lazy", "targetVersion": "py312"})),
    );
    let published = client.open(&uri, SAMPLE);
    assert!(published.diagnostics.is_empty());
    client.change(&uri, 2, full_change(SAMPLE));
    let shown = client.drain_pending(ShowMessage::METHOD);
    assert_eq!(shown.len(), 1, "shown once, not at every change: {shown:?}");
    assert!(
        shown[0]["message"]
            .as_str()
            .unwrap()
            .contains("needs target version py315"),
        "{shown:?}"
    );
    client.shutdown().unwrap();
}

#[test]
fn an_edited_settings_file_applies_at_the_next_change_and_closed_files_get_nothing() {
    let project = Project::py315();
    let uri = project.uri("report.py");
    let mut client = Client::default_start();
    assert_eq!(client.open(&uri, SAMPLE).diagnostics.len(), 4);
    project.write("lazify.toml", "keep = [\"json\", \"numpy\"]\n");
    let published = client.change(&uri, 2, full_change(SAMPLE));
    assert_eq!(bindings(&published.diagnostics), ["get", "post"]);
    client.close(&uri);
    assert!(
        client
            .code_actions(&uri, whole(SAMPLE), None, vec![])
            .is_empty()
    );
    client.shutdown().unwrap();
}

#[test]
fn statements_sharing_a_line_still_get_their_own_quick_fix() {
    let project = Project::py315();
    let uri = project.uri("line.py");
    let text = "import json; import numpy  # noqa: E702\n\n\ndef f():\n    return json, numpy\n";
    let mut client = Client::default_start();
    assert_eq!(
        bindings(&client.open(&uri, text).diagnostics),
        ["json", "numpy"]
    );
    let actions = client.code_actions(&uri, range_of(text, "numpy", Units::Utf16), None, vec![]);
    let fixes = quickfixes(&actions);
    assert_eq!(fixes[0].title, "lazify (LZF001): Make `numpy` lazy");
    let one = apply(
        text,
        &edits_for(fixes[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(one, text.replace("; import numpy", "; lazy import numpy"));
    // The pragma goes after the existing comment and keeps both statements of the line.
    let keep = apply(
        text,
        &edits_for(fixes[1].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert!(
        keep.starts_with("import json; import numpy  # noqa: E702  # lazify: keep\n"),
        "{keep}"
    );
    assert!(
        client
            .change(&uri, 2, full_change(&keep))
            .diagnostics
            .is_empty()
    );
    client.shutdown().unwrap();
}

/// Style `local` consults the whole project, as the command line does: a test elsewhere that patches
/// `pkg.mod.json` keeps `json` at module level; `csv`, which nothing patches, is still offered.
#[test]
fn style_local_reads_project_facts_like_the_command_line() {
    let project = Project::py315();
    project.write("lazify.toml", "style = \"local\"\n");
    project.write("pkg/__init__.py", "");
    project.write(
        "tests/test_mod.py",
        "from unittest import mock\n\n\n@mock.patch(\"pkg.mod.json\")\ndef test_dump(fake):\n    pass\n",
    );
    let text = "import csv\nimport json\n\n\ndef dump(v):\n    return json.dumps(v), csv\n";
    project.write("pkg/mod.py", text);
    let uri = project.uri("pkg/mod.py");
    let mut client = Client::default_start();
    let published = client.open(&uri, text);
    assert_eq!(bindings(&published.diagnostics), ["csv"]);
    client.shutdown().unwrap();
}

#[test]
fn invalid_editor_settings_are_shown_and_the_previous_value_stays() {
    // At start-up: the bad key keeps its default, the good one applies.
    let project = Project::new();
    let uri = project.uri("script.py");
    let mut client = Client::start(
        &json!({}),
        Some(json!({"lazify": {"style": "bogus", "targetVersion": "py315"}})),
    );
    let published = client.open(&uri, SAMPLE);
    assert_eq!(
        published.diagnostics[0].message,
        "Make `import json` lazy (used only in deferred code)"
    );
    assert_eq!(style_of(&published.diagnostics[0]), "lazy");
    let shown = client.drain_pending(ShowMessage::METHOD);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["type"], 2, "a warning");
    let message = shown[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`style` = \"bogus\"") && message.contains("it stays unset"),
        "{message}"
    );

    // Later: a bad value keeps what the previous configuration said.
    client.configure(json!({"lazify": {"style": "lazy-modules", "targetVersion": "py315"}}));
    let published = client.diagnostics(&uri);
    assert_eq!(style_of(&published.diagnostics[0]), "lazy-modules");
    client.configure(json!({"lazify": {"style": "lazy-modulez", "targetVersion": "py315"}}));
    let published = client.diagnostics(&uri);
    assert_eq!(style_of(&published.diagnostics[0]), "lazy-modules");
    let shown = client.drain_pending(ShowMessage::METHOD);
    assert!(
        shown.iter().any(|m| m["message"]
            .as_str()
            .unwrap()
            .contains("\"lazy-modulez\" ignored")),
        "{shown:?}"
    );
}

/// No buffer or project file stops the server (issue 12): code as deep as `CPython` compiles is analysed, in
/// the project scan of style `local` too; deeper code is an error diagnostic at the point of the limit.
#[test]
fn deep_code_is_analysed_and_deeper_code_is_a_diagnostic() {
    let project = Project::py315();
    project.write("lazify.toml", "style = \"local\"\n");
    let long = (0..7_500)
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(" + ");
    let deep = format!("a{}", ".b".repeat(135_000));
    // Files the project scan reads from disk.
    project.write("long.py", &format!("X = {long}\n"));
    project.write("deep.py", &format!("X = {deep}\n"));
    let head = "import json\n\n\ndef f():\n    return json.dumps(1)\n\n\nX = ";
    let uri = project.uri("app.py");
    let mut client = Client::default_start();
    let published = client.open(&uri, &format!("{head}{long}\n"));
    assert_eq!(bindings(&published.diagnostics), ["json"]);

    let text = format!("{head}{deep}\n");
    let published = client.change(&uri, 2, full_change(&text));
    let [diagnostic] = &published.diagnostics[..] else {
        panic!("{:?}", published.diagnostics);
    };
    assert_eq!(
        diagnostic.code,
        Some(lsp_types::NumberOrString::String(
            "lazify::too_deeply_nested".into()
        ))
    );
    assert_eq!(diagnostic.severity, Some(DiagnosticSeverity::ERROR));
    assert!(diagnostic.message.contains("too deeply nested"));
    assert_eq!(diagnostic.range.start.line, 7);
    client.shutdown().unwrap();
}

#[test]
fn an_import_kept_for_its_modules_effects_points_into_the_other_file() {
    let project = Project::py315();
    project.write(
        "app/banner.py",
        "import sys\n\nsys.stdout.write(\"hello\\n\")\n",
    );
    project.write("app/__init__.py", "");
    let uri = project.uri("app/main.py");
    let mut client = Client::default_start();
    let text = "import json\nfrom app import banner\n\n\ndef f():\n    return json, banner\n";
    let published = client.open(&uri, text);
    let hint = published
        .diagnostics
        .iter()
        .find(|d| {
            d.code
                == Some(lsp_types::NumberOrString::String(
                    "keep::imported-module-has-effects".into(),
                ))
        })
        .unwrap_or_else(|| panic!("{:?}", published.diagnostics));
    assert_eq!(slice(text, hint.range, Units::Utf16), "banner");
    let related = hint.related_information.as_ref().unwrap();
    assert_eq!(related.len(), 1);
    assert!(
        related[0].location.uri.as_str().ends_with("/app/banner.py"),
        "{related:?}"
    );
    assert_eq!(related[0].location.range.start, Position::new(2, 0));
    assert_eq!(related[0].message, "sys.stdout.write(...)");
    // `json` is still deferrable.
    assert!(
        published
            .diagnostics
            .iter()
            .any(|d| d.message.contains("`import json`"))
    );
}

#[test]
fn a_changed_module_on_disk_refreshes_the_verdicts_of_open_files() {
    let project = Project::py315();
    project.write("app/__init__.py", "");
    project.write("app/heavy.py", "X = 1\n");
    let uri = project.uri("app/main.py");
    let mut client = Client::start(
        &json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        None,
    );
    let text = "from app import heavy\n\n\ndef f():\n    return heavy.X\n";
    let codes = |published: &lsp_types::PublishDiagnosticsParams| -> Vec<String> {
        published
            .diagnostics
            .iter()
            .filter_map(|d| match &d.code {
                Some(lsp_types::NumberOrString::String(code)) => Some(code.clone()),
                _ => None,
            })
            .collect()
    };
    let published = client.open(&uri, text);
    assert_eq!(codes(&published), ["LZF001"]);
    // The server asked to hear of changes to Python and settings files on disk.
    let registration = client
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .expect("a registration");
    let watched = registration.params.to_string();
    assert!(
        watched.contains("workspace/didChangeWatchedFiles"),
        "{watched}"
    );
    assert!(
        watched.contains("**/*.py") && watched.contains("**/pyproject.toml"),
        "{watched}"
    );

    // A save of the imported module (with an effect now) re-analyses the open file at once.
    project.write("app/heavy.py", "X = 1\nprint('loading')\n");
    client.notify::<lsp_types::notification::DidSaveTextDocument>(
        json!({ "textDocument": { "uri": project.uri("app/heavy.py") } }),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(codes(&published), ["keep::imported-module-has-effects"]);
    // A change the watcher reports (made outside the editor) does too.
    project.write("app/heavy.py", "X = 2\n");
    client.notify::<lsp_types::notification::DidChangeWatchedFiles>(
        json!({ "changes": [{ "uri": project.uri("app/heavy.py"), "type": 2 }] }),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(codes(&published), ["LZF001"]);
}

#[test]
fn no_watcher_is_asked_of_a_client_that_cannot_register_one() {
    let project = Project::py315();
    let uri = project.uri("main.py");
    let mut client = Client::default_start();
    client.open(&uri, "import json\n\n\ndef f():\n    return json\n");
    assert!(
        client.server_requests.is_empty(),
        "{:?}",
        client.server_requests
    );
}

/// Hover on an import explains its verdict: rewritten or kept, the reason, and for a kept import the code that
/// proves it, linked to its place (issue 17).
#[test]
fn hover_explains_the_verdict_with_a_link_to_the_proof() {
    let project = Project::py315();
    let uri = project.uri("app/report.py");
    let mut client = Client::default_start();
    client.open(&uri, SAMPLE);
    let eager_uri = project.uri("app/eager.py");
    let eager = "import json\n\nX = json.dumps(1)\n";
    client.open(&eager_uri, eager);
    let hover_in = |client: &mut Client, uri: &lsp_types::Uri, text: &str, needle: &str| {
        let at = range_of(text, needle, Units::Utf16).start;
        client.request_raw(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri.as_str()}, "position": at}),
        )
    };
    let hover = |client: &mut Client, needle: &str| hover_in(client, &uri, SAMPLE, needle);
    // `json` is kept there: used at import time, on line 3.
    let kept = hover_in(&mut client, &eager_uri, eager, "json\n");
    let text = kept["contents"]["value"].as_str().unwrap();
    assert_eq!(kept["contents"]["kind"], "markdown");
    assert!(
        text.starts_with("**lazify** `keep::used-at-import-time`: `import json` stays eager"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Proof: [line 3, column 5]({}#L3,5): `json`",
            eager_uri.as_str()
        )),
        "{text}"
    );
    assert_eq!(
        serde_json::from_value::<Range>(kept["range"].clone()).unwrap(),
        range_of(eager, "json", Units::Utf16)
    );
    // `numpy as np` is rewritten; the hover anywhere on the alias names it.
    let rewritten = hover(&mut client, "as np");
    let text = rewritten["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**lazify** `LZF001`: `import numpy as np` is rewritten (style `lazy`)"),
        "{text}"
    );
    assert!(text.contains("Reason `used-only-deferred`"), "{text}");
    // Away from imports: nothing.
    assert_eq!(hover(&mut client, "DEBUG"), serde_json::Value::Null);
    client.shutdown().unwrap();
}

/// The style of a rewrite diagnostic, from the verdict it carries in `data`.
fn style_of(diagnostic: &lsp_types::Diagnostic) -> String {
    diagnostic.data.as_ref().unwrap()["decision"]["style"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_lazy_import_read_at_once_gets_lzf002_and_its_quick_fix() {
    let project = Project::py315();
    let uri = project.uri("config.py");
    let mut client = Client::default_start();
    let text = "lazy import json\n\nSETTINGS = json.loads('{}')\n";
    let published = client.open(&uri, text);
    let codes: Vec<Option<lsp_types::NumberOrString>> = published
        .diagnostics
        .iter()
        .map(|d| d.code.clone())
        .collect();
    assert_eq!(
        codes,
        [Some(lsp_types::NumberOrString::String("LZF002".into()))]
    );
    assert_eq!(
        published.diagnostics[0].message,
        "Make `import json` eager: module-level code reads it at once, so being lazy gains nothing"
    );
    let actions = client.code_actions(&uri, range_of(text, "json", Units::Utf16), None, vec![]);
    let fixes = quickfixes(&actions);
    let titles: Vec<&str> = fixes.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "lazify (LZF002): Make `import json` eager",
            "Keep this import lazy"
        ]
    );
    let eager = apply(
        text,
        &edits_for(fixes[0].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert_eq!(eager, "import json\n\nSETTINGS = json.loads('{}')\n");
    let diagnostics = client.change(&uri, 2, full_change(&eager)).diagnostics;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // The pragma keeps it lazy and silences the finding.
    let kept = apply(
        text,
        &edits_for(fixes[1].edit.as_ref().unwrap(), &uri),
        Units::Utf16,
    );
    assert!(
        kept.starts_with("lazy import json  # lazify: keep\n"),
        "{kept}"
    );
    let diagnostics = client.change(&uri, 3, full_change(&kept)).diagnostics;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    client.shutdown().unwrap();
}
