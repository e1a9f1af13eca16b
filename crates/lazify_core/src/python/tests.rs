use super::*;

fn placement(src: &str) -> Vec<String> {
    match parse(src) {
        Ok(_) => vec![],
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn accepts_module_level_lazy() {
    assert!(
        placement("lazy import os\nif x:\n    lazy from a import b\nwith c:\n    lazy import d\n")
            .is_empty()
    );
}

#[test]
fn rejects_lazy_in_function_class_try() {
    assert_eq!(placement("def f():\n    lazy import os\n").len(), 1);
    assert_eq!(placement("class C:\n    lazy import os\n").len(), 1);
    assert_eq!(
        placement("try:\n    pass\nfinally:\n    lazy import os\n").len(),
        1
    );
    assert_eq!(
        placement("try:\n    pass\nexcept E:\n    if x:\n        lazy import os\n").len(),
        1
    );
    assert_eq!(placement("lazy from os import *\n").len(), 1);
    assert_eq!(
        placement("lazy from __future__ import annotations\n").len(),
        1
    );
}

#[test]
fn rejects_late_future_import() {
    assert_eq!(
        placement("__lazy_modules__ = ['a']\nfrom __future__ import annotations\n").len(),
        1
    );
    assert!(placement("\"\"\"doc\"\"\"\nfrom __future__ import annotations\nx = 1\n").is_empty());
}

#[test]
fn reports_syntax_errors_with_span() {
    let err = parse("import (\n").err().unwrap();
    assert!(err.range().is_some());
}

/// The depth of the syntax tree (statements, expressions, patterns), walked recursively: small inputs only.
fn tree_depth(source: &str) -> usize {
    use ruff_python_ast::visitor::{self, Visitor};
    #[derive(Default)]
    struct Depth {
        current: usize,
        deepest: usize,
    }
    impl Depth {
        fn enter(&mut self) {
            self.current += 1;
            self.deepest = self.deepest.max(self.current);
        }
    }
    impl<'a> Visitor<'a> for Depth {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            self.enter();
            visitor::walk_stmt(self, stmt);
            self.current -= 1;
        }
        fn visit_expr(&mut self, expr: &'a ast::Expr) {
            self.enter();
            visitor::walk_expr(self, expr);
            self.current -= 1;
        }
        fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
            self.enter();
            visitor::walk_pattern(self, pattern);
            self.current -= 1;
        }
    }
    let parsed = parse(source).unwrap();
    let mut depth = Depth::default();
    depth.visit_body(parsed.body());
    depth.deepest
}

/// `levels` nested blocks, each opened by `headers` (each header two columns right of the one before),
/// `step` columns right of the block before, with `body` in the innermost.
fn blocks(levels: usize, step: usize, headers: &[&str], body: &str) -> String {
    let mut source = String::new();
    for level in 0..levels {
        for (i, header) in headers.iter().enumerate() {
            source.push_str(&" ".repeat(step * level + 2 * i));
            source.push_str(header);
            source.push('\n');
        }
    }
    source.push_str(&" ".repeat(step * levels));
    source.push_str(body);
    source.push('\n');
    source
}

#[test]
fn nesting_bounds_the_depth_of_the_tree() {
    let n = 40;
    let cases = [
        format!("x = a{}\n", " + a".repeat(n)),
        format!("x = a{}\n", ".b".repeat(n)),
        format!("x = a{}\n", "()".repeat(n)),
        format!("x = a{}\n", "[0]".repeat(n)),
        format!("x = a{}\n", "[1:2, ::3]".repeat(n)),
        format!("x = {}1\n", "lambda: ".repeat(n)),
        format!("x = {}1\n", "lambda a, b=1, *c, d, **e: ".repeat(n)),
        format!("x = {}c\n", "a if b else ".repeat(n)),
        format!("x = {}1\n", "-".repeat(n)),
        format!("x = {}1\n", "not ".repeat(n)),
        format!("x = a{}\n", "**a".repeat(n)),
        format!("x = a{}\n", " not in a.b".repeat(n)),
        format!("x = a{}\n", " is not -a".repeat(n)),
        format!("x = {}1{}\n", "(y := ".repeat(n), ")".repeat(n)),
        format!("x = {}0{}\n", "f(a=".repeat(n), ")".repeat(n)),
        format!("x = {}0{}\n", "{'k': ".repeat(n), "}".repeat(n)),
        format!("x = {}0{}\n", "[a for a in ".repeat(n), "]".repeat(n)),
        format!("x = {}0{}\n", "(*a, ".repeat(n), ")".repeat(n)),
        format!(
            "def f():\n    x = {}0{}\n",
            "(yield ".repeat(n),
            ")".repeat(n)
        ),
        format!("x = {}0{}\n", "f'{".repeat(20), "}'".repeat(20)),
        format!("x = a{}\n", " or b and c < d + e.f".repeat(n)),
        format!("x = a, b{}\n", ".c".repeat(n)),
        format!(
            "@a{}\ndef f(x: y{} = z{}) -> w{}: pass\n",
            ".b".repeat(n),
            ".b".repeat(n),
            ".b".repeat(n),
            ".b".repeat(n)
        ),
        blocks(n, 1, &["if x:"], "y = a.b.c"),
        blocks(n, 1, &["def f(a=b.c):"], "return a.b"),
        blocks(
            n / 4,
            4,
            &["match x:", "case [a, A(b=c.d)] | {'k': 1}:"],
            "pass",
        ),
        format!("x = y = {}0\n", "z.a = ".repeat(n)),
        format!("async def f():\n    return {}0\n", "await (".repeat(n)) + &")".repeat(n),
    ];
    for source in &cases {
        let depth = tree_depth(source);
        let estimate = nesting(source);
        assert!(estimate >= depth, "{estimate} < {depth} for {source}");
    }
}

