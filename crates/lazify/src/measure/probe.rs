//! Running the probe (`probe.py`) in a child interpreter and reading what it wrote: the figures of each phase,
//! the project's import statements that loaded modules (from its `__import__` hook), and `-X importtime`'s tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Python side, run with `-c`.
const PROBE: &str = include_str!("probe.py");

/// Which copy a run imports, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Variant {
    /// The original code.
    Before,
    /// The rewritten copy.
    After,
    /// The original code with `-X lazy_imports=all` (3.15+).
    Limit,
}

impl Variant {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Variant::Before => "before",
            Variant::After => "after",
            Variant::Limit => "limit",
        }
    }
}

/// What one run measures besides the plain figures.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras {
    /// `tracemalloc` and the `__import__` hook (slows the import: its time and memory are not used).
    pub(crate) trace: bool,
    /// `-X importtime` and the `__import__` hook (the attribution runs: their time is not used either).
    pub(crate) attribute: bool,
}

/// A phase's figures: `base` (before the import), `import`, `use`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PhaseFigures {
    pub(crate) time_us: f64,
    pub(crate) modules: f64,
    pub(crate) peak_kib: f64,
    pub(crate) alloc_peak: f64,
}

/// One project import statement that loaded modules, as the hook saw it.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) phase: String,
    pub(crate) depth: usize,
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    pub(crate) rss_kib: f64,
    pub(crate) alloc: f64,
    /// Every module loaded while the statement ran (nested statements' too).
    pub(crate) modules: Vec<String>,
    /// The modules loaded by this statement and not by a nested statement of the project.
    pub(crate) own: Vec<String>,
    /// `rss_kib` and `alloc` less those of the nested statements.
    pub(crate) own_rss_kib: f64,
    pub(crate) own_alloc: f64,
}

/// A node of `-X importtime`'s tree.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) self_us: f64,
    pub(crate) cumulative_us: f64,
    pub(crate) children: Vec<Node>,
}

/// What one run reported.
#[derive(Debug, Default)]
pub(crate) struct Sample {
    pub(crate) phases: HashMap<String, PhaseFigures>,
    pub(crate) records: Vec<Record>,
    /// `-X importtime` per phase (`import`, `use`): the top-level nodes.
    pub(crate) trees: HashMap<String, Vec<Node>>,
    /// `sys.stdlib_module_names` (3.10+; empty before).
    pub(crate) stdlib: Vec<String>,
}

/// How to run the probe.
#[derive(Debug)]
pub(crate) struct Runner {
    pub(crate) python: PathBuf,
    pub(crate) module: String,
    pub(crate) use_code: String,
    /// The `sys.path` entry of each copy.
    pub(crate) roots: HashMap<Variant, PathBuf>,
    /// The scratch directory (result files, bytecode caches, the working directory).
    pub(crate) scratch: PathBuf,
}

impl Runner {
    /// Runs the probe once; the error is the exception (or the interpreter's failure) with stderr's tail.
    pub(crate) fn run(&self, variant: Variant, extras: Extras) -> Result<Sample, String> {
        let root = &self.roots[&variant];
        let out = self.scratch.join(format!("result-{}", variant.name()));
        let cache_variant = if variant == Variant::After {
            "after"
        } else {
            "before"
        };
        let mut command = Command::new(&self.python);
        if extras.attribute {
            command.args(["-X", "importtime"]);
        }
        if variant == Variant::Limit {
            command.args(["-X", "lazy_imports=all"]);
        }
        let mut root_text = root.display().to_string();
        if !root_text.ends_with(std::path::MAIN_SEPARATOR) {
            root_text.push(std::path::MAIN_SEPARATOR);
        }
        command
            .arg("-c")
            .arg(PROBE)
            .arg(&out)
            .arg(&self.module)
            .arg(&self.use_code)
            .arg(&root_text)
            .arg(if extras.trace { "1" } else { "0" })
            .arg(if extras.attribute || extras.trace {
                "1"
            } else {
                "0"
            })
            .current_dir(&self.scratch)
            .env(
                "PYTHONPYCACHEPREFIX",
                self.scratch.join(format!("pycache-{cache_variant}")),
            )
            .env_remove("PYTHON_LAZY_IMPORTS")
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONDONTWRITEBYTECODE")
            .env_remove("PYTHONTRACEMALLOC")
            .env_remove("PYTHONPROFILEIMPORTTIME")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let _ = std::fs::remove_file(&out);
        let output = run_with_timeout(&mut command, CHILD_TIMEOUT)
            .map_err(|error| format!("cannot run `{}`: {error}", self.python.display()))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let mut sample = parse_result(&text);
        if let Some(error) = text.lines().find_map(|l| l.strip_prefix("error\t")) {
            return Err(format!("{error}{}", tail(&stderr)));
        }
        if !output.status.success() || !sample.phases.contains_key("import") {
            return Err(format!(
                "the interpreter exited with {}{}",
                output.status,
                tail(&stderr)
            ));
        }
        if extras.attribute {
            sample.trees = parse_importtime(&stderr);
        }
        Ok(sample)
    }
}

