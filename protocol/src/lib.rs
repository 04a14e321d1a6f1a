//! The Touchpoint wire format, shared by the widget and the collector.
//!
//! Pure logic only (no I/O, no browser): the touchpoint config and its
//! validation, the response payload and its validation, score bands and the
//! NPS / CES / CSAT maths, and URL glob matching used by triggers.

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
