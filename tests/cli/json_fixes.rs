//! `--output-format json`: each rewrite carries its `fix` in ruff's shape (issue 17). Applying every distinct fix
//! of a file once, in one pass over the original text, must give exactly what `--write` writes, in every style;
//! findings that share text (one `__lazy_modules__` list, one receiving function, the hoisted block) share one
//! fix.

use std::collections::BTreeMap;

use crate::common::{Project, assert_code};

/// A package whose imports exercise every style: a statement split in two, several imports moved into one
/// function, neighbouring statements, a function-local import to hoist, non-ASCII text before the edits (columns
/// are characters), CRLF line endings in one file.
fn project() -> Project {
    let project = Project::new();
    project
        .file("pkg/__init__.py", "")
        .file(
            "pkg/app.py",
            "\"\"\"Café.\"\"\"\nimport json\nimport csv, sys\nimport decimal\nfrom fractions import Fraction\n\nprint(sys.argv)\n\n\ndef dump(rows):\n    return json.dumps(rows), csv.writer\n\n\ndef money(x):\n    import heapq\n    return decimal.Decimal(x), Fraction(1), heapq\n\n\ndef other():\n    import heapq\n    return heapq\n",
        )
        .file(
            "pkg/crlf.py",
            "# é\r\nimport json\r\n\r\nimport base64\r\n\r\n\r\ndef f():\r\n    return json, base64\r\n",
        );
    project
}

