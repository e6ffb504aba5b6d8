//! Small SVG charts rendered on the server: horizontal bars, grouped bars and stacked bars.
//! Every label is escaped; widths count CJK characters as a full font size.

use std::fmt::Write;

/// One bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// One value per series.
    pub values: Vec<f64>,
    /// What is written at the end of the bar.
    pub text: String,
}

/// A series: its name and colour.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
}

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn width_of(s: &str, font: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { font * 0.55 } else { font })
        .sum()
}

/// Shortens a label to `max` display width.
fn clip(s: &str, max: f64, font: f64) -> String {
    if width_of(s, font) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width_of(&out, font) + font * 1.5 > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

const FONT: f64 = 13.0;
const ROW: f64 = 22.0;

/// Horizontal bars; with several series each bar's values are either side by side (`stacked`
/// false, one thin bar per series) or stacked into one bar.
pub fn bars(title: &str, series: &[Series], rows: &[Bar], max: f64, stacked: bool) -> String {
    let label_w = 190.0;
    let chart_w = 360.0;
    let text_w = 70.0;
    let width = label_w + chart_w + text_w;
    let per_row = if stacked || series.len() <= 1 {
        ROW
    } else {
        ROW * 0.55 * series.len() as f64 + 6.0
    };
    let legend_h = if series.len() > 1 {
        ROW * series.len().div_ceil(3) as f64
    } else {
        0.0
    };
    let height = 28.0 + legend_h + per_row * rows.len().max(1) as f64 + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" font-family="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif" font-size="{FONT}"><title>{t}</title><text x="0" y="16" font-weight="600">{t}</text>"#,
        t = esc(title)
    );
    let mut y = 28.0;
    if series.len() > 1 {
        for (i, se) in series.iter().enumerate() {
            let x = (i % 3) as f64 * 200.0;
            let ly = y + (i / 3) as f64 * ROW;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"#,
                ly + 2.0,
                esc(se.colour),
                x + 16.0,
                ly + 12.0,
                esc(&clip(se.name, 180.0, FONT))
            );
        }
        y += legend_h;
    }
    if rows.is_empty() {
        let _ = write!(
            s,
            r##"<text x="0" y="{}" fill="#7b8794">—</text>"##,
            y + 14.0
        );
    }
    let max = if max > 0.0 { max } else { 1.0 };
    for r in rows {
        let _ = write!(
            s,
            r#"<text x="0" y="{}">{}</text>"#,
            y + 14.0,
            esc(&clip(&r.label, label_w - 8.0, FONT))
        );
        if stacked || series.len() <= 1 {
            let mut x = label_w;
            for (i, v) in r.values.iter().enumerate() {
                let w = (v.max(0.0) / max * chart_w).min(chart_w);
                let colour = series.get(i).map(|s| s.colour).unwrap_or("#1565c0");
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{}"/>"#,
                    y + 3.0,
                    ROW - 8.0,
                    esc(colour)
                );
                x += w;
            }
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}">{}</text>"#,
                x + 4.0,
                y + 14.0,
                esc(&r.text)
            );
        } else {
            let h = ROW * 0.55;
            for (i, v) in r.values.iter().enumerate() {
                let w = (v.max(0.0) / max * chart_w).min(chart_w);
                let colour = series.get(i).map(|s| s.colour).unwrap_or("#1565c0");
                let by = y + 2.0 + i as f64 * h;
                let _ = write!(
                    s,
                    r#"<rect x="{label_w}" y="{by:.1}" width="{w:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{v:.1}</text>"#,
                    h - 2.0,
                    esc(colour),
                    label_w + w + 4.0,
                    by + h - 3.0
                );
            }
        }
        y += per_row;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_maximum() {
        let svg = bars(
            "按时办结率 <script>",
            &[Series {
                name: "x",
                colour: "#2e7d32",
            }],
            &[
                Bar {
                    label: "富阳区市场监督管理局\"><script>alert(1)</script>".into(),
                    values: vec![1.0],
                    text: "100%".into(),
                },
                Bar {
                    label: "民政局".into(),
                    values: vec![0.5],
                    text: "50%".into(),
                },
            ],
            1.0,
            false,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"width="360.0""#), "{svg}");
        assert!(svg.contains(r#"width="180.0""#));
    }
}
