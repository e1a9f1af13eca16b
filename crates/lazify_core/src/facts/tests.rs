//! Unit tests of the project facts (`facts.rs`).

use super::{Location, ProjectFacts, scan};
use crate::settings::SourceFile;
use std::path::{Path, PathBuf};

fn project(files: &[(&str, &str, &str)]) -> ProjectFacts {
    let mut project = ProjectFacts::default();
    for (path, module, text) in files {
        let file = SourceFile::new(*path).with_module_name(*module);
        project.add(Path::new(path), text, scan(text, &file).unwrap());
    }
    project
}

#[test]
fn patch_forms_name_the_attribute() {
    let src = "from unittest import mock\nimport app\nimport pkg.mod as m\n\nmock.patch(\"app.heavy.compute\")\nmock.patch.multiple(app, compute=len, create=True)\nmock.patch.dict(m.__dict__, {\"loads\": len})\n";
    let p = project(&[("tests/test_a.py", "test_a", src)]);
    // Below the name: `app.heavy` is read first.
    assert_eq!(p.outside_uses("app", "heavy").unwrap().line, 5);
    assert!(p.outside_uses("app", "heav").is_none());
    assert_eq!(p.outside_uses("app", "compute").unwrap().line, 6);
    assert!(p.outside_uses("app", "create").is_none());
    assert_eq!(p.outside_uses("pkg.mod", "loads").unwrap().line, 7);
    assert_eq!(p.rebound_elsewhere("app", "compute").unwrap().line, 6);
    assert_eq!(p.rebound_elsewhere("pkg.mod", "loads").unwrap().line, 7);
    // A patch of the dict with literal keys is not a read of the raw namespace.
    assert!(p.namespace_read("pkg.mod", true).is_none());
}

#[test]
fn writes_are_told_from_reads() {
    let src = "import settings\nfrom pkg import conf\n\nprint(settings.A)\nsettings.B = 1\nsetattr(conf, \"C\", 2)\ndel settings.D\nconf.E += 1\nhasattr(conf, \"F\")\n";
    let p = project(&[("main.py", "main", src)]);
    assert!(p.rebound_elsewhere("settings", "A").is_none());
    assert_eq!(p.rebound_elsewhere("settings", "B").unwrap().line, 5);
    assert_eq!(p.rebound_elsewhere("pkg.conf", "C").unwrap().line, 6);
    assert_eq!(p.rebound_elsewhere("settings", "D").unwrap().line, 7);
    assert_eq!(p.rebound_elsewhere("pkg.conf", "E").unwrap().line, 8);
    assert!(p.rebound_elsewhere("pkg.conf", "F").is_none());
    // `mock.patch("settings.G")` rebinds too.
    let p = project(&[(
        "t.py",
        "t",
        "from unittest import mock\nmock.patch(\"settings.G\", 1)\n",
    )]);
    assert_eq!(p.rebound_elsewhere("settings", "G").unwrap().line, 2);
}

#[test]
fn namespace_reads_by_kind() {
    let src = "import a\nimport b\nimport c\nfrom unittest import mock\n\nvars(a)\ndir(b)\nmock.patch.dict(c.__dict__, values)\nx = a.__dict__\n";
    let p = project(&[("tool.py", "tool", src)]);
    assert_eq!(p.namespace_read("a", false).unwrap().line, 6);
    assert!(p.namespace_read("b", false).is_none());
    assert_eq!(p.namespace_read("b", true).unwrap().line, 7);
    // Computed keys: any name may be added.
    assert!(p.namespace_read("c", false).is_none());
    assert_eq!(p.namespace_read("c", true).unwrap().line, 8);
    // `vars()` of something that is not an import says nothing.
    let p = project(&[("t.py", "t", "vars(obj)\nobj.__dict__\n")]);
    assert!(p.namespace_read("obj", true).is_none());
}

#[test]
fn sys_modules_replaced_by_name_only() {
    let test = "import sys\nfrom unittest import mock\n\nwith mock.patch.dict(sys.modules, {\"heavy\": None}):\n    pass\nwith mock.patch.dict(sys.modules, clear=True):\n    pass\n";
    let own = "import sys\nsys.modules[__name__] = object()\nsys.modules[\"pkg._impl\"] = sys\n";
    let p = project(&[
        ("tests/test_a.py", "test_a", test),
        ("wrap.py", "wrap", own),
    ]);
    assert_eq!(p.sys_modules_replaced("heavy").unwrap().line, 4);
    assert_eq!(p.sys_modules_replaced("heavy.sub").unwrap().line, 4);
    assert!(p.sys_modules_replaced("heavyweight").is_none());
    // An unnamed patch counts for `--hoist` only.
    assert!(p.sys_modules_replaced("other").is_none());
    assert!(p.sys_modules_patched("other").is_some());
    // A module replacing its own entry while it loads: a later import finds the same replacement.
    assert!(p.sys_modules_replaced("wrap").is_none());
    // Library code installing an alias under a literal name: an import that runs later finds it too.
    assert!(p.sys_modules_replaced("pkg._impl").is_none());
    assert!(p.sys_modules_patched("pkg._impl").is_some());
}

#[test]
fn star_imports_and_entry_points() {
    let p = project(&[(
        "pkg/user.py",
        "pkg.user",
        "from .app import *\nfrom os import *\n",
    )]);
    assert_eq!(p.star_imported("pkg.app").unwrap().line, 1);
    assert_eq!(p.star_imported("os").unwrap().line, 2);
    assert!(p.outside_uses("pkg.app", "*").is_none());
    let mut p = ProjectFacts::default();
    let at = Location {
        path: PathBuf::from("pyproject.toml"),
        line: 3,
    };
    p.add_entry_point("pkg.cli:main", at.clone());
    p.add_entry_point(" pkg.cli : app.run [extra] ", at.clone());
    p.add_entry_point("no_colon", at.clone());
    p.add_entry_point(":x", at);
    assert_eq!(p.outside_uses("pkg.cli", "main").unwrap().line, 3);
    assert!(p.outside_uses("pkg.cli", "app").is_some());
    assert!(p.outside_uses("pkg.cli", "run").is_none());
    assert!(p.outside_uses("no_colon", "").is_none());
}

#[test]
fn the_path_back_through_an_import_cycle_is_the_same_in_every_run() {
    // Twelve modules lead back equally fast; the path shown must not depend on the process's hash seed (it
    // did: `--explain` printed a different cycle on each run of pip). Several fresh fact sets, as several runs.
    let middle: Vec<String> = (0..12).map(|i| format!("m{i:02}")).collect();
    let head: String = middle.iter().rev().fold(String::new(), |mut text, m| {
        text.push_str("import ");
        text.push_str(m);
        text.push('\n');
        text
    });
    let mut files: Vec<(String, String, String)> = vec![("a.py".into(), "a".into(), head)];
    for m in &middle {
        files.push((format!("{m}.py"), m.clone(), "import target\n".into()));
    }
    let paths: Vec<Vec<String>> = (0..8)
        .map(|_| {
            let borrowed: Vec<(&str, &str, &str)> = files
                .iter()
                .map(|(p, m, t)| (p.as_str(), m.as_str(), t.as_str()))
                .collect();
            project(&borrowed).import_path_back("a", "target").unwrap()
        })
        .collect();
    assert_eq!(paths[0], ["a", "m00"]);
    assert!(paths.iter().all(|p| p == &paths[0]), "{paths:?}");
}
