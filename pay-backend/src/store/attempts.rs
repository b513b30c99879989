//! Payment attempts: claiming a payment for one attempt at a time, and recording the outcome.

use super::changes::{apply_change, Change};
use super::payments::{fetch_payment, PaymentRow};
use super::{now_rfc3339, Store};
use crate::error::PayError;
use pay_types::{DeclineCode, ErrorCode, PaymentId, PaymentMethod, TransactionStatus, UserInfo};
use sqlx::AnyConnection;

/// What is recorded of an attempt before it reaches the processor. No card number or CVC:
/// only the brand and the last four digits.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub payment_id: PaymentId,
    pub attempt_id: String,
    pub request_hash: String,
    pub method: PaymentMethod,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub user_info: Option<UserInfo>,
}

/// An attempt as stored, and as the merchant API shows it (`processing` or `done`; never
/// more of the card than brand and last four).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    pub attempt_id: String,
    pub method: String,
    pub state: String,
    pub status: Option<String>,
    pub transaction_id: Option<String>,
    pub decline_code: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub created_at: String,
}

impl AttemptRow {
    pub fn status(&self) -> Option<TransactionStatus> {
        self.status.as_deref().and_then(TransactionStatus::parse)
    }

    pub fn decline(&self) -> Option<DeclineCode> {
        self.decline_code.as_deref().and_then(DeclineCode::parse)
    }
}

/// The answer to a claim.
#[derive(Debug)]
pub enum Claim {
    /// The payment is reserved for this attempt: go to the processor.
    Granted(PaymentRow),
    /// This attempt id was already answered: here is that answer, nothing is charged.
    Replay(PaymentRow, Box<AttemptRow>),
}

const ATTEMPT_COLUMNS: &str =
    "attempt_id, method, state, status, transaction_id, decline_code, card_brand, card_last4, created_at";

impl Store {
    /// Reserves the payment for one attempt, atomically: the payment must accept attempts,
    /// have none in flight and not have used up its declines. A known attempt id replays.
    pub async fn claim_attempt(&self, new: &NewAttempt, max_declined: u32) -> Result<Claim, PayError> {
        let (new, lock, owner) = (new.clone(), self.dialect.for_update(), self.owner);
        self.write(move |conn| Box::pin(async move { claim(conn, &new, lock, owner, max_declined).await }))
            .await
    }

    /// Records the outcome of a granted attempt and applies its status change (with its event).
    pub async fn finish_attempt(
        &self,
        payment_id: &PaymentId,
        attempt_id: &str,
        change: Change,
    ) -> Result<(PaymentRow, AttemptRow), PayError> {
        let (payment_id, attempt_id, lock) = (payment_id.clone(), attempt_id.to_owned(), self.dialect.for_update());
        let done = self
            .write(move |conn| Box::pin(async move { finish(conn, &payment_id, &attempt_id, lock, change).await }))
            .await?;
        self.changed();
        Ok(done)
    }

    /// The most recent attempt of a payment.
    pub async fn latest_attempt(&self, payment_id: &PaymentId) -> Result<Option<AttemptRow>, PayError> {
        let sql =
            format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 ORDER BY position DESC LIMIT 1");
        Ok(sqlx::query_as(&sql)
            .bind(payment_id.as_str())
            .fetch_optional(&self.reader)
            .await?)
    }

    pub async fn attempts_of(&self, payment_id: &PaymentId) -> Result<Vec<AttemptRow>, PayError> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 ORDER BY position");
        Ok(sqlx::query_as(&sql)
            .bind(payment_id.as_str())
            .fetch_all(&self.reader)
            .await?)
    }

    /// Attempts a crash left at the processor, those whose process is no longer running:
    /// (payment, attempt).
    pub async fn interrupted_attempts(&self) -> Result<Vec<(PaymentId, String)>, PayError> {
        let sql = format!(
            "SELECT id, processing_attempt FROM payments WHERE processing_attempt IS NOT NULL \
             AND (processing_by IS NULL OR NOT {})",
            self.dialect.owner_alive("processing_by", self.owner)
        );
        let rows: Vec<(String, String)> = sqlx::query_as(&sql).fetch_all(&self.reader).await?;
        rows.into_iter().map(|(p, a)| Ok((PaymentId::parse(&p)?, a))).collect()
    }
}

