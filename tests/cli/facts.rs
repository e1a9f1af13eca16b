//! Facts from other files in every style (issue 11 §3): what other files of the project (and the entry points
//! of its `pyproject.toml`) do with a module changes the verdicts on that module's imports. Each consumer file
//! below imports a module and uses it only inside a function; another file holds one fact about it.

use crate::common::{Project, assert_code, snapshot, stdout};

const FILES: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0\"\n\n[project.scripts]\ndemo = \"cli:main\"\n\n[project.entry-points.\"demo.plugins\"]\nhook = \"plugin:hook [extra]\"\n",
    ),
    (
        "heavy.py",
        "def compute():\n    return 1\n\n\ndef main():\n    return 2\n\n\ndef hook():\n    return 3\n",
    ),
    ("swapme.py", "X = 1\n"),
    ("settings.py", "DEBUG = False\n"),
    // One consumer per fact.
    (
        "a_sysmod.py",
        "import swapme\n\n\ndef f():\n    return swapme.X\n",
    ),
    (
        "b_rebound.py",
        "from settings import DEBUG\n\n\ndef f():\n    return DEBUG\n",
    ),
    (
        "c_vars.py",
        "import heavy\n\n\ndef f():\n    return heavy.compute()\n",
    ),
    (
        "d_dir.py",
        "import heavy\n\n\ndef f():\n    return heavy.compute()\n",
    ),
    (
        "e_deep.py",
        "import heavy\n\n\ndef f():\n    return heavy.compute()\n",
    ),
    (
        "f_multi.py",
        "from heavy import compute\n\n\ndef f():\n    return compute()\n",
    ),
    (
        "g_dict.py",
        "from heavy import compute\n\n\ndef f():\n    return compute()\n",
    ),
    (
        "h_star.py",
        "from heavy import compute\n\n\ndef f():\n    return compute()\n",
    ),
    (
        "cli.py",
        "from heavy import main\n\n\ndef run():\n    return main()\n",
    ),
    (
        "plugin.py",
        "from heavy import hook\n\n\ndef run():\n    return hook()\n",
    ),
    // A re-export for other files, and a never-read import nobody imports from (a side-effect import).
    ("compat.py", "from heavy import compute\n"),
    ("plain.py", "from heavy import compute\n"),
    // A file with no fact about it: deferred in every style.
    (
        "z_free.py",
        "from heavy import compute\n\n\ndef f():\n    return compute()\n",
    ),
    // The files holding the facts.
    (
        "tests/test_facts.py",
        "import sys\nfrom unittest import mock\n\nimport e_deep\nimport f_multi\nimport g_dict\nimport settings\n\n\ndef test_swap():\n    with mock.patch.dict(sys.modules, {\"swapme\": None}):\n        import a_sysmod\n    settings.DEBUG = True\n    with mock.patch(\"e_deep.heavy.compute\"):\n        pass\n    with mock.patch.multiple(f_multi, compute=len):\n        pass\n    with mock.patch.dict(g_dict.__dict__, {\"compute\": len}):\n        pass\n    return a_sysmod\n",
    ),
    (
        "tools.py",
        "import c_vars\nimport d_dir\n\n\ndef names():\n    return vars(c_vars), dir(d_dir)\n",
    ),
    (
        "star_user.py",
        "from h_star import *\n\n\ndef g():\n    return compute()\n",
    ),
    (
        "user.py",
        "from compat import compute\n\n\ndef g():\n    return compute()\n",
    ),
];

/// The files whose verdicts are shown.
const SHOWN: &[&str] = &[
    "a_sysmod.py",
    "b_rebound.py",
    "c_vars.py",
    "d_dir.py",
    "e_deep.py",
    "f_multi.py",
    "g_dict.py",
    "h_star.py",
    "cli.py",
    "plugin.py",
    "compat.py",
    "plain.py",
    "z_free.py",
];

fn project() -> Project {
    let project = Project::new();
    for (path, text) in FILES {
        project.file(path, text);
    }
    project
}

/// Each verdict on one line: file, import, reason (or rewrite), and the detail.
fn verdicts(project: &Project, style: &str) -> String {
    let mut args = SHOWN.to_vec();
    args.extend([
        "--explain",
        "--output-format",
        "json",
        "--target-version",
        "py315",
        "--style",
        style,
    ]);
    let output = project.run(&args);
    assert_code(&output, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut lines: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{}:{} [{}] {}",
                v["path"].as_str().unwrap_or_default(),
                v["line"],
                v["reason"].as_str().unwrap_or_default(),
                v["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    project.render_text(&(lines.join("\n") + "\n"))
}

fn reason_of<'t>(text: &'t str, file: &str) -> &'t str {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{file}:")))
        .unwrap_or_else(|| panic!("no verdict for {file}:\n{text}"));
    line.split('[').nth(1).unwrap().split(']').next().unwrap()
}

#[test]
fn facts_from_other_files_change_verdicts_in_every_style() {
    let project = project();
    for style in ["lazy", "lazy-modules", "local"] {
        let text = verdicts(&project, style);
        let local = style == "local";
        // Every style: what a later import would see differently.
        assert_eq!(
            reason_of(&text, "a_sysmod.py"),
            "sys-modules-patched",
            "{style}: {text}"
        );
        assert_eq!(
            reason_of(&text, "b_rebound.py"),
            "rebound-elsewhere",
            "{style}: {text}"
        );
        assert_eq!(
            reason_of(&text, "c_vars.py"),
            "namespace-read-elsewhere",
            "{style}: {text}"
        );
        // `local` only: names moved into functions disappear from the module.
        let only_local = |file: &str, reason: &str| {
            let got = reason_of(&text, file);
            if local {
                assert_eq!(got, reason, "{style} {file}: {text}");
            } else {
                assert_eq!(got, "used-only-deferred", "{style} {file}: {text}");
            }
        };
        only_local("d_dir.py", "namespace-read-elsewhere");
        for file in [
            "e_deep.py",
            "f_multi.py",
            "g_dict.py",
            "h_star.py",
            "cli.py",
            "plugin.py",
        ] {
            only_local(file, "used-by-other-module");
        }
        assert!(
            text.contains("`from h_star import *` at star_user.py:1") == local,
            "{style}: {text}"
        );
        assert!(
            text.contains("`cli.main` is used at pyproject.toml:6") == local,
            "{style}: {text}"
        );
        // The converse: a re-export for other files is deferred where it can be.
        let compat = reason_of(&text, "compat.py");
        if local {
            assert_eq!(compat, "used-by-other-module", "{text}");
        } else {
            assert_eq!(compat, "re-export", "{style}: {text}");
        }
        assert_eq!(
            reason_of(&text, "plain.py"),
            "side-effect-only",
            "{style}: {text}"
        );
        assert_eq!(
            reason_of(&text, "z_free.py"),
            "used-only-deferred",
            "{text}"
        );
        snapshot(&format!("facts_verdicts_{style}"), &text);
    }
}
