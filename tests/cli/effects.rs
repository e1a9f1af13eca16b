//! Imports whose module has an effect when it loads stay eager, in every style, with the chain into the other
//! file (issue 11 §1). Each effect kind has a module in a small project; `main.py` imports them all and uses
//! them only inside a function, so that without the effect analysis every import would be deferred.

use crate::common::{Project, assert_code, snapshot, stdout};

/// One module per effect kind (and the forms of "changes another module"), a clean module, a module that
/// has an effect only through what it imports, and a package whose `__init__.py` prints.
const MODULES: &[(&str, &str)] = &[
    (
        "registers.py",
        "import codecs\n\n\ndef _search(name):\n    return None\n\n\ncodecs.register(_search)\n",
    ),
    (
        "registers_logging.py",
        "import logging\n\nlogging.basicConfig(level=logging.INFO)\n",
    ),
    (
        "registers_atexit.py",
        "import atexit\n\n\n@atexit.register\ndef bye():\n    pass\n",
    ),
    (
        "registry.py",
        "HANDLERS = {}\n\n\ndef register(name):\n    def deco(f):\n        HANDLERS[name] = f\n        return f\n    return deco\n",
    ),
    (
        "plugin_decorator.py",
        "import registry\n\n\n@registry.register(\"x\")\ndef handler():\n    return 1\n",
    ),
    (
        "plugin_call.py",
        "from registry import HANDLERS\n\nHANDLERS[\"y\"] = len\n",
    ),
    (
        "bases.py",
        "KINDS = {}\n\n\nclass Base:\n    def __init_subclass__(cls, **kwargs):\n        super().__init_subclass__(**kwargs)\n        KINDS[cls.__name__] = cls\n",
    ),
    (
        "plugin_subclass.py",
        "from bases import Base\n\n\nclass Mine(Base):\n    pass\n",
    ),
    (
        "monkeypatch.py",
        "import json\nimport registry\n\nregistry.VERSION = 2\n",
    ),
    (
        "process_state.py",
        "import sys\n\nsys.path.insert(0, \"/opt/plugins\")\n",
    ),
    (
        "reads_env.py",
        "import os\n\nDEBUG = os.environ.get(\"APP_DEBUG\", \"0\") == \"1\"\n",
    ),
    (
        "threads.py",
        "import threading\n\n\ndef _poll():\n    pass\n\n\nthreading.Thread(target=_poll, daemon=True).start()\n",
    ),
    (
        "banner.py",
        "def _show():\n    print(\"banner\")\n\n\n_show()\n",
    ),
    ("asks.py", "NAME = input(\"name? \")\n"),
    (
        "heavy.py",
        "import json\nimport registers\n\n\ndef work():\n    return json.dumps(1)\n",
    ),
    (
        "clean.py",
        "import collections\nimport logging\nimport re\n\nlog = logging.getLogger(__name__)\nlog.addHandler(logging.NullHandler())\nPATTERN = re.compile(\"a+\")\nPoint = collections.namedtuple(\"Point\", \"x y\")\nREGISTRY = {}\n\n\ndef work():\n    return PATTERN\n",
    ),
    ("noisy/__init__.py", "print(\"loading noisy\")\n"),
    ("noisy/quiet.py", "X = 1\n"),
];

const MAIN: &str = "\
import asks
import banner
import bases
import clean
import heavy
import monkeypatch
import plugin_call
import plugin_decorator
import plugin_subclass
import process_state
import reads_env
import registers
import registers_atexit
import registers_logging
import threads
import noisy.quiet
from noisy import quiet


def main():
    return (
        asks, banner, bases, clean, heavy, monkeypatch, plugin_call, plugin_decorator, plugin_subclass,
        process_state, reads_env, registers, registers_atexit, registers_logging, threads, noisy.quiet, quiet,
    )
";

fn project() -> Project {
    let project = Project::new();
    for (path, text) in MODULES {
        project.file(path, text);
    }
    project.file("main.py", MAIN);
    project
}

