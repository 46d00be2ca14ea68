//! What every figures page is showing, held in the URL: the window (`window`, and
//! `from`/`to` for custom dates), the scope (`scope`) and the sort (`sort`, `dir`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use queries::calendar::WindowKind;
use queries::types::Scope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ViewParams {
    pub window: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub scope: String,
    pub sort: Option<String>,
    pub desc: bool,
}

impl ViewParams {
    pub fn kind(&self) -> WindowKind {
        WindowKind::parse(&self.window).unwrap_or_default()
    }

    pub fn scope(&self) -> Scope {
        Scope::parse(&self.scope).unwrap_or_default()
    }

    /// The window and scope, checked (a bad value names its parameter).
    pub fn choice(
        &self,
    ) -> Result<crate::reports::params::WindowChoice, crate::reports::params::ParamError> {
        crate::reports::params::WindowChoice::parse(
            Some(&self.window),
            self.from.as_deref(),
            self.to.as_deref(),
            Some(&self.scope),
            Scope::All,
        )
    }

    /// The query string for these parameters, with `sort` replaced when given.
    pub fn query(&self, sort: Option<(&str, bool)>) -> String {
        let mut parts = vec![
            format!("window={}", self.kind().as_str()),
            format!("scope={}", self.scope().as_str()),
        ];
        if self.kind() == WindowKind::Custom {
            if let Some(f) = &self.from {
                parts.push(format!("from={f}"));
            }
            if let Some(t) = &self.to {
                parts.push(format!("to={t}"));
            }
        }
        let sort = sort.or(self.sort.as_deref().map(|s| (s, self.desc)));
        if let Some((key, desc)) = sort {
            parts.push(format!("sort={key}"));
            if desc {
                parts.push("dir=desc".into());
            }
        }
        format!("?{}", parts.join("&"))
    }

    /// The part that decides the figures (not the sort): the resource key.
    pub fn figures_key(&self) -> ViewParams {
        ViewParams {
            sort: None,
            desc: false,
            ..self.clone()
        }
    }
}

impl From<&crate::reports::params::WindowChoice> for ViewParams {
    /// The URL parameters that ask for `w` (for links built on the server).
    fn from(w: &crate::reports::params::WindowChoice) -> Self {
        ViewParams {
            window: w.kind.as_str().to_string(),
            from: w.from.map(|d| d.to_string()),
            to: w.to.map(|d| d.to_string()),
            scope: w.scope.as_str().to_string(),
            sort: None,
            desc: false,
        }
    }
}

/// The view parameters from the current URL.
pub fn use_view_params() -> Memo<ViewParams> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| ViewParams {
            window: q.get("window").unwrap_or_else(|| "ytd".into()),
            from: q.get("from").filter(|s| !s.is_empty()),
            to: q.get("to").filter(|s| !s.is_empty()),
            scope: q.get("scope").unwrap_or_else(|| "all".into()),
            sort: q.get("sort"),
            desc: q.get("dir").as_deref() == Some("desc"),
        })
    })
}

/// The window and scope chooser: a plain GET form, so it works without JavaScript.
#[component]
pub fn WindowForm(
    params: Memo<ViewParams>,
    action: String,
    /// More fields for the same form (a page's own choices, kept with the window's).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let p = params.get_untracked();
    view! {
        <form method="get" action=action class="window-form">
            <label>"Window "
                <select name="window">
                    {WindowKind::ALL.into_iter().map(|k| {
                        let selected = k == p.kind();
                        view! { <option value=k.as_str() selected=selected>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"From " <input type="date" name="from" value=p.from.clone().unwrap_or_default()/></label>
            <label>"To " <input type="date" name="to" value=p.to.clone().unwrap_or_default()/></label>
            <label>"Scope "
                <select name="scope">
                    {[Scope::All, Scope::Dfe].into_iter().map(|s| {
                        let selected = s == p.scope();
                        view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            {children.map(|c| c())}
            <button type="submit">"Show"</button>
        </form>
    }
}

/// A percentage to 1 decimal place, or an en dash for none.
pub fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "–".into())
}

/// A change in percentage points, signed.
pub fn pp(r: Option<f64>) -> String {
    r.map(|r| format!("{r:+.1} pp"))
        .unwrap_or_else(|| "–".into())
}

/// One of a figures' session rates as the viewer may see it: x where the group is
/// withheld from them (a governor: small, or giving a small one away), an en dash for
/// none.
pub fn rate(f: &queries::types::Figures, r: fn(&queries::types::Figures) -> Option<f64>) -> String {
    if f.withheld.all {
        "x".into()
    } else {
        pct(r(f))
    }
}

/// The persistent-absence rate as the viewer may see it: x where withheld.
pub fn pa(f: &queries::types::Figures) -> String {
    if f.withheld.all || f.withheld.pa {
        "x".into()
    } else {
        pct(f.pa_rate())
    }
}

/// The severe-absence rate as the viewer may see it: x where withheld.
pub fn sa(f: &queries::types::Figures) -> String {
    if f.withheld.all || f.withheld.sa {
        "x".into()
    } else {
        pct(f.sa_rate())
    }
}

/// Enrolments as the viewer may see them: x where withheld.
pub fn enrolments(f: &queries::types::Figures) -> String {
    if f.withheld.all {
        "x".into()
    } else {
        crate::format::count(f.enrolments)
    }
}
