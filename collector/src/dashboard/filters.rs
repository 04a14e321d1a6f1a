//! The dashboard's query string and its filter form (a plain GET form, so
//! it works without JavaScript).

use crate::clock;
use crate::report::period::Period;
use crate::report::query::{ReportQuery, Selection};
use maud::{html, Markup};
use serde::Deserialize;
use touchpoint_protocol::Config;

/// Periods offered in the select; anything else is "custom".
pub const PERIODS: [u32; 3] = [7, 30, 90];

/// Every parameter a dashboard page takes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashQuery {
    pub days: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub stage: Option<String>,
    pub touchpoint: Option<String>,
    pub attribute: Option<String>,
    /// Touchpoint page: comments in this band only.
    pub band: Option<String>,
    /// Follow-ups: this state only.
    pub state: Option<String>,
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl DashQuery {
    /// A numeric `days` (7/30/90 from the select) wins over `from`/`to`
    /// left in the form from a custom period; `days=custom` uses them.
    pub fn report_query(&self) -> ReportQuery {
        let numeric = set(&self.days).is_some_and(|d| d.parse::<u32>().is_ok());
        ReportQuery {
            days: set(&self.days).filter(|_| numeric).map(str::to_string),
            from: if numeric { None } else { self.from.clone() },
            to: if numeric { None } else { self.to.clone() },
            stage: self.stage.clone(),
            touchpoint: self.touchpoint.clone(),
            attribute: self.attribute.clone(),
        }
    }

    /// The query string for links that keep the period and attribute
    /// (and the stage/touchpoint when `keep_scope`).
    pub fn carry(&self, keep_scope: bool) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let mut pairs = vec![
            ("days", &self.days),
            ("from", &self.from),
            ("to", &self.to),
            ("attribute", &self.attribute),
        ];
        if keep_scope {
            pairs.push(("stage", &self.stage));
            pairs.push(("touchpoint", &self.touchpoint));
        }
        for (k, v) in pairs {
            if let Some(v) = set(v) {
                s.append_pair(k, v);
            }
        }
        let q = s.finish();
        if q.is_empty() {
            q
        } else {
            format!("?{q}")
        }
    }
}

/// The period select's value: one of [`PERIODS`] or "custom".
fn period_choice(q: &DashQuery) -> String {
    match set(&q.days) {
        Some(d) if PERIODS.iter().any(|p| p.to_string() == d) => d.to_string(),
        Some(d) if d != "custom" => "custom".into(),
        _ if set(&q.from).is_some() || set(&q.to).is_some() => "custom".into(),
        _ => "30".into(),
    }
}

/// The inclusive dates of a period, for the custom date inputs.
fn dates(p: &Period) -> (String, String) {
    (clock::date(p.from), clock::date(p.to - 1))
}

/// The filter form. `scope` adds the stage and touchpoint selects;
/// `extra` is appended inside the form (e.g. the band select).
pub fn form(
    action: &str,
    q: &DashQuery,
    config: &Config,
    sel: &Selection,
    scope: bool,
    extra: Markup,
) -> Markup {
    let choice = period_choice(q);
    let (from, to) = dates(&sel.period);
    html! {
        form.filters method="get" action=(action) aria-label="Filters" {
            div.field {
                label for="f-days" { "Period" }
                select #f-days name="days" {
                    @for p in PERIODS {
                        option value=(p) selected[choice == p.to_string()] { "Last " (p) " days" }
                    }
                    option value="custom" selected[choice == "custom"] { "Custom (from – to)" }
                }
            }
            div.field { label for="f-from" { "From" } input #f-from type="date" name="from" value=(from); }
            div.field { label for="f-to" { "To" } input #f-to type="date" name="to" value=(to); }
            @if scope {
                div.field {
                    label for="f-stage" { "Stage" }
                    select #f-stage name="stage" {
                        option value="" { "All stages" }
                        @for s in &config.journey {
                            option value=(s) selected[sel.stage.as_deref() == Some(s.as_str())] { (s) }
                        }
                    }
                }
                div.field {
                    label for="f-touchpoint" { "Touchpoint" }
                    select #f-touchpoint name="touchpoint" {
                        option value="" { "All touchpoints" }
                        @for t in &config.touchpoints {
                            option value=(t.id) selected[sel.touchpoint.as_deref() == Some(t.id.as_str())] { (t.id) }
                        }
                    }
                }
            }
            div.field {
                label for="f-attribute" { "Respondent attribute" }
                input #f-attribute type="text" name="attribute" placeholder="plan=pro" value=(q.attribute.as_deref().unwrap_or(""));
            }
            (extra)
            button type="submit" { "Apply" }
        }
        p.period-note {
            (clock::date(sel.period.from)) " – " (clock::date(sel.period.to - 1))
            " (UTC), trend per " (match sel.period.granularity { crate::report::period::Granularity::Day => "day", crate::report::period::Granularity::Week => "week" })
        }
    }
}

/// Resolves the query; a bad one shows the default period with the error
/// above the form, so the person can fix it.
pub fn selection(config: &Config, q: &DashQuery) -> (Selection, Option<String>) {
    let now = clock::now_epoch();
    match q.report_query().resolve(config, now, true) {
        Ok(sel) => (sel, None),
        Err(e) => {
            let sel = ReportQuery::default()
                .resolve(config, now, true)
                .expect("the default query resolves");
            (sel, Some(e.to_string()))
        }
    }
}

/// 400 when the page explains a bad query (it still shows the default
/// selection), else 200.
pub fn page_status<T>(problem: &Option<T>) -> axum::http::StatusCode {
    match problem {
        Some(_) => axum::http::StatusCode::BAD_REQUEST,
        None => axum::http::StatusCode::OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_period_wins_over_stale_custom_dates() {
        let q = DashQuery {
            days: Some("7".into()),
            from: Some("2026-01-01".into()),
            to: Some("2026-01-31".into()),
            ..Default::default()
        };
        let r = q.report_query();
        assert_eq!((r.days.as_deref(), r.from, r.to), (Some("7"), None, None));
        let custom = DashQuery {
            days: Some("custom".into()),
            ..q
        };
        let r = custom.report_query();
        assert_eq!((r.days, r.from.as_deref()), (None, Some("2026-01-01")));
    }

    #[test]
    fn links_carry_the_period_and_attribute() {
        let q = DashQuery {
            days: Some("90".into()),
            attribute: Some("plan=pro & more".into()),
            stage: Some("purchase".into()),
            ..Default::default()
        };
        assert_eq!(q.carry(false), "?days=90&attribute=plan%3Dpro+%26+more");
        assert_eq!(
            q.carry(true),
            "?days=90&attribute=plan%3Dpro+%26+more&stage=purchase"
        );
        assert_eq!(DashQuery::default().carry(true), "");
    }
}
