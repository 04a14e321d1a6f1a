use super::*;
use crate::clock::rfc3339;

const T0: f64 = 1_795_428_000_000.0;

fn response(n: u32, status: Status, score: Option<u8>, at: f64) -> Response {
    Response::from_value(&serde_json::json!({
        "response_id": format!("00000000-0000-4000-8000-{n:012}"),
        "touchpoint": "order-confirmed", "stage": "purchase", "question": "nps",
        "score": score, "comment": null, "status": status.as_str(),
        "respondent": "r-1", "attributes": {}, "locale": "en",
        "page_url": "https://shop.example/checkout/thank-you",
        "occurred_at": rfc3339(at), "widget_version": "0.1.0"
    }))
    .unwrap()
}

#[test]
fn later_states_coalesce_into_one_merged_entry() {
    let mut q = Vec::new();
    upsert(&mut q, &response(1, Status::Shown, None, T0), T0);
    upsert(&mut q, &response(2, Status::Shown, None, T0), T0);
    upsert(
        &mut q,
        &response(1, Status::Answered, Some(9), T0 + 10.0),
        T0 + 10.0,
    );
    let mut comment = response(1, Status::Answered, Some(9), T0 + 20.0);
    comment.comment = Some("fast delivery".into());
    upsert(&mut q, &comment, T0 + 20.0);
    // a late duplicate `shown` never takes the answer back
    upsert(&mut q, &response(1, Status::Shown, None, T0), T0 + 30.0);
    assert_eq!(q.len(), 2);
    let r = &q[0].response;
    assert_eq!((r.status, r.score), (Status::Answered, Some(9)));
    assert_eq!(r.comment.as_deref(), Some("fast delivery"));
    assert_eq!(q[0].queued_at, T0 + 30.0);
}

#[test]
fn confirm_keeps_a_newer_state_that_arrived_in_flight() {
    let mut q = Vec::new();
    let shown = response(1, Status::Shown, None, T0);
    upsert(&mut q, &shown, T0);
    let in_flight = q[0].response.clone();
    upsert(
        &mut q,
        &response(1, Status::Answered, Some(3), T0 + 1.0),
        T0 + 1.0,
    );
    assert!(
        !confirm(&mut q, &in_flight),
        "the answer is not delivered yet"
    );
    assert_eq!(q.len(), 1);
    let answered = q[0].response.clone();
    assert!(confirm(&mut q, &answered));
    assert!(q.is_empty());
}

#[test]
fn entries_older_than_seven_days_are_given_up() {
    let mut q = Vec::new();
    upsert(&mut q, &response(1, Status::Answered, Some(5), T0), T0);
    upsert(
        &mut q,
        &response(2, Status::Answered, Some(5), T0),
        T0 + 1000.0,
    );
    assert_eq!(expire(&mut q, T0 + MAX_AGE_MS - 1.0), 0);
    assert_eq!(expire(&mut q, T0 + MAX_AGE_MS), 1);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].queued_at, T0 + 1000.0);
}

#[test]
fn bound_drops_oldest_shown_first_and_answers_last() {
    let mut q = Vec::new();
    upsert(&mut q, &response(1, Status::Answered, Some(1), T0), T0);
    upsert(&mut q, &response(2, Status::Shown, None, T0), T0 + 2.0);
    upsert(&mut q, &response(3, Status::Dismissed, None, T0), T0 + 1.0);
    upsert(&mut q, &response(4, Status::Shown, None, T0), T0 + 1.0);
    upsert(
        &mut q,
        &response(5, Status::Answered, Some(2), T0),
        T0 + 5.0,
    );
    let ids = |v: &[Response]| {
        v.iter()
            .map(|r| r.response_id[35..].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&bound(&mut q, 3, MAX_BYTES)), ["4", "2"]);
    assert_eq!(ids(&bound(&mut q, 1, MAX_BYTES)), ["3", "1"]);
    assert_eq!(
        q[0].response.response_id,
        response(5, Status::Shown, None, T0).response_id
    );
}