/// The byte offset of a 1-based (row, column in characters) position; a line ends at `\n`, `\r\n` or a lone `\r`.
fn offset(text: &str, row: u64, column: u64) -> usize {
    let mut line_start = 0;
    let mut row_now = 1;
    let bytes = text.as_bytes();
    let mut i = 0;
    while row_now < row && i < bytes.len() {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            row_now += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    let skip = usize::try_from(column - 1).unwrap();
    text[line_start..]
        .char_indices()
        .nth(skip)
        .map_or(text.len(), |(at, _)| line_start + at)
}

/// The file's distinct fixes, applied together in one pass (edits sorted by position, insertions at one offset
/// in the order given).
fn apply_fixes(text: &str, fixes: &[serde_json::Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for fix in fixes {
        assert_eq!(fix["applicability"], "safe", "{fix}");
        assert!(
            fix["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{fix}"
        );
        for edit in fix["edits"].as_array().unwrap() {
            let at = |key: &str| {
                offset(
                    text,
                    edit[key]["row"].as_u64().unwrap(),
                    edit[key]["column"].as_u64().unwrap(),
                )
            };
            edits.push((
                at("location"),
                at("end_location"),
                edit["content"].as_str().unwrap().to_string(),
            ));
        }
    }
    edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::new();
    let mut last = 0;
    for (start, end, content) in edits {
        assert!(start >= last, "overlapping edits at {start}");
        out.push_str(&text[last..start]);
        out.push_str(&content);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

fn check_style(args: &[&str]) -> BTreeMap<String, Vec<String>> {
    let project = project();
    let mut json_args = vec!["--output-format", "json", "--target-version", "py315"];
    json_args.extend_from_slice(args);
    let output = project.run(&json_args);
    assert_code(&output, 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["errors"], serde_json::json!([]), "{value}");
    let mut per_file: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for finding in value["findings"].as_array().unwrap() {
        let fix = &finding["fix"];
        assert!(fix.is_object(), "a rewrite without a fix: {finding}");
        let fixes = per_file
            .entry(finding["path"].as_str().unwrap().to_string())
            .or_default();
        if !fixes.contains(fix) {
            fixes.push(fix.clone());
        }
    }
    let originals: BTreeMap<String, String> = per_file
        .keys()
        .map(|path| (path.clone(), project.read_string(path)))
        .collect();
    let mut write_args = vec!["--write", "--target-version", "py315"];
    write_args.extend_from_slice(args);
    assert_code(&project.run(&write_args), 0);
    let mut titles = BTreeMap::new();
    for (path, fixes) in &per_file {
        let applied = apply_fixes(&originals[path], fixes);
        assert_eq!(
            applied,
            project.read_string(path),
            "{args:?} {path}: the fixes applied together differ from what --write wrote"
        );
        assert_ne!(applied, originals[path]);
        titles.insert(
            path.clone(),
            fixes
                .iter()
                .map(|f| f["message"].as_str().unwrap().to_string())
                .collect(),
        );
    }
    titles
}

#[test]
fn json_fixes_applied_together_equal_write_in_every_style() {
    let lazy = check_style(&["--style", "lazy"]);
    // One fix per statement; `import csv, sys` is split (`sys` stays).
    assert_eq!(
        lazy["pkg/app.py"],
        [
            "Make `json` lazy",
            "Make `csv` lazy",
            "Make `decimal` lazy",
            "Make `from fractions import Fraction` lazy"
        ]
    );
    assert_eq!(
        lazy["pkg/crlf.py"],
        ["Make `json` lazy", "Make `base64` lazy"]
    );

    // One list: one fix for every entry.
    let lazy_modules = check_style(&["--style", "lazy-modules"]);
    assert_eq!(
        lazy_modules["pkg/app.py"],
        ["Add `csv`, `decimal`, `fractions`, `json` to `__lazy_modules__`"]
    );

    // `json` and `csv` move into `dump` together, `decimal` and `Fraction` into `money`: two fixes, although
    // the four statements are neighbours.
    let local = check_style(&["--style", "local"]);
    assert_eq!(
        local["pkg/app.py"],
        [
            "Move `import json`, `import csv` into the functions that use them",
            "Move `import decimal`, `from fractions import Fraction` into the functions that use them"
        ],
        "{local:?}"
    );
    assert_eq!(
        local["pkg/crlf.py"],
        ["Move `import json`, `import base64` into the functions that use them"]
    );

    let hoist = check_style(&["--style", "lazy", "--hoist"]);
    assert!(
        hoist["pkg/app.py"]
            .iter()
            .any(|t| t == "Hoist `import heapq` to a module-level `lazy` import"),
        "{hoist:?}"
    );
}

/// `LZF002` through the command line: the report line, the JSON finding (code, reason, the read as `proof`, the
/// fix), `--write` removing `lazy` and a `__lazy_modules__` entry exactly as the fixes say, and a clean second run.
/// `loud` prints when it loads: it keeps `lazy`, and `--explain` says why.
#[test]
fn lazy_imports_read_at_once_are_made_eager_by_their_fixes() {
    let project = Project::new();
    project
        .file("pyproject.toml", "[project]\nname = \"app\"\n")
        .file("loud.py", "print('loud')\nVALUE = 1\n")
        .file(
            "app.py",
            "__lazy_modules__ = [\"csv\", \"fractions\"]\nlazy import json\nlazy import loud\nimport csv\nfrom fractions import Fraction\n\nWRITER = csv.writer\nSETTINGS = json.loads('{}')\nprint(loud.VALUE)\n\n\ndef f():\n    return Fraction(1)\n",
        );
    let original = project.read_string("app.py");
    let output = project.run(&["--target-version", "py315", "app.py"]);
    assert_code(&output, 1);
    let report = crate::common::stdout(&output);
    assert!(
        report.contains(
            "app.py:2:13: LZF002 Make `import json` eager: module-level code reads it at once, so being lazy gains nothing [lazy]"
        ),
        "{report}"
    );
    assert!(
        report.contains("app.py:4:8: LZF002 Make `import csv` eager"),
        "{report}"
    );
    assert!(!report.contains("loud"), "{report}");

    let output = project.run(&[
        "--output-format",
        "json",
        "--target-version",
        "py315",
        "app.py",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = value["findings"].as_array().unwrap();
    // The third is `from fractions import Fraction`, made lazy (`LZF001`) as style `lazy` does.
    assert_eq!(findings.len(), 3, "{value}");
    assert_eq!(findings[2]["code"], "LZF001");
    let json = &findings[0];
    assert_eq!(json["code"], "LZF002");
    assert_eq!(json["reason"], "resolved-at-once");
    assert_eq!(json["proof"]["line"], 8, "{json}");
    assert_eq!(json["proof"]["column"], 12, "{json}");
    assert_eq!(json["fix"]["message"], "Make `import json` eager");
    assert_eq!(findings[1]["fix"]["message"], "Make `import csv` eager");
    let fixes: Vec<serde_json::Value> = findings.iter().map(|f| f["fix"].clone()).collect();
    let applied = apply_fixes(&original, &fixes);

    let output = project.run(&["--explain", "--target-version", "py315", "app.py"]);
    let explained = crate::common::stdout(&output);
    assert!(
        explained
            .contains("`import loud` is already lazy (module-level code reads it at once, but")
            && explained.contains("(loud.py:1:"),
        "{explained}"
    );

    assert_code(
        &project.run(&["--write", "--target-version", "py315", "app.py"]),
        0,
    );
    let written = project.read_string("app.py");
    assert_eq!(applied, written);
    assert!(
        written.starts_with(
            "__lazy_modules__ = [\"fractions\"]\nimport json\nlazy import loud\nimport csv\nlazy from fractions"
        ),
        "{written}"
    );
    assert_code(
        &project.run(&["--check", "--target-version", "py315", "app.py"]),
        0,
    );
}
