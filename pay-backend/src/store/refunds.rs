//! Refunds. A refund is recorded (`processing`, holding its amount against the payment) before
//! it is asked of the provider under its id, and counts only once the provider confirms it:
//! then, in one transaction, the refunded amount grows and the status change and its event are
//! written. Held and succeeded refunds together never exceed the payment's amount.

use super::changes::{apply_change, Change};
use super::payments::{fetch_payment, PaymentRow};
use super::{now_ms, now_rfc3339, Store, StoreError};
use pay_types::{Amount, PaymentId, TransactionStatus};
use rust_decimal::Decimal;
use sqlx::AnyConnection;
use std::time::Duration;

/// Where a refund is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundState {
    /// Asked of the provider; its answer is not known yet.
    Processing,
    /// The provider confirms later: with an event, or when Pay asks again (with backoff).
    Pending,
    Succeeded,
    Refused,
}

impl RefundState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Processing, Self::Pending, Self::Succeeded, Self::Refused]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// Whether the provider has still to answer (the amount is held meanwhile).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Processing | Self::Pending)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    pub id: String,
    pub payment_id: PaymentId,
    pub amount: Amount,
    pub state: RefundState,
    pub reason: Option<String>,
    /// Questions to the provider so far.
    pub checks: i64,
}

/// How a refund ended at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundEnd {
    Succeeded,
    Pending,
    Refused(String),
}

type RawRefund = (String, String, String, String, Option<String>, i64);

const REFUND_COLUMNS: &str = "id, payment_id, amount, state, reason, checks";

fn refund_row((id, payment_id, amount, state, reason, checks): RawRefund) -> Result<RefundRow, StoreError> {
    Ok(RefundRow {
        payment_id: PaymentId::parse(&payment_id).map_err(|_| StoreError::corrupt("payment id"))?,
        amount: Amount::parse_str(&amount).map_err(|_| StoreError::corrupt("refund amount"))?,
        state: RefundState::parse(&state).ok_or_else(|| StoreError::corrupt("refund state"))?,
        id,
        reason,
        checks,
    })
}

impl Store {
    /// Records a refund of `amount` (all that is left when `None`; already checked against the
    /// currency's rules) as `processing`, before it goes to the provider. `check_after`: when
    /// another process may ask the provider again should this one die meanwhile.
    pub async fn begin_refund(
        &self,
        id: &PaymentId,
        amount: Option<Amount>,
        check_after: Duration,
    ) -> Result<(PaymentRow, RefundRow), StoreError> {
        let (id, lock, owner) = (id.clone(), self.dialect.for_update(), self.owner);
        let check_at = now_ms() + check_after.as_millis() as i64;
        self.write(move |conn| Box::pin(async move { begin(conn, &id, amount, lock, owner, check_at).await }))
            .await
    }

    /// Records the provider's answer to an open refund. A refund that is no longer open (an
    /// event or another process answered first) stays as it is. Returns the payment and the
    /// refund as they are now.
    pub async fn end_refund(&self, refund_id: &str, end: RefundEnd) -> Result<(PaymentRow, RefundRow), StoreError> {
        let (refund_id, lock) = (refund_id.to_owned(), self.dialect.for_update());
        let ended = self
            .write(move |conn| Box::pin(async move { end_locked(conn, &refund_id, end, lock).await }))
            .await?;
        self.changed();
        Ok(ended)
    }

    /// Leaves an open refund (its answer unknown, or pending at the provider) for a later
    /// question, by any process.
    pub async fn park_refund(&self, refund_id: &str, next_check_at: i64) -> Result<(), StoreError> {
        let refund_id = refund_id.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE refunds SET processing_by = NULL, next_check_at = $1 WHERE id = $2 AND state IN ($3, $4)",
                )
                .bind(next_check_at)
                .bind(&refund_id)
                .bind(RefundState::Processing.as_str())
                .bind(RefundState::Pending.as_str())
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Open refunds due for another question: parked and pending ones whose time has come, and
    /// those a dead process left at the provider.
    pub async fn refunds_to_check(&self, limit: u32) -> Result<Vec<RefundRow>, StoreError> {
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE state IN ($1, $2) AND (processing_by IS NULL OR NOT {}) \
             AND COALESCE(next_check_at, 0) <= $3 ORDER BY next_check_at LIMIT $4",
            self.dialect.owner_alive("processing_by", self.owner)
        );
        let rows: Vec<RawRefund> = sqlx::query_as(&sql)
            .bind(RefundState::Processing.as_str())
            .bind(RefundState::Pending.as_str())
            .bind(now_ms())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.into_iter().map(refund_row).collect()
    }

    /// Takes the next question about an open refund for this process (`false`: another took
    /// it, or it ended or moved on).
    pub async fn take_refund_check(&self, refund: &RefundRow, next_check_at: i64) -> Result<bool, StoreError> {
        let (id, checks, state) = (refund.id.clone(), refund.checks, refund.state);
        self.write(move |conn| {
            Box::pin(async move {
                let taken = sqlx::query(
                    "UPDATE refunds SET checks = checks + 1, next_check_at = $1 WHERE id = $2 AND state = $3 AND checks = $4",
                )
                .bind(next_check_at)
                .bind(&id)
                .bind(state.as_str())
                .bind(checks)
                .execute(&mut *conn)
                .await?;
                Ok(taken.rows_affected() == 1)
            })
        })
        .await
    }
}

