//! What a finding carries to be applied: its [`Fix`] (edits, title, applicability), and the two kinds of text a
//! fix produces, [`UnverifiedText`] (edits spliced in, nothing checked) and [`VerifiedText`] (re-parsed,
//! placement-checked, every comment kept). Only the engine's verification turns the first into the second, so
//! that no caller can write or show text that was not verified.
//!
//! The model is ruff's (`ruff_diagnostics::Fix`): each rewrite verdict of a file belongs to exactly one fix,
//! and the fixes of a file partition its edits. A fix is the smallest set of edits that stands alone: one
//! statement's edits in style `lazy`; in styles that share text between imports (the one `__lazy_modules__`
//! list, a function that receives several moved imports, the one block of hoisted imports), every import that
//! shares it (ruff's isolation group), and the title says which. Applying every distinct fix of a file once, in
//! one pass, gives the file's rewritten text.

use std::fmt;
use std::ops::Deref;

use ruff_text_size::{Ranged, TextRange};
use serde::Serialize;

use crate::edit::Edit;

/// How safe a fix is to apply, as in ruff. lazify rewrites only what it proved safe (there is no
/// `--unsafe-fixes`), so every fix is [`Applicability::Safe`]; the field is there for tools that read ruff's
/// JSON shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Proven not to change what the program does.
    Safe,
}

/// The edits that rewrite one finding (or the group of findings that share text), with the title an editor
/// shows for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    code: String,
    title: String,
    applicability: Applicability,
    edits: Vec<Edit>,
    members: Vec<usize>,
}

impl Fix {
    pub(crate) fn new(code: String, title: String, edits: Vec<Edit>, members: Vec<usize>) -> Self {
        Self {
            code,
            title,
            applicability: Applicability::Safe,
            edits,
            members,
        }
    }

    /// The code of the findings it fixes: `LZF001`, or `LZF002` for a `lazy` import made eager.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The imperative title, e.g. ``Make `json` lazy`` or ``Add `a`, `b` to `__lazy_modules__` ``.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// How safe it is to apply.
    pub fn applicability(&self) -> Applicability {
        self.applicability
    }

    /// The edits, in the order they were made (applying sorts them by position).
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// The indices (in [`crate::FileOutcome::verdicts`]) of the verdicts this fix rewrites, in order.
    pub fn members(&self) -> &[usize] {
        &self.members
    }

    /// The smallest range that holds every edit.
    pub fn range(&self) -> Option<TextRange> {
        self.edits
            .iter()
            .map(Ranged::range)
            .reduce(TextRange::cover)
    }
}

/// Text with edits spliced in and not checked: it may (through a lazify bug) not parse. Only
/// [`crate::verify_fix`] and the engine's own check turn it into [`VerifiedText`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnverifiedText(String);

impl UnverifiedText {
    pub(crate) fn new(text: String) -> Self {
        Self(text)
    }

    /// The text, to inspect (not to write: verify it first).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn verified(self) -> VerifiedText {
        VerifiedText(self.0)
    }
}

impl PartialEq<&str> for UnverifiedText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Rewritten text that re-parsed, passed the PEP 810 placement check, kept every comment and the coding
/// declaration Python obeys. Made only by the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedText(String);

impl VerifiedText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for VerifiedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for VerifiedText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VerifiedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for VerifiedText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for VerifiedText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for VerifiedText {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl From<VerifiedText> for String {
    fn from(text: VerifiedText) -> Self {
        text.0
    }
}

/// Groups `owned` edits (each with the candidates that need it) into fixes: candidates that share an edit, and
/// edits that share a candidate, end up in one fix. Returns, per fix, its members (sorted) and the indices of
/// its edits (in their original order). Every edit is in exactly one fix; an edit without owners joins the
/// first fix (the planner never makes one; the debug assertion says so).
pub(crate) fn partition(owners: &[Vec<usize>]) -> Vec<(Vec<usize>, Vec<usize>)> {
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    debug_assert!(
        owners.iter().all(|o| !o.is_empty()),
        "every edit belongs to an import"
    );
    let mut parent: Vec<usize> = (0..owners.len()).collect();
    // The first edit seen for each candidate: later edits of the same candidate join it.
    let mut first_edit: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (e, list) in owners.iter().enumerate() {
        for &c in list {
            if let Some(&other) = first_edit.get(&c) {
                let (a, b) = (find(&mut parent, e), find(&mut parent, other));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            } else {
                first_edit.insert(c, e);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
    for (e, list) in owners.iter().enumerate() {
        let root = if list.is_empty() { 0 } else { e };
        let root = find(&mut parent, root);
        let at = if let Some(at) = groups.iter().position(|(r, _, _)| *r == root) {
            at
        } else {
            groups.push((root, Vec::new(), Vec::new()));
            groups.len() - 1
        };
        groups[at].1.extend(list.iter().copied());
        groups[at].2.push(e);
    }
    groups
        .into_iter()
        .map(|(_, mut members, edits)| {
            members.sort_unstable();
            members.dedup();
            (members, edits)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_edits_and_shared_owners_make_one_fix() {
        // Edit 0 and 2 share candidate 1; edit 1 stands alone; edit 3 shares candidate 5 with edit 2.
        let owners = vec![vec![0, 1], vec![3], vec![1, 5], vec![5], vec![4]];
        let groups = partition(&owners);
        assert_eq!(
            groups,
            vec![
                (vec![0, 1, 5], vec![0, 2, 3]),
                (vec![3], vec![1]),
                (vec![4], vec![4])
            ]
        );
    }
}
