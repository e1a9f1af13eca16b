use std::fmt::Write as _;
use std::path::Path;

use super::*;

fn summary(source: &str) -> ModuleSummary {
    summarize(source, "pkg.mod", Path::new("pkg/mod.py")).expect("parses")
}

/// The kinds and texts of the module body's effects.
fn effects(source: &str) -> Vec<(EffectKind, String)> {
    summary(source)
        .effects
        .into_iter()
        .map(|e| (e.kind, e.site.text))
        .collect()
}

#[test]
fn registrations_outside_the_module() {
    use EffectKind::Registers;
    let cases = [
        (
            "import atexit\natexit.register(print)\n",
            "atexit.register(...)",
        ),
        (
            "import signal\nsignal.signal(2, None)\n",
            "signal.signal(...)",
        ),
        (
            "import codecs\ncodecs.register(lambda n: None)\n",
            "codecs.register(...)",
        ),
        (
            "from codecs import register\nregister(f)\n",
            "register(...)",
        ),
        (
            "import copyreg\ncopyreg.pickle(C, f)\n",
            "copyreg.pickle(...)",
        ),
        (
            "import mimetypes\nmimetypes.add_type('a/b', '.x')\n",
            "mimetypes.add_type(...)",
        ),
        (
            "import warnings\nwarnings.simplefilter('ignore')\n",
            "warnings.simplefilter(...)",
        ),
        (
            "import logging\nlogging.basicConfig()\n",
            "logging.basicConfig()",
        ),
        (
            "import logging.config\nlogging.config.dictConfig({})\n",
            "logging.config.dictConfig(...)",
        ),
        (
            "import logging\nlogging.getLogger().addHandler(h)\n",
            "logging.getLogger().addHandler(...)",
        ),
        (
            "import logging\nlog = logging.getLogger('other')\nlog.setLevel(10)\n",
            "log.setLevel(...)",
        ),
        ("import sys\nsys.excepthook = hook\n", "sys.excepthook"),
        (
            "import sys\nsys.setrecursionlimit(5000)\n",
            "sys.setrecursionlimit(...)",
        ),
        (
            "import faulthandler\nfaulthandler.enable()\n",
            "faulthandler.enable()",
        ),
        (
            "import locale\nlocale.setlocale(locale.LC_ALL, '')\n",
            "locale.setlocale(...)",
        ),
        (
            "import atexit\n@atexit.register\ndef bye(): pass\n",
            "@atexit.register",
        ),
        (
            "import threading\nthreading.excepthook = f\n",
            "threading.excepthook",
        ),
    ];
    for (source, text) in cases {
        assert_eq!(effects(source), [(Registers, text.to_string())], "{source}");
    }
}

#[test]
fn process_state_reads_output_input_and_threads() {
    use EffectKind::*;
    let cases = [
        ("import sys\nsys.path.insert(0, 'x')\n", ProcessState),
        ("import sys\nsys.modules['x'] = m\n", ProcessState),
        ("import sys\nsys.meta_path.append(F())\n", ProcessState),
        ("import os\nos.environ['X'] = '1'\n", ProcessState),
        ("import os\nos.chdir('/')\n", ProcessState),
        ("import os\nos.umask(0)\n", ProcessState),
        ("import os\nX = os.environ.get('X')\n", ReadsProcess),
        ("import os\nX = os.getenv('X')\n", ReadsProcess),
        ("import os\nX = 'X' in os.environ\n", ReadsProcess),
        ("import sys\nARGS = sys.argv[1:]\n", ReadsProcess),
        ("import os\nHERE = os.getcwd()\n", ReadsProcess),
        (
            "from pathlib import Path\nHERE = Path.cwd()\n",
            ReadsProcess,
        ),
        ("DATA = open('data.txt').read()\n", ReadsProcess),
        (
            "import threading\nthreading.Thread(target=f).start()\n",
            Concurrency,
        ),
        (
            "import threading\nt = threading.Thread(target=f)\nt.start()\n",
            Concurrency,
        ),
        ("import subprocess\nsubprocess.run(['ls'])\n", Concurrency),
        ("import os\nos.system('ls')\n", Concurrency),
        ("print('hello')\n", Output),
        ("import sys\nsys.stdout.write('x')\n", Output),
        ("import warnings\nwarnings.warn('old')\n", Output),
        ("import logging\nlogging.warning('x')\n", Output),
        (
            "import logging\nlog = logging.getLogger(__name__)\nlog.info('x')\n",
            Output,
        ),
        ("LOG = open('/tmp/x.log', 'w')\n", Output),
        ("import socket\ns = socket.socket()\n", Output),
        ("NAME = input('name? ')\n", Input),
        ("import sys\nDATA = sys.stdin.read()\n", Input),
    ];
    for (source, kind) in cases {
        let found = effects(source);
        assert_eq!(
            found.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [kind],
            "{source}: {found:?}"
        );
    }
}

