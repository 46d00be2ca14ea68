//! Cohort comparisons: figures for every pupil characteristic, per academy and for the
//! trust, for the pupils a [`CohortFilter`] keeps (`sql/cohort_figures.sql`); and the
//! gaps between groups that trusts and DfE watch.

use chrono::NaiveDate;
use duckdb::{params, Connection};

use crate::db::query_all;
use crate::figures::figures_at;
use crate::types::{CohortFilter, CohortRow, Dimension, Scope};

/// Every dimension's groups, per academy and for the trust, in reading order
/// (dimension, then trust first, then academies by URN, then the dimension's groups).
/// With `urn`, only that academy (its trust rows then equal its own).
pub fn figures(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
    filter: &CohortFilter,
) -> Result<Vec<CohortRow>, duckdb::Error> {
    let spec = crate::figures::all_alike(from, to);
    figures_in(conn, &spec, from, to, scope, urn, filter)
}

/// [`figures`] over each academy's own window (`spec`; `from`..`to` spans them all): the
/// trust's rows are the sum of its academies' own windows.
pub fn figures_in(
    conn: &Connection,
    spec: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
    filter: &CohortFilter,
) -> Result<Vec<CohortRow>, duckdb::Error> {
    let f = |d| filter.get(d);
    let mut out = query_all(
        conn,
        include_str!("../sql/cohort_figures.sql"),
        params![
            from,
            to,
            scope.dfe(),
            urn,
            f(Dimension::Sex),
            f(Dimension::YearGroup),
            f(Dimension::KeyStage),
            f(Dimension::SenProvision),
            f(Dimension::Fsm),
            f(Dimension::Eal),
            f(Dimension::Ethnicity),
            f(Dimension::LookedAfter),
            spec,
        ],
        |r| {
            let dimension: String = r.get(0)?;
            Ok(CohortRow {
                dimension: Dimension::parse(&dimension),
                urn: r.get(1)?,
                group: r.get(2)?,
                figures: figures_at(r, 3)?,
            })
        },
    )?;
    let rank = |r: &CohortRow| {
        (
            r.dimension
                .map(|d| Dimension::ALL.iter().position(|x| *x == d).unwrap_or(0) + 1)
                .unwrap_or(0),
            r.urn.clone(),
            r.dimension.map(|d| d.order(&r.group)).unwrap_or(0),
        )
    };
    out.sort_by_key(rank);
    Ok(out)
}

/// A gap the trust watches: group `of` against group `against` of one dimension, with
/// DfE's national figures for the same two groups where published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapDef {
    pub key: &'static str,
    pub name: &'static str,
    pub dimension: Dimension,
    pub of: &'static str,
    pub against: &'static str,
}

/// The gaps on the cohorts page, in order.
pub const GAPS: [GapDef; 6] = [
    GapDef {
        key: "fsm",
        name: "FSM against not FSM",
        dimension: Dimension::Fsm,
        of: "Y",
        against: "N",
    },
    GapDef {
        key: "ehcp",
        name: "EHC plan against no SEN",
        dimension: Dimension::SenProvision,
        of: "E",
        against: "N",
    },
    GapDef {
        key: "sen-support",
        name: "SEN support against no SEN",
        dimension: Dimension::SenProvision,
        of: "K",
        against: "N",
    },
    GapDef {
        key: "eal",
        name: "EAL against not EAL",
        dimension: Dimension::Eal,
        of: "Y",
        against: "N",
    },
    GapDef {
        key: "cla",
        name: "Looked after against not looked after",
        dimension: Dimension::LookedAfter,
        of: "Y",
        against: "N",
    },
    GapDef {
        key: "sex",
        name: "Boys against girls",
        dimension: Dimension::Sex,
        of: "M",
        against: "F",
    },
];