/// How long one child may run: a `--use` that waits for input or a server must not hang the command.
const CHILD_TIMEOUT: std::time::Duration = std::time::Duration::from_mins(10);

/// Runs `command` (stderr piped), killing it after `limit`; stderr is read on a thread so that a full pipe cannot
/// stall the child.
fn run_with_timeout(
    command: &mut Command,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    use std::io::Read as _;
    let mut child = command.spawn()?;
    let mut pipe = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe.as_mut() {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!(
                "the child was stopped after {} s (MODULE or --use did not finish)",
                limit.as_secs()
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap_or_default();
    Ok(std::process::Output {
        status,
        stdout: Vec::new(),
        stderr,
    })
}

/// The last lines of stderr that are not `-X importtime`'s, for error messages.
fn tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("import time:") && !l.starts_with("lazify-measure:"))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(12);
    format!("\n{}", lines[start..].join("\n"))
}

fn number(field: Option<&str>) -> f64 {
    field.and_then(|f| f.trim().parse().ok()).unwrap_or(0.0)
}

fn count(field: Option<&str>) -> usize {
    field.and_then(|f| f.trim().parse().ok()).unwrap_or(0)
}

/// Reads the probe's result file.
pub(crate) fn parse_result(text: &str) -> Sample {
    let mut sample = Sample::default();
    for line in text.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("phase") => {
                let name = fields.next().unwrap_or_default().to_string();
                let figures = PhaseFigures {
                    time_us: number(fields.next()),
                    modules: number(fields.next()),
                    peak_kib: number(fields.next()),
                    alloc_peak: number(fields.next()),
                };
                sample.phases.insert(name, figures);
            }
            Some("rec") => {
                let phase = fields.next().unwrap_or_default().to_string();
                let depth = count(fields.next());
                let file = PathBuf::from(fields.next().unwrap_or_default());
                let line = count(fields.next());
                let _time_us = number(fields.next());
                let rss_kib = number(fields.next());
                let alloc = number(fields.next());
                let modules: Vec<String> = fields
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect();
                sample.records.push(Record {
                    phase,
                    depth,
                    file,
                    line,
                    rss_kib,
                    alloc,
                    own: modules.clone(),
                    modules,
                    own_rss_kib: rss_kib,
                    own_alloc: alloc,
                });
            }
            Some("stdlib") => {
                sample.stdlib = fields
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect();
            }
            _ => {}
        }
    }
    own_costs(&mut sample.records);
    sample
}

/// Subtracts each record's nested records (the hook writes them in post-order: children first, one level
/// deeper) from its own modules and memory.
fn own_costs(records: &mut [Record]) {
    for i in 0..records.len() {
        let depth = records[i].depth;
        let mut nested_modules = Vec::new();
        let (mut rss, mut alloc) = (0.0, 0.0);
        for child in records[..i].iter().rev() {
            if child.depth <= depth || child.phase != records[i].phase {
                break;
            }
            if child.depth == depth + 1 {
                nested_modules.extend(child.modules.iter().cloned());
                rss += child.rss_kib;
                alloc += child.alloc;
            }
        }
        let record = &mut records[i];
        record.own.retain(|m| !nested_modules.contains(m));
        record.own_rss_kib = (record.rss_kib - rss).max(0.0);
        record.own_alloc = (record.alloc - alloc).max(0.0);
    }
}

/// Parses `-X importtime`'s stderr into one tree per phase, split at the probe's markers. Lines come in
/// post-order (a module after everything it imported), indented two spaces per level.
pub(crate) fn parse_importtime(stderr: &str) -> HashMap<String, Vec<Node>> {
    let mut trees = HashMap::new();
    let mut phase: Option<&str> = None;
    // (depth, node) not yet attached to a parent.
    let mut pending: Vec<(usize, Node)> = Vec::new();
    let mut finish = |phase: Option<&str>, pending: &mut Vec<(usize, Node)>| {
        if let Some(phase) = phase {
            let roots: Vec<Node> = pending.drain(..).map(|(_, node)| node).collect();
            trees.insert(phase.to_string(), roots);
        }
        pending.clear();
    };
    for line in stderr.lines() {
        if let Some(marker) = line.strip_prefix("lazify-measure: ") {
            finish(phase, &mut pending);
            phase = match marker.trim() {
                "import" => Some("import"),
                "use" => Some("use"),
                _ => None,
            };
            continue;
        }
        let Some(rest) = line.strip_prefix("import time:") else {
            continue;
        };
        let mut parts = rest.splitn(3, '|');
        let (Some(own), Some(cumulative), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(own), Ok(cumulative)) =
            (own.trim().parse::<f64>(), cumulative.trim().parse::<f64>())
        else {
            continue; // the header line
        };
        let name = name.strip_prefix(' ').unwrap_or(name);
        let depth = (name.len() - name.trim_start().len()) / 2;
        let mut node = Node {
            name: name.trim().to_string(),
            self_us: own,
            cumulative_us: cumulative,
            children: Vec::new(),
        };
        let first_child = pending
            .iter()
            .rposition(|(d, _)| *d <= depth)
            .map_or(0, |i| i + 1);
        node.children = pending
            .drain(first_child..)
            .map(|(_, child)| child)
            .collect();
        pending.push((depth, node));
    }
    finish(phase, &mut pending);
    trees
}

