//! `GET /v1/openapi.json`: an OpenAPI 3.1 document of every route the
//! collector serves (checked against the router by `tests/openapi.rs`).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

pub async fn get() -> Response {
    static DOC: LazyLock<String> = LazyLock::new(|| document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], DOC.as_str()).into_response()
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
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

/// The report/export/follow-up filters.
fn filters() -> Vec<Value> {
    vec![
        query(
            "from",
            "Start: YYYY-MM-DD or RFC 3339 (default: 30 days before `to`)",
        ),
        query(
            "to",
            "End: YYYY-MM-DD (that day included) or RFC 3339 (default: end of today, UTC)",
        ),
        query(
            "days",
            "The last N days ending with `to` (instead of `from`)",
        ),
        query("stage", "Only this journey stage"),
        query("touchpoint", "Only this touchpoint"),
        query(
            "attribute",
            "Only respondents with this attribute, `key=value`",
        ),
    ]
}

fn op(access: Access, summary: &str, params: Vec<Value>, responses: Value) -> Value {
    let mut responses = responses;
    let mut o = json!({"summary": summary, "parameters": params});
    match access {
        Access::Public => {}
        Access::Admin => {
            responses["401"] = error("No admin token (Bearer) or login cookie");
            o["security"] = json!([{"bearer": []}, {"cookie": []}]);
        }
        Access::Page => {
            responses["303"] = json!({"description": "Not logged in: redirect to /login?next=…"});
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

fn with_body(mut o: Value, content_type: &str, schema: Value) -> Value {
    o["requestBody"] = json!({"required": true, "content": {content_type: {"schema": schema}}});
    o
}

fn paths() -> Value {
    use Access::*;
    let ok_json = |name: &str, d: &str| {
        let mut r = json_body(schema_ref(name));
        r["description"] = json!(d);
        r
    };
    let file = |d: &str| json!({"200": {"description": d}, "404": {"description": "No such file"}});
    let step_form = json!({"type": "object", "required": ["state"], "properties": {
        "state": {"enum": ["contacted", "recovered", "lost"]}, "note": {"type": "string"},
        "csrf": {"type": "string", "description": "Required with the login cookie"},
        "back": {"type": "string", "description": "Path to return to"}}});
    json!({
        "/healthz": {"get": op(Public, "Liveness", vec![], json!({"200": {"description": "{\"ok\": true}"}}))},
        "/v1/responses": {
            "post": with_body(op(Public, "Store a response (upsert by response_id; also text/plain for sendBeacon)", vec![], json!({
                "202": ok_json("Accepted", "Stored"),
                "400": error("Not JSON"), "413": error("Body over 16 KB"), "415": error("Not application/json or text/plain"),
                "422": error("A field is invalid (named in `field`)"), "429": error("Rate limit; see Retry-After")})),
                "application/json", schema_ref("Response")),
            "get": op(Public, "Stored responses, oldest first (needs the admin token when TOUCHPOINT_ADMIN_TOKEN is set)",
                vec![query("touchpoint", "Only this touchpoint"),
                     query("limit", "At most this many (1 to 10000; all when absent)"),
                     query("offset", "Skip this many first (pages are stable: an update keeps a response's place)")],
                json!({"200": {"description": "Responses", "content": {"application/json": {"schema": {"type": "array", "items": schema_ref("StoredResponse")}}}},
                       "401": error("TOUCHPOINT_ADMIN_TOKEN is set and no token was sent")}))
        },
        "/v1/config": {"get": op(Public, "The touchpoint config as written, with `closed: true` on full touchpoints", vec![], json!({
            "200": {"description": "Config (see /v1/config/schema)", "content": {"application/json": {"schema": {"$ref": "/v1/config/schema"}}}},
            "304": {"description": "Not modified (If-None-Match)"}, "429": error("Rate limit; see Retry-After")}))},
        "/v1/config/schema": {"get": op(Public, "JSON Schema of the config", vec![], json!({"200": {"description": "JSON Schema"}}))},
        "/v1/openapi.json": {"get": op(Public, "This document", vec![], json!({"200": {"description": "OpenAPI 3.1"}}))},
        "/v1/report": {"get": op(Admin, "The journey report: per stage and touchpoint, score ± 95% margin, answers, response rate, trend, targets, follow-ups",
            filters(), json!({"200": ok_json("Report", "The report"), "400": error("A parameter is unusable (named in `field`)")}))},
        "/v1/export": {"get": op(Admin, "Responses as CSV or JSON Lines, streamed (all time unless a period is given; previews left out)",
            [vec![query("format", "csv (default) or jsonl")], filters()].concat(),
            json!({"200": {"description": "The export", "content": {"text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}},
                   "400": error("A parameter is unusable")}))},
        "/v1/follow-ups": {"get": op(Admin, "The follow-up queue (NPS 0–6, CES 1–3, CSAT 1–2), newest first",
            [filters(), vec![query("state", "open, contacted, recovered, lost (comma-separated), todo or all (default)"), query("limit", "1–5000, default 500")]].concat(),
            json!({"200": {"description": "Queue entries", "content": {"application/json": {"schema": {"type": "array", "items": schema_ref("FollowUpItem")}}}},
                   "400": error("A parameter is unusable")}))},
        "/v1/follow-ups/{response_id}": {"post": with_body(op(Admin, "Mark a follow-up contacted, then recovered or lost (with a note); X-CSRF-Token with the cookie",
            vec![path_param("response_id", "The response")],
            json!({"200": ok_json("FollowUpItem", "The entry after the step"), "403": error("Missing CSRF token (cookie auth)"),
                   "404": error("No such response"), "409": error("Not in the queue, or a step out of order"), "422": error("Bad state, or a note is needed")})),
            "application/json", schema_ref("FollowUpStep"))},
        "/": {"get": op(Page, "Dashboard: the journey map", filters(), json!({"200": html("The journey map"), "400": html("A filter is unusable: explained above the default map")}))},
        "/touchpoints/{id}": {"get": op(Page, "Dashboard: one touchpoint — distribution, trend, comments",
            [vec![path_param("id", "Touchpoint id")], filters(), vec![query("band", "Comments in this band only")]].concat(),
            json!({"200": html("The touchpoint page"), "400": html("A filter is unusable: explained above the default page"), "404": html("Not a touchpoint in the config")}))},
        "/follow-ups": {"get": op(Page, "Dashboard: the follow-up queue", [filters(), vec![query("state", "todo (default), open, contacted, recovered, lost or all")]].concat(),
            json!({"200": html("The queue"), "400": html("A filter is unusable: explained above the default queue")}))},
        "/follow-ups/{response_id}": {"post": with_body(op(Page, "Dashboard form: a follow-up step", vec![path_param("response_id", "The response")],
            json!({"303": {"description": "Done; back to the list"}, "403": html("Missing or stale CSRF token"), "409": html("Step out of order"), "422": html("A note is needed")})),
            "application/x-www-form-urlencoded", step_form)},
        "/login": {
            "get": op(Public, "Login form", vec![query("next", "Path to return to")], json!({"200": html("The form")})),
            "post": with_body(op(Public, "Log in: sets an HttpOnly, SameSite=Strict session cookie", vec![],
                json!({"303": {"description": "Logged in; to `next`"}, "401": html("Wrong token"), "429": error("Rate limit")})),
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
        "Response": {"type": "object",
            "required": ["response_id", "touchpoint", "stage", "question", "status", "respondent", "occurred_at"],
            "properties": {
                "response_id": {"type": "string", "format": "uuid"}, "touchpoint": text, "stage": text,
                "question": {"enum": ["nps", "ces", "csat"]}, "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
                "comment": opt_text, "status": {"enum": ["shown", "dismissed", "answered"]}, "respondent": text,
                "attributes": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
                "locale": opt_text, "page_url": opt_text, "occurred_at": {"type": "string", "format": "date-time"},
                "widget_version": opt_text, "preview": {"type": "boolean"}}},
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
        "FollowUpStep": {"type": "object", "required": ["state"], "properties": {
            "state": {"enum": ["contacted", "recovered", "lost"]}, "note": {"type": "string", "maxLength": 2000}}}
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut security = Map::new();
    security.insert(
        "bearer".into(),
        json!({"type": "http", "scheme": "bearer",
        "description": "TOUCHPOINT_ADMIN_TOKEN (or the token logged at startup when none is set)"}),
    );
    security.insert(
        "cookie".into(),
        json!({"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE,
        "description": "Set by POST /login; state changes also need the CSRF token"}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Touchpoint collector",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Receives survey responses, serves the touchpoint config and the widget, and reports on the customer journey."
        },
        "paths": paths(),
        "components": {"schemas": schemas(), "securitySchemes": security}
    })
}
