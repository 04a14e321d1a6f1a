//! `/follow-ups`: the closed-loop queue — detractors and high-effort
//! answers with their comment, touchpoint, attributes and time, and forms
//! to mark each contacted, then recovered or lost.

use super::filters::{self, DashQuery};
use super::format;
use super::layout::{csrf_input, page, send, PageError};
use super::login::safe_next;
use crate::auth::{Admin, AdminAuth};
use crate::error::AppError;
use crate::extract::Form;
use crate::extract::Query;
use crate::model::FollowUpQuery;
use crate::model::{FollowUpCounts, FollowUpItem, FollowUpState};
use crate::report::FollowUpSummary;
use crate::service::follow_ups::{apply, parse_states};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

/// Entries shown on the page.
pub const PAGE_LIMIT: u32 = 300;

const STATE_CHOICES: [(&str, &str); 6] = [
    ("todo", "To do (open and contacted)"),
    ("open", "Open"),
    ("contacted", "Contacted"),
    ("recovered", "Recovered"),
    ("lost", "Lost"),
    ("all", "All"),
];

pub async fn page_handler(
    State(state): State<AppState>,
    admin: Admin,
    query: Result<Query<DashQuery>, AppError>,
) -> Result<Response, PageError> {
    let Query(q) = query?;
    let (sel, mut problem) = filters::selection(&state.config.current().config, &q);
    let choice = q
        .state
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "todo".into());
    let states = parse_states(Some(&choice)).unwrap_or_else(|e| {
        problem = Some(e.message().0);
        vec![FollowUpState::Open, FollowUpState::Contacted]
    });
    let (items, counts) = tokio::try_join!(
        state.store.follow_ups(FollowUpQuery {
            filter: sel.filter(),
            states,
            response_id: None,
            limit: PAGE_LIMIT,
        }),
        state.store.follow_up_counts(sel.filter()),
    )?;
    let config = state.config.current();
    let mut back = q.carry(true);
    back.push_str(if back.is_empty() { "?" } else { "&" });
    back.push_str(&format!(
        "state={}",
        form_urlencoded::byte_serialize(choice.as_bytes()).collect::<String>()
    ));
    let back = format!("/follow-ups{back}");
    let state_select = html! {
        div.field {
            label for="f-state" { "State" }
            select #f-state name="state" {
                @for (value, label) in STATE_CHOICES {
                    option value=(value) selected[choice == value] { (label) }
                }
            }
        }
    };
    let body = html! {
        h1 { "Follow-ups" }
        @if let Some(p) = &problem {
            p.error role="alert" { (p) }
        }
        (recovery(&counts.into(), None))
        (filters::form("/follow-ups", &q, &config.config, &sel, true, state_select))
        @if items.is_empty() {
            p.empty { "Nothing to follow up here." }
        }
        ol.follow-ups {
            @for item in &items {
                (entry(item, &admin, &state.auth, &back, &q))
            }
        }
    };
    Ok(send(
        filters::page_status(&problem),
        page("Follow-ups", Some((&admin, &state.auth)), body),
    ))
}

/// The recovery rate line shown here and on the journey map.
pub fn recovery(s: &FollowUpSummary, link: Option<&str>) -> Markup {
    let c: &FollowUpCounts = &s.counts;
    html! {
        p.recovery data-recovery-rate=(s.recovery_rate.map(|r| format!("{r:.4}")).unwrap_or_default()) {
            strong { "Recovery rate " (format::percent(s.recovery_rate)) }
            " · " (c.recovered) " recovered · " (c.lost) " lost · "
            (c.open) " open · " (c.contacted) " contacted"
            @if let Some(href) = link {
                " · " a href=(href) { "Follow-up queue" }
            }
        }
    }
}

fn entry(
    item: &FollowUpItem,
    admin: &Admin,
    auth: &AdminAuth,
    back: &str,
    q: &DashQuery,
) -> Markup {
    let r = &item.response.response;
    let f = &item.follow_up;
    let score = r.score.unwrap_or(0);
    let action = format!("/follow-ups/{}", format::path_segment(&r.response_id));
    let note_id = format!("note-{}", r.response_id);
    html! {
        li.follow-up data-response=(r.response_id) data-state=(f.state.as_str()) data-touchpoint=(r.touchpoint) {
            p.meta {
                span class=(format::band_class(r.question.band(score))) { (format::label(r.question)) " " (score) }
                " · " a href=(format!("/touchpoints/{}{}", format::path_segment(&r.touchpoint), q.carry(false))) { (r.touchpoint) }
                " · " (r.stage)
                " · " (format::time(&r.occurred_at))
                " · " span.state { (f.state.as_str()) }
            }
            p.text {
                @match &r.comment {
                    Some(c) => { (c) }
                    None => { span.empty { "(no comment)" } }
                }
            }
            p.meta {
                "Respondent " (r.respondent)
                @if !r.attributes.is_empty() { " · " (format::attributes(&r.attributes)) }
            }
            @if f.contacted_at.is_some() || f.closed_at.is_some() {
                ul.history {
                    @if let Some(at) = &f.contacted_at {
                        li { "Contacted " (format::time(at)) @if let Some(n) = &f.contact_note { " — " (n) } }
                    }
                    @if let Some(at) = &f.closed_at {
                        li { (capitalised(f.state)) " " (format::time(at)) @if let Some(n) = &f.outcome_note { " — " (n) } }
                    }
                }
            }
            @if f.state.to_do() {
                form method="post" action=(action) {
                    (csrf_input(admin, auth))
                    input type="hidden" name="back" value=(back);
                    label for=(note_id) { "Note" }
                    @if f.state == FollowUpState::Open {
                        input id=(note_id) type="text" name="note" placeholder="e.g. called, left a voicemail";
                        button type="submit" name="state" value="contacted" { "Mark contacted" }
                    } @else {
                        input id=(note_id) type="text" name="note" required placeholder="What happened?";
                        button type="submit" name="state" value="recovered" { "Mark recovered" }
                        button type="submit" name="state" value="lost" { "Mark lost" }
                    }
                }
            }
        }
    }
}

fn capitalised(s: FollowUpState) -> &'static str {
    match s {
        FollowUpState::Open => "Open",
        FollowUpState::Contacted => "Contacted",
        FollowUpState::Recovered => "Recovered",
        FollowUpState::Lost => "Lost",
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    state: Option<String>,
    note: Option<String>,
    back: Option<String>,
    csrf: Option<String>,
}

/// `POST /follow-ups/{response_id}` from the page's forms; back to the list.
pub async fn step(
    State(state): State<AppState>,
    admin: Admin,
    Path(response_id): Path<String>,
    form: Result<Form<StepForm>, AppError>,
) -> Result<Response, PageError> {
    let Form(f) = form?;
    admin.check_csrf(&state.auth, f.csrf.as_deref())?;
    let to = f.state.unwrap_or_default();
    apply(&state.store, &response_id, &to, f.note).await?;
    Ok(Redirect::to(safe_next(f.back.as_deref())).into_response())
}
