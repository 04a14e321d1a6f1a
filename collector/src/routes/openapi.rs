//! `GET /v1/openapi.json`: an OpenAPI 3.1 document of every route the
//! collector serves (checked against the router by `tests/openapi.rs`).

use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use touchpoint_protocol::Config;

/// Built from the config in force: where the report takes only the config's
/// stages and touchpoints, the document lists them.
pub async fn get(State(state): State<AppState>) -> Response {
    let doc = document(&state.config.current().config).to_string();
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Access {
    Public,
    /// Bearer token or login cookie; 401 JSON without.
    Admin,
    /// Bearer token or login cookie; a redirect to /login without.
    Page,
}

fn json_body(schema: Value) -> Value {
    json!({"content": {"application/json": {"schema": schema}}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn error(description: &str) -> Value {
    let mut r = json_body(schema_ref("Error"));
    r["description"] = json!(description);
    r
}

fn html(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

fn query(name: &str, description: &str) -> Value {
    typed_query(name, description, json!({"type": "string"}))
}

fn typed_query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

/// A whole number in `min..=max`.
fn int(min: u64, max: u64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

/// `schema`, or an empty value (as HTML forms send for "not set").
fn or_empty(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "string", "maxLength": 0}]})
}

/// One of `values`, or empty.
fn one_of(values: &[&str]) -> Value {
    or_empty(json!({"type": "string", "enum": values}))
}

/// A date or a time, as the period bounds take them.
fn date() -> Value {
    json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})
}

