//! All SQL lives here. SQLite in WAL mode with `synchronous = FULL`: a write that was
//! acknowledged has reached the disk and survives a kill -9 or a power cut.
//!
//! Writes go through a single connection, so write transactions never race each other;
//! reads use a pool of their own.

mod attempts;
mod changes;
mod currencies;
mod deliveries;
mod group_commit;
mod payments;
mod refunds;

pub use attempts::{AttemptRow, Claim, NewAttempt};
pub use changes::Change;
pub use deliveries::{DeliveryCounts, DeliveryLogEntry, DueDelivery, Try};
pub use payments::{PaymentRow, StoredEvent};

use crate::error::PayError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    changes: Arc<Notify>,
    inserts: tokio::sync::mpsc::Sender<group_commit::Job>,
}

impl Store {
    /// Opens (creating if needed) the database and applies the migrations.
    pub async fn open(url: &str) -> Result<Self, PayError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        let inserts = group_commit::spawn(writer.clone());
        Ok(Self {
            writer,
            reader,
            changes: Arc::new(Notify::new()),
            inserts,
        })
    }

    /// Wakes whoever waits for new events (the delivery loops).
    pub fn changes(&self) -> &Notify {
        &self.changes
    }

    fn changed(&self) {
        self.changes.notify_waiters();
    }

    /// The database answers and every migration of this build is applied.
    pub async fn ready(&self) -> Result<bool, PayError> {
        let applied: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(&self.reader)
            .await?;
        Ok(applied.0 as usize >= sqlx::migrate!("./migrations").iter().count())
    }

    /// Rows per table, to show that a rejected request changed nothing.
    pub async fn row_counts(&self) -> Result<Vec<(&'static str, i64)>, PayError> {
        let mut counts = Vec::new();
        for table in [
            "payments",
            "attempts",
            "idempotency_keys",
            "payment_events",
            "deliveries",
            "refunds",
        ] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.reader)
                .await?;
            counts.push((table, n));
        }
        // Status and refunded amount of every payment: a rejected request changes none.
        let (digest,): (Option<String>,) = sqlx::query_as(
            "SELECT group_concat(id || status || refunded_amount || failed_attempts, ',') FROM payments",
        )
        .fetch_one(&self.reader)
        .await?;
        counts.push(("payment_states", digest.map_or(0, |d| d.len() as i64)));
        Ok(counts)
    }

    /// (pool, open connections, idle connections).
    pub fn pool_stats(&self) -> [(&'static str, i64, i64); 2] {
        [
            ("writer", i64::from(self.writer.size()), self.writer.num_idle() as i64),
            ("reader", i64::from(self.reader.size()), self.reader.num_idle() as i64),
        ]
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Now, RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC timestamp always formats")
}

/// Now, unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}
