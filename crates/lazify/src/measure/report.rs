//! `lazify measure --report FILE`: one self-contained HTML page, pictures in inline SVG, no scripts and no
//! network: before/after bars, the import tree before and after as an icicle coloured by the project statement
//! that loaded each module, and the ranked table of kept imports.

#![expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "pixel arithmetic on a few rows and bars"
)]

use std::collections::HashMap;
use std::fmt::Write as _;

use super::probe::{Node, Variant};
use super::{Figures, Measurement, Statement};

/// Colours for the costliest statements; everything else is grey.
const PALETTE: &[&str] = &[
    "#e6550d", "#3182bd", "#31a354", "#756bb1", "#d6616b", "#17becf", "#bcbd22", "#8c6d31",
];
const GREY: &str = "#c8c8c8";
const WIDTH: f64 = 1100.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page.
pub(crate) fn render(m: &Measurement) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>lazify measure: import {module}</title>\
         <style>body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1140px}}\
         h1{{font-size:22px;margin:0 0 4px}}h2{{font-size:17px;margin:28px 0 8px}}\
         .sub{{color:#555}}table{{border-collapse:collapse;width:100%}}\
         td,th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}\
         td.n{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}code{{font-size:13px}}\
         .legend span{{display:inline-block;margin:2px 14px 2px 0}}\
         .sw{{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}}\
         svg text{{font:12px system-ui,sans-serif}}</style></head><body>\n\
         <h1>lazify measure: <code>import {module}</code></h1>\n\
         <p class=\"sub\">{python} · style <code>{style}</code> · median of {runs} runs{use_code}</p>\n",
        module = escape(&m.module),
        python = escape(&m.python),
        style = escape(&m.style),
        runs = m.runs,
        use_code = m
            .use_code
            .as_ref()
            .map(|u| format!(" · then <code>{}</code>", escape(u)))
            .unwrap_or_default(),
    );
    html.push_str("<h2>Before and after the rewrite</h2>\n");
    html.push_str(&bars(m));

    let colours = statement_colours(m);
    html.push_str(
        "<h2>Import tree, coloured by the project statement that loaded each module</h2>\n",
    );
    html.push_str(
        "<p class=\"sub\">Width is import time (<code>-X importtime</code>), on the same scale for both; \
         each row is one level of nesting. Hover a block for its figures.</p>\n<div class=\"legend\">",
    );
    for (index, statement) in colour_order(m).iter().enumerate() {
        let _ = write!(
            html,
            "<span><i class=\"sw\" style=\"background:{}\"></i><code>{}:{}</code> {}</span>",
            PALETTE[index],
            escape(&statement.path),
            statement.line,
            escape(&statement.statement)
        );
    }
    let _ = writeln!(
        html,
        "<span><i class=\"sw\" style=\"background:{GREY}\"></i>the interpreter, the project's own modules, \
         or other statements</span></div>"
    );
    // One picture per copy: the import, then (after a dashed line) the first use; the same scale for both.
    let tree = |variant: Variant, phase: &str| {
        m.trees
            .get(&(variant, phase.to_string()))
            .map_or(&[][..], Vec::as_slice)
    };
    let scale = [Variant::Before, Variant::After]
        .iter()
        .map(|&v| total(tree(v, "import")) + total(tree(v, "use")))
        .fold(0.0, f64::max);
    for (variant, title) in [(Variant::Before, "Before"), (Variant::After, "After")] {
        let (import, first_use) = (tree(variant, "import"), tree(variant, "use"));
        let _ = write!(
            html,
            "<h3>{title}: {:.1} ms importing",
            total(import) / 1000.0
        );
        if m.use_code.is_some() {
            let _ = write!(
                html,
                ", then {:.1} ms in the first use",
                total(first_use) / 1000.0
            );
        }
        html.push_str("</h3>\n");
        html.push_str(&icicle(import, first_use, scale, &colours[&variant]));
    }

    html.push_str(
        "<h2>Kept imports, costliest first</h2>\n<p class=\"sub\">What each statement the rewrite keeps still \
         loads itself (not through another statement of the project), at import or in the first use.</p>\n",
    );
    html.push_str(&table(
        m.imports
            .iter()
            .filter(|i| i.verdict != "rewrite" && i.after_modules > 0),
        true,
    ));
    html.push_str("<h2>Rewritten imports</h2>\n");
    html.push_str(&table(
        m.imports.iter().filter(|i| i.verdict == "rewrite"),
        false,
    ));
    if !m.remaining.is_empty() {
        html.push_str("<h2>Still loaded after the rewrite (import and use), by package</h2>\n<table><tr><th>package</th><th>import time</th><th>modules</th><th></th></tr>");
        for p in &m.remaining {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td class=\"n\">{:.1} ms</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&p.name),
                p.time_ms,
                p.modules,
                if p.stdlib {
                    "standard library"
                } else {
                    "third-party"
                }
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body></html>\n");
    html
}

fn total(nodes: &[Node]) -> f64 {
    // `+ 0.0`: the sum of nothing is `-0.0`, which would print as `-0.0 ms`.
    nodes.iter().map(|n| n.cumulative_us).sum::<f64>() + 0.0
}

/// The statements that get a colour: the costliest ones, before or after.
fn colour_order(m: &Measurement) -> Vec<&Statement> {
    let mut statements: Vec<&Statement> = m
        .imports
        .iter()
        .filter(|s| s.modules > 0 || s.after_modules > 0)
        .collect();
    statements.sort_by(|a, b| {
        b.cost_ms
            .max(b.after_cost_ms)
            .total_cmp(&a.cost_ms.max(a.after_cost_ms))
    });
    statements.truncate(PALETTE.len());
    statements
}

/// For each copy, the colour of each module loaded by a coloured statement.
fn statement_colours(m: &Measurement) -> HashMap<Variant, HashMap<String, &'static str>> {
    let mut result: HashMap<Variant, HashMap<String, &'static str>> = HashMap::new();
    // A module the rewrite defers keeps the colour of the statement that loaded it before, wherever it loads
    // now (a first use); what a statement loads itself after the rewrite wins.
    for (variant, after) in [
        (Variant::Before, false),
        (Variant::After, false),
        (Variant::After, true),
    ] {
        for (index, statement) in colour_order(m).iter().enumerate() {
            let modules = if after {
                &statement.own_after
            } else {
                &statement.own_before
            };
            let map = result.entry(variant).or_default();
            for module in modules {
                map.insert(module.clone(), PALETTE[index]);
            }
        }
    }
    result.entry(Variant::Before).or_default();
    result.entry(Variant::After).or_default();
    result
}

