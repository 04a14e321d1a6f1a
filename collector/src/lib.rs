//! The Touchpoint reference collector: receives survey responses, stores
//! them, and serves the touchpoint config and the built widget.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod check;
pub mod clock;
pub mod config_watch;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod followup;
pub mod guard;
pub mod ratelimit;
pub mod report;
pub mod routes;
pub mod schema;
pub mod server;
pub mod store;

pub use app::{app, AppState};
