//! Where imported modules' sources come from, for the engine's effect oracle
//! ([`lazify_core::effects::Analyzer`]): the project's own files first, then the target environment (installed
//! packages, found through the interpreter's `sys.path`). The standard library is judged from the built-in
//! table, never read.
//!
//! The target interpreter is found as ty and pyright find it: `--python` / `python = "..."` (an interpreter
//! or a virtual environment's folder), else `VIRTUAL_ENV`, else a `.venv` folder beside the project (walking
//! up), else `python3` on `PATH`. Its `sys.path` is asked once per run, with a short timeout; nothing is
//! asked until an import needs it.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use lazify_core::effects::{Analyzer, Located, ModuleLocator, ModuleSummary};

use crate::cache::SummaryCache;

use crate::discover;
use crate::encoding;
use crate::resolve::Resolver;

/// How long the interpreter may take to print its `sys.path`.
const PYTHON_TIMEOUT: Duration = Duration::from_secs(10);

/// The oracle the workspace hands to the engine.
pub type WorkspaceOracle = Analyzer<WorkspaceLocator>;

/// Where the target interpreter comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PythonSource {
    /// `--python` or `python = "..."`: an interpreter or a virtual environment's folder.
    Given(PathBuf),
    /// Found from `VIRTUAL_ENV`, a `.venv` or `PATH`.
    Discover,
}

/// The target environment: the interpreter and its `sys.path` (without the project's own folders).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// The interpreter used, and how it was found (for messages).
    pub python: Option<(PathBuf, String)>,
    /// Its `sys.path` folders that exist.
    pub paths: Vec<PathBuf>,
    /// Why there is no environment, when there is none.
    pub problem: Option<String>,
}

/// Finds modules in the project and the target environment. Cheap to create: the project is walked, and the
/// interpreter asked, on the first lookup that needs them.
#[derive(Debug)]
pub struct WorkspaceLocator {
    root: PathBuf,
    resolver: Arc<Resolver>,
    python: PythonSource,
    project: OnceLock<Project>,
    environment: OnceLock<Environment>,
    /// Summaries and feature checks shared with the project scan, and kept on disk (see [`crate::cache`]).
    cache: Option<Arc<SummaryCache>>,
}

/// The project's modules.
#[derive(Debug, Default)]
struct Project {
    /// Dotted name → file.
    modules: HashMap<String, PathBuf>,
    /// Every package a module is in (`a` and `a.b` for `a.b.c`), and the first components.
    packages: std::collections::HashSet<String>,
}

impl WorkspaceLocator {
    /// A locator for the project in `root`.
    pub fn new(root: &Path, resolver: Arc<Resolver>, python: PythonSource) -> Self {
        Self {
            root: root.to_path_buf(),
            resolver,
            python,
            project: OnceLock::new(),
            environment: OnceLock::new(),
            cache: None,
        }
    }

    /// Takes summaries and feature checks from `cache` (and remembers them there).
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<SummaryCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The project's modules: dotted name → file.
    fn project(&self) -> &HashMap<String, PathBuf> {
        &self.project_index().modules
    }

    fn project_index(&self) -> &Project {
        self.project.get_or_init(|| {
            let shown = match self.root.strip_prefix(self.resolver.cwd()) {
                Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
                Ok(relative) => relative.to_path_buf(),
                Err(_) => self.root.clone(),
            };
            let discovered = discover::discover(&self.resolver, &[shown]);
            let mut modules = HashMap::new();
            for candidate in discovered.files {
                if candidate.absolute.extension().is_some_and(|e| e == "pyi") {
                    continue;
                }
                if let Some(name) = self.resolver.module_name(&candidate.absolute) {
                    modules.entry(name).or_insert(candidate.absolute);
                }
            }
            let mut packages = std::collections::HashSet::new();
            for name in modules.keys() {
                let mut rest = name.as_str();
                while let Some((parent, _)) = rest.rsplit_once('.') {
                    packages.insert(parent.to_string());
                    rest = parent;
                }
                packages.insert(rest.to_string());
            }
            Project { modules, packages }
        })
    }

    /// The target environment (asked once).
    pub fn environment(&self) -> &Environment {
        self.environment
            .get_or_init(|| find_environment(&self.python, &self.root))
    }

    fn read(path: &Path) -> Located {
        let Ok(bytes) = std::fs::read(path) else {
            return Located::NoSource {
                path: Some(path.to_path_buf()),
            };
        };
        match encoding::decode(path, &bytes) {
            Ok(decoded) => Located::Source {
                path: path.to_path_buf(),
                text: decoded.text,
            },
            Err(_) => Located::NoSource {
                path: Some(path.to_path_buf()),
            },
        }
    }
}