const ROW: f64 = 20.0;
const MAX_DEPTH: usize = 12;

fn icicle(
    import: &[Node],
    first_use: &[Node],
    scale_us: f64,
    colours: &HashMap<String, &'static str>,
) -> String {
    fn depth_of(nodes: &[Node]) -> usize {
        nodes
            .iter()
            .map(|n| 1 + depth_of(&n.children))
            .max()
            .unwrap_or(0)
    }
    fn draw(
        out: &mut String,
        nodes: &[Node],
        x: f64,
        depth: usize,
        per_us: f64,
        colours: &HashMap<String, &'static str>,
        inherited: Option<&'static str>,
    ) {
        if depth >= MAX_DEPTH {
            return;
        }
        let mut x = x;
        for node in nodes {
            let width = node.cumulative_us * per_us;
            if width >= 0.5 {
                let colour = colours.get(&node.name).copied().or(inherited);
                let y = depth as f64 * ROW;
                let _ = write!(
                    out,
                    "<g><title>{} · {:.1} ms cumulative, {:.1} ms self</title>\
                     <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
                    escape(&node.name),
                    node.cumulative_us / 1000.0,
                    node.self_us / 1000.0,
                    width.max(0.5),
                    ROW - 1.0,
                    colour.unwrap_or(GREY)
                );
                if width > 45.0 {
                    let max_chars = ((width - 6.0) / 6.5) as usize;
                    let mut label: String = node.name.chars().take(max_chars).collect();
                    if label.len() < node.name.len() && max_chars > 1 {
                        label.pop();
                        label.push('…');
                    }
                    let _ = write!(
                        out,
                        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{}\">{}</text>",
                        x + 3.0,
                        y + 14.0,
                        if colour.is_some() { "#fff" } else { "#222" },
                        escape(&label)
                    );
                }
                out.push_str("</g>");
                draw(out, &node.children, x, depth + 1, per_us, colours, colour);
            }
            x += width;
        }
    }
    if (import.is_empty() && first_use.is_empty()) || scale_us <= 0.0 {
        return "<p>(no module was imported)</p>\n".to_string();
    }
    let depth = depth_of(import).max(depth_of(first_use)).min(MAX_DEPTH);
    let height = depth as f64 * ROW;
    let mut svg = format!(
        "<svg class=\"icicle\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\">"
    );
    let per_us = WIDTH / scale_us;
    draw(&mut svg, import, 0.0, 0, per_us, colours, None);
    if !first_use.is_empty() {
        let x = total(import) * per_us;
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{height}\" stroke=\"#222\" stroke-dasharray=\"4 3\"/>"
        );
        draw(&mut svg, first_use, x, 0, per_us, colours, None);
    }
    svg.push_str("</svg>\n");
    svg
}

