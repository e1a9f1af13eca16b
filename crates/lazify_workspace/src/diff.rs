//! Unified diffs of a file before and after the rewrite, as `--diff` prints them.

use similar::{Algorithm, TextDiff};

/// A unified diff with `--- a/<path>` / `+++ b/<path>` headers and 3 lines of context. Empty when the texts
/// are equal. A missing final newline is marked as `diff` marks it. An absolute path loses its leading `/` in
/// the headers (`a/tmp/x.py`, not `a//tmp/x.py`), as git writes them.
///
/// Only the lines between the first and the last change (with their context) are handed to the diff
/// algorithm: the common lines before and after are found with a byte comparison, and the hunk headers are
/// shifted by the lines left out. The output is the same as diffing the whole texts, which on a large file split
/// every line of both texts and hashed them (a sixth of `--diff`'s time on the benchmark corpus).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let path = path.trim_start_matches('/');
    let (start, skipped_lines, old_end, new_end) = changed_region(old, new);
    let (old_region, new_region) = (&old[start..old_end], &new[start..new_end]);
    let diff = TextDiff::configure()
        .algorithm(algorithm(old_region, new_region))
        .diff_lines(old_region, new_region);
    let text = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if skipped_lines == 0 {
        return text;
    }
    let mut shifted = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        match shift_hunk_header(line, skipped_lines) {
            Some(header) => shifted.push_str(&header),
            None => shifted.push_str(line),
        }
    }
    shifted
}

/// Myers's diff (git's default) for regions up to this many lines (both texts together), patience beyond.
const MYERS_MAX_LINES: usize = 20_000;

