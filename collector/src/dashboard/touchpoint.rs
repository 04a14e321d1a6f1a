//! `/touchpoints/{id}`: one touchpoint's score distribution, trend and
//! comments (newest first, filterable by band).

use super::filters::{self, DashQuery};
use super::format;
use super::layout::{page, send, PageError};
use super::svg::{self, Bar};
use crate::auth::Admin;
use crate::error::AppError;
use crate::extract::Query;
use crate::model::{CommentQuery, StoredResponse};
use crate::report::TouchpointReport;
use crate::service::report::load;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use touchpoint_protocol::{Band, QuestionType};

/// Comments shown at most; the export has them all.
pub const COMMENT_LIMIT: u32 = 200;

pub async fn page_handler(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    query: Result<Query<DashQuery>, AppError>,
) -> Result<Response, PageError> {
    let Query(mut q) = query?;
    let config = state.config.current();
    let Some(t) = config.config.touchpoint(&id) else {
        return Err(AppError::NotFound.into());
    };
    let question = t.question.kind;
    q.touchpoint = Some(id.clone());
    q.stage = None;
    let (sel, mut problem) = filters::selection(&state.config.current().config, &q);
    let band = match q.band.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => match question.bands().into_iter().find(|x| x.as_str() == b) {
            Some(band) => Some(band),
            None => {
                problem = Some(format!(
                    "band: {b:?} is not a band of {} (use {})",
                    format::label(question),
                    band_names(question)
                ));
                None
            }
        },
    };
    let report = load(&state.store, &state.config.current().config, &sel).await?;
    let Some(tp) = report
        .journey
        .iter()
        .flat_map(|s| &s.touchpoints)
        .find(|x| x.id == id)
    else {
        return Err(AppError::NotFound.into());
    };
    let scores = band.map(|b| band_scores(question, b));
    let comments = state
        .store
        .comments(CommentQuery {
            filter: sel.filter(),
            scores,
            limit: COMMENT_LIMIT,
        })
        .await?;
    let band_select = html! {
        div.field {
            label for="f-band" { "Band" }
            select #f-band name="band" {
                option value="" { "All bands" }
                @for b in question.bands() {
                    option value=(b.as_str()) selected[band == Some(b)] { (b.as_str()) }
                }
            }
        }
    };
    let action = format!("/touchpoints/{}", format::path_segment(&id));
    let body = html! {
        p.back { a href=(format!("/{}", q.carry(false))) { "← Journey" } }
        h1 { (id) }
        p.subtitle { (tp.stage) " · " (format::label(question)) }
        @if let Some(p) = &problem {
            p.error role="alert" { (p) }
        }
        (filters::form(&action, &q, &config.config, &sel, false, band_select))
        (summary(tp))
        div.charts {
            figure {
                figcaption { "Score distribution" }
                (distribution(tp))
            }
            figure {
                figcaption { "Trend per " (if tp.trend.len() > 31 { "week" } else { "day" }) }
                (svg::sparkline(&tp.trend.iter().map(|p| p.value).collect::<Vec<_>>(), svg::range(question), tp.target, (560, 120),
                    &format!("{} trend", format::label(question))))
            }
        }
        (comment_list(question, band, &comments))
    };
    Ok(send(
        filters::page_status(&problem),
        page(&id, Some((&admin, &state.auth)), body),
    ))
}

fn band_names(q: QuestionType) -> String {
    q.bands()
        .iter()
        .map(|b| b.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scores of `band` on `q`'s scale, lowest and highest.
pub fn band_scores(q: QuestionType, band: Band) -> (u8, u8) {
    let lo = q.scores().find(|s| q.band(*s) == band).unwrap_or(q.min());
    let hi = q.scores().rev().find(|s| q.band(*s) == band).unwrap_or(lo);
    (lo, hi)
}

fn summary(t: &TouchpointReport) -> Markup {
    let tone = t.score.as_ref().map(|s| s.tone);
    html! {
        dl class=(format!("summary {}", format::tone_class(tone))) data-touchpoint=(t.id) {
            dt { "Score" }
            dd.score {
                @match &t.score {
                    Some(s) => { (format::value(t.question, s.value)) " " span.margin { (format::margin(t.question, s.margin95)) } }
                    None => { "no answers" }
                }
            }
            dt { "Answers" } dd.answers { (t.answers) }
            dt { "Response rate" } dd { (format::percent(t.response_rate)) " (" (t.answers) " of " (t.shown) " shown)" }
            @if let Some(target) = t.target {
                dt { "Target" } dd { (format::value(t.question, target)) @if t.below_target { " " strong.flag { "under target" } } }
            }
        }
    }
}

fn distribution(t: &TouchpointReport) -> Markup {
    let bars: Vec<Bar> = t
        .distribution
        .iter()
        .map(|d| Bar {
            label: d.score.to_string(),
            n: d.n,
            class: format::band_class(t.question.band(d.score)),
        })
        .collect();
    let label = format!(
        "Answers per score: {}",
        t.distribution
            .iter()
            .map(|d| format!("{}: {}", d.score, d.n))
            .collect::<Vec<_>>()
            .join(", ")
    );
    svg::bar_chart(&bars, (28 * bars.len() as u32 + 8, 160), &label)
}

fn comment_list(q: QuestionType, band: Option<Band>, comments: &[StoredResponse]) -> Markup {
    html! {
        section.comments aria-labelledby="comments-heading" {
            h2 #comments-heading {
                "Comments"
                @if let Some(b) = band { " (" (b.as_str()) ")" }
            }
            @if comments.is_empty() {
                p.empty { "No comments in this period." }
            }
            ol {
                @for c in comments {
                    @let score = c.response.score.unwrap_or(0);
                    li.comment data-band=(q.band(score).as_str()) data-response=(c.response.response_id) {
                        p.text { (c.response.comment.as_deref().unwrap_or("")) }
                        p.meta {
                            span class=(format::band_class(q.band(score))) { (score) }
                            " · " (format::time(&c.response.occurred_at))
                            @if !c.response.attributes.is_empty() {
                                " · " (format::attributes(&c.response.attributes))
                            }
                        }
                    }
                }
            }
            @if comments.len() as u32 >= COMMENT_LIMIT {
                p.note { "Showing the newest " (COMMENT_LIMIT) "; the export has them all." }
            }
        }
    }
}
