//! Guessing the admin token, against the real `touchpoint serve` over
//! HTTP: wrong tokens are counted per client IP (behind trusted proxies,
//! per forwarded client), answered 429 once past the limit — the right
//! token too — and logged with the client's address, never the token.
//! The login cookie is `Secure` and `__Host-` over HTTPS.

mod common;

use common::serve::{self, Served};
use reqwest::redirect::Policy;
use std::net::IpAddr;
use std::path::Path;

fn start(dir: &Path, args: &[&str]) -> (Served, common::db::Fresh) {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/touchpoint.json");
    let db = common::db::fresh(dir);
    let mut args = args.to_vec();
    args.extend(["--admin-token", common::TOKEN]);
    (serve::start(dir, &config, &db.url, &args, &[]), db)
}

/// A client that does not follow the login's redirect (its `Set-Cookie`
/// is what we read), from the given loopback address.
fn client_from(local: &str) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .local_address(local.parse::<IpAddr>().unwrap())
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_and_twenty_wrong_tokens_get_ten_401s_then_429s() {
    let dir = tempfile::tempdir().unwrap();
    let (served, _db) = start(dir.path(), &[]);
    let client = client_from("127.0.0.1");
    let report = format!("{}/v1/report", served.base);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for n in 0..120 {
        let res = client
            .get(&report)
            .bearer_auth(format!("guess-{n:04}-abcdefghijkl"))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            retry_after = res.headers().get("retry-after").cloned();
        }
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(statuses[10..], [429; 110], "{statuses:?}");
    let wait: u64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
    assert!(
        (840..=900).contains(&wait),
        "blocked for the 15-minute window: {wait}"
    );

    let right = client
        .get(&report)
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 429, "the right token waits too");
    assert!(right.headers().contains_key("retry-after"));
    let login = client
        .post(format!("{}/login", served.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", common::TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 429, "the login form is the same door");

    let other = client_from("127.0.0.2");
    let theirs = other
        .get(&report)
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 200, "another address is not blocked");

    let log = served.log();
    let failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("bearer token: wrong admin token"))
        .collect();
    assert_eq!(failures.len(), 10, "one line per counted failure:\n{log}");
    assert!(
        failures
            .iter()
            .all(|l| l.contains("WARN") && l.contains("client=127.0.0.1")),
        "{failures:?}"
    );
    assert!(
        !log.contains("guess-0"),
        "a guessed token is never logged:\n{log}"
    );
    assert!(!log.contains(common::TOKEN), "the token is never logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (served, _db) = start(dir.path(), &["--trusted-proxies", "127.0.0.1/32"]);
    let proxy = client_from("127.0.0.1");
    let login = format!("{}/login", served.base);
    let attempt = |client: &reqwest::Client, xff: &str, token: &str| {
        client
            .post(&login)
            .header("x-forwarded-for", xff)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}", token))
            .send()
    };
    for _ in 0..10 {
        let res = attempt(&proxy, "198.51.100.7", "a-wrong-token-guessed")
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let blocked = attempt(&proxy, "198.51.100.7", common::TOKEN)
        .await
        .unwrap();
    assert_eq!(blocked.status(), 429);
    let neighbour = attempt(&proxy, "198.51.100.8", common::TOKEN)
        .await
        .unwrap();
    assert_eq!(
        neighbour.status(),
        303,
        "another client behind the same proxy logs in"
    );
    assert!(served
        .log()
        .contains("dashboard login: wrong admin token client=198.51.100.7"));

    // Not a trusted proxy: its X-Forwarded-For is ignored, so naming the
    // blocked client does not block it, nor does naming another unblock it.
    let direct = client_from("127.0.0.2");
    let res = attempt(&direct, "198.51.100.8", common::TOKEN)
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    for _ in 0..10 {
        attempt(&direct, "198.51.100.9", "a-wrong-token-guessed")
            .await
            .unwrap();
    }
    let res = attempt(&direct, "198.51.100.10", common::TOKEN)
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        429,
        "127.0.0.2 is the client whatever it writes"
    );
    assert!(served.log().contains("client=127.0.0.2"));
}

fn set_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get("set-cookie")
        .expect("a login cookie")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_login_cookie_is_secure_and_host_only() {
    let dir = tempfile::tempdir().unwrap();
    let (public, _db) = start(dir.path(), &["--public-url", "https://cx.example.com"]);
    let client = client_from("127.0.0.1");
    let res = client
        .post(format!("{}/login", public.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", common::TOKEN))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&res);
    assert!(cookie.starts_with("__Host-touchpoint_admin="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    drop(public);

    let dir = tempfile::tempdir().unwrap();
    let (proxied, _db) = start(dir.path(), &["--trusted-proxies", "127.0.0.1"]);
    let login = |client: reqwest::Client| {
        client
            .post(format!("{}/login", proxied.base))
            .header("x-forwarded-proto", "https")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}", common::TOKEN))
            .send()
    };
    let via_proxy = set_cookie(&login(client_from("127.0.0.1")).await.unwrap());
    assert!(
        via_proxy.starts_with("__Host-touchpoint_admin="),
        "{via_proxy}"
    );
    assert!(via_proxy.contains("; Secure"), "{via_proxy}");
    let untrusted = set_cookie(&login(client_from("127.0.0.2")).await.unwrap());
    assert!(
        untrusted.starts_with("touchpoint_admin=") && !untrusted.contains("Secure"),
        "X-Forwarded-Proto counts only from a trusted proxy: {untrusted}"
    );
    let plain = client_from("127.0.0.1")
        .post(format!("{}/login", proxied.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", common::TOKEN))
        .send()
        .await
        .unwrap();
    assert!(
        set_cookie(&plain).starts_with("touchpoint_admin="),
        "plain HTTP keeps working"
    );
}

#[test]
fn bad_flags_stop_start_up_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/touchpoint.json");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .args([
                "serve",
                "--config",
                config.to_str().unwrap(),
                "--addr",
                "127.0.0.1:0",
            ])
            .args(args)
            .env_remove("TOUCHPOINT_TRUSTED_PROXIES")
            .env_remove("TOUCHPOINT_CLIENT_IP_HEADER")
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["--trusted-proxies", "10.0.0.0/8,proxy.internal"]).contains("\"proxy.internal\""));
    assert!(run(&["--client-ip-header", "X-Real-IP"]).contains("--trusted-proxies"));
    assert!(run(&["--public-url", "cx.example.com"]).contains("https://"));
}
