//! `/login` and `/logout`: the form that turns the admin token into an
//! HttpOnly, SameSite=Strict session cookie.

use super::layout::{page, send};
use crate::auth::{AdminAuth, CSRF_FIELD};
use crate::clock;
use crate::extract::Form;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: Option<String>,
    next: Option<String>,
}

/// Where to go after logging in: a path on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n
        }
        _ => "/",
    }
}

fn login_page(next: &str, error: Option<&str>) -> Markup {
    page(
        "Log in",
        None,
        html! {
            section.login {
                h1 { "Log in" }
                p {
                    "Enter the admin token: the value of " code { "TOUCHPOINT_ADMIN_TOKEN" }
                    " (or " code { "--admin-token" } "). Without one, the collector logs a token it generated at startup."
                }
                @if let Some(e) = error {
                    p.error role="alert" { (e) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="next" value=(next);
                    label for="token" { "Admin token" }
                    input #token type="password" name="token" autocomplete="current-password" required autofocus;
                    button type="submit" { "Log in" }
                }
            }
        },
    )
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if state
        .auth
        .authenticate(&headers, clock::now_epoch())
        .is_some()
    {
        return Redirect::to(next).into_response();
    }
    send(StatusCode::OK, login_page(next, None))
}

/// `POST /login` (rate-limited per client like ingestion).
pub async fn submit(State(state): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    if !f.token.as_deref().is_some_and(|t| state.auth.token_ok(t)) {
        tracing::warn!("dashboard login with a wrong token");
        return send(
            StatusCode::UNAUTHORIZED,
            login_page(next, Some("That is not the admin token.")),
        );
    }
    (
        [(
            header::SET_COOKIE,
            state.auth.login_cookie(clock::now_epoch()),
        )],
        Redirect::to(next),
    )
        .into_response()
}

/// `POST /logout`: needs the form's CSRF token, so another site cannot log
/// you out.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if let Some(admin) = state.auth.authenticate(&headers, clock::now_epoch()) {
        let csrf = f.get(CSRF_FIELD).map(String::as_str);
        if let Err(e) = admin.check_csrf(&state.auth, csrf) {
            return super::layout::PageError(e).into_response();
        }
    }
    (
        [(header::SET_COOKIE, AdminAuth::logout_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/touchpoints/a?days=7")),
            "/touchpoints/a?days=7"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
