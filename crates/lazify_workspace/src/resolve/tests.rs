use std::fs;

use super::*;

fn touch(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::io::Write::write_all(&mut fs::File::create(path).unwrap(), text.as_bytes()).unwrap();
}

fn resolver(root: &Path, overrides: Overrides) -> Resolver {
    Resolver::new(root, overrides).unwrap()
}

#[test]
fn module_names_follow_init_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(&root.join("a/pkg/__init__.py"), "");
    touch(&root.join("a/pkg/sub/__init__.py"), "");
    touch(&root.join("src/lib/__init__.py"), "");
    assert_eq!(
        module_name(&root.join("a/pkg/sub.py")).as_deref(),
        Some("pkg.sub")
    );
    assert_eq!(
        module_name(&root.join("a/pkg/__init__.py")).as_deref(),
        Some("pkg")
    );
    assert_eq!(
        module_name(&root.join("a/pkg/sub/deep.py")).as_deref(),
        Some("pkg.sub.deep")
    );
    assert_eq!(
        module_name(&root.join("a/script.py")).as_deref(),
        Some("script")
    );
    assert_eq!(
        module_name(&root.join("src/lib/core.pyi")).as_deref(),
        Some("lib.core")
    );
    assert_eq!(module_name(&root.join("a/my-script.py")), None);
    touch(&root.join("bad-name/__init__.py"), "");
    assert_eq!(module_name(&root.join("bad-name/x.py")), None);
    touch(&root.join("bad-name/ok/__init__.py"), "");
    assert_eq!(module_name(&root.join("bad-name/ok/x.py")), None);

    // The cached resolver agrees with the walk.
    let r = resolver(root, Overrides::default());
    for rel in [
        "a/pkg/sub.py",
        "a/pkg/__init__.py",
        "a/pkg/sub/deep.py",
        "a/pkg/sub/__init__.py",
        "a/script.py",
        "src/lib/core.pyi",
        "a/my-script.py",
        "bad-name/x.py",
        "bad-name/__init__.py",
        "bad-name/ok/x.py",
        "a/pkg/my-mod.py",
    ] {
        let path = root.join(rel);
        assert_eq!(r.module_name(&path), module_name(&path), "{rel}");
    }
}

#[test]
fn nearest_config_wins_and_lazify_toml_beats_pyproject() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("pyproject.toml"),
        "[project]\nname = \"x\"\nrequires-python = \">=3.15\"\n[tool.lazify]\nkeep = [\"numpy\"]\n",
    );
    touch(&root.join("sub/lazify.toml"), "style = \"lazy-modules\"\n");
    touch(
        &root.join("sub/pyproject.toml"),
        "[tool.lazify]\nstyle = \"lazy\"\n",
    );
    touch(&root.join("other/pyproject.toml"), "[tool.black]\n");
    let r = resolver(root, Overrides::default());

    let top = r.settings_for(&root.join("a.py")).unwrap();
    assert_eq!(
        top.config.as_deref(),
        Some(root.join("pyproject.toml").as_path())
    );
    assert_eq!(top.settings.keep.patterns(), ["numpy"]);
    assert_eq!(top.settings.target_version, Some(PythonVersion::PY315));
    assert_eq!(
        top.settings.target_version_source.as_deref(),
        Some("`requires-python = \">=3.15\"` in pyproject.toml")
    );

    let sub = r.settings_for(&root.join("sub/deep/b.py")).unwrap();
    assert_eq!(
        sub.config.as_deref(),
        Some(root.join("sub/lazify.toml").as_path())
    );
    assert_eq!(sub.settings.style, Some(Style::LazyModules));
    // The keep list is not inherited from a farther config, but requires-python still applies.
    assert!(sub.settings.keep.patterns().is_empty());
    assert_eq!(sub.settings.target_version, Some(PythonVersion::PY315));

    // A pyproject.toml without [tool.lazify] is not a config file.
    let other = r.settings_for(&root.join("other/c.py")).unwrap();
    assert_eq!(
        other.config.as_deref(),
        Some(root.join("pyproject.toml").as_path())
    );
}

