//! No input aborts the process (issue 12). Code nested as deeply as `CPython` 3.15 compiles is analysed, in
//! every style and from stdin; deeper code is an error for its file, naming it, and the other files are still
//! rewritten. Nothing is half written and no temporary file is left behind.

use std::fs;

use crate::common::{DEFERRABLE, Project, assert_code, stderr, stdout};

/// A module whose `json` import can be deferred, with `expression` at module level.
fn module(expression: &str) -> String {
    format!("{DEFERRABLE}\n\nX = {expression}\n")
}

fn binop(n: usize) -> String {
    (0..n)
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The files of a project whose names start with `.lazify-` (the writer's temporary files).
fn temporary_files(project: &Project) -> Vec<String> {
    fs::read_dir(project.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".lazify-"))
        .collect()
}

/// Compiles `source` with `LAZIFY_PYTHON315`, when it is set: whether `CPython` accepts it.
fn cpython_compiles(project: &Project, rel: &str) -> Option<bool> {
    let python = std::env::var_os("LAZIFY_PYTHON315")?;
    let status = std::process::Command::new(python)
        .args([
            "-c",
            "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
        ])
        .arg(project.path(rel))
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    Some(status.success())
}

const STYLES: [&[&str]; 3] = [&["--style", "lazy"], &["--style", "local"], &["--hoist"]];

#[test]
fn the_deepest_code_cpython_compiles_is_rewritten_in_every_style() {
    // Just under CPython 3.15's limits with its default 8 MiB stack (see `lazify_core::python::MAX_NESTING`).
    let files = [
        ("binop.py", binop(28_900)),
        ("attr.py", format!("a{}", ".b".repeat(28_900))),
        ("call.py", format!("a{}", "()".repeat(28_900))),
        ("subscript.py", format!("a{}", "[0]".repeat(47_000))),
        ("lambda.py", format!("{}1", "lambda: ".repeat(2_950))),
        ("unary.py", format!("{}1", "-".repeat(5_900))),
    ];
    for style in STYLES {
        let project = Project::new();
        for (name, expression) in &files {
            project.file(name, module(expression));
        }
        for (name, _) in &files {
            if let Some(compiles) = cpython_compiles(&project, name) {
                assert!(compiles, "CPython does not compile {name}");
            }
        }
        let mut args = vec!["--write", "--target-version", "py315"];
        args.extend_from_slice(style);
        let output = project.run(&args);
        assert_code(&output, 0);
        for (name, expression) in &files {
            let expected = module(expression).replacen("import json", "lazy import json", 1);
            let expected = if style == ["--style", "local"] {
                module(expression).replacen(
                    "import json\n\n\ndef f():\n",
                    "def f():\n    import json\n",
                    1,
                )
            } else {
                expected
            };
            assert!(
                project.read_string(name) == expected,
                "{name} with {style:?}: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn deeper_code_is_an_error_for_its_file_and_the_others_are_written() {
    let long = module(&binop(7_500));
    let deep = module(&format!("a{}", ".b".repeat(135_000)));
    let deep_operators = module(&binop(135_000));
    for style in STYLES {
        let project = Project::new();
        for i in 0..30 {
            project.file(&format!("m{i:02}.py"), DEFERRABLE);
        }
        project
            .file("long.py", &long)
            .file("deep.py", &deep)
            .file("deep_operators.py", &deep_operators);
        for name in ["deep.py", "deep_operators.py"] {
            if let Some(compiles) = cpython_compiles(&project, name) {
                assert!(!compiles, "CPython compiles {name}");
            }
        }
        let mut args = vec!["--write", "--target-version", "py315"];
        args.extend_from_slice(style);
        let output = project.run(&args);
        assert_code(&output, 2);
        let err = stderr(&output);
        for name in ["deep.py", "deep_operators.py"] {
            assert!(
                err.contains(&format!("× {name}:8:"))
                    && err.matches("too deeply nested").count() >= 2,
                "{err}"
            );
        }
        assert!(
            stdout(&output).contains("2 errors; files with errors were left unchanged"),
            "{}",
            stdout(&output)
        );
        assert_eq!(project.read_string("deep.py"), deep);
        assert_eq!(project.read_string("deep_operators.py"), deep_operators);
        assert_ne!(project.read_string("long.py"), long, "{style:?}");
        for i in 0..30 {
            assert_ne!(
                project.read_string(&format!("m{i:02}.py")),
                DEFERRABLE,
                "{style:?}"
            );
        }
        assert_eq!(temporary_files(&project), Vec::<String>::new());
    }
}

#[test]
fn stdin_takes_deep_code_and_refuses_deeper() {
    let project = Project::new();
    let long = module(&binop(7_500));
    let output = project.run_stdin(&["--target-version", "py315", "-"], &long);
    assert_code(&output, 0);
    assert_eq!(
        stdout(&output),
        long.replacen("import json", "lazy import json", 1)
    );

    let deep = module(&format!("{}1", "lambda: ".repeat(60_000)));
    for args in [
        &["--target-version", "py315", "-"][..],
        &["--style", "local", "--target-version", "py315", "-"][..],
    ] {
        let output = project.run_stdin(args, &deep);
        assert_code(&output, 2);
        assert_eq!(stdout(&output), deep, "the input comes back unchanged");
        assert!(
            stderr(&output).contains("× -:8:") && stderr(&output).contains("too deeply nested"),
            "{}",
            stderr(&output)
        );
    }
}
