//! Inline SVG charts: a sparkline for trends and a bar chart for score
//! distributions. Pure functions of numbers; styled by class from
//! `style.css` (the dashboard's CSP allows no inline styles).

use maud::{html, Markup};

/// The value range a question's scores are drawn on.
pub fn range(question: touchpoint_protocol::QuestionType) -> (f64, f64) {
    use touchpoint_protocol::QuestionType::*;
    match question {
        Nps => (-100.0, 100.0),
        q => (f64::from(q.min()), f64::from(q.max())),
    }
}

fn y_of(v: f64, (lo, hi): (f64, f64), top: f64, height: f64) -> f64 {
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    top + height * (1.0 - t)
}

/// The path through `values`, skipping empty buckets (`None`); with a
/// single point, a dot instead.
pub fn trend_path(
    values: &[Option<f64>],
    range: (f64, f64),
    w: f64,
    h: f64,
) -> (String, Vec<(f64, f64)>) {
    let n = values.len();
    let x = |i: usize| {
        if n <= 1 {
            w / 2.0
        } else {
            w * i as f64 / (n - 1) as f64
        }
    };
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (x(i), y_of(v, range, 2.0, h - 4.0))))
        .collect();
    if points.len() == 1 {
        return (String::new(), points);
    }
    let d: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (px, py))| format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }))
        .collect();
    (d.join(" "), Vec::new())
}

/// A small trend chart; `reference` (e.g. the target) is drawn dashed.
pub fn sparkline(
    values: &[Option<f64>],
    range: (f64, f64),
    reference: Option<f64>,
    (w, h): (u32, u32),
    label: &str,
) -> Markup {
    let (wf, hf) = (f64::from(w), f64::from(h));
    let (d, dots) = trend_path(values, range, wf, hf);
    html! {
        svg.sparkline xmlns="http://www.w3.org/2000/svg" width=(w) height=(h)
            viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(label) {
            title { (label) }
            @if let Some(r) = reference {
                line.reference x1="0" x2=(w) y1=(fmt(y_of(r, range, 2.0, hf - 4.0))) y2=(fmt(y_of(r, range, 2.0, hf - 4.0))) {}
            }
            @if !d.is_empty() {
                path.trend d=(d) {}
            }
            @for (x, y) in dots {
                circle.trend-dot cx=(fmt(x)) cy=(fmt(y)) r="2" {}
            }
        }
    }
}

/// One bar of a distribution.
pub struct Bar {
    pub label: String,
    pub n: u64,
    /// CSS class for the bar's colour (e.g. `tone-bad`).
    pub class: &'static str,
}

/// Vertical bars with their label below and count above.
pub fn bar_chart(bars: &[Bar], (w, h): (u32, u32), label: &str) -> Markup {
    let max = bars.iter().map(|b| b.n).max().unwrap_or(0).max(1) as f64;
    let slot = f64::from(w) / bars.len().max(1) as f64;
    let plot = f64::from(h) - 36.0;
    html! {
        svg.bars xmlns="http://www.w3.org/2000/svg" width=(w) height=(h)
            viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(label) {
            title { (label) }
            @for (i, b) in bars.iter().enumerate() {
                @let bh = plot * b.n as f64 / max;
                @let x = slot * i as f64;
                g data-score=(b.label) {
                    rect class=(b.class) x=(fmt(x + slot * 0.15)) y=(fmt(18.0 + plot - bh))
                        width=(fmt(slot * 0.7)) height=(fmt(bh)) {}
                    text.count x=(fmt(x + slot / 2.0)) y=(fmt(14.0 + plot - bh)) text-anchor="middle" { (b.n) }
                    text.axis x=(fmt(x + slot / 2.0)) y=(fmt(f64::from(h) - 4.0)) text-anchor="middle" { (b.label) }
                }
            }
        }
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_buckets_are_skipped_and_a_lone_point_is_a_dot() {
        let (d, dots) = trend_path(
            &[Some(100.0), Some(-100.0), None, Some(0.0), None],
            (-100.0, 100.0),
            40.0,
            24.0,
        );
        assert_eq!(d, "M0.0,2.0 L10.0,22.0 L30.0,12.0");
        assert!(dots.is_empty());
        let (d, dots) = trend_path(&[None, Some(0.0), None], (-100.0, 100.0), 40.0, 24.0);
        assert_eq!((d.as_str(), dots), ("", vec![(20.0, 12.0)]));
        let (d, _) = trend_path(&[None, None], (0.0, 1.0), 40.0, 24.0);
        assert!(d.is_empty());
    }

    #[test]
    fn text_in_charts_is_escaped() {
        let svg = bar_chart(
            &[Bar {
                label: "<b>".into(),
                n: 3,
                class: "tone-bad",
            }],
            (100, 80),
            "a \"label\" <script>",
        )
        .into_string();
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;b&gt;"));
    }
}
