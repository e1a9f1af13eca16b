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

#![allow(
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
