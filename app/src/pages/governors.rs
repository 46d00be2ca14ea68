//! Governors' termly summary (`/governors`): for a chosen term, each academy the
//! viewer may see (and the trust) against the previous term, the same term last year,
//! the trust and England; gaps, suppressed as for every governor's view; pupils on
//! AP and reduced timetables; and a paragraph written from those figures. Printed, one
//! A4 page per academy; `/governors/summary.pdf` is the same as a PDF.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::types::{Compared, PlaceSummary, Rates, Scope, TermRef};
use serde::{Deserialize, Serialize};

use crate::view::{pct, pp};

/// What the summary is asked for (the URL's query).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SummaryParams {
    /// A term's slug (`autumn-2025`); the latest term when absent.
    pub term: Option<String>,
    /// `all` (every place the viewer may see), `trust`, or a URN.
    pub place: Option<String>,
    /// `dfe` (the default: like for like with England) or `all`.
    pub scope: Option<String>,
}

impl SummaryParams {
    pub fn scope(&self) -> Scope {
        self.scope
            .as_deref()
            .and_then(Scope::parse)
            .unwrap_or(Scope::Dfe)
    }

    pub fn place(&self) -> &str {
        self.place
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("all")
    }

    /// The query string, for links (the PDF).
    pub fn query(&self, term: &str) -> String {
        format!(
            "?term={term}&place={}&scope={}",
            self.place(),
            self.scope().as_str()
        )
    }
}

/// The result cache's key: what was asked and what the viewer may see (governors get
/// suppression), shared by the page and its PDF.
pub fn cache_key(p: &SummaryParams, who: &queries::types::Principal) -> String {
    format!("governors {p:?} {:?} {:?}", who.role, who.academies)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GovernorsData {
    pub terms: Vec<TermRef>,
    pub term: TermRef,
    pub scope: Scope,
    /// (value, name) for the place chooser.
    pub choices: Vec<(String, String)>,
    pub place: String,
    pub summaries: Vec<PlaceSummary>,
    pub threshold: u64,
}

#[server]
pub async fn get_governors(params: SummaryParams) -> Result<Option<GovernorsData>, ServerFnError> {
    let warehouse = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    let threshold = warehouse.suppress_below;
    let trust_name = warehouse.trust_name.clone();
    let key = cache_key(&params, &who);
    warehouse
        .run_cached(key, move |conn, cal| {
            Ok(ssr::governors(
                conn,
                cal,
                &params,
                &who,
                threshold,
                &trust_name,
            ))
        })
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .map_err(ServerFnError::new)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::document::{Block, Document};
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::types::{AcademyRef, Principal};

    /// The summary as `viewer` may see it; `None` when the term or place is unknown
    /// (or not theirs), `Err` when nothing is loaded.
    pub fn governors(
        conn: &Connection,
        cal: &Calendars,
        p: &SummaryParams,
        viewer: &Principal,
        threshold: u64,
        trust_name: &str,
    ) -> Result<Option<GovernorsData>, String> {
        let terms = queries::summary::terms(cal);
        let Some(term) = (match &p.term {
            Some(slug) if !slug.is_empty() => terms.iter().find(|t| &t.slug == slug),
            _ => terms.first(),
        })
        .cloned() else {
            return if terms.is_empty() {
                Err("no attendance has been loaded yet".into())
            } else {
                Ok(None)
            };
        };
        let academies: Vec<AcademyRef> = queries::figures::academies(conn)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|a| viewer.sees_academy(&a.urn))
            .collect();
        let mut choices = vec![("all".to_string(), "Everything I can see".to_string())];
        if viewer.sees_trust() {
            choices.push(("trust".into(), format!("{trust_name} (the trust)")));
        }
        choices.extend(academies.iter().map(|a| (a.urn.clone(), a.name.clone())));
        let place = p.place().to_string();
        let places: Vec<Option<AcademyRef>> = match place.as_str() {
            "all" => viewer
                .sees_trust()
                .then_some(None)
                .into_iter()
                .chain(academies.iter().cloned().map(Some))
                .collect(),
            "trust" if viewer.sees_trust() => vec![None],
            urn => match academies.iter().find(|a| a.urn == urn) {
                Some(a) => vec![Some(a.clone())],
                None => return Ok(None),
            },
        };
        let summaries = queries::summary::summaries(
            conn,
            cal,
            &queries::summary::Request {
                term: &term,
                scope: p.scope(),
                places: &places,
                trust_name,
                viewer,
                threshold,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(Some(GovernorsData {
            terms,
            term,
            scope: p.scope(),
            choices,
            place,
            summaries,
            threshold,
        }))
    }

    /// The summary as a document: one A4 page per place, aggregates only.
    pub fn document(d: &GovernorsData, trust_name: &str) -> Document {
        let mut blocks = Vec::new();
        for (i, s) in d.summaries.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::PageBreak);
            }
            blocks.push(Block::Title(format!(
                "{}: attendance, {}",
                s.name,
                s.term.label()
            )));
            blocks.push(Block::Subtitle(subtitle(s)));
            blocks.push(Block::Heading("What changed and what stands out".into()));
            blocks.push(Block::Text(s.sentences.join(" ")));
            blocks.push(Block::Heading(
                "Against last term, last year, the trust and England".into(),
            ));
            let (head, rows) = comparison_table(s);
            blocks.push(Block::Table { head, rows });
            blocks.push(Block::Heading(
                "Gaps between groups (percentage points)".into(),
            ));
            let (head, rows) = gaps_table(s);
            blocks.push(Block::Table { head, rows });
            blocks.push(Block::Note(notes(s, d.threshold)));
        }
        Document {
            title: format!(
                "{trust_name}: governors' attendance summary, {}",
                d.term.label()
            ),
            blocks,
        }
    }
}

