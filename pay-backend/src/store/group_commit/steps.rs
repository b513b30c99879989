//! Group commit of every other write on SQLite (see the module above): claims, attempt
//! outcomes, refunds and other status changes. A write is a step run in a savepoint of a shared
//! transaction; a step that fails (a refused claim, an illegal change) is rolled back to its
//! savepoint alone. On PostgreSQL each write is a transaction of its own: see [`Store::write`].

use super::super::{Store, StoreError};
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

/// Steps in one transaction at most.
const MAX_BATCH: usize = 128;

/// Called once the transaction that ran a step has committed (`Ok`) or failed.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A write: whether to keep what it did, and what to do after the commit.
pub(in crate::store) type Step = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Done)> + Send>;

/// Starts the task that runs the steps; it ends when every sender is dropped.
pub(in crate::store) fn spawn(writer: AnyPool) -> mpsc::Sender<Step> {
    let (sender, mut queue) = mpsc::channel::<Step>(4 * MAX_BATCH);
    tokio::spawn(async move {
        // Waits for one step, then takes every step already queued (up to MAX_BATCH).
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let batch = std::mem::take(&mut batch);
            let mut done = Vec::with_capacity(batch.len());
            let committed = run(&writer, batch, &mut done).await.map_err(|e| {
                tracing::error!(error = %e, writes = done.len(), "a batch of writes failed; none was stored");
                e.to_string()
            });
            // Steps the failure left unrun are dropped: their callers hear that nothing was stored.
            for d in done {
                d(committed.clone());
            }
        }
    });
    sender
}

async fn run(writer: &AnyPool, steps: Vec<Step>, done: &mut Vec<Done>) -> Result<(), sqlx::Error> {
    let mut tx = writer.begin().await?;
    for step in steps {
        sqlx::query("SAVEPOINT step").execute(&mut *tx).await?;
        let (keep, then) = step(&mut tx).await;
        done.push(then);
        if !keep {
            sqlx::query("ROLLBACK TO step").execute(&mut *tx).await?;
        }
        sqlx::query("RELEASE step").execute(&mut *tx).await?;
    }
    tx.commit().await
}

impl Store {
    /// Runs `f` in a write transaction and returns its result once committed. An error from
    /// `f` undoes everything it wrote. SQLite: `f` shares a transaction (and a disk sync) with
    /// the writes queued beside it. PostgreSQL: a transaction of its own.
    pub(in crate::store) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let Some(steps) = &self.steps else {
            let mut tx = self.writer.begin().await?;
            let out = f(&mut tx).await?;
            tx.commit().await?;
            return Ok(out);
        };
        let (reply, answer) = oneshot::channel();
        let step: Step = Box::new(move |conn| {
            Box::pin(async move {
                let result = f(conn).await;
                let keep = result.is_ok();
                let then: Done = Box::new(move |committed| {
                    let _ = reply.send(committed.map_err(StoreError::Writer).and(result));
                });
                (keep, then)
            })
        });
        let stopped = || StoreError::Writer("the database writer has stopped".into());
        steps.send(step).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}
