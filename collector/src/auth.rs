//! Who may see the dashboard, the report, the export and the follow-ups:
//! whoever holds the admin token, sent as `Authorization: Bearer <token>`
//! or turned into a session cookie by the login form.
//!
//! Nothing is stored server-side: a session is `<expiry>.<HMAC(token,
//! expiry)>`, and a form's CSRF token is `HMAC(token, session)`, so every
//! collector sharing the token accepts them and changing the token ends
//! every session.
//!
//! Guessing the token is throttled by the guard (`ratelimit::failures`);
//! where the token comes from (flag, file, generated) is [`token_file`].

pub mod token_file;

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The session cookie's name over plain HTTP (the demo, tests).
pub const COOKIE: &str = "touchpoint_admin";
/// Its name over HTTPS: the browser keeps a `__Host-` cookie only when it
/// is `Secure`, has `Path=/` and no `Domain`, so no sibling subdomain or
/// plain-HTTP page can set or shadow it.
pub const SECURE_COOKIE: &str = "__Host-touchpoint_admin";
/// How long a login lasts.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Shortest admin token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;
/// The form field and header carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

type HmacSha256 = Hmac<Sha256>;

/// The admin token in force.
pub struct AdminAuth {
    token: String,
    explicit: bool,
}

impl AdminAuth {
    /// A token set by `--admin-token` or `TOUCHPOINT_ADMIN_TOKEN`.
    pub fn configured(token: &str) -> Result<AdminAuth, String> {
        AdminAuth::checked(token, "--admin-token / TOUCHPOINT_ADMIN_TOKEN", true)
    }

    /// `token` if it is long enough; `source` names where it came from.
    pub fn checked(token: &str, source: &str, explicit: bool) -> Result<AdminAuth, String> {
        let token = token.trim();
        if token.chars().count() < MIN_TOKEN_CHARS {
            return Err(format!(
                "{source} must have at least {MIN_TOKEN_CHARS} characters \
                 (e.g. the output of `openssl rand -hex 32`)"
            ));
        }
        Ok(AdminAuth::new(token.to_string(), explicit))
    }

    /// A random token for this run, when none is configured, so the
    /// dashboard is never open by accident.
    pub fn generated() -> AdminAuth {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        AdminAuth::new(hex(&bytes), false)
    }

    /// `explicit`: the operator chose the token (rather than a generated one).
    pub fn new(token: String, explicit: bool) -> AdminAuth {
        AdminAuth { token, explicit }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn explicit(&self) -> bool {
        self.explicit
    }

    fn mac(&self, purpose: &str, data: &str) -> HmacSha256 {
        let mut m = HmacSha256::new_from_slice(self.token.as_bytes()).expect("HMAC takes any key");
        m.update(purpose.as_bytes());
        m.update(b"\0");
        m.update(data.as_bytes());
        m
    }

    fn sign(&self, purpose: &str, data: &str) -> String {
        hex(&self.mac(purpose, data).finalize().into_bytes())
    }

    fn verify(&self, purpose: &str, data: &str, signature: &str) -> bool {
        unhex(signature).is_some_and(|sig| self.mac(purpose, data).verify_slice(&sig).is_ok())
    }

    /// Whether `given` is the token, compared in constant time.
    pub fn token_ok(&self, given: &str) -> bool {
        self.verify("token", given.trim(), &self.sign("token", &self.token))
    }

    /// A new session cookie value, valid for [`SESSION_SECS`] from `now`.
    pub fn new_session(&self, now: i64) -> String {
        let expires = now + SESSION_SECS;
        format!("{expires}.{}", self.sign("session", &expires.to_string()))
    }

    pub fn session_ok(&self, value: &str, now: i64) -> bool {
        let Some((expires, sig)) = value.split_once('.') else {
            return false;
        };
        expires.parse::<i64>().is_ok_and(|e| e > now) && self.verify("session", expires, sig)
    }

    /// The CSRF token forms carry for this session.
    pub fn csrf_for(&self, session: &str) -> String {
        self.sign("csrf", session)
    }

    /// The `Set-Cookie` value that logs in; over HTTPS (`secure`) the
    /// cookie is `Secure` and named with the `__Host-` prefix.
    pub fn login_cookie(&self, now: i64, secure: bool) -> String {
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{}",
            cookie_name(secure),
            self.new_session(now),
            secure_attr(secure)
        )
    }

    /// The `Set-Cookie` value that logs out.
    pub fn logout_cookie(secure: bool) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
            cookie_name(secure),
            secure_attr(secure)
        )
    }

    /// The admin behind a valid session cookie, if any: the `__Host-`
    /// one over HTTPS, the plain one over HTTP.
    pub fn session(&self, headers: &HeaderMap, now: i64, secure: bool) -> Option<Admin> {
        cookie(headers, cookie_name(secure))
            .filter(|s| self.session_ok(s, now))
            .map(|s| Admin::Session(s.to_string()))
    }
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

fn secure_attr(secure: bool) -> &'static str {
    if secure {
        "; Secure"
    } else {
        ""
    }
}

/// The token of an `Authorization: Bearer` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// An authenticated admin request; put in the request's extensions by the
/// auth middleware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admin {
    /// `Authorization: Bearer`: browsers never send it on their own, so no
    /// CSRF check is needed.
    Bearer,
    /// The login cookie (its value).
    Session(String),
}

impl Admin {
    /// The CSRF token forms must carry; `None` for bearer requests.
    pub fn csrf(&self, auth: &AdminAuth) -> Option<String> {
        match self {
            Admin::Bearer => None,
            Admin::Session(s) => Some(auth.csrf_for(s)),
        }
    }

    /// Refuses a state change riding on the cookie without the right CSRF token.
    pub fn check_csrf(&self, auth: &AdminAuth, given: Option<&str>) -> Result<(), AppError> {
        match self {
            Admin::Bearer => Ok(()),
            Admin::Session(s) if given.is_some_and(|g| auth.verify("csrf", s, g)) => Ok(()),
            Admin::Session(_) => Err(AdminAuth::csrf_error()),
        }
    }
}

impl AdminAuth {
    fn csrf_error() -> AppError {
        AppError::Forbidden(
            "the form's CSRF token is missing or stale; reload the page and try again".into(),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Admin>()
            .cloned()
            .ok_or(AppError::Unauthorized)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests;