#[test]
fn other_modules_changed() {
    let cases = [
        "import other\nother.attr = 1\n",
        "import other\nsetattr(other, 'attr', 1)\n",
        "import other\nother.REGISTRY['k'] = f\n",
        "import other\nother.HOOKS.append(f)\n",
        "from other import HOOKS\nHOOKS.append(f)\n",
        "from other import Thing\nThing.extra = 1\n",
    ];
    for source in cases {
        assert_eq!(
            effects(source).iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [EffectKind::OtherModule],
            "{source}"
        );
    }
}

#[test]
fn ordinary_library_modules_are_clean() {
    let source = r#"
"""A library module."""
from __future__ import annotations

import collections
import dataclasses
import enum
import functools
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import TypeVar, NamedTuple

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())
logging.getLogger(__name__).setLevel(logging.INFO)
T = TypeVar("T")
PATTERN = re.compile(r"\d+")
Point = collections.namedtuple("Point", "x y")
HERE = os.path.dirname(__file__)
DATA = open(os.path.join(HERE, "data.txt")).read() if False else None
REGISTRY = {}
HOOKS = []

def register(name):
    def deco(f):
        REGISTRY[name] = f
        return f
    return deco

@register("a")
def a():
    print("only when called")

HOOKS.append(a)
REGISTRY.update(b=a)

class Color(enum.Enum):
    RED = 1

@dataclasses.dataclass
class P:
    x: int = 0

class MyList(list):
    pass

Sequence.register(MyList)

@functools.lru_cache
def cached():
    return os.environ.get("X")

if sys.version_info >= (3, 11):
    IS_NEW = True

if __name__ == "__main__":
    print("main")
"#;
    let s = summary(source);
    assert!(s.effects.is_empty(), "{:?}", s.effects);
    assert!(s.external.is_empty(), "{:?}", s.external);
    // Seen from another module, `register` records into this module's registry.
    assert!(s.functions["register"].mutates.is_some());
    // `cached` reads the environment when called.
    assert_eq!(
        s.functions["cached"].effect.as_ref().map(|e| e.kind),
        Some(EffectKind::ReadsProcess)
    );
    // `a` prints when called.
    assert_eq!(
        s.functions["a"].effect.as_ref().map(|e| e.kind),
        Some(EffectKind::Output)
    );
    let modules: Vec<&str> = s.imports.iter().map(|i| i.module.as_str()).collect();
    assert!(modules.contains(&"collections") && modules.contains(&"typing.TypeVar"));
}

#[test]
fn calls_into_own_functions_are_followed() {
    let s = summary("import codecs\n\ndef setup():\n    codecs.register(f)\n\nsetup()\n");
    assert_eq!(s.effects.len(), 1);
    let e = &s.effects[0];
    assert_eq!(
        (e.kind, e.site.line, e.site.text.as_str()),
        (EffectKind::Registers, 4, "codecs.register(...)")
    );
    assert_eq!(
        e.via.iter().map(|v| v.text.as_str()).collect::<Vec<_>>(),
        ["setup()"]
    );
    // A function that is never called at import time has no effect on the body.
    assert!(
        summary("import codecs\n\ndef setup():\n    codecs.register(f)\n")
            .effects
            .is_empty()
    );
    // Recursion terminates.
    assert!(
        summary("def f():\n    g()\n\ndef g():\n    f()\n\nf()\n")
            .effects
            .is_empty()
    );
    // Instantiating an own class runs `__init__`.
    let s = summary("class C:\n    def __init__(self):\n        print('x')\n\nC()\n");
    assert_eq!(s.effects[0].kind, EffectKind::Output);
    // A class whose `__init__` makes another instance, directly or through a function, terminates (it used
    // to recurse until the stack overflowed), and the effect after the cycle is still found.
    for source in [
        "class C:\n    def __init__(self, n=0):\n        if n:\n            C(n - 1)\n        print('x')\n\nC(3)\n",
        "def make():\n    return C()\n\nclass C:\n    def __init__(self):\n        self.other = make()\n        print('x')\n\nC()\n",
        "class C:\n    def __init__(self):\n        D()\n\nclass D:\n    def __init__(self):\n        C()\n        print('x')\n\nC()\n",
    ] {
        let s = summary(source);
        assert_eq!(
            s.effects.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [EffectKind::Output],
            "{source}"
        );
    }
}

