//! Deliveries of outbox events to targets (hooks and webhook endpoints): claiming due ones
//! under a lease, recording each try in the delivery log, retrying, parking as dead.

use super::{now_ms, now_rfc3339, parse_time, Store, StoreError};
use pay_types::{DeliveryCounts, DeliveryOutcome};
use std::time::Duration;
use time::OffsetDateTime;

/// A delivery claimed for one try.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub event_id: String,
    pub payment_id: String,
    pub sequence: i64,
    pub attempts: i64,
    pub payload: String,
}

/// One line of a target's delivery log: one try of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLogRow {
    pub event_id: String,
    /// 1 for the first try.
    pub attempt: u32,
    pub outcome: DeliveryOutcome,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub at: OffsetDateTime,
}

type RawLogLine = (String, i64, String, Option<i64>, Option<String>, i64, String);

impl TryFrom<RawLogLine> for DeliveryLogRow {
    type Error = StoreError;

    fn try_from(
        (event_id, attempt, outcome, status_code, error, duration_ms, at): RawLogLine,
    ) -> Result<Self, StoreError> {
        Ok(DeliveryLogRow {
            event_id,
            attempt: u32::try_from(attempt).map_err(|_| StoreError::corrupt("delivery attempt"))?,
            outcome: DeliveryOutcome::parse(&outcome).ok_or_else(|| StoreError::corrupt("delivery outcome"))?,
            status_code: status_code
                .map(|c| u16::try_from(c).map_err(|_| StoreError::corrupt("status code")))
                .transpose()?,
            error,
            duration_ms: u64::try_from(duration_ms).unwrap_or(0),
            at: parse_time(&at)?,
        })
    }
}

/// The outcome of one try.
pub enum Try {
    Delivered {
        status_code: Option<u16>,
    },
    /// `retry_in: None` parks the delivery as dead.
    Failed {
        status_code: Option<u16>,
        error: String,
        retry_in: Option<Duration>,
    },
}

