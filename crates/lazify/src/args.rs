//! Command-line arguments (clap derive). Every flag here has the same name as its configuration key.

use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand, ValueEnum};
use lazify_core::{Decision, ImportVerdict, KeepList, PythonVersion, Style};
use lazify_workspace::Overrides;

/// Make Python imports lazy (PEP 810) without changing what the program does.
///
/// `lazify [OPTIONS] [PATHS]` is `lazify check [OPTIONS] [PATHS]`: it reports the imports that can be deferred
/// (exit 1 when there are any); `--diff` shows the rewrite, `--write` (or `--fix`) applies it, `--explain` tells
/// why each import is rewritten or kept.
#[derive(Debug, Parser)]
#[command(
    name = "lazify",
    version,
    propagate_version = true,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    #[command(flatten)]
    pub(crate) check: Args,
}

/// The subcommands, as ruff has them.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Report, diff, check or rewrite the imports of PATHS (the default command).
    Check(Args),
    /// Start the language server (LSP over stdio) for editors.
    Server(ServerArgs),
    // The about text is `MeasureArgs`'s own doc comment.
    Measure(crate::measure::MeasureArgs),
}

/// `lazify server` takes no arguments: its settings come from the editor.
#[derive(Debug, clap::Args)]
pub(crate) struct ServerArgs {}

impl Cli {
    /// The command to run: `check` when none is named.
    pub(crate) fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Check(self.check))
    }
}

/// The arguments of `lazify check` (and of `lazify` without a subcommand).
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("mode").args(["diff", "check", "write", "explain", "interactive"])))]
pub(crate) struct Args {
    /// Files or directories to process; `-` reads source from stdin and writes the result to stdout.
    #[arg(default_value = ".")]
    pub(crate) paths: Vec<PathBuf>,

    /// Print unified diffs of the rewrites instead of the report; nothing is written.
    #[arg(long)]
    pub(crate) diff: bool,

    /// Print nothing but a summary and errors; exit 1 when something would be rewritten.
    #[arg(long)]
    pub(crate) check: bool,

    /// Rewrite the files in place (`--fix` is the same, as ruff spells it).
    #[arg(long, visible_alias = "fix")]
    pub(crate) write: bool,

    /// Print every import's verdict with the reason and the code that proves it.
    #[arg(long)]
    pub(crate) explain: bool,

    /// Show each file's diff and ask `Apply? [y]es [n]o [a]ll [q]uit`; write only the accepted files.
    /// Needs a terminal on stdin.
    #[arg(long, short, conflicts_with_all = ["output_format", "stdin_filename"])]
    pub(crate) interactive: bool,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub(crate) output_format: OutputFormat,

    /// The rewrite style: `lazy`, `lazy-modules` or `local` (default: `lazy` when the target is 3.15 or
    /// newer, else `lazy-modules`).
    #[arg(long, value_parser = parse_style, value_name = "STYLE")]
    pub(crate) style: Option<Style>,

    /// The lowest Python version the code runs on: `py37` to `py315`, or `3.7` to `3.15`.
    #[arg(long, value_parser = parse_version, value_name = "VERSION")]
    pub(crate) target_version: Option<PythonVersion>,

    /// Keep imports of this module eager (repeatable; `pkg.*` matches a package and its submodules).
    #[arg(long, value_name = "MODULE")]
    pub(crate) keep: Vec<String>,

    /// Also rewrite imports of modules the interpreter always loads at start-up.
    #[arg(long)]
    pub(crate) include_preloaded: bool,

    /// Keep unreferenced re-exports (in `__init__.py` and `__all__`) eager.
    #[arg(long)]
    pub(crate) no_lazy_reexports: bool,

    /// Style `lazy`: also turn function-local imports into one module-level `lazy` import.
    #[arg(long)]
    pub(crate) hoist: bool,

    /// Style `local`: also move imports used only in annotations, keeping them for type checkers under
    /// `if TYPE_CHECKING:`.
    #[arg(long)]
    pub(crate) type_checking_imports: bool,

