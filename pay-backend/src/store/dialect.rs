//! What differs between SQLite and PostgreSQL. Every query is written once, with `$n`
//! parameters (both accept them); the few clauses that differ come from here.

use sqlx::migrate::Migrator;

/// Namespace of the advisory locks that mark a running process (PostgreSQL).
pub(super) const OWNER_LOCKS: i32 = 7171;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// One process, one file; writes are serialized by a single connection.
    Sqlite,
    /// Many processes; rows are locked by the transactions that change them.
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub(super) fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE,
            Self::Postgres => &POSTGRES,
        }
    }

    /// Appended to a read of rows the transaction goes on to change. SQLite needs none: its
    /// one writer connection runs one transaction at a time.
    pub(super) fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// Appended to the read of due deliveries: rows another process is claiming are skipped.
    pub(super) fn skip_locked(self, table: &str) -> String {
        match self {
            Self::Sqlite => String::new(),
            Self::Postgres => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
        }
    }

    /// A condition true when the process that wrote `column` is still running. With SQLite
    /// only this process runs; on PostgreSQL a running process holds its advisory lock.
    pub(super) fn owner_alive(self, column: &str, me: i32) -> String {
        match self {
            Self::Sqlite => format!("{column} = {me}"),
            Self::Postgres => format!(
                "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = {OWNER_LOCKS} \
                 AND l.objsubid = 2 AND l.granted AND l.objid::bigint = {column} \
                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
            ),
        }
    }

    /// `rows` groups of `columns` parameters for a multi-row `VALUES`. SQLite gets anonymous
    /// `?`s: it looks a numbered parameter's name up by a linear scan, which for a statement of
    /// a thousand parameters is a measurable part of a batch.
    pub(super) fn values(self, rows: usize, columns: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 5);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                match self {
                    Self::Sqlite => sql.push('?'),
                    Self::Postgres => sql.push_str(&format!("${}", row * columns + column + 1)),
                }
            }
            sql.push(')');
        }
        sql
    }

    /// A column's collation for comparing text by its bytes (SQLite's own; PostgreSQL's
    /// default follows the locale).
    pub(super) fn byte_order(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " COLLATE \"C\"",
        }
    }

    /// The column that orders payments by creation.
    pub(super) fn payment_order(self) -> &'static str {
        match self {
            Self::Sqlite => "rowid",
            Self::Postgres => "seq",
        }
    }

    /// The buyer's email in lower case (ASCII letters only, on both databases): the expression
    /// of the index `payments_email` (migration 0008), written exactly as there so the query
    /// reads that index.
    pub(super) fn buyer_email(self) -> &'static str {
        match self {
            Self::Sqlite => "lower(json_extract(coalesce(buyer_info, user_info), '$.email'))",
            Self::Postgres => "lower((coalesce(buyer_info, user_info)::jsonb ->> 'email') COLLATE \"C\")",
        }
    }

    /// `condition`, with the planner told it keeps few rows: SQLite guesses that a one-sided
    /// range keeps a quarter of the table and would rather scan it newest first than read the
    /// range's index (`unlikely` changes only that guess). PostgreSQL plans from its statistics.
    pub(super) fn rare(self, condition: &str) -> String {
        match self {
            Self::Sqlite => format!("unlikely({condition})"),
            Self::Postgres => condition.to_owned(),
        }
    }

    /// Events after a feed position, oldest first: `(position, payload)`. On PostgreSQL an
    /// event is shown only once no transaction that began before it is still open, so a
    /// reader that moved past a position never misses an event committed later below it.
    pub(super) fn events_after(self) -> &'static str {
        match self {
            Self::Sqlite => "SELECT rowid, payload FROM payment_events WHERE rowid > $1 ORDER BY rowid LIMIT $2",
            Self::Postgres => {
                "SELECT seq, payload FROM payment_events \
                 WHERE tx < pg_snapshot_xmin(pg_current_snapshot()) \
                   AND ($1 = 0 OR (tx, seq) > (SELECT tx, seq FROM payment_events WHERE seq = $1)) \
                 ORDER BY tx, seq LIMIT $2"
            }
        }
    }
}
