//! Fresh databases for the tests that run on both SQLite and PostgreSQL.
//!
//! PostgreSQL is used when `PAY_TEST_POSTGRES_URL` names a server on which the tests may create
//! databases (`scripts/postgres.sh start` starts one and prints its URL; `scripts/test.sh` does
//! both). Without it those tests skip their PostgreSQL half, unless `PAY_REQUIRE_POSTGRES=1`
//! (as in CI), which makes its absence a failure.

#![allow(dead_code)]

use sqlx::{Connection, Executor};

/// A new SQLite database file in `dir`.
pub fn fresh_sqlite(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("pay.db").display())
}

/// A new, empty PostgreSQL database; `None` when no server is configured.
pub async fn fresh_postgres() -> Option<String> {
    let Ok(admin) = std::env::var("PAY_TEST_POSTGRES_URL") else {
        if std::env::var("PAY_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("PAY_REQUIRE_POSTGRES=1 but PAY_TEST_POSTGRES_URL is not set");
        }
        eprintln!("PAY_TEST_POSTGRES_URL is not set: skipping the PostgreSQL half of this test");
        return None;
    };
    let name = format!("pay_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PAY_TEST_POSTGRES_URL={admin}: {e}"));
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let (base, _) = admin.rsplit_once('/').expect("a URL ending in /database");
    Some(format!("{base}/{name}"))
}
