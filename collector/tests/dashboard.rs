//! The dashboard's HTML through the router: journey order, numbers,
//! filters, comments by band, and escaping of everything respondents send.

mod common;

use axum::http::{header, StatusCode};
use common::{payload, uuid, TestApp};
use serde_json::{json, Value};

fn config() -> Value {
    json!({
        "version": 1,
        "journey": ["consideration", "purchase", "support"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}, "target": {"nps": 40}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}},
            {"id": "pricing-exit", "stage": "consideration", "question": {"type": "csat"}}
        ]
    })
}

fn html(reply: &common::Reply) -> String {
    html_with(reply, StatusCode::OK)
}

fn html_with(reply: &common::Reply, status: StatusCode) -> String {
    assert_eq!(
        reply.status,
        status,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        Some("text/html; charset=utf-8")
    );
    String::from_utf8(reply.body.clone()).unwrap()
}

/// Today, so the default 30 days include it.
fn now() -> String {
    touchpoint_collector::clock::rfc3339(touchpoint_collector::clock::now_epoch())
}

async fn seed(app: &TestApp) {
    let answers = [
        (10, None, "pro"),
        (9, Some("Fast delivery"), "pro"),
        (8, None, "free"),
        (3, Some("<script>alert(1)</script>"), "free"),
        (6, Some("Late & broken \"box\""), "free"),
    ];
    for (i, (score, comment, plan)) in answers.into_iter().enumerate() {
        // One minute apart, oldest first, so "newest first" is checkable.
        let t = touchpoint_collector::clock::now_epoch() - 600 + 60 * i as i64;
        let body = payload(
            json!({"response_id": uuid(i as u32), "score": score, "comment": comment,
            "occurred_at": touchpoint_collector::clock::rfc3339(t), "attributes": {"plan": plan}}),
        );
        assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED);
    }
    let shown = payload(
        json!({"response_id": uuid(50), "status": "shown", "score": null, "occurred_at": now()}),
    );
    app.post(&shown).await;
}

#[tokio::test]
async fn the_journey_map_shows_stages_in_order_with_scores_and_flags() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let page = html(&app.admin_get("/").await);
    let order: Vec<usize> = [
        "data-stage=\"consideration\"",
        "data-stage=\"purchase\"",
        "data-stage=\"support\"",
    ]
    .iter()
    .map(|s| page.find(s).unwrap_or_else(|| panic!("{s} in {page}")))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "stages in journey order"
    );

    let card = page
        .split("data-touchpoint=\"order-confirmed\"")
        .nth(1)
        .unwrap();
    let card = &card[..card.find("</article>").unwrap()];
    // 2 promoters, 1 passive, 2 detractors of 5: NPS 0; margin 196 × √(0.8/5) ≈ 78.
    assert!(card.contains("<span class=\"value\">0</span>"), "{card}");
    assert!(card.contains("± 78"), "{card}");
    assert!(card.contains("data-tone=\"fair\""), "{page}");
    assert!(card.contains("under target"), "{card}");
    assert!(card.contains("83%") && card.contains("(5/6)"), "{card}");
    assert!(card.contains("<svg class=\"sparkline\""), "{card}");
    assert!(
        card.contains("href=\"/touchpoints/order-confirmed\""),
        "{card}"
    );

    let pro = html(&app.admin_get("/?days=7&attribute=plan%3Dpro").await);
    let card = pro
        .split("data-touchpoint=\"order-confirmed\"")
        .nth(1)
        .unwrap();
    assert!(
        card.contains("<span class=\"value\">100</span>"),
        "pro customers are all promoters"
    );
    assert!(card.contains("href=\"/touchpoints/order-confirmed?days=7&amp;attribute=plan%3Dpro\""));

    let support = html(&app.admin_get("/?stage=support").await);
    assert!(
        !support.contains("data-stage=\"purchase\"") && support.contains("data-stage=\"support\"")
    );
}

#[tokio::test]
async fn a_bad_filter_is_explained_on_the_page() {
    let app = TestApp::with_config(&config());
    let page = html_with(
        &app.admin_get("/?days=custom&from=yesterday").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(
        page.contains("from: &quot;yesterday&quot; is not a date"),
        "{page}"
    );
    assert!(
        page.contains("data-stage=\"purchase\""),
        "the default report still shows"
    );
}

#[tokio::test]
async fn a_date_outside_1970_to_9999_is_a_400_page_naming_it() {
    let app = TestApp::with_config(&config());
    for path in ["/", "/touchpoints/order-confirmed", "/follow-ups"] {
        let uri = format!("{path}?days=custom&from=0000-01-01T00:00:00%2B01:00&to=0000-01-02");
        let page = html_with(&app.admin_get(&uri).await, StatusCode::BAD_REQUEST);
        assert!(
            page.contains("from: &quot;0000-01-01T00:00:00+01:00&quot; is outside 1970-01-01"),
            "{path}: {page}"
        );
    }
}

#[tokio::test]
async fn comments_are_escaped_newest_first_and_filter_by_band() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let page = html(&app.admin_get("/touchpoints/order-confirmed").await);
    assert!(
        !page.contains("<script>alert(1)"),
        "a comment never becomes markup"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("Late &amp; broken &quot;box&quot;"), "{page}");
    let late = page.find("Late &amp; broken").unwrap();
    let script = page.find("&lt;script&gt;").unwrap();
    let fast = page.find("Fast delivery").unwrap();
    assert!(late < script && script < fast, "newest first");
    assert!(
        page.contains("<svg class=\"bars\""),
        "the distribution chart"
    );
    assert!(page.contains("data-score=\"10\""));
    assert!(page.contains("plan=free"), "attributes are shown");

    let detractors = html(
        &app.admin_get("/touchpoints/order-confirmed?band=detractor")
            .await,
    );
    assert!(detractors.contains("Late &amp; broken") && detractors.contains("&lt;script&gt;"));
    assert!(!detractors.contains("Fast delivery"));
    let promoters = html(
        &app.admin_get("/touchpoints/order-confirmed?band=promoter")
            .await,
    );
    assert!(promoters.contains("Fast delivery") && !promoters.contains("Late &amp;"));

    let wrong_band = html_with(
        &app.admin_get("/touchpoints/order-confirmed?band=low").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(wrong_band.contains("is not a band of NPS"), "{wrong_band}");

    let missing = app.admin_get("/touchpoints/nope").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.header(header::CONTENT_TYPE),
        Some("text/html; charset=utf-8")
    );
}

#[tokio::test]
async fn pages_forbid_scripts_and_framing() {
    let app = TestApp::with_config(&config());
    let reply = app.admin_get("/").await;
    let csp = reply.header(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "no script source at all");
    let css = app.get("/dashboard.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.header(header::CONTENT_TYPE),
        Some("text/css; charset=utf-8")
    );
}

#[tokio::test]
async fn the_journey_links_to_an_export_of_what_it_shows() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let page = html(&app.admin_get("/?days=7&attribute=plan%3Dpro").await);
    let href = page
        .split("href=\"/v1/export?format=csv")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSV export link")
        .replace("&amp;", "&");
    let csv = app.admin_get(&format!("/v1/export?format=csv{href}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = String::from_utf8(csv.body).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + 2,
        "header and the two pro answers: {text}"
    );
}
