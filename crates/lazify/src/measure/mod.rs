//! `lazify measure`: what each import costs in time and memory, before and after the rewrite.
//!
//! Copies the project to a temporary directory twice, rewrites one copy with [`lazify_workspace::Workspace`]
//! exactly as `--write` would, then imports the module in fresh interpreters, the copies taking turns, and
//! reports medians ([`probe`] runs the child side). The cost is tied back to the project's import statements
//! through an `__import__` hook in the child and `-X importtime`'s tree. [`report`] draws the HTML page.
//! Nothing in the user's tree is written.

mod figures;
mod probe;
mod report;
mod scratch;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use lazify_core::{ImportVerdict, PythonVersion, Style};
use lazify_workspace::{Overrides, Workspace};
use serde::Serialize;

use self::figures::{
    Cost, cost, figures, heaviest, line_in_rewritten, remaining_packages, samples_of, self_times,
    top_package, verdict_reason,
};
use self::scratch::{common_dir, copy_tree, find_import_root, scratch_dir};
use self::text::print;
use probe::{Extras, Runner, Sample, Variant};

/// Measure what the project's imports cost, before and after the rewrite.
///
/// Copies PATHS to a temporary directory, rewrites the copy as `lazify --write` would, imports MODULE (then
/// runs `--use`) in fresh interpreters for the original and the rewritten copy in turns, and reports medians of
/// the import time, the modules loaded, peak memory and Python allocations, with the cost of each import
/// statement. Nothing in PATHS is changed.
#[derive(Debug, clap::Args)]
pub(crate) struct MeasureArgs {
    /// The project's files or directories (as for `lazify`); the project is copied from the folder of its
    /// configuration file when it holds them.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// The module to import, e.g. `demo` or `demo.cli`.
    #[arg(long, short, value_name = "MODULE")]
    module: String,

    /// Python code run after the import (the first use, where a lazy import's cost moves); MODULE's top-level
    /// package is bound, e.g. `--use 'demo.cli.main([])'`. Its output is discarded.
    #[arg(long = "use", value_name = "CODE")]
    use_code: Option<String>,

    /// The interpreter (default: `VIRTUAL_ENV`, else a `.venv` beside the project, else `python3`).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,

    /// Runs per variant; medians are reported.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=1000))]
    runs: u32,

    /// How to print the figures.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    output_format: Format,

    /// Also write a self-contained HTML report (pictures in inline SVG, no scripts) to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// The rewrite style, as for `lazify --style`.
    #[arg(long, value_parser = parse_style, value_name = "STYLE")]
    style: Option<Style>,

    /// The lowest Python version the code runs on, as for `lazify --target-version`.
    #[arg(long, value_parser = lazify_workspace::config::parse_target_version, value_name = "VERSION")]
    target_version: Option<PythonVersion>,

    /// Keep imports of this module eager (repeatable), as for `lazify --keep`.
    #[arg(long, value_name = "MODULE")]
    keep: Vec<String>,

    /// Style `lazy`: also hoist function-local imports, as for `lazify --hoist`.
    #[arg(long)]
    hoist: bool,