#[test]
fn what_does_not_run_is_not_an_effect() {
    for source in [
        "import typing\nif typing.TYPE_CHECKING:\n    print('x')\n",
        "if __name__ == '__main__':\n    print('x')\n",
        "f = lambda: print('x')\n",
        "def f():\n    print('x')\n",
        "class C:\n    def m(self):\n        print('x')\n",
        // A warning on a condition reports on the environment.
        "import warnings\ntry:\n    import fast\nexcept ImportError:\n    warnings.warn('slow')\n",
        "import sys, warnings\nif sys.version_info < (3, 9):\n    warnings.warn('old')\n",
        // A filter for the module's own warnings only.
        "import warnings\nclass OwnWarning(Warning):\n    pass\nwarnings.simplefilter('default', OwnWarning, append=True)\n",
        "import warnings\nfrom pkg.exceptions import PkgWarning\nwarnings.filterwarnings('ignore', category=PkgWarning)\n",
        "import warnings\nwarnings.filterwarnings('ignore', module='pkg.sub')\n",
    ] {
        assert!(effects(source).is_empty(), "{source}");
    }
    // But class bodies, decorators, defaults and `if`/`try`/`with`/`for` bodies do run.
    for source in [
        "class C:\n    print('x')\n",
        "def f(x=print('x')):\n    pass\n",
        "try:\n    print('x')\nexcept Exception:\n    pass\n",
        "for i in range(2):\n    print(i)\n",
        "with open('/a') as f:\n    print(f)\n",
        "import sys\nif sys.platform:\n    print('x')\n",
    ] {
        assert_eq!(effects(source).len(), 1, "{source}");
    }
}

#[test]
fn references_into_other_modules_and_eager_imports() {
    let s = summary(
        "import other\nfrom plugins import Base, Meta\nlazy import slow\n__lazy_modules__ = ['listed']\nimport listed\n\
         from . import sibling\n\n@other.route('/')\ndef f(): pass\n\nother.register(f)\n\
         class P(Base): pass\nclass Q(metaclass=Meta): pass\n",
    );
    let refs: Vec<(String, String, RefUse)> = s
        .external
        .iter()
        .map(|r| (r.module.clone(), r.name.clone(), r.used))
        .collect();
    assert_eq!(
        refs,
        [
            ("other".into(), "route".into(), RefUse::Call),
            ("other".into(), "register".into(), RefUse::Call),
            ("plugins".into(), "Base".into(), RefUse::Base),
            ("plugins".into(), "Meta".into(), RefUse::Metaclass),
        ]
    );
    let modules: Vec<(&str, bool)> = s
        .imports
        .iter()
        .map(|i| (i.module.as_str(), i.maybe_submodule))
        .collect();
    assert_eq!(
        modules,
        [
            ("other", false),
            ("plugins", false),
            ("plugins.Base", true),
            ("plugins.Meta", true),
            ("pkg", false),
            ("pkg.sibling", true),
        ]
    );
}

#[test]
fn recording_classes() {
    let s = summary(
        "REGISTRY = []\nclass Base:\n    def __init_subclass__(cls, **kw):\n        REGISTRY.append(cls)\n\n\
         class Meta(type):\n    def __new__(mcs, name, bases, ns):\n        cls = super().__new__(mcs, name, bases, ns)\n        mcs.registry[name] = cls\n        return cls\n\n\
         class Child(Base):\n    pass\n\nclass Plain:\n    def __init_subclass__(cls):\n        super().__init_subclass__()\n",
    );
    let mut names: Vec<&str> = s.recording_classes.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["Base", "Child", "Meta"]);
}

/// A map-based oracle over a small project.
fn project() -> Analyzer<MapLocator> {
    Analyzer::new(
        MapLocator::default()
            .with("heavy", "heavy.py", "import json\nimport plugin\n\ndef work():\n    return 1\n")
            .with("plugin", "plugin.py", "import codecs\n\n\ncodecs.register(lambda n: None)\n")
            .with("clean", "clean.py", "import json\nimport helper\nX = helper.make()\n")
            .with("helper", "helper.py", "def make():\n    return 1\n")
            .with("registry", "registry.py", "HANDLERS = {}\n\ndef register(name):\n    def deco(f):\n        HANDLERS[name] = f\n        return f\n    return deco\n")
            .with("user", "user.py", "import registry\n\n@registry.register('x')\ndef handler():\n    pass\n")
            .with("reexport", "reexport/__init__.py", "from .core import register\n")
            .with("reexport.core", "reexport/core.py", "R = []\n\ndef register(f):\n    R.append(f)\n    return f\n")
            .with("user2", "user2.py", "from reexport import register\n\n@register\ndef f():\n    pass\n")
            .with("cycle_a", "cycle_a.py", "import cycle_b\n")
            .with("cycle_b", "cycle_b.py", "import cycle_a\nimport plugin\n")
            .with("bases", "bases.py", "KINDS = {}\nclass Base:\n    def __init_subclass__(cls):\n        KINDS[cls.__name__] = cls\n")
            .with("sub", "sub.py", "from bases import Base\nclass Mine(Base):\n    pass\n")
            .with("needs_numpy", "needs_numpy.py", "import numpy\n")
            .with("pkg.inner", "pkg/inner.py", "X = 1\n")
            .with("pkg", "pkg/__init__.py", "print('loading pkg')\n"),
    )
}

