//! Heatmaps: a grid of cells coloured by a value, as an SVG string drawn on the server
//! (a pure function of the grid), with the same cells as a table for screen readers
//! and for copying. Each cell carries its value on hover (`<title>`) and may link to
//! the pupils or figures behind it. The colour scale is viridis, reversed so that more
//! absence is darker: perceptually uniform and readable with colour-vision deficiency.

use crate::view::ScrollTable;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One cell: its value (None: nothing to show, e.g. no sessions or suppressed), what
/// hovering over it says, and where it leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatCell {
    pub value: Option<f64>,
    pub text: String,
    pub href: Option<String>,
}

/// A labelled row or column, with an optional link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub label: String,
    pub href: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatGrid {
    pub title: String,
    /// A sentence saying what the grid shows, for screen readers.
    pub description: String,
    /// What the rows and columns are ("Academy", "Week beginning").
    pub row_name: String,
    pub col_name: String,
    /// What the values are ("PA rate, %").
    pub value_name: String,
    pub rows: Vec<Axis>,
    pub cols: Vec<Axis>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<HeatCell>>,
}

impl HeatGrid {
    /// The smallest and largest values (0..1 when there are none).
    pub fn range(&self) -> (f64, f64) {
        let values = self.cells.iter().flatten().filter_map(|c| c.value);
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if lo > hi {
            (0.0, 1.0)
        } else if lo == hi {
            (lo.min(0.0), hi.max(lo + 1.0))
        } else {
            (lo, hi)
        }
    }
}