fn bars(m: &Measurement) -> String {
    let mut rows: Vec<(&str, &str, f64, f64, Option<f64>)> = vec![
        (
            "import time",
            "ms",
            m.before.time_ms,
            m.after.time_ms,
            m.limit.as_ref().map(|l| l.time_ms),
        ),
        (
            "modules loaded",
            "",
            m.before.modules,
            m.after.modules,
            m.limit.as_ref().map(|l| l.modules),
        ),
        (
            "peak RSS",
            "MiB",
            m.before.rss_mib,
            m.after.rss_mib,
            m.limit.as_ref().map(|l| l.rss_mib),
        ),
        (
            "Python allocations",
            "MiB",
            m.before.alloc_mib,
            m.after.alloc_mib,
            m.limit.as_ref().map(|l| l.alloc_mib),
        ),
    ];
    if let (Some(b), Some(a)) = (&m.before.use_, &m.after.use_) {
        let limit = m.limit.as_ref().and_then(|l: &Figures| l.use_.as_ref());
        rows.push((
            "time of --use",
            "ms",
            b.time_ms,
            a.time_ms,
            limit.map(|l| l.time_ms),
        ));
        rows.push((
            "modules after use",
            "",
            b.modules,
            a.modules,
            limit.map(|l| l.modules),
        ));
        rows.push((
            "peak RSS after use",
            "MiB",
            b.rss_mib,
            a.rss_mib,
            limit.map(|l| l.rss_mib),
        ));
    }
    let bar_height = 16.0;
    let series = if m.limit.is_some() { 3.0 } else { 2.0 };
    let group = bar_height * series + 14.0;
    let height = group * rows.len() as f64 + 10.0;
    let label_width = 170.0;
    let bar_room = WIDTH - label_width - 110.0;
    let mut svg = format!(
        "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\">"
    );
    for (index, (name, unit, before, after, limit)) in rows.iter().enumerate() {
        let y = index as f64 * group + 4.0;
        let max = before.max(*after).max(limit.unwrap_or(0.0)).max(1e-9);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\" font-weight=\"bold\">{name}</text>",
            y + bar_height * series / 2.0 + 4.0
        );
        let mut series_rows = vec![("before", "#9e9e9e", *before), ("after", "#2b8cbe", *after)];
        if let Some(limit) = limit {
            series_rows.push(("all lazy", "#a6bddb", *limit));
        }
        for (i, (label, colour, value)) in series_rows.into_iter().enumerate() {
            let by = y + i as f64 * bar_height;
            let width = (value / max * bar_room).max(1.0);
            let digits = usize::from(!unit.is_empty());
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{label}</text>\
                 <rect x=\"{label_width}\" y=\"{by:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\">{value:.digits$} {unit}</text>",
                label_width - 6.0,
                by + 12.0,
                bar_height - 2.0,
                label_width + width + 6.0,
                by + 12.0,
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn table<'a>(statements: impl Iterator<Item = &'a Statement>, kept: bool) -> String {
    // Kept imports show what they still cost after the rewrite; rewritten ones what they cost before.
    let mut html = format!(
        "<table><tr><th>#</th><th>statement</th><th>where</th><th>reason</th>\
         <th>time before</th><th>time after</th><th>modules {when}</th><th>RSS {when}</th>\
         <th>allocations {when}</th><th>heaviest packages</th></tr>",
        when = if kept { "after" } else { "before" }
    );
    let mut any = false;
    for (rank, s) in statements.enumerate() {
        any = true;
        let _ = write!(
            html,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td><code>{}:{}</code></td><td>{}</td>\
             <td class=\"n\">{:.1} ms</td><td class=\"n\">{:.1} ms</td><td class=\"n\">{}</td>\
             <td class=\"n\">{:.1} MiB</td><td class=\"n\">{:.1} MiB</td><td>{}</td></tr>",
            rank + 1,
            escape(&s.statement),
            escape(&s.path),
            s.line,
            escape(&s.reason),
            s.cost_ms,
            s.after_cost_ms,
            if kept { s.after_modules } else { s.modules },
            if kept { s.after_rss_mib } else { s.rss_mib },
            if kept { s.after_alloc_mib } else { s.alloc_mib },
            escape(&s.heaviest.join(", "))
        );
    }
    if !any {
        html.push_str("<tr><td colspan=\"10\">none</td></tr>");
    }
    html.push_str("</table>\n");
    html
}
