//! All SQL lives here, written once for SQLite and PostgreSQL (sqlx's `Any` driver; the few
//! differences are in [`Dialect`]).
//!
//! - SQLite (the embedded default): WAL with `synchronous = FULL`, so an acknowledged write
//!   has reached the disk and survives a kill -9 or a power cut. Writes go through a single
//!   connection, so write transactions never race each other; reads use a pool of their own.
//! - PostgreSQL: several processes share one database. A transaction locks the payment row it
//!   changes (`FOR UPDATE`); deliveries are claimed with `SKIP LOCKED`. Each process holds an
//!   advisory lock for its lifetime and writes its number into the claims it makes, so the
//!   claims of a process that died are taken over at once.

//!
//! The store speaks in its own terms: typed rows ([`PaymentRow`], [`AttemptRow`], …) and
//! [`StoreError`]; the HTTP layer and the wire types are built on top of it.
//!
//! Where each concern lives: `payments` (insert, read, list), `attempts` (claim a payment for
//! one attempt, record its outcome), `changes` (the one place a status changes), `outbox`
//! (the event of every change and one delivery row per target), `deliveries` (claiming and
//! recording deliveries), `refunds` (held, then confirmed by the provider), `provider_events`
//! (each applied once), `sandbox` (the sandbox provider's own books), `currencies` (site
//! settings, cached rates),
//! `group_commit` (how writes are batched into shared transactions), `dialect` (SQLite and
//! PostgreSQL differences).

mod attempts;
mod changes;
mod currencies;
mod deliveries;
mod dialect;
mod error;
mod group_commit;
mod outbox;
mod payments;
mod provider_events;
mod refunds;
mod sandbox;

pub use attempts::{AttemptRow, Claim, NewAttempt, OpenAttempt, Wait};
pub use changes::Change;
pub use deliveries::{DeliveryLogRow, DueDelivery, Try};
pub use dialect::Dialect;
pub use error::StoreError;
pub use payments::{amount_e4, Page, PaymentFilter, PaymentRow};
pub use provider_events::{EventAction, EventEffect};
pub use refunds::{RefundEnd, RefundRow, RefundState};
pub use sandbox::{SandboxCharge, SandboxEvent};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::{Mutex, Notify};

/// Connections to PostgreSQL per process.
const POSTGRES_CONNECTIONS: u32 = 16;

#[derive(Clone)]
pub struct Store {
    writer: AnyPool,
    reader: AnyPool,
    dialect: Dialect,
    /// This process's number in the claims it makes (see [`Dialect::owner_alive`]).
    owner: i32,
    /// PostgreSQL: the connection holding this process's advisory lock, for its lifetime.
    owner_lock: Arc<Mutex<Option<AnyConnection>>>,
    changes: Arc<Notify>,
    /// The queue of the task that group-commits new payments.
    inserts: tokio::sync::mpsc::Sender<group_commit::inserts::Job>,
    /// SQLite: the queue of the task that group-commits the other writes.
    steps: Option<tokio::sync::mpsc::Sender<group_commit::steps::Step>>,
}

