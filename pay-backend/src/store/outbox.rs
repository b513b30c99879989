//! The outbox: every status change's `PaymentUpdateEvent`, written in the same transaction as
//! the change (see `changes`), with one delivery row per registered target; and the reads of
//! recorded events (a payment's, and the feed after a cursor). Deliveries are in `deliveries`.

use super::{now_ms, Store, StoreError};
use pay_types::{PaymentId, PaymentUpdateEvent};
use sqlx::AnyConnection;

/// Appends `event` to the outbox inside the caller's transaction, with a delivery due now for
/// every registered target.
pub(super) async fn record(conn: &mut AnyConnection, event: &PaymentUpdateEvent) -> Result<(), StoreError> {
    let payment_id = event.payment.id.as_str();
    sqlx::query(
        "INSERT INTO payment_events (event_id, payment_id, sequence, status, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&event.event_id)
    .bind(payment_id)
    .bind(event.sequence as i64)
    .bind(event.status.as_str())
    .bind(serde_json::to_string(event)?)
    .bind(&event.created_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO deliveries (event_id, target, payment_id, sequence, state, next_attempt_at) \
         SELECT $1, name, $2, $3, 'pending', $4 FROM delivery_targets",
    )
    .bind(&event.event_id)
    .bind(payment_id)
    .bind(event.sequence as i64)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deterministic: the same change of the same payment always has the same id.
pub(super) fn event_id(payment: &PaymentId, sequence: u64) -> String {
    format!("evt_{}_{sequence}", payment.as_str().replace('-', ""))
}

/// The event stored in the outbox.
pub(super) fn parse(payload: &str) -> Result<PaymentUpdateEvent, StoreError> {
    Ok(serde_json::from_str(payload)?)
}

impl Store {
    /// The events of one payment, in sequence order.
    pub async fn events_of(&self, id: &PaymentId) -> Result<Vec<PaymentUpdateEvent>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM payment_events WHERE payment_id = $1 ORDER BY sequence")
                .bind(id.as_str())
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(|(payload,)| parse(payload)).collect()
    }

    /// Events recorded after `position` (a cursor from a previous page), oldest first, each
    /// with its own position.
    pub async fn events_after(&self, position: i64, limit: u32) -> Result<Vec<(i64, PaymentUpdateEvent)>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(self.dialect.events_after())
            .bind(position)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter()
            .map(|(position, payload)| Ok((position, parse(&payload)?)))
            .collect()
    }
}
