//! Charts as pure functions from rows to an SVG string, drawn on the server with
//! plotters. Every chart has a title, labelled axes, a legend and a text alternative
//! (`<title>`/`<desc>`); pages put a data table beside it.

use plotters::prelude::*;

use crate::chart::Chart;

/// A line chart as a page holds it: drawn, with its title and description as its text
/// alternative.
pub fn line(c: &LineChart<'_>) -> Chart {
    Chart::new(line_chart(c), format!("{}. {}", c.title, c.description))
}

/// A bar chart as a page holds it (see [`line`]).
pub fn bar(c: &BarChart<'_>) -> Chart {
    Chart::new(bar_chart(c), format!("{}. {}", c.title, c.description))
}

/// One line on a chart: a name and (x, y) points, x being a week number.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
    pub dashed: bool,
}

/// Colour-blind-safe palette (Okabe-Ito).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
];

pub struct LineChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// After each y tick: "%" for rates, "" for counts.
    pub y_suffix: &'a str,
    /// Names the x positions (week numbers) for the axis.
    pub x_names: &'a dyn Fn(f64) -> String,
    pub series: Vec<Series>,
    pub width: u32,
    pub height: u32,
    /// A sentence saying what the chart shows, for screen readers.
    pub description: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders a line chart of percentages.
pub fn line_chart(c: &LineChart<'_>) -> String {
    let mut svg = String::new();
    let points = c.series.iter().flat_map(|s| s.points.iter());
    let (mut x_max, mut y_max) = (1.0f64, 1.0f64);
    let mut x_min = f64::MAX;
    for (x, y) in points {
        x_max = x_max.max(*x);
        x_min = x_min.min(*x);
        y_max = y_max.max(*y);
    }
    if x_min == f64::MAX || x_min >= x_max {
        x_min = 0.0;
    }
    let small = c.width < 400;
    // Counts (no unit) get whole-number ticks on an axis of at least 0 to 5.
    let counts = c.y_suffix.is_empty();
    let y_top = if counts {
        (y_max * 1.15).ceil().max(5.0)
    } else {
        (y_max * 1.15).ceil()
    };
    {
        let root = SVGBackend::with_string(&mut svg, (c.width, c.height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let mut chart = match ChartBuilder::on(&root)
            .caption(c.title, ("sans-serif", if small { 13 } else { 17 }))
            .margin(if small { 6 } else { 12 })
            // Room for the last x label, which is centred on the right edge.
            .margin_right(if small { 12 } else { 40 })
            .x_label_area_size(if small { 24 } else { 36 })
            .y_label_area_size(if small { 36 } else { 52 })
            .build_cartesian_2d(x_min..x_max, 0.0..y_top)
        {
            Ok(chart) => chart,
            Err(_) => return String::new(),
        };
        let _ = chart
            .configure_mesh()
            .x_desc(c.x_label)
            .y_desc(c.y_label)
            .x_labels(if small { 4 } else { 8 })
            .y_labels(6)
            // Only whole positions have names (the ticks between them stay blank).
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 0.01 {
                    (c.x_names)(*x)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| {
                if counts && (y - y.round()).abs() > 0.01 {
                    String::new()
                } else {
                    format!("{y:.0}{}", c.y_suffix)
                }
            })
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", if small { 10 } else { 12 }))
            .draw();
        for s in &c.series {
            let style = ShapeStyle::from(&s.colour).stroke_width(if small { 2 } else { 3 });
            let drawn = if s.dashed {
                chart.draw_series(DashedLineSeries::new(s.points.iter().copied(), 6, 4, style))
            } else {
                chart.draw_series(LineSeries::new(s.points.iter().copied(), style))
            };
            if let Ok(anno) = drawn {
                let colour = s.colour;
                anno.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            }
        }
        let _ = chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", if small { 10 } else { 12 }))
            .position(SeriesLabelPosition::UpperLeft)
            .draw();
        let _ = root.present();
    }
    accessible(svg, c.title, &c.description)
}

/// A horizontal bar chart of signed values (gaps in percentage points), one bar per
/// label, with an optional dashed reference line (the national gap).
pub struct BarChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    /// (label, value); a missing value draws no bar.
    pub bars: Vec<(String, Option<f64>)>,
    pub reference: Option<(String, f64)>,
    pub width: u32,
    pub description: String,
}

/// Renders a bar chart; its height grows with the number of bars.
pub fn bar_chart(c: &BarChart<'_>) -> String {
    let mut svg = String::new();
    let n = c.bars.len().max(1);
    let height = (70 + 24 * n) as u32;
    let values = c
        .bars
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(c.reference.iter().map(|(_, r)| *r));
    let (lo, hi) = values.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = (hi - lo) * 0.08;
    let label_chars = c
        .bars
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(5);
    {
        let root = SVGBackend::with_string(&mut svg, (c.width, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let mut chart = match ChartBuilder::on(&root)
            .caption(c.title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(34)
            .y_label_area_size((label_chars as u32 * 7 + 8).min(240))
            .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..n as f64)
        {
            Ok(chart) => chart,
            Err(_) => return String::new(),
        };
        let names: Vec<String> = c.bars.iter().map(|(l, _)| l.clone()).collect();
        let _ = chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(c.x_label)
            .x_labels(6)
            .x_label_formatter(&|x| {
                if hi - lo < 4.0 {
                    format!("{x:+.1}")
                } else {
                    format!("{x:+.0}")
                }
            })
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                // Labels sit at the middle of each bar's band; bars go top down.
                let i = (*y - 0.5).round();
                if (y - 0.5 - i).abs() < 0.01 && i >= 0.0 && (i as usize) < n {
                    names[n - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 12))
            .draw();
        let bars = c.bars.iter().enumerate().filter_map(|(i, (_, v))| {
            let v = (*v)?;
            let band = (n - 1 - i) as f64;
            let colour = if v >= 0.0 { PALETTE[1] } else { PALETTE[0] };
            Some(Rectangle::new(
                [(0.0, band + 0.2), (v, band + 0.8)],
                colour.filled(),
            ))
        });
        let _ = chart.draw_series(bars);
        let _ = chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            BLACK.stroke_width(1),
        )));
        if let Some((name, r)) = &c.reference {
            let style = ShapeStyle::from(&RGBColor(60, 60, 60)).stroke_width(2);
            if let Ok(anno) = chart.draw_series(DashedLineSeries::new(
                vec![(*r, 0.0), (*r, n as f64)],
                5,
                4,
                style,
            )) {
                anno.label(name.clone()).legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 18, y)],
                        RGBColor(60, 60, 60).stroke_width(2),
                    )
                });
            }
            let _ = chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .label_font(("sans-serif", 12))
                .position(SeriesLabelPosition::LowerRight)
                .draw();
        }
        let _ = root.present();
    }
    accessible(svg, c.title, &c.description)
}