/// A grid and its SVG, as a page receives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    pub grid: HeatGrid,
    pub svg: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::fmt::Write;

    use plotters::prelude::{ColorMap, ViridisRGB};

    use super::*;

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// The colour of `t` in 0..=1 (0 light, 1 dark), and whether text on it should be
    /// white.
    pub fn colour(t: f64) -> (String, bool) {
        let t = t.clamp(0.0, 1.0);
        let c = ViridisRGB.get_color_normalized(1.0 - t as f32, 0.0, 1.0);
        (format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2), t > 0.45)
    }

    /// Label every `step`-th column so that labels never overlap.
    pub fn label_step(cell_width: f64, label_px: f64) -> usize {
        (label_px / cell_width).ceil().max(1.0) as usize
    }

    fn shorten(s: &str, max: usize) -> String {
        if s.chars().count() <= max {
            s.to_string()
        } else {
            let cut: String = s.chars().take(max - 1).collect();
            format!("{cut}…")
        }
    }

    /// Draws `grid`: row labels on the left, column labels below (turned when the
    /// columns are narrow, and thinned to fit), the legend under it. Cell sizes adapt
    /// to the number of rows and columns.
    pub fn render(grid: &HeatGrid, format_value: &dyn Fn(f64) -> String) -> Heatmap {
        let (lo, hi) = grid.range();
        let n_cols = grid.cols.len().max(1) as f64;
        let n_rows = grid.rows.len().max(1) as f64;
        let cell_w = (760.0 / n_cols).clamp(9.0, 64.0);
        let cell_h = if n_rows > 40.0 {
            12.0
        } else if n_rows > 16.0 {
            18.0
        } else {
            26.0
        };
        let row_chars = grid
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(4)
            .min(30);
        let left = 12.0 + row_chars as f64 * 6.6;
        let col_chars = grid
            .cols
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(3) as f64;
        let turned = cell_w < col_chars * 6.6 + 6.0;
        let col_step = if turned { label_step(cell_w, 13.0) } else { 1 };
        let label_h = if turned { col_chars * 6.0 + 14.0 } else { 20.0 };
        let top = 34.0;
        let grid_w = cell_w * n_cols;
        let grid_h = cell_h * n_rows;
        let legend_y = top + grid_h + label_h + 24.0;
        let width = (left + grid_w + 16.0).max(420.0);
        let height = legend_y + 44.0;
        let show_values = cell_w >= 40.0 && cell_h >= 18.0;

        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="group" aria-label="{}" font-family="sans-serif" font-size="11"><title>{}</title><desc>{}</desc>"#,
            escape(&grid.title),
            escape(&grid.title),
            escape(&grid.description)
        );
        let _ = write!(
            s,
            r#"<text x="{left:.0}" y="20" font-size="15" font-weight="bold">{}</text>"#,
            escape(&grid.title)
        );
        for (i, row) in grid.rows.iter().enumerate() {
            let y = top + cell_h * i as f64 + cell_h / 2.0 + 4.0;
            let label = format!(
                r#"<text x="{:.0}" y="{y:.1}" text-anchor="end">{}</text>"#,
                left - 6.0,
                escape(&shorten(&row.label, 30))
            );
            match &row.href {
                Some(h) => {
                    let _ = write!(s, r#"<a href="{}">{label}</a>"#, escape(h));
                }
                None => s.push_str(&label),
            }
            for (j, cell) in grid.cells[i].iter().enumerate() {
                let x = left + cell_w * j as f64;
                let y0 = top + cell_h * i as f64;
                let (fill, light_text) = match cell.value {
                    Some(v) => colour((v - lo) / (hi - lo)),
                    None => ("#f0f0f0".to_string(), false),
                };
                let mut body = format!(
                    r##"<rect x="{x:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="#fff" stroke-width="1"><title>{}</title></rect>"##,
                    cell_w,
                    cell_h,
                    escape(&cell.text)
                );
                if show_values {
                    if let Some(v) = cell.value {
                        let _ = write!(
                            body,
                            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{}" pointer-events="none">{}</text>"#,
                            x + cell_w / 2.0,
                            y0 + cell_h / 2.0 + 4.0,
                            if light_text { "#fff" } else { "#111" },
                            escape(&format_value(v))
                        );
                    }
                }
                match &cell.href {
                    Some(h) => {
                        let _ = write!(
                            s,
                            r#"<a href="{}" aria-label="{}">{body}</a>"#,
                            escape(h),
                            escape(&cell.text)
                        );
                    }
                    None => s.push_str(&body),
                }
            }
        }
        let base = top + grid_h + 12.0;
        for (j, col) in grid.cols.iter().enumerate() {
            if j % col_step != 0 {
                continue;
            }
            let x = left + cell_w * j as f64 + cell_w / 2.0;
            let text = if turned {
                format!(
                    r#"<text x="{x:.1}" y="{base:.1}" text-anchor="end" transform="rotate(-60 {x:.1} {base:.1})">{}</text>"#,
                    escape(&col.label)
                )
            } else {
                format!(
                    r#"<text x="{x:.1}" y="{base:.1}" text-anchor="middle">{}</text>"#,
                    escape(&col.label)
                )
            };
            match &col.href {
                Some(h) => {
                    let _ = write!(s, r#"<a href="{}">{text}</a>"#, escape(h));
                }
                None => s.push_str(&text),
            }
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-style="italic">{}</text>"#,
            left + grid_w / 2.0,
            top + grid_h + label_h + 8.0,
            escape(&grid.col_name)
        );
        // Legend: the scale from the smallest to the largest value shown.
        let _ = write!(
            s,
            r#"<defs><linearGradient id="scale" x1="0" x2="1" y1="0" y2="0">"#
        );
        for k in 0..=10 {
            let t = k as f64 / 10.0;
            let _ = write!(s, r#"<stop offset="{t:.1}" stop-color="{}"/>"#, colour(t).0);
        }
        let _ = write!(
            s,
            r##"</defs><text x="{left:.0}" y="{:.1}">{}</text><rect x="{:.0}" y="{:.1}" width="200" height="12" fill="url(#scale)" stroke="#999"/><text x="{:.0}" y="{:.1}" text-anchor="middle">{}</text><text x="{:.0}" y="{:.1}" text-anchor="middle">{}</text><rect x="{:.0}" y="{:.1}" width="12" height="12" fill="#f0f0f0" stroke="#999"/><text x="{:.0}" y="{:.1}">no figure</text>"##,
            legend_y + 10.0,
            escape(&grid.value_name),
            left + 130.0,
            legend_y,
            left + 130.0,
            legend_y + 26.0,
            escape(&format_value(lo)),
            left + 330.0,
            legend_y + 26.0,
            escape(&format_value(hi)),
            left + 350.0,
            legend_y,
            left + 366.0,
            legend_y + 10.0,
        );
        s.push_str("</svg>");
        Heatmap {
            grid: grid.clone(),
            svg: s,
        }
    }
}

/// The heatmap and, under it, the same cells as a table (closed by default; a plain
/// `<details>`, so it opens without JavaScript).
#[component]
pub fn HeatmapView(map: Heatmap, id: &'static str) -> impl IntoView {
    let g = map.grid.clone();
    view! {
        <figure class="heatmap" id=id>
            <div class="chart-scroll" tabindex="0" inner_html=map.svg.clone()></div>
            <details>
                <summary>{format!("{} as a table", g.title)}</summary>
                <ScrollTable class="data heat-table">
                    <caption>{g.title.clone()}" ("{g.value_name.clone()}")"</caption>
                    <thead><tr>
                        <th scope="col">{format!("{} \\ {}", g.row_name, g.col_name)}</th>
                        {g.cols.iter().map(|c| view! { <th scope="col" class="num">{c.label.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {g.rows.iter().zip(g.cells.iter()).map(|(r, cells)| view! {
                            <tr>
                                <th scope="row">{match &r.href {
                                    Some(h) => view! { <a href=h.clone()>{r.label.clone()}</a> }.into_any(),
                                    None => r.label.clone().into_any(),
                                }}</th>
                                {cells.iter().map(|c| {
                                    let shown = c.value.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
                                    view! { <td class="num" title=c.text.clone()>{match &c.href {
                                        Some(h) => view! { <a href=h.clone()>{shown}</a> }.into_any(),
                                        None => shown.into_any(),
                                    }}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </ScrollTable>
            </details>
        </figure>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::ssr::{colour, render};
    use super::*;

    fn grid(rows: usize, cols: usize) -> HeatGrid {
        HeatGrid {
            title: "PA by week".into(),
            description: "PA to date.".into(),
            row_name: "Academy".into(),
            col_name: "Week beginning".into(),
            value_name: "PA rate, %".into(),
            rows: (0..rows)
                .map(|i| Axis {
                    label: format!("Academy {i}"),
                    href: Some(format!("/academy/{i}")),
                })
                .collect(),
            cols: (0..cols)
                .map(|j| Axis {
                    label: format!("W{j}"),
                    href: None,
                })
                .collect(),
            cells: (0..rows)
                .map(|i| {
                    (0..cols)
                        .map(|j| HeatCell {
                            // One empty cell: row 0, column 1.
                            value: (i != 0 || j != 1).then(|| (i * cols + j) as f64),
                            text: format!("cell {i},{j}"),
                            href: Some(format!("/cell/{i}/{j}")),
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn every_cell_has_its_value_on_hover_and_its_link() {
        let svg = render(&grid(3, 4), &|v| format!("{v:.0}")).svg;
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>PA by week</title><desc>PA to date.</desc>"));
        for i in 0..3 {
            assert!(svg.contains(&format!(r#"<a href="/academy/{i}">"#)));
            for j in 0..4 {
                assert!(svg.contains(&format!("<title>cell {i},{j}</title>")));
                assert!(svg.contains(&format!(
                    r#"<a href="/cell/{i}/{j}" aria-label="cell {i},{j}">"#
                )));
            }
        }
        // The empty cell is grey; the legend runs from the smallest to the largest.
        assert_eq!(
            svg.matches(r##"fill="#f0f0f0""##).count(),
            2,
            "cell and key"
        );
        assert!(svg.contains(">0</text>") && svg.contains(">11</text>"));
        assert!(svg.contains("PA rate, %") && svg.contains("Week beginning"));
    }

    #[test]
    fn many_weeks_thin_the_labels_and_shrink_the_cells() {
        // Three years of weeks for 60 academies.
        let wide = render(&grid(60, 150), &|v| format!("{v:.0}")).svg;
        let labels = (0..150)
            .filter(|j| wide.contains(&format!(">W{j}</text>")))
            .count();
        assert_eq!(labels, 75, "every other week labelled");
        assert!(
            wide.contains("rotate(-60"),
            "narrow columns turn their labels"
        );
        // Cells small enough to fit, without values written in them.
        assert!(wide.contains(r#"width="9.0" height="12.0""#), "cell size");
        assert!(!wide.contains(">1234</text>"));
        let small = render(&grid(2, 3), &|v| format!("{v:.0}")).svg;
        assert!(
            small.contains(">4</text>"),
            "few wide cells show their values"
        );
    }

    #[test]
    fn colour_scale_runs_light_to_dark() {
        let (low, low_white) = colour(0.0);
        let (high, high_white) = colour(1.0);
        assert_eq!(low, "#fee825");
        assert_eq!(high, "#440154");
        assert!(!low_white && high_white);
    }
}
