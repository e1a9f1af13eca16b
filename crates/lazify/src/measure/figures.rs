//! Turning samples into figures: medians, self times, the cost of each import statement, the packages left.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lazify_core::{Decision, ImportVerdict};

use super::probe;
use super::probe::{Sample, Variant};
use super::{Figures, Package, UseFigures};

pub(super) fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        f64::midpoint(values[mid - 1], values[mid])
    }
}

pub(super) const MIB: f64 = 1024.0 * 1024.0;

pub(super) fn figures(plain: &[Sample], traced: &[Sample], has_use: bool) -> Figures {
    let phase = |samples: &[Sample], name: &str, f: fn(&probe::PhaseFigures) -> f64| {
        median(
            samples
                .iter()
                .filter_map(|s| s.phases.get(name).map(f))
                .collect(),
        )
    };
    Figures {
        time_ms: phase(plain, "import", |p| p.time_us) / 1000.0,
        modules: phase(plain, "import", |p| p.modules),
        rss_mib: phase(plain, "import", |p| p.peak_kib) / 1024.0,
        alloc_mib: phase(traced, "import", |p| p.alloc_peak) / MIB,
        use_: has_use.then(|| UseFigures {
            time_ms: phase(plain, "use", |p| p.time_us) / 1000.0,
            modules: phase(plain, "use", |p| p.modules),
            rss_mib: phase(plain, "use", |p| p.peak_kib) / 1024.0,
            alloc_mib: phase(traced, "use", |p| p.alloc_peak) / MIB,
        }),
    }
}

/// Each module's median self time (µs) over the attribution runs.
pub(super) fn self_times(samples: &[Sample]) -> HashMap<String, f64> {
    fn walk(node: &probe::Node, into: &mut HashMap<String, Vec<f64>>) {
        into.entry(node.name.clone())
            .or_default()
            .push(node.self_us);
        for child in &node.children {
            walk(child, into);
        }
    }
    let mut all: HashMap<String, Vec<f64>> = HashMap::new();
    for sample in samples {
        for roots in sample.trees.values() {
            for node in roots {
                walk(node, &mut all);
            }
        }
    }
    all.into_iter().map(|(k, v)| (k, median(v))).collect()
}

/// What one statement cost in one copy: medians over the runs.
#[derive(Debug, Default)]
pub(super) struct Cost {
    pub(super) own_ms: f64,
    pub(super) cumulative_ms: f64,
    pub(super) own: Vec<String>,
    pub(super) cumulative_modules: usize,
    pub(super) rss_mib: f64,
    pub(super) alloc_mib: f64,
    pub(super) phase: Option<String>,
}

pub(super) fn samples_of<'a>(
    samples: &'a HashMap<(Variant, &'static str), Vec<Sample>>,
    variant: Variant,
    kind: &'static str,
) -> &'a [Sample] {
    samples.get(&(variant, kind)).map_or(&[], Vec::as_slice)
}

/// The records of the statement at `lines` (1-based, inclusive) of `file` in the runs.
pub(super) fn cost(
    attribution: &[Sample],
    traced: &[Sample],
    times: &HashMap<String, f64>,
    file: &Path,
    lines: (usize, usize),
) -> Cost {
    let matches = |r: &&probe::Record| r.file == file && r.line >= lines.0 && r.line <= lines.1;
    let mut own_ms = Vec::new();
    let mut cumulative_ms = Vec::new();
    let mut rss = Vec::new();
    let mut result = Cost::default();
    for sample in attribution {
        let records: Vec<&probe::Record> = sample.records.iter().filter(matches).collect();
        if records.is_empty() {
            own_ms.push(0.0);
            cumulative_ms.push(0.0);
            rss.push(0.0);
            continue;
        }
        let time = |modules: &[String]| modules.iter().filter_map(|m| times.get(m)).sum::<f64>();
        own_ms.push(records.iter().map(|r| time(&r.own)).sum::<f64>() / 1000.0);
        cumulative_ms.push(records.iter().map(|r| time(&r.modules)).sum::<f64>() / 1000.0);
        rss.push(records.iter().map(|r| r.own_rss_kib).sum::<f64>() / 1024.0);
        if result.phase.is_none() {
            result.phase = Some(records[0].phase.clone());
            result.own = records.iter().flat_map(|r| r.own.iter().cloned()).collect();
            result.cumulative_modules = records.iter().map(|r| r.modules.len()).sum();
        }
    }
    let alloc: Vec<f64> = traced
        .iter()
        .map(|s| {
            s.records
                .iter()
                .filter(matches)
                .map(|r| r.own_alloc)
                .sum::<f64>()
                / MIB
        })
        .collect();
    // Rounded to what is printed, so that a nothing is `0.0`, not `-0.0`.
    let round = |v: f64| (v * 100.0).round() / 100.0 + 0.0;
    result.own_ms = round(median(own_ms));
    result.cumulative_ms = round(median(cumulative_ms));
    result.rss_mib = round(median(rss));
    result.alloc_mib = round(median(alloc));
    result
}

