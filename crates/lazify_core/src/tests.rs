//! End-to-end checks of `run` on small sources: one per rule, asserting the verdict and the rewritten text.

use crate::{Decision, KeepReason, PythonVersion, Settings, SourceFile, Style, run};

fn settings(style: Style) -> Settings {
    Settings {
        style: Some(style),
        target_version: Some(PythonVersion::PY315),
        ..Settings::default()
    }
}

fn lazy(src: &str) -> (Option<String>, Vec<(String, String)>) {
    lazy_in(src, "mod.py", None)
}

fn lazy_in(src: &str, path: &str, module: Option<&str>) -> (Option<String>, Vec<(String, String)>) {
    run_with(src, path, module, &settings(Style::Lazy))
}

fn run_with(
    src: &str,
    path: &str,
    module: Option<&str>,
    settings: &Settings,
) -> (Option<String>, Vec<(String, String)>) {
    let mut file = SourceFile::new(path);
    file.module_name = module.map(str::to_string);
    let outcome = run(src, &file, settings);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let verdicts = outcome
        .verdicts
        .iter()
        .map(|v| {
            let what = match &v.decision {
                Decision::Rewrite { .. } => "rewrite".to_string(),
                Decision::Keep { reason, span, .. } => format!("{reason}@{}", &src[*span]),
            };
            (v.binding.clone(), what)
        })
        .collect();
    (outcome.fixed.map(String::from), verdicts)
}

fn reason(verdicts: &[(String, String)], name: &str) -> String {
    verdicts.iter().find(|(b, _)| b == name).map_or_else(
        || panic!("no verdict for {name}: {verdicts:?}"),
        |(_, r)| r.clone(),
    )
}

#[test]
fn function_only_use_becomes_lazy() {
    let (fixed, v) = lazy("import json\n\ndef f():\n    return json.dumps(1)\n");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import json\n\ndef f():\n    return json.dumps(1)\n")
    );
    assert_eq!(reason(&v, "json"), "rewrite");
}

#[test]
fn module_level_use_keeps() {
    let (fixed, v) = lazy("import logging\nlog = logging.getLogger(__name__)\n");
    assert_eq!(fixed, None);
    assert_eq!(reason(&v, "logging"), "used-at-import-time@logging");
}

#[test]
fn unused_plain_import_is_side_effect() {
    let (fixed, v) = lazy("import plugin\n");
    assert_eq!(fixed, None);
    assert_eq!(reason(&v, "plugin"), "side-effect-only@plugin");
}

#[test]
fn shadowing_by_parameter_and_local() {
    let src =
        "import json\n\ndef f(json):\n    return json\n\ndef g():\n    json = 1\n    return json\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "json"), "side-effect-only@json");
}

#[test]
fn global_rebinding_keeps() {
    let src = "import json\n\ndef f():\n    global json\n    json = None\n\ndef g():\n    return json.dumps\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "json"), "rebound@json");
}

#[test]
fn class_body_decorator_default_base_are_import_time() {
    for src in [
        "import m\nclass C:\n    x = m.X\n",
        "import m\n@m.deco\ndef f():\n    pass\n",
        "import m\ndef f(x=m.X):\n    pass\n",
        "import m\nclass C(m.Base):\n    pass\n",
        "import m\nclass C(metaclass=m.Meta):\n    pass\n",
        "import m\nxs = [m.f(i) for i in range(3)]\n",
    ] {
        let (fixed, v) = lazy(src);
        assert_eq!(fixed, None, "{src}");
        assert!(
            reason(&v, "m").starts_with("used-at-import-time"),
            "{src}: {v:?}"
        );
    }
}

#[test]
fn lambda_and_nested_function_are_deferred() {
    let (fixed, _) = lazy("import m\nf = lambda: m.x\n");
    assert_eq!(fixed.as_deref(), Some("lazy import m\nf = lambda: m.x\n"));
    let (fixed, _) = lazy("import m\nclass C:\n    def f(self):\n        return m.x\n");
    assert!(fixed.is_some());
}

#[test]
fn function_called_at_import_time() {
    let src = "import m\n\ndef helper():\n    return m.x\n\nVALUE = helper()\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "used-at-import-time@m");
    let src =
        "import m\n\nclass C:\n    def __init__(self):\n        self.x = m.x\n\nINSTANCE = C()\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "used-at-import-time@m");
}

#[test]
fn main_block_use_does_not_stop_lazy() {
    let src = "import m\n\nif __name__ == \"__main__\":\n    m.main()\n";
    let (fixed, _) = lazy(src);
    assert!(fixed.is_some());
    let src = "if __name__ == \"__main__\":\n    import argparse\n    argparse.ArgumentParser()\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "argparse"), "used-at-import-time@argparse");
}

#[test]
fn annotations_deferred_but_dataclass_evaluates() {
    let (fixed, _) = lazy("import m\n\ndef f(x: m.T) -> m.U:\n    pass\n");
    assert!(fixed.is_some());
    let src = "from dataclasses import dataclass\nimport m\n\n@dataclass\nclass C:\n    x: m.T\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "used-at-import-time@m");
    let src = "import typing\nimport m\n\nclass C(typing.NamedTuple):\n    x: m.T\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "used-at-import-time@m");
}

#[test]
fn blockers_by_placement() {
    let (_, v) = lazy("try:\n    import m\nexcept ImportError:\n    m = None\n");
    assert_eq!(reason(&v, "m"), "in-try@try:");
    let (_, v) = lazy("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import m\n");
    assert_eq!(reason(&v, "m"), "type-checking-block@TYPE_CHECKING");
    let (_, v) =
        lazy("import warnings\nwith warnings.catch_warnings():\n    import m\ndef f():\n    m.x\n");
    assert_eq!(
        reason(&v, "m"),
        "in-with-block@with warnings.catch_warnings()"
    );
    let (_, v) = lazy("import sys\nsys.path.insert(0, 'vendor')\nimport m\ndef f():\n    m.x\n");
    assert_eq!(
        reason(&v, "m"),
        "import-state-changed@sys.path.insert(0, 'vendor')"
    );
    let (_, v) = lazy("def f():\n    import m\n    return m\n");
    assert_eq!(reason(&v, "m"), "in-class-or-function@def f():");
    let (_, v) = lazy("from os.path import *\n");
    assert_eq!(reason(&v, "*"), "star-import@from os.path import *");
}

