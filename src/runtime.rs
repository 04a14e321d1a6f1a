//! The browser runtime: `load` starts it all, `page` keeps the page's state,
//! `engine` arms touchpoints and follows their triggers, `show` mounts
//! surveys and turns what the respondent does into responses, `api` is
//! `window.touchpoint`, `nav` follows SPA navigation, `privacy` holds consent
//! and the respondent id, and `dom` is the thin browser side (timers and
//! listeners that clean up when dropped).
//!
//! Imports inside point one way: `engine` → `show` → `page`.

pub mod api;
pub mod dom;
pub mod engine;
pub mod load;
pub mod nav;
pub mod page;
pub mod privacy;
pub mod show;

pub use load::start;
