//! Parameters shared by reports, parsed and checked in one place for pages, the API and
//! documents: a bad value is an error naming the parameter.

use chrono::NaiveDate;
use queries::calendar::WindowKind;
use queries::types::Scope;
use serde::{Deserialize, Serialize};

/// A parameter that cannot be used, and why (a 400 naming the parameter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{parameter}: {message}")]
pub struct ParamError {
    pub parameter: String,
    pub message: String,
}

pub fn bad(parameter: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        parameter: parameter.to_string(),
        message: message.into(),
    }
}

/// Which dates and which sessions a figures report covers: a named window resolved on
/// each academy's own calendar, or custom dates the same for all; the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WindowChoice {
    pub kind: WindowKind,
    /// Only for `custom`.
    pub from: Option<NaiveDate>,
    /// Only for `custom`.
    pub to: Option<NaiveDate>,
    pub scope: Scope,
}

impl Default for WindowChoice {
    fn default() -> Self {
        WindowChoice {
            kind: WindowKind::YearToDate,
            from: None,
            to: None,
            scope: Scope::All,
        }
    }
}

/// A date as `YYYY-MM-DD`.
pub fn date(parameter: &str, value: &str) -> Result<NaiveDate, ParamError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        let form = if value.contains('/') {
            "day, month and year"
        } else {
            "YYYY-MM-DD"
        };
        bad(parameter, format!("\"{value}\" is not a date ({form})"))
    })
}

/// `value` where it is one of the keys of `choices` (key, label), `default` where it is
/// not: a page's choice from the URL (a tab, a list).
pub fn one_of(
    choices: &[(&'static str, &str)],
    value: &str,
    default: &'static str,
) -> &'static str {
    choices
        .iter()
        .map(|(k, _)| *k)
        .find(|k| *k == value)
        .unwrap_or(default)
}

/// `scope`: all or dfe, `default` when absent or empty.
pub fn scope(value: Option<&str>, default: Scope) -> Result<Scope, ParamError> {
    match value.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => {
            Scope::parse(s).ok_or_else(|| bad("scope", format!("\"{s}\" is not all or dfe")))
        }
    }
}

impl WindowChoice {
    /// Reads `window`, `from`, `to` and `scope` (empty counts as absent). A named window
    /// ignores dates; dates alone, or `window=custom`, need both `from` and `to`.
    pub fn parse(
        window: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        scope_value: Option<&str>,
        default_scope: Scope,
    ) -> Result<Self, ParamError> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let (window, from, to) = (present(window), present(from), present(to));
        let scope = scope(scope_value, default_scope)?;
        let kind = match window {
            Some(k) => WindowKind::parse(k).ok_or_else(|| {
                bad(
                    "window",
                    format!("\"{k}\" is not ytd, term, last-term, half-term, week or custom"),
                )
            })?,
            None if from.is_some() || to.is_some() => WindowKind::Custom,
            None => WindowKind::YearToDate,
        };
        if kind != WindowKind::Custom {
            return Ok(WindowChoice {
                kind,
                from: None,
                to: None,
                scope,
            });
        }
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (date("from", f)?, date("to", t)?),
            (_, None) => return Err(bad("to", "needed for custom dates")),
            (None, _) => return Err(bad("from", "needed for custom dates")),
        };
        if to < from {
            return Err(bad("to", format!("{to} is before from ({from})")));
        }
        Ok(WindowChoice {
            kind,
            from: Some(from),
            to: Some(to),
            scope,
        })
    }
}

#[cfg(feature = "ssr")]
mod resolve {
    use super::WindowChoice;
    use queries::calendar::{Calendar, Calendars, Window, Windows};
    use queries::db::{Connection, DuckError};
    use queries::types::{AcademyRef, Visibility};

    /// The academy with this URN; `None` when there is none.
    pub fn academy(conn: &Connection, urn: &str) -> Result<Option<AcademyRef>, DuckError> {
        Ok(queries::figures::academies(conn)?
            .into_iter()
            .find(|a| a.urn == urn))
    }

    /// The academies `viewer` may see (to choose from, or to show).
    pub fn academies(conn: &Connection, viewer: &Visibility) -> Result<Vec<AcademyRef>, DuckError> {
        Ok(queries::figures::academies(conn)?
            .into_iter()
            .filter(|a| viewer.sees_academy(&a.urn))
            .collect())
    }

    /// Resolves the chosen window on one calendar (an academy's own).
    pub fn window(cal: &Calendar, p: &WindowChoice) -> Result<Window, String> {
        queries::calendar::resolve(cal, p.kind, p.from, p.to)
    }

    /// Resolves the chosen window at every academy, on its own calendar.
    pub fn windows(cals: &Calendars, p: &WindowChoice) -> Result<Windows, String> {
        queries::calendar::resolve_each(cals, p.kind, p.from, p.to)
    }

    /// The trust's window for people: the academies' own windows, spanned.
    pub fn spanned(w: &Windows) -> Window {
        Window {
            kind: w.kind,
            name: w.name.clone(),
            from: w.from,
            to: w.to,
            last_year: w.last_year().map(|(_, f, t)| (f, t)),
        }
    }
}
#[cfg(feature = "ssr")]
pub use resolve::{academies, academy, spanned, window, windows};

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        w: Option<&str>,
        f: Option<&str>,
        t: Option<&str>,
    ) -> Result<WindowChoice, ParamError> {
        WindowChoice::parse(w, f, t, None, Scope::All)
    }

    #[test]
    fn a_named_window_ignores_dates_and_custom_needs_both() {
        let ytd = parse(None, None, None).unwrap();
        assert_eq!(ytd, WindowChoice::default());
        // The page's form sends empty dates with a named window, or stale ones.
        assert_eq!(
            parse(Some("term"), Some(""), Some("")).unwrap().kind,
            WindowKind::ThisTerm
        );
        assert_eq!(
            parse(Some("term"), Some("2025-09-01"), None).unwrap().from,
            None
        );
        let custom = parse(None, Some("2025-09-01"), Some("2025-10-01")).unwrap();
        assert_eq!(custom.kind, WindowKind::Custom);
        assert_eq!(
            parse(Some("custom"), Some("2025-09-01"), None)
                .unwrap_err()
                .parameter,
            "to"
        );
        assert_eq!(
            parse(None, None, Some("2025-09-01")).unwrap_err().parameter,
            "from"
        );
        assert_eq!(
            parse(Some("fortnight"), None, None).unwrap_err().parameter,
            "window"
        );
        let e = parse(None, Some("1 Sept"), Some("2025-10-01")).unwrap_err();
        assert_eq!(e.message, "\"1 Sept\" is not a date (YYYY-MM-DD)");
        // The page's day, month and year boxes, half filled.
        let e = parse(None, Some("31/2/"), Some("2025-10-01")).unwrap_err();
        assert_eq!(
            (e.parameter.as_str(), e.message.as_str()),
            ("from", "\"31/2/\" is not a date (day, month and year)")
        );
        assert_eq!(
            parse(None, Some("2025-10-01"), Some("2025-09-01"))
                .unwrap_err()
                .parameter,
            "to"
        );
        let e = WindowChoice::parse(None, None, None, Some("most"), Scope::All).unwrap_err();
        assert_eq!(e.parameter, "scope");
        assert_eq!(
            WindowChoice::parse(None, None, None, None, Scope::Dfe)
                .unwrap()
                .scope,
            Scope::Dfe
        );
    }
}
