//! Inputs: a small structure-aware generator of Python modules full of imports, and mutations of real files.
//!
//! The generator writes imports of every shape (aliases, dotted and relative names, parenthesised lists with
//! comments, backslash continuations, several per line, already `lazy`, under `try`/`with`/`if`), an `__all__`,
//! a `__lazy_modules__` (literal, multi-line with comments, or odd shapes), and uses of the names in functions,
//! classes, decorators, defaults, annotations, lambdas, comprehensions and the `__main__` block; then picks line
//! endings (LF, CRLF, CR, mixed), indentation (spaces, tabs), a BOM, a shebang and a coding declaration.

use crate::rng::Rng;

const MODULES: &[&str] = &[
    "json",
    "os",
    "os.path",
    "sys",
    "re",
    "numpy",
    "pandas",
    "collections",
    "collections.abc",
    "typing",
    "xml.dom.minidom",
    "email.mime.text",
    "pkg",
    "pkg.sub",
    "requests",
    "dataclasses",
    "functools",
    "logging",
];
const NAMES: &[&str] = &[
    "loads",
    "dumps",
    "join",
    "path",
    "Path",
    "array",
    "OrderedDict",
    "Any",
    "get",
    "post",
    "dataclass",
    "wraps",
    "getLogger",
    "sub",
    "helper",
    "Thing",
];
const COMMENTS: &[&str] = &[
    "# why",
    "# noqa: F401",
    "# type: ignore",
    "# lazify: keep",
    "#: doc comment",
    "# -*- coding: latin-1 -*-",
    "# TODO(x): é ü",
    "#",
    "#!not a shebang",
];

/// One import the generator wrote, and the name it binds.
struct Bound {
    name: String,
}

/// Writes a module.
struct Writer<'r> {
    rng: &'r mut Rng,
    out: String,
    indent: &'static str,
    bound: Vec<Bound>,
    counter: usize,
}

