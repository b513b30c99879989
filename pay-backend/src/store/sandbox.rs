//! The sandbox provider's own books (`sandbox_*` tables): what it charged and refunded under
//! which key, and the signed events it has still to send. They play the provider's side of the
//! boundary, so they are written in their own transactions, apart from Pay's records: a crash
//! between the two is what the look-up after a restart resolves.

use super::{now_ms, now_rfc3339, Store, StoreError};

/// A charge the sandbox made (or refused, or holds for a challenge).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SandboxCharge {
    pub key: String,
    pub transaction_id: String,
    pub amount: String,
    pub currency: String,
    /// successful | pending | failed | challenge
    pub outcome: String,
    pub decline_code: Option<String>,
    /// The card's behaviour (a [`crate::providers::SandboxCard`] name), never its number.
    pub card: String,
    /// The buyer's answer to a challenge: complete | fail.
    pub answer: Option<String>,
}

/// An event the sandbox will sign and send at `due_at` (unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxEvent {
    pub id: String,
    pub charge_key: String,
    pub body: String,
    pub due_at: i64,
}

const CHARGE_COLUMNS: &str = "key, transaction_id, amount, currency, outcome, decline_code, card, answer";

impl Store {
    /// Records a charge under its key with the events it will send, unless the key has one:
    /// either way returns the charge the key stands for (a retried key charges nothing more).
    pub async fn sandbox_charge(
        &self,
        charge: SandboxCharge,
        events: Vec<SandboxEvent>,
    ) -> Result<SandboxCharge, StoreError> {
        self.write(move |conn| {
            Box::pin(async move {
                let inserted = sqlx::query(
                    "INSERT INTO sandbox_charges (key, transaction_id, amount, currency, outcome, decline_code, card, \
                     answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&charge.key)
                .bind(&charge.transaction_id)
                .bind(&charge.amount)
                .bind(&charge.currency)
                .bind(&charge.outcome)
                .bind(&charge.decline_code)
                .bind(&charge.card)
                .bind(now_rfc3339())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if inserted == 1 {
                    for event in &events {
                        insert_event(conn, event).await?;
                    }
                }
                let sql = format!("SELECT {CHARGE_COLUMNS} FROM sandbox_charges WHERE key = $1");
                Ok(sqlx::query_as(&sql).bind(&charge.key).fetch_one(&mut *conn).await?)
            })
        })
        .await
    }

    /// The charge made under `key`, if any.
    pub async fn sandbox_charge_of(&self, key: &str) -> Result<Option<SandboxCharge>, StoreError> {
        let sql = format!("SELECT {CHARGE_COLUMNS} FROM sandbox_charges WHERE key = $1");
        Ok(sqlx::query_as(&sql).bind(key).fetch_optional(&self.reader).await?)
    }

    /// The charges made for a payment (keys start with its id), oldest first.
    pub async fn sandbox_charges_of_payment(&self, payment_id: &str) -> Result<Vec<SandboxCharge>, StoreError> {
        let sql = format!("SELECT {CHARGE_COLUMNS} FROM sandbox_charges WHERE key LIKE $1 ORDER BY created_at, key");
        Ok(sqlx::query_as(&sql)
            .bind(format!("{payment_id}:%"))
            .fetch_all(&self.reader)
            .await?)
    }

    /// The buyer's answer to the challenge of `key`: the first answer stands. Returns the charge.
    pub async fn sandbox_answer(&self, key: &str, answer: &'static str) -> Result<Option<SandboxCharge>, StoreError> {
        let key = key.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE sandbox_charges SET answer = $1 WHERE key = $2 AND outcome = 'challenge' AND answer IS NULL")
                    .bind(answer)
                    .bind(&key)
                    .execute(&mut *conn)
                    .await?;
                let sql = format!("SELECT {CHARGE_COLUMNS} FROM sandbox_charges WHERE key = $1");
                Ok(sqlx::query_as(&sql).bind(&key).fetch_optional(&mut *conn).await?)
            })
        })
        .await
    }

    /// Records a refund under its key, unless the key has one: returns the stored outcome
    /// (succeeded | pending | refused). A refund over what is left of the charge is refused.
    pub async fn sandbox_refund(
        &self,
        key: &str,
        charge_key: &str,
        amount: rust_decimal::Decimal,
        outcome: &'static str,
        event: Option<SandboxEvent>,
    ) -> Result<String, StoreError> {
        let (key, charge_key) = (key.to_owned(), charge_key.to_owned());
        self.write(move |conn| {
            Box::pin(async move {
                let known: Option<(String,)> = sqlx::query_as("SELECT outcome FROM sandbox_refunds WHERE key = $1")
                    .bind(&key)
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some((outcome,)) = known {
                    return Ok(outcome);
                }
                let charged: Option<(String,)> = sqlx::query_as(
                    "SELECT amount FROM sandbox_charges WHERE key = $1 AND (outcome = 'successful' \
                     OR card = 'settles_successful' OR (card = 'challenge' AND answer = 'complete'))",
                )
                .bind(&charge_key)
                .fetch_optional(&mut *conn)
                .await?;
                let refunded: Vec<(String,)> =
                    sqlx::query_as("SELECT amount FROM sandbox_refunds WHERE charge_key = $1 AND outcome <> 'refused'")
                        .bind(&charge_key)
                        .fetch_all(&mut *conn)
                        .await?;
                let decimal = |s: &str| s.parse::<rust_decimal::Decimal>().map_err(|_| StoreError::corrupt("amount"));
                let mut left = match charged {
                    Some((amount,)) => decimal(&amount)?,
                    None => rust_decimal::Decimal::ZERO,
                };
                for (amount,) in &refunded {
                    left -= decimal(amount)?;
                }
                let outcome = if amount > left { "refused" } else { outcome };
                sqlx::query(
                    "INSERT INTO sandbox_refunds (key, charge_key, amount, outcome, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&key)
                .bind(&charge_key)
                .bind(amount.to_string())
                .bind(outcome)
                .bind(now_rfc3339())
                .execute(&mut *conn)
                .await?;
                if let (Some(event), "pending") = (&event, outcome) {
                    insert_event(conn, event).await?;
                }
                Ok(outcome.to_owned())
            })
        })
        .await
    }

    /// Adds an event to send.
    pub async fn sandbox_add_event(&self, event: SandboxEvent) -> Result<(), StoreError> {
        self.write(move |conn| Box::pin(async move { insert_event(conn, &event).await }))
            .await
    }

    /// Makes a payment's unsent events due now; returns how many.
    pub async fn sandbox_events_due_now(&self, payment_id: &str) -> Result<u64, StoreError> {
        let pattern = format!("{payment_id}:%");
        self.write(move |conn| {
            Box::pin(async move {
                Ok(
                    sqlx::query("UPDATE sandbox_events SET due_at = $1 WHERE charge_key LIKE $2 AND sent_at IS NULL")
                        .bind(now_ms())
                        .bind(&pattern)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected(),
                )
            })
        })
        .await
    }

    /// Unsent events that are due, oldest first.
    pub async fn sandbox_due_events(&self, limit: u32) -> Result<Vec<SandboxEvent>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, charge_key, body, due_at FROM sandbox_events WHERE sent_at IS NULL AND due_at <= $1 \
             ORDER BY due_at, id LIMIT $2",
        )
        .bind(now_ms())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, charge_key, body, due_at)| SandboxEvent {
                id,
                charge_key,
                body,
                due_at,
            })
            .collect())
    }

    /// Marks an event sent (Pay accepted it).
    pub async fn sandbox_event_sent(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE sandbox_events SET sent_at = $1 WHERE id = $2")
                    .bind(now_rfc3339())
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }
}

async fn insert_event(conn: &mut sqlx::AnyConnection, event: &SandboxEvent) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO sandbox_events (id, charge_key, body, due_at) VALUES ($1, $2, $3, $4)")
        .bind(&event.id)
        .bind(&event.charge_key)
        .bind(&event.body)
        .bind(event.due_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
