//! Payment attempts: claiming a payment for one attempt at a time, and recording the outcome.

use super::changes::{apply_change, Change};
use super::payments::{fetch_payment, PaymentRow};
use super::{now_rfc3339, parse_time, Store, StoreError};
use pay_types::{
    AttemptState, ClaimDecision, ClaimState, DeclineCode, KnownAttempt, PaymentId, PaymentMethod, TransactionStatus,
    UserInfo,
};
use sqlx::AnyConnection;
use time::OffsetDateTime;

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

/// An attempt as stored: never more of the card than brand and last four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub attempt_id: String,
    pub method: PaymentMethod,
    pub state: AttemptState,
    /// The outcome, once `Done`.
    pub status: Option<TransactionStatus>,
    pub transaction_id: Option<String>,
    pub decline: Option<DeclineCode>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct RawAttempt {
    attempt_id: String,
    method: String,
    state: String,
    status: Option<String>,
    transaction_id: Option<String>,
    decline_code: Option<String>,
    card_brand: Option<String>,
    card_last4: Option<String>,
    created_at: String,
}

impl TryFrom<RawAttempt> for AttemptRow {
    type Error = StoreError;

    fn try_from(r: RawAttempt) -> Result<Self, StoreError> {
        let status = r
            .status
            .map(|s| TransactionStatus::parse(&s).ok_or_else(|| StoreError::corrupt("attempt status")))
            .transpose()?;
        let decline = r
            .decline_code
            .map(|d| DeclineCode::parse(&d).ok_or_else(|| StoreError::corrupt("decline code")))
            .transpose()?;
        Ok(AttemptRow {
            method: parse_method(&r.method).ok_or_else(|| StoreError::corrupt("attempt method"))?,
            state: AttemptState::parse(&r.state).ok_or_else(|| StoreError::corrupt("attempt state"))?,
            attempt_id: r.attempt_id,
            status,
            transaction_id: r.transaction_id,
            decline,
            card_brand: r.card_brand,
            card_last4: r.card_last4,
            created_at: parse_time(&r.created_at)?,
        })
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
    pub async fn claim_attempt(&self, new: &NewAttempt, max_declined: u32) -> Result<Claim, StoreError> {
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
    ) -> Result<(PaymentRow, AttemptRow), StoreError> {
        let (payment_id, attempt_id, lock) = (payment_id.clone(), attempt_id.to_owned(), self.dialect.for_update());
        let done = self
            .write(move |conn| Box::pin(async move { finish(conn, &payment_id, &attempt_id, lock, change).await }))
            .await?;
        self.changed();
        Ok(done)
    }

    /// A payment's attempts, oldest first.
    pub async fn attempts_of(&self, payment_id: &PaymentId) -> Result<Vec<AttemptRow>, StoreError> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 ORDER BY position");
        let raws: Vec<RawAttempt> = sqlx::query_as(&sql)
            .bind(payment_id.as_str())
            .fetch_all(&self.reader)
            .await?;
        raws.into_iter().map(AttemptRow::try_from).collect()
    }

    /// Attempts a crash left at the processor, those whose process is no longer running:
    /// (payment, attempt).
    pub async fn interrupted_attempts(&self) -> Result<Vec<(PaymentId, String)>, StoreError> {
        let sql = format!(
            "SELECT id, processing_attempt FROM payments WHERE processing_attempt IS NOT NULL \
             AND (processing_by IS NULL OR NOT {})",
            self.dialect.owner_alive("processing_by", self.owner)
        );
        let rows: Vec<(String, String)> = sqlx::query_as(&sql).fetch_all(&self.reader).await?;
        rows.into_iter()
            .map(|(p, a)| Ok((PaymentId::parse(&p).map_err(|_| StoreError::corrupt("payment id"))?, a)))
            .collect()
    }
}

async fn claim(
    conn: &mut AnyConnection,
    new: &NewAttempt,
    lock: &str,
    owner: i32,
    max_declined: u32,
) -> Result<Claim, StoreError> {
    let Some(row) = fetch_payment(conn, new.payment_id.as_str(), lock).await? else {
        return Err(StoreError::PaymentNotFound);
    };
    let known: Option<(String, String)> = sqlx::query_as::<_, (String, String)>(
        "SELECT state, request_hash FROM attempts WHERE payment_id = $1 AND attempt_id = $2",
    )
    .bind(new.payment_id.as_str())
    .bind(&new.attempt_id)
    .fetch_optional(&mut *conn)
    .await?;
    let known = known.map(|(state, hash)| KnownAttempt {
        same_request: hash == new.request_hash,
        in_flight: state == AttemptState::Processing.as_str(),
    });
    if row.claim_state(max_declined).decide(known)? == ClaimDecision::Replay {
        let attempt = fetch_attempt(conn, &new.payment_id, &new.attempt_id).await?;
        return Ok(Claim::Replay(row, Box::new(attempt)));
    }
    let now = now_rfc3339();
    sqlx::query(
        "INSERT INTO attempts (payment_id, attempt_id, request_hash, method, state, card_brand, card_last4, \
         user_info, created_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         (SELECT COALESCE(MAX(position), 0) + 1 FROM attempts WHERE payment_id = $1))",
    )
    .bind(new.payment_id.as_str())
    .bind(&new.attempt_id)
    .bind(&new.request_hash)
    .bind(method_str(new.method))
    .bind(AttemptState::Processing.as_str())
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
) -> Result<(PaymentRow, AttemptRow), StoreError> {
    let Some(row) = fetch_payment(conn, payment_id.as_str(), lock).await? else {
        return Err(StoreError::PaymentNotFound);
    };
    if row.processing_attempt.as_deref() != Some(attempt_id) {
        return Err(StoreError::AttemptNotInFlight);
    }
    let result = sqlx::query(
        "UPDATE attempts SET state = $1, status = $2, transaction_id = $3, decline_code = $4 \
         WHERE payment_id = $5 AND attempt_id = $6 AND state = $7",
    )
    .bind(AttemptState::Done.as_str())
    .bind(change.status.as_str())
    .bind(&change.transaction_id)
    .bind(change.decline.map(DeclineCode::as_str))
    .bind(payment_id.as_str())
    .bind(attempt_id)
    .bind(AttemptState::Processing.as_str())
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() != 1 {
        return Err(StoreError::AttemptNotInFlight);
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
    let attempt = fetch_attempt(conn, payment_id, attempt_id).await?;
    Ok((updated, attempt))
}

async fn fetch_attempt(
    conn: &mut AnyConnection,
    payment_id: &PaymentId,
    attempt_id: &str,
) -> Result<AttemptRow, StoreError> {
    let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 AND attempt_id = $2");
    let raw: RawAttempt = sqlx::query_as(&sql)
        .bind(payment_id.as_str())
        .bind(attempt_id)
        .fetch_one(&mut *conn)
        .await?;
    raw.try_into()
}

fn method_str(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Card => "card",
        PaymentMethod::Offline => "offline",
    }
}

fn parse_method(s: &str) -> Option<PaymentMethod> {
    [PaymentMethod::Card, PaymentMethod::Offline]
        .into_iter()
        .find(|m| method_str(*m) == s)
}

impl PaymentRow {
    /// What the claim rules look at.
    pub fn claim_state(&self, max_declined: u32) -> ClaimState {
        ClaimState {
            status: self.status,
            attempt_in_flight: self.processing_attempt.is_some(),
            declined: self.failed_attempts,
            max_declined,
        }
    }
}
