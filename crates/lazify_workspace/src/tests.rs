//! Unit tests of the workspace run (`lib.rs`).

use super::*;

#[test]
fn lean_runs_keep_only_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.py");
    std::fs::File::create(&file)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, b"import json\n\ndef f():\n    return json\n")
        })
        .unwrap();
    let overrides = Overrides {
        target_version: Some(lazify_core::PythonVersion::PY315),
        ..Overrides::default()
    };
    let full = Workspace::new(dir.path(), overrides.clone()).unwrap();
    let lean = Workspace::new(dir.path(), overrides).unwrap().lean(true);
    let (full, lean) = (
        full.run(std::slice::from_ref(&file), false),
        lean.run(&[file], false),
    );
    let (full, lean) = (&full.files[0], &lean.files[0]);
    assert!(full.source().is_some() && full.summary.is_none());
    assert!(lean.source().is_none() && lean.outcome.verdicts.is_empty());
    assert_eq!(lean.summary, Some((true, 1)));
    assert_eq!(
        (lean.would_change(), lean.rewrite_count()),
        (full.would_change(), full.rewrite_count())
    );
}

#[test]
fn streams_results_in_path_order_and_keeps_only_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::File::create(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .unwrap();
    };
    let mut expected = Vec::new();
    for i in (0..60).rev() {
        let name = format!("p{}/m{i:02}.py", i % 3);
        if i % 2 == 0 {
            write(&name, "import json\n\ndef f():\n    return json\n");
        } else {
            write(&name, "import json\n\nX = json\n");
        }
        expected.push(PathBuf::from(name));
    }
    write("p0/bad.py", "import json\ndef f(:\n");
    expected.push(PathBuf::from("p0/bad.py"));
    expected.sort();
    let overrides = Overrides {
        target_version: Some(lazify_core::PythonVersion::PY315),
        ..Overrides::default()
    };
    let workspace = Workspace::new(dir.path(), overrides).unwrap();
    let prepared = workspace.prepare(&[PathBuf::from(".")]);
    assert!(prepared.errors().is_empty());
    let mut seen = Vec::new();
    let run = workspace
        .stream(
            prepared,
            |file| (file.source().is_some(), file.would_change()),
            |file, (had_source, changes)| {
                seen.push(file.path.clone());
                assert!(had_source, "{}", file.path.display());
                assert_eq!(file.would_change(), changes);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
    assert_eq!(seen, expected);
    let changed = run.files.iter().filter(|f| f.would_change()).count();
    assert_eq!(changed, 30);
    for file in &run.files {
        if file.has_error() {
            assert!(
                file.source().is_some(),
                "an error keeps its text for the report"
            );
        } else {
            assert!(file.source().is_none() && file.summary.is_some());
        }
    }
    assert_eq!(run.files.iter().filter(|f| f.has_error()).count(), 1);

    // An error from the receiver stops the run.
    let prepared = workspace.prepare(&[PathBuf::from(".")]);
    let mut handed = 0;
    let stopped = workspace.stream(
        prepared,
        |_| (),
        |_, ()| {
            handed += 1;
            if handed == 5 { Err("stop") } else { Ok(()) }
        },
    );
    assert_eq!(stopped.unwrap_err(), "stop");
    assert_eq!(handed, 5);
}

#[test]
fn a_panic_is_an_internal_error_naming_the_file() {
    let error = guarded(Path::new("pkg/m.py"), || {
        assert!(std::hint::black_box(false), "boom");
    })
    .unwrap_err();
    let EngineError::Internal { message } = &error else {
        panic!("{error:?}");
    };
    assert!(
        message.contains("pkg/m.py") && message.contains("boom"),
        "{message}"
    );
    assert!(
        error
            .to_string()
            .starts_with("internal error: lazify panicked on pkg/m.py")
    );
    assert_eq!(guarded(Path::new("m.py"), || 7).unwrap(), 7);
}

#[test]
fn big_stacks_hold_deep_recursions() {
    // 40,000 frames of over 1 KiB: more than the 8 MiB of a main thread or the 2 MiB of a test thread.
    fn recurse(depth: usize) -> usize {
        let frame = std::hint::black_box([u8::from(depth % 2 == 1); 1024]);
        if depth == 0 {
            usize::from(frame[0])
        } else {
            recurse(depth - 1) + usize::from(frame[1] & 1)
        }
    }
    assert_eq!(on_big_stack(|| recurse(40_000)), 20_000);
}

#[test]
fn common_root_of_files() {
    let files = [
        Path::new("/p/a/x.py"),
        Path::new("/p/a/b/y.py"),
        Path::new("/p/c/z.py"),
    ];
    assert_eq!(common_root(files.into_iter()), Some(PathBuf::from("/p")));
    assert_eq!(
        common_root([Path::new("/p/a/x.py")].into_iter()),
        Some(PathBuf::from("/p/a"))
    );
    assert_eq!(common_root(std::iter::empty()), None);
}
