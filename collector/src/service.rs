//! Use-cases above the store and below HTTP: checking posted answers
//! against what was served, loading the journey report, stepping
//! follow-ups, streaming exports, delivering alerts, purging what is past
//! retention. Routes and the dashboard call these; nothing here knows about
//! a request.

pub mod backup;
pub mod delivery;
pub mod export;
pub mod follow_ups;
pub mod ingest;
pub mod listing;
pub mod report;
pub mod retention;
