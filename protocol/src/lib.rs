//! The Touchpoint wire format, shared by the widget and the collector.
//!
//! Pure logic only (no I/O, no browser). The map, one concern a file
//! (`foo.rs` beside its `foo/`):
//!
//! - [`config`]: the config types (one touchpoint in `config/touchpoint.rs`,
//!   `when.on` in `config/trigger.rs`); [`validate`] reads a document into them
//!   with a problem at each JSON path (`document`/`touchpoint` rules, `read`/
//!   `sections` the typed reader).
//! - [`response`]: the payload and its merge (`read` validates a posted body,
//!   `format` the id and time; with `schema`, `response::payload_schema`).
//! - `alerts` (feature `alerts`, the collector's): alert rules, their reader,
//!   matching and webhook body.
//! - [`question`] scales and bands, [`score`] the NPS / CES / CSAT maths,
//!   [`glob`] the URL patterns of triggers; `hints` words did-you-mean.
//!
//! Features: `alerts` (typed `Config::alerts`; without it the entries are not
//! read, only checked to be an array, so the widget carries none of it) and
//! `schema` (JSON Schemas of the config and the response payload; implies
//! `alerts`).

#[cfg(feature = "alerts")]
pub mod alerts;
pub mod config;
pub mod glob;
mod hints;
pub mod question;
pub mod response;
pub mod score;
pub mod validate;

#[cfg(feature = "alerts")]
pub use alerts::{AlertRule, AlertWhen};
pub use config::{
    Config, Defaults, Fatigue, Position, Question, Text, Theme, Touchpoint, Trigger, When,
};
pub use question::{Band, QuestionType};
pub use response::{FieldError, Response, Status};
pub use validate::{parse_config, parse_config_value, ConfigError, ParsedConfig, Problem};

/// Version of the protocol and widget, sent as `widget_version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
