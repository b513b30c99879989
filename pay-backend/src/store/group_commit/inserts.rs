//! Group commit of new payments (see the module above). Each payment with an idempotency key
//! is in a savepoint of its own: a rejected one (an idempotency conflict) leaves the others in.
//!
//! On PostgreSQL each process has its own writer task; the keys of a batch are taken in key
//! order, so two processes' batches that share keys wait for each other instead of deadlocking.

use super::super::payments::{insert_keyed, insert_rows};
use super::super::{Dialect, StoreError};
use pay_types::{NewPayment, Payment};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// Payments in one transaction at most.
const MAX_BATCH: usize = 256;

pub(in crate::store) struct Job {
    pub new: NewPayment,
    pub idempotency: Option<(String, String)>,
    pub reply: oneshot::Sender<Result<(Payment, bool), StoreError>>,
}

/// Starts the writer task; its queue closes when every sender is dropped.
pub(in crate::store) fn spawn(writer: AnyPool, dialect: Dialect) -> mpsc::Sender<Job> {
    let (sender, mut queue) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        // Waits for one job, then takes every job already queued (up to MAX_BATCH).
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
            commit(&writer, dialect, std::mem::take(&mut batch)).await;
        }
    });
    sender
}

async fn commit(writer: &AnyPool, dialect: Dialect, batch: Vec<Job>) {
    let (work, replies): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|job| ((job.new, job.idempotency), job.reply))
        .unzip();
    match insert_all(writer, dialect, &work).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, payments = replies.len(), "a batch of new payments failed; none was stored");
            for reply in replies {
                let _ = reply.send(Err(StoreError::Writer(format!("storing the payment failed: {e}"))));
            }
        }
    }
}

type Outcome = Result<(Payment, bool), StoreError>;

/// Rows of the multi-row INSERTs in a transaction, largest first: the payments of a batch are
/// cut into these (100 = 64 + 32 + 4), so a handful of statement texts serve every batch size
/// and stay in the prepared-statement cache. 8 parameters a row, far below either database's
/// limit (also for a whole batch of 256 in one statement).
const ROWS_PER_STATEMENT: [usize; 8] = [128, 64, 32, 16, 8, 4, 2, 1];

async fn insert_all(
    writer: &AnyPool,
    dialect: Dialect,
    work: &[(NewPayment, Option<(String, String)>)],
) -> Result<Vec<Outcome>, StoreError> {
    // Payments without an idempotency key cannot be refused here: a statement for many.
    let plain: Vec<usize> = (0..work.len()).filter(|&i| work[i].1.is_none()).collect();
    if plain.len() == work.len() {
        // Only those: one statement is its own transaction; one round trip, one disk sync.
        let news: Vec<&NewPayment> = work.iter().map(|(new, _)| new).collect();
        let mut conn = writer.acquire().await?;
        let payments = insert_rows(&mut conn, dialect, &news).await?;
        return Ok(payments.into_iter().map(|p| Ok((p, false))).collect());
    }
    let mut tx = writer.begin().await?;
    let mut outcomes: Vec<Option<Outcome>> = (0..work.len()).map(|_| None).collect();
    let mut rest = &plain[..];
    while !rest.is_empty() {
        let size = ROWS_PER_STATEMENT.into_iter().find(|&n| n <= rest.len()).unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let news: Vec<&NewPayment> = chunk.iter().map(|&i| &work[i].0).collect();
        for (&i, payment) in chunk.iter().zip(insert_rows(&mut tx, dialect, &news).await?) {
            outcomes[i] = Some(Ok((payment, false)));
        }
    }
    // With a key, each in a savepoint of its own: a conflict is refused alone.
    let mut keyed: Vec<(usize, &NewPayment, (&str, &str))> = work
        .iter()
        .enumerate()
        .filter_map(|(i, (new, idem))| idem.as_ref().map(|(k, h)| (i, new, (k.as_str(), h.as_str()))))
        .collect();
    keyed.sort_by_key(|&(_, _, (key, _))| key);
    for (i, new, key) in keyed {
        // A second pass finds the payment of a process that stored the same key first.
        for _ in 0..2 {
            sqlx::query("SAVEPOINT payment").execute(&mut *tx).await?;
            let outcome = match insert_keyed(&mut tx, dialect, new, key).await {
                Ok(Some(done)) => Some(Ok(done)),
                Ok(None) => None,
                Err(StoreError::IdempotencyConflict) => Some(Err(StoreError::IdempotencyConflict)),
                Err(other) => return Err(other),
            };
            if !matches!(outcome, Some(Ok(_))) {
                sqlx::query("ROLLBACK TO payment").execute(&mut *tx).await?;
            }
            sqlx::query("RELEASE payment").execute(&mut *tx).await?;
            if outcome.is_some() {
                outcomes[i] = outcome;
                break;
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(StoreError::corrupt("idempotency key: stored, then vanished"))))
        .collect())
}