impl Store {
    /// Registers a target: it receives every event recorded from now on.
    pub async fn register_target(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO delivery_targets (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(now_rfc3339())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Hands back the leases this process holds (at shutdown, once its deliveries in flight
    /// have ended or been given up): another process, or the next run, delivers them.
    pub async fn release_leases(&self) -> Result<u64, StoreError> {
        let released = sqlx::query(
            "UPDATE deliveries SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1 AND state = 'pending'",
        )
        .bind(self.owner)
        .execute(&self.writer)
        .await?;
        Ok(released.rows_affected())
    }

    /// Claims up to `limit` due deliveries of `target` for `lease`. At most one per payment,
    /// and only when every earlier event of that payment is no longer pending for the target,
    /// so each target sees a payment's events in `sequence` order. A lease is void once it
    /// expires or once the process that took it is no longer running (at once, after a crash).
    pub async fn claim_due(&self, target: &str, limit: u32, lease: Duration) -> Result<Vec<DueDelivery>, StoreError> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "SELECT d.event_id, d.payment_id, d.sequence, d.attempts, e.payload \
             FROM deliveries d JOIN payment_events e ON e.event_id = d.event_id \
             WHERE d.target = $1 AND d.state = 'pending' AND d.next_attempt_at <= $2 \
               AND (d.locked_until IS NULL OR d.locked_until < $2 OR d.locked_by IS NULL OR NOT {alive}) \
               AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.target = d.target \
                   AND p.payment_id = d.payment_id AND p.sequence < d.sequence AND p.state = 'pending') \
             ORDER BY d.next_attempt_at LIMIT $3{skip}",
            alive = self.dialect.owner_alive("d.locked_by", self.owner),
            skip = self.dialect.skip_locked("d"),
        );
        let due: Vec<DueDelivery> = sqlx::query_as(&sql)
            .bind(target)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        for d in &due {
            sqlx::query("UPDATE deliveries SET locked_until = $1, locked_by = $2 WHERE event_id = $3 AND target = $4")
                .bind(now + lease.as_millis() as i64)
                .bind(self.owner)
                .bind(&d.event_id)
                .bind(target)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Records one try and its log line.
    pub async fn record_try(
        &self,
        target: &str,
        d: &DueDelivery,
        outcome: Try,
        took: Duration,
    ) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let attempt = d.attempts + 1;
        let mut tx = self.writer.begin().await?;
        let (label, status_code, error) = match &outcome {
            Try::Delivered { status_code } => {
                sqlx::query(
                    "UPDATE deliveries SET state = 'delivered', attempts = $1, delivered_at = $2, locked_until = NULL, \
                     locked_by = NULL, last_error = NULL WHERE event_id = $3 AND target = $4",
                )
                .bind(attempt)
                .bind(&now)
                .bind(&d.event_id)
                .bind(target)
                .execute(&mut *tx)
                .await?;
                (DeliveryOutcome::Delivered, *status_code, None)
            }
            Try::Failed {
                status_code,
                error,
                retry_in,
            } => {
                let (state, next) = match retry_in {
                    Some(wait) => ("pending", now_ms() + wait.as_millis() as i64),
                    None => ("dead", now_ms()),
                };
                sqlx::query(
                    "UPDATE deliveries SET state = $1, attempts = $2, next_attempt_at = $3, locked_until = NULL, \
                     locked_by = NULL, last_error = $4 WHERE event_id = $5 AND target = $6",
                )
                .bind(state)
                .bind(attempt)
                .bind(next)
                .bind(error)
                .bind(&d.event_id)
                .bind(target)
                .execute(&mut *tx)
                .await?;
                let outcome = match retry_in {
                    Some(_) => DeliveryOutcome::Failed,
                    None => DeliveryOutcome::Dead,
                };
                (outcome, *status_code, Some(error.clone()))
            }
        };
        sqlx::query(
            "INSERT INTO delivery_log (event_id, target, attempt, outcome, status_code, error, duration_ms, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.event_id)
        .bind(target)
        .bind(attempt)
        .bind(label.as_str())
        .bind(status_code.map(i64::from))
        .bind(error)
        .bind(took.as_millis() as i64)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts every delivery of an event (or only `target`'s) back in the queue, due now.
    pub async fn redeliver(&self, event_id: &str, target: Option<&str>) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, locked_until = NULL, locked_by = NULL \
             WHERE event_id = $2 AND ($3 IS NULL OR target = $3)",
        )
        .bind(now_ms())
        .bind(event_id)
        .bind(target)
        .execute(&self.writer)
        .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NoDeliveries);
        }
        self.changed();
        Ok(result.rows_affected())
    }

    /// The newest `limit` lines of a target's delivery log.
    pub async fn delivery_log(&self, target: &str, limit: u32) -> Result<Vec<DeliveryLogRow>, StoreError> {
        let lines: Vec<RawLogLine> = sqlx::query_as(
            "SELECT event_id, attempt, outcome, status_code, error, duration_ms, at FROM delivery_log \
             WHERE target = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(target)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        lines.into_iter().map(DeliveryLogRow::try_from).collect()
    }

    pub async fn delivery_counts(&self, target: &str) -> Result<DeliveryCounts, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM deliveries WHERE target = $1 GROUP BY state")
                .bind(target)
                .fetch_all(&self.reader)
                .await?;
        let mut counts = DeliveryCounts::default();
        for (state, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match state.as_str() {
                "pending" => counts.pending = n,
                "delivered" => counts.delivered = n,
                _ => counts.dead = n,
            }
        }
        Ok(counts)
    }

    /// (target, state, count) of every delivery.
    pub async fn delivery_states(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT target, state, COUNT(*) FROM deliveries GROUP BY target, state")
                .fetch_all(&self.reader)
                .await?,
        )
    }

    /// (target, seconds) since the oldest still-pending event of each target was recorded.
    pub async fn oldest_pending_ages(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT d.target, MIN(e.created_at) FROM deliveries d JOIN payment_events e ON e.event_id = d.event_id \
             WHERE d.state = 'pending' GROUP BY d.target",
        )
        .fetch_all(&self.reader)
        .await?;
        let now = time::OffsetDateTime::now_utc();
        Ok(rows
            .into_iter()
            .filter_map(|(target, at)| {
                let at = time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).ok()?;
                Some((target, (now - at).whole_seconds().max(0)))
            })
            .collect())
    }
}