async fn claim(
    conn: &mut AnyConnection,
    new: &NewAttempt,
    lock: &str,
    owner: i32,
    max_declined: u32,
) -> Result<Claim, PayError> {
    let Some(row) = fetch_payment(conn, new.payment_id.as_str(), lock).await? else {
        return Err(PayError::payment_not_found());
    };
    let known: Option<(String, String)> = sqlx::query_as::<_, (String, String)>(
        "SELECT state, request_hash FROM attempts WHERE payment_id = $1 AND attempt_id = $2",
    )
    .bind(new.payment_id.as_str())
    .bind(&new.attempt_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((state, hash)) = known {
        if hash != new.request_hash {
            return Err(PayError::rejected(
                ErrorCode::AttemptConflict,
                "this attemptId was used with different details; use a new attemptId",
            ));
        }
        if state == "processing" {
            return Err(PayError::rejected(
                ErrorCode::AttemptInProgress,
                "this attempt is being processed",
            ));
        }
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 AND attempt_id = $2");
        let attempt: AttemptRow = sqlx::query_as(&sql)
            .bind(new.payment_id.as_str())
            .bind(&new.attempt_id)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(Claim::Replay(row, Box::new(attempt)));
    }
    if row.processing_attempt.is_some() {
        return Err(PayError::rejected(
            ErrorCode::AttemptInProgress,
            "another attempt is being processed",
        ));
    }
    if !row.status.accepts_attempt() {
        return Err(PayError::rejected(
            ErrorCode::PaymentNotPayable,
            format!("this payment is {} and cannot be paid again", row.status),
        ));
    }
    if row.failed_attempts >= max_declined {
        return Err(PayError::rejected(
            ErrorCode::TooManyAttempts,
            "too many declined attempts for this payment",
        ));
    }
    let now = now_rfc3339();
    sqlx::query(
        "INSERT INTO attempts (payment_id, attempt_id, request_hash, method, state, card_brand, card_last4, \
         user_info, created_at, position) VALUES ($1, $2, $3, $4, 'processing', $5, $6, $7, $8, \
         (SELECT COALESCE(MAX(position), 0) + 1 FROM attempts WHERE payment_id = $1))",
    )
    .bind(new.payment_id.as_str())
    .bind(&new.attempt_id)
    .bind(&new.request_hash)
    .bind(method_str(new.method))
    .bind(&new.card_brand)
    .bind(&new.card_last4)
    .bind(new.user_info.as_ref().map(serde_json::to_string).transpose()?)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE payments SET processing_attempt = $1, last_attempt_id = $1, processing_by = $2 WHERE id = $3")
        .bind(&new.attempt_id)
        .bind(owner)
        .bind(new.payment_id.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(Claim::Granted(PaymentRow {
        processing_attempt: Some(new.attempt_id.clone()),
        last_attempt_id: Some(new.attempt_id.clone()),
        ..row
    }))
}

async fn finish(
    conn: &mut AnyConnection,
    payment_id: &PaymentId,
    attempt_id: &str,
    lock: &str,
    change: Change,
) -> Result<(PaymentRow, AttemptRow), PayError> {
    let Some(row) = fetch_payment(conn, payment_id.as_str(), lock).await? else {
        return Err(PayError::payment_not_found());
    };
    if row.processing_attempt.as_deref() != Some(attempt_id) {
        return Err(PayError::internal(
            "finishing an attempt that does not hold the payment",
        ));
    }
    let result = sqlx::query(
        "UPDATE attempts SET state = 'done', status = $1, transaction_id = $2, decline_code = $3 \
         WHERE payment_id = $4 AND attempt_id = $5 AND state = 'processing'",
    )
    .bind(change.status.as_str())
    .bind(&change.transaction_id)
    .bind(change.decline.map(DeclineCode::as_str))
    .bind(payment_id.as_str())
    .bind(attempt_id)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() != 1 {
        return Err(PayError::internal("attempt is not in flight"));
    }
    let mut change = change;
    if change.buyer_info.is_none() {
        let stored: Option<(Option<String>,)> =
            sqlx::query_as("SELECT user_info FROM attempts WHERE payment_id = $1 AND attempt_id = $2")
                .bind(payment_id.as_str())
                .bind(attempt_id)
                .fetch_optional(&mut *conn)
                .await?;
        change.buyer_info = stored
            .and_then(|(u,)| u)
            .map(|u| serde_json::from_str(&u))
            .transpose()?;
    }
    let updated = apply_change(conn, &row, change).await?;
    let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 AND attempt_id = $2");
    let attempt: AttemptRow = sqlx::query_as(&sql)
        .bind(payment_id.as_str())
        .bind(attempt_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((updated, attempt))
}

pub(crate) fn method_str(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Card => "card",
        PaymentMethod::Offline => "offline",
    }
}
