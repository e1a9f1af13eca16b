use lazify_core::{KeepReason, RewriteWhy, TextSize};

use lazify_core::Style;

use super::*;

fn verdict(decision: Decision) -> ImportVerdict {
    ImportVerdict {
        stmt_range: TextRange::new(TextSize::new(0), TextSize::new(11)),
        alias_range: TextRange::new(TextSize::new(7), TextSize::new(11)),
        module: "json".into(),
        resolved_module: Some("json".into()),
        member: None,
        binding: "json".into(),
        decision,
        chain: None,
        proof: None,
        note: None,
    }
}

const SOURCE: &str = "import json\nprint(json.dumps(1))\n";

#[test]
fn report_lines() {
    let v = verdict(Decision::Rewrite {
        style: Style::Lazy,
        why: RewriteWhy::UsedOnlyDeferred,
    });
    assert_eq!(
        report_line(Path::new("a.py"), &SourceLines::new(SOURCE), &v),
        "a.py:1:8: LZF001 Make `import json` lazy (used only in deferred code) [lazy]"
    );
    let json = serde_json::to_value(json_object(
        Path::new("a.py"),
        &SourceLines::new(SOURCE),
        &lazify_core::FileOutcome::default(),
        &v,
    ))
    .unwrap();
    assert_eq!(json["code"], "LZF001");
    assert_eq!(json["end_column"], 12);
    assert_eq!(json["reason"], "used-only-deferred");
    assert_eq!(
        github_line(Path::new("a,b.py"), &SourceLines::new(SOURCE), &v),
        "::notice file=a%2Cb.py,line=1,col=8,endLine=1,endColumn=12,title=LZF001::Make `import json` lazy (used only in deferred code)"
    );
}

#[test]
fn local_style_says_move() {
    let v = verdict(Decision::Rewrite {
        style: Style::Local,
        why: RewriteWhy::UsedOnlyDeferred,
    });
    assert_eq!(
        message(&v),
        "Move `import json` into the functions that use it (used only in deferred code)"
    );
}

#[test]
fn explain_points_at_the_proof() {
    let v = verdict(Decision::Keep {
        reason: KeepReason::UsedAtImportTime,
        span: TextRange::new(TextSize::new(18), TextSize::new(22)),
        detail: None,
    });
    let source = named_source(Path::new("a.py"), SOURCE);
    let text = render(&explain_report(&source, &v), false, 100);
    assert!(text.contains("keep::used-at-import-time"), "{text}");
    assert!(text.contains("[a.py:1:8]"), "{text}");
    assert!(text.contains("2 │ print(json.dumps(1))"), "{text}");
    assert!(
        text.contains("the name is used while the module is imported"),
        "{text}"
    );
    assert!(text.contains("kept eager"), "{text}");
    let json = serde_json::to_value(json_object(
        Path::new("a.py"),
        &SourceLines::new(SOURCE),
        &lazify_core::FileOutcome::default(),
        &v,
    ))
    .unwrap();
    assert_eq!(json["proof"]["line"], 2);
    assert_eq!(json["code"], "keep::used-at-import-time");
}

/// A line longer than 65,535 columns: miette panicked on a label past that column.
#[test]
fn labels_far_along_a_long_line_are_shown_in_a_window() {
    let long = "a".repeat(70_000);
    let text = format!("import json\nx = \"{long}\"; y = json.dumps(1)\n");
    let at = text.find("json.dumps").unwrap();
    let v = ImportVerdict {
        decision: Decision::Keep {
            reason: KeepReason::UsedAtImportTime,
            span: TextRange::new(
                TextSize::new(u32::try_from(at).unwrap()),
                TextSize::new(u32::try_from(at + 4).unwrap()),
            ),
            detail: None,
        },
        ..verdict(Decision::Rewrite {
            style: Style::Lazy,
            why: RewriteWhy::UsedOnlyDeferred,
        })
    };
    let source = named_source(Path::new("long.py"), &text);
    let rendered = render(&explain_report(&source, &v), false, 100);
    assert!(rendered.contains("[long.py:1:8]"), "{rendered}");
    assert!(
        rendered.contains("the name is used while the module is imported"),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!(" 2 │ …{}\"; y = json.dumps(1)", "a".repeat(33))),
        "{rendered}"
    );
    assert!(rendered.len() < 2_000, "{rendered}");

    // The label alone, on line 2: the header gives its real column.
    let report = Report {
        message: "m".to_string(),
        code: "c".to_string(),
        severity: Severity::Error,
        help: None,
        source: Snippet::Whole(source.clone()),
        labels: vec![LabeledSpan::new_with_span(
            Some("here".to_string()),
            (at, 4),
        )],
    };
    let rendered = render(&report, false, 100);
    let column = at - text.find('\n').unwrap();
    assert!(
        rendered.contains(&format!("[long.py:2:{column}]")),
        "{rendered}"
    );
    assert!(rendered.contains("╰── here"), "{rendered}");

    // A label from near the start to far along the line keeps both ends.
    let report = Report {
        labels: vec![LabeledSpan::new_with_span(
            Some("all of it".to_string()),
            (12, at - 12),
        )],
        ..report
    };
    let rendered = render(&report, false, 100);
    assert!(rendered.contains(" 2 │ x = \"aaa"), "{rendered}");
    assert!(rendered.contains("a…a"), "{rendered}");
    assert!(rendered.contains("all of it"), "{rendered}");
}