async fn begin(
    conn: &mut AnyConnection,
    id: &PaymentId,
    amount: Option<Amount>,
    lock: &str,
    owner: i32,
    check_at: i64,
) -> Result<(PaymentRow, RefundRow), StoreError> {
    let row = fetch_payment(conn, id.as_str(), lock)
        .await?
        .ok_or(StoreError::PaymentNotFound)?;
    if !matches!(
        row.status,
        TransactionStatus::Successful | TransactionStatus::PartiallyRefunded
    ) {
        return Err(StoreError::NotRefundable(row.status));
    }
    let held: Vec<(String,)> = sqlx::query_as("SELECT amount FROM refunds WHERE payment_id = $1 AND state IN ($2, $3)")
        .bind(id.as_str())
        .bind(RefundState::Processing.as_str())
        .bind(RefundState::Pending.as_str())
        .fetch_all(&mut *conn)
        .await?;
    let mut remaining = row.payment.amount.value() - row.refunded_amount.value();
    for (amount,) in &held {
        remaining -= amount
            .parse::<Decimal>()
            .map_err(|_| StoreError::corrupt("refund amount"))?;
    }
    let amount = amount.map_or(remaining, Amount::value);
    if amount > remaining || amount <= Decimal::ZERO {
        return Err(StoreError::RefundExceedsAmount {
            amount,
            remaining: remaining.max(Decimal::ZERO),
        });
    }
    let refund = RefundRow {
        id: format!("re_{}", uuid::Uuid::new_v4().simple()),
        payment_id: id.clone(),
        amount: Amount::new(amount),
        state: RefundState::Processing,
        reason: None,
        checks: 0,
    };
    let now = now_rfc3339();
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, amount, created_at, state, processing_by, next_check_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $4)",
    )
    .bind(&refund.id)
    .bind(id.as_str())
    .bind(refund.amount.to_string())
    .bind(&now)
    .bind(RefundState::Processing.as_str())
    .bind(owner)
    .bind(check_at)
    .execute(&mut *conn)
    .await?;
    Ok((row, refund))
}

/// Ends an open refund inside a transaction (also used by provider events).
pub(super) async fn end_locked(
    conn: &mut AnyConnection,
    refund_id: &str,
    end: RefundEnd,
    lock: &str,
) -> Result<(PaymentRow, RefundRow), StoreError> {
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE id = $1");
    let raw: Option<RawRefund> = sqlx::query_as(&sql).bind(refund_id).fetch_optional(&mut *conn).await?;
    let refund = refund_row(raw.ok_or(StoreError::NoSuchRefund)?)?;
    let row = fetch_payment(conn, refund.payment_id.as_str(), lock)
        .await?
        .ok_or(StoreError::PaymentNotFound)?;
    let ended = match (&end, refund.state) {
        (_, state) if !state.is_open() => return Ok((row, refund)),
        // Still pending: nothing changes (the next question is already set).
        (RefundEnd::Pending, RefundState::Pending) => return Ok((row, refund)),
        (RefundEnd::Pending, _) => RefundState::Pending,
        (RefundEnd::Succeeded, _) => RefundState::Succeeded,
        (RefundEnd::Refused(_), _) => RefundState::Refused,
    };
    let reason = match &end {
        RefundEnd::Refused(reason) => Some(reason.clone()),
        _ => None,
    };
    // A pending refund is asked about again from a second on (then with the checks' backoff),
    // until the provider says it ended: its event may never come.
    let next_check_at = (ended == RefundState::Pending).then(|| now_ms() + 1000);
    sqlx::query(
        "UPDATE refunds SET state = $1, reason = $2, processing_by = NULL, next_check_at = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(ended.as_str())
    .bind(&reason)
    .bind(next_check_at)
    .bind(now_rfc3339())
    .bind(refund_id)
    .execute(&mut *conn)
    .await?;
    let refund = RefundRow {
        state: ended,
        reason,
        ..refund
    };
    if ended != RefundState::Succeeded {
        return Ok((row, refund));
    }
    let refunded = Amount::new(row.refunded_amount.value() + refund.amount.value());
    sqlx::query("UPDATE payments SET refunded_amount = $1 WHERE id = $2")
        .bind(refunded.to_string())
        .bind(row.payment.id.as_str())
        .execute(&mut *conn)
        .await?;
    let status = if refunded.value() >= row.payment.amount.value() {
        TransactionStatus::Refunded
    } else {
        TransactionStatus::PartiallyRefunded
    };
    let row = PaymentRow {
        refunded_amount: refunded,
        ..row
    };
    if row.status.transition(status).is_err() {
        // The money went back, but the payment moved on meanwhile (a chargeback): the refund
        // is recorded, the status stays.
        tracing::warn!(payment_id = %row.payment.id, refund_id, status = %row.status, "refund succeeded after the payment moved on");
        return Ok((row, refund));
    }
    let updated = apply_change(conn, &row, Change::to(status)).await?;
    Ok((updated, refund))
}
