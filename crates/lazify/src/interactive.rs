//! `--interactive`: show each file's diff and ask whether to apply it.
//!
//! The files are analysed first, as for `--diff`, and nothing is written during the analysis. Then each file
//! that would change gets its unified diff (coloured when stdout is a terminal, or with `--color always`) and
//! the question `Apply? [y]es [n]o [a]ll [q]uit`. Only accepted files are written, atomically, and only when
//! the file on disk is still what was analysed. Answers are read a line at a time from stdin, which must be a
//! terminal: without one there is nobody to ask, and the run stops with exit code 2 before analysing.

use std::io::{self, BufRead, Write as _};
use std::path::Path;

use lazify_workspace::{FileResult, WorkspaceError, diff::unified_diff, write::write_checked};

use crate::printer::Printer;

/// The question after each diff.
pub(crate) const PROMPT: &str = "Apply? [y]es [n]o [a]ll [q]uit ";

/// One answer to [`PROMPT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Write this file.
    Yes,
    /// Leave this file as it is.
    No,
    /// Write this file and every remaining one without asking.
    All,
    /// Leave this file and every remaining one as they are.
    Quit,
}

impl Answer {
    /// Reads `y`, `yes`, `n`, `no`, `a`, `all`, `q`, `quit` (any case, surrounding blanks ignored).
    pub(crate) fn parse(line: &str) -> Option<Self> {
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Some(Self::Yes),
            "n" | "no" => Some(Self::No),
            "a" | "all" => Some(Self::All),
            "q" | "quit" => Some(Self::Quit),
            _ => None,
        }
    }
}

/// What the review did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Review {
    /// Files written, and the imports rewritten in them.
    pub(crate) written: usize,
    pub(crate) imports: usize,
    /// Files that would change but were declined or not reached.
    pub(crate) declined: usize,
    /// Files whose write failed (reported on stderr).
    pub(crate) errors: usize,
}

/// Shows each changing file's diff, asks, and writes the accepted ones. `absolute` turns a result's path
/// into the path to write. End of input counts as [`Answer::Quit`].
pub(crate) fn review(
    files: &mut [FileResult],
    absolute: &dyn Fn(&Path) -> std::path::PathBuf,
    printer: &mut Printer<'_>,
    input: &mut dyn BufRead,
) -> io::Result<Review> {
    let mut review = Review::default();
    let mut all = false;
    let mut quit = false;
    for file in files.iter_mut() {
        if !file.would_change() || file.has_error() {
            continue;
        }
        if quit {
            review.declined += 1;
            continue;
        }
        let (Some(source), Some(fixed)) = (file.source(), file.fixed()) else {
            continue;
        };
        let diff = unified_diff(&file.path.display().to_string(), source, fixed);
        write_diff(printer, &diff)?;
        let answer = if all {
            Answer::All
        } else {
            ask(printer, input)?
        };
        match answer {
            Answer::Yes | Answer::All => {
                all |= answer == Answer::All;
                match apply(file, &absolute(&file.path)) {
                    Ok(()) => {
                        file.written = true;
                        review.written += 1;
                        review.imports += file.rewrite_count();
                        writeln!(printer.out, "Wrote {}", file.path.display())?;
                    }
                    Err(error) => {
                        printer.workspace_error(&error)?;
                        file.error = Some(error);
                        review.errors += 1;
                    }
                }
            }
            Answer::No => review.declined += 1,
            Answer::Quit => {
                quit = true;
                review.declined += 1;
            }
        }
    }
    Ok(review)
}

/// Prints the prompt until a valid answer comes; end of input is `Quit`.
fn ask(printer: &mut Printer<'_>, input: &mut dyn BufRead) -> io::Result<Answer> {
    loop {
        let prompt = if printer.color_out {
            format!("\x1b[1m{PROMPT}\x1b[0m")
        } else {
            PROMPT.to_string()
        };
        write!(printer.out, "{prompt}")?;
        printer.out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(printer.out)?;
            return Ok(Answer::Quit);
        }
        if let Some(answer) = Answer::parse(&line) {
            return Ok(answer);
        }
        writeln!(
            printer.out,
            "Please answer y (apply this file), n (skip it), a (apply this and all the rest) or q (stop)."
        )?;
    }
}

/// The diff, with `-`/`+` lines in red/green and headers in bold when colours are on.
pub(crate) fn write_diff(printer: &mut Printer<'_>, diff: &str) -> io::Result<()> {
    if !printer.color_out {
        return write!(printer.out, "{diff}");
    }
    for line in diff.split_inclusive('\n') {
        let (text, newline) = match line.strip_suffix('\n') {
            Some(text) => (text, "\n"),
            None => (line, ""),
        };
        let color = if text.starts_with("---") || text.starts_with("+++") {
            "1"
        } else if text.starts_with("@@") {
            "36"
        } else if text.starts_with('-') {
            "31"
        } else if text.starts_with('+') {
            "32"
        } else {
            ""
        };
        if color.is_empty() {
            write!(printer.out, "{text}{newline}")?;
        } else {
            write!(printer.out, "\x1b[{color}m{text}\x1b[0m{newline}")?;
        }
    }
    Ok(())
}

/// Writes the rewritten text, unless the file changed on disk since it was analysed (the writer checks, right
/// before it replaces the file).
fn apply(file: &FileResult, absolute: &Path) -> Result<(), WorkspaceError> {
    let (Some(decoded), Some(source), Some(fixed)) =
        (file.decoded.as_ref(), file.source(), file.fixed())
    else {
        return Ok(());
    };
    let original = decoded.encode(&file.path, source)?;
    let bytes = decoded.encode(&file.path, fixed)?;
    write_checked(&file.path, absolute, &original, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(Answer::parse("y\n"), Some(Answer::Yes));
        assert_eq!(Answer::parse(" YES "), Some(Answer::Yes));
        assert_eq!(Answer::parse("n"), Some(Answer::No));
        assert_eq!(Answer::parse("a\r\n"), Some(Answer::All));
        assert_eq!(Answer::parse("quit"), Some(Answer::Quit));
        assert_eq!(Answer::parse(""), None);
        assert_eq!(Answer::parse("yep"), None);
    }
}
