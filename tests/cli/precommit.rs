//! The pre-commit hooks (`.pre-commit-hooks.yaml`) with the real `pre-commit` (from `PyPI`), in a temporary git
//! repository whose `.pre-commit-config.yaml` points at this repository's current commit (`git rev-parse
//! HEAD`: uncommitted work is not tested). pre-commit builds lazify with `cargo install` the way it does for any
//! user, so the first run takes minutes.
//!
//! - `pre-commit` comes from env `LAZIFY_PRECOMMIT` or `PATH`; ruff 0.17.5 (for the import-sorting and
//!   formatting hooks that follow lazify's) from env `LAZIFY_RUFF` or `PATH`. Without them the test is skipped
//!   with a message, except under `CI`, where it fails.
//! - pre-commit's cache (`PRE_COMMIT_HOME`) is `<target>/pre-commit-home` and cargo's build directory for it
//!   `<target>/pre-commit-cargo` (override with `LAZIFY_PRECOMMIT_HOME`), so that later runs at the same
//!   commit skip the build and runs at a new commit rebuild only lazify's own crates.
//! - `LAZIFY_PRECOMMIT_REPO` points the hooks at another clone (its `HEAD`) instead of this one.

#![expect(
    clippy::print_stderr,
    reason = "a skipped test says why, and the test reports how long the hook build took"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use crate::common::Project;

const DEFERRABLE: &str = "import json\n\n\ndef f():\n    return json.dumps(1)\n";
const REWRITTEN: &str = "lazy import json\n\n\ndef f():\n    return json.dumps(1)\n";

/// Unsorted imports, two of them deferrable, and formatting ruff changes: lazify, then ruff's import sorting,
/// then ruff's formatter must agree after one round.
const CHAIN: &str = "import sys\nimport json\nimport csv\ndef f():\n    return json.dumps(csv.QUOTE_ALL)\nprint(sys.argv)\n";

/// A tool from the environment variable `var`, else `name` on `PATH`.
fn find_tool(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The tool, or `None` after a loud message (a panic under `CI`).
fn require(var: &str, name: &str, what: &str) -> Option<PathBuf> {
    let found = find_tool(var, name);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} not found (set {var} or put `{name}` on PATH), and `CI` is set"
        );
        eprintln!("SKIPPED pre-commit test: {what} not found (set {var} or put `{name}` on PATH)");
    }
    found
}

/// A git command with no user or system configuration and a fixed identity.
fn git(dir: &Path) -> Command {
    isolated(Path::new("git"), dir)
}

/// `program` run in `dir` with git's environment isolated (pre-commit runs git too).
fn isolated(program: &Path, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "lazify test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "lazify test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    command
}

fn text(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[track_caller]
fn ok(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}\n{}", text(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The repository the hooks come from: `LAZIFY_PRECOMMIT_REPO`, else the one holding this test.
fn hook_repo() -> PathBuf {
    let start = std::env::var_os("LAZIFY_PRECOMMIT_REPO")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    PathBuf::from(ok(git(&start).args(["rev-parse", "--show-toplevel"])))
}

/// `<target>` of this build: the binary under test is `<target>/<profile>/lazify`.
fn target_dir() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_lazify"));
    binary.parent().unwrap().parent().unwrap().to_path_buf()
}

/// pre-commit's `cargo install` builds with the release profile, which takes minutes. Unless
/// `LAZIFY_PRECOMMIT_RELEASE` is set, the test builds without optimisation instead (through cargo's profile
/// environment variables): the same install, several times faster.
fn fast_profile() -> Vec<(&'static str, &'static str)> {
    if std::env::var_os("LAZIFY_PRECOMMIT_RELEASE").is_some() {
        return Vec::new();
    }
    vec![
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256"),
        ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ]
}

/// pre-commit runs `cargo install --path .` at the root of the hook repository, which fails on a virtual
/// workspace manifest: the root `Cargo.toml` must be a package (the `lazify` binary) as well as the workspace.
fn check_root_is_a_package(hooks: &Path, rev: &str) {
    let manifest = ok(git(hooks).args(["show", &format!("{rev}:Cargo.toml")]));
    assert!(
        manifest.lines().any(|line| line.trim() == "[package]"),
        "the root Cargo.toml of {} at {rev} has no [package]: pre-commit's `language: rust` runs `cargo install \
         --bins --path .` there, and cargo refuses a virtual manifest, so the hooks cannot be installed",
        hooks.display()
    );
}

/// The test project: a git repository with pre-commit's hook installed.
struct Repo {
    project: Project,
    pre_commit: PathBuf,
    home: PathBuf,
    cargo_target: PathBuf,
}

impl Repo {
    fn path(&self) -> &Path {
        self.project.root()
    }

    fn git(&self) -> Command {
        self.command(Path::new("git"))
    }

    fn pre_commit(&self) -> Command {
        self.command(&self.pre_commit)
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = isolated(program, self.path());
        command
            .env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.cargo_target)
            .envs(fast_profile())
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("SKIP");
        command
    }

    fn commit(&self, message: &str) -> Output {
        ok(self.git().args(["add", "-A"]));
        self.git()
            .args(["commit", "-q", "-m", message])
            .output()
            .unwrap()
    }
}