/// Adds a role, a `<title>` and a `<desc>` to a plotters SVG.
fn accessible(svg: String, title: &str, description: &str) -> String {
    match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => {
            let (open, rest) = svg.split_at(end);
            format!(
                "{open} role=\"img\" aria-label=\"{}\"><title>{}</title><desc>{}</desc>{}",
                escape(title).replace('"', "&quot;"),
                escape(title),
                escape(description),
                &rest[1..]
            )
        }
        _ => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trimmed content of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let body = &t[t.find('>')? + 1..];
                Some(body[..body.find("</text>")?].trim().to_string())
            })
            .collect()
    }

    fn chart(series: Vec<Series>) -> String {
        line_chart(&LineChart {
            title: "Weekly absence",
            x_label: "School week",
            y_label: "Absence",
            y_suffix: "%",
            x_names: &|x| format!("W{x:.0}"),
            series,
            width: 640,
            height: 320,
            description: "Absence rose from 4% to 6%.".into(),
        })
    }

    #[test]
    fn svg_has_title_legend_axes_and_lines() {
        let svg = chart(vec![
            Series {
                name: "This year".into(),
                points: vec![(1.0, 4.0), (2.0, 6.0)],
                colour: PALETTE[0],
                dashed: false,
            },
            Series {
                name: "Last year".into(),
                points: vec![(1.0, 5.0), (2.0, 5.5)],
                colour: PALETTE[1],
                dashed: true,
            },
        ]);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title>Weekly absence</title>"));
        assert!(svg.contains("<desc>Absence rose from 4% to 6%.</desc>"));
        let texts = texts(&svg);
        let has = |t: &str| texts.iter().any(|x| x == t);
        assert!(has("This year") && has("Last year"), "legend: {texts:?}");
        assert!(
            has("School week") && has("Absence"),
            "axis labels: {texts:?}"
        );
        assert!(
            has("W1") && texts.iter().any(|t| t.ends_with('%')),
            "ticks: {texts:?}"
        );
        assert!(svg.matches("<polyline").count() + svg.matches("<path").count() >= 2);
    }

    #[test]
    fn bar_chart_has_a_bar_per_value_labels_and_the_reference() {
        let svg = bar_chart(&BarChart {
            title: "FSM gap",
            x_label: "Gap, percentage points",
            bars: vec![
                ("Trust".into(), Some(4.5)),
                ("Oak Academy".into(), Some(-1.0)),
                ("Elm Academy".into(), None),
            ],
            reference: Some(("England 4.8 pp".into(), 4.8)),
            width: 480,
            description: "Gaps by academy.".into(),
        });
        let texts = texts(&svg);
        let has = |t: &str| texts.iter().any(|x| x == t);
        assert!(
            has("Trust") && has("Oak Academy") && has("Elm Academy"),
            "{texts:?}"
        );
        assert!(
            has("England 4.8 pp") && has("Gap, percentage points"),
            "{texts:?}"
        );
        // Two bars (the academy without a figure has none): a positive gap in
        // orange, a negative one in blue.
        assert_eq!(svg.matches("fill=\"#D55E00\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("fill=\"#0072B2\"").count(), 1, "{svg}");
        assert!(svg.contains("<title>FSM gap</title>"));
    }

    #[test]
    fn empty_data_still_draws_a_titled_chart() {
        let svg = chart(vec![]);
        assert!(svg.contains("<title>Weekly absence</title>"));
    }
}