#[test]
fn oracle_follows_imports_with_a_chain() {
    let oracle = project();
    let answer = oracle.module("heavy", None, None);
    let chain = answer
        .chain
        .expect("heavy loads plugin, which registers a codec");
    assert_eq!(chain.kind, EffectKind::Registers);
    assert_eq!(
        chain.describe(),
        "heavy.py:2: import plugin → plugin.py:4: codecs.register(...)"
    );
    assert!(oracle.module("clean", None, None).chain.is_none());
    assert!(oracle.module("clean", None, None).unknown.is_none());
}

#[test]
fn oracle_judges_calls_decorators_and_bases_across_modules() {
    let oracle = project();
    let chain = oracle
        .module("user", None, None)
        .chain
        .expect("a decorator that records");
    assert_eq!(chain.kind, EffectKind::OtherModule);
    assert_eq!(
        chain.describe(),
        "user.py:3: registry.register(...) → registry.py:5: HANDLERS[name]"
    );
    let chain = oracle
        .module("user2", None, None)
        .chain
        .expect("through a re-export");
    assert!(
        chain
            .describe()
            .ends_with("reexport/core.py:4: R.append(f)"),
        "{}",
        chain.describe()
    );
    let chain = oracle
        .module("sub", None, None)
        .chain
        .expect("a base class that records");
    assert!(
        chain.describe().contains("bases.py:4: KINDS[cls.__name__]"),
        "{}",
        chain.describe()
    );
    // The registry module itself is clean to load.
    assert!(oracle.module("registry", None, None).chain.is_none());
}

#[test]
fn oracle_guards_cycles_and_reports_unknown_modules() {
    let oracle = project();
    let chain = oracle
        .module("cycle_a", None, None)
        .chain
        .expect("through the cycle");
    assert!(
        chain
            .describe()
            .starts_with("cycle_a.py:1: import cycle_b → cycle_b.py:2: import plugin")
    );
    assert!(oracle.module("cycle_b", None, None).chain.is_some());
    let answer = oracle.module("needs_numpy", None, None);
    assert!(answer.chain.is_none());
    assert_eq!(answer.unknown.map(|u| u.module), Some("numpy".to_string()));
    let answer = oracle.module("absent", None, None);
    assert_eq!(answer.unknown.map(|u| u.module), Some("absent".to_string()));
}

#[test]
fn oracle_parents_members_stdlib_and_table() {
    let oracle = project();
    // `import pkg.inner` runs `pkg/__init__.py`, which prints; not from inside `pkg`.
    assert!(oracle.module("pkg.inner", None, None).chain.is_some());
    assert!(
        oracle
            .module("pkg.inner", Some("pkg.other"), Some("pkg"))
            .chain
            .is_none()
    );
    // `from clean import X`: `clean.X` is not a module.
    assert_eq!(oracle.member("clean", "X", None), EffectAnswer::default());
    assert!(oracle.member("pkg", "inner", None).chain.is_none());
    // The standard library is trusted from the table.
    assert_eq!(oracle.module("json", None, None), EffectAnswer::default());
    let chain = oracle.module("this", None, None).chain.expect("the table");
    assert_eq!(chain.kind, EffectKind::Output);
    assert!(chain.describe().contains("built-in table"));
}

#[test]
fn every_kind_has_a_name_and_description() {
    for kind in EffectKind::ALL {
        assert_eq!(EffectKind::from_name(kind.name()), Some(*kind));
        assert!(!kind.describe().is_empty());
    }
}

mod engine {
    use std::sync::Arc;

    use super::project;
    use crate::settings::{PythonVersion, Settings, SourceFile, Style, UnknownModules};
    use crate::{Decision, KeepReason};

    const SOURCE: &str = "import heavy\nimport clean\nimport needs_numpy\n\n\ndef f():\n    return heavy.work(), clean.X, needs_numpy\n";