#[test]
fn pre_commit_hooks_from_this_repository() {
    let Some(pre_commit) = require("LAZIFY_PRECOMMIT", "pre-commit", "pre-commit (PyPI)") else {
        return;
    };
    let Some(ruff) = require("LAZIFY_RUFF", "ruff", "ruff 0.17.5") else {
        return;
    };
    let start = Instant::now();
    let hooks = hook_repo();
    let rev = ok(git(&hooks).args(["rev-parse", "HEAD"]));
    check_root_is_a_package(&hooks, &rev);
    let dirty = ok(git(&hooks).args([
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        "Cargo.toml",
        "Cargo.lock",
        "crates",
        ".pre-commit-hooks.yaml",
    ]));
    if !dirty.is_empty() {
        eprintln!(
            "note: the pre-commit test uses commit {rev} of {}; uncommitted changes are not in it:\n{dirty}",
            hooks.display()
        );
    }
    let target = target_dir();
    let home = std::env::var_os("LAZIFY_PRECOMMIT_HOME")
        .map_or_else(|| target.join("pre-commit-home"), PathBuf::from);
    let repo = Repo {
        project: Project::new(),
        pre_commit,
        home,
        cargo_target: target.join("pre-commit-cargo"),
    };
    let config = format!(
        "repos:\n\
         - repo: {hooks}\n  rev: {rev}\n  hooks:\n  - id: lazify\n    args: [--target-version, py315]\n  \
         - id: lazify-check\n    args: [--target-version, py315]\n    stages: [manual]\n",
        hooks = hooks.display()
    );
    repo.project
        .file(".pre-commit-config.yaml", &config)
        .file("app/a.py", DEFERRABLE)
        .file("app/keep.py", "import json\n\nX = json.dumps(1)\n");
    ok(repo.git().args(["init", "-q", "-b", "main"]));
    ok(repo.pre_commit().arg("install"));

    // Builds lazify (once per commit of this repository and cache) and installs both hooks' environment.
    let build = Instant::now();
    ok(repo.pre_commit().arg("install-hooks"));
    let build = build.elapsed();

    // 1. The commit is stopped and the file rewritten; the next commit passes.
    let output = repo.commit("first");
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("files were modified by this hook"),
        "{}",
        text(&output)
    );
    assert_eq!(repo.project.read_string("app/a.py"), REWRITTEN);
    assert_eq!(
        repo.project.read_string("app/keep.py"),
        "import json\n\nX = json.dumps(1)\n"
    );
    let output = repo.commit("first, rewritten");
    assert!(output.status.success(), "{}", text(&output));

    // 2. `lazify-check` shows the diff, fails, and writes nothing.
    repo.project.file("app/b.py", DEFERRABLE);
    let output = repo
        .pre_commit()
        .args([
            "run",
            "--hook-stage",
            "manual",
            "lazify-check",
            "--files",
            "app/b.py",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("+lazy import json"),
        "{}",
        text(&output)
    );
    assert_eq!(repo.project.read_string("app/b.py"), DEFERRABLE);
    // On a file with nothing to rewrite it passes.
    let output = repo
        .pre_commit()
        .args([
            "run",
            "--hook-stage",
            "manual",
            "lazify-check",
            "--files",
            "app/keep.py",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));

    // 3. With ruff's import sorting and formatting after lazify, one round converges: the first commit is
    //    stopped, the second passes with no hook changing anything.
    let ruff = ruff.display();
    let config = format!(
        "{config}\
         - repo: local\n  hooks:\n  \
         - id: ruff-imports\n    name: ruff (sort imports)\n    entry: {ruff} check --select I --fix\n    \
         language: system\n    types_or: [python, pyi]\n  \
         - id: ruff-format\n    name: ruff format\n    entry: {ruff} format\n    language: system\n    \
         types_or: [python, pyi]\n"
    );
    repo.project
        .file(".pre-commit-config.yaml", &config)
        .file("app/chain.py", CHAIN);
    fs::remove_file(repo.project.path("app/b.py")).unwrap();
    let output = repo.commit("chain");
    assert!(!output.status.success(), "{}", text(&output));
    let round = repo.project.read_string("app/chain.py");
    assert!(round.contains("lazy import json"), "{round}");
    assert!(round.contains("lazy import csv"), "{round}");
    assert!(
        round.contains("\nimport sys\n") || round.starts_with("import sys\n"),
        "{round}"
    );
    let output = repo.commit("chain, after one round");
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(repo.project.read_string("app/chain.py"), round);
    assert_eq!(ok(repo.git().args(["status", "--porcelain"])), "");

    eprintln!(
        "pre-commit test: hook environment ready in {:.1}s (includes `cargo install` when {} had no build \
         for {rev}); whole test {:.1}s",
        build.as_secs_f64(),
        repo.home.display(),
        start.elapsed().as_secs_f64()
    );
}

