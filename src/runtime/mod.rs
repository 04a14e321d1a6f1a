//! Deciding and delivering: config loading, triggers, JS API (runtime work),
//! and the outbox, caps, storage, privacy and clock (delivery work).

pub mod caps;
pub mod clock;
pub mod outbox;
pub mod privacy;
pub mod storage;
