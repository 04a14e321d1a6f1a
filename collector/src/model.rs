//! The collector's domain types, on the ground floor: what the store keeps
//! and hands back (stored responses, the follow-up queue, alert jobs, report
//! counts, rows deleted) and what callers ask it for (filters and queries). Nothing here
//! talks to a database or to HTTP.

mod alert;
mod erasure;
mod follow_up;
mod response;

pub use alert::{AlertCounts, AlertJob};
pub use erasure::{Deleted, Erasure};
pub use follow_up::{
    in_queue, FollowUp, FollowUpCounts, FollowUpItem, FollowUpState, Refusal, Subject,
};
pub use response::{
    CommentQuery, CountRow, FollowUpQuery, ListFilter, ResponseFilter, StoredResponse,
};
