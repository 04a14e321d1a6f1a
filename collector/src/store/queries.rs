//! The store's queries, written once for both databases on top of the
//! backends' primitives (`rows`, `write_rows`, `execute`, `write_all`).

use super::sql::{self, Param, Params};
use super::{row, Store, StoreError};
use crate::clock;
use crate::model::{
    AlertCounts, AlertJob, CommentQuery, CountRow, Deleted, FollowUpCounts, FollowUpItem,
    FollowUpQuery, FollowUpState, ListFilter, Refusal, ResponseFilter, StoredResponse,
};

impl Store {
    fn params(&self) -> Params {
        Params::new(self.dialect())
    }

    /// Stored responses, oldest first.
    pub async fn list(&self, filter: ListFilter) -> Result<Vec<StoredResponse>, StoreError> {
        let mut p = self.params();
        let sql = sql::list(&filter, &mut p);
        self.rows(sql, p.values, row::stored_response).await
    }

    /// Up to `limit` stored responses (previews too) inserted after position
    /// `after`, each with its position.
    pub async fn list_after(
        &self,
        touchpoint: Option<String>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredResponse)>, StoreError> {
        let mut p = self.params();
        let sql = sql::list_after(touchpoint.as_deref(), after, limit, &mut p);
        self.rows(sql, p.values, row::positioned).await
    }

    /// Responses matching `filter` counted for the report, with trend
    /// buckets of `bucket_secs` counted from `bucket_from`.
    pub async fn report_counts(
        &self,
        filter: ResponseFilter,
        bucket_from: i64,
        bucket_secs: i64,
    ) -> Result<Vec<CountRow>, StoreError> {
        let mut p = self.params();
        let sql = sql::report_counts(&filter, bucket_from, bucket_secs, &mut p);
        self.rows(sql, p.values, row::count_row).await
    }

    /// Answered responses with a comment, newest first.
    pub async fn comments(&self, q: CommentQuery) -> Result<Vec<StoredResponse>, StoreError> {
        let mut p = self.params();
        let sql = sql::comments(&q, &sql::qualified(sql::COLUMNS, "r."), &mut p);
        self.rows(sql, p.values, row::stored_response).await
    }

    /// Follow-up queue entries.
    pub async fn follow_ups(&self, q: FollowUpQuery) -> Result<Vec<FollowUpItem>, StoreError> {
        let mut p = self.params();
        let sql = sql::follow_ups(&q, &sql::qualified(sql::COLUMNS, "r."), &mut p);
        self.rows(sql, p.values, row::follow_up_item).await
    }

    /// Follow-up queue entries per state.
    pub async fn follow_up_counts(
        &self,
        filter: ResponseFilter,
    ) -> Result<FollowUpCounts, StoreError> {
        let mut p = self.params();
        let sql = sql::follow_up_counts(&filter, &mut p);
        let mut counts = FollowUpCounts::default();
        for (state, n) in self.rows(sql, p.values, row::state_count).await? {
            counts.add(state, n);
        }
        Ok(counts)
    }

    /// The state a follow-up step starts from, decided from the stored
    /// response and follow-up.
    async fn follow_up_from(
        &self,
        response_id: &str,
        to: FollowUpState,
        note: Option<&str>,
    ) -> Result<Result<FollowUpState, Refusal>, StoreError> {
        let p = self.params();
        let sql = p.sql(sql::FOLLOW_UP_SUBJECT);
        let subject = self
            .rows(sql, vec![response_id.into()], row::subject)
            .await?
            .pop();
        Ok(match subject {
            None => Err(Refusal::NotFound),
            Some(subject) => subject.decide(to, note),
        })
    }