    /// Use this configuration file, as for `lazify --config`.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

fn parse_style(s: &str) -> Result<Style, String> {
    s.parse()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A short table.
    Text,
    /// One JSON object.
    Json,
}

/// Runs `lazify measure ARGS`.
pub(crate) fn main(args: &MeasureArgs) -> ExitCode {
    let result = measure(args);
    let mut stderr = io::stderr().lock();
    match result {
        Ok(measurement) => match print(args, &measurement) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => {
                let _ = writeln!(stderr, "error: {error}");
                ExitCode::from(2)
            }
        },
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The headline figures of one variant.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Figures {
    /// Wall time of `import MODULE`.
    time_ms: f64,
    /// Modules the import loaded.
    modules: f64,
    /// Peak resident memory of the process at the end of the import.
    rss_mib: f64,
    /// `tracemalloc` peak at the end of the import.
    alloc_mib: f64,
    /// The same after `--use` (time of the use alone; the others for the whole process).
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<UseFigures>,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct UseFigures {
    time_ms: f64,
    modules: f64,
    rss_mib: f64,
    alloc_mib: f64,
}

/// One import statement of the project and what it costs.
#[derive(Clone, Debug, Serialize)]
#[expect(
    clippy::struct_field_names,
    reason = "`statement` is the JSON key the issue documents"
)]
pub(crate) struct Statement {
    path: String,
    line: usize,
    statement: String,
    module: String,
    /// `rewrite`, `keep`, or `mixed` (a statement whose names got different verdicts).
    verdict: &'static str,
    /// The keep reasons (or the rewrite's reason), comma-separated.
    reason: String,
    /// In the original: the import time of the modules this statement loaded itself (not through another
    /// statement of the project), from `-X importtime`.
    cost_ms: f64,
    /// ... and with everything its nested project statements loaded.
    cumulative_ms: f64,
    /// The modules it loaded itself.
    modules: usize,
    cumulative_modules: usize,
    /// Resident memory the process grew by while it ran (its own part).
    rss_mib: f64,
    /// Python allocations still held after it ran (its own part, `tracemalloc`).
    alloc_mib: f64,
    /// When it ran in the original: `import`, `use`, or `null` (nothing new to load).
    phase: Option<String>,
    /// The same in the rewritten copy: zero when the rewrite defers it past the measured code.
    after_cost_ms: f64,
    after_modules: usize,
    after_rss_mib: f64,
    after_alloc_mib: f64,
    after_phase: Option<String>,
    /// The top-level packages among the modules it loads itself (a kept statement in the rewritten copy, a
    /// rewritten one in the original), heaviest first, the project's own left out.
    heaviest: Vec<String>,
    /// The modules it loaded itself, for the report's colours.
    #[serde(skip)]
    own_before: Vec<String>,
    #[serde(skip)]
    own_after: Vec<String>,
}

/// A top-level package and the import time of its modules still loaded after the rewrite.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Package {
    name: String,
    time_ms: f64,
    modules: usize,
    stdlib: bool,
}

/// Everything `lazify measure` found.
#[derive(Debug, Serialize)]
pub(crate) struct Measurement {
    version: &'static str,
    python: String,
    module: String,
    #[serde(rename = "use")]
    use_code: Option<String>,
    style: String,
    runs: u32,
    before: Figures,
    after: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<Figures>,
    /// Every import statement that loaded something, kept ones first, costliest first.
    imports: Vec<Statement>,
    /// What still loads after the rewrite (import and use), by top-level package, costliest first.
    remaining: Vec<Package>,
    #[serde(skip)]
    trees: HashMap<(Variant, String), Vec<probe::Node>>,
}