#[test]
fn keep_list_pragma_preloaded_side_effects() {
    let mut s = settings(Style::Lazy);
    s.keep = crate::KeepList::new(["numpy"]).unwrap();
    let src = "import numpy.linalg\ndef f():\n    return numpy.linalg\n";
    let (_, v) = run_with(src, "m.py", None, &s);
    assert_eq!(reason(&v, "numpy"), "keep-list@numpy.linalg");
    let (_, v) = lazy("import m  # lazify: keep\ndef f():\n    m.x\n");
    assert!(reason(&v, "m").starts_with("keep-pragma"));
    let (_, v) = lazy("import os\ndef f():\n    os.x\n");
    assert_eq!(reason(&v, "os"), "preloaded@os");
    let (_, v) = lazy("import readline\ndef f():\n    readline.x\n");
    assert_eq!(reason(&v, "readline"), "known-side-effects@readline");
    s.include_preloaded = true;
    let (fixed, _) = run_with("import os\ndef f():\n    os.x\n", "m.py", None, &s);
    assert!(fixed.is_some());
}

#[test]
fn dynamic_access() {
    let (_, v) = lazy("import m\ndef f():\n    return globals()\ndef g():\n    m.x\n");
    assert_eq!(reason(&v, "m"), "dynamic-access@globals()");
    // A literal key only concerns that name.
    let src = "import m\nimport n\ndef f():\n    return globals()['m']\ndef g():\n    n.x\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "dynamic-access@globals()['m']");
    assert_eq!(reason(&v, "n"), "rewrite");
    let (_, v) = lazy("import m\nexec('x = 1')\ndef g():\n    m.x\n");
    assert!(reason(&v, "m").starts_with("used-at-import-time@exec"));
}

#[test]
fn import_a_b_binds_a() {
    let (fixed, _) = lazy("import a.b\ndef f():\n    return a.b.c\n");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import a.b\ndef f():\n    return a.b.c\n")
    );
    let (_, v) = lazy("import a.b\ndef f():\n    return a.x\n");
    assert_eq!(reason(&v, "a"), "submodule-attribute@a");
    // With a plain `import a` too, both are decided together.
    let (fixed, _) = lazy("import a\nimport a.b\ndef f():\n    return a.x, a.b.y\n");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import a\nlazy import a.b\ndef f():\n    return a.x, a.b.y\n")
    );
    let (_, v) = lazy("import a\nimport a.b\nX = a.x\ndef f():\n    return a.b.y\n");
    assert!(v.iter().all(|(_, r)| r != "rewrite"), "{v:?}");
}

#[test]
fn split_mixed_statement() {
    let (fixed, _) = lazy("import a, b\nb.x\ndef f():\n    a.x\n");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import a\nimport b\nb.x\ndef f():\n    a.x\n")
    );
    let (fixed, _) = lazy("if c:\n    import a, b\n    b.x\ndef f():\n    a.x\n");
    assert_eq!(
        fixed.as_deref(),
        Some("if c:\n    lazy import a\n    import b\n    b.x\ndef f():\n    a.x\n")
    );
    let (fixed, _) = lazy("import a; import b\ndef f():\n    a.x, b.x\n");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import a; lazy import b\ndef f():\n    a.x, b.x\n")
    );
}

#[test]
fn from_import_siblings_share_module() {
    let (_, v) = lazy("from m import x, y\ny()\ndef f():\n    x()\n");
    assert!(reason(&v, "x").starts_with("module-loaded-eagerly"));
}

#[test]
fn reexports_in_package_init() {
    let src = "from .core import Engine\nfrom ._impl import _helper\nfrom . import signals\nfrom .util import util\nimport plugin\n";
    let (fixed, v) = lazy_in(src, "pkg/__init__.py", Some("pkg"));
    assert_eq!(reason(&v, "Engine"), "rewrite");
    assert_eq!(reason(&v, "_helper"), "private-unused@_helper");
    assert_eq!(reason(&v, "signals"), "submodule-import@signals");
    assert_eq!(reason(&v, "util"), "same-name-submodule@util");
    assert_eq!(reason(&v, "plugin"), "side-effect-only@plugin");
    assert!(
        fixed
            .unwrap()
            .starts_with("lazy from .core import Engine\n")
    );
    // `__all__` makes a submodule import a re-export.
    let src = "from . import signals\n__all__ = ['signals']\n";
    let (_, v) = lazy_in(src, "pkg/__init__.py", Some("pkg"));
    assert_eq!(reason(&v, "signals"), "rewrite");
    // Outside `__init__`, only `__all__` (or `as` the same name) re-exports.
    let (_, v) = lazy_in("from m import x\n", "pkg/mod.py", Some("pkg.mod"));
    assert_eq!(reason(&v, "x"), "side-effect-only@x");
    let (_, v) = lazy_in(
        "from m import x\n__all__ = ['x']\n",
        "pkg/mod.py",
        Some("pkg.mod"),
    );
    assert_eq!(reason(&v, "x"), "rewrite");
    let mut s = settings(Style::Lazy);
    s.lazy_reexports = false;
    let (_, v) = run_with("from m import x\n__all__ = ['x']\n", "pkg/mod.py", None, &s);
    assert_eq!(reason(&v, "x"), "side-effect-only@x");
}