/// The report/export/follow-up filters. With `config`, `stage` and
/// `touchpoint` must be ones it has (the report); without, any value (the
/// export and the queue, since old rows may hold others).
fn filters(config: Option<&Config>) -> Vec<Value> {
    let stage = match config {
        Some(c) => one_of(&c.journey.iter().map(String::as_str).collect::<Vec<_>>()),
        None => json!({"type": "string"}),
    };
    let touchpoint = match config {
        Some(c) => one_of(
            &c.touchpoints
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>(),
        ),
        None => json!({"type": "string"}),
    };
    vec![
        typed_query(
            "from",
            "Start: YYYY-MM-DD or RFC 3339, years 1970–9999 (default: `days` before `to`); must be before `to`, at most 3660 days earlier",
            or_empty(date()),
        ),
        typed_query(
            "to",
            "End: YYYY-MM-DD (that day included) or RFC 3339, years 1970–9999 (default: end of today, UTC)",
            or_empty(date()),
        ),
        typed_query(
            "days",
            "The last N days ending with `to` (ignored with `from`; default 30)",
            or_empty(int(1, crate::report::period::MAX_DAYS as u64)),
        ),
        typed_query("stage", "Only this journey stage", stage),
        typed_query("touchpoint", "Only this touchpoint", touchpoint),
        typed_query(
            "attribute",
            "Only respondents with this attribute, `key=value` (key: 1–64 characters, no quotes or backslashes)",
            json!({"type": "string", "pattern": r#"^$|^[^="\\\s]([^="\\]{0,62}[^="\\\s])?=.*$"#}),
        ),
    ]
}

const TOO_MANY_FAILURES: &str =
    "Too many wrong admin tokens from this address (or overall): every bearer token waits; see Retry-After";

fn op(access: Access, summary: &str, params: Vec<Value>, responses: Value) -> Value {
    let mut responses = responses;
    let mut o = json!({"summary": summary, "parameters": params});
    responses["500"] = error("An internal error (details in the collector log)");
    responses["503"] = error("The database is shutting down or unavailable; retry");
    match access {
        Access::Public => {}
        Access::Admin => {
            responses["401"] = error("No admin token (Bearer) or login cookie");
            responses["429"] = error(TOO_MANY_FAILURES);
            o["security"] = json!([{"bearer": []}, {"cookie": []}]);
        }
        Access::Page => {
            responses["303"] = json!({"description": "Not logged in: redirect to /login?next=…"});
            responses["429"] = error(TOO_MANY_FAILURES);
            o["security"] = json!([{"bearer": []}, {"cookie": []}]);
        }
    }
    // Any request: too slow to arrive (server timeouts), or a handler bug
    // caught by the panic layer (the process lives on).
    responses["408"] = error("The request or its body took longer than the server allows");
    responses["500"] = error("The collector failed on this request (details in its log)");
    o["responses"] = responses;
    o
}

/// An operation with a request body: it can also answer 400 (unreadable),
/// 415 (another content type) and 422 (a field is wrong, named in `field`).
fn with_body(mut o: Value, content_type: &str, schema: Value) -> Value {
    o["requestBody"] = json!({"required": true, "content": {content_type: {"schema": schema}}});
    let responses = &mut o["responses"];
    for (status, what) in [
        ("400", "The body cannot be read as its content type"),
        ("415", "Another content type than the one documented"),
        ("422", "A field is wrong (named in `field`)"),
    ] {
        if responses.get(status).is_none() {
            responses[status] = error(what);
        }
    }
    o
}

fn paths(config: &Config) -> Value {
    use Access::*;
    let ok_json = |name: &str, d: &str| {
        let mut r = json_body(schema_ref(name));
        r["description"] = json!(d);
        r
    };
    let file = |d: &str| json!({"200": {"description": d}, "404": {"description": "No such file"}});
    let mut step_form = step();
    step_form["properties"] = json!({
        "csrf": {"type": "string", "description": "Required with the login cookie"},
        "back": {"type": "string", "description": "Path to return to"}});
    json!({
            "/healthz": {"get": op(Public, "Liveness", vec![], json!({"200": {"description": "{\"ok\": true}"}}))},
            "/readyz": {"get": op(Public, "Readiness: the database is writable and its migrations are current", vec![], json!({
                "200": {"description": "{\"ok\": true}"},
                "503": {"description": "Not ready: {\"ok\": false, \"reason\": \"the database is read-only\"} (or closed, not writable, migrations not current)",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["ok", "reason"], "properties": {"ok": {"const": false}, "reason": {"type": "string"}}}}}}}))},
            "/metrics": {"get": op(Admin, "Metrics in the Prometheus text format (OpenMetrics 1.0); also without auth on --metrics-addr only", vec![], json!({
                "200": {"description": "The metrics (see README § Operations)", "content": {"application/openmetrics-text; version=1.0.0; charset=utf-8": {"schema": {"type": "string"}}}}}))},
            "/v1/responses": {
                "post": with_body(op(Public, "Store a response (upsert by response_id; also text/plain for sendBeacon)", vec![], json!({
                    "202": ok_json("Accepted", "Stored"),
                    "400": error("Not JSON"), "413": error("Body over 16 KB"), "415": error("Not application/json or text/plain"),
                    "409": error("The response_id belongs to another touchpoint or question"),
                    "422": error("A field is invalid (named in `field`)"), "429": error("Rate limit; see Retry-After")})),
                    "application/json", post_schema(config)),
                "get": op(Admin, "Stored responses, oldest first; without `limit` every row, streamed",
                    vec![query("touchpoint", "Only this touchpoint"),
                         typed_query("limit", "At most this many (1 to 10000; all when absent)", int(1, 10_000)),
                         typed_query("offset", "Skip this many first (pages are stable: an update keeps a response's place)", int(0, u64::MAX))],
                    json!({"200": {"description": "Responses", "content": {"application/json": {"schema": {"type": "array", "items": schema_ref("StoredResponse")}}}},
                           "400": error("A parameter is unusable (named in `field`)"),
    }))
            },
            "/v1/config": {"get": op(Public, "The touchpoint config as written, with `closed: true` on full touchpoints", vec![], json!({
                "200": {"description": "Config (see /v1/config/schema)", "content": {"application/json": {"schema": {"$ref": "/v1/config/schema"}}}},
                "304": {"description": "Not modified (If-None-Match)"}, "429": error("Rate limit; see Retry-After")}))},
            "/v1/config/schema": {"get": op(Public, "JSON Schema of the config", vec![], json!({"200": {"description": "JSON Schema"}}))},
            "/v1/openapi.json": {"get": op(Public, "This document", vec![], json!({"200": {"description": "OpenAPI 3.1"}}))},
            "/v1/report": {"get": op(Admin, "The journey report: per stage and touchpoint, score ± 95% margin, answers, response rate, trend, targets, follow-ups",
                filters(Some(config)), json!({"200": ok_json("Report", "The report"), "400": error("A parameter is unusable (named in `field`)")}))},
            "/v1/export": {"get": op(Admin, "Responses as CSV or JSON Lines, streamed (all time unless a period is given; previews left out)",
                [vec![typed_query("format", "csv (default) or jsonl (also ndjson)", json!({"enum": ["csv", "jsonl", "ndjson"]}))], filters(None)].concat(),
                json!({"200": {"description": "The export", "content": {"text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
                       "400": error("A parameter is unusable")}))},
            "/v1/follow-ups": {"get": op(Admin, "The follow-up queue (NPS 0–6, CES 1–3, CSAT 1–2), newest first",
                [filters(None), vec![typed_query("state", "open, contacted, recovered, lost (comma-separated), todo or all (default)", json!({"type": "string", "pattern": STATES})), typed_query("limit", "1–5000, default 500", int(1, 5000))]].concat(),
                json!({"200": {"description": "Queue entries", "content": {"application/json": {"schema": {"type": "array", "items": schema_ref("FollowUpItem")}}}},
                       "400": error("A parameter is unusable")}))},
            "/v1/follow-ups/{response_id}": {"post": with_body(op(Admin, "Mark a follow-up contacted, then recovered or lost (with a note); X-CSRF-Token with the cookie",
                vec![path_param("response_id", "The response")],
                json!({"200": ok_json("FollowUpItem", "The entry after the step"), "403": error("Missing CSRF token (cookie auth)"),
                       "404": error("No such response"), "409": error("Not in the queue, or a step out of order"), "422": error("Bad state, or a note is needed")})),
                "application/json", schema_ref("FollowUpStep"))},
            "/v1/respondents/{respondent}": {"delete": op(Admin, "Right to erasure: delete every response of this respondent, with their follow-ups and alert copies, in one transaction; X-CSRF-Token with the cookie",
                vec![json!({"name": "respondent", "in": "path", "required": true,
                    "description": "The respondent id the widget sent (1–128 characters, not only spaces)",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": r"\S"}})],
                json!({"200": ok_json("Erasure", "Rows deleted per table (all 0 when nothing was stored)"),
                       "400": error("Not a respondent id (named in `field`)"), "403": error("Missing CSRF token (cookie auth)")}))},
            "/": {"get": op(Page, "Dashboard: the journey map", filters(Some(config)), json!({"200": html("The journey map"), "400": html("A filter is unusable: explained above the default map")}))},
            "/touchpoints/{id}": {"get": op(Page, "Dashboard: one touchpoint — distribution, trend, comments",
                [vec![path_param("id", "Touchpoint id")], filters(Some(config)), vec![typed_query("band", "Comments in this band only", one_of(&BANDS))]].concat(),
                json!({"200": html("The touchpoint page"), "400": html("A filter is unusable: explained above the default page"), "404": html("Not a touchpoint in the config")}))},
            "/follow-ups": {"get": op(Page, "Dashboard: the follow-up queue", [filters(Some(config)), vec![typed_query("state", "todo (default), open, contacted, recovered, lost or all", json!({"type": "string", "pattern": STATES}))]].concat(),
                json!({"200": html("The queue"), "400": html("A filter is unusable: explained above the default queue")}))},
            "/follow-ups/{response_id}": {"post": with_body(op(Page, "Dashboard form: a follow-up step", vec![path_param("response_id", "The response")],
                json!({"303": {"description": "Done; back to the list"}, "400": html("The form cannot be read"), "403": html("Missing or stale CSRF token"),
                    "404": html("No such response"), "409": html("Step out of order"), "415": html("Not a form post"), "422": html("A note is needed, or a field is wrong")})),
                "application/x-www-form-urlencoded", step_form)},
            "/login": {
                "get": op(Public, "Login form", vec![query("next", "Path to return to")], json!({"200": html("The form"), "429": html("Too many wrong tokens from this address; see Retry-After")})),
                "post": with_body(op(Public, "Log in: sets an HttpOnly, SameSite=Strict session cookie", vec![],
                    json!({"303": {"description": "Logged in; to `next`"}, "401": html("Wrong token"), "429": {"description": "Rate limit (JSON), or too many wrong tokens (the page); see Retry-After",
                        "content": {"application/json": {"schema": schema_ref("Error")}, "text/html": {"schema": {"type": "string"}}}}})),
                    "application/x-www-form-urlencoded",
                    json!({"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}, "next": {"type": "string"}}}))
            },
            "/logout": {"post": with_body(op(Public, "Log out (CSRF token required with a session)", vec![],
                json!({"303": {"description": "Logged out; to /login"}, "403": html("Missing CSRF token")})),
                "application/x-www-form-urlencoded", json!({"type": "object", "properties": {"csrf": {"type": "string"}}}))},
            "/dashboard.css": {"get": op(Public, "The dashboard's stylesheet", vec![], json!({"200": {"description": "CSS"}}))},
            "/widget/{path}": {"get": op(Public, "The built widget (touchpoint.js, the wasm and its glue)", vec![path_param("path", "File")], file("The file"))},
            "/shop": {"get": op(Public, "The demo shop (only with --demo)", vec![], file("index.html"))},
            "/shop/": {"get": op(Public, "The demo shop (only with --demo)", vec![], file("index.html"))},
            "/shop/{page}": {"get": op(Public, "The demo shop, only with --demo (a single-page app: every path serves index.html)", vec![path_param("page", "Any shop path")], file("index.html"))},
            "/test-pages/{path}": {"get": op(Public, "End-to-end test host pages (only with --demo, and when tests/pages exists next to the widget dir)", vec![path_param("path", "File")], file("The page"))}
        })
}

/// A follow-up step: `contacted` (a note is optional), then `recovered` or
/// `lost` with a note saying what happened.
fn step() -> Value {
    let note = |required: bool| {
        if required {
            json!({"type": "string", "maxLength": 2000, "pattern": r"\S"})
        } else {
            json!({"type": ["string", "null"], "maxLength": 2000})
        }
    };
    json!({"type": "object", "required": ["state"], "oneOf": [
        {"properties": {"state": {"const": "contacted"}, "note": note(false)}},
        {"required": ["note"], "properties": {"state": {"enum": ["recovered", "lost"]}, "note": note(true)}}
    ]})
}

/// A post: the payload, naming one of the config's touchpoints with its
/// stage and question, and a score on that question's scale (answers for
/// touchpoints served earlier are taken too; the document shows today's).
fn post_schema(config: &Config) -> Value {
    let branches: Vec<Value> = config
        .touchpoints
        .iter()
        .map(|t| {
            let q = t.question.kind;
            json!({"properties": {
                "touchpoint": {"const": t.id}, "stage": {"const": t.stage}, "question": {"const": q.as_str()},
                "score": {"type": ["integer", "null"], "minimum": q.min(), "maximum": q.max()}}})
        })
        .collect();
    let which = if branches.is_empty() {
        json!({"not": {}})
    } else {
        json!({"oneOf": branches})
    };
    json!({"allOf": [schema_ref("Response"), which]})
}

/// The protocol's payload schema, with the window the collector takes for
/// `occurred_at` (2000-01-01 to a day from now): the pattern admits the
/// whole years before this one, which is all a JSON Schema can say.
pub fn response_schema(now: i64) -> Value {
    let mut schema = touchpoint_protocol::response::payload_schema();
    let this_year: i32 = crate::clock::date(now)[..4].parse().unwrap_or(2000);
    let years: Vec<String> = (2000..this_year.max(2001)).map(|y| y.to_string()).collect();
    let at = &mut schema["properties"]["occurred_at"];
    if let Some(p) = at["pattern"].as_str() {
        at["pattern"] = json!(p.replacen("^[0-9]{4}-", &format!("^({})-", years.join("|")), 1));
        at["description"] = json!(
            "RFC 3339 time of the state change, from the respondent's clock: from 2000-01-01 to a day from now (422 outside)"
        );
    }
    schema
}

fn schemas() -> Value {
    let text = json!({"type": "string"});
    let opt_text = json!({"type": ["string", "null"]});
    let score = json!({"type": "object", "properties": {
        "question": {"enum": ["nps", "ces", "csat"]}, "value": {"type": "number"}, "margin95": {"type": "number"},
        "n": {"type": "integer"}, "bands": {"type": "object", "additionalProperties": {"type": "integer"}},
        "tone": {"enum": ["bad", "fair", "good"]}}});
    let touchpoint = json!({"type": "object", "properties": {
        "id": text, "stage": text, "question": {"enum": ["nps", "ces", "csat"]}, "enabled": {"type": "boolean"},
        "score": {"oneOf": [score, {"type": "null"}]}, "answers": {"type": "integer"}, "shown": {"type": "integer"},
        "response_rate": {"type": ["number", "null"]}, "target": {"type": ["number", "null"]}, "below_target": {"type": "boolean"},
        "distribution": {"type": "array", "items": {"type": "object", "properties": {"score": {"type": "integer"}, "n": {"type": "integer"}}}},
        "trend": {"type": "array", "items": {"type": "object", "properties": {
            "start": text, "n": {"type": "integer"}, "value": {"type": ["number", "null"]}, "margin95": {"type": ["number", "null"]}}}}}});
    json!({
        "Error": {"type": "object", "required": ["error", "field"], "properties": {"error": text, "field": opt_text}},
        "Accepted": {"type": "object", "properties": {"ok": {"const": true}, "response_id": text}},
        // Generated from the protocol's types, bounded as its validator is.
        "Response": response_schema(crate::clock::now_epoch()),
        "StoredResponse": {"allOf": [schema_ref("Response"), {"type": "object", "properties": {
            "received_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}]},
        "Report": {"type": "object", "properties": {
            "from": text, "to": text, "granularity": {"enum": ["day", "week"]},
            "filters": {"type": "object", "properties": {"stage": opt_text, "touchpoint": opt_text, "attribute": opt_text}},
            "journey": {"type": "array", "items": {"type": "object", "properties": {
                "stage": text, "touchpoints": {"type": "array", "items": touchpoint},
                "scores": {"type": "array", "items": score}, "answers": {"type": "integer"}, "shown": {"type": "integer"},
                "response_rate": {"type": ["number", "null"]}}}},
            "follow_ups": {"type": "object", "properties": {
                "open": {"type": "integer"}, "contacted": {"type": "integer"}, "recovered": {"type": "integer"}, "lost": {"type": "integer"},
                "total": {"type": "integer"}, "recovery_rate": {"type": ["number", "null"]}}}}},
        "FollowUpItem": {"type": "object", "properties": {
            "response": schema_ref("StoredResponse"),
            "follow_up": {"type": "object", "properties": {
                "state": {"enum": ["open", "contacted", "recovered", "lost"]}, "contacted_at": opt_text, "contact_note": opt_text,
                "closed_at": opt_text, "outcome_note": opt_text}}}},
        "FollowUpStep": step(),
        "Erasure": {"type": "object", "required": ["respondent", "responses", "follow_ups", "alerts"], "properties": {
            "respondent": text, "responses": {"type": "integer", "minimum": 0}, "follow_ups": {"type": "integer", "minimum": 0},
            "alerts": {"type": "integer", "minimum": 0, "description": "alert_outbox rows: queued, delivered or given up"}}}
    })
}

/// Every band name of every question type.
const BANDS: [&str; 6] = ["detractor", "passive", "promoter", "low", "neutral", "high"];

/// `state=`: the queue's states, comma-separated, `todo`, `all` or empty.
const STATES: &str =
    "^$|^(all|todo|(open|contacted|recovered|lost)(,(open|contacted|recovered|lost))*)$";

/// The whole document, for the config in force.
pub fn document(config: &Config) -> Value {
    let mut security = Map::new();
    security.insert(
        "bearer".into(),
        json!({"type": "http", "scheme": "bearer",
        "description": "TOUCHPOINT_ADMIN_TOKEN or --admin-token-file (or the generated token in <db>.admin-token when none is set)"}),
    );
    security.insert(
        "cookie".into(),
        json!({"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE,
        "description": "Set by POST /login (named __Host-touchpoint_admin, Secure, over HTTPS); state changes also need the CSRF token"}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Touchpoint collector",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Receives survey responses, serves the touchpoint config and the widget, and reports on the customer journey."
        },
        "paths": paths(config),
        "components": {"schemas": schemas(), "securitySchemes": security}
    })
}