#[expect(
    clippy::print_stderr,
    reason = "progress notes go to stderr, the figures to stdout"
)]
fn measure(args: &MeasureArgs) -> Result<Measurement, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let absolute: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| lazify_workspace::resolve::normalize(&cwd.join(p)))
        .collect();
    for (path, shown) in absolute.iter().zip(&args.paths) {
        if !path.exists() {
            return Err(format!("{}: no such file or directory", shown.display()));
        }
    }
    let overrides = Overrides {
        style: args.style,
        target_version: args.target_version,
        keep: args.keep.clone(),
        hoist: args.hoist.then_some(true),
        config: args.config.as_ref().map(|c| cwd.join(c)),
        ..Overrides::default()
    };
    // The project folder: the configuration file's (so that it is copied too) when it holds the paths.
    let base = common_dir(&absolute).ok_or("the paths have no common folder")?;
    let original = Workspace::new(&cwd, overrides.clone()).map_err(|e| e.to_string())?;
    let settings = original
        .resolver()
        .settings_for(&base.join("__lazify_measure__.py"))
        .map_err(|e| e.to_string())?;
    let config_root = lazify_workspace::project_root(&settings, &base);
    let root = if base.starts_with(&config_root) {
        config_root
    } else {
        base
    };
    let style = settings.settings.effective_style().0;

    let scratch = scratch_dir()?;
    // Each copy keeps the project folder's name, so that a package folder given alone (`site-packages/jinja2`)
    // can be imported from its parent.
    let name = root
        .file_name()
        .map_or_else(|| OsString::from("project"), OsString::from);
    let before_parent = scratch.0.join("before");
    let after_parent = scratch.0.join("after");
    let before_root = before_parent.join(&name);
    let after_root = after_parent.join(&name);
    let mut count = 0;
    copy_tree(&root, &before_root, &mut count)?;
    count = 0;
    copy_tree(&root, &after_root, &mut count)?;
    let in_copy = |copy: &Path, path: &Path| copy.join(path.strip_prefix(&root).unwrap_or(path));

    // The rewrite, exactly as `--write` does it, in the copy.
    let mut copy_overrides = overrides.clone();
    if let Some(config) = &copy_overrides.config
        && config.starts_with(&root)
    {
        copy_overrides.config = Some(in_copy(&after_root, config));
    }
    let copy_cwd = if cwd.starts_with(&root) {
        in_copy(&after_root, &cwd)
    } else {
        after_root.clone()
    };
    let workspace = Workspace::new(&copy_cwd, copy_overrides).map_err(|e| e.to_string())?;
    let copy_paths: Vec<PathBuf> = absolute.iter().map(|p| in_copy(&after_root, p)).collect();
    let run = workspace.run(&copy_paths, true);
    let shown = |path: &Path| {
        let original = root.join(path.strip_prefix(&after_root).unwrap_or(path));
        original
            .strip_prefix(&cwd)
            .map_or(original.clone(), Path::to_path_buf)
            .display()
            .to_string()
    };
    let mut errors: Vec<String> = run
        .errors
        .iter()
        .map(|e| {
            e.to_string().replace(
                &after_root.display().to_string(),
                &root.display().to_string(),
            )
        })
        .collect();
    for file in &run.files {
        if let Some(error) = &file.error {
            errors.push(format!("{}: {error}", shown(&file.path)));
        }
        if let Some(error) = &file.outcome.error {
            errors.push(format!("{}: {error}", shown(&file.path)));
        }
    }
    // A file the rewrite cannot handle stays as it is in the copy, as `--write` leaves it: measured, and said.
    for error in &errors {
        eprintln!("warning: {error} (left as it is in the rewritten copy)");
    }

    let copy_paths_before: Vec<PathBuf> =
        absolute.iter().map(|p| in_copy(&before_root, p)).collect();
    let import_root = find_import_root(&before_parent, &copy_paths_before, &args.module)
        .ok_or_else(|| {
            format!(
                "cannot find module `{}` in {}: pass the folder that holds its package",
                args.module,
                root.display()
            )
        })?;
    let relative_import_root = import_root
        .strip_prefix(&before_parent)
        .unwrap_or(&import_root)
        .to_path_buf();

    // A relative `--python` path is the user's (the children run elsewhere); a bare name is looked up on PATH.
    let explicit = args.python.as_ref().map(|p| {
        if p.components().count() > 1 {
            cwd.join(p)
        } else {
            p.clone()
        }
    });
    let python = probe::discover_python(explicit.as_deref(), &root);
    let (version, has_lazy) = probe::python_version(&python)?;
    let work = scratch.0.join("work");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let mut roots = HashMap::new();
    roots.insert(Variant::Before, import_root.clone());
    roots.insert(Variant::Limit, import_root.clone());
    roots.insert(Variant::After, after_parent.join(&relative_import_root));
    let runner = Runner {
        python: python.clone(),
        module: args.module.clone(),
        use_code: args.use_code.clone().unwrap_or_default(),
        roots,
        scratch: work,
    };
    let mut variants = vec![Variant::Before, Variant::After];
    if has_lazy {
        variants.push(Variant::Limit);
    }
    let mut samples: HashMap<(Variant, &'static str), Vec<Sample>> = HashMap::new();
    let mut take = |variant: Variant, kind: &'static str, extras: Extras| {
        runner.run(variant, extras).map(|sample| {
            samples.entry((variant, kind)).or_default().push(sample);
        })
    };
    // Warm-up (bytecode caches), which also proves that both copies import.
    take(Variant::Before, "warm", Extras::default())
        .map_err(|e| format!("`import {}` fails on the original: {e}", args.module))?;
    take(Variant::After, "warm", Extras::default()).map_err(|e| {
        format!(
            "`import {}` fails on the rewritten copy (the original imports): {e}",
            args.module
        )
    })?;
    let failure = |variant: Variant, e: String| {
        format!(
            "a measuring run of `{}` ({}) failed: {e}",
            args.module,
            variant.name()
        )
    };
    let extra_runs = args.runs.min(3);
    let attribute = Extras {
        attribute: true,
        ..Extras::default()
    };
    let trace = Extras {
        trace: true,
        ..Extras::default()
    };
    eprintln!(
        "lazify measure: {} runs of `import {}` per variant with {} ({version})",
        args.runs,
        args.module,
        python.display()
    );
    for i in 0..args.runs {
        let mut order = variants.clone();
        if i % 2 == 1 {
            order.reverse();
        }
        for &variant in &order {
            take(variant, "plain", Extras::default()).map_err(|e| failure(variant, e))?;
            if i < extra_runs && variant != Variant::Limit {
                take(variant, "attribute", attribute).map_err(|e| failure(variant, e))?;
                take(variant, "trace", trace).map_err(|e| failure(variant, e))?;
            } else if i < extra_runs {
                take(variant, "trace", trace).map_err(|e| failure(variant, e))?;
            }
        }
    }
    let samples = samples;
    let get =
        |variant: Variant, kind: &'static str| -> &[Sample] { samples_of(&samples, variant, kind) };
    let has_use = args.use_code.is_some();
    let before = figures(
        get(Variant::Before, "plain"),
        get(Variant::Before, "trace"),
        has_use,
    );
    let after = figures(
        get(Variant::After, "plain"),
        get(Variant::After, "trace"),
        has_use,
    );
    let limit = has_lazy.then(|| {
        figures(
            get(Variant::Limit, "plain"),
            get(Variant::Limit, "trace"),
            has_use,
        )
    });

    // Attribution to the statements.
    let times_before = self_times(get(Variant::Before, "attribute"));
    let times_after = self_times(get(Variant::After, "attribute"));
    let project = top_package(&args.module).to_string();
    let mut imports = Vec::new();
    for file in &run.files {
        let (Some(source), Some(decoded)) = (file.source(), file.decoded.as_ref()) else {
            continue;
        };
        let rewritten = file
            .fixed()
            .map_or(decoded.text.as_str(), lazify_core::VerifiedText::as_str);
        let before_file =
            before_root.join(file.path.strip_prefix(&after_root).unwrap_or(&file.path));
        let mut by_statement: BTreeMap<u32, Vec<&ImportVerdict>> = BTreeMap::new();
        for verdict in &file.outcome.verdicts {
            by_statement
                .entry(u32::from(verdict.stmt_range.start()))
                .or_default()
                .push(verdict);
        }
        let lines = lazify_core::SourceLines::new(source);
        for verdicts in by_statement.values() {
            let first = verdicts[0];
            let (line, _) = lines.line_column(first.stmt_range.start());
            let (end_line, _) = lines.line_column(first.stmt_range.end());
            let text =
                &source[usize::from(first.stmt_range.start())..usize::from(first.stmt_range.end())];
            let first_line = text.lines().next().unwrap_or_default();
            let cost_before = cost(
                get(Variant::Before, "attribute"),
                get(Variant::Before, "trace"),
                &times_before,
                &before_file,
                (line, end_line),
            );
            let after_line = line_in_rewritten(rewritten, first_line, line);
            let cost_after = after_line.map_or_else(Cost::default, |l| {
                cost(
                    get(Variant::After, "attribute"),
                    get(Variant::After, "trace"),
                    &times_after,
                    &file.path,
                    (l, l + (end_line - line)),
                )
            });
            if cost_before.phase.is_none() && cost_after.phase.is_none() {
                continue; // it loaded nothing new anywhere
            }
            let rewrites = verdicts.iter().filter(|v| v.is_rewrite()).count();
            let verdict = match rewrites {
                0 => "keep",
                n if n == verdicts.len() => "rewrite",
                _ => "mixed",
            };
            let mut reasons: Vec<String> = Vec::new();
            for reason in verdicts.iter().map(|v| verdict_reason(v)) {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            // A kept statement: what it loads in the rewritten copy; a rewritten one: what it deferred.
            let (heavy_from, heavy_times) = if verdict == "rewrite" {
                (&cost_before.own, &times_before)
            } else {
                (&cost_after.own, &times_after)
            };
            let statement = text.split_whitespace().collect::<Vec<_>>().join(" ");
            imports.push(Statement {
                path: shown(&file.path),
                line,
                statement: if statement.chars().count() > 100 {
                    format!("{}…", statement.chars().take(99).collect::<String>())
                } else {
                    statement
                },
                module: first
                    .resolved_module
                    .clone()
                    .unwrap_or_else(|| first.module.clone()),
                verdict,
                reason: reasons.join(", "),
                cost_ms: cost_before.own_ms,
                cumulative_ms: cost_before.cumulative_ms,
                modules: cost_before.own.len(),
                cumulative_modules: cost_before.cumulative_modules,
                rss_mib: cost_before.rss_mib,
                alloc_mib: cost_before.alloc_mib,
                phase: cost_before.phase.clone(),
                after_cost_ms: cost_after.own_ms,
                after_modules: cost_after.own.len(),
                after_rss_mib: cost_after.rss_mib,
                after_alloc_mib: cost_after.alloc_mib,
                after_phase: cost_after.phase.clone(),
                heaviest: heaviest(heavy_from, heavy_times, &project),
                own_before: cost_before.own,
                own_after: cost_after.own,
            });
        }
    }
    // Kept statements first, by what they still cost after the rewrite; then the rest by what they cost before.
    imports.sort_by(|a, b| {
        let key = |s: &Statement| {
            if s.verdict == "rewrite" {
                (1, s.cost_ms)
            } else {
                (0, s.after_cost_ms)
            }
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(kb.1.total_cmp(&ka.1))
    });

    let mut trees = HashMap::new();
    for variant in [Variant::Before, Variant::After] {
        if let Some(sample) = get(variant, "attribute").first() {
            for (phase, nodes) in &sample.trees {
                trees.insert((variant, phase.clone()), nodes.clone());
            }
        }
    }
    let stdlib = get(Variant::After, "attribute")
        .first()
        .map(|s| s.stdlib.clone())
        .unwrap_or_default();
    let remaining = remaining_packages(&trees, &times_after, &project, &stdlib);

    Ok(Measurement {
        version: env!("CARGO_PKG_VERSION"),
        python: format!("{} ({version})", python.display()),
        module: args.module.clone(),
        use_code: args.use_code.clone(),
        style: style.as_str().to_string(),
        runs: args.runs,
        before,
        after,
        limit,
        imports,
        remaining,
        trees,
    })
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "exact halves")]
mod tests {
    use super::figures::median;
    use super::*;

