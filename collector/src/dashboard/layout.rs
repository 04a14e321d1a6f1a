//! The page frame every dashboard page shares, and how pages are sent.

use crate::auth::{Admin, AdminAuth, CSRF_FIELD};
use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// No script runs on the dashboard at all: it works without JavaScript, and
/// even a comment that slipped past escaping could not execute.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub const STYLE: &str = include_str!("style.css");

/// `GET /dashboard.css`.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE,
    )
        .into_response()
}

/// A hidden CSRF input for forms posted with the session cookie.
pub fn csrf_input(admin: &Admin, auth: &AdminAuth) -> Markup {
    html! {
        @if let Some(token) = admin.csrf(auth) {
            input type="hidden" name=(CSRF_FIELD) value=(token);
        }
    }
}

/// The whole page: header with navigation (and logout for a session), then `body`.
pub fn page(title: &str, session: Option<(&Admin, &AdminAuth)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Touchpoint" }
                link rel="stylesheet" href="/dashboard.css";
                link rel="icon" href="data:,";
            }
            body {
                header.top {
                    a.brand href="/" { "Touchpoint" }
                    @if let Some((admin, auth)) = session {
                        nav aria-label="Dashboard" {
                            a href="/" { "Journey" }
                            a href="/follow-ups" { "Follow-ups" }
                        }
                        @if matches!(admin, Admin::Session(_)) {
                            form.logout method="post" action="/logout" {
                                (csrf_input(admin, auth))
                                button type="submit" { "Log out" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// An HTML response with the dashboard's security headers.
pub fn send(status: StatusCode, markup: Markup) -> Response {
    let mut res = (status, markup.into_string()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// An error as a page rather than JSON, for people.
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError(AppError::Store(e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, headers) = (self.0.status(), self.0.headers());
        let (message, _) = self.0.message();
        let reason = status.canonical_reason().unwrap_or("Error");
        let body = html! {
            h1 { (status.as_u16()) " " (reason) }
            p.error { (message) }
            p { a href="/" { "Back to the journey" } }
        };
        let mut res = send(status, page(reason, None, body));
        res.headers_mut().extend(headers);
        res
    }
}