    fn run(style: Style, unknown: UnknownModules) -> crate::FileOutcome {
        let settings = Settings {
            style: Some(style),
            target_version: Some(PythonVersion::PY315),
            effects: Some(Arc::new(project())),
            unknown_modules: unknown,
            ..Settings::default()
        };
        crate::run(
            SOURCE,
            &SourceFile::new("main.py").with_module_name("main"),
            &settings,
        )
    }

    fn reasons(outcome: &crate::FileOutcome) -> Vec<(String, Option<KeepReason>)> {
        outcome
            .verdicts
            .iter()
            .map(|v| {
                let reason = match v.decision {
                    Decision::Keep { reason, .. } => Some(reason),
                    Decision::Rewrite { .. } => None,
                };
                (v.module.clone(), reason)
            })
            .collect()
    }

    #[test]
    fn every_style_keeps_an_import_whose_module_has_effects() {
        for style in [Style::Lazy, Style::LazyModules, Style::Local] {
            let outcome = run(style, UnknownModules::Trust);
            assert_eq!(
                reasons(&outcome),
                [
                    ("heavy".into(), Some(KeepReason::ImportedModuleHasEffects)),
                    ("clean".into(), None),
                    ("needs_numpy".into(), None),
                ],
                "{style}"
            );
            let heavy = &outcome.verdicts[0];
            let chain = heavy.chain.as_ref().expect("the chain");
            assert_eq!(chain.steps.len(), 2);
            assert_eq!(
                chain.steps[1].path.as_deref(),
                Some(std::path::Path::new("plugin.py"))
            );
            assert_eq!(chain.steps[1].line, 4);
            let fixed = outcome.fixed.expect("clean is rewritten");
            assert!(
                !fixed.contains("lazy import heavy") && !fixed.contains("'heavy'"),
                "{fixed}"
            );
            assert!(
                fixed.contains("\nimport heavy\n") || fixed.starts_with("import heavy\n"),
                "{fixed}"
            );
            // The trusted unknown module carries a note.
            assert_eq!(
                outcome.verdicts[2].note.as_deref(),
                Some(
                    "effects of `numpy` not analysed: not found in the project or the target environment"
                )
            );
        }
    }

    #[test]
    fn unknown_modules_keep_policy() {
        let outcome = run(Style::Lazy, UnknownModules::Keep);
        assert_eq!(
            reasons(&outcome)[2],
            (
                "needs_numpy".into(),
                Some(KeepReason::ImportedModuleUnknown)
            )
        );
    }

    #[test]
    fn without_an_oracle_nothing_changes() {
        let settings = Settings {
            style: Some(Style::Lazy),
            target_version: Some(PythonVersion::PY315),
            ..Settings::default()
        };
        let outcome = crate::run(
            SOURCE,
            &SourceFile::new("main.py").with_module_name("main"),
            &settings,
        );
        assert!(
            outcome
                .verdicts
                .iter()
                .all(crate::ImportVerdict::is_rewrite)
        );
    }

    #[test]
    fn from_imports_ask_about_the_submodule_and_hoist_too() {
        let settings = Settings {
            style: Some(Style::Lazy),
            target_version: Some(PythonVersion::PY315),
            effects: Some(Arc::new(project())),
            hoist: true,
            ..Settings::default()
        };
        let source =
            "def f():\n    from pkg import inner\n    import clean\n    return inner, clean\n";
        let outcome = crate::run(
            source,
            &SourceFile::new("main.py").with_module_name("main"),
            &settings,
        );
        let kept: Vec<_> = reasons(&outcome);
        assert!(
            kept.contains(&("pkg".into(), Some(KeepReason::ImportedModuleHasEffects))),
            "{kept:?}"
        );
        assert!(
            outcome
                .fixed
                .is_some_and(|f| f.contains("lazy import clean"))
        );
    }
}

mod features {
    use std::sync::Arc;

    use super::{Analyzer, MapLocator};
    use crate::settings::{PythonVersion, Settings, SourceFile, Style};
    use crate::{Decision, KeepReason};

    fn oracle() -> Analyzer<MapLocator> {
        Analyzer::new(
            MapLocator::default()
                .with("check", "check.py", "import sys\n\nHAS_FANCY = \"fancy\" in sys.modules\nOTHER = sys.modules.get(\"other\")\n")
                .with("loader", "loader.py", "try:\n    import backend\nexcept ImportError:\n    backend = None\n")
                .with("backend", "backend.py", "")
                .with("helper", "helper.py", "X = 1\n")
                .with("fancy", "fancy.py", "X = 1\n"),
        )
    }

