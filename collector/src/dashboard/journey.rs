//! `/`: the journey map — one column per stage in the config's order, each
//! touchpoint with its score, margin, answers, response rate, trend and
//! target flag.

use super::filters::{self, DashQuery};
use super::format;
use super::layout::{page, send, PageError};
use super::svg;
use crate::auth::Admin;
use crate::clock;
use crate::error::AppError;
use crate::extract::Query;
use crate::report::query::Selection;
use crate::report::{Report, StageReport, TouchpointReport};
use crate::service::report::load;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};

pub async fn page_handler(
    State(state): State<AppState>,
    admin: Admin,
    query: Result<Query<DashQuery>, AppError>,
) -> Result<Response, PageError> {
    let Query(q) = query?;
    let (sel, problem) = filters::selection(&state.config.current().config, &q);
    let report = load(&state.store, &state.config.current().config, &sel).await?;
    let config = state.config.current();
    let body = html! {
        h1 { "Customer journey" }
        @if let Some(p) = &problem {
            p.error role="alert" { (p) }
        }
        (filters::form("/", &q, &config.config, &sel, true, html! {}))
        (super::follow_ups::recovery(&report.follow_ups, Some(&format!("/follow-ups{}", q.carry(true)))))
        p.exports {
            "Export these responses: "
            a href=(export_link(&sel, "csv")) { "CSV" }
            " · "
            a href=(export_link(&sel, "jsonl")) { "JSON Lines" }
        }
        (journey_map(&report, &q))
    };
    Ok(send(
        filters::page_status(&problem),
        page("Journey", Some((&admin, &state.auth)), body),
    ))
}

fn journey_map(report: &Report, q: &DashQuery) -> Markup {
    html! {
        div.journey {
            @for stage in &report.journey {
                (stage_column(stage, q))
            }
        }
    }
}

fn stage_column(stage: &StageReport, q: &DashQuery) -> Markup {
    let heading = format!("stage-{}", stage.stage);
    html! {
        section.stage data-stage=(stage.stage) aria-labelledby=(heading) {
            h2 id=(heading) { (stage.stage) }
            p.stage-summary {
                @for s in &stage.scores {
                    span class=(format!("stage-score {}", format::tone_class(Some(s.tone)))) { (format::score(s)) }
                    " "
                }
                br;
                (stage.answers) " answers · " (format::percent(stage.response_rate)) " response rate"
            }
            @if stage.touchpoints.is_empty() {
                p.empty { "No touchpoints in this stage." }
            }
            @for t in &stage.touchpoints {
                (card(t, q))
            }
        }
    }
}

fn card(t: &TouchpointReport, q: &DashQuery) -> Markup {
    let tone = t.score.as_ref().map(|s| s.tone);
    let href = format!(
        "/touchpoints/{}{}",
        format::path_segment(&t.id),
        q.carry(false)
    );
    let values: Vec<Option<f64>> = t.trend.iter().map(|p| p.value).collect();
    let label = trend_label(t);
    html! {
        article class=(format!("card {}", format::tone_class(tone))) data-touchpoint=(t.id) data-tone=(format::tone_name(tone))
            data-below-target=(t.below_target) {
            h3 { a href=(href) { (t.id) } }
            p.question {
                (format::label(t.question))
                @if !t.enabled { " · " span.tag { "disabled" } }
            }
            p.score {
                @match &t.score {
                    Some(s) => {
                        span.value { (format::value(t.question, s.value)) }
                        " "
                        span.margin title="95% margin of error" { (format::margin(t.question, s.margin95)) }
                    }
                    None => { span.value.none { "no answers" } }
                }
            }
            dl {
                dt { "Answers" } dd.answers { (t.answers) }
                dt { "Response rate" } dd.rate title=(format!("{} of {} shown", t.answers, t.shown)) {
                    (format::percent(t.response_rate))
                    " " small { "(" (t.answers) "/" (t.shown) ")" }
                }
                @if let Some(target) = t.target {
                    dt { "Target" } dd.target {
                        (format::value(t.question, target))
                        @if t.below_target {
                            " " strong.flag { "under target" }
                        }
                    }
                }
            }
            (svg::sparkline(&values, svg::range(t.question), t.target, (180, 36), &label))
        }
    }
}

/// What the sparkline shows, for screen readers.
fn trend_label(t: &TouchpointReport) -> String {
    let points: Vec<String> = t
        .trend
        .iter()
        .filter_map(|p| {
            p.value.map(|v| {
                format!(
                    "{} {}",
                    p.start.get(..10).unwrap_or(&p.start),
                    format::value(t.question, v)
                )
            })
        })
        .collect();
    if points.is_empty() {
        format!(
            "{} trend: no answers in the period",
            format::label(t.question)
        )
    } else {
        format!("{} trend: {}", format::label(t.question), points.join(", "))
    }
}

/// `/v1/export` for the period and filters on screen.
pub fn export_link(sel: &Selection, format: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("format", format)
        .append_pair("from", &clock::rfc3339(sel.period.from))
        .append_pair("to", &clock::rfc3339(sel.period.to));
    if let Some(s) = &sel.stage {
        q.append_pair("stage", s);
    }
    if let Some(t) = &sel.touchpoint {
        q.append_pair("touchpoint", t);
    }
    if let Some((k, v)) = &sel.attribute {
        q.append_pair("attribute", &format!("{k}={v}"));
    }
    format!("/v1/export?{}", q.finish())
}
