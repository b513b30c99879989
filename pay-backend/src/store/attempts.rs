//! Payment attempts: claiming a payment for one attempt at a time, and recording the outcome.

use super::changes::{apply_change, Change};
use super::payments::{fetch_payment, PaymentRow};
use super::{now_ms, now_rfc3339, parse_time, Store, StoreError};
use pay_types::{
    AttemptResolution, AttemptState, ClaimDecision, ClaimState, DeclineCode, KnownAttempt, PaymentId, PaymentMethod,
    TransactionStatus, UserInfo,
};
use sqlx::AnyConnection;
use time::OffsetDateTime;

/// What is recorded of an attempt before it reaches the provider. No card number or CVC:
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
    /// The provider's reference for the attempt, once it gave one.
    pub provider_ref: Option<String>,
    /// While `Processing`: the challenge the buyer answers (its page, or `None` when the
    /// provider's browser library shows it), and its deadline (unix ms).
    pub challenge: Option<(Option<String>, i64)>,
    /// How a `Done` attempt was resolved.
    pub resolved_by: Option<AttemptResolution>,
}

/// An attempt waiting at the provider, as the check that resolves it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAttempt {
    pub payment_id: PaymentId,
    pub attempt_id: String,
    pub provider_ref: Option<String>,
    /// The challenge's deadline (unix ms), if the buyer has one to answer.
    pub challenge_expires_at: Option<i64>,
    /// Checks made so far.
    pub checks: i64,
}

/// (payment id, attempt id, provider reference, challenge deadline, checks).
type RawOpenAttempt = (String, String, Option<String>, Option<i64>, i64);

/// Why an attempt waits at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    /// The provider's answer was unknown: ask again at `next_check_at` (unix ms).
    Unknown { next_check_at: i64 },
    /// The buyer answers a challenge until `expires_at` (unix ms): at `url`, or (`None`) in the
    /// provider's browser library.
    Challenge {
        provider_ref: String,
        url: Option<String>,
        expires_at: i64,
    },
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
    provider_ref: Option<String>,
    challenge_url: Option<String>,
    challenge_expires_at: Option<i64>,
    resolved_by: Option<String>,
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
            provider_ref: r.provider_ref,
            challenge: r.challenge_expires_at.map(|at| (r.challenge_url, at)),
            resolved_by: r.resolved_by.as_deref().and_then(AttemptResolution::parse),
        })
    }
}

/// The answer to a claim.
#[derive(Debug)]
pub enum Claim {
    /// The payment is reserved for this attempt: go to the provider.
    Granted(PaymentRow),
    /// This attempt id was already answered: here is that answer, nothing is charged.
    Replay(PaymentRow, Box<AttemptRow>),
}

const ATTEMPT_COLUMNS: &str =
    "attempt_id, method, state, status, transaction_id, decline_code, card_brand, card_last4, \
     created_at, provider_ref, challenge_url, challenge_expires_at, resolved_by";

impl Store {
    /// Reserves the payment for one attempt, atomically: the payment must accept attempts,
    /// have none in flight and not have used up its declines. A known attempt id replays.
    /// `check_after` is when, should this process die with the attempt at the provider,
    /// another may ask the provider about it.
    pub async fn claim_attempt(
        &self,
        new: &NewAttempt,
        max_declined: u32,
        check_after: std::time::Duration,
    ) -> Result<Claim, StoreError> {
        let (new, lock, owner) = (new.clone(), self.dialect.for_update(), self.owner);
        let check_at = now_ms() + check_after.as_millis() as i64;
        self.write(move |conn| Box::pin(async move { claim(conn, &new, lock, owner, max_declined, check_at).await }))
            .await
    }

    /// Records the outcome of a granted attempt and applies its status change (with its event).
    pub async fn finish_attempt(
        &self,
        payment_id: &PaymentId,
        attempt_id: &str,
        change: Change,
        resolved_by: AttemptResolution,
    ) -> Result<(PaymentRow, AttemptRow), StoreError> {
        let (payment_id, attempt_id, lock) = (payment_id.clone(), attempt_id.to_owned(), self.dialect.for_update());
        let done = self
            .write(move |conn| {
                Box::pin(async move { finish(conn, &payment_id, &attempt_id, lock, change, resolved_by).await })
            })
            .await?;
        self.changed();
        Ok(done)
    }