/// The algorithm for a changed region. Myers takes time in proportion to the region's lines times the changed
/// lines: where `local` adds an import to each of 80,000 functions that was 100 s. Patience first pairs the lines
/// that occur once in both texts, then diffs between them, which is linear there; its hunks can group a
/// blank line differently, so smaller regions keep Myers and the diffs they always had.
fn algorithm(old: &str, new: &str) -> Algorithm {
    let lines = memchr::memchr_iter(b'\n', old.as_bytes()).count()
        + memchr::memchr_iter(b'\n', new.as_bytes()).count();
    if lines > MYERS_MAX_LINES {
        Algorithm::Patience
    } else {
        Algorithm::Myers
    }
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// Where the texts differ, widened by [`CONTEXT`] lines: the byte offset where both regions start (the same
/// in both texts), the number of lines before it, and where the region ends in `old` and in `new`. Both ends
/// fall on line starts.
fn changed_region(old: &str, new: &str) -> (usize, usize, usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    // The whole lines of the common prefix (the line holding the first difference is not common): where they
    // end, how many there are, and where the last `CONTEXT` of them start.
    let common_lines = memchr::memchr_iter(b'\n', &a[..common]).count();
    let skipped_lines = common_lines.saturating_sub(CONTEXT);
    let mut last_newlines = memchr::memrchr_iter(b'\n', &a[..common]);
    let prefix_end = last_newlines.next().map_or(0, |i| i + 1);
    let start = if skipped_lines == 0 {
        0
    } else {
        // The newline ending line `skipped_lines`: CONTEXT newlines before the last one.
        std::iter::once(prefix_end - 1)
            .chain(last_newlines)
            .nth(CONTEXT)
            .map_or(0, |i| i + 1)
    };
    // The common suffix, not reaching into the common prefix's whole lines of either text.
    let limit = a.len().min(b.len()) - prefix_end;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(limit)
        .take_while(|(x, y)| x == y)
        .count();
    // Line starts within the suffix (the same in both texts): after each of its newlines, and at its start when
    // both texts have a newline (or nothing) just before it.
    let (old_suffix, new_suffix) = (a.len() - suffix, b.len() - suffix);
    let line_start_at_edge = (old_suffix == prefix_end || a[old_suffix - 1] == b'\n')
        && (new_suffix == prefix_end || b[new_suffix - 1] == b'\n');
    let mut suffix_starts = line_start_at_edge.then_some(0).into_iter().chain(
        memchr::memchr_iter(b'\n', &a[old_suffix..])
            .map(|i| i + 1)
            .filter(|&i| i < suffix),
    );
    // Keep the context lines after the last change.
    match suffix_starts.nth(CONTEXT) {
        Some(offset) => (
            start,
            skipped_lines,
            old_suffix + offset,
            new_suffix + offset,
        ),
        None => (start, skipped_lines, a.len(), b.len()),
    }
}

/// A hunk header (`@@ -3,4 +3,5 @@`) with both ranges moved `lines` down; `None` for any other line.
fn shift_hunk_header(line: &str, lines: usize) -> Option<String> {
    let inner = line.strip_prefix("@@ -")?.strip_suffix(" @@\n")?;
    let (old, new) = inner.split_once(" +")?;
    let shift = |range: &str| -> Option<String> {
        let (start, len) = match range.split_once(',') {
            Some((start, len)) => (start.parse::<usize>().ok()?, len.parse::<usize>().ok()?),
            None => (range.parse::<usize>().ok()?, 1),
        };
        // As similar writes them: a range of one line is its number, an empty range names the line before it.
        Some(match len {
            1 => format!("{}", start + lines),
            _ => format!("{},{len}", start + lines),
        })
    };
    Some(format!("@@ -{} +{} @@\n", shift(old)?, shift(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_get_single_slash_headers() {
        let diff = unified_diff("/tmp/a.py", "import json\n", "lazy import json\n");
        assert!(
            diff.starts_with("--- a/tmp/a.py\n+++ b/tmp/a.py\n"),
            "{diff}"
        );
    }

    #[test]
    fn headers_and_context() {
        let old = "import json\n\n\ndef f():\n    return json.dumps(1)\n";
        let new = "lazy import json\n\n\ndef f():\n    return json.dumps(1)\n";
        let diff = unified_diff("pkg/a.py", old, new);
        assert_eq!(
            diff,
            "--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1,4 +1,4 @@\n-import json\n+lazy import json\n \n \n def f():\n"
        );
        assert_eq!(unified_diff("x.py", old, old), "");
    }

    /// The plain diff of the whole texts, as `unified_diff` wrote it before it left out the common lines.
    fn whole(path: &str, old: &str, new: &str) -> String {
        if old == new {
            return String::new();
        }
        TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string()
    }

    #[test]
    fn leaving_out_common_lines_changes_nothing() {
        let lines: Vec<String> = (0..40).map(|i| format!("line {i}\n")).collect();
        let base: String = lines.concat();
        let mut cases: Vec<(String, String)> = Vec::new();
        for at in [0, 1, 2, 3, 4, 5, 10, 20, 35, 36, 37, 38, 39] {
            // Change, insert and delete one line; change two lines some way apart.
            let mut changed = lines.clone();
            changed[at] = format!("lazy {}", lines[at]);
            cases.push((base.clone(), changed.concat()));
            let mut inserted = lines.clone();
            inserted.insert(at, "    import json\n".to_string());
            cases.push((base.clone(), inserted.concat()));
            let mut deleted = lines.clone();
            deleted.remove(at);
            cases.push((base.clone(), deleted.concat()));
            for gap in [1, 5, 6, 7, 8, 12] {
                if at + gap < lines.len() {
                    let mut two = lines.clone();
                    two[at] = "x\n".to_string();
                    two[at + gap] = "y\n".to_string();
                    cases.push((base.clone(), two.concat()));
                }
            }
        }
        // Missing final newlines, a change in the last line, repeated lines, empty texts, one text a prefix
        // of the other.
        let trimmed = base.trim_end_matches('\n');
        cases.push((trimmed.to_string(), format!("{trimmed}x")));
        cases.push((trimmed.to_string(), base.clone()));
        cases.push((base.clone(), trimmed.to_string()));
        cases.push((format!("a\n{trimmed}"), format!("b\n{trimmed}")));
        cases.push(("a\na\na\na\na\n".into(), "a\na\na\na\na\na\n".into()));
        cases.push(("a\nb\na\nb\na\nb\n".into(), "a\nb\na\nc\na\nb\n".into()));
        cases.push((String::new(), "import json\n".into()));
        cases.push(("import json\n".into(), String::new()));
        cases.push((base.clone(), format!("{base}extra\n")));
        cases.push((base.clone(), base[..base.len() / 2].to_string()));
        cases.push(("é\nü\n".repeat(10), format!("{}ü\né\n", "é\nü\n".repeat(9))));
        for (old, new) in &cases {
            assert_eq!(
                unified_diff("m.py", old, new),
                whole("m.py", old, new),
                "{old:?}\n{new:?}"
            );
        }
    }

    #[test]
    fn an_import_moved_into_every_function_diffs_as_myers_does() {
        // The shape that made Myers quadratic: `local` removes the import and adds it to each function.
        let mut old = String::from("import json\n\n\n");
        let mut new = String::from("\n\n");
        for i in 0..3000 {
            let def = format!("def f{i}(x):\n");
            let body = format!("    return json.dumps([x, {i}])\n\n\n");
            old.push_str(&def);
            old.push_str(&body);
            new.push_str(&def);
            new.push_str("    import json\n");
            new.push_str(&body);
        }
        // Past the size where patience takes over, and the diff is still the one Myers gives.
        assert_eq!(algorithm(&old, &new), Algorithm::Patience);
        assert_eq!(unified_diff("m.py", &old, &new), whole("m.py", &old, &new));
    }

    #[test]
    fn marks_missing_final_newline() {
        let diff = unified_diff("x.py", "import json", "lazy import json");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