/// The line (1-based) in `rewritten` where the statement whose first line reads `first_line` now sits: the
/// occurrence nearest to `original_line` (a `lazy ` prefix, a `__lazy_modules__` line or a move into a
/// function shifts it).
pub(super) fn line_in_rewritten(
    rewritten: &str,
    first_line: &str,
    original_line: usize,
) -> Option<usize> {
    let needle = first_line.trim();
    // The same statement, perhaps behind `lazy `, and not a longer name (`import json` is not
    // `import jsonschema`).
    let same = |line: &str| {
        let line = line.trim_start();
        let line = line.strip_prefix("lazy ").unwrap_or(line).trim_start();
        line.strip_prefix(needle).is_some_and(|rest| {
            !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
        })
    };
    rewritten
        .lines()
        .enumerate()
        .filter(|(_, l)| same(l))
        .map(|(i, _)| i + 1)
        .min_by_key(|line| line.abs_diff(original_line))
}

pub(super) fn verdict_reason(verdict: &ImportVerdict) -> String {
    match &verdict.decision {
        Decision::Rewrite { why, .. } => serde_json::to_value(why)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        Decision::Keep { reason, .. } => reason.name().to_string(),
    }
}

pub(super) fn top_package(module: &str) -> &str {
    module.split('.').next().unwrap_or(module)
}

pub(super) fn heaviest(
    modules: &[String],
    times: &HashMap<String, f64>,
    project: &str,
) -> Vec<String> {
    let mut by_package: BTreeMap<&str, f64> = BTreeMap::new();
    for module in modules {
        let top = top_package(module);
        if top == project {
            continue;
        }
        *by_package.entry(top).or_default() += times.get(module).copied().unwrap_or(0.0);
    }
    let mut packages: Vec<(&str, f64)> = by_package.into_iter().collect();
    packages.sort_by(|a, b| b.1.total_cmp(&a.1));
    packages
        .into_iter()
        .take(3)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The modules still loaded after the rewrite (by the import, and by `--use`), by top-level package (the
/// project's own left out), costliest first.
pub(super) fn remaining_packages(
    trees: &HashMap<(Variant, String), Vec<probe::Node>>,
    times: &HashMap<String, f64>,
    project: &str,
    stdlib: &[String],
) -> Vec<Package> {
    fn walk(node: &probe::Node, into: &mut Vec<String>) {
        into.push(node.name.clone());
        for child in &node.children {
            walk(child, into);
        }
    }
    let mut modules = Vec::new();
    for phase in ["import", "use"] {
        for node in trees
            .get(&(Variant::After, phase.to_string()))
            .into_iter()
            .flatten()
        {
            walk(node, &mut modules);
        }
    }
    let mut by_package: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for module in &modules {
        let top = top_package(module);
        if top == project {
            continue;
        }
        let entry = by_package.entry(top.to_string()).or_default();
        entry.0 += times.get(module).copied().unwrap_or(0.0) / 1000.0;
        entry.1 += 1;
    }
    let mut packages: Vec<Package> = by_package
        .into_iter()
        .map(|(name, (time_ms, modules))| Package {
            stdlib: stdlib.contains(&name) || name.starts_with('_'),
            name,
            time_ms,
            modules,
        })
        .collect();
    packages.sort_by(|a, b| b.time_ms.total_cmp(&a.time_ms));
    packages.truncate(12);
    packages
}