#[test]
fn target_version_precedence() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("pyproject.toml"),
        "[project]\nrequires-python = \">=3.11\"\n[tool.lazify]\ntarget-version = \"3.13\"\n",
    );
    touch(
        &root.join("nover/pyproject.toml"),
        "[project]\nrequires-python = \"<4\"\n",
    );
    let r = resolver(root, Overrides::default());
    let s = r.settings_for(&root.join("a.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::new(3, 13)));
    assert_eq!(
        s.settings.target_version_source.as_deref(),
        Some("`target-version = \"py313\"` in pyproject.toml")
    );
    // A nearer [project] without a lower bound: unknown, even below a config with a target.
    let s = r.settings_for(&root.join("nover/a.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::new(3, 13)));

    let r = resolver(
        root,
        Overrides {
            target_version: Some(PythonVersion::PY315),
            style: Some(Style::Lazy),
            keep: vec!["extra.*".into()],
            include_preloaded: Some(true),
            lazy_reexports: Some(false),
            hoist: Some(true),
            ..Overrides::default()
        },
    );
    let s = r.settings_for(&root.join("a.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::PY315));
    assert_eq!(
        s.settings.target_version_source.as_deref(),
        Some("`--target-version py315`")
    );
    assert_eq!(s.settings.style, Some(Style::Lazy));
    assert!(s.settings.include_preloaded);
    assert!(!s.settings.lazy_reexports);
    assert!(s.settings.hoist);
    assert!(!s.settings.type_checking_imports);
    assert_eq!(s.settings.keep.patterns(), ["extra.*"]);
}

/// Poetry's `[tool.poetry.dependencies] python` gives the target when there is no `requires-python`
/// (issue 17).
#[test]
fn poetry_python_constraint_sets_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("p/pyproject.toml"),
        "[tool.poetry]\nname = \"p\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nrequests = \"^2\"\n",
    );
    touch(
        &root.join("q/pyproject.toml"),
        "[project]\nrequires-python = \">=3.13\"\n[tool.poetry.dependencies]\npython = \"^3.9\"\n",
    );
    let r = resolver(root, Overrides::default());
    let s = r.settings_for(&root.join("p/x.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::new(3, 11)));
    assert_eq!(
        s.settings.target_version_source.as_deref(),
        Some("`[tool.poetry.dependencies] python = \"^3.11\"` in p/pyproject.toml")
    );
    assert_eq!(s.pyproject, Some(root.join("p/pyproject.toml")));
    // `[project] requires-python` wins over Poetry's.
    let s = r.settings_for(&root.join("q/x.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::new(3, 13)));
}

/// `style = "lazy"` with an older target is one error naming the configuration file, the key and its
/// place, and where the target comes from (issue 17: it was reported against each Python file).
#[test]
fn style_lazy_with_an_older_target_names_the_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("c/pyproject.toml"),
        "[project]\nname = \"c\"\nrequires-python = \">=3.11\"\n\n[tool.lazify]\nstyle = \"lazy\"\n",
    );
    touch(
        &root.join("d/lazify.toml"),
        "target-version = \"py312\"\n  style = \"lazy\"\n",
    );
    let r = resolver(root, Overrides::default());
    let error = r
        .settings_for(&root.join("c/x.py"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "{}: invalid configuration: `style = \"lazy\"` at line 6, column 9 needs target version py315 or \
             newer, but the target is py311, from `requires-python = \">=3.11\"` in c/pyproject.toml; use style \
             `lazy-modules` (or `local`), or raise the target",
            root.join("c/pyproject.toml").display()
        )
    );
    let error = r
        .settings_for(&root.join("d/x.py"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "lazify.toml: invalid configuration: `style = \"lazy\"` at line 2, column 11 needs"
        ),
        "{error}"
    );
    // `hoist = true` with an older target: the key is named.
    touch(
        &root.join("e/lazify.toml"),
        "target-version = \"py311\"\nhoist = true\n",
    );
    let error = r
        .settings_for(&root.join("e/x.py"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "lazify.toml: invalid configuration: `hoist = true` at line 2, column 9 makes module-level `lazy` \
             imports, so it needs style `lazy` (target py315 or newer), but the style is `lazy-modules` (style \
             `lazy-modules` because the target version py311 has no `lazy` keyword)"
        ),
        "{error}"
    );
    // `--style lazy` against the file's target: the file that sets the target is named.
    let r = resolver(
        root,
        Overrides {
            style: Some(Style::Lazy),
            ..Overrides::default()
        },
    );
    let error = r
        .settings_for(&root.join("d/x.py"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "lazify.toml: invalid configuration: `--style lazy` needs target version py315"
        ),
        "{error}"
    );
    assert!(
        error.contains("the target is py312, from `target-version"),
        "{error}"
    );
}

#[test]
fn requires_python_without_config_and_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("p/pyproject.toml"),
        "[project]\nrequires-python = \"~=3.12\"\n",
    );
    touch(
        &root.join("q/pyproject.toml"),
        "[project]\nrequires-python = \"whatever\"\n",
    );
    let r = resolver(root, Overrides::default());
    let s = r.settings_for(&root.join("p/x.py")).unwrap();
    assert_eq!(s.settings.target_version, Some(PythonVersion::new(3, 12)));
    assert_eq!(s.config, None);
    let s = r.settings_for(&root.join("q/x.py")).unwrap();
    assert_eq!(s.settings.target_version, None);
    assert_eq!(
        s.settings.target_version_source.as_deref(),
        Some("`requires-python = \"whatever\"` in q/pyproject.toml could not be read")
    );
    assert!(
        s.settings
            .effective_style()
            .1
            .unwrap()
            .contains("`requires-python = \"whatever\"` in q/pyproject.toml could not be read")
    );
    let s = r.settings_for(&root.join("x.py")).unwrap();
    assert_eq!(s.settings.target_version, None);
    assert!(s.settings.lazy_reexports);
}

#[test]
fn broken_config_is_an_error_for_its_files_only() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(&root.join("bad/lazify.toml"), "stlye = 1\n");
    let r = resolver(root, Overrides::default());
    let error = r.settings_for(&root.join("bad/x.py")).unwrap_err();
    assert!(
        matches!(&error, WorkspaceError::Config { path, .. } if path.ends_with("bad/lazify.toml"))
    );
    assert!(r.settings_for(&root.join("good.py")).is_ok());
}

#[test]
fn explicit_config_applies_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(&root.join("conf/custom.toml"), "keep = [\"x\"]\n");
    touch(&root.join("sub/lazify.toml"), "keep = [\"y\"]\n");
    let r = resolver(
        root,
        Overrides {
            config: Some("conf/custom.toml".into()),
            ..Overrides::default()
        },
    );
    let s = r.settings_for(&root.join("sub/a.py")).unwrap();
    assert_eq!(s.settings.keep.patterns(), ["x"]);
    let missing = Resolver::new(
        root,
        Overrides {
            config: Some("nope.toml".into()),
            ..Overrides::default()
        },
    );
    assert!(matches!(missing, Err(WorkspaceError::Config { .. })));
}

#[test]
fn exclusions() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    touch(
        &root.join("lazify.toml"),
        "extend-exclude = [\"gen\", \"tests/fixtures\", \"*_pb2.py\"]\n",
    );
    let r = resolver(
        root,
        Overrides {
            exclude: vec!["legacy/*.py".into()],
            ..Overrides::default()
        },
    );
    assert!(r.is_excluded(&root.join(".venv"), false));
    assert!(r.is_excluded(&root.join("a/gen"), false));
    assert!(r.is_excluded(&root.join("tests/fixtures"), false));
    assert!(!r.is_excluded(&root.join("other/tests/fixtures"), false));
    assert!(r.is_excluded(&root.join("x/y_pb2.py"), false));
    assert!(r.is_excluded(&root.join("legacy/old.py"), false));
    assert!(!r.is_excluded(&root.join("tests/fixtures/a.py"), false));
    assert!(r.is_excluded(&root.join("tests/fixtures/a.py"), true));
    assert!(!r.is_excluded(&root.join("src/a.py"), true));

    touch(&root.join("own/lazify.toml"), "exclude = [\"only\"]\n");
    assert!(!r.is_excluded(&root.join("own/.venv"), false));
    assert!(r.is_excluded(&root.join("own/only"), false));
    assert!(
        Resolver::new(
            root,
            Overrides {
                exclude: vec!["a[".into()],
                ..Overrides::default()
            }
        )
        .is_err()
    );
}

#[test]
fn normalizes_paths() {
    assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    assert_eq!(normalize(Path::new("./x.py")), PathBuf::from("x.py"));
}
