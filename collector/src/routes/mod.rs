pub mod config;
pub mod export;
pub mod follow_ups;
pub mod health;
pub mod report;
pub mod responses;
pub mod static_files;
