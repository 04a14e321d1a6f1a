//! Every statement the store runs, for both databases: written once with
//! numbered placeholders (`?1`, rewritten to `$1` for PostgreSQL), with the
//! few dialect differences (`rowid` vs `seq`, `FOR UPDATE SKIP LOCKED`)
//! decided here. Migrations are the only SQL outside this file.

mod alerts;
mod erasure;
mod follow_ups;
mod responses;

use crate::model::ResponseFilter;

pub use alerts::*;
pub use erasure::*;
pub use follow_ups::*;
pub use responses::*;

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

/// `a, b` as `r.a, r.b`.
pub fn qualified(columns: &str, prefix: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{prefix}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
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
