//! A weekly absence trend, this window against the same school weeks last year: the
//! chart (SVG drawn on the server) and the data table beside it.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chart::ChartImage;
use crate::view::pct;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub chart: crate::chart::Chart,
    /// (Monday, this window's absence, last year's at the same school week)
    pub table: Vec<(NaiveDate, Option<f64>, Option<f64>)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::charts::{line, LineChart, Series, PALETTE};
    use queries::types::WeekPoint;

    /// One place's weeks (an academy's, or the trust's with `None`) from weekly rows by
    /// place.
    pub fn weeks_of(rows: &[(Option<String>, WeekPoint)], urn: Option<&str>) -> Vec<WeekPoint> {
        rows.iter()
            .filter(|(u, _)| u.as_deref() == urn)
            .map(|(_, w)| w.clone())
            .collect()
    }

    /// Chart points: x is the week's position in the window (1, 2, ...).
    pub fn weeks_series(points: &[WeekPoint]) -> Vec<(f64, f64)> {
        points
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.absence_rate().map(|r| ((i + 1) as f64, r)))
            .collect()
    }

    /// The x-axis names for week positions: the Monday of each week.
    pub fn week_names(weeks: &[WeekPoint]) -> impl Fn(f64) -> String + '_ {
        move |x: f64| {
            weeks
                .get((x.round() as usize).saturating_sub(1))
                .map(|w| w.week.format("%-d %b").to_string())
                .unwrap_or_default()
        }
    }

    /// The trend of `weeks` (named `label`) against `last_year`.
    pub fn weekly(
        title: &str,
        label: String,
        weeks: &[WeekPoint],
        last_year: &[WeekPoint],
        description: String,
    ) -> Trend {
        let mut series = vec![Series {
            name: label,
            points: weeks_series(weeks),
            colour: PALETTE[0],
            dashed: false,
        }];
        if !last_year.is_empty() {
            series.push(Series {
                name: "Same school weeks last year".into(),
                points: weeks_series(last_year),
                colour: PALETTE[1],
                dashed: true,
            });
        }
        let chart = line(&LineChart {
            title,
            x_label: "Week beginning",
            y_label: "Overall absence",
            y_suffix: "%",
            x_names: &week_names(weeks),
            series,
            width: 760,
            height: 320,
            description,
        });
        let table = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| {
                (
                    w.week,
                    w.absence_rate(),
                    last_year.get(i).and_then(|l| l.absence_rate()),
                )
            })
            .collect();
        Trend { chart, table }
    }
}

/// The chart with its data table.
#[component]
pub fn TrendChart(trend: Trend, caption: &'static str) -> impl IntoView {
    view! {
        <section class="chart">
            <div class="svg"><ChartImage chart=trend.chart.clone()/></div>
            <details>
                <summary>"Data table: " {caption}</summary>
                <table class="data">
                    <thead><tr><th scope="col">"Week beginning"</th><th scope="col" class="num">"Absence"</th><th scope="col" class="num">"Same school week last year"</th></tr></thead>
                    <tbody>
                        {trend.table.iter().map(|(w, a, l)| view! {
                            <tr><td>{w.format("%-d %b %Y").to_string()}</td><td class="num">{pct(*a)}</td><td class="num">{pct(*l)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}
