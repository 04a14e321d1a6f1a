//! The Touchpoint reference collector: receives survey responses, stores
//! them, and serves the touchpoint config and the built widget.
//!
//! Layers, each importing only the ones below it:
//! - [`model`]: domain types (stored responses, filters, follow-ups, alert
//!   jobs, counts); [`clock`] owns time; [`report`] is the pure maths of the
//!   journey report; [`alerts`] the alert rules in force.
//! - [`store`]: SQLite and PostgreSQL behind one [`store::Store`]; all SQL in
//!   `store::sql`, one save plan, one row mapping.
//! - [`service`]: use-cases (report loading, follow-up steps, export,
//!   alert delivery), over the store.
//! - [`routes`] (JSON API) and [`dashboard`] (HTML), each a table of routes
//!   with thin handlers over [`state::AppState`] and the services.
//! - [`metrics`] counts what `/metrics` reports (beside [`state`]); [`logs`]
//!   sets up the log (text or JSON lines).
//! - [`app`] merges the tables and adds the layers; [`server`] runs it; the
//!   CLI in `main.rs` parses flags only.
//!
//! A new endpoint goes in `routes/` (or `dashboard/`) and its table; a new
//! query in `store/sql.rs` with its mapping in `store/row.rs`; a new config
//! field in the protocol crate.

pub mod alerts;
pub mod app;
pub mod auth;
pub mod check;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config_watch;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod guard;
pub mod logs;
pub mod metrics;
pub mod model;
pub mod ratelimit;
pub mod report;
pub mod routes;
pub mod schema;
pub mod server;
pub mod service;
pub mod state;
pub mod store;

pub use app::app;
pub use state::AppState;
