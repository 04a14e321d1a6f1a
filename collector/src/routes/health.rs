//! `/healthz` (liveness: the process answers) and `/readyz` (readiness:
//! a response posted now would be stored).

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// Cheap on purpose: a restart does not fix a full disk.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "ok": true }))
}

/// 503 with the reason while the database is not writable or its
/// migrations are not current, so a load balancer sends answers to another
/// collector (the widget's outbox keeps them meanwhile).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "ok": true }))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "ok": false, "reason": e.readiness() })),
            )
        }
    }
}
