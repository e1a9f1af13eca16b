//! One run of the command: resolve settings, process the files (or stdin), print, choose the exit code.
//!
//! Exit codes: 0 nothing to do or everything written, 1 changes pending (report, `--diff`, `--check`,
//! `--explain`), 2 an error happened (the other files were still processed). A closed pipe counts as 0.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, IsTerminal as _, Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use lazify_core::SourceLines;
use lazify_workspace::{FileResult, Run, Workspace, diff::unified_diff};

use crate::args::{Args, ColorChoice, Mode, OutputFormat, VerdictFilter};
use crate::interactive;
use crate::printer::{Named, Printer};
use crate::render;

/// The outcome of a run, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// Nothing to do, or everything was written.
    Clean = 0,
    /// Something would be rewritten.
    Pending = 1,
    /// An error happened.
    Error = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}

pub(crate) fn main(args: &Args) -> ExitCode {
    let color = |terminal: bool| match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let colors = (
        color(io::stdout().is_terminal()),
        color(io::stderr().is_terminal()),
    );
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(100);
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut printer = Printer::new(
        Box::new(Named::new("stdout", BufWriter::new(stdout.lock()))),
        Box::new(Named::new("stderr", stderr.lock())),
        colors,
        width,
        args.output_format,
    );
    if args.silent {
        // Nothing is printed; in stdin mode stdout is the rewritten source, which is the result, not a message.
        printer.err = Box::new(io::sink());
        if !args.is_stdin() {
            printer.out = Box::new(io::sink());
        }
    }
    let status = execute(args, &mut printer).and_then(|status| printer.flush().map(|()| status));
    match status {
        Ok(status) => status.into(),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            // `could not write to stdout: No space left on device (os error 28)`; when stderr is the stream that
            // failed, nothing can be said.
            let _ = writeln!(printer.err, "error: {error}").and_then(|()| printer.err.flush());
            Status::Error.into()
        }
    }
}

fn execute(args: &Args, printer: &mut Printer<'_>) -> io::Result<Status> {
    if args.interactive {
        if args.is_stdin() {
            writeln!(
                printer.err,
                "error: `--interactive` cannot read source from stdin (`-`): stdin answers the questions"
            )?;
            return Ok(Status::Error);
        }
        if !io::stdin().is_terminal() {
            writeln!(
                printer.err,
                "error: `--interactive` needs a terminal on stdin to ask before each file; use `--diff` to \
                 review the rewrites or `--write` to apply them"
            )?;
            return Ok(Status::Error);
        }
    }
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            writeln!(
                printer.err,
                "error: cannot read the working directory: {error}"
            )?;
            return Ok(Status::Error);
        }
    };
    if args.mode() == Mode::Diff && args.output_format != OutputFormat::Text {
        writeln!(
            printer.err,
            "error: `--diff` prints a patch and cannot be combined with `--output-format {}`; drop `--diff` to \
             get the findings in that format",
            args.output_format.name()
        )?;
        return Ok(Status::Error);
    }
    if args.style == Some(lazify_core::Style::Lazy)
        && let Some(target) = args.target_version.filter(|v| !v.supports_lazy())
    {
        writeln!(
            printer.err,
            "error: `--style lazy` needs target version py315 or newer, but `--target-version` is {target}; use \
             `--style lazy-modules` (or `local`), or raise the target"
        )?;
        return Ok(Status::Error);
    }
    let filter = match args.filter() {
        Ok(filter) => filter,
        Err(message) => {
            writeln!(printer.err, "error: {message}")?;
            return Ok(Status::Error);
        }
    };
    // `--check` with text output prints only errors and the summary: nothing needs each file's text.
    let lean =
        args.mode() == Mode::Check && args.output_format == OutputFormat::Text && !args.statistics;
    let workspace = match Workspace::new(&cwd, args.overrides()) {
        Ok(workspace) => workspace.lean(lean),
        Err(error) => {
            printer.workspace_error(&error)?;
            return Ok(Status::Error);
        }
    };
    if args.is_stdin() {
        if args.paths.len() > 1 {
            writeln!(
                printer.err,
                "error: `-` (stdin) cannot be combined with other paths"
            )?;
            return Ok(Status::Error);
        }
        return run_stdin(args, &filter, &workspace, printer);
    }
    if args.stdin_filename.is_some() {
        writeln!(
            printer.err,
            "error: `--stdin-filename` needs `-` as the path"
        )?;
        return Ok(Status::Error);
    }
    let mode = args.mode();
    if mode == Mode::Diff {
        return run_diff(args, &workspace, printer);
    }
    let mut run = workspace.run(&args.paths, mode == Mode::Write);
    for error in &run.errors {
        printer.workspace_error(error)?;
    }
    if mode == Mode::Interactive {
        return run_interactive(args, &workspace, &mut run, printer);
    }
    let mut json = Vec::new();
    let mut counted = Vec::new();
    for file in &run.files {
        if args.statistics {
            counted.extend(file.outcome.verdicts.iter().filter(|v| filter.shows(v)));
        } else {
            print_file(args, &filter, mode, file, printer, &mut json)?;
        }
        printer.file_errors(file)?;
    }
    let statistics = args.statistics.then(|| render::statistics(counted));
    match args.output_format {
        OutputFormat::Json => {
            let output = render::JsonOutput {
                version: render::JSON_VERSION,
                findings: json,
                statistics,
                errors: std::mem::take(&mut printer.json_errors),
            };
            writeln!(
                printer.out,
                "{}",
                serde_json::to_string_pretty(&output).map_err(io::Error::other)?
            )?;
        }
        OutputFormat::Text | OutputFormat::Github => {
            for line in render::statistics_lines(statistics.as_deref().unwrap_or_default()) {
                writeln!(printer.out, "{line}")?;
            }
        }
    }
    if !args.quiet && args.output_format == OutputFormat::Text {
        print_summary(mode, &run, printer)?;
    }
    Ok(status(mode, &run))
}