pub fn subtitle(s: &PlaceSummary) -> String {
    let mut parts = Vec::new();
    if let Some(urn) = &s.urn {
        parts.push(format!("URN {urn}"));
    } else {
        parts.push("The whole trust".to_string());
    }
    parts.push(format!(
        "{} to {}",
        s.term.from.format("%-d %b %Y"),
        s.term.to.format("%-d %b %Y")
    ));
    parts.push(s.scope.label().to_string());
    if let Some(n) = s.now.enrolments {
        parts.push(format!("{} enrolments", crate::format::count(n)));
    }
    parts.join(" · ")
}

fn rates_row(label: &str, r: &Rates) -> Vec<String> {
    vec![
        label.to_string(),
        pct(r.attendance),
        pct(r.absence),
        pct(r.pa),
        pct(r.sa),
    ]
}

/// Rows: this term, the previous term, last year, the trust, England.
pub fn comparison_table(s: &PlaceSummary) -> (Vec<String>, Vec<Vec<String>>) {
    let head = ["", "Attendance", "Absence", "PA", "SA"]
        .map(String::from)
        .to_vec();
    let mut rows = vec![rates_row(&s.term.label(), &s.now)];
    let mut other = |c: &Option<Compared>| {
        if let Some(c) = c {
            rows.push(rates_row(&c.label, &c.rates));
        }
    };
    other(&s.previous);
    other(&s.last_year);
    other(&s.trust);
    other(&s.national);
    (head, rows)
}

pub fn gaps_table(s: &PlaceSummary) -> (Vec<String>, Vec<Vec<String>>) {
    let head = ["Gap", "Absence", "PA", "England", "Last year"]
        .map(String::from)
        .to_vec();
    let rows = s
        .gaps
        .iter()
        .map(|g| {
            if g.suppressed {
                vec![
                    g.name.clone(),
                    "x".into(),
                    "x".into(),
                    national(g),
                    "x".into(),
                ]
            } else {
                vec![
                    g.name.clone(),
                    pp(g.absence),
                    pp(g.pa),
                    national(g),
                    pp(g.last_absence),
                ]
            }
        })
        .collect();
    (head, rows)
}

fn national(g: &queries::types::GapLine) -> String {
    g.national
        .map(|(a, _)| format!("{a:+.1} pp"))
        .unwrap_or_else(|| "–".into())
}

