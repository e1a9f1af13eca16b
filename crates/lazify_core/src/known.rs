//! Built-in module lists: modules that act when imported, and modules every interpreter has loaded before
//! user code runs.

/// Modules known to act when imported (patching, registering, configuring, printing). Their imports stay
/// eager. A name matches itself and its submodules; `.*` entries match submodules only.
pub(crate) const SIDE_EFFECT_MODULES: &[&str] = &[
    // The standard library.
    "readline",      // installs line editing for input()
    "rlcompleter",   // installs tab completion
    "site",          // sets up sys.path
    "sitecustomize", // site-wide start-up hook
    "usercustomize", // per-user start-up hook
    "antigravity",   // opens a web browser
    "this",          // prints the Zen of Python
    "__hello__",     // prints on import
    "__phello__",    // prints on import
    "encodings.*",   // codec registration
    // Third-party replacements of the above.
    "gnureadline",
    "pyreadline3",
    // Patching and instrumentation by import.
    "gevent.monkey",
    "ddtrace.auto",
    "opentelemetry.instrumentation.auto_instrumentation",
    "_distutils_hack",
    "setuptools",    // replaces distutils
    "pkg_resources", // declares namespace packages, scans installed distributions
    // Registration and configuration by import.
    "matplotlib.backends.*",
    "mpl_toolkits.mplot3d", // registers the 3d projection
    "pygame",               // prints a banner on import
];

/// Modules the interpreter has loaded before user code runs (`CPython` 3.15, `python3.15 -c 'import sys;
/// print(sorted(sys.modules))'`, public names): deferring them saves nothing.
pub(crate) const PRELOADED_MODULES: &[&str] = &[
    "abc",
    "builtins",
    "codecs",
    "encodings",
    "errno",
    "genericpath",
    "linecache",
    "marshal",
    "os",
    "os.path",
    "posix",
    "posixpath",
    "site",
    "stat",
    "sys",
    "time",
    "zipimport",
];

/// The first components of [`SIDE_EFFECT_MODULES`]' entries: a module whose first component is not among them
/// matches no entry, which one lookup tells (the planner asks for every import).
static SIDE_EFFECT_HEADS: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        SIDE_EFFECT_MODULES
            .iter()
            .map(|entry| entry.split('.').next().unwrap_or_default())
            .collect()
    });

/// The side-effect entry matching `module`, if any.
pub(crate) fn side_effect_entry(module: &str) -> Option<&'static str> {
    if !SIDE_EFFECT_HEADS.contains(module.split('.').next().unwrap_or_default()) {
        return None;
    }
    let first = module.as_bytes().first();
    SIDE_EFFECT_MODULES.iter().copied().find(|entry| {
        if entry.as_bytes().first() != first {
            false
        } else if let Some(prefix) = entry.strip_suffix(".*") {
            module
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        } else {
            module == *entry
                || module
                    .strip_prefix(entry)
                    .is_some_and(|rest| rest.starts_with('.'))
        }
    })
}

/// Whether `module` is always loaded at start-up.
pub(crate) fn is_preloaded(module: &str) -> bool {
    PRELOADED_MODULES.contains(&module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_effect_matching() {
        assert_eq!(side_effect_entry("gevent.monkey"), Some("gevent.monkey"));
        assert_eq!(side_effect_entry("gevent"), None);
        assert_eq!(
            side_effect_entry("matplotlib.backends.backend_agg"),
            Some("matplotlib.backends.*")
        );
        assert_eq!(side_effect_entry("matplotlib"), None);
        assert_eq!(side_effect_entry("readline"), Some("readline"));
        assert_eq!(side_effect_entry("readlines"), None);
        assert!(is_preloaded("os.path"));
        assert!(!is_preloaded("json"));
    }
}