/// `--diff`: each file's diff is printed as soon as its turn in path order comes, and dropped; only a summary
/// of each file is kept (issue 12: a run holds neither every file's text nor every diff).
fn run_diff(args: &Args, workspace: &Workspace, printer: &mut Printer<'_>) -> io::Result<Status> {
    let prepared = workspace.prepare(&args.paths);
    for error in prepared.errors() {
        printer.workspace_error(error)?;
    }
    let run = workspace.stream(prepared, file_diff, |file, diff| {
        interactive::write_diff(printer, &diff)?;
        // An error about this file goes to stderr after its diff, not before it.
        printer.out.flush()?;
        printer.file_errors(file)
    })?;
    if !args.quiet {
        // The summary goes to stderr: it comes after the whole patch.
        printer.out.flush()?;
        print_summary(Mode::Diff, &run, printer)?;
    }
    Ok(status(Mode::Diff, &run))
}

/// The unified diff of a file that would change; empty otherwise.
fn file_diff(file: &FileResult) -> String {
    match (file.source(), file.fixed().filter(|_| file.would_change())) {
        (Some(source), Some(fixed)) => {
            unified_diff(&file.path.display().to_string(), source, fixed)
        }
        _ => String::new(),
    }
}

fn status(mode: Mode, run: &Run) -> Status {
    if run.has_errors() {
        Status::Error
    } else if mode != Mode::Write && run.files.iter().any(FileResult::would_change) {
        Status::Pending
    } else {
        Status::Clean
    }
}

/// Whether the file's rewrites were written or would be: a file whose write failed does not count.
fn rewrites_apply(file: &FileResult) -> bool {
    file.written || (file.would_change() && !file.has_error())
}

/// The verdicts a mode shows for a file: every verdict for `--explain`, else the rewrites that apply; only
/// those the filters (`--only`, `--reason`, `--module`) let through.
fn shown_verdicts<'a>(
    mode: Mode,
    filter: &VerdictFilter,
    file: &'a FileResult,
) -> Vec<&'a lazify_core::ImportVerdict> {
    if mode == Mode::Explain {
        file.outcome
            .verdicts
            .iter()
            .filter(|v| filter.shows(v))
            .collect()
    } else if rewrites_apply(file) {
        file.outcome
            .rewrites()
            .filter(|v| filter.shows(v))
            .collect()
    } else {
        Vec::new()
    }
}