pub fn notes(s: &PlaceSummary, threshold: u64) -> String {
    format!(
        "Pupils on alternative provision during the term: {}; on a reduced timetable: {}. \
         Attendance and absence are shares of possible sessions; PA (persistent absence) is \
         the share of pupils missing 10% or more of their sessions, SA (severe absence) 50% \
         or more. Each academy's figures are over its own dates for the term (academies keep \
         their own half terms); the trust's are the sum of them. x: fewer than {threshold} \
         pupils, hidden to protect them. England: {}.",
        s.ap.cell(),
        s.reduced_timetable.cell(),
        if s.national.is_some() {
            "DfE's published figures for state-funded schools"
        } else {
            "no published figure for this year"
        }
    )
}

#[component]
pub fn GovernorsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| SummaryParams {
            term: q.get("term"),
            place: q.get("place"),
            scope: q.get("scope"),
        })
    });
    let data = Resource::new(move || params.get(), get_governors);
    view! {
        <Title text="Governors' termly summary"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(d)) => view! { <GovernorsBody d params=params.get_untracked()/> }.into_any(),
                    Ok(None) => view! { <crate::pages::NotFound/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GovernorsBody(d: GovernorsData, params: SummaryParams) -> impl IntoView {
    let pdf = format!("/governors/summary.pdf{}", params.query(&d.term.slug));
    let threshold = d.threshold;
    view! {
        <div class="no-print">
            <h1>"Governors' termly summary"</h1>
            <p class="lead">"Attendance for a term, against last term, last year, the trust and England, with what changed in plain English. Prints one A4 page per academy."</p>
            <form method="get" action="/governors" class="window-form">
                <label>"Term "
                    <select name="term">
                        {d.terms.iter().map(|t| view! { <option value=t.slug.clone() selected=t.slug == d.term.slug>{t.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Academy "
                    <select name="place">
                        {d.choices.iter().map(|(v, n)| view! { <option value=v.clone() selected=*v == d.place>{n.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Scope "
                    <select name="scope">
                        {[Scope::Dfe, Scope::All].into_iter().map(|s| view! { <option value=s.as_str() selected=s == d.scope>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Show"</button>
                <a class="button" href=pdf download>"Download PDF"</a>
            </form>
        </div>
        {d.summaries.into_iter().map(|s| view! { <PlaceSection s threshold/> }).collect_view()}
    }
}

#[component]
fn PlaceSection(s: PlaceSummary, threshold: u64) -> impl IntoView {
    let id = format!("place-{}", s.urn.clone().unwrap_or_else(|| "trust".into()));
    let (head, rows) = comparison_table(&s);
    let (gap_head, gap_rows) = gaps_table(&s);
    let label = id.clone();
    view! {
        <article class="summary" aria-labelledby=label>
            <h2 id=id>{format!("{}: attendance, {}", s.name, s.term.label())}</h2>
            <p class="lead">{subtitle(&s)}</p>
            <section class="headline" aria-label="This term">
                <div><span class="big">{pct(s.now.attendance)}</span>" attendance"</div>
                <div><span class="big">{pct(s.now.absence)}</span>" absence"</div>
                <div><span class="big">{pct(s.now.pa)}</span>" persistently absent"</div>
                <div><span class="big">{pct(s.now.sa)}</span>" severely absent"</div>
                <div><span class="big">{s.ap.cell()}</span>" on alternative provision"</div>
                <div><span class="big">{s.reduced_timetable.cell()}</span>" on reduced timetables"</div>
            </section>
            <h3>"What changed and what stands out"</h3>
            <div class="narrative">
                {s.sentences.iter().map(|l| view! { <p>{l.clone()}</p> }).collect_view()}
            </div>
            <Table caption="Against last term, last year, the trust and England".into() head rows/>
            <Table caption="Gaps between groups, percentage points (x: a group too small to show)".into() head=gap_head rows=gap_rows/>
            <p class="note">{notes(&s, threshold)}</p>
        </article>
    }
}

/// A table whose first column names the row.
#[component]
pub fn Table(
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The caption for screen readers only (a heading above already says it).
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView {
    view! {
        <table class="data">
            <caption class=quiet.then_some("sr-only")>{caption}</caption>
            <thead><tr>
                {head.into_iter().enumerate().map(|(i, h)| view! { <th scope="col" class=(i > 0).then_some("num")>{h}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>{r.into_iter().enumerate().map(|(i, c)| if i == 0 {
                        view! { <th scope="row">{c}</th> }.into_any()
                    } else {
                        view! { <td class="num">{c}</td> }.into_any()
                    }).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