#[test]
fn two_imports_same_name() {
    let src = "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\ndef f():\n    tomllib.loads('')\n";
    let (fixed, _) = lazy(src);
    let fixed = fixed.unwrap();
    assert!(
        fixed.contains("    lazy import tomllib\n")
            && fixed.contains("    lazy import tomli as tomllib\n"),
        "{fixed}"
    );
    let (_, v) = lazy("import json\nfrom x import json\njson.loads\n");
    assert!(v.iter().all(|(_, r)| r != "rewrite"));
}

#[test]
fn comprehension_scope_and_nonlocal() {
    let (_, v) = lazy("import m\ndef f():\n    return [m for m in range(3)]\n");
    assert_eq!(reason(&v, "m"), "side-effect-only@m");
    let src = "import m\ndef f():\n    m = 1\n    def g():\n        nonlocal m\n        return m\n    return g\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "side-effect-only@m");
}

#[test]
fn lazy_modules_inserted_after_docstring_and_future() {
    let src = "\"\"\"Doc.\"\"\"\n\nfrom __future__ import annotations\n\nimport json\nimport a.b\n\ndef f():\n    return json, a.b\n";
    let (fixed, _) = run_with(src, "m.py", None, &settings(Style::LazyModules));
    assert_eq!(
        fixed.as_deref(),
        Some(
            "\"\"\"Doc.\"\"\"\n\nfrom __future__ import annotations\n\n__lazy_modules__ = [\"a.b\", \"json\"]\n\nimport json\nimport a.b\n\ndef f():\n    return json, a.b\n"
        )
    );
}

#[test]
fn lazy_modules_per_module_conflict_and_relative() {
    let src = "from m import x\nfrom m import y\ny()\ndef f():\n    x()\n";
    let (fixed, v) = run_with(src, "a.py", None, &settings(Style::LazyModules));
    assert_eq!(fixed, None);
    assert!(reason(&v, "x").starts_with("module-loaded-eagerly"));
    let src = "from .m import x\ndef f():\n    x()\n";
    let (_, v) = run_with(src, "pkg/a.py", None, &settings(Style::LazyModules));
    assert_eq!(reason(&v, "x"), "package-unknown@x");
    let (fixed, _) = run_with(
        src,
        "pkg/a.py",
        Some("pkg.a"),
        &settings(Style::LazyModules),
    );
    assert!(
        fixed
            .unwrap()
            .starts_with("__lazy_modules__ = [\"pkg.m\"]\n\nfrom .m import x\n")
    );
}

#[test]
fn lazy_modules_extends_existing_list() {
    let src = "__lazy_modules__ = [\"json\"]\nimport json\nimport csv\ndef f():\n    json, csv\n";
    let (fixed, _) = run_with(src, "a.py", None, &settings(Style::LazyModules));
    assert_eq!(
        fixed.as_deref(),
        Some(
            "__lazy_modules__ = [\"json\", \"csv\"]\nimport json\nimport csv\ndef f():\n    json, csv\n"
        )
    );
    let src = "__lazy_modules__ = [\n    \"json\",\n]\nimport json\nimport csv\ndef f():\n    json, csv\n";
    let (fixed, _) = run_with(src, "a.py", None, &settings(Style::LazyModules));
    assert_eq!(
        fixed.as_deref(),
        Some(
            "__lazy_modules__ = [\n    \"json\",\n    \"csv\",\n]\nimport json\nimport csv\ndef f():\n    json, csv\n"
        )
    );
    for bad in [
        "__lazy_modules__ = \"json\"\n",
        "__lazy_modules__ = None\n",
        "__lazy_modules__ = make()\n",
    ] {
        let src = format!("{bad}import csv\ndef f():\n    csv\n");
        let (fixed, v) = run_with(&src, "a.py", None, &settings(Style::LazyModules));
        assert_eq!(fixed, None, "{src}");
        assert!(
            reason(&v, "csv").starts_with("lazy-modules-unextendable"),
            "{v:?}"
        );
    }
}

#[test]
fn preserves_crlf_bom_free_text_and_no_final_newline() {
    let (fixed, _) = lazy("import json\r\ndef f():\r\n    json");
    assert_eq!(
        fixed.as_deref(),
        Some("lazy import json\r\ndef f():\r\n    json")
    );
    let (fixed, _) = run_with(
        "import json\r\ndef f():\r\n    json",
        "a.py",
        None,
        &settings(Style::LazyModules),
    );
    assert_eq!(
        fixed.as_deref(),
        Some("__lazy_modules__ = [\"json\"]\r\n\r\nimport json\r\ndef f():\r\n    json")
    );
}

#[test]
fn idempotent() {
    for style in [Style::Lazy, Style::LazyModules] {
        let src =
            "import json\nimport a.b\nfrom m import x\n\ndef f():\n    return json, a.b.c, x\n";
        let (fixed, _) = run_with(src, "a.py", None, &settings(style));
        let fixed = fixed.unwrap();
        let (again, _) = run_with(&fixed, "a.py", None, &settings(style));
        assert_eq!(again, None, "{style}: {fixed}");
    }
}

#[test]
fn errors_and_skips() {
    let outcome = run(
        "import (\n",
        &SourceFile::new("a.py"),
        &settings(Style::Lazy),
    );
    assert!(matches!(
        outcome.error,
        Some(crate::EngineError::Syntax { .. })
    ));
    let outcome = run(
        "def f():\n    lazy import m\n",
        &SourceFile::new("a.py"),
        &settings(Style::Lazy),
    );
    assert!(matches!(
        outcome.error,
        Some(crate::EngineError::Placement { .. })
    ));
    let outcome = run(
        "import json\ndef f(): json\n",
        &SourceFile::new("a.pyi"),
        &settings(Style::Lazy),
    );
    assert_eq!(outcome.skipped, Some(crate::Skipped::Stub));
    let outcome = run(
        "# lazify: skip-file\nimport json\ndef f(): json\n",
        &SourceFile::new("a.py"),
        &settings(Style::Lazy),
    );
    assert_eq!(outcome.skipped, Some(crate::Skipped::SkipFilePragma));
    let mut s = settings(Style::Lazy);
    s.target_version = Some(PythonVersion::new(3, 12));
    let outcome = run("import json\n", &SourceFile::new("a.py"), &s);
    assert!(matches!(
        outcome.error,
        Some(crate::EngineError::Settings { .. })
    ));
}