fn print_file<'a>(
    args: &Args,
    filter: &VerdictFilter,
    mode: Mode,
    file: &'a FileResult,
    printer: &mut Printer<'_>,
    json: &mut Vec<render::JsonVerdict<'a>>,
) -> io::Result<()> {
    let Some(source) = file.source() else {
        return Ok(());
    };
    let verdicts = shown_verdicts(mode, filter, file);
    match args.output_format {
        OutputFormat::Json => {
            let lines = SourceLines::new(source);
            json.extend(
                verdicts
                    .iter()
                    .map(|v| render::json_object(&file.path, &lines, &file.outcome, v)),
            );
        }
        OutputFormat::Github => {
            if mode != Mode::Check {
                let lines = SourceLines::new(source);
                for verdict in verdicts {
                    writeln!(
                        printer.out,
                        "{}",
                        render::github_line(&file.path, &lines, verdict)
                    )?;
                }
            }
        }
        OutputFormat::Text => match mode {
            Mode::Explain => {
                print_explain(file, &verdicts, filter.is_active(), source, printer, false)?;
            }
            Mode::Report => {
                let lines = SourceLines::new(source);
                for verdict in verdicts {
                    writeln!(
                        printer.out,
                        "{}",
                        render::report_line(&file.path, &lines, verdict)
                    )?;
                }
                for notice in file
                    .outcome
                    .notices
                    .iter()
                    .filter(|n| n.warning && !filter.is_active())
                {
                    writeln!(
                        printer.out,
                        "{}",
                        render::notice_line(&file.path, &lines, notice)
                    )?;
                }
            }
            _ => {}
        },
    }
    Ok(())
}

