//! Links from the editor to the documentation: the `codeDescription` of a diagnostic points at the README's
//! table of reasons. The address is built from the package's `repository` metadata (`[workspace.package]
//! repository` in Cargo.toml); while that is empty, no link is given rather than an invented one.

use lsp_types::{CodeDescription, Uri};

/// The package's repository address, as Cargo.toml states it (empty when it states none).
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The README section a finding is documented in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// "Why an import is rewritten" (`LZF001`, and `LZF002`'s `resolved-at-once`).
    Rewritten,
    /// "Why an import is kept" (`keep::<reason>`).
    Kept,
}

impl Section {
    /// The heading's anchor in the rendered README.
    fn anchor(self) -> &'static str {
        match self {
            Section::Rewritten => "why-an-import-is-rewritten",
            Section::Kept => "why-an-import-is-kept",
        }
    }
}

/// The `codeDescription` for a finding documented in `section`, when the repository is known.
pub(crate) fn code_description(section: Section) -> Option<CodeDescription> {
    link(REPOSITORY, section)
}

/// `<repository>#<anchor>`: the repository's front page shows the README, and the anchor its section.
fn link(repository: &str, section: Section) -> Option<CodeDescription> {
    let repository = repository.trim().trim_end_matches('/');
    if repository.is_empty() {
        return None;
    }
    let href: Uri = format!("{repository}#{}", section.anchor()).parse().ok()?;
    Some(CodeDescription { href })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_need_a_repository() {
        assert_eq!(link("", Section::Kept), None);
        assert_eq!(link("  ", Section::Rewritten), None);
        let description = link("https://example.invalid/lazify/", Section::Kept).unwrap();
        assert_eq!(
            description.href.as_str(),
            "https://example.invalid/lazify#why-an-import-is-kept"
        );
        let description = link("https://example.invalid/lazify", Section::Rewritten).unwrap();
        assert_eq!(
            description.href.as_str(),
            "https://example.invalid/lazify#why-an-import-is-rewritten"
        );
    }

    /// The anchors are the README's headings, as GitHub and most renderers spell them.
    #[test]
    fn anchors_name_readme_headings() {
        let readme = include_str!("../../../README.md");
        for (section, heading) in [
            (Section::Rewritten, "### Why an import is rewritten\n"),
            (Section::Kept, "### Why an import is kept\n"),
        ] {
            assert!(readme.contains(heading), "{heading}");
            let anchor = heading
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .replace(' ', "-");
            assert_eq!(section.anchor(), anchor);
        }
    }
}