#[test]
fn bound_keeps_within_500_entries_and_256_kb() {
    let mut q = Vec::new();
    for i in 0..600 {
        let status = if i % 2 == 0 {
            Status::Shown
        } else {
            Status::Answered
        };
        let score = (status == Status::Answered).then_some(7);
        upsert(&mut q, &response(i, status, score, T0), T0 + f64::from(i));
    }
    let dropped = bound(&mut q, MAX_ENTRIES, MAX_BYTES);
    assert_eq!(q.len(), MAX_ENTRIES);
    assert_eq!(dropped.len(), 100);
    assert!(dropped.iter().all(|r| r.status == Status::Shown));
    assert!(encode(&q).len() <= MAX_BYTES);

    // Big comments: the byte limit bites before the entry limit.
    let mut q = Vec::new();
    for i in 0..400 {
        let mut r = response(i, Status::Answered, Some(9), T0);
        r.comment = Some("x".repeat(1000));
        upsert(&mut q, &r, T0 + f64::from(i));
    }
    let dropped = bound(&mut q, MAX_ENTRIES, MAX_BYTES);
    let size = encode(&q).len();
    assert!(size <= MAX_BYTES, "{size} bytes kept");
    assert!(
        size > MAX_BYTES - 2_000,
        "dropped no more than needed: {size}"
    );
    assert!(!dropped.is_empty());
    // the oldest went first
    assert_eq!(
        dropped[0].response_id,
        response(0, Status::Shown, None, T0).response_id
    );
}

#[test]
fn encode_decode_round_trip_and_survive_damage() {
    let mut q = Vec::new();
    upsert(&mut q, &response(1, Status::Answered, Some(10), T0), T0);
    let text = encode(&q);
    assert_eq!(decode(&text), (q.clone(), 0));
    let damaged = text.replacen('[', r#"[{"response":{"oops":1},"queued_at":1},"#, 1);
    assert_eq!(decode(&damaged), (q, 1));
    assert!(decode("not json").0.is_empty());
    assert!(decode("{}").0.is_empty());
}

#[test]
fn statuses_classify_for_retry() {
    assert_eq!(classify(202), Outcome::Delivered);
    assert_eq!(classify(200), Outcome::Delivered);
    for s in [408, 429, 500, 502, 503, 504, 0] {
        assert_eq!(classify(s), Outcome::Retry, "{s}");
    }
    for s in [400, 413, 415, 422, 404] {
        assert_eq!(classify(s), Outcome::Rejected, "{s}");
    }
}

#[test]
fn backoff_grows_exponentially_with_full_jitter_and_a_cap() {
    assert_eq!(backoff_ms(0, 0.5, None), 500.0);
    assert_eq!(backoff_ms(3, 0.5, None), 4_000.0);
    assert_eq!(backoff_ms(3, 0.999_999, None).round(), 8_000.0);
    assert_eq!(backoff_ms(20, 0.999_999, None).round(), MAX_DELAY_MS);
    assert_eq!(backoff_ms(u32::MAX, 1.0, None), MAX_DELAY_MS);
    assert_eq!(backoff_ms(5, 0.0, None), 100.0, "floor");
    // Retry-After is a minimum, even beyond the cap, but not beyond a day
    assert_eq!(backoff_ms(0, 0.5, Some(30_000.0)), 30_000.0);
    assert_eq!(backoff_ms(20, 0.5, Some(600_000.0)), 600_000.0);
    assert_eq!(backoff_ms(0, 0.5, Some(1e12)), MAX_RETRY_AFTER_MS);
    // full jitter spreads over [0, ceiling)
    let draws: Vec<f64> = (0..10)
        .map(|i| backoff_ms(4, f64::from(i) / 10.0, None))
        .collect();
    assert!(draws.windows(2).all(|w| w[0] <= w[1]));
    assert!(draws[9] < 16_000.0 && draws[1] >= 1_600.0);
}

#[test]
fn retry_after_reads_seconds_and_dates() {
    let never = |_: &str| None;
    assert_eq!(retry_after_ms("120", T0, never), Some(120_000.0));
    assert_eq!(retry_after_ms(" 0 ", T0, never), Some(0.0));
    assert_eq!(retry_after_ms("soon", T0, never), None);
    let date = |s: &str| (s == "Wed, 21 Oct 2026 07:28:00 GMT").then_some(T0 + 5_000.0);
    assert_eq!(
        retry_after_ms("Wed, 21 Oct 2026 07:28:00 GMT", T0, date),
        Some(5_000.0)
    );
    let past = |_: &str| Some(T0 - 5_000.0);
    assert_eq!(
        retry_after_ms("Mon, 1 Jan 2024 00:00:00 GMT", T0, past),
        Some(0.0)
    );
}

#[test]
fn rejection_warning_names_the_field() {
    let w = rejection_warning(
        422,
        r#"{"error":"11 is outside the nps scale (0–10)","field":"score"}"#,
        "abc",
    );
    assert!(w.contains("field \"score\""), "{w}");
    assert!(
        w.contains("HTTP 422") && w.contains("abc") && w.contains("outside"),
        "{w}"
    );
    let w = rejection_warning(
        400,
        r#"{"error":"body is not valid JSON","field":null}"#,
        "abc",
    );
    assert!(w.ends_with("body is not valid JSON"), "{w}");
    let w = rejection_warning(413, "too big", "abc");
    assert!(w.ends_with("too big"), "{w}");
}
