//! Editor settings: what the client sends in `initializationOptions` and `workspace/didChangeConfiguration`,
//! and how they combine with the settings files.
//!
//! Accepted shapes: the options object itself, or one wrapped as `{"lazify": {...}}` (as most clients send
//! `didChangeConfiguration`). Keys: `style` (`"lazy"` / `"lazy-modules"`), `targetVersion` (`"py315"`,
//! `"3.15"`), `keep` (module patterns, added to the files' keep list), `severity` (`"hint"`, `"information"`
//! (the default), `"warning"`), `includePreloaded`, `lazyReexports`, `python` (the target interpreter or virtual environment whose
//! installed packages tell what imported modules do when they load). A bad value (or an unknown key) is reported with
//! the key and the value, and that key keeps its previous value (the default at start-up); the other keys still
//! apply. A `null` value means "not set" (clients send `null` for settings the user left alone). Editor values win
//! over the files' values (as ruff's `editorFirst`).

use lazify_core::{KeepList, PythonVersion, Settings, Style};
use lsp_types::DiagnosticSeverity;
use serde_json::Value;

/// The severity of the `LZF001` diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Shown faintly; most editors barely show it.
    Hint,
    /// Information (the default: nothing is wrong, something can be better, and editors show it).
    #[default]
    Information,
    /// Warning.
    Warning,
}

impl Severity {
    /// The name in the settings.
    fn name(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Information => "information",
            Severity::Warning => "warning",
        }
    }

    /// The LSP severity.
    pub(crate) fn lsp(self) -> DiagnosticSeverity {
        match self {
            Severity::Hint => DiagnosticSeverity::HINT,
            Severity::Information => DiagnosticSeverity::INFORMATION,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }
    }
}

/// The settings the editor gave.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientSettings {
    /// Overrides the files' `style`.
    pub(crate) style: Option<Style>,
    /// Overrides the files' `target-version` and `requires-python`.
    pub(crate) target_version: Option<PythonVersion>,
    /// Added to the files' `keep` list.
    pub(crate) keep: Vec<String>,
    /// Diagnostic severity.
    pub(crate) severity: Severity,
    /// Overrides `include-preloaded`.
    pub(crate) include_preloaded: Option<bool>,
    /// Overrides `lazy-reexports`.
    pub(crate) lazy_reexports: Option<bool>,
    /// Overrides `python` (the target interpreter or virtual environment).
    pub(crate) python: Option<std::path::PathBuf>,
}

impl ClientSettings {
    /// Reads the settings from a JSON value; returns them with one message per ignored value. A key whose value
    /// is bad keeps its value from `previous`.
    pub(crate) fn from_json(value: &Value, previous: &Self) -> (Self, Vec<String>) {
        let mut settings = Self::default();
        let mut problems = Vec::new();
        let object = match value.get("lazify") {
            Some(inner) => inner,
            None => value,
        };
        let Some(object) = object.as_object() else {
            if !object.is_null() {
                problems.push(format!("lazify settings must be an object, got `{object}`"));
            }
            return (settings, problems);
        };
        for (key, value) in object {
            if value.is_null() {
                continue;
            }
            let result = match key.as_str() {
                "style" => string(value).and_then(|s| s.parse().map(|s| settings.style = Some(s))),
                "targetVersion" | "target-version" => string(value)
                    .and_then(|s| s.parse().map(|v| settings.target_version = Some(v))),
                "keep" => strings(value).and_then(|keep| {
                    KeepList::new(keep.iter().cloned())?;
                    settings.keep = keep;
                    Ok(())
                }),
                "severity" => string(value).and_then(|s| {
                    settings.severity = match s {
                        "hint" => Severity::Hint,
                        "information" | "info" => Severity::Information,
                        "warning" => Severity::Warning,
                        other => {
                            return Err(format!(
                                "unknown severity `{other}` (expected `hint`, `information` or `warning`)"
                            ));
                        }
                    };
                    Ok(())
                }),
                "includePreloaded" | "include-preloaded" => {
                    boolean(value).map(|b| settings.include_preloaded = Some(b))
                }
                "lazyReexports" | "lazy-reexports" => {
                    boolean(value).map(|b| settings.lazy_reexports = Some(b))
                }
                "python" => string(value).map(|s| settings.python = Some(s.into())),
                other => Err(format!("unknown setting `{other}`")),
            };
            if let Err(e) = result {
                let kept = settings.keep_previous(key, previous);
                problems.push(format!(
                    "lazify setting `{key}` = {value} ignored: {e}; {kept}"
                ));
            }
        }
        (settings, problems)
    }

    /// Copies the value of `key` from `previous` (after a bad value); says what stays in effect.
    fn keep_previous(&mut self, key: &str, previous: &Self) -> String {
        fn shown<T: std::fmt::Display>(value: Option<T>) -> String {
            value.map_or_else(
                || "it stays unset".to_string(),
                |v| format!("it stays `{v}`"),
            )
        }
        match key {
            "style" => {
                self.style = previous.style;
                shown(self.style)
            }
            "targetVersion" | "target-version" => {
                self.target_version = previous.target_version;
                shown(self.target_version)
            }
            "keep" => {
                self.keep.clone_from(&previous.keep);
                format!("it stays {:?}", self.keep)
            }
            "severity" => {
                self.severity = previous.severity;
                format!("it stays `{}`", self.severity.name())
            }
            "includePreloaded" | "include-preloaded" => {
                self.include_preloaded = previous.include_preloaded;
                shown(self.include_preloaded)
            }
            "lazyReexports" | "lazy-reexports" => {
                self.lazy_reexports = previous.lazy_reexports;
                shown(self.lazy_reexports)
            }
            _ => {
                "it is not a lazify setting (known: `style`, `targetVersion`, `keep`, `severity`, \
                  `includePreloaded`, `lazyReexports`)"
                    .to_string()
            }
        }
    }