impl Writer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str(self.indent);
        }
        self.out.push_str(text);
        if self.rng.one_in(6) {
            let comment = *self.rng.pick(COMMENTS);
            self.out.push_str("  ");
            self.out.push_str(comment);
        }
        self.out.push('\n');
    }

    fn comment_line(&mut self, depth: usize) {
        let comment = *self.rng.pick(COMMENTS);
        for _ in 0..depth {
            self.out.push_str(self.indent);
        }
        self.out.push_str(comment);
        self.out.push('\n');
    }

    fn fresh(&mut self, base: &str) -> String {
        self.counter += 1;
        format!("{base}{}", self.counter)
    }

    fn module(&mut self) -> &'static str {
        MODULES[self.rng.below(MODULES.len())]
    }

    /// One import statement (one line or several), binding some names.
    fn import(&mut self, depth: usize) {
        // `lazy` only where PEP 810 allows it (module level, outside blocks).
        let lazy = if depth == 0 && self.rng.one_in(8) {
            "lazy "
        } else {
            ""
        };
        let shape = self.rng.below(11);
        match shape {
            0 => {
                let m = self.module();
                self.bound.push(Bound {
                    name: m.split('.').next().unwrap_or(m).to_string(),
                });
                self.line(depth, &format!("{lazy}import {m}"));
            }
            1 => {
                let m = self.module();
                let alias = self.fresh("m");
                self.line(depth, &format!("{lazy}import {m} as {alias}"));
                self.bound.push(Bound { name: alias });
            }
            2 => {
                let (a, b) = (self.module(), self.module());
                self.line(depth, &format!("{lazy}import {a}, {b}"));
                for m in [a, b] {
                    self.bound.push(Bound {
                        name: m.split('.').next().unwrap_or(m).to_string(),
                    });
                }
            }
            3 | 4 => {
                let m = self.module();
                let n = *self.rng.pick(NAMES);
                if self.rng.one_in(2) {
                    let alias = self.fresh(n);
                    self.line(depth, &format!("{lazy}from {m} import {n} as {alias}"));
                    self.bound.push(Bound { name: alias });
                } else {
                    self.line(depth, &format!("{lazy}from {m} import {n}"));
                    self.bound.push(Bound {
                        name: n.to_string(),
                    });
                }
            }
            5 => {
                // Parenthesised, multi-line, with comments and a trailing comma.
                let m = self.module();
                self.line(depth, &format!("{lazy}from {m} import ("));
                let count = 1 + self.rng.below(3);
                for _ in 0..count {
                    let n = *self.rng.pick(NAMES);
                    if self.rng.one_in(3) {
                        let alias = self.fresh(n);
                        self.line(depth + 1, &format!("{n} as {alias},"));
                        self.bound.push(Bound { name: alias });
                    } else {
                        self.line(depth + 1, &format!("{n},"));
                        self.bound.push(Bound {
                            name: n.to_string(),
                        });
                    }
                    if self.rng.one_in(4) {
                        self.comment_line(depth + 1);
                    }
                }
                self.line(depth, ")");
            }
            6 => {
                let dots = ".".repeat(1 + self.rng.below(2));
                let n = *self.rng.pick(NAMES);
                let m = if self.rng.one_in(2) { "sub" } else { "" };
                self.line(depth, &format!("{lazy}from {dots}{m} import {n}"));
                self.bound.push(Bound {
                    name: n.to_string(),
                });
            }
            7 => {
                let (a, b) = (self.module(), self.module());
                self.line(depth, &format!("import {a}; import {b}"));
                for m in [a, b] {
                    self.bound.push(Bound {
                        name: m.split('.').next().unwrap_or(m).to_string(),
                    });
                }
            }
            8 => {
                let m = self.module();
                let n = *self.rng.pick(NAMES);
                self.line(depth, &format!("from {m} import \\"));
                self.line(depth + 1, n);
                self.bound.push(Bound {
                    name: n.to_string(),
                });
            }
            9 => {
                let m = self.module();
                let alias = self.fresh("p");
                self.line(depth, &format!("import {m} as \\"));
                self.line(depth + 1, &alias);
                self.bound.push(Bound { name: alias });
            }
            _ => {
                let m = self.module();
                let alias = self.fresh("q");
                let n = *self.rng.pick(NAMES);
                self.line(depth, &format!("from {m} import ({n} as"));
                self.line(depth + 1, &format!("{alias})"));
                self.bound.push(Bound { name: alias });
            }
        }
    }

    /// A use of a bound name in some expression.
    fn use_expr(&mut self) -> String {
        if self.bound.is_empty() {
            return "None".to_string();
        }
        let i = self.rng.below(self.bound.len());
        let name = self.bound[i].name.clone();
        match self.rng.below(5) {
            0 => name,
            1 => format!("{name}.attr"),
            2 => format!("{name}.call(1)"),
            3 => format!("[{name} for _ in range(2)]"),
            _ => format!("(lambda: {name})"),
        }
    }

    fn function(&mut self, depth: usize) {
        let name = self.fresh("f");
        if self.rng.one_in(5) {
            let decorator = self.use_expr();
            self.line(
                depth,
                &format!("@{}", decorator.replace('[', "(").replace(']', ")")),
            );
        }
        let default = if self.rng.one_in(4) {
            format!("x={}", self.use_expr())
        } else {
            "x".to_string()
        };
        let annotation = if self.rng.one_in(4) && !self.bound.is_empty() {
            let i = self.rng.below(self.bound.len());
            format!(" -> {}", self.bound[i].name)
        } else {
            String::new()
        };
        let asyncness = if self.rng.one_in(6) { "async " } else { "" };
        if self.rng.one_in(5) {
            let body = self.use_expr();
            self.line(
                depth,
                &format!("{asyncness}def {name}({default}){annotation}: return {body}"),
            );
            return;
        }
        self.line(
            depth,
            &format!("{asyncness}def {name}({default}){annotation}:"),
        );
        if self.rng.one_in(3) {
            self.line(depth + 1, "\"\"\"Doc.\"\"\"");
        }
        let statements = 1 + self.rng.below(3);
        for _ in 0..statements {
            self.body_statement(depth + 1, true);
        }
    }

    fn body_statement(&mut self, depth: usize, in_function: bool) {
        match self.rng.below(10) {
            0 if in_function => self.import(depth),
            1 => self.comment_line(depth),
            2 if in_function && !self.bound.is_empty() => {
                let i = self.rng.below(self.bound.len());
                let name = self.bound[i].name.clone();
                self.line(depth, &format!("global {name}"));
                self.line(depth, &format!("{name} = 1"));
            }
            3 => {
                let e = self.use_expr();
                self.line(depth, &format!("if {e}:"));
                let e = self.use_expr();
                self.line(depth + 1, &format!("y = {e}"));
                if self.rng.one_in(2) {
                    self.line(depth, "else:");
                    self.line(depth + 1, "pass");
                }
            }
            4 => {
                self.line(depth, "try:");
                let e = self.use_expr();
                self.line(depth + 1, &format!("y = {e}"));
                self.line(depth, "except Exception:");
                self.line(depth + 1, "pass");
            }
            5 if in_function => {
                let e = self.use_expr();
                self.line(depth, &format!("return {e}"));
            }
            _ => {
                let e = self.use_expr();
                self.line(depth, &format!("y = {e}"));
            }
        }
    }

    fn class(&mut self, depth: usize) {
        let name = self.fresh("C");
        let base = if self.rng.one_in(3) {
            format!("({})", self.use_expr())
        } else {
            String::new()
        };
        self.line(depth, &format!("class {name}{base}:"));
        if self.rng.one_in(2) {
            let e = self.use_expr();
            self.line(depth + 1, &format!("attr = {e}"));
        }
        if !self.bound.is_empty() && self.rng.one_in(2) {
            let i = self.rng.below(self.bound.len());
            let name = self.bound[i].name.clone();
            self.line(depth + 1, &format!("field: {name}"));
        }
        self.function(depth + 1);
    }
}