    fn reasons(source: &str, module: &str, style: Style) -> Vec<(String, Option<KeepReason>)> {
        let settings = Settings {
            style: Some(style),
            target_version: Some(PythonVersion::PY315),
            effects: Some(Arc::new(oracle())),
            ..Settings::default()
        };
        let file = SourceFile::new(format!("{module}.py")).with_module_name(module);
        crate::run(source, &file, &settings)
            .verdicts
            .iter()
            .map(|v| {
                let reason = match v.decision {
                    Decision::Keep { reason, .. } => Some(reason),
                    Decision::Rewrite { .. } => None,
                };
                (v.module.clone(), reason)
            })
            .collect()
    }

    #[test]
    fn a_sys_modules_check_elsewhere_keeps_the_import() {
        for style in [Style::Lazy, Style::LazyModules, Style::Local] {
            let found = reasons(
                "import fancy\nimport helper\nfrom other import thing\n\n\ndef f():\n    return fancy, helper, thing\n",
                "main",
                style,
            );
            assert_eq!(
                found,
                [
                    ("fancy".into(), Some(KeepReason::CheckedInSysModules)),
                    ("helper".into(), None),
                    ("other".into(), Some(KeepReason::CheckedInSysModules)),
                ],
                "{style}"
            );
        }
    }

    #[test]
    fn an_import_guarded_by_a_sibling_keeps_third_party_imports() {
        let found = reasons(
            "import json\nimport helper\nimport numpy\n\n\ndef f():\n    return json, helper, numpy\n",
            "backend",
            Style::Lazy,
        );
        assert_eq!(
            found,
            [
                ("json".into(), None),
                ("helper".into(), None),
                ("numpy".into(), Some(KeepReason::ImportGuardedElsewhere)),
            ]
        );
        // The same file under another name is not guarded.
        let found = reasons(
            "import numpy\n\n\ndef f():\n    return numpy\n",
            "unguarded",
            Style::Lazy,
        );
        assert_eq!(found, [("numpy".into(), None)]);
    }

    #[test]
    fn feature_prefilter() {
        use super::super::features::may_check;
        assert!(may_check("import sys\nX = 'a' in sys.modules\n"));
        assert!(may_check(
            "try:\n    import a\nexcept ImportError:\n    a = None\n"
        ));
        assert!(may_check(
            "def f():\n    try:\n        from . import b\n    except Exception:\n        pass\n"
        ));
        assert!(!may_check(
            "try:\n    x = 1\nexcept Exception:\n    pass\nimport os\n"
        ));
        assert!(!may_check("import os\n"));
    }

    #[test]
    fn feature_scan() {
        let checks = super::super::features::scan(
            "import sys\nif 'a' not in sys.modules:\n    pass\ntry:\n    from . import b\n    import c.d\nexcept (ValueError, ImportError):\n    pass\ntry:\n    import e\nexcept ValueError:\n    pass\ntry:\n    def f():\n        import g\nexcept Exception:\n    pass\n",
            "pkg.mod",
            std::path::Path::new("pkg/mod.py"),
        )
        .unwrap();
        let names =
            |v: &[(String, usize, String)]| v.iter().map(|(n, ..)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&checks.sys_modules), ["a"]);
        assert_eq!(names(&checks.guarded_imports), ["pkg.b", "pkg", "c.d"]);
    }
}

#[test]
fn changes_inside_the_loading_package_are_discounted() {
    let oracle = Analyzer::new(
        MapLocator::default()
            .with("pkg", "pkg/__init__.py", "from . import plugins\n")
            .with(
                "pkg.plugins",
                "pkg/plugins.py",
                "from pkg.registry import register\n\n@register\ndef f():\n    pass\n",
            )
            .with(
                "pkg.registry",
                "pkg/registry.py",
                "HANDLERS = []\n\ndef register(f):\n    HANDLERS.append(f)\n    return f\n",
            )
            .with("counter", "counter.py", "class C:\n    n = 0\n    def __init__(self):\n        C.n += 1\n\ndef make():\n    return C()\n")
            .with("user", "user.py", "import counter\n\nX = counter.make()\n"),
    );
    // Whoever reads `pkg.registry` imports `pkg` first, which registers the plugin.
    assert_eq!(oracle.module("pkg", None, None), EffectAnswer::default());
    // From outside, loading `pkg.plugins` alone fills another module's registry.
    let chain = oracle
        .module("pkg.plugins", Some("app"), None)
        .chain
        .expect("a registry");
    assert_eq!(chain.changes.as_deref(), Some("pkg.registry"));
    // A counter a class keeps is not a registry.
    assert_eq!(oracle.module("user", None, None), EffectAnswer::default());
}

