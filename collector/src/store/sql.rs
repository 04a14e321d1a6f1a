//! Every statement the store runs, for both databases: written once with
//! numbered placeholders (`?1`, rewritten to `$1` for PostgreSQL), with the
//! few dialect differences (`rowid` vs `seq`, `FOR UPDATE SKIP LOCKED`)
//! decided here. Migrations are the only SQL outside this file.

use crate::model::{CommentQuery, FollowUpQuery, FollowUpState, ListFilter, ResponseFilter};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The wire fields and timestamps of a stored response, in the order rows
/// are read back.
pub const COLUMNS: &str = "response_id, touchpoint, stage, question, score, comment, status, \
     respondent, attributes, locale, page_url, occurred_at, widget_version, preview, \
     received_at, updated_at";

/// `?1`-style SQL for PostgreSQL (`$1`).
pub fn pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// The stored response with id `?1`, [`COLUMNS`] first; built once per
/// dialect (it runs for every response saved).
pub fn select_response(dialect: Dialect) -> &'static str {
    static SQLITE: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {COLUMNS} FROM responses WHERE response_id = ?1"));
    static POSTGRES: LazyLock<String> = LazyLock::new(|| pg(&SQLITE));
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// [`build_upsert_response`], built once per dialect.
pub fn upsert_response(dialect: Dialect) -> &'static str {
    static SQLITE: LazyLock<String> = LazyLock::new(|| build_upsert_response(Dialect::Sqlite));
    static POSTGRES: LazyLock<String> = LazyLock::new(|| build_upsert_response(Dialect::Postgres));
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// Insert-or-update of a merged response: parameters 1–14 are the wire
/// fields in [`COLUMNS`] order, 15 the write time, 16 `occurred_epoch`
/// (see `plan::SavePlan::upsert_params`).
fn build_upsert_response(dialect: Dialect) -> String {
    let updated: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "response_id" | "received_at"))
        .chain(["occurred_epoch"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let fields: Vec<String> = (1..=14).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO responses ({COLUMNS}, occurred_epoch) VALUES ({}, ?15, ?15, ?16) \
         ON CONFLICT (response_id) DO UPDATE SET {}",
        fields.join(", "),
        updated.join(", ")
    );
    match dialect {
        Dialect::Sqlite => sql,
        Dialect::Postgres => pg(&sql),
    }
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Param {
    fn from(v: i64) -> Param {
        Param::Int(v)
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Param {
        Param::Text(v.to_string())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Param {
        Param::Text(v)
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Param {
        v.map_or(Param::Null, Into::into)
    }
}

/// Parameters collected while a statement is written.
#[derive(Debug, Default)]
pub struct Params {
    pub dialect: Option<Dialect>,
    pub values: Vec<Param>,
}

impl Params {
    pub fn new(dialect: Dialect) -> Params {
        Params {
            dialect: Some(dialect),
            values: Vec::new(),
        }
    }

    /// Adds a parameter and returns its placeholder (`?3` or `$3`).
    pub fn push(&mut self, p: Param) -> String {
        self.values.push(p);
        let n = self.values.len();
        match self.dialect {
            Some(Dialect::Postgres) => format!("${n}"),
            _ => format!("?{n}"),
        }
    }

    pub fn int(&mut self, v: i64) -> String {
        self.push(Param::Int(v))
    }

    pub fn text(&mut self, v: &str) -> String {
        self.push(Param::Text(v.to_string()))
    }

    /// The statement for this dialect (`?1` or `$1`).
    pub fn sql(&self, sql: &str) -> String {
        if self.is_postgres() {
            pg(sql)
        } else {
            sql.to_string()
        }
    }

    /// The column that orders rows by insertion (`rowid` in SQLite).
    pub fn seq(&self) -> &'static str {
        if self.is_postgres() {
            "r.seq"
        } else {
            "r.rowid"
        }
    }

    fn is_postgres(&self) -> bool {
        self.dialect == Some(Dialect::Postgres)
    }
}

/// `preview = 0 AND …` for the filter, on the `responses` table aliased `r`.
/// Attribute values match the stored JSON value as a string (`plan=pro`
/// matches `"pro"`) or as a literal (`vip=true` matches `true`, `seats=3`
/// matches `3`).
pub fn response_where(f: &ResponseFilter, p: &mut Params) -> String {
    let mut clauses = vec!["r.preview = 0".to_string()];
    if let Some(from) = f.from {
        clauses.push(format!("r.occurred_epoch >= {}", p.int(from)));
    }
    if let Some(to) = f.to {
        clauses.push(format!("r.occurred_epoch < {}", p.int(to)));
    }
    if let Some(stage) = &f.stage {
        clauses.push(format!("r.stage = {}", p.text(stage)));
    }
    if let Some(tp) = &f.touchpoint {
        clauses.push(format!("r.touchpoint = {}", p.text(tp)));
    }
    if let Some((key, value)) = &f.attribute {
        let clause = if p.is_postgres() {
            let k = p.text(key);
            let v = p.text(value);
            format!("(r.attributes::jsonb -> {k})::text IN (to_jsonb({v}::text)::text, {v})")
        } else {
            // The key is checked to hold no quote or backslash.
            let k = p.text(&format!("$.\"{key}\""));
            let v = p.text(value);
            format!("(r.attributes -> {k}) IN (json_quote({v}), {v})")
        };
        clauses.push(clause);
    }
    clauses.join(" AND ")
}

/// The scores on each question's scale that call for a follow-up
/// (`Band::needs_follow_up`), as SQL on `r`.
pub fn needs_follow_up() -> String {
    use touchpoint_protocol::QuestionType;
    let per_question: Vec<String> = QuestionType::ALL
        .iter()
        .filter_map(|q| {
            let max = q.scores().filter(|s| q.band(*s).needs_follow_up()).max()?;
            Some(format!(
                "(r.question = '{}' AND r.score <= {max})",
                q.as_str()
            ))
        })
        .collect();
    format!(
        "(r.status = 'answered' AND r.preview = 0 AND ({}))",
        per_question.join(" OR ")
    )
}

/// Non-preview responses counted per touchpoint, question, status, score
/// and trend bucket (see [`crate::report::CountRow`]).
pub fn report_counts(
    f: &ResponseFilter,
    bucket_from: i64,
    bucket_secs: i64,
    p: &mut Params,
) -> String {
    let from = p.int(bucket_from);
    let len = p.int(bucket_secs.max(1));
    let filter = response_where(f, p);
    format!(
        "SELECT r.touchpoint, r.question, r.status, r.score, \
         (r.occurred_epoch - {from}) / {len} AS bucket, COUNT(*) \
         FROM responses r WHERE {filter} \
         GROUP BY r.touchpoint, r.question, r.status, r.score, bucket"
    )
}

/// Stored responses, oldest first (an upsert keeps its place, so pages are
/// stable); [`COLUMNS`] only.
pub fn list(f: &ListFilter, p: &mut Params) -> String {
    let touchpoint = match &f.touchpoint {
        Some(tp) => format!("r.touchpoint = {}", p.text(tp)),
        None => "1 = 1".to_string(),
    };
    let seq = p.seq();
    // Without a limit, every row: the largest LIMIT both databases take.
    let limit = p.int(f.limit.map_or(i64::MAX, i64::from));
    let offset = p.int(i64::try_from(f.offset).unwrap_or(i64::MAX));
    format!(
        "SELECT {} FROM responses r WHERE {touchpoint} ORDER BY {seq} LIMIT {limit} OFFSET {offset}",
        qualified(COLUMNS, "r.")
    )
}

/// Answered non-preview responses per touchpoint: (touchpoint, count).
pub const ANSWERED_COUNTS: &str = "SELECT touchpoint, COUNT(*) FROM responses \
     WHERE status = 'answered' AND preview = 0 GROUP BY touchpoint";

/// Answered responses with a comment, newest first; selects `columns`.
pub fn comments(q: &CommentQuery, columns: &str, p: &mut Params) -> String {
    let mut filter = response_where(&q.filter, p);
    filter.push_str(" AND r.status = 'answered' AND r.comment IS NOT NULL");
    if let Some((lo, hi)) = q.scores {
        let (lo, hi) = (p.int(i64::from(lo)), p.int(i64::from(hi)));
        filter.push_str(&format!(" AND r.score BETWEEN {lo} AND {hi}"));
    }
    let limit = p.int(i64::from(q.limit));
    format!(
        "SELECT {columns} FROM responses r WHERE {filter} \
         ORDER BY r.occurred_epoch DESC, {} DESC LIMIT {limit}",
        p.seq()
    )
}

/// `a, b` as `r.a, r.b`.
pub fn qualified(columns: &str, prefix: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

const FOLLOW_UP_FROM: &str =
    "FROM responses r LEFT JOIN follow_ups f ON f.response_id = r.response_id";

/// Queue entries, newest first: the response columns (`columns`, on `r`),
/// then state, contacted_at, contact_note, closed_at, outcome_note.
pub fn follow_ups(q: &FollowUpQuery, columns: &str, p: &mut Params) -> String {
    let mut filter = format!("{} AND {}", response_where(&q.filter, p), needs_follow_up());
    if !q.states.is_empty() {
        let states: Vec<String> = q.states.iter().map(|s| p.text(s.as_str())).collect();
        filter.push_str(&format!(
            " AND COALESCE(f.state, 'open') IN ({})",
            states.join(", ")
        ));
    }
    if let Some(id) = &q.response_id {
        filter.push_str(&format!(" AND r.response_id = {}", p.text(id)));
    }
    let limit = p.int(i64::from(q.limit));
    format!(
        "SELECT {columns}, f.state, f.contacted_at, f.contact_note, f.closed_at, f.outcome_note \
         {FOLLOW_UP_FROM} WHERE {filter} \
         ORDER BY r.occurred_epoch DESC, {} DESC LIMIT {limit}",
        p.seq()
    )
}

/// Queue entries per state.
pub fn follow_up_counts(f: &ResponseFilter, p: &mut Params) -> String {
    format!(
        "SELECT COALESCE(f.state, 'open') AS state, COUNT(*) {FOLLOW_UP_FROM} \
         WHERE {} AND {} GROUP BY COALESCE(f.state, 'open')",
        response_where(f, p),
        needs_follow_up()
    )
}

/// What decides whether a response is in the queue, and its follow-up state.
pub const FOLLOW_UP_SUBJECT: &str = "SELECT r.question, r.score, r.status, r.preview, f.state \
     FROM responses r LEFT JOIN follow_ups f ON f.response_id = r.response_id \
     WHERE r.response_id = ?1";

/// Open → contacted: the row appears; a second writer changes nothing.
const FOLLOW_UP_CONTACTED: &str = "INSERT INTO follow_ups \
     (response_id, state, contacted_at, contact_note, updated_at) VALUES (?1, 'contacted', ?3, ?2, ?3) \
     ON CONFLICT (response_id) DO NOTHING";

/// Contacted → recovered or lost, only from contacted.
const FOLLOW_UP_CLOSED: &str = "UPDATE follow_ups \
     SET state = ?2, outcome_note = ?3, closed_at = ?4, updated_at = ?4 \
     WHERE response_id = ?1 AND state = 'contacted'";

/// The write of one follow-up step, guarded so that it changes exactly one
/// row only from the state the step starts from: two people stepping the
/// same follow-up cannot both succeed.
pub fn follow_up_step(
    response_id: &str,
    to: FollowUpState,
    note: Option<&str>,
    now: &str,
    p: &mut Params,
) -> String {
    p.text(response_id);
    if to == FollowUpState::Contacted {
        p.push(note.into());
        p.text(now);
        p.sql(FOLLOW_UP_CONTACTED)
    } else {
        p.text(to.as_str());
        p.push(note.into());
        p.text(now);
        p.sql(FOLLOW_UP_CLOSED)
    }
}

/// One export page: `columns` then the insertion sequence, after `after`.
pub fn export_page(
    f: &ResponseFilter,
    after: i64,
    limit: u32,
    columns: &str,
    p: &mut Params,
) -> String {
    let filter = response_where(f, p);
    let seq = p.seq();
    let after = p.int(after);
    let limit = p.int(i64::from(limit));
    format!(
        "SELECT {columns}, {seq} FROM responses r WHERE {filter} AND {seq} > {after} \
         ORDER BY {seq} LIMIT {limit}"
    )
}

/// Queues an alert unless this (response, rule) already has one.
pub const ALERT_ENQUEUE: &str = "INSERT INTO alert_outbox \
     (alert_id, response_id, rule, webhook, body, created_ms, next_attempt_ms) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING";

/// Leases due alerts; on PostgreSQL the inner SELECT ends with
/// `FOR UPDATE SKIP LOCKED`, so concurrent collectors claim disjoint rows.
pub fn alert_claim(dialect: Dialect) -> String {
    let (p1, p2, p3) = match dialect {
        Dialect::Sqlite => ("?1", "?2", "?3"),
        Dialect::Postgres => ("$1", "$2", "$3"),
    };
    let lock = if dialect == Dialect::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    format!(
        "UPDATE alert_outbox SET leased_until_ms = {p2} WHERE id IN (\
         SELECT id FROM alert_outbox WHERE delivered_ms IS NULL AND gave_up_ms IS NULL \
         AND next_attempt_ms <= {p1} AND (leased_until_ms IS NULL OR leased_until_ms <= {p1}) \
         ORDER BY id LIMIT {p3}{lock}) \
         RETURNING id, alert_id, webhook, body, attempts, created_ms"
    )
}

pub const ALERT_DELIVERED: &str = "UPDATE alert_outbox \
     SET delivered_ms = ?2, attempts = attempts + 1, leased_until_ms = NULL, last_error = NULL WHERE id = ?1";

pub const ALERT_FAILED: &str = "UPDATE alert_outbox \
     SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3, gave_up_ms = ?4, \
     leased_until_ms = NULL WHERE id = ?1";

pub const ALERT_COUNTS: &str = "SELECT \
     COUNT(*) FILTER (WHERE delivered_ms IS NULL AND gave_up_ms IS NULL), \
     COUNT(*) FILTER (WHERE delivered_ms IS NOT NULL), \
     COUNT(*) FILTER (WHERE gave_up_ms IS NOT NULL), \
     CAST(COALESCE(SUM(attempts) FILTER (WHERE delivered_ms IS NULL AND gave_up_ms IS NULL), 0) AS BIGINT) \
     FROM alert_outbox";