#[test]
fn nesting_does_not_count_flat_code() {
    let n = 100_000;
    let flat = [
        format!("import a{}\n", ".b".repeat(n)),
        format!("from {}a{} import b\n", ".".repeat(n), ".b".repeat(n)),
        format!("lazy import a{}\n", ".b".repeat(n)),
        format!("x = a{}\n", " < a".repeat(n)),
        format!("x = a{}\n", " and a".repeat(n)),
        format!("x = a{}\n", " not in a".repeat(n)),
        format!("x = [{}]\n", "a.b + c, ".repeat(n)),
        format!("x = '{}'\n", "+.(".repeat(n)),
        format!("x = {}\n", "'a' ".repeat(n)),
        "x = -a.b\n".repeat(n),
    ];
    for source in &flat {
        assert!(
            nesting(source) < 100,
            "{} for {}",
            nesting(source),
            &source[..40]
        );
        assert!(parse(source).is_ok());
    }
}

#[test]
fn code_cpython_compiles_is_not_too_deep() {
    // The deepest code of each kind CPython 3.15 compiles with its default stack (see MAX_NESTING).
    let cases = [
        format!("x = a{}\n", " + a".repeat(28_970)),
        format!("x = a{}\n", ".b".repeat(28_982)),
        format!("x = a{}\n", "()".repeat(28_982)),
        format!("x = a{}\n", "[0]".repeat(47_427)),
        format!("x = {}1\n", "lambda: ".repeat(2_982)),
        format!("x = {}c\n", "a if b else ".repeat(2_983)),
        format!("x = a{}\n", "**a".repeat(2_983)),
        format!("x = {}1\n", "-".repeat(5_965)),
        format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200)),
        blocks(99, 1, &["def f():"], "pass"),
    ];
    for source in &cases {
        assert!(
            nesting(source) <= MAX_NESTING,
            "{} for {}",
            nesting(source),
            &source[..40]
        );
    }
}

#[test]
fn deeper_code_is_an_error_at_the_limit() {
    let source = format!("import json\nx = a{}\n", ".b".repeat(60_000));
    let Err(EngineError::TooDeep { message, range }) = parse(&source) else {
        panic!("not refused");
    };
    assert!(message.contains("too deeply nested"), "{message}");
    // The chain starts at byte 17; the limit falls within a few links of level MAX_NESTING.
    let at = usize::from(range.start());
    let link = (at - 17) / 2;
    assert!(
        link.abs_diff(MAX_NESTING) < 2 * LEVEL_SLACK,
        "{link} links in"
    );
    assert_eq!(&source[range], ".");
    // So is a file of many lines, each nested too deeply, or one that never closes its brackets.
    assert!(matches!(
        parse(&"(".repeat(200_000)),
        Err(EngineError::TooDeep { .. })
    ));
}

#[test]
fn coding_declarations_as_python_reads_them() {
    // Checked against python3.11 and python3.15: which files decode `\xc3\xa9` as one character.
    let cases = [
        ("# -*- coding: latin-1 -*-\nx\n", Some(("latin-1", 1))),
        (
            "#!/usr/bin/python\n# -*- coding: latin-1 -*-\n",
            Some(("latin-1", 2)),
        ),
        ("\n# coding=cp1252\n", Some(("cp1252", 2))),
        (
            "\u{feff}# vim: set fileencoding=latin-1 :\n",
            Some(("latin-1", 1)),
        ),
        ("import os\n# -*- coding: latin-1 -*-\n", None),
        ("\"\"\"Doc.\"\"\"\n# -*- coding: latin-1 -*-\n", None),
        ("import os\n\n# -*- coding: latin-1 -*-\n", None),
        ("x = 1  # -*- coding: latin-1 -*-\n", None),
        (
            "#!/bin/python\r\n# coding: latin-1\r\n",
            Some(("latin-1", 2)),
        ),
        ("#!/bin/python\r# coding: latin-1\r", Some(("latin-1", 2))),
        ("#!/bin/python\r\n\r\n# coding: latin-1\r\n", None),
        ("# no declaration\nimport os\n", None),
    ];
    for (source, expected) in cases {
        assert_eq!(coding_declaration(source), expected, "{source:?}");
    }
}

#[test]
fn pragmas() {
    let src = "import a  # lazify: keep\nimport b  # noqa: F401 # lazify: keep\nimport c # lazify:keeper\n";
    let parsed = parse(src).unwrap();
    let lines: Vec<bool> = parsed
        .body()
        .iter()
        .map(|s| parsed.has_keep_pragma(src, s.range()))
        .collect();
    assert_eq!(lines, [true, true, true]);
    assert!(!parsed.has_skip_file_pragma(src));
    let src = "# lazify: skip-file\nimport a\n";
    assert!(parse(src).unwrap().has_skip_file_pragma(src));
}