impl ModuleLocator for WorkspaceLocator {
    fn locate(&self, module: &str) -> Located {
        if let Some(path) = self.project().get(module) {
            // Shown relative to the working directory, as the files being processed are.
            return match Self::read(path) {
                Located::Source { path, text } => Located::Source {
                    path: path
                        .strip_prefix(self.resolver.cwd())
                        .map_or(path.clone(), Path::to_path_buf),
                    text,
                },
                other => other,
            };
        }
        let project = self.project_index();
        // A name under one of the project's own top-level packages is the project's: it is not looked for in
        // the environment (a submodule that is not a file there is an attribute).
        let top = module.split('.').next().unwrap_or_default();
        if project.packages.contains(top) {
            return if project.packages.contains(module) {
                Located::Namespace
            } else {
                Located::Missing
            };
        }
        find_in_paths(&self.environment().paths, module)
    }

    fn project_modules(&self) -> Vec<String> {
        let mut modules: Vec<String> = self.project().keys().cloned().collect();
        modules.sort_unstable();
        modules
    }

    fn project_feature_checks(
        &self,
    ) -> Vec<(
        String,
        PathBuf,
        lazify_core::effects::features::FeatureChecks,
    )> {
        use rayon::prelude::*;
        let mut modules: Vec<&String> = self.project().keys().collect();
        modules.sort_unstable();
        modules
            .par_iter()
            .filter_map(|module| {
                let Located::Source { path: shown, text } = self.locate(module) else {
                    return None;
                };
                if !lazify_core::effects::features::may_check(&text) {
                    return None;
                }
                let checks = match &self.cache {
                    Some(cache) => {
                        let absolute = self.project().get(*module)?;
                        cache
                            .scan(absolute, &shown, Some(module), &text, true)
                            .features
                            .clone()?
                    }
                    None => lazify_core::effects::features::scan(&text, module, &shown)?,
                };
                Some(((*module).clone(), shown, checks))
            })
            .collect()
    }

    fn summarize(&self, module: &str, path: &Path, text: &str) -> Option<Arc<ModuleSummary>> {
        let Some(cache) = &self.cache else {
            return lazify_core::effects::summarize(text, module, path).map(Arc::new);
        };
        // A project module is scanned with its facts, as the project scan does, so both share one entry.
        let (absolute, project) = match self.project().get(module) {
            Some(absolute) => (absolute.clone(), true),
            None => (self.resolver.absolute(path), false),
        };
        cache
            .scan(&absolute, path, Some(module), text, project)
            .summary
            .clone()
    }

    fn missing_reason(&self) -> String {
        if self.environment().python.is_some() {
            "not installed in the target environment".to_string()
        } else {
            "not found in the project, and the target environment is unknown".to_string()
        }
    }
}

/// `module` in the folders of `sys.path`: a package's `__init__.py`, a `.py` file, a compiled module or stub
/// (no source), or a namespace package.
pub fn find_in_paths(paths: &[PathBuf], module: &str) -> Located {
    let parts: Vec<&str> = module.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return Located::Missing;
    };
    let mut namespace = false;
    for base in paths {
        let mut dir = base.clone();
        dir.extend(parents);
        if !parents.is_empty() && !dir.is_dir() {
            continue;
        }
        let package = dir.join(last);
        let init = package.join("__init__.py");
        if init.is_file() {
            return WorkspaceLocator::read(&init);
        }
        let file = dir.join(format!("{last}.py"));
        if file.is_file() {
            return WorkspaceLocator::read(&file);
        }
        if package.join("__init__.pyi").is_file() || dir.join(format!("{last}.pyi")).is_file() {
            return Located::NoSource { path: None };
        }
        if let Some(compiled) = compiled_module(&dir, last) {
            return Located::NoSource {
                path: Some(compiled),
            };
        }
        if package.is_dir() {
            namespace = true;
        }
    }
    if namespace {
        Located::Namespace
    } else {
        Located::Missing
    }
}

/// `name.cpython-315-x86_64-linux-gnu.so`, `name.so`, `name.pyd` in `dir`.
fn compiled_module(dir: &Path, name: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries.flatten().map(|e| e.path()).find(|path| {
        path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.strip_prefix(name).is_some_and(|rest| {
                rest.starts_with('.')
                    && path.extension().is_some_and(|e| {
                        e.eq_ignore_ascii_case("so") || e.eq_ignore_ascii_case("pyd")
                    })
            })
        })
    })
}