#[test]
fn every_keep_reason_is_named_uniquely() {
    let mut names: Vec<&str> = KeepReason::ALL.iter().map(|r| r.name()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len());
}

#[test]
fn string_annotations_are_deferred_references() {
    let (fixed, v) = lazy("import numpy as np\n\ndef f(x: \"np.ndarray\") -> None:\n    pass\n");
    assert_eq!(reason(&v, "np"), "rewrite");
    assert!(fixed.is_some());
    // `Literal["json"]` is a value, not a reference to `json`.
    let (_, v) =
        lazy("import json\nfrom typing import Literal\n\ndef f(x: Literal[\"json\"]):\n    pass\n");
    assert_eq!(reason(&v, "json"), "side-effect-only@json");
    // In a dataclass, a string annotation is still evaluated at class creation.
    let src =
        "from dataclasses import dataclass\nimport m\n\n@dataclass\nclass C:\n    x: \"m.T\"\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "used-at-import-time@\"m.T\"");
}

#[test]
fn module_loaded_by_another_eager_import() {
    let src = "import a.b\nfrom a.b import x\nfrom a import y\nimport c\nX = a.b.z\n\ndef f():\n    return x, y, c\n";
    let (fixed, v) = lazy(src);
    assert_eq!(reason(&v, "x"), "module-loaded-eagerly@a.b");
    assert_eq!(reason(&v, "y"), "module-loaded-eagerly@a.b");
    assert_eq!(reason(&v, "c"), "rewrite");
    assert!(fixed.unwrap().contains("lazy import c\n"));
}

fn local(src: &str) -> (Option<String>, Vec<(String, String)>) {
    run_with(src, "mod.py", Some("mod"), &settings(Style::Local))
}

#[test]
fn local_moves_into_each_function() {
    let src = "\"\"\"Doc.\"\"\"\n\nimport json\nimport csv  # tables\nimport sys\n\nprint(sys.argv)\n\n\ndef f():\n    \"\"\"F.\"\"\"\n    return json.dumps(1)\n\n\ndef g():\n    return json, csv\n\n\nclass C:\n    def m(self):\n        return [csv for _ in ()]\n";
    let (fixed, v) = local(src);
    assert_eq!(reason(&v, "sys"), "preloaded@sys");
    assert_eq!(
        fixed.as_deref(),
        Some(
            "\"\"\"Doc.\"\"\"\n\nimport sys\n\nprint(sys.argv)\n\n\ndef f():\n    \"\"\"F.\"\"\"\n    import json\n    return json.dumps(1)\n\n\ndef g():\n    import json\n    import csv  # tables\n    return json, csv\n\n\nclass C:\n    def m(self):\n        import csv  # tables\n        return [csv for _ in ()]\n"
        )
    );
}

#[test]
fn local_splits_from_imports_by_function() {
    let src = "from os.path import join, split\n\n\ndef f():\n    return join\n\n\ndef g():\n    return split, join\n";
    let mut s = settings(Style::Local);
    s.include_preloaded = true;
    let (fixed, _) = run_with(src, "mod.py", Some("mod"), &s);
    assert_eq!(
        fixed.as_deref(),
        Some(
            "def f():\n    from os.path import join\n    return join\n\n\ndef g():\n    from os.path import join, split\n    return split, join\n"
        )
    );
}

#[test]
fn local_one_line_def_and_nested_uses() {
    let src = "import json\n\ndef f(): return json.dumps(1)\n\ndef g():\n    h = lambda: json\n    return h\n";
    let (fixed, _) = local(src);
    assert_eq!(
        fixed.as_deref(),
        Some(
            "def f():\n    import json\n    return json.dumps(1)\n\ndef g():\n    import json\n    h = lambda: json\n    return h\n"
        )
    );
}

#[test]
fn local_refusals() {
    let (_, v) = local("import json\nf = lambda: json\n");
    assert_eq!(reason(&v, "json"), "no-enclosing-function@json");
    let (_, v) = local("import json\n\ndef f(x: json.JSONDecoder):\n    return json\n");
    assert_eq!(reason(&v, "json"), "used-in-annotation@json");
    let (_, v) = local(
        "import json\n\ndef f():\n    return json\n\nif __name__ == '__main__':\n    f(json)\n",
    );
    assert_eq!(reason(&v, "json"), "used-in-main-block@json");
    let (_, v) = local("import sys\nif sys.argv:\n    import json\n\ndef f():\n    return json\n");
    assert_eq!(reason(&v, "json"), "conditional@if sys.argv:");
    let (_, v) = local("import json\n__all__ = ['json']\n\ndef f():\n    return json\n");
    assert_eq!(reason(&v, "json"), "re-exported@json");
    let (_, v) = local(
        "import json\n\ndef f():\n    return json\n\ndef g():\n    global json\n    return json\n",
    );
    assert!(reason(&v, "json").starts_with("rebound@json"));
    let (_, v) = local("import json; x = 1\n\ndef f():\n    return json\n");
    assert!(reason(&v, "json").starts_with("shares-line"));
    let (_, v) = local("import a\nimport a.b\n\ndef f():\n    return a.b, a.x\n");
    assert!(reason(&v, "a").starts_with("shared-name"), "{v:?}");
    let (_, v) = local("import json\n\ndef f():\n    return json, eval('x')\n");
    assert!(reason(&v, "json").starts_with("dynamic-access"));
    let (_, v) = local("from m import x\n");
    assert!(!reason(&v, "x").starts_with("rewrite"));
}