    /// Leaves a granted attempt waiting at the provider (its outcome unknown, or a challenge to
    /// answer). The payment stays reserved for it, and any process may resolve it.
    pub async fn park_attempt(
        &self,
        payment_id: &PaymentId,
        attempt_id: &str,
        wait: Wait,
    ) -> Result<AttemptRow, StoreError> {
        let (payment_id, attempt_id) = (payment_id.clone(), attempt_id.to_owned());
        self.write(move |conn| {
            Box::pin(async move {
                let (provider_ref, url, expires_at, next_check_at) = match &wait {
                    Wait::Unknown { next_check_at } => (None, None, None, *next_check_at),
                    Wait::Challenge {
                        provider_ref,
                        url,
                        expires_at,
                    } => (Some(provider_ref.clone()), url.clone(), Some(*expires_at), *expires_at),
                };
                let parked = sqlx::query(
                    "UPDATE attempts SET provider_ref = COALESCE($1, provider_ref), challenge_url = $2, \
                     challenge_expires_at = $3, next_check_at = $4 WHERE payment_id = $5 AND attempt_id = $6 AND state = $7",
                )
                .bind(provider_ref)
                .bind(url)
                .bind(expires_at)
                .bind(next_check_at)
                .bind(payment_id.as_str())
                .bind(&attempt_id)
                .bind(AttemptState::Processing.as_str())
                .execute(&mut *conn)
                .await?;
                if parked.rows_affected() != 1 {
                    return Err(StoreError::AttemptNotInFlight);
                }
                sqlx::query("UPDATE payments SET processing_by = NULL WHERE id = $1 AND processing_attempt = $2")
                    .bind(payment_id.as_str())
                    .bind(&attempt_id)
                    .execute(&mut *conn)
                    .await?;
                fetch_attempt(conn, &payment_id, &attempt_id).await
            })
        })
        .await
    }

    /// Stores the provider's id for an in-flight attempt (e.g. a PaymentIntent's), before the
    /// call that can charge it: a look-up finds the provider's object by it.
    pub async fn set_provider_ref(
        &self,
        payment_id: &PaymentId,
        attempt_id: &str,
        provider_ref: &str,
    ) -> Result<(), StoreError> {
        let (payment_id, attempt_id, provider_ref) =
            (payment_id.clone(), attempt_id.to_owned(), provider_ref.to_owned());
        self.write(move |conn| {
            Box::pin(async move {
                let set = sqlx::query(
                    "UPDATE attempts SET provider_ref = $1 WHERE payment_id = $2 AND attempt_id = $3 AND state = $4",
                )
                .bind(&provider_ref)
                .bind(payment_id.as_str())
                .bind(&attempt_id)
                .bind(AttemptState::Processing.as_str())
                .execute(&mut *conn)
                .await?;
                if set.rows_affected() != 1 {
                    return Err(StoreError::AttemptNotInFlight);
                }
                Ok(())
            })
        })
        .await
    }

    /// Attempts due for a question to the provider: waiting ones whose time has come, and those
    /// a dead process left at the provider.
    pub async fn attempts_to_check(&self, limit: u32) -> Result<Vec<OpenAttempt>, StoreError> {
        let sql = format!(
            "SELECT p.id, a.attempt_id, a.provider_ref, a.challenge_expires_at, a.checks FROM payments p \
             JOIN attempts a ON a.payment_id = p.id AND a.attempt_id = p.processing_attempt \
             WHERE p.processing_attempt IS NOT NULL AND (p.processing_by IS NULL OR NOT {}) \
             AND a.state = $1 AND COALESCE(a.next_check_at, 0) <= $2 ORDER BY a.next_check_at LIMIT $3",
            self.dialect.owner_alive("p.processing_by", self.owner)
        );
        let rows: Vec<RawOpenAttempt> = sqlx::query_as(&sql)
            .bind(AttemptState::Processing.as_str())
            .bind(now_ms())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter()
            .map(|(p, attempt_id, provider_ref, challenge_expires_at, checks)| {
                Ok(OpenAttempt {
                    payment_id: PaymentId::parse(&p).map_err(|_| StoreError::corrupt("payment id"))?,
                    attempt_id,
                    provider_ref,
                    challenge_expires_at,
                    checks,
                })
            })
            .collect()
    }

