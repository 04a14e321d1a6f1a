//! Use-cases above the store and below HTTP: loading the journey report,
//! stepping follow-ups, streaming exports, delivering alerts. Routes and the
//! dashboard call these; nothing here knows about a request.

pub mod backup;
pub mod delivery;
pub mod export;
pub mod follow_ups;
pub mod report;
