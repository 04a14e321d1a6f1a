//! Deciding and delivering: config loading, triggers, JS API, outbox (owned by the runtime work).
