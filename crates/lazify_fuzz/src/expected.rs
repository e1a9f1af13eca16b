//! The `expected-failures` file: failures of regression inputs that are known and being fixed elsewhere.
//!
//! One failure a line: `<file> <style> <kind>`, then optionally `# <the issue item>`. Blank lines and lines
//! starting with `#` are comments. The replay compares the failures it sees with the list both ways: a failure
//! not listed is a regression, and a listed failure that no longer happens must be removed from the list (so the
//! list only shrinks).

use std::collections::BTreeSet;

use crate::check::{Config, Kind};

/// One expected (or observed) failure.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// The regression file's name (no directory).
    pub file: String,
    /// The style.
    pub config: Config,
    /// What breaks.
    pub kind: Kind,
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.file, self.config, self.kind)
    }
}

/// Parses the file; an error names the line.
pub fn parse(text: &str) -> Result<BTreeSet<Entry>, String> {
    let mut entries = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [file, config, kind] = fields[..] else {
            return Err(format!(
                "line {}: expected `<file> <style> <kind>`, got {line:?}",
                n + 1
            ));
        };
        let config = Config::from_name(config)
            .ok_or_else(|| format!("line {}: unknown style {config:?}", n + 1))?;
        let kind = Kind::from_name(kind)
            .ok_or_else(|| format!("line {}: unknown kind {kind:?}", n + 1))?;
        entries.insert(Entry {
            file: file.to_string(),
            config,
            kind,
        });
    }
    Ok(entries)
}

/// What the replay found against the list.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Failures not in the list: regressions (or new findings to list).
    pub unexpected: Vec<Entry>,
    /// Listed failures that no longer happen: remove them from the list.
    pub fixed: Vec<Entry>,
}

impl Comparison {
    /// Whether the replay matches the list exactly.
    pub fn is_clean(&self) -> bool {
        self.unexpected.is_empty() && self.fixed.is_empty()
    }
}

/// Compares observed failures with the expected ones.
pub fn compare(expected: &BTreeSet<Entry>, observed: &BTreeSet<Entry>) -> Comparison {
    Comparison {
        unexpected: observed.difference(expected).cloned().collect(),
        fixed: expected.difference(observed).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_compares_both_ways() {
        let expected = parse(
            "# known\n\na.py local comment-lost  # comments dropped by local\nb.py lazy-modules reparse\n",
        )
        .unwrap();
        assert_eq!(expected.len(), 2);
        let observed: BTreeSet<Entry> = [
            Entry {
                file: "a.py".into(),
                config: Config::Local,
                kind: Kind::CommentLost,
            },
            Entry {
                file: "c.py".into(),
                config: Config::Lazy,
                kind: Kind::Panic,
            },
        ]
        .into();
        let comparison = compare(&expected, &observed);
        assert_eq!(comparison.unexpected.len(), 1);
        assert_eq!(comparison.unexpected[0].file, "c.py");
        assert_eq!(comparison.fixed.len(), 1);
        assert_eq!(comparison.fixed[0].file, "b.py");
        assert!(!comparison.is_clean());
        assert!(parse("a.py local\n").is_err());
        assert!(parse("a.py nope panic\n").is_err());
    }
}