#[test]
fn local_annotations_follow_target() {
    // Before 3.14 a module-level function's annotations are evaluated when `def` runs.
    let mut s = settings(Style::Local);
    s.target_version = Some(PythonVersion::new(3, 11));
    let (_, v) = run_with(
        "import json\n\ndef f(x: json.JSONDecoder):\n    return json\n",
        "m.py",
        None,
        &s,
    );
    assert_eq!(reason(&v, "json"), "used-at-import-time@json");
}

#[test]
fn local_is_idempotent() {
    let src = "import json\nimport csv\n\n\ndef f():\n    return json, csv\n";
    let (fixed, _) = local(src);
    let fixed = fixed.unwrap();
    let (again, _) = local(&fixed);
    assert_eq!(again, None);
}

fn hoist(
    src: &str,
    project: Option<crate::ProjectFacts>,
) -> (Option<String>, Vec<(String, String)>) {
    let mut s = settings(Style::Lazy);
    s.hoist = true;
    s.project = project.map(std::sync::Arc::new);
    run_with(src, "pkg/mod.py", Some("pkg.mod"), &s)
}

#[test]
fn hoist_dedupes_and_places_after_imports() {
    let src = "\"\"\"Doc.\"\"\"\nimport json\n\nX = json.dumps(1)\n\n\ndef f():\n    import csv\n    return csv.reader\n\n\ndef g():\n    \"\"\"G.\"\"\"\n    import csv\n    return csv.writer\n\n\ndef h():\n    from decimal import Decimal as D  # money\n    x = 1\n    return D(x)\n";
    let (fixed, v) = hoist(src, None);
    assert!(
        v.iter()
            .filter(|(b, _)| b == "csv")
            .all(|(_, r)| r == "rewrite"),
        "{v:?}"
    );
    assert_eq!(
        fixed.as_deref(),
        Some(
            "\"\"\"Doc.\"\"\"\nimport json\nlazy import csv\nlazy from decimal import Decimal as D  # money\n\nX = json.dumps(1)\n\n\ndef f():\n    return csv.reader\n\n\ndef g():\n    \"\"\"G.\"\"\"\n    return csv.writer\n\n\ndef h():\n    x = 1\n    return D(x)\n"
        )
    );
    let (again, _) = hoist(&fixed.unwrap(), None);
    assert_eq!(again, None);
}

#[test]
fn hoist_refusals() {
    let cases = [
        (
            "def f():\n    try:\n        import csv\n    except ImportError:\n        csv = None\n",
            "csv",
            "nested-in-function",
        ),
        (
            "def f():\n    for _ in ():\n        import csv\n",
            "csv",
            "nested-in-function",
        ),
        (
            "csv = 1\n\ndef f():\n    import csv\n    return csv\n",
            "csv",
            "hoist-conflict",
        ),
        (
            "def f():\n    import csv\n    return csv\n\ndef g():\n    import mycsv as csv\n    return csv\n",
            "csv",
            "hoist-conflict",
        ),
        (
            "def f():\n    import csv\n    csv = 2\n",
            "csv",
            "hoist-conflict",
        ),
        (
            "def f():\n    global csv\n    import csv\n",
            "csv",
            "hoist-conflict",
        ),
        (
            "class C:\n    csv = 1\n    def m(self):\n        import csv\n        return csv\n",
            "csv",
            "hoist-conflict",
        ),
        (
            "def f():\n    import csv\n    return csv\n\ndef g():\n    return csv\n",
            "csv",
            "hoist-shadows",
        ),
        (
            "def f():\n    x = csv\n    import csv\n",
            "csv",
            "used-before-import",
        ),
        (
            "import csv\nX = csv.reader\n\ndef f():\n    import csv\n    return csv\n",
            "csv",
            "redundant-local-import",
        ),
        (
            "def f():\n    import os\n    return os\n",
            "os",
            "preloaded",
        ),
    ];
    for (src, name, want) in cases {
        let (fixed, v) = hoist(src, None);
        let all: Vec<&String> = v
            .iter()
            .filter(|(b, _)| b == name)
            .map(|(_, r)| r)
            .collect();
        assert!(
            all.iter().any(|r| r.starts_with(want)),
            "{src}\nwant {want}, got {v:?}"
        );
        assert!(
            fixed
                .as_deref()
                .is_none_or(|f| !f.contains(&format!("lazy import {name}"))),
            "{src}"
        );
    }
}

#[test]
fn hoist_uses_project_facts() {
    let src = "def f():\n    import pkg.other\n    return pkg.other\n";
    let mut project = crate::ProjectFacts::default();
    let other = crate::SourceFile::new("pkg/other.py").with_module_name("pkg.other");
    let other_src = "import pkg.mod\n";
    project.add(
        std::path::Path::new("pkg/other.py"),
        other_src,
        crate::facts::scan(other_src, &other).unwrap(),
    );
    let (_, v) = hoist(src, Some(project));
    assert_eq!(reason(&v, "pkg"), "import-cycle@import pkg.other");

    let mut project = crate::ProjectFacts::default();
    let test_src = "from unittest import mock\n\ndef test():\n    with mock.patch.dict('sys.modules', {'csv': None}):\n        pass\n";
    let test_file = crate::SourceFile::new("tests/test_x.py").with_module_name("test_x");
    project.add(
        std::path::Path::new("tests/test_x.py"),
        test_src,
        crate::facts::scan(test_src, &test_file).unwrap(),
    );
    let (_, v) = hoist("def f():\n    import csv\n    return csv\n", Some(project));
    assert!(
        reason(&v, "csv").starts_with("sys-modules-patched"),
        "{v:?}"
    );
}