impl Store {
    /// Opens (creating if needed) the database and applies the migrations. `sqlite:…` and
    /// `postgres://…` URLs are accepted.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let (writer, reader) = match dialect {
            Dialect::Sqlite => open_sqlite(url).await?,
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                (pool.clone(), pool)
            }
        };
        dialect.migrator().run(&writer).await?;
        let (owner, owner_lock) = match dialect {
            Dialect::Sqlite => (fastrand::i32(1..i32::MAX), None),
            Dialect::Postgres => {
                let (owner, conn) = take_owner_lock(url).await?;
                (owner, Some(conn))
            }
        };
        let inserts = group_commit::inserts::spawn(writer.clone(), dialect);
        let steps = (dialect == Dialect::Sqlite).then(|| group_commit::steps::spawn(writer.clone()));
        Ok(Self {
            writer,
            reader,
            dialect,
            owner,
            owner_lock: Arc::new(Mutex::new(owner_lock)),
            changes: Arc::new(Notify::new()),
            inserts,
            steps,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Wakes whoever waits for new events (the delivery loops).
    pub fn changes(&self) -> &Notify {
        &self.changes
    }

    fn changed(&self) {
        self.changes.notify_waiters();
    }

    /// The database answers and every migration of this build is applied.
    pub async fn ready(&self) -> Result<bool, StoreError> {
        let applied: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.reader)
            .await?;
        Ok(applied.0 as usize >= self.dialect.migrator().iter().count())
    }

    /// Rows per table, to show that a rejected request changed nothing (tests only).
    #[cfg(feature = "testing")]
    pub async fn row_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut counts = Vec::new();
        for table in [
            "payments",
            "attempts",
            "idempotency_keys",
            "payment_events",
            "deliveries",
            "refunds",
            "provider_events",
        ] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.reader)
                .await?;
            counts.push((table, n));
        }
        // Status and refunded amount of every payment: a rejected request changes none.
        let states: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT id, status, refunded_amount, failed_attempts FROM payments ORDER BY id")
                .fetch_all(&self.reader)
                .await?;
        let digest = states.iter().fold(0i64, |acc, (id, status, refunded, failed)| {
            let line = format!("{id}{status}{refunded}{failed}");
            line.bytes()
                .fold(acc, |h, b| h.wrapping_mul(31).wrapping_add(i64::from(b)))
        });
        counts.push(("payment_states", digest));
        Ok(counts)
    }

    /// (pool, open connections, idle connections).
    pub fn pool_stats(&self) -> [(&'static str, i64, i64); 2] {
        [
            ("writer", i64::from(self.writer.size()), self.writer.num_idle() as i64),
            ("reader", i64::from(self.reader.size()), self.reader.num_idle() as i64),
        ]
    }

    /// Closes the pools and gives up this process's claims' owner lock.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
        if let Some(conn) = self.owner_lock.lock().await.take() {
            let _ = conn.close().await;
        }
    }
}

/// One writer connection and a pool of readers on the same file.
async fn open_sqlite(url: &str) -> Result<(AnyPool, AnyPool), StoreError> {
    let file = SqliteConnectOptions::from_str(url)?;
    // The writer copies the WAL back into the database (a checkpoint, with two syncs) every
    // WAL_CHECKPOINT_PAGES pages: the commit that crosses the mark waits for it, and so does
    // every request in that batch. SQLite's default of 1000 pages stalls such a commit about
    // 10 ms on this project's benchmark machine; a quarter of that keeps every stall short.
    let writer = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES};"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(any_options(&file.clone().create_if_missing(true))?)
        .await?;
    let reader = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 10000;").await?;
                Ok(())
            })
        })
        .connect_with(any_options(&file.read_only(true))?)
        .await?;
    Ok((writer, reader))
}

/// See `open_sqlite`: measured with `scripts/bench.sh`, p99 of createPayment at half its
/// maximum rate went from about 12 ms (1000 pages) to about 7 ms.
const WAL_CHECKPOINT_PAGES: u32 = 250;

fn any_options(sqlite: &SqliteConnectOptions) -> Result<AnyConnectOptions, StoreError> {
    Ok(AnyConnectOptions::from_str(sqlite.to_url_lossy().as_str())?)
}

/// Takes an advisory lock under a new number on a connection of its own: while the connection
/// lives, other processes see this one as running.
async fn take_owner_lock(url: &str) -> Result<(i32, AnyConnection), StoreError> {
    let mut conn = AnyConnection::connect(url).await?;
    loop {
        let owner = fastrand::i32(1..i32::MAX);
        let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1, $2)")
            .bind(dialect::OWNER_LOCKS)
            .bind(owner)
            .fetch_one(&mut conn)
            .await?;
        if taken {
            return Ok((owner, conn));
        }
    }
}

/// Now, RFC 3339 in UTC: how the store writes a time.
pub(crate) fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// A time as RFC 3339 text (how it is stored, and how the wire types carry it).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("a UTC timestamp always formats")
}

/// A stored time.
pub(crate) fn parse_time(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| StoreError::corrupt("timestamp"))
}

/// Now, unix milliseconds.
pub fn now_ms() -> i64 {
    unix_ms(OffsetDateTime::now_utc())
}

/// A time as unix milliseconds, rounded down (how the store keeps times it compares, such as
/// a payment's `created_ms`).
pub fn unix_ms(at: OffsetDateTime) -> i64 {
    at.unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

/// Unix milliseconds as a time (RFC 3339 text is [`rfc3339`] of it).
pub fn from_unix_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
