//! Deciding: which touchpoint fires on this page (`fire`), whether its caps
//! allow it (`caps`), in which locale (`locale`), and what the survey and its
//! responses hold (`survey`). Plain values in, plain values out: no DOM and
//! no runtime state, so all of it is tested natively (`tests.rs`).

pub mod caps;
pub mod fire;
pub mod locale;
pub mod survey;

#[cfg(test)]
mod tests;