    /// Moves a follow-up to `to` (see [`FollowUpState::check_step`]) and
    /// returns the entry; a refused step changes nothing.
    pub async fn set_follow_up(
        &self,
        response_id: &str,
        to: FollowUpState,
        note: Option<String>,
    ) -> Result<Result<FollowUpItem, Refusal>, StoreError> {
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let id = response_id.to_ascii_lowercase();
        let from = match self.follow_up_from(&id, to, note.as_deref()).await? {
            Ok(from) => from,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let now = clock::rfc3339(clock::now_epoch());
        let mut p = self.params();
        let sql = sql::follow_up_step(&id, to, note.as_deref(), &now, &mut p);
        if self.execute(sql, p.values).await? != 1 {
            // Someone else stepped it meanwhile: say where it stands now.
            let now_from = self.follow_up_from(&id, to, note.as_deref()).await?;
            return Ok(Err(match now_from {
                Err(refusal) => refusal,
                Ok(_) => Refusal::OutOfOrder { from, to },
            }));
        }
        let item = self
            .follow_ups(FollowUpQuery {
                response_id: Some(id),
                limit: 1,
                ..Default::default()
            })
            .await?
            .pop();
        Ok(item.ok_or(Refusal::NotFound))
    }

    /// Up to `limit` non-preview responses matching `filter` inserted after
    /// position `after`, each with its position (keyset pagination).
    pub async fn export_page(
        &self,
        filter: ResponseFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredResponse)>, StoreError> {
        let mut p = self.params();
        let sql = sql::export_page(
            &filter,
            after,
            limit,
            &sql::qualified(sql::COLUMNS, "r."),
            &mut p,
        );
        self.rows(sql, p.values, row::positioned).await
    }

    /// Leases up to `limit` due alerts until `now_ms + lease_ms`.
    pub async fn claim_alerts(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<AlertJob>, StoreError> {
        let params = vec![
            now_ms.into(),
            now_ms.saturating_add(lease_ms).into(),
            i64::from(limit).into(),
        ];
        self.write_rows(sql::alert_claim(self.dialect()), params, row::alert_job)
            .await
    }

    pub async fn alert_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        let sql = self.params().sql(sql::ALERT_DELIVERED);
        self.execute(sql, vec![id.into(), now_ms.into()]).await?;
        Ok(())
    }

    /// Records a failed attempt: next try at `next_ms`, or given up at `gave_up_ms`.
    pub async fn alert_failed(
        &self,
        id: i64,
        next_ms: i64,
        error: &str,
        gave_up_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let sql = self.params().sql(sql::ALERT_FAILED);
        let params = vec![id.into(), next_ms.into(), error.into(), gave_up_ms.into()];
        self.execute(sql, params).await?;
        Ok(())
    }

    pub async fn alert_counts(&self) -> Result<AlertCounts, StoreError> {
        let rows = self
            .rows(sql::ALERT_COUNTS.to_string(), Vec::new(), row::alert_counts)
            .await?;
        rows.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("the outbox count returned no row".into()))
    }

    /// Remembers that a config served these (touchpoint, stage, question).
    pub async fn record_served(
        &self,
        served: Vec<(String, String, String)>,
    ) -> Result<(), StoreError> {
        let sql = self.params().sql(sql::SERVED_RECORD);
        let now = clock::rfc3339(clock::now_epoch());
        for (touchpoint, stage, question) in served {
            let params = vec![
                touchpoint.into(),
                stage.into(),
                question.into(),
                now.as_str().into(),
            ];
            self.execute(sql.clone(), params).await?;
        }
        Ok(())
    }

    /// Every (touchpoint, stage, question) a config has served.
    pub async fn served(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.rows(sql::SERVED_ALL.to_string(), Vec::new(), row::served)
            .await
    }

    /// Deletes every response of `respondent`, with their follow-ups and
    /// alert copies, in one transaction.
    pub async fn erase_respondent(&self, respondent: &str) -> Result<Deleted, StoreError> {
        self.delete_responses(sql::BY_RESPONDENT, vec![respondent.into()])
            .await
    }

    /// Deletes up to `limit` of the responses that happened before
    /// `before_epoch` (UTC seconds), oldest first, with their follow-ups and
    /// alert copies, in one transaction.
    pub async fn purge_occurred_before(
        &self,
        before_epoch: i64,
        limit: u32,
    ) -> Result<Deleted, StoreError> {
        let params = vec![before_epoch.into(), i64::from(limit).into()];
        self.delete_responses(sql::OCCURRED_BEFORE, params).await
    }

    /// Deletes the alert copies delivered or given up before `before_ms`.
    pub async fn purge_done_alerts(&self, before_ms: i64) -> Result<u64, StoreError> {
        let sql = self.params().sql(sql::ALERTS_DONE_BEFORE);
        self.execute(sql, vec![before_ms.into()]).await
    }

    /// Runs `sql::delete_responses` for the responses `selected` and lowers
    /// the answered counts by the answered ones that went.
    async fn delete_responses(
        &self,
        selected: &str,
        params: Vec<Param>,
    ) -> Result<Deleted, StoreError> {
        let p = self.params();
        let statements = sql::delete_responses(selected)
            .iter()
            .map(|s| (p.sql(s), params.clone()))
            .collect();
        let rows = self.write_all(statements, row::optional_text).await?;
        let [alerts, follow_ups, responses] = <[_; 3]>::try_from(rows)
            .map_err(|_| StoreError::Corrupt("a delete statement went missing".into()))?;
        let deltas: Vec<_> = responses
            .iter()
            .flatten()
            .map(|touchpoint| (touchpoint.clone(), -1))
            .collect();
        self.answered().apply(&deltas);
        Ok(Deleted {
            responses: responses.len() as u64,
            follow_ups: follow_ups.len() as u64,
            alerts: alerts.len() as u64,
        })
    }
}