    #[test]
    fn a_statement_is_found_where_the_rewrite_moved_it() {
        let rewritten = "__lazy_modules__ = [\"json\"]\nimport jsonschema\nimport json\n\n\ndef f():\n    import json\n";
        // One line down (the `__lazy_modules__` line), not `jsonschema` nearer, nor the function-local copy.
        assert_eq!(line_in_rewritten(rewritten, "import json", 2), Some(3));
        assert_eq!(line_in_rewritten(rewritten, "import json", 7), Some(7));
        assert_eq!(
            line_in_rewritten("lazy import os\n", "import os", 1),
            Some(1)
        );
        assert_eq!(line_in_rewritten("x = 1\n", "import os", 1), None);
    }

    #[test]
    fn the_import_root_is_the_folder_holding_the_top_level_package() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("before");
        std::fs::create_dir_all(copy.join("proj/src/pkg/sub")).unwrap();
        std::fs::create_dir_all(copy.join("lone")).unwrap();
        std::fs::File::create(copy.join("proj/mod.py")).unwrap();
        let proj = copy.join("proj");
        // A `src/` layout, found from the project folder or from the package itself.
        assert_eq!(
            find_import_root(&copy, std::slice::from_ref(&proj), "pkg.sub"),
            Some(proj.join("src"))
        );
        assert_eq!(
            find_import_root(&copy, &[proj.join("src/pkg/sub")], "pkg"),
            Some(proj.join("src"))
        );
        // A single-file module, and a package folder copied alone (imported from the copy's parent).
        assert_eq!(
            find_import_root(&copy, std::slice::from_ref(&proj), "mod"),
            Some(proj.clone())
        );
        assert_eq!(
            find_import_root(&copy, &[copy.join("lone")], "lone"),
            Some(copy.clone())
        );
        assert_eq!(find_import_root(&copy, &[proj], "missing"), None);
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
    }
}
