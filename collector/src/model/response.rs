//! Stored responses and the questions asked of them.

use super::FollowUpState;
use serde::Serialize;
use touchpoint_protocol::{QuestionType, Response, Status};

/// A response as stored: the wire fields plus when the collector first saw
/// it and when it last changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredResponse {
    #[serde(flatten)]
    pub response: Response,
    pub received_at: String,
    pub updated_at: String,
}

/// Which responses to list, and which page of them (oldest first).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub touchpoint: Option<String>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
    /// Skip this many first.
    pub offset: u64,
}

/// Which responses a report, export or queue covers. Preview responses are
/// always left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFilter {
    /// Inclusive start, UTC seconds since the epoch (of `occurred_at`).
    pub from: Option<i64>,
    /// Exclusive end.
    pub to: Option<i64>,
    pub stage: Option<String>,
    pub touchpoint: Option<String>,
    /// A respondent attribute `(key, value)`.
    pub attribute: Option<(String, String)>,
}

/// Answered responses with a comment, newest first.
#[derive(Debug, Clone, Default)]
pub struct CommentQuery {
    pub filter: ResponseFilter,
    /// Only scores in this inclusive range (a band).
    pub scores: Option<(u8, u8)>,
    pub limit: u32,
}

/// Follow-up queue entries, newest first.
#[derive(Debug, Clone, Default)]
pub struct FollowUpQuery {
    pub filter: ResponseFilter,
    /// Only these states (all when empty).
    pub states: Vec<FollowUpState>,
    /// Only this response.
    pub response_id: Option<String>,
    pub limit: u32,
}

/// Non-preview responses counted by touchpoint, question, status, score and
/// trend bucket: what the store hands the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    pub touchpoint: String,
    pub question: QuestionType,
    pub status: Status,
    pub score: Option<u8>,
    /// Index of the trend bucket the responses fall in.
    pub bucket: i64,
    pub n: u64,
}
