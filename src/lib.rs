//! Touchpoint survey widget: decides when a touchpoint fires (runtime),
//! shows the survey (ui), and delivers responses (runtime::outbox).

pub mod i18n;
pub mod runtime;
pub mod ui;