/// The folder holding the locally built `lazify_imports` wheel (and a setuptools wheel, which pip needs to
/// install the mirror project without an index): `LAZIFY_WHEELHOUSE`, set by `.ci/run` after
/// `scripts/wheel-check.sh`. Without it the test is skipped with a message, except under `CI`.
fn wheelhouse() -> Option<PathBuf> {
    let found = std::env::var_os("LAZIFY_WHEELHOUSE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "LAZIFY_WHEELHOUSE is not set, and `CI` is set (run scripts/wheel-check.sh first)"
        );
        eprintln!(
            "SKIPPED pre-commit mirror test: LAZIFY_WHEELHOUSE is not set (run scripts/wheel-check.sh, which \
             builds the wheel and prints the folder)"
        );
    }
    found
}

/// `PATH` without the folders that hold `cargo` or `rustc`, so that a hook that tried to build from source fails.
fn path_without_rust() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept = std::env::split_paths(&path)
        .filter(|dir| !dir.join("cargo").exists() && !dir.join("rustc").exists())
        .collect::<Vec<_>>();
    std::env::join_paths(kept).unwrap()
}

/// The hooks of the generated pre-commit mirror (`scripts/precommit-mirror.py`): `language: python`, installed
/// by pip from the local wheel with no index and no Rust toolchain on `PATH`, into an empty pre-commit cache so
/// that the first run includes the install.
#[test]
fn pre_commit_mirror_installs_the_wheel_without_rust() {
    let Some(pre_commit) = require("LAZIFY_PRECOMMIT", "pre-commit", "pre-commit (PyPI)") else {
        return;
    };
    let Some(wheels) = wheelhouse() else {
        return;
    };
    let version = env!("CARGO_PKG_VERSION");
    let wheel_prefix = format!("lazify_imports-{version}-");
    assert!(
        fs::read_dir(&wheels)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(&wheel_prefix)),
        "no {wheel_prefix}*.whl in {}",
        wheels.display()
    );

    let work = tempfile::tempdir().unwrap();
    let mirror = work.path().join("mirror");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/precommit-mirror.py");
    ok(Command::new("python3")
        .arg(&script)
        .arg(&mirror)
        .arg("--git")
        .env("GIT_CONFIG_GLOBAL", "/dev/null"));
    let hooks = fs::read_to_string(mirror.join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("language: python"), "{hooks}");
    assert!(hooks.contains("require_serial: true"), "{hooks}");
    let pyproject = fs::read_to_string(mirror.join("pyproject.toml")).unwrap();
    assert!(
        pyproject.contains(&format!("\"lazify-imports=={version}\"")),
        "{pyproject}"
    );

    let home = work.path().join("pre-commit-home");
    let project = Project::new();
    project
        .file(
            ".pre-commit-config.yaml",
            format!(
                "repos:\n- repo: {}\n  rev: v{version}\n  hooks:\n  - id: lazify\n    \
                 args: [--target-version, py315]\n",
                mirror.display()
            ),
        )
        .file("app/a.py", DEFERRABLE);
    let run = |args: &[&str]| {
        isolated(&pre_commit, project.root())
            .args(args)
            .env("PRE_COMMIT_HOME", &home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("PIP_FIND_LINKS", &wheels)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PATH", path_without_rust())
            .env_remove("CARGO_HOME")
            .env_remove("RUSTUP_HOME")
            .env_remove("SKIP")
            .output()
            .unwrap()
    };
    ok(isolated(Path::new("git"), project.root()).args(["init", "-q", "-b", "main"]));
    ok(isolated(Path::new("git"), project.root()).args(["add", "-A"]));

    // The first run installs the hook (pip, the wheel) and rewrites the file.
    let first = Instant::now();
    let output = run(&["run", "--all-files"]);
    let first = first.elapsed();
    assert!(!output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("files were modified by this hook"),
        "{}",
        text(&output)
    );
    assert_eq!(project.read_string("app/a.py"), REWRITTEN);
    // The second run finds nothing to do.
    ok(isolated(Path::new("git"), project.root()).args(["add", "-A"]));
    let output = run(&["run", "--all-files"]);
    assert!(output.status.success(), "{}", text(&output));

    // The hook's environment runs the wheel's executable, of this version.
    let installed =
        walk_for(&home, "lazify").expect("no lazify executable in the hook environment");
    let reported = ok(Command::new(&installed).arg("--version"));
    assert_eq!(reported, format!("lazify {version}"));
    eprintln!(
        "pre-commit mirror test: first run (install from the wheel + rewrite) {:.1}s",
        first.as_secs_f64()
    );
}

/// The first file named `name` under `dir` whose parent folder is `bin` (a venv's scripts).
fn walk_for(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            if let Some(found) = walk_for(&path, name) {
                return Some(found);
            }
        } else if entry.file_name() == name
            && path.parent().and_then(Path::file_name) == Some("bin".as_ref())
        {
            return Some(path);
        }
    }
    None
}
