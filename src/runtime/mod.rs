//! Deciding and delivering: config loading, triggers, JS API (runtime work),
//! and the outbox, caps, storage, privacy and clock (delivery work).
//!
//! Pure decisions live in `decide`, `locale` and `survey` (no DOM, tested in
//! `tests/runtime.rs`); `dom` and `nav` are the thin browser side; `engine`
//! keeps the page's state, `show` mounts surveys and sends responses, `api`
//! is `window.touchpoint`, and `load` starts it all.

pub mod api;
pub mod caps;
pub mod clock;
pub mod decide;
pub mod dom;
pub mod engine;
pub mod json;
pub mod load;
pub mod locale;
pub mod nav;
pub mod outbox;
pub mod privacy;
pub mod show;
pub mod storage;
pub mod survey;

pub use load::start;

#[cfg(test)]
mod tests;
