pub mod config;
pub mod health;
pub mod report;
pub mod responses;
pub mod static_files;