/// A generated module, as bytes (it may carry a BOM and use CR line endings).
pub fn program(rng: &mut Rng) -> Vec<u8> {
    let indent = if rng.one_in(5) { "\t" } else { "    " };
    let mut w = Writer {
        rng,
        out: String::new(),
        indent,
        bound: Vec::new(),
        counter: 0,
    };
    if w.rng.one_in(6) {
        w.out.push_str("#!/usr/bin/env python3\n");
    }
    if w.rng.one_in(5) {
        let codings = [
            "# -*- coding: utf-8 -*-\n",
            "# coding: latin-1\n",
            "# vim: set fileencoding=utf-8 :\n",
        ];
        w.out.push_str(codings[w.rng.below(codings.len())]);
    }
    if w.rng.one_in(2) {
        w.out.push_str("\"\"\"Module docstring.\"\"\"\n");
    }
    if w.rng.one_in(4) {
        w.line(0, "from __future__ import annotations");
    }
    let imports = 1 + w.rng.below(6);
    for _ in 0..imports {
        match w.rng.below(12) {
            0 => {
                w.line(0, "try:");
                w.import(1);
                w.line(0, "except ImportError:");
                w.line(1, "pass");
            }
            1 => {
                w.line(0, "from typing import TYPE_CHECKING");
                w.line(0, "if TYPE_CHECKING:");
                w.import(1);
            }
            2 => {
                w.line(0, "with open(__file__):");
                w.import(1);
            }
            3 => w.comment_line(0),
            _ => w.import(0),
        }
    }
    if w.rng.one_in(3) && !w.bound.is_empty() {
        let names: Vec<String> = w
            .bound
            .iter()
            .take(2)
            .map(|b| format!("\"{}\"", b.name))
            .collect();
        w.line(0, &format!("__all__ = [{}]", names.join(", ")));
    }
    if w.rng.one_in(3) {
        let m = w.module();
        match w.rng.below(5) {
            0 => w.line(0, &format!("__lazy_modules__ = [\"{m}\"]")),
            1 => {
                w.line(0, "__lazy_modules__ = [");
                w.comment_line(1);
                w.line(1, &format!("\"{m}\","));
                w.line(0, "]");
            }
            2 => w.line(0, &format!("__lazy_modules__, other = [\"{m}\"], 1")),
            3 => w.line(0, &format!("__lazy_modules__ = (\"{m}\",)")),
            _ => w.line(0, &format!("__lazy_modules__: list[str] = [\"{m}\"]")),
        }
    }
    let items = 1 + w.rng.below(5);
    for _ in 0..items {
        match w.rng.below(6) {
            0 | 1 => w.function(0),
            2 => w.class(0),
            3 => {
                let e = w.use_expr();
                w.line(0, &format!("VALUE = {e}"));
            }
            4 => {
                w.line(0, "if __name__ == \"__main__\":");
                let e = w.use_expr();
                w.line(1, &format!("print({e})"));
            }
            _ => w.comment_line(0),
        }
    }
    let text = w.out;
    finish(rng, &text)
}

/// Line endings, a missing final newline, a BOM.
fn finish(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut text = match rng.below(8) {
        0 => text.replace('\n', "\r\n"),
        1 => text.replace('\n', "\r"),
        2 => {
            // Mixed.
            let mut out = String::new();
            for line in text.split_inclusive('\n') {
                out.push_str(line.strip_suffix('\n').unwrap_or(line));
                if line.ends_with('\n') {
                    let endings = ["\n", "\r\n", "\r"];
                    out.push_str(endings[rng.below(endings.len())]);
                }
            }
            out
        }
        _ => text.to_string(),
    };
    if rng.one_in(8) {
        while text.ends_with(['\n', '\r']) {
            text.pop();
        }
    }
    let mut bytes = Vec::new();
    if rng.one_in(8) {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Splits `bytes` into lines that keep their line breaks (`\n`, `\r\n` or `\r`).
pub fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&bytes[start..=i]);
                start = i + 1;
            }
            b'\r' => {
                let end = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 1
                } else {
                    i
                };
                lines.push(&bytes[start..=end]);
                i = end;
                start = end + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

