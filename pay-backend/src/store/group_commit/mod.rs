//! Group commit: writes that arrive while a transaction syncs to disk go into the next
//! transaction together, so one disk sync acknowledges many of them, and nobody is answered
//! before the commit that holds their write. Two queues, for two shapes of write:
//!
//! - [`inserts`]: new payments, on both databases. A batch of payments without idempotency
//!   keys is one multi-row `INSERT`; each payment with a key gets a savepoint of its own.
//! - [`steps`]: every other write, on SQLite only (claims, attempt outcomes, refunds, status
//!   changes): each is a closure run in a savepoint of a shared transaction. On PostgreSQL,
//!   where rows are locked and several connections write at once, each such write is a
//!   transaction of its own instead.

pub(super) mod inserts;
pub(super) mod steps;