/// `--explain` in text: every verdict and notice as a diagnostic.
fn print_explain(
    file: &FileResult,
    verdicts: &[&lazify_core::ImportVerdict],
    filter_active: bool,
    source: &str,
    printer: &mut Printer<'_>,
    to_stderr: bool,
) -> io::Result<()> {
    let named = render::named_source(&file.path, source);
    let (color, width) = (
        if to_stderr {
            printer.color_err
        } else {
            printer.color_out
        },
        printer.width,
    );
    let stream = if to_stderr {
        &mut printer.err
    } else {
        &mut printer.out
    };
    if let Some(skipped) = file.outcome.skipped.filter(|_| !filter_active) {
        let why = match skipped {
            lazify_core::Skipped::Stub => "a stub file: nothing in it executes",
            lazify_core::Skipped::SkipFilePragma => "`# lazify: skip-file`",
        };
        writeln!(stream, "{}: skipped ({why})", file.path.display())?;
        return Ok(());
    }
    for verdict in verdicts {
        write!(
            stream,
            "{}",
            render::render(&render::explain_report(&named, verdict), color, width)
        )?;
    }
    let lines = SourceLines::new(source);
    for notice in file.outcome.notices.iter().filter(|_| !filter_active) {
        writeln!(
            stream,
            "{}",
            render::notice_line(&file.path, &lines, notice)
        )?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The files a note applies to: `all 3 files`, `a.py`, `a.py, b.py`, or `a.py, b.py, c.py and 4 more files`.
fn which_files(paths: &[&Path], checked: usize) -> String {
    const SHOWN: usize = 3;
    if paths.len() == checked && checked > 1 {
        return format!("all {checked} files");
    }
    let mut sorted: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    sorted.sort();
    let shown = sorted
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if sorted.len() > SHOWN {
        format!("{shown} and {}", plural(sorted.len() - SHOWN, "more file"))
    } else {
        shown
    }
}

/// `N imports in M files would be rewritten (style lazy)`, and each style note once with its files.
fn summary(mode: Mode, files: &[&FileResult], checked: usize, errors: usize) -> Vec<String> {
    let mut lines = Vec::new();
    // Each style note once, with the files it applies to.
    let mut notes: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for file in files {
        if let Some(note) = &file.outcome.style_note {
            notes.entry(note).or_default().push(&file.path);
        }
    }
    let changed: Vec<&&FileResult> = files.iter().filter(|f| rewrites_apply(f)).collect();
    // Rewrites computed but not written: a write that failed (the file changed on disk, is read-only, ...).
    let failed: Vec<&&FileResult> = files
        .iter()
        .filter(|f| f.error.is_some() && f.would_change())
        .collect();
    let imports: usize = changed.iter().map(|f| f.rewrite_count()).sum();
    let styles: BTreeSet<&str> = changed
        .iter()
        .filter_map(|f| f.outcome.style)
        .map(lazify_core::Style::as_str)
        .collect();
    if changed.is_empty() && failed.is_empty() {
        lines.push(format!(
            "Nothing to rewrite ({} checked)",
            plural(checked, "file")
        ));
    } else if !changed.is_empty() {
        let verb = if mode == Mode::Write {
            "rewritten"
        } else {
            "would be rewritten"
        };
        lines.push(format!(
            "{} in {} {verb} (style {})",
            plural(imports, "import"),
            plural(changed.len(), "file"),
            styles.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !failed.is_empty() {
        lines.push(format!(
            "{} in {} not written because of errors",
            plural(failed.iter().map(|f| f.rewrite_count()).sum(), "import"),
            plural(failed.len(), "file"),
        ));
    }
    if errors > 0 {
        lines.push(format!(
            "{}; files with errors were left unchanged",
            plural(errors, "error")
        ));
    }
    lines.extend(
        notes
            .into_iter()
            .map(|(note, paths)| format!("note: {note} ({})", which_files(&paths, checked))),
    );
    lines
}

fn print_summary(mode: Mode, run: &Run, printer: &mut Printer<'_>) -> io::Result<()> {
    let files: Vec<&FileResult> = run.files.iter().collect();
    // The errors printed: a settings error that applies to several files is printed, and counted, once.
    let errors = printer.errors;
    let lines = summary(mode, &files, run.files.len(), errors);
    // With --diff, stdout is a patch; the summary goes to stderr.
    let stream = if mode == Mode::Diff {
        &mut printer.err
    } else {
        &mut printer.out
    };
    for line in lines {
        writeln!(stream, "{line}")?;
    }
    Ok(())
}

/// `--interactive`: errors first, then each file's diff and question, then the summary. Exit 1 when rewrites
/// were declined (they are still pending), 2 on any error, else 0.
fn run_interactive(
    args: &Args,
    workspace: &Workspace,
    run: &mut Run,
    printer: &mut Printer<'_>,
) -> io::Result<Status> {
    for file in &run.files {
        printer.file_errors(file)?;
    }
    let resolver = workspace.resolver();
    let review = interactive::review(
        &mut run.files,
        &|path| resolver.absolute(path),
        printer,
        &mut io::stdin().lock(),
    )?;
    if !args.quiet {
        if review.written == 0 && review.declined == 0 {
            writeln!(
                printer.out,
                "Nothing to rewrite ({} checked)",
                plural(run.files.len(), "file")
            )?;
        } else {
            writeln!(
                printer.out,
                "{} in {} rewritten; {} left unchanged",
                plural(review.imports, "import"),
                plural(review.written, "file"),
                plural(review.declined, "file")
            )?;
        }
    }
    Ok(if run.has_errors() {
        Status::Error
    } else if review.declined > 0 {
        Status::Pending
    } else {
        Status::Clean
    })
}

/// `lazify -`: source from stdin, the result on stdout, the report on stderr.
fn run_stdin(
    args: &Args,
    filter: &VerdictFilter,
    workspace: &Workspace,
    printer: &mut Printer<'_>,
) -> io::Result<Status> {
    let mut bytes = Vec::new();
    if let Err(error) = io::stdin().lock().read_to_end(&mut bytes) {
        writeln!(printer.err, "error: failed to read stdin: {error}")?;
        return Ok(Status::Error);
    }
    let mode = args.mode();
    let result = workspace.process_source(&bytes, args.stdin_filename.as_deref());
    let file = &result.file;
    match mode {
        Mode::Diff => interactive::write_diff(printer, &file_diff(file))?,
        Mode::Check => {}
        _ => {
            let result_written = printer
                .out
                .write_all(&result.output)
                .and_then(|()| printer.out.flush());
            if let Err(error) = result_written {
                if error.kind() == io::ErrorKind::BrokenPipe {
                    return Err(error);
                }
                // The source is the user's and exists only in this process: say that it did not get out.
                writeln!(
                    printer.err,
                    "error: {error}; the {} source was not printed, and nothing was changed on disk",
                    if result.output == bytes {
                        "unchanged"
                    } else {
                        "rewritten"
                    }
                )?;
                // The buffered rest cannot be written either; the report still goes to stderr.
                printer.out = Box::new(io::sink());
                printer.file_errors(file)?;
                return Ok(Status::Error);
            }
        }
    }
    printer.file_errors(file)?;
    if let Some(source) = file.source() {
        print_stdin_report(args, filter, mode, file, source, printer)?;
    }
    Ok(if file.has_error() {
        Status::Error
    } else if matches!(mode, Mode::Diff | Mode::Check) && file.would_change() {
        Status::Pending
    } else {
        Status::Clean
    })
}

fn print_stdin_report(
    args: &Args,
    filter: &VerdictFilter,
    mode: Mode,
    file: &FileResult,
    source: &str,
    printer: &mut Printer<'_>,
) -> io::Result<()> {
    let verdicts = shown_verdicts(mode, filter, file);
    let statistics = args
        .statistics
        .then(|| render::statistics(file.outcome.verdicts.iter().filter(|v| filter.shows(v))));
    match args.output_format {
        OutputFormat::Json => {
            let lines = SourceLines::new(source);
            let output = render::JsonOutput {
                version: render::JSON_VERSION,
                findings: if statistics.is_some() {
                    Vec::new()
                } else {
                    verdicts
                        .iter()
                        .map(|v| render::json_object(&file.path, &lines, &file.outcome, v))
                        .collect()
                },
                statistics,
                errors: std::mem::take(&mut printer.json_errors),
            };
            writeln!(
                printer.err,
                "{}",
                serde_json::to_string_pretty(&output).map_err(io::Error::other)?
            )?;
        }
        OutputFormat::Github | OutputFormat::Text if statistics.is_some() => {
            for line in render::statistics_lines(statistics.as_deref().unwrap_or_default()) {
                writeln!(printer.err, "{line}")?;
            }
        }
        OutputFormat::Github => {
            let lines = SourceLines::new(source);
            for verdict in verdicts {
                writeln!(
                    printer.err,
                    "{}",
                    render::github_line(&file.path, &lines, verdict)
                )?;
            }
        }
        OutputFormat::Text => {
            if mode == Mode::Explain {
                print_explain(file, &verdicts, filter.is_active(), source, printer, true)?;
            } else if mode != Mode::Check {
                let lines = SourceLines::new(source);
                for verdict in verdicts {
                    writeln!(
                        printer.err,
                        "{}",
                        render::report_line(&file.path, &lines, verdict)
                    )?;
                }
            }
        }
    }
    if !args.quiet && args.output_format == OutputFormat::Text {
        // Without --diff or --check the rewritten source is printed: it counts as written.
        let shown = if matches!(mode, Mode::Diff | Mode::Check) {
            mode
        } else {
            Mode::Write
        };
        for line in summary(shown, &[file], 1, printer.errors) {
            writeln!(printer.err, "{line}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "import"), "0 imports");
    }

    #[test]
    fn status_order() {
        assert!(Status::Error > Status::Pending && Status::Pending > Status::Clean);
        assert_eq!(ExitCode::from(Status::Pending), ExitCode::from(1));
    }

    #[test]
    fn notes_name_their_files() {
        let paths = [Path::new("b.py"), Path::new("a.py")];
        assert_eq!(which_files(&paths[..1], 5), "b.py");
        assert_eq!(which_files(&paths, 5), "a.py, b.py");
        assert_eq!(which_files(&paths, 2), "all 2 files");
        assert_eq!(which_files(&paths[..1], 1), "b.py");
        let many = ["e.py", "d.py", "c.py", "b.py", "a.py"].map(Path::new);
        assert_eq!(which_files(&many, 9), "a.py, b.py, c.py and 2 more files");
    }

    #[test]
    fn summary_for_empty_run() {
        assert_eq!(
            summary(Mode::Report, &[], 0, 0),
            ["Nothing to rewrite (0 files checked)"]
        );
        assert_eq!(
            summary(Mode::Write, &[], 0, 2),
            [
                "Nothing to rewrite (0 files checked)",
                "2 errors; files with errors were left unchanged"
            ]
        );
    }
}