/// A mutation of `input` (a real file), sometimes splicing in lines of `other` or of a generated program.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = lines(input).into_iter().map(<[u8]>::to_vec).collect();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        if lines.is_empty() {
            lines.push(b"import json\n".to_vec());
        }
        let at = rng.below(lines.len());
        match rng.below(12) {
            0 => {
                lines.remove(at);
            }
            1 => {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            2 => {
                let b = rng.below(lines.len());
                lines.swap(at, b);
            }
            3 => {
                let others = self::lines(other);
                if !others.is_empty() {
                    let start = rng.below(others.len());
                    let count = 1 + rng.below(5);
                    for (k, line) in others.iter().skip(start).take(count).enumerate() {
                        lines.insert(at + k, line.to_vec());
                    }
                }
            }
            4 => {
                // A generated import with the indentation of the line it goes before.
                let indent: Vec<u8> = lines[at]
                    .iter()
                    .take_while(|b| **b == b' ' || **b == b'\t')
                    .copied()
                    .collect();
                let mut w = Writer {
                    rng,
                    out: String::new(),
                    indent: "    ",
                    bound: Vec::new(),
                    counter: 1000,
                };
                w.import(0);
                for line in w.out.lines().rev() {
                    let mut new = indent.clone();
                    new.extend_from_slice(line.as_bytes());
                    new.push(b'\n');
                    lines.insert(at, new);
                }
            }
            5 => {
                // A use of a common import name in a function.
                let name = *rng.pick(&["json", "os", "sys", "re", "np", "path", "loads"]);
                lines.insert(
                    at,
                    format!("def fuzz_{at}():\n    return {name}\n").into_bytes(),
                );
            }
            6 => {
                // Insert a token.
                let line = &mut lines[at];
                let pos = rng.below(line.len() + 1);
                let tokens: [&[u8]; 14] = [
                    b"(",
                    b")",
                    b"\\",
                    b"#",
                    b"\t",
                    b"\r",
                    b"\n",
                    b";",
                    b" lazy ",
                    b"import ",
                    b" as x",
                    b",",
                    b"\"",
                    b"\xc3\xa9",
                ];
                let token = *rng.pick(&tokens);
                line.splice(pos..pos, token.iter().copied());
            }
            7 => {
                // Delete a span of bytes.
                let line = &mut lines[at];
                if !line.is_empty() {
                    let start = rng.below(line.len());
                    let end = (start + 1 + rng.below(8)).min(line.len());
                    line.drain(start..end);
                }
            }
            8 => {
                // Re-indent with tabs.
                for line in &mut lines {
                    let spaces = line.iter().take_while(|b| **b == b' ').count();
                    if spaces >= 4 {
                        let mut new = vec![b'\t'; spaces / 4];
                        new.extend_from_slice(&line[spaces / 4 * 4..]);
                        *line = new;
                    }
                }
            }
            9 => {
                // Change line endings of everything.
                let endings: [&[u8]; 3] = [b"\r\n", b"\r", b"\n"];
                let ending = *rng.pick(&endings);
                for line in &mut lines {
                    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                        line.pop();
                    }
                    line.extend_from_slice(ending);
                }
            }
            10 => {
                let comment = *rng.pick(COMMENTS);
                lines.insert(at, format!("{comment}\n").into_bytes());
            }
            _ => {
                // Wrap a line in a block.
                let block = *rng.pick(&[
                    "try:\n",
                    "if True:\n",
                    "with x:\n",
                    "def g():\n",
                    "class K:\n",
                ]);
                let mut indented = b"    ".to_vec();
                indented.extend_from_slice(&lines[at]);
                lines[at] = indented;
                lines.insert(at, block.as_bytes().to_vec());
                if block == "try:\n" {
                    lines.insert(at + 2, b"except ImportError:\n    pass\n".to_vec());
                }
            }
        }
    }
    let mut out: Vec<u8> = lines.concat();
    if rng.one_in(20) && !out.starts_with(b"\xEF\xBB\xBF") {
        out.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_every_kind_of_break() {
        let text = b"a\nb\r\nc\rd";
        assert_eq!(
            lines(text),
            [&b"a\n"[..], &b"b\r\n"[..], &b"c\r"[..], &b"d"[..]]
        );
        assert_eq!(lines(text).concat(), text);
    }

    #[test]
    fn generated_programs_mostly_parse() {
        let mut rng = Rng::new(42);
        let mut parsed = 0;
        for _ in 0..200 {
            let bytes = program(&mut rng);
            let text = String::from_utf8_lossy(&bytes).replace('\u{feff}', "");
            if lazify_core::python::parse(&text).is_ok() {
                parsed += 1;
            }
        }
        // The generator writes a few impossible things on purpose (`lazy` in `try`, tuple-unpacked targets are
        // fine); most programs must parse, or the fuzzer tests only the error path.
        assert!(parsed > 120, "{parsed} of 200 parse");
    }
}
