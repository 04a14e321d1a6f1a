//! The admin token, sessions, cookies and CSRF, without HTTP.

use super::*;
use axum::http::HeaderValue;

/// Who is asking, as the guard sees it (without its throttle): a bearer
/// header wins over the cookie.
fn authenticate(a: &AdminAuth, headers: &HeaderMap, now: i64, secure: bool) -> Option<Admin> {
    match bearer(headers) {
        Some(token) => a.token_ok(token).then_some(Admin::Bearer),
        None => a.session(headers, now, secure),
    }
}

#[test]
fn over_https_the_cookie_is_secure_and_host_only() {
    let a = auth();
    let plain = a.login_cookie(0, false);
    assert!(plain.starts_with("touchpoint_admin="), "{plain}");
    assert!(!plain.contains("Secure"), "{plain}");
    let secure = a.login_cookie(0, true);
    assert!(secure.starts_with("__Host-touchpoint_admin="), "{secure}");
    assert!(secure.ends_with("; Secure"), "{secure}");
    assert!(secure.contains("; Path=/;") && !secure.contains("Domain"));
    assert!(AdminAuth::logout_cookie(true).starts_with("__Host-touchpoint_admin=;"));
    assert!(AdminAuth::logout_cookie(true).contains("; Secure"));
}

fn auth() -> AdminAuth {
    AdminAuth::configured("correct horse battery staple").unwrap()
}

#[test]
fn tokens_are_compared_whole() {
    let a = auth();
    assert!(a.token_ok("correct horse battery staple"));
    assert!(!a.token_ok("correct horse battery stapl"));
    assert!(!a.token_ok(""));
    assert!(AdminAuth::configured("short").is_err());
    assert_eq!(AdminAuth::generated().token().len(), 48);
    assert_ne!(
        AdminAuth::generated().token(),
        AdminAuth::generated().token()
    );
}

#[test]
fn sessions_expire_and_cannot_be_forged() {
    let a = auth();
    let s = a.new_session(1000);
    assert!(a.session_ok(&s, 1000 + SESSION_SECS - 1));
    assert!(!a.session_ok(&s, 1000 + SESSION_SECS));
    let (_, sig) = s.split_once('.').unwrap();
    let extended = format!("{}.{sig}", 1000 + 10 * SESSION_SECS);
    assert!(!a.session_ok(&extended, 1000), "the expiry is signed");
    let other = AdminAuth::configured("another token, also long").unwrap();
    assert!(
        !other.session_ok(&s, 1000),
        "a new token ends every session"
    );
}

#[test]
fn bearer_or_cookie() {
    let a = auth();
    let mut h = HeaderMap::new();
    assert_eq!(authenticate(&a, &h, 0, false), None);
    h.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Bearer correct horse battery staple"),
    );
    assert_eq!(authenticate(&a, &h, 0, false), Some(Admin::Bearer));
    h.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Bearer nope"),
    );
    let session = a.new_session(0);
    h.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("x=1; {COOKIE}={session}")).unwrap(),
    );
    assert_eq!(
        authenticate(&a, &h, 0, false),
        None,
        "a wrong bearer token is not rescued by the cookie"
    );
    h.remove(header::AUTHORIZATION);
    assert_eq!(
        authenticate(&a, &h, 0, false),
        Some(Admin::Session(session.clone()))
    );
    assert_eq!(
        authenticate(&a, &h, 0, true),
        None,
        "over HTTPS only the __Host- cookie counts"
    );
    h.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("{SECURE_COOKIE}={session}")).unwrap(),
    );
    assert_eq!(
        authenticate(&a, &h, 0, true),
        Some(Admin::Session(session.clone()))
    );
    assert_eq!(authenticate(&a, &h, 0, false), None);

    let admin = Admin::Session(session.clone());
    let csrf = admin.csrf(&a).unwrap();
    assert!(admin.check_csrf(&a, Some(&csrf)).is_ok());
    assert!(admin.check_csrf(&a, None).is_err());
    assert!(admin.check_csrf(&a, Some(&a.csrf_for("other"))).is_err());
    assert!(Admin::Bearer.check_csrf(&a, None).is_ok());
}
