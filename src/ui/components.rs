//! The survey's components, one a file.

pub mod follow_up;
pub mod scale;
pub mod shell;
pub mod thanks;

pub use follow_up::FollowUp;
pub use scale::Scale;
pub use shell::Shell;
pub use thanks::Thanks;