#[test]
fn local_respects_other_modules() {
    let mut project = crate::ProjectFacts::default();
    let test_src =
        "from unittest import mock\n\n@mock.patch(\"pkg.mod.json\")\ndef test_it(m):\n    pass\n";
    let test_file = crate::SourceFile::new("tests/test_mod.py").with_module_name("test_mod");
    project.add(
        std::path::Path::new("tests/test_mod.py"),
        test_src,
        crate::facts::scan(test_src, &test_file).unwrap(),
    );
    let mut s = settings(Style::Local);
    s.project = Some(std::sync::Arc::new(project));
    let (fixed, v) = run_with(
        "import json\n\ndef f():\n    return json\n",
        "pkg/mod.py",
        Some("pkg.mod"),
        &s,
    );
    assert_eq!(fixed, None);
    assert_eq!(reason(&v, "json"), "used-by-other-module@json");
}

#[test]
fn local_type_checking_imports() {
    let mut s = settings(Style::Local);
    s.type_checking_imports = true;
    let src = "from __future__ import annotations\n\nimport json\nimport csv\n\n\ndef f(x: json.JSONDecoder) -> csv.Dialect:\n    return json.loads(x)\n";
    let (fixed, v) = run_with(src, "m.py", Some("m"), &s);
    assert_eq!(reason(&v, "json"), "rewrite");
    assert_eq!(
        fixed.as_deref(),
        Some(
            "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import json\n    import csv\n\ndef f(x: json.JSONDecoder) -> csv.Dialect:\n    import json\n    return json.loads(x)\n"
        )
    );
    // Without deferred annotations it stays put.
    s.target_version = Some(PythonVersion::new(3, 11));
    let src = "import json\n\n\ndef f(x: 'json.JSONDecoder'):\n    return json.loads(x)\n";
    let (_, v) = run_with(src, "m.py", Some("m"), &s);
    assert_eq!(reason(&v, "json"), "used-in-annotation@'json.JSONDecoder'");
}

#[test]
fn dynamic_access_kinds() {
    // A caller's frame read through a literal key concerns that key only.
    let src = "import sys\nimport m\ndef f():\n    return sys._getframe(1).f_globals.get('__name__')\ndef g():\n    m.x\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "rewrite");
    // `__import__(name, globals())` reads only the package context.
    let (_, v) = lazy(
        "import m\ndef f(n):\n    return __import__(n, globals(), locals(), ['*'])\ndef g():\n    m.x\n",
    );
    assert_eq!(reason(&v, "m"), "rewrite");
    // The module object: fine for `lazy` (attribute reads resolve), not for a move into functions.
    let src =
        "import sys\nimport m\ndef f():\n    return sys.modules[__name__]\ndef g():\n    m.x\n";
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "rewrite");
    let (_, v) = local(src);
    assert_eq!(reason(&v, "m"), "dynamic-access@sys.modules[__name__]");
    let (_, v) = lazy(
        "import sys\nimport m\ndef f():\n    return vars(sys.modules[__name__])\ndef g():\n    m.x\n",
    );
    assert_eq!(
        reason(&v, "m"),
        "dynamic-access@vars(sys.modules[__name__])"
    );
    // `exec` with its own namespace does not see the module's names.
    let src = "import m\ndef f(code):\n    exec(code, {})\ndef g():\n    m.x\n";
    let (_, v) = local(src);
    assert_eq!(reason(&v, "m"), "rewrite");
    let src = "import m\ndef f(code):\n    exec(code)\ndef g():\n    m.x\n";
    let (_, v) = local(src);
    assert_eq!(reason(&v, "m"), "dynamic-access@exec(code)");
    let (_, v) = lazy(src);
    assert_eq!(reason(&v, "m"), "rewrite");
}

#[test]
fn more_calls_at_import_time() {
    for src in [
        "import json\ndump = lambda v: json.dumps(v)\nTEXT = dump(1)\n",
        "import json\nclass Loader:\n    def load(self):\n        return json.loads('1')\nVALUE = Loader().load()\n",
        "import json\nclass Config:\n    @staticmethod\n    def load():\n        return json.loads('1')\nVALUE = Config.load()\n",
        "import json\nclass Base:\n    def __init_subclass__(cls):\n        cls.text = json.dumps(1)\nclass Child(Base):\n    pass\n",
        "import json\nclass Meta(type):\n    def __new__(mcs, name, bases, ns):\n        ns['x'] = json.dumps(1)\n        return super().__new__(mcs, name, bases, ns)\nclass C(metaclass=Meta):\n    pass\n",
    ] {
        let (fixed, v) = lazy(src);
        assert_eq!(fixed, None, "{src}");
        assert!(
            reason(&v, "json").starts_with("used-at-import-time"),
            "{src}: {v:?}"
        );
    }
}

#[test]
fn same_name_submodule_even_when_used_and_import_state_after() {
    let (_, v) = lazy_in(
        "from .core import core\n\ndef run():\n    return core()\n",
        "pkg/__init__.py",
        Some("pkg"),
    );
    assert_eq!(reason(&v, "core"), "same-name-submodule@core");
    let (_, v) = lazy(
        "import helpers\nimport sys\nsys.path.insert(0, 'plugins')\n\ndef f():\n    return helpers\n",
    );
    assert!(
        reason(&v, "helpers").starts_with("import-state-changed"),
        "{v:?}"
    );
}

#[test]
fn shadowed_import_is_side_effect_only() {
    let (fixed, v) = lazy(
        "from json import loads\nfrom pickle import loads\n\ndef f(b):\n    return loads(b)\n",
    );
    let first = &v[0];
    assert!(first.1.starts_with("side-effect-only@loads"), "{v:?}");
    assert_eq!(v[1].1, "rewrite");
    assert_eq!(
        fixed.as_deref(),
        Some(
            "from json import loads\nlazy from pickle import loads\n\ndef f(b):\n    return loads(b)\n"
        )
    );
}

