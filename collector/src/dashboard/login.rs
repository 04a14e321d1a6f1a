//! `/login` and `/logout`: the form that turns the admin token into an
//! HttpOnly, SameSite=Strict session cookie (`Secure` and `__Host-` over
//! HTTPS). Wrong tokens count towards the client's failure limit like
//! wrong bearer tokens (`guard::token_attempt`).

use super::layout::{page, send, PageError};
use crate::auth::{AdminAuth, CSRF_FIELD};
use crate::client::Client;
use crate::clock;
use crate::extract::Form;
use crate::extract::Query;
use crate::guard;
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
                    " (or " code { "--admin-token" } ", " code { "--admin-token-file" } "). Without one, the collector generated a token and wrote it to a file next to its database ("
                    code { "touchpoint.db.admin-token" } "); the start-up log names the file."
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
    client: Client,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    match guard::admin(&state, &headers, &client) {
        Ok(Some(_)) => Redirect::to(next).into_response(),
        Ok(None) => send(StatusCode::OK, login_page(next, None)),
        Err(e) => PageError(e).into_response(),
    }
}

/// `POST /login` (its own per-client budget, and wrong tokens counted).
pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let token = f.token.as_deref().unwrap_or("");
    match guard::token_attempt(&state, &client, "dashboard login", || {
        state.auth.token_ok(token)
    }) {
        Err(e) => PageError(e).into_response(),
        Ok(false) => send(
            StatusCode::UNAUTHORIZED,
            login_page(next, Some("That is not the admin token.")),
        ),
        Ok(true) => (
            [(
                header::SET_COOKIE,
                state.auth.login_cookie(clock::now_epoch(), client.https),
            )],
            Redirect::to(next),
        )
            .into_response(),
    }
}

/// `POST /logout`: needs the form's CSRF token, so another site cannot log
/// you out.
pub async fn logout(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if let Some(admin) = state
        .auth
        .session(&headers, clock::now_epoch(), client.https)
    {
        let csrf = f.get(CSRF_FIELD).map(String::as_str);
        if let Err(e) = admin.check_csrf(&state.auth, csrf) {
            return PageError(e).into_response();
        }
    }
    (
        [(header::SET_COOKIE, AdminAuth::logout_cookie(client.https))],
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
