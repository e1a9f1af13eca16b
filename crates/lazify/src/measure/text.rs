//! The measurement as text: the terminal report, and where the HTML report goes.

use std::io::{self, Write as _};

use super::report;
use super::{Format, MeasureArgs, Measurement, Package, Statement};

pub(super) fn print(args: &MeasureArgs, measurement: &Measurement) -> io::Result<()> {
    if let Some(path) = &args.report {
        let html = report::render(measurement);
        std::fs::File::create(path)
            .and_then(|mut file| file.write_all(html.as_bytes()))
            .map_err(|e| io::Error::other(format!("cannot write {}: {e}", path.display())))?;
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.output_format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(measurement).map_err(io::Error::other)?
        ),
        Format::Text => out.write_all(text(measurement).as_bytes()),
    }?;
    out.flush()
}

pub(super) fn change(before: f64, after: f64) -> String {
    if before <= 0.0 {
        return String::new();
    }
    format!("{:+.0}%", (after - before) / before * 100.0)
}

/// The text table.
pub(crate) fn text(m: &Measurement) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "lazify measure: `import {}` on {}, style `{}`, median of {} runs",
        m.module, m.python, m.style, m.runs
    );
    let _ = writeln!(s);
    let header_limit = if m.limit.is_some() { "  all-lazy" } else { "" };
    let _ = writeln!(
        s,
        "{:<22}{:>10}{:>10}{:>8}{header_limit}",
        "", "before", "after", "change"
    );
    let limit = m.limit.as_ref();
    let mut row = |name: &str, b: f64, a: f64, l: Option<f64>, unit: &str, digits: usize| {
        let cell = |v: f64| format!("{v:.digits$}{unit}");
        let _ = writeln!(
            s,
            "{name:<22}{:>10}{:>10}{:>8}{}",
            cell(b),
            cell(a),
            change(b, a),
            l.map(|l| format!("{:>10}", cell(l))).unwrap_or_default()
        );
    };
    row(
        "import time",
        m.before.time_ms,
        m.after.time_ms,
        limit.map(|l| l.time_ms),
        " ms",
        1,
    );
    row(
        "modules loaded",
        m.before.modules,
        m.after.modules,
        limit.map(|l| l.modules),
        "",
        0,
    );
    row(
        "peak RSS",
        m.before.rss_mib,
        m.after.rss_mib,
        limit.map(|l| l.rss_mib),
        " MiB",
        1,
    );
    row(
        "Python allocations",
        m.before.alloc_mib,
        m.after.alloc_mib,
        limit.map(|l| l.alloc_mib),
        " MiB",
        1,
    );
    if let (Some(b), Some(a)) = (&m.before.use_, &m.after.use_) {
        let lu = limit.and_then(|l| l.use_.as_ref());
        row(
            "--use time",
            b.time_ms,
            a.time_ms,
            lu.map(|l| l.time_ms),
            " ms",
            1,
        );
        row(
            "modules after use",
            b.modules,
            a.modules,
            lu.map(|l| l.modules),
            "",
            0,
        );
        row(
            "peak RSS after use",
            b.rss_mib,
            a.rss_mib,
            lu.map(|l| l.rss_mib),
            " MiB",
            1,
        );
    }
    let kept: Vec<&Statement> = m
        .imports
        .iter()
        .filter(|i| i.verdict != "rewrite" && i.after_modules > 0)
        .take(10)
        .collect();
    if !kept.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Kept imports, costliest first (what each still loads itself, at import or first use: time, modules, RSS):"
        );
        for i in kept {
            let _ = writeln!(
                s,
                "  {:>7.1} ms {:>4} mod {:>6.1} MiB  {}:{}  {}  [{}]{}",
                i.after_cost_ms,
                i.after_modules,
                i.after_rss_mib,
                i.path,
                i.line,
                i.statement,
                i.reason,
                if i.heaviest.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", i.heaviest.join(", "))
                }
            );
        }
    }
    let rewritten: Vec<&Statement> = m
        .imports
        .iter()
        .filter(|i| i.verdict == "rewrite")
        .take(5)
        .collect();
    if !rewritten.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "Costliest rewritten imports (cost before, after):");
        for i in rewritten {
            let _ = writeln!(
                s,
                "  {:>7.1} ms -> {:>5.1} ms  {}:{}  {}",
                i.cost_ms, i.after_cost_ms, i.path, i.line, i.statement
            );
        }
    }
    let third: Vec<&Package> = m.remaining.iter().take(6).collect();
    if !third.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Still loaded after the rewrite (import and use), by package:"
        );
        for p in third {
            let _ = writeln!(
                s,
                "  {:>7.1} ms {:>4} mod  {}{}",
                p.time_ms,
                p.modules,
                p.name,
                if p.stdlib { "" } else { "  (not stdlib)" }
            );
        }
    }
    s
}