#[test]
fn dense_import_cycles_resolve_in_linear_time() {
    // 40 modules, each importing every other at module level (Django's packages are this tangled): a
    // resolution that re-explores cycles would never finish.
    let n = 40;
    let mut locator = MapLocator::default();
    for i in 0..n {
        let mut text = String::new();
        for j in (0..n).filter(|j| *j != i) {
            let _ = writeln!(text, "import m{j}");
        }
        if i == n - 1 {
            text.push_str("print('last')\n");
        }
        locator = locator.with(&format!("m{i}"), &format!("m{i}.py"), &text);
    }
    let oracle = Analyzer::new(locator);
    let started = std::time::Instant::now();
    for i in 0..n {
        let answer = oracle.module(&format!("m{i}"), None, None);
        assert!(answer.chain.is_some(), "m{i} reaches the print");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn clean_dense_import_cycles_are_clean_and_fast() {
    let n = 40;
    let mut locator = MapLocator::default();
    for i in 0..n {
        let mut text = String::new();
        for j in (0..n).filter(|j| *j != i) {
            let _ = writeln!(text, "from m{j} import f{j}");
        }
        let _ = write!(text, "def f{i}():\n    return 1\n");
        locator = locator.with(&format!("m{i}"), &format!("m{i}.py"), &text);
    }
    let oracle = Analyzer::new(locator);
    let started = std::time::Instant::now();
    for i in 0..n {
        assert_eq!(
            oracle.module(&format!("m{i}"), None, None),
            EffectAnswer::default()
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_packages_own_registries_and_sys_modules_entry() {
    let oracle = Analyzer::new(
        MapLocator::default()
            .with("jin", "jin/__init__.py", "from .env import Environment\n")
            .with("jin.utils", "jin/utils.py", "internal = set()\n\ndef internalcode(f):\n    internal.add(f)\n    return f\n")
            .with("jin.env", "jin/env.py", "from .utils import internalcode\n\n@internalcode\ndef render():\n    pass\n\nclass Environment:\n    pass\n")
            .with("lexers", "lexers/__init__.py", "import sys\n\nclass _Auto:\n    pass\n\nsys.modules[__name__] = _Auto()\n"),
    );
    // From `jin/__init__.py`, `jin.env` filling `jin.utils.internal` is the package's business.
    assert_eq!(
        oracle.module("jin.env", Some("jin"), Some("jin")),
        EffectAnswer::default()
    );
    // From outside the package it is a change to another module.
    assert!(oracle.module("jin.env", Some("app"), None).chain.is_some());
    // A module replacing its own `sys.modules` entry changes nothing another module can see.
    assert_eq!(oracle.module("lexers", None, None), EffectAnswer::default());
}

/// A name a class body binds is the class's while the body runs: Django's `def open(self): ...` then
/// `open.alters_data = True` in a class body marks the method, not the builtin `open` (it had kept 1,250 imports of
/// the Django corpus eager in one run and deferrable in the next).
#[test]
fn class_body_names_shadow_builtins_and_globals() {
    let source = "class File:\n    def open(self, mode='rb'):\n        return self\n    open.alters_data = True\n";
    assert_eq!(effects(source), []);
    // The same assignment outside a class body does change the builtin.
    assert_eq!(
        effects("open.alters_data = True\n")
            .into_iter()
            .map(|(kind, _)| kind)
            .collect::<Vec<_>>(),
        [EffectKind::OtherModule]
    );
    // And the class's names are its own only while its body runs.
    assert_eq!(
        effects("class C:\n    def open(self): ...\n\nopen.alters_data = True\n").len(),
        1
    );
}

/// A function's own imports bind modules as module-level ones do: a module that `--style local` rewrote
/// (`import subprocess` moved into `get_version`) has the same effects as before, so that a second run agrees with
/// the first (Django's `__version__ = get_version(VERSION)` had lost its `subprocess.run` after the first run).
#[test]
fn function_local_imports_are_followed_like_module_level_ones() {
    let before = "import subprocess\n\ndef get_version():\n    return subprocess.run(['git'])\n\nV = get_version()\n";
    let after = "def get_version():\n    import subprocess\n    return subprocess.run(['git'])\n\nV = get_version()\n";
    let kinds = |source: &str| {
        effects(source)
            .into_iter()
            .map(|(kind, _)| kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(before), [EffectKind::Concurrency]);
    assert_eq!(kinds(after), kinds(before));
    // `from` imports and aliases, and imports inside blocks of the function.
    let from = "def setup():\n    if True:\n        from codecs import register as reg\n    reg(f)\n\nsetup()\n";
    assert_eq!(kinds(from), [EffectKind::Registers]);
    // A name the function assigns is no import.
    assert!(kinds("def f():\n    subprocess = object()\n    subprocess.run()\n\nf()\n").is_empty());
}

#[test]
fn a_submodule_member_that_fills_its_own_package_is_the_package_s_business() {
    // `from . import plugin` in `app/ext.py`: `app.plugin` appends to `app.registry.HOOKS`. Code outside `app`
    // reads that registry through the package, so the change does not count for a file of `app` (as for
    // `import app.plugin`), and still counts for a file elsewhere.
    let oracle = Analyzer::new(
        MapLocator::default()
            .with("app", "app/__init__.py", "")
            .with("app.registry", "app/registry.py", "HOOKS = []\n")
            .with(
                "app.plugin",
                "app/plugin.py",
                "from . import registry\n\nregistry.HOOKS.append(1)\n",
            ),
    );
    assert!(oracle.member("app", "plugin", None).chain.is_some());
    assert!(
        oracle
            .member("app", "plugin", Some("other"))
            .chain
            .is_some()
    );
    assert!(oracle.member("app", "plugin", Some("app")).chain.is_none());
    assert!(
        oracle
            .module("app.plugin", Some("app.ext"), Some("app"))
            .chain
            .is_none()
    );
}

/// `sys.modules["name"] = m` registers module `name`: markdown's `htmlparser.py` registers its patched copy of
/// `html.parser` as `htmlparser`, a name no module has and only code importing it could see. Such a private
/// alias is no effect; one the project imports, checks or reads, or one that replaces a real module (of the
/// standard library, the project or the environment), is.
#[test]
fn a_private_module_alias_in_sys_modules_is_no_effect() {
    let alias = "import sys\nimport importlib.util\n\nspec = importlib.util.find_spec('html.parser')\ncopy = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(copy)\nsys.modules['htmlcopy'] = copy\n";
    let base = || {
        MapLocator::default()
            .with("md", "md/__init__.py", "from .core import Markdown\n")
            .with(
                "md.core",
                "md/core.py",
                "from .parser import Parser\n\nclass Markdown:\n    pass\n",
            )
            .with("md.parser", "md/parser.py", alias)
    };
    let private = Analyzer::new(base());
    assert_eq!(
        private.module("md.core", Some("md"), Some("md")),
        EffectAnswer::default()
    );
    assert_eq!(
        private.module("md.core", None, None),
        EffectAnswer::default()
    );

    // Seen by the project: imported by that name, read from `sys.modules`, checked, imported by `importlib`.
    for user in [
        "import htmlcopy\n",
        "from htmlcopy import HTMLParser\n",
        "def f():\n    import htmlcopy.sub\n",
        "import sys\nP = sys.modules['htmlcopy']\n",
        "import sys\nHAS = 'htmlcopy' in sys.modules\n",
        "import importlib\nP = importlib.import_module('htmlcopy')\n",
    ] {
        let seen = Analyzer::new(base().with("app", "app.py", user));
        let chain = seen
            .module("md.core", Some("md"), Some("md"))
            .chain
            .unwrap_or_else(|| panic!("{user:?} uses the alias"));
        assert_eq!(chain.kind, EffectKind::ProcessState, "{user:?}");
        assert_eq!(chain.changes.as_deref(), Some("htmlcopy"));
    }
    // Text that only mentions the name is not a use.
    let mention = Analyzer::new(base().with("app", "app.py", "NAME = 'htmlcopy'\nhtmlcopy = 1\n"));
    assert_eq!(
        mention.module("md.core", Some("md"), Some("md")),
        EffectAnswer::default()
    );

    // A name that is a real module: of the standard library, of the project, or its top-level package is.
    for (name, extra) in [
        ("json", None),
        ("os.fast", None),
        ("shim", Some(("shim", "shim.py", "X = 1\n"))),
        ("vendor.parser", Some(("vendor", "vendor/__init__.py", ""))),
    ] {
        let mut locator = base().with(
            "md.parser",
            "md/parser.py",
            &alias.replace("'htmlcopy'", &format!("'{name}'")),
        );
        if let Some((module, path, text)) = extra {
            locator = locator.with(module, path, text);
        }
        let real = Analyzer::new(locator);
        assert!(
            real.module("md.core", Some("md"), Some("md"))
                .chain
                .is_some(),
            "{name}"
        );
    }
    // Any other process state stays an effect, however private the alias.
    let both = Analyzer::new(base().with(
        "md.parser",
        "md/parser.py",
        &format!("{alias}sys.path.insert(0, 'x')\n"),
    ));
    let chain = both
        .module("md.core", Some("md"), Some("md"))
        .chain
        .expect("sys.path changes");
    assert_eq!(chain.changes, None);
}