    /// Takes the next check of an open attempt for this process: `false` when another process
    /// took it (or the attempt was resolved). The check after it is due at `next_check_at`.
    pub async fn take_check(&self, open: &OpenAttempt, next_check_at: i64) -> Result<bool, StoreError> {
        let open = open.clone();
        self.write(move |conn| {
            Box::pin(async move {
                let taken = sqlx::query(
                    "UPDATE attempts SET checks = checks + 1, next_check_at = $1 \
                     WHERE payment_id = $2 AND attempt_id = $3 AND state = $4 AND checks = $5",
                )
                .bind(next_check_at)
                .bind(open.payment_id.as_str())
                .bind(&open.attempt_id)
                .bind(AttemptState::Processing.as_str())
                .bind(open.checks)
                .execute(&mut *conn)
                .await?;
                Ok(taken.rows_affected() == 1)
            })
        })
        .await
    }

    /// One attempt of a payment.
    pub async fn attempt(&self, payment_id: &PaymentId, attempt_id: &str) -> Result<Option<AttemptRow>, StoreError> {
        let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE payment_id = $1 AND attempt_id = $2");
        let raw: Option<RawAttempt> = sqlx::query_as(&sql)
            .bind(payment_id.as_str())
            .bind(attempt_id)
            .fetch_optional(&self.reader)
            .await?;
        raw.map(AttemptRow::try_from).transpose()
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
}

async fn claim(
    conn: &mut AnyConnection,
    new: &NewAttempt,
    lock: &str,
    owner: i32,
    max_declined: u32,
    check_at: i64,
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
    if row.claim_state(max_declined, now_ms()).decide(known)? == ClaimDecision::Replay {
        let attempt = fetch_attempt(conn, &new.payment_id, &new.attempt_id).await?;
        return Ok(Claim::Replay(row, Box::new(attempt)));
    }
    let now = now_rfc3339();
    sqlx::query(
        "INSERT INTO attempts (payment_id, attempt_id, request_hash, method, state, card_brand, card_last4, \
         user_info, created_at, next_check_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
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
    .bind(check_at)
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
    resolved_by: AttemptResolution,
) -> Result<(PaymentRow, AttemptRow), StoreError> {
    let Some(row) = fetch_payment(conn, payment_id.as_str(), lock).await? else {
        return Err(StoreError::PaymentNotFound);
    };
    finish_locked(conn, &row, attempt_id, change, resolved_by).await
}

/// [`finish`] on a payment row the transaction has locked already.
pub(super) async fn finish_locked(
    conn: &mut AnyConnection,
    row: &PaymentRow,
    attempt_id: &str,
    change: Change,
    resolved_by: AttemptResolution,
) -> Result<(PaymentRow, AttemptRow), StoreError> {
    let payment_id = &row.payment.id;
    if row.processing_attempt.as_deref() != Some(attempt_id) {
        return Err(StoreError::AttemptNotInFlight);
    }
    let result = sqlx::query(
        "UPDATE attempts SET state = $1, status = $2, transaction_id = $3, decline_code = $4, resolved_by = $5, \
         challenge_url = NULL, next_check_at = NULL WHERE payment_id = $6 AND attempt_id = $7 AND state = $8",
    )
    .bind(AttemptState::Done.as_str())
    .bind(change.status.as_str())
    .bind(&change.transaction_id)
    .bind(change.decline.map(DeclineCode::as_str))
    .bind(resolved_by.as_str())
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
    let updated = apply_change(conn, row, change).await?;
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
    /// What the claim rules look at, at `now_ms` (unix milliseconds).
    pub fn claim_state(&self, max_declined: u32, now_ms: i64) -> ClaimState {
        ClaimState {
            status: self.status,
            attempt_in_flight: self.processing_attempt.is_some(),
            declined: self.failed_attempts,
            max_declined,
            expired: self.expires_ms.is_some_and(|at| at <= now_ms),
        }
    }
}