/// Each verdict for `main.py` in `style` on one line: the import, the reason, and the chain's steps.
fn verdicts(project: &Project, style: &str) -> String {
    let output = project.run(&[
        "main.py",
        "--explain",
        "--output-format",
        "json",
        "--target-version",
        "py315",
        "--style",
        style,
    ]);
    assert_code(&output, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut text = String::new();
    for v in json["findings"].as_array().unwrap() {
        let _ = std::fmt::Write::write_fmt(
            &mut text,
            format_args!(
                "{}:{} {} [{}]",
                v["line"],
                v["column"],
                v["message"].as_str().unwrap_or_default(),
                v["reason"].as_str().unwrap_or_default()
            ),
        );
        if let Some(steps) = v["chain"]["steps"].as_array() {
            for step in steps {
                let _ = std::fmt::Write::write_fmt(
                    &mut text,
                    format_args!(
                        "\n    -> {}:{}:{}: {}",
                        step["path"].as_str().unwrap_or("(table)"),
                        step["line"],
                        step["column"],
                        step["text"].as_str().unwrap_or_default()
                    ),
                );
            }
        }
        text.push('\n');
    }
    project.render_text(&text)
}

#[test]
fn every_effect_kind_keeps_the_import_in_every_style() {
    let project = project();
    for style in ["lazy", "lazy-modules", "local"] {
        let text = verdicts(&project, style);
        // Only the clean module (and `bases`, which records only when subclassed) is deferred.
        let rewritten: Vec<&str> = text
            .lines()
            .filter(|l| l.ends_with("[used-only-deferred]"))
            .collect();
        assert_eq!(rewritten.len(), 2, "{style}: {text}");
        assert!(
            rewritten.iter().any(|l| l.contains("`import clean`")),
            "{text}"
        );
        assert!(
            rewritten.iter().any(|l| l.contains("`import bases`")),
            "{text}"
        );
        let kept = text.matches("[imported-module-has-effects]").count();
        assert_eq!(kept, 15, "{style}: {text}");
        snapshot(&format!("effects_verdicts_{style}"), &text);
    }
}

#[test]
fn explain_shows_the_chain_into_the_other_file() {
    let project = project();
    let output = project.run(&[
        "main.py",
        "--explain",
        "--target-version",
        "py315",
        "--color",
        "never",
    ]);
    assert_code(&output, 1);
    let text = project.render(&output);
    assert!(
        text.contains("→ heavy.py:2: import registers")
            && text.contains("→ registers.py:8: codecs.register(...)"),
        "{text}"
    );
    snapshot("effects_explain", &text);
}

#[test]
fn json_carries_the_chain() {
    let project = project();
    let output = project.run(&[
        "main.py",
        "--explain",
        "--output-format",
        "json",
        "--target-version",
        "py315",
    ]);
    assert_code(&output, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let heavy = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["module"] == "heavy")
        .unwrap();
    assert_eq!(heavy["reason"], "imported-module-has-effects");
    assert_eq!(heavy["chain"]["kind"], "registers");
    let steps = heavy["chain"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["path"], "registers.py");
    assert_eq!(steps[1]["line"], 8);
    assert_eq!(steps[1]["text"], "codecs.register(...)");
}

#[test]
fn written_files_keep_effectful_imports_eager_and_removing_the_effect_defers_it() {
    let project = project();
    let output = project.run(&["main.py", "--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    let written = project.read_string("main.py");
    assert!(written.contains("lazy import clean\n"), "{written}");
    assert!(written.contains("\nimport heavy\n"), "{written}");
    // Remove the effect: the import is deferred on the next run.
    project.file(
        "registers.py",
        "import codecs\n\n\ndef _search(name):\n    return None\n",
    );
    let output = project.run(&["main.py", "--write", "--target-version", "py315"]);
    assert_code(&output, 0);
    let written = project.read_string("main.py");
    assert!(written.contains("lazy import heavy\n"), "{written}");
    assert!(written.contains("lazy import registers\n"), "{written}");
}

#[test]
fn hoist_keeps_function_local_imports_of_effectful_modules() {
    let project = project();
    project.file(
        "tool.py",
        "def a():\n    import banner\n    return banner\n\n\ndef b():\n    import clean\n    return clean\n",
    );
    let output = project.run(&["tool.py", "--diff", "--hoist", "--target-version", "py315"]);
    let text = project.render(&output);
    assert!(text.contains("+lazy import clean"), "{text}");
    assert!(!text.contains("+lazy import banner"), "{text}");
}

#[test]
fn unknown_modules_are_trusted_with_a_note_or_kept() {
    let project = Project::new();
    project.file(
        "main.py",
        "import not_installed_anywhere\n\n\ndef f():\n    return not_installed_anywhere\n",
    );
    let output = project.run(&[
        "main.py",
        "--explain",
        "--target-version",
        "py315",
        "--color",
        "never",
    ]);
    assert_code(&output, 1);
    let text = project
        .render(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("note: effects of `not_installed_anywhere` not analysed: not found in the project, and the target environment is unknown"),
        "{text}"
    );
    let output = project.run(&[
        "main.py",
        "--explain",
        "--target-version",
        "py315",
        "--unknown-modules",
        "keep",
        "--color",
        "never",
    ]);
    assert_code(&output, 0);
    let text = project.render(&output);
    assert!(text.contains("keep::imported-module-unknown"), "{text}");
    // The configuration key does the same.
    project.file("lazify.toml", "unknown-modules = \"keep\"\n");
    let output = project.run(&["main.py", "--target-version", "py315"]);
    assert_code(&output, 0);
}

#[test]
fn feature_detection_elsewhere_in_the_project() {
    let project = Project::new();
    project.file(
        "tools/check.py",
        "import sys\n\n\ndef uses_fast():\n    return \"fastjson\" in sys.modules\n",
    );
    project.file(
        "loader.py",
        "try:\n    import backend\nexcept ImportError:\n    backend = None\n",
    );
    project.file(
        "backend.py",
        "import slowjson\nimport helper\n\n\ndef f():\n    return slowjson, helper\n",
    );
    project.file("helper.py", "X = 1\n");
    project.file(
        "main.py",
        "import fastjson\nimport helper\n\n\ndef f():\n    return fastjson, helper\n",
    );
    let explain = |file: &str| {
        let output = project.run(&[
            file,
            "--explain",
            "--target-version",
            "py315",
            "--color",
            "never",
        ]);
        project.render(&output)
    };
    let text = explain("main.py");
    assert!(
        text.contains("keep::checked-in-sys-modules") && text.contains("tools/check.py:5"),
        "{text}"
    );
    let text = explain("backend.py");
    assert!(
        text.contains("keep::import-guarded-elsewhere") && text.contains("loader.py:2"),
        "{text}"
    );
    // `helper` is the project's own module: its ImportError is not what the guard is about.
    assert!(text.contains("Make `import helper` lazy"), "{text}");
    snapshot("effects_feature_detection", &text);
}