#[test]
fn hoist_sys_modules_keys_and_lazy_redundancy() {
    // `sys.modules[__name__] = ...` replaces the file's own module only; a computed `pop` replaces nothing.
    let mut project = crate::ProjectFacts::default();
    let other_src = "import sys\nsys.modules[__name__] = object()\n\ndef clean(name):\n    sys.modules.pop(name, None)\n";
    let other = crate::SourceFile::new("pkg/other.py").with_module_name("pkg.other");
    project.add(
        std::path::Path::new("pkg/other.py"),
        other_src,
        crate::facts::scan(other_src, &other).unwrap(),
    );
    let (_, v) = hoist(
        "def f():\n    import json\n    return json\n",
        Some(project.clone()),
    );
    assert_eq!(reason(&v, "json"), "rewrite");
    let (_, v) = hoist(
        "def f():\n    import pkg.other\n    return pkg.other\n",
        Some(project),
    );
    assert!(
        reason(&v, "pkg").starts_with("sys-modules-patched"),
        "{v:?}"
    );
    // A module-level lazy import makes the local one redundant, not a conflict.
    let (_, v) = hoist(
        "lazy import json\n\ndef f():\n    import json\n    return json\n",
        None,
    );
    assert!(
        v.iter()
            .any(|(b, r)| b == "json" && r.starts_with("redundant-local-import")),
        "{v:?}"
    );
}

#[test]
fn local_respects_attribute_patches_from_other_modules() {
    // `click.testing` sets `click.utils.should_strip_ansi`; pygments' tests `monkeypatch.setattr(cmdline, "highlight", ...)`.
    for (other, other_path, other_module) in [
        (
            "import pkg.mod\n\ndef run():\n    pkg.mod.json = None\n",
            "pkg/runner.py",
            "pkg.runner",
        ),
        (
            "from pkg import mod\n\ndef test(monkeypatch):\n    monkeypatch.setattr(mod, \"json\", None)\n",
            "tests/test_mod.py",
            "test_mod",
        ),
        (
            "from . import mod as m\n\ndef run():\n    return m.json\n",
            "pkg/other.py",
            "pkg.other",
        ),
    ] {
        let mut project = crate::ProjectFacts::default();
        let file = crate::SourceFile::new(other_path).with_module_name(other_module);
        project.add(
            std::path::Path::new(other_path),
            other,
            crate::facts::scan(other, &file).unwrap(),
        );
        let mut s = settings(Style::Local);
        s.project = Some(std::sync::Arc::new(project));
        let (fixed, v) = run_with(
            "import json\nimport csv\n\ndef f():\n    return json, csv\n",
            "pkg/mod.py",
            Some("pkg.mod"),
            &s,
        );
        assert!(
            reason(&v, "json").starts_with("used-by-other-module"),
            "{other}: {v:?}"
        );
        assert_eq!(reason(&v, "csv"), "rewrite", "{other}");
        assert!(fixed.is_some());
    }
}

#[test]
fn hoist_cycle_through_a_shared_parent_package_is_no_cycle() {
    // `pkg/__init__.py` imports `pkg.a`; `pkg.a` hoists `from .b import g`; `pkg.b` imports nothing.
    let mut project = crate::ProjectFacts::default();
    for (path, module, src) in [
        ("pkg/__init__.py", "pkg", "from .a import f\n"),
        ("pkg/b.py", "pkg.b", "def g():\n    return 1\n"),
    ] {
        let file = crate::SourceFile::new(path).with_module_name(module);
        project.add(
            std::path::Path::new(path),
            src,
            crate::facts::scan(src, &file).unwrap(),
        );
    }
    let mut s = settings(Style::Lazy);
    s.hoist = true;
    s.project = Some(std::sync::Arc::new(project));
    let (_, v) = run_with(
        "def f():\n    from .b import g\n    return g()\n",
        "pkg/a.py",
        Some("pkg.a"),
        &s,
    );
    assert_eq!(reason(&v, "g"), "rewrite");
}

/// `python::parse` skips the placement walk when a module has neither the word `lazy` nor a module-level
/// `__future__` import: each kind of placement error must still be found through one of the two.
#[test]
fn placement_errors_are_found_without_a_full_walk() {
    let placement = |src: &str| {
        matches!(
            crate::python::parse(src),
            Err(crate::EngineError::Placement { .. })
        )
    };
    // A late `__future__` import in a module without the word `lazy`.
    assert!(placement("import os\nfrom __future__ import annotations\n"));
    // `lazy` in a function, a class, a `try`; a lazy star import; a lazy `__future__` import.
    assert!(placement("def f():\n    lazy import json\n"));
    assert!(placement("class C:\n    lazy from json import loads\n"));
    assert!(placement(
        "try:\n    lazy import json\nexcept ImportError:\n    pass\n"
    ));
    assert!(placement("lazy from json import *\n"));
    assert!(placement("lazy from __future__ import annotations\n"));
    // Allowed: module-level `lazy`, `__future__` first, and neither word at all.
    assert!(crate::python::parse("from __future__ import annotations\nlazy import json\n").is_ok());
    assert!(crate::python::parse("import json\ndef f():\n    import csv\n").is_ok());
}

// See: issue 12 ("Nothing lost, nothing crashes"), item 1.
#[test]
fn issue_12_local_never_moves_a_coding_declaration_into_effect() {
    // Line 3's declaration is not in effect; removing lines 1-2 (or line 1 and the blank line after it) would
    // bring it into lines 1-2.
    for src in [
        "import json\nimport csv\n# -*- coding: latin-1 -*-\nT = 'caf\u{e9}'\n\n\ndef f():\n    return json, csv\n",
        "import json\n\n# -*- coding: latin-1 -*-\nT = 'caf\u{e9}'\n\n\ndef f():\n    return json\n",
        "import json\n# -*- coding: latin-1 -*-\nT = 'caf\u{e9}'\n\n\ndef f():\n    return json\n",
    ] {
        let (fixed, v) = local(src);
        assert!(
            reason(&v, "json").starts_with("coding-declaration@import json"),
            "{v:?}"
        );
        // `import csv` on line 2 may still go: `import json` on line 1 keeps line 3's declaration out of effect.
        let fixed = fixed.unwrap_or_else(|| src.to_string());
        assert!(
            fixed.starts_with(
                "import json
"
            ),
            "{fixed}"
        );
        assert_eq!(crate::python::coding_declaration(&fixed), None, "{fixed}");
    }
    // Further down, a move is harmless and happens.
    let src = "# -*- coding: latin-1 -*-\nimport json\n\n\ndef f():\n    return json\n";
    let (fixed, _) = local(src);
    assert_eq!(
        fixed.as_deref(),
        Some("# -*- coding: latin-1 -*-\n\n\ndef f():\n    import json\n    return json\n")
    );
}