/// The interpreter to measure with: `--python`, else the active virtual environment (`VIRTUAL_ENV`), else a
/// `.venv` in the project's folder or one above it, else `python3` (`python` on Windows).
pub(crate) fn discover_python(explicit: Option<&Path>, project: &Path) -> PathBuf {
    if let Some(path) = explicit {
        return path.to_path_buf();
    }
    let in_venv = |venv: &Path| {
        [
            venv.join("bin").join("python"),
            venv.join("Scripts").join("python.exe"),
        ]
        .into_iter()
        .find(|p| p.is_file())
    };
    if let Some(found) = std::env::var_os("VIRTUAL_ENV")
        .filter(|v| !v.is_empty())
        .and_then(|venv| in_venv(Path::new(&venv)))
    {
        return found;
    }
    if let Some(found) = project
        .ancestors()
        .find_map(|dir| in_venv(&dir.join(".venv")))
    {
        return found;
    }
    PathBuf::from(if cfg!(windows) { "python" } else { "python3" })
}

/// The interpreter's version (`3.15.2`) and whether it has `-X lazy_imports`.
pub(crate) fn python_version(python: &Path) -> Result<(String, bool), String> {
    let output = Command::new(python)
        .args([
            "-c",
            "import sys; v = sys.version_info; print('%d.%d.%d' % v[:3], hasattr(sys, 'set_lazy_imports'))",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run `{}`: {error}", python.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut words = text.split_whitespace();
    match (output.status.success(), words.next(), words.next()) {
        (true, Some(version), Some(lazy)) => Ok((version.to_string(), lazy == "True")),
        _ => Err(format!(
            "`{}` does not run as a Python interpreter{}",
            python.display(),
            tail(&String::from_utf8_lossy(&output.stderr))
        )),
    }
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "the figures are small integers parsed from text: exact"
)]
mod tests {
    use super::*;

    #[test]
    fn importtime_tree_nests_by_indentation_and_splits_phases() {
        let stderr = "import time: self [us] | cumulative | imported package\n\
                      import time:       10 |         10 | site\n\
                      lazify-measure: import\n\
                      import time:        5 |          5 |     c\n\
                      import time:        7 |         12 |   b\n\
                      import time:        3 |          3 |   d\n\
                      import time:        1 |         16 | a\n\
                      import time:        2 |          2 | e\n\
                      lazify-measure: use\n\
                      import time:        4 |          4 | f\n\
                      lazify-measure: end\n\
                      import time:        9 |          9 | late\n";
        let trees = parse_importtime(stderr);
        let import = &trees["import"];
        assert_eq!(import.len(), 2);
        assert_eq!(import[0].name, "a");
        assert_eq!(import[0].cumulative_us, 16.0);
        let children: Vec<&str> = import[0].children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(children, ["b", "d"]);
        assert_eq!(import[0].children[0].children[0].name, "c");
        assert_eq!(import[1].name, "e");
        assert_eq!(trees["use"].len(), 1);
        assert_eq!(trees["use"][0].name, "f");
    }

    #[test]
    fn records_subtract_nested_statements() {
        let text = "phase\timport\t1000\t5\t20000\t0\n\
                    rec\timport\t2\t/p/pkg/a.py\t1\t10\t100\t1000\tjson,json.decoder\n\
                    rec\timport\t1\t/p/pkg/__init__.py\t3\t30\t300\t5000\tpkg.a,json,json.decoder\n";
        let sample = parse_result(text);
        assert_eq!(sample.phases["import"].modules, 5.0);
        let outer = &sample.records[1];
        assert_eq!(outer.own, ["pkg.a"]);
        assert_eq!(outer.own_rss_kib, 200.0);
        assert_eq!(outer.own_alloc, 4000.0);
        assert_eq!(sample.records[0].own, ["json", "json.decoder"]);
    }
}