    /// Skip files and directories matching this glob (repeatable), on top of the configured exclusions.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,

    /// Apply the exclusions to files named on the command line too (for pre-commit).
    #[arg(long)]
    pub(crate) force_exclude: bool,

    /// The path of the source read from stdin, for configuration discovery and package resolution.
    #[arg(long, value_name = "PATH")]
    pub(crate) stdin_filename: Option<PathBuf>,

    /// Print the findings (report lines, diffs, explanations, JSON) and errors, and nothing else: no notes or
    /// summary.
    #[arg(long, short, conflicts_with = "silent")]
    pub(crate) quiet: bool,

    /// Print nothing at all, errors included; only the exit code tells what happened. Source read from stdin
    /// is still written to stdout.
    #[arg(long)]
    pub(crate) silent: bool,

    /// Print a count per finding code and reason instead of one line per import.
    #[arg(long, conflicts_with_all = ["diff", "interactive"])]
    pub(crate) statistics: bool,

    /// Show only the rewrites or only the kept imports (report, `--explain`, `--statistics`, JSON, GitHub).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub(crate) only: Option<Only>,

    /// Show only the verdicts with this reason, e.g. `used-at-import-time` (repeatable).
    #[arg(long, value_parser = parse_reason, value_name = "NAME")]
    pub(crate) reason: Vec<String>,

    /// Show only the imports of this module or its submodules (repeatable; `pkg.*` works as for `--keep`).
    #[arg(long = "module", value_name = "NAME")]
    pub(crate) modules: Vec<String>,

    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    /// Use this configuration file for every file (a `pyproject.toml` with `[tool.lazify]`, or a
    /// `lazify.toml`) instead of discovering the nearest one.
    #[arg(long, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,

    /// The target interpreter, or a virtual environment's folder, whose installed packages tell what imported
    /// modules do when they load (default: `VIRTUAL_ENV`, else a `.venv` beside the project, else `python3`).
    #[arg(long, value_name = "PATH")]
    pub(crate) python: Option<PathBuf>,

    /// What to do with imports of modules whose effects cannot be analysed (not installed, no Python source):
    /// `trust` (defer them, the default) or `keep` (keep them eager).
    #[arg(long, value_parser = parse_unknown_modules, value_name = "POLICY")]
    pub(crate) unknown_modules: Option<lazify_core::UnknownModules>,

    /// Do not read or write the summary cache (what other files do when imported, kept in `.lazify_cache`
    /// in the project's folder). Also `LAZIFY_NO_CACHE=1`.
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// Keep the summary cache in this folder instead of the project's `.lazify_cache`. Also
    /// `LAZIFY_CACHE_DIR`.
    #[arg(long, value_name = "PATH")]
    pub(crate) cache_dir: Option<PathBuf>,
}

fn parse_unknown_modules(s: &str) -> Result<lazify_core::UnknownModules, String> {
    s.parse()
}

/// `--output-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// One line per import, a summary; `--explain` renders diagnostics with the source.
    Text,
    /// A JSON object: `{"version": 1, "findings": [...], "errors": [...]}`.
    Json,
    /// GitHub Actions workflow annotations.
    Github,
}

impl OutputFormat {
    /// The name as written on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Github => "github",
        }
    }
}

/// The verdicts to show: `--only`, `--reason`, `--module`. It filters what is printed, never what is
/// rewritten.
#[derive(Debug, Default)]
pub(crate) struct VerdictFilter {
    only: Option<Only>,
    reasons: Vec<String>,
    modules: Option<KeepList>,
}

impl VerdictFilter {
    /// Whether any filter is set (then file-level notes, which are no verdicts, are not shown).
    pub(crate) fn is_active(&self) -> bool {
        self.only.is_some() || !self.reasons.is_empty() || self.modules.is_some()
    }