    /// The editor settings as the overrides `lazify_workspace` puts on top of the files' settings.
    pub(crate) fn overrides(&self) -> lazify_workspace::Overrides {
        lazify_workspace::Overrides {
            style: self.style,
            target_version: self.target_version,
            keep: self.keep.clone(),
            include_preloaded: self.include_preloaded,
            lazy_reexports: self.lazy_reexports,
            python: self.python.clone(),
            ..lazify_workspace::Overrides::default()
        }
    }

    /// The files' settings with the editor's on top.
    pub(crate) fn apply_to(&self, mut settings: Settings) -> Result<Settings, String> {
        if let Some(style) = self.style {
            settings.style = Some(style);
        }
        if let Some(version) = self.target_version {
            settings.target_version = Some(version);
            settings.target_version_source = Some("the editor setting `targetVersion`".to_string());
        }
        if !self.keep.is_empty() {
            let patterns = settings
                .keep
                .patterns()
                .iter()
                .cloned()
                .chain(self.keep.iter().cloned());
            settings.keep = KeepList::new(patterns)?;
        }
        if let Some(b) = self.include_preloaded {
            settings.include_preloaded = b;
        }
        if let Some(b) = self.lazy_reexports {
            settings.lazy_reexports = b;
        }
        Ok(settings)
    }
}

fn string(value: &Value) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("expected a string, got `{value}`"))
}

fn boolean(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("expected true or false, got `{value}`"))
}

fn strings(value: &Value) -> Result<Vec<String>, String> {
    let err = || format!("expected a list of strings, got `{value}`");
    value
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(err))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_flat_and_wrapped_settings() {
        let (s, problems) = ClientSettings::from_json(
            &json!({
                "style": "lazy", "targetVersion": "3.15", "keep": ["numpy"], "severity": "warning"
            }),
            &ClientSettings::default(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.style, Some(Style::Lazy));
        assert_eq!(s.target_version, Some(PythonVersion::PY315));
        assert_eq!(s.keep, ["numpy"]);
        assert_eq!(s.severity, Severity::Warning);

        let (s, problems) = ClientSettings::from_json(
            &json!({"lazify": {"style": "lazy-modules"}}),
            &ClientSettings::default(),
        );
        assert!(problems.is_empty());
        assert_eq!(s.style, Some(Style::LazyModules));
    }

    #[test]
    fn bad_values_are_ignored_one_by_one() {
        let (s, problems) = ClientSettings::from_json(
            &json!({
                "style": "eager", "severity": "error", "keep": "numpy", "targetVersion": "py315"
            }),
            &ClientSettings::default(),
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(s.style, None);
        assert_eq!(s.severity, Severity::Information);
        assert_eq!(s.target_version, Some(PythonVersion::PY315));
        let (_, problems) = ClientSettings::from_json(&Value::Null, &ClientSettings::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn a_bad_value_keeps_the_previous_one_and_names_key_and_value() {
        let previous = ClientSettings {
            style: Some(Style::LazyModules),
            severity: Severity::Warning,
            keep: vec!["numpy".to_string()],
            ..ClientSettings::default()
        };
        let (s, problems) = ClientSettings::from_json(
            &json!({"lazify": {"style": "bogus", "severity": 3, "keep": ["pandas", 3], "colour": "red"}}),
            &previous,
        );
        assert_eq!(s.style, Some(Style::LazyModules));
        assert_eq!(s.severity, Severity::Warning);
        assert_eq!(s.keep, ["numpy"]);
        assert_eq!(problems.len(), 4, "{problems:?}");
        let style = problems
            .iter()
            .find(|p| p.contains("setting `style`"))
            .unwrap();
        assert!(
            style.contains(r#""bogus""#) && style.contains("it stays `lazy-modules`"),
            "{style}"
        );
        assert!(
            problems.iter().any(|p| p.contains("`colour` = \"red\"")),
            "{problems:?}"
        );
        // Keys left out go back to their defaults; `null` means "not set" and is no problem.
        let (s, problems) =
            ClientSettings::from_json(&json!({"style": null, "severity": "hint"}), &previous);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((s.style, s.severity), (None, Severity::Hint));
        assert!(s.keep.is_empty());
    }

    #[test]
    fn editor_values_override_and_extend_files() {
        let files = Settings {
            style: Some(Style::LazyModules),
            keep: KeepList::new(["numpy"]).unwrap(),
            ..Settings::default()
        };
        let editor = ClientSettings {
            style: Some(Style::Lazy),
            keep: vec!["pandas".to_string()],
            ..ClientSettings::default()
        };
        let merged = editor.apply_to(files).unwrap();
        assert_eq!(merged.style, Some(Style::Lazy));
        assert_eq!(merged.keep.patterns(), ["numpy", "pandas"]);
    }
}
