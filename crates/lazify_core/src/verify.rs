//! The last gate before any text leaves the engine: the rewritten source must parse and pass the PEP 810
//! placement check.

/// Re-parses `fixed`; the error message says what broke.
pub(crate) fn verify(fixed: &str) -> Result<(), String> {
    crate::python::parse(fixed)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_broken_output() {
        assert!(verify("lazy import os\n").is_ok());
        assert!(verify("def f():\n    lazy import os\n").is_err());
        assert!(verify("lazy\nimport (").is_err());
    }
}