    /// Whether the verdict passes every filter.
    pub(crate) fn shows(&self, verdict: &ImportVerdict) -> bool {
        let only = match self.only {
            None => true,
            Some(Only::Rewrite) => verdict.is_rewrite(),
            Some(Only::Keep) => !verdict.is_rewrite(),
        };
        let reason = match &verdict.decision {
            Decision::Rewrite { why, .. } => why.name(),
            Decision::Keep { reason, .. } => reason.name(),
        };
        let module = self.modules.as_ref().is_none_or(|modules| {
            [
                Some(verdict.module.as_str()),
                verdict.resolved_module.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|module| modules.matching(module).is_some())
        });
        only && module && (self.reasons.is_empty() || self.reasons.iter().any(|r| r == reason))
    }
}

/// `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Only {
    /// The imports lazify rewrites.
    Rewrite,
    /// The imports lazify keeps as they are.
    Keep,
}

/// The reason names `--reason` accepts: every rewrite and keep reason of the registries.
fn parse_reason(s: &str) -> Result<String, String> {
    let known = || {
        lazify_core::RewriteWhy::ALL
            .iter()
            .map(|r| r.name())
            .chain(lazify_core::KeepReason::ALL.iter().map(|r| r.name()))
    };
    if known().any(|name| name == s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown reason `{s}`: expected one of {}",
            known().collect::<Vec<_>>().join(", ")
        ))
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when printing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

fn parse_style(s: &str) -> Result<Style, String> {
    s.parse()
}

/// Only the versions lazify knows (`py37` to `py315`, `3.7` to `3.15`), as ruff accepts a closed list.
fn parse_version(s: &str) -> Result<PythonVersion, String> {
    lazify_workspace::config::parse_target_version(s)
}

/// How the files are processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Report,
    Diff,
    Check,
    Write,
    Explain,
    Interactive,
}

impl Args {
    pub(crate) fn mode(&self) -> Mode {
        if self.diff {
            Mode::Diff
        } else if self.check {
            Mode::Check
        } else if self.write {
            Mode::Write
        } else if self.explain {
            Mode::Explain
        } else if self.interactive {
            Mode::Interactive
        } else {
            Mode::Report
        }
    }

    /// The filters on the verdicts shown; an invalid `--module` pattern is an error.
    pub(crate) fn filter(&self) -> Result<VerdictFilter, String> {
        let modules = if self.modules.is_empty() {
            None
        } else {
            Some(
                KeepList::new(self.modules.iter().cloned())
                    .map_err(|e| e.replace("keep pattern", "`--module` pattern"))?,
            )
        };
        Ok(VerdictFilter {
            only: self.only,
            reasons: self.reason.clone(),
            modules,
        })
    }

    /// Whether source comes from stdin.
    pub(crate) fn is_stdin(&self) -> bool {
        self.paths.iter().any(|p| p.as_os_str() == "-")
    }

    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            style: self.style,
            target_version: self.target_version,
            keep: self.keep.clone(),
            include_preloaded: self.include_preloaded.then_some(true),
            hoist: self.hoist.then_some(true),
            type_checking_imports: self.type_checking_imports.then_some(true),
            lazy_reexports: if self.no_lazy_reexports {
                Some(false)
            } else {
                None
            },
            exclude: self.exclude.clone(),
            force_exclude: self.force_exclude,
            config: self.config.clone(),
            python: self.python.clone(),
            unknown_modules: self.unknown_modules,
            no_cache: self.no_cache
                || std::env::var_os("LAZIFY_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0"),
            cache_dir: self
                .cache_dir
                .clone()
                .or_else(|| std::env::var_os("LAZIFY_CACHE_DIR").map(PathBuf::from)),
            // The rewritten text is only checked when it is written or shown (stdin mode prints it, JSON shows
            // each finding's fix, which is offered only when the file's rewrite verified).
            verify: matches!(self.mode(), Mode::Check | Mode::Report | Mode::Explain)
                .then_some(false)
                .filter(|_| !self.is_stdin() && self.output_format != OutputFormat::Json),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a `lazify ...` command line that runs `check`.
    fn parse<const N: usize>(args: [&str; N]) -> Result<Args, clap::Error> {
        Cli::try_parse_from(args).map(|cli| match cli.into_command() {
            Command::Check(args) => args,
            other => panic!("not check: {other:?}"),
        })
    }

