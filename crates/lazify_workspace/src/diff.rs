//! Unified diffs of a file before and after the rewrite, as `--diff` prints them.

use similar::TextDiff;

/// A unified diff with `--- a/<path>` / `+++ b/<path>` headers and 3 lines of context. Empty when the texts
/// are equal. A missing final newline is marked as `diff` marks it. An absolute path loses its leading `/` in
/// the headers (`a/tmp/x.py`, not `a//tmp/x.py`), as git writes them.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let path = path.trim_start_matches('/');
    let diff = TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
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

    #[test]
    fn marks_missing_final_newline() {
        let diff = unified_diff("x.py", "import json", "lazy import json");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
