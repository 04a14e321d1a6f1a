//! The dashboard: server-rendered HTML and inline SVG, no JavaScript. Every
//! text from the config or from respondents goes through maud, which escapes it.

pub mod filters;
pub mod follow_ups;
pub mod format;
pub mod journey;
pub mod layout;
pub mod login;
pub mod svg;
pub mod touchpoint;