// See: issue 12, item 2.
#[test]
fn issue_12_local_keeps_a_comment_a_one_line_def_cannot_take() {
    let src = "import csv  # the reader\n\n\ndef rows(handle): \"Read rows.\"; return csv.reader(handle)\n";
    let (fixed, v) = local(src);
    assert_eq!(fixed, None);
    assert!(
        reason(&v, "csv").starts_with("split-would-drop-comments@def rows(handle)"),
        "{v:?}"
    );
    // Without the comment it moves, on the same line.
    let (fixed, _) = local(&src.replace("  # the reader", ""));
    assert_eq!(
        fixed.as_deref(),
        Some("def rows(handle): \"Read rows.\"; import csv; return csv.reader(handle)\n")
    );
}

// See: issue 12, item 3.
#[test]
fn issue_12_line_column_counts_every_kind_of_line_break() {
    use crate::{TextSize, line_column};
    let src = "a\rbc\r\nd\ne\u{e9}f";
    let at = |s: &str| TextSize::try_from(src.find(s).unwrap()).unwrap();
    assert_eq!(line_column(src, at("a")), (1, 1));
    assert_eq!(line_column(src, at("c")), (2, 2));
    assert_eq!(line_column(src, at("d")), (3, 1));
    assert_eq!(line_column(src, at("f")), (4, 3));
    assert_eq!(line_column(src, TextSize::new(100)), (4, 4));
}

// See: issue 12, item 3.
#[test]
fn issue_12_lone_cr_files_keep_lone_cr() {
    let src = "import json\r\r\rdef f():\r    return json\r";
    let (fixed, _) = local(src);
    assert_eq!(
        fixed.as_deref(),
        Some("def f():\r    import json\r    return json\r")
    );
    let mut s = settings(Style::LazyModules);
    s.target_version = Some(PythonVersion::new(3, 11));
    let (fixed, _) = run_with(src, "mod.py", Some("mod"), &s);
    assert_eq!(
        fixed.as_deref(),
        Some("__lazy_modules__ = [\"json\"]\r\rimport json\r\r\rdef f():\r    return json\r")
    );
}

/// Project facts name the line of each fact (found with one index of the file's line breaks, issue 12).
#[test]
fn project_facts_locations_are_lines() {
    let src = "import json\nfrom pkg import helper\n\n\ndef f():\n    return json.dumps(1)\n\nx = \"\"\"\n\n\"\"\"\n@mock.patch(\"pkg.mod.name\")\ndef g(): json.loads";
    let file = crate::SourceFile::new("m.py").with_module_name("m");
    let mut project = crate::ProjectFacts::default();
    project.add(
        std::path::Path::new("m.py"),
        src,
        crate::facts::scan(src, &file).unwrap(),
    );
    let line = |module: &str, name: &str| project.outside_uses(module, name).map(|l| l.line);
    assert_eq!(line("pkg", "helper"), Some(2));
    assert_eq!(line("json", "dumps"), Some(6));
    assert_eq!(line("pkg.mod", "name"), Some(11));
    assert_eq!(line("json", "loads"), Some(12));
    for (module, name) in [("pkg", "helper"), ("json", "dumps"), ("json", "loads")] {
        let at = project.outside_uses(module, name).unwrap();
        assert_eq!(at.path, std::path::Path::new("m.py"));
    }
}

// See: issue 13, section 3: positions come from ruff's `LineIndex`, built once per file; every offset of a text
// with each kind of line break (and one inside a two-byte character) gets the position the scan it replaced gave.
#[test]
fn issue_13_source_lines_match_a_scan_of_the_text_at_every_offset() {
    use crate::{SourceLines, TextSize};
    fn scanned(source: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let bytes = source.as_bytes();
        let is_break = |i: usize| match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        let line = (0..offset).filter(|&i| is_break(i)).count() + 1;
        let start = (0..offset)
            .rev()
            .find(|&i| is_break(i))
            .map_or(0, |i| i + 1);
        (line, source[start..offset].chars().count() + 1)
    }
    for src in ["a\rbc\r\nd\ne\u{e9}f\r", "\r\r\n\n\u{e9}", "", "x = 1\r"] {
        let lines = SourceLines::new(src);
        for offset in 0..=src.len() + 2 {
            let at = TextSize::try_from(offset).unwrap();
            assert_eq!(
                lines.line_column(at),
                scanned(src, offset),
                "{src:?} at {offset}"
            );
        }
    }
}

/// A keep found while building style `local`'s edits (moving `import csv` would bring the coding declaration into
/// line 2) is carried across statements like any other: `csv` loads anyway, so `from csv import writer` is not
/// moved for nothing. Before the planner owned that decision, the propagation passes never saw it.
#[test]
fn a_keep_found_while_building_edits_is_propagated() {
    let src = "import csv\n\n# coding: latin-1\nfrom csv import writer\n\n\ndef f():\n    return csv.reader, writer\n";
    let settings = Settings {
        target_version: Some(PythonVersion::new(3, 11)),
        ..settings(Style::Local)
    };
    let (fixed, verdicts) = run_with(src, "mod.py", Some("mod"), &settings);
    assert_eq!(reason(&verdicts, "csv"), "coding-declaration@import csv");
    assert_eq!(reason(&verdicts, "writer"), "module-loaded-eagerly@csv");
    assert_eq!(fixed, None);
}