/// The interpreter to ask, and how it was found.
pub fn find_python(source: &PythonSource, root: &Path) -> Result<(PathBuf, String), String> {
    match source {
        PythonSource::Given(path) => {
            interpreter_in(path).map(|p| (p, format!("`--python`/`python = ` {}", path.display())))
        }
        PythonSource::Discover => {
            if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
                let venv = PathBuf::from(venv);
                return interpreter_in(&venv)
                    .map(|p| (p, format!("VIRTUAL_ENV={}", venv.display())));
            }
            for dir in root.ancestors() {
                let venv = dir.join(".venv");
                if venv.is_dir() {
                    return interpreter_in(&venv).map(|p| (p, format!("{}", venv.display())));
                }
            }
            let path = std::env::var_os("PATH").unwrap_or_default();
            for dir in std::env::split_paths(&path) {
                let candidate = dir.join("python3");
                if candidate.is_file() {
                    return Ok((candidate, "`python3` on PATH".to_string()));
                }
            }
            Err("no `--python`, `VIRTUAL_ENV`, `.venv` or `python3` on PATH".to_string())
        }
    }
}

/// An interpreter path as given, or the one inside a virtual environment's folder.
fn interpreter_in(path: &Path) -> Result<PathBuf, String> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if path.is_dir() {
        for candidate in ["bin/python3", "bin/python", "Scripts/python.exe"] {
            let p = path.join(candidate);
            if p.is_file() {
                return Ok(p);
            }
        }
        return Err(format!("{} holds no `bin/python3`", path.display()));
    }
    Err(format!("{} does not exist", path.display()))
}

/// Runs the interpreter once for its `sys.path`. `-I` is not used: it would drop `PYTHONPATH` and the user
/// site, which the program sees too; `-S` is not used either, since `site` adds the virtual environment's
/// `site-packages`. The working directory is the project folder, and the entries for it (`''` and the folder
/// itself) are dropped: the project's own modules are found from its files.
fn find_environment(source: &PythonSource, root: &Path) -> Environment {
    let (python, how) = match find_python(source, root) {
        Ok(found) => found,
        Err(problem) => {
            return Environment {
                problem: Some(problem),
                ..Environment::default()
            };
        }
    };
    match sys_path(&python, root) {
        Ok(paths) => Environment {
            python: Some((python, how)),
            paths: paths
                .into_iter()
                .filter(|p| !p.as_os_str().is_empty() && p != root && p.is_dir())
                .collect(),
            problem: None,
        },
        Err(problem) => Environment {
            python: None,
            paths: Vec::new(),
            problem: Some(format!("{} ({how}): {problem}", python.display())),
        },
    }
}

fn sys_path(python: &Path, root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut child = Command::new(python)
        .args(["-c", "import sys, json; print(json.dumps(sys.path))"])
        .current_dir(if root.is_dir() { root } else { Path::new(".") })
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => return Err(format!("it exited with {status}")),
            Ok(None) if started.elapsed() > PYTHON_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "it did not print its sys.path within {} s",
                    PYTHON_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .ok_or("no output")?
        .read_to_string(&mut out)
        .map_err(|e| e.to_string())?;
    parse_json_strings(out.trim()).ok_or_else(|| format!("unexpected output {out:?}"))
}

/// A JSON list of strings (what `json.dumps(sys.path)` prints), without a JSON dependency.
fn parse_json_strings(text: &str) -> Option<Vec<PathBuf>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut s = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => s.push(other),
                },
                c => s.push(c),
            }
        }
        out.push(PathBuf::from(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sys_path_json() {
        assert_eq!(
            parse_json_strings(r#"["/a/b", "C:\\x", "/\u00e9"]"#),
            Some(vec![
                PathBuf::from("/a/b"),
                PathBuf::from("C:\\x"),
                PathBuf::from("/é")
            ])
        );
        assert_eq!(parse_json_strings("[]"), Some(vec![]));
        assert_eq!(parse_json_strings("nope"), None);
    }

    #[test]
    fn finds_modules_in_paths() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        let write = |rel: &str, text: &str| {
            use std::io::Write as _;
            std::fs::File::create(base.join(rel))
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .unwrap();
        };
        std::fs::create_dir_all(base.join("pkg/sub")).unwrap();
        write("pkg/__init__.py", "X = 1\n");
        write("pkg/mod.py", "Y = 2\n");
        write("fast.cpython-315-x86_64-linux-gnu.so", "");
        write("stubbed.pyi", "");
        std::fs::create_dir_all(base.join("ns/inner")).unwrap();
        let paths = vec![base.to_path_buf()];
        assert!(
            matches!(find_in_paths(&paths, "pkg"), Located::Source { text, .. } if text == "X = 1\n")
        );
        assert!(matches!(
            find_in_paths(&paths, "pkg.mod"),
            Located::Source { .. }
        ));
        assert!(matches!(
            find_in_paths(&paths, "fast"),
            Located::NoSource { .. }
        ));
        assert!(matches!(
            find_in_paths(&paths, "stubbed"),
            Located::NoSource { .. }
        ));
        assert_eq!(find_in_paths(&paths, "ns"), Located::Namespace);
        assert_eq!(find_in_paths(&paths, "absent"), Located::Missing);
        assert_eq!(find_in_paths(&paths, "pkg.absent"), Located::Missing);
    }
}