    #[test]
    fn subcommands() {
        let cli = Cli::try_parse_from(["lazify", "check", "--fix", "src"]).unwrap();
        let Command::Check(args) = cli.into_command() else {
            panic!("check");
        };
        assert_eq!(args.mode(), Mode::Write);
        assert_eq!(args.paths, [PathBuf::from("src")]);
        assert!(matches!(
            Cli::try_parse_from(["lazify", "server"])
                .unwrap()
                .into_command(),
            Command::Server(ServerArgs {})
        ));
        assert!(matches!(
            Cli::try_parse_from(["lazify", "measure", "--module", "m"])
                .unwrap()
                .into_command(),
            Command::Measure(_)
        ));
        let version = Cli::try_parse_from(["lazify", "measure", "--version"]).unwrap_err();
        assert_eq!(version.kind(), clap::error::ErrorKind::DisplayVersion);
        let help = Cli::try_parse_from(["lazify", "server", "--help"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        for bad in [
            &["lazify", "server", "x"][..],
            &["lazify", "--bogus"],
            &["lazify", "--quiet", "--silent"],
            &["lazify", "--statistics", "--diff"],
            &["lazify", "--only", "maybe"],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
        // After an option, a subcommand's name is a path (clap's `args_conflicts_with_subcommands`).
        assert_eq!(
            parse(["lazify", "--diff", "server"]).unwrap().paths,
            [PathBuf::from("server")]
        );
        // `./server` is a path.
        assert_eq!(
            parse(["lazify", "./server"]).unwrap().paths,
            [PathBuf::from("./server")]
        );
    }

    #[test]
    fn parses_flags_into_overrides() {
        let args = parse([
            "lazify",
            "--target-version",
            "3.15",
            "--style",
            "lazy-modules",
            "--keep",
            "numpy",
            "--keep",
            "pkg.*",
            "--no-lazy-reexports",
            "--include-preloaded",
            "--exclude",
            "gen",
            "src",
        ])
        .unwrap();
        let o = args.overrides();
        assert_eq!(o.target_version, Some(PythonVersion::PY315));
        assert_eq!(o.style, Some(Style::LazyModules));
        assert_eq!(o.keep, ["numpy", "pkg.*"]);
        assert_eq!(o.lazy_reexports, Some(false));
        assert_eq!(o.include_preloaded, Some(true));
        assert_eq!(o.exclude, ["gen"]);
        assert_eq!(args.paths, [PathBuf::from("src")]);
        assert_eq!(args.mode(), Mode::Report);
    }

    #[test]
    fn defaults_and_conflicts() {
        let args = parse(["lazify"]).unwrap();
        assert_eq!(args.paths, [PathBuf::from(".")]);
        assert_eq!(args.overrides().lazy_reexports, None);
        assert!(parse(["lazify", "--diff", "--write"]).is_err());
        assert!(parse(["lazify", "--target-version", "py3"]).is_err());
        for unknown in ["py3150", "3.99", "py316", "3.6", "3.15.2"] {
            let error = parse(["lazify", "--target-version", unknown]).unwrap_err();
            assert!(
                error.to_string().contains(&format!(
                    "unknown Python version `{unknown}`: expected one of py37"
                )),
                "{error}"
            );
        }
        for known in ["py37", "py315", "3.7", "3.15"] {
            assert!(parse(["lazify", "--target-version", known]).is_ok());
        }
        assert!(parse(["lazify", "--style", "eager"]).is_err());
        assert!(parse(["lazify", "--interactive", "--write"]).is_err());
        assert!(parse(["lazify", "-i", "--output-format", "json"]).is_err());
        assert_eq!(
            parse(["lazify", "-i", "src"]).unwrap().mode(),
            Mode::Interactive
        );
        assert!(
            parse(["lazify", "-", "--stdin-filename", "a.py"])
                .unwrap()
                .is_stdin()
        );
    }
}
