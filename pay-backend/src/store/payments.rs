//! Payments: insert (with an idempotency key), read, list.

use super::{from_unix_ms, now_rfc3339, parse_time, rfc3339, unix_ms, Dialect, Store, StoreError};
use pay_types::{
    Amount, Currency, DeclineCode, NewPayment, Payment, PaymentId, TransactionStatus, UserInfo, ValidItem,
};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, FromRow, Row, Transaction};
use time::OffsetDateTime;

/// A payment with its current state.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub payment: Payment,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    pub decline: Option<DeclineCode>,
    pub last_attempt_id: Option<String>,
    /// Contact details entered in the popup at the last attempt.
    pub buyer_info: Option<UserInfo>,
    pub failed_attempts: u32,
    pub processing_attempt: Option<String>,
    pub event_sequence: u64,
    /// Sum of the refunds so far.
    pub refunded_amount: Amount,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// `payment.expires_at` as unix milliseconds, which the claim rules compare.
    pub expires_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct RawPayment {
    id: String,
    amount: String,
    currency: String,
    items: String,
    user_info: Option<String>,
    status: String,
    transaction_id: Option<String>,
    decline_code: Option<String>,
    last_attempt_id: Option<String>,
    buyer_info: Option<String>,
    failed_attempts: i64,
    processing_attempt: Option<String>,
    event_sequence: i64,
    refunded_amount: String,
    created_at: String,
    updated_at: String,
    expires_ms: Option<i64>,
}

pub(super) const PAYMENT_COLUMNS: &str =
    "id, amount, currency, items, user_info, status, transaction_id, decline_code, \
     last_attempt_id, buyer_info, failed_attempts, processing_attempt, \
     event_sequence, refunded_amount, created_at, updated_at, expires_ms";

fn corrupt(what: &str) -> StoreError {
    StoreError::corrupt(format_args!("payment {what}"))
}

impl TryFrom<RawPayment> for PaymentRow {
    type Error = StoreError;

    fn try_from(r: RawPayment) -> Result<Self, StoreError> {
        let status = |s: &str| TransactionStatus::parse(s).ok_or_else(|| corrupt("status"));
        let items: Vec<ValidItem> = serde_json::from_str(&r.items)?;
        let user_info: Option<UserInfo> = r.user_info.as_deref().map(serde_json::from_str).transpose()?;
        let buyer_info: Option<UserInfo> = r.buyer_info.as_deref().map(serde_json::from_str).transpose()?;
        Ok(PaymentRow {
            payment: Payment {
                id: PaymentId::parse(&r.id).map_err(|_| corrupt("id"))?,
                amount: Amount::parse_str(&r.amount).map_err(|_| corrupt("amount"))?,
                currency: Currency::parse(&r.currency).map_err(|_| corrupt("currency"))?,
                items,
                user_info,
                expires_at: r.expires_ms.map(|ms| rfc3339(from_unix_ms(ms))),
            },
            status: status(&r.status)?,
            transaction_id: r.transaction_id,
            decline: r.decline_code.as_deref().and_then(DeclineCode::parse),
            last_attempt_id: r.last_attempt_id,
            buyer_info,
            failed_attempts: u32::try_from(r.failed_attempts).unwrap_or(u32::MAX),
            processing_attempt: r.processing_attempt,
            event_sequence: u64::try_from(r.event_sequence).unwrap_or(0),
            refunded_amount: Amount::parse_str(&r.refunded_amount).map_err(|_| corrupt("refunded amount"))?,
            created_at: parse_time(&r.created_at)?,
            updated_at: parse_time(&r.updated_at)?,
            expires_ms: r.expires_ms,
        })
    }
}

impl Store {
    /// Stores a new payment. With an idempotency key, the first request's payment is returned
    /// for the same key and body (`replayed = true`); another body is a conflict. Concurrent
    /// calls share one transaction and one disk sync (group commit); each returns only once its
    /// payment is committed.
    pub async fn insert_payment(
        &self,
        new: &NewPayment,
        idempotency: Option<(&str, &str)>,
    ) -> Result<(Payment, bool), StoreError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = super::group_commit::inserts::Job {
            new: new.clone(),
            idempotency: idempotency.map(|(k, h)| (k.to_owned(), h.to_owned())),
            reply,
        };
        self.inserts
            .send(job)
            .await
            .map_err(|_| StoreError::Writer("the payment writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Writer("the payment writer has stopped".into()))?
    }

    /// The payment an idempotency key already names, for the same body (`hash`); another body
    /// is a conflict, an unknown key `None`.
    pub async fn keyed_payment(&self, key: &str, hash: &str) -> Result<Option<Payment>, StoreError> {
        let existing: Option<(String, String)> =
            sqlx::query_as("SELECT request_hash, payment_id FROM idempotency_keys WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.reader)
                .await?;
        let Some((stored_hash, payment_id)) = existing else {
            return Ok(None);
        };
        if stored_hash != hash {
            return Err(StoreError::IdempotencyConflict);
        }
        let id = PaymentId::parse(&payment_id).map_err(|_| corrupt("idempotency key"))?;
        let row = self.payment(&id).await?.ok_or_else(|| corrupt("idempotency key"))?;
        Ok(Some(row.payment))
    }

    pub async fn payment(&self, id: &PaymentId) -> Result<Option<PaymentRow>, StoreError> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1");
        let raw: Option<RawPayment> = sqlx::query_as(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await?;
        raw.map(PaymentRow::try_from).transpose()
    }

    /// At most `limit` payments `filter` keeps, newest first, on the page `page`.
    pub async fn list_payments(
        &self,
        limit: u32,
        page: Page<'_>,
        filter: &PaymentFilter,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        let (sql, values) = self.list_statement(filter, page.is_before());
        let query = sqlx::query(&sql).bind(page.key()).bind(i64::from(limit));
        let rows = bind_all(query, values).fetch_all(&self.reader).await?;
        let mut payments = rows
            .iter()
            .map(|row| PaymentRow::try_from(RawPayment::from_row(row)?))
            .collect::<Result<Vec<_>, StoreError>>()?;
        if page.is_before() {
            payments.reverse();
        }
        Ok(payments)
    }

    /// The statement [`Store::list_payments`] runs for a first page or a page after a key:
    /// `$1` the page's key, `$2` the limit, then the filter's values.
    pub fn list_sql(&self, filter: &PaymentFilter) -> String {
        self.list_statement(filter, false).0
    }

    /// [`Store::list_sql`] with the filter's values, in the order of their marks;
    /// `before`: the page before the key, read oldest first (and turned round by the caller).
    fn list_statement(&self, filter: &PaymentFilter, before: bool) -> (String, Vec<Bound>) {
        let order = self.dialect.payment_order();
        let mut values = Vec::new();
        let mut mark = |value: Bound| {
            values.push(value);
            format!("${}", values.len() + 2)
        };
        let mut conditions = String::new();
        if !filter.statuses.is_empty() {
            let marks: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| mark(Bound::Text(s.as_str().to_owned())))
                .collect();
            conditions += &format!(" AND status IN ({})", marks.join(", "));
        }
        if let Some(prefix) = &filter.id_prefix {
            // A range of the byte order, so each side is read from its index (PostgreSQL's
            // columns compare by the database's collation otherwise).
            let c = self.dialect.byte_order();
            let (low, high) = (mark(Bound::Text(prefix.clone())), mark(Bound::Text(prefix_end(prefix))));
            conditions += &format!(
                " AND ((id{c} >= {low} AND id{c} < {high}) \
                 OR (transaction_id{c} >= {low} AND transaction_id{c} < {high}))"
            );
        }
        if let Some(email) = &filter.email {
            let email = mark(Bound::Text(email.to_ascii_lowercase()));
            conditions += &format!(" AND {} = {email}", self.dialect.buyer_email());
        }
        if let Some(currency) = filter.currency {
            conditions += &format!(" AND currency = {}", mark(Bound::Text(currency.code().to_owned())));
        }
        if let Some(min) = filter.amount_min {
            conditions += &format!(" AND amount_e4 >= {}", mark(Bound::Integer(min)));
        }
        if let Some(max) = filter.amount_max {
            conditions += &format!(" AND amount_e4 <= {}", mark(Bound::Integer(max)));
        }
        if let Some(from) = filter.created_from {
            let from = format!("created_ms >= {}", mark(Bound::Integer(unix_ms(from))));
            conditions += &format!(" AND {}", self.dialect.rare(&from));
        }
        if let Some(to) = filter.created_to {
            let to = format!("created_ms < {}", mark(Bound::Integer(unix_ms(to))));
            conditions += &format!(" AND {}", self.dialect.rare(&to));
        }
        let (side, direction) = if before { (">", "ASC") } else { ("<", "DESC") };
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments \
             WHERE ($1 IS NULL OR {order} {side} (SELECT {order} FROM payments WHERE id = $1)){conditions} \
             ORDER BY {order} {direction} LIMIT $2"
        );
        (sql, values)
    }
}

/// Which page of a list: payments are listed newest first (creation order; it is unique, so
/// the order is stable), and a page is found by the key of a payment next to it, never by an
/// offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page<'a> {
    /// The newest payments.
    Newest,
    /// The payments after (older than) this one: the next page.
    After(&'a PaymentId),
    /// The payments before (newer than) this one: the previous page.
    Before(&'a PaymentId),
}

impl<'a> Page<'a> {
    fn key(self) -> Option<&'a str> {
        match self {
            Self::Newest => None,
            Self::After(id) | Self::Before(id) => Some(id.as_str()),
        }
    }

    fn is_before(self) -> bool {
        matches!(self, Self::Before(_))
    }
}

/// What a list keeps: every field set narrows it (each is answered by an index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// Payments in one of these statuses (index `payments_status`); empty: any status.
    pub statuses: Vec<TransactionStatus>,
    /// Payments whose id or transaction id starts with this ASCII text (the primary key and
    /// index `payments_transaction`); callers hold it to 8 characters or more.
    pub id_prefix: Option<String>,
    /// Payments whose buyer's email is this one, ASCII letters in either case (index
    /// `payments_email`): the email of the contact details entered at the last attempt, else
    /// of those given at creation, as the payment's events carry them.
    pub email: Option<String>,
    /// Payments in this currency (index `payments_amount`, with the amounts).
    pub currency: Option<Currency>,
    /// Payments of this amount or more, in [`amount_e4`] units; callers give it with a
    /// currency, as amounts compare only within one.
    pub amount_min: Option<i64>,
    /// Payments of this amount or less, in [`amount_e4`] units.
    pub amount_max: Option<i64>,
    /// Payments created at this time or later (index `payments_created`). Times compare in
    /// whole milliseconds (the column `created_ms`), so callers give whole milliseconds.
    pub created_from: Option<OffsetDateTime>,
    /// Payments created before this time (exclusive), in whole milliseconds too.
    pub created_to: Option<OffsetDateTime>,
}

/// A value a list's statement binds.
enum Bound {
    Text(String),
    Integer(i64),
}

fn bind_all<'q>(mut query: Query<'q, Any, AnyArguments<'q>>, values: Vec<Bound>) -> Query<'q, Any, AnyArguments<'q>> {
    for value in values {
        query = match value {
            Bound::Text(text) => query.bind(text),
            Bound::Integer(integer) => query.bind(integer),
        };
    }
    query
}

/// An amount as the column `amount_e4` holds it: a whole number of ten-thousandths, exact for
/// every currency (ISO 4217's most minor units are 4, CLF and UYW), so amounts of one currency
/// compare as integers, read from an index. `None` for an amount finer than that.
pub fn amount_e4(amount: Amount) -> Option<i64> {
    let mut value = amount.value().normalize();
    if value.scale() > AMOUNT_SCALE {
        return None;
    }
    value.rescale(AMOUNT_SCALE);
    i64::try_from(value.mantissa()).ok()
}

/// The decimals of `amount_e4`.
const AMOUNT_SCALE: u32 = 4;

/// The first text after every text starting with `prefix` (ASCII): its last character one up.
fn prefix_end(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last += 1;
    }
    String::from_utf8(bytes).expect("an ASCII prefix stays ASCII")
}

impl Store {
    /// The database's plan for [`Store::list_payments`] with `filter` (SQLite `EXPLAIN
    /// QUERY PLAN`, PostgreSQL `EXPLAIN` with sequential scans discouraged, as a table of a
    /// few test rows would otherwise be scanned): one line a step. Tests hold each filter to
    /// its index with it.
    pub async fn list_plan(&self, filter: &PaymentFilter) -> Result<String, StoreError> {
        let mut tx = self.reader.begin().await?;
        let explain = match self.dialect {
            Dialect::Sqlite => "EXPLAIN QUERY PLAN",
            Dialect::Postgres => {
                sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
                "EXPLAIN"
            }
        };
        let (sql, values) = self.list_statement(filter, false);
        let sql = format!("{explain} {sql}");
        let query = sqlx::query(&sql).bind(None::<String>).bind(20_i64);
        let rows = bind_all(query, values).fetch_all(&mut *tx).await?;
        tx.rollback().await?;
        let lines: Result<Vec<String>, sqlx::Error> =
            rows.iter().map(|row| row.try_get::<String, _>(row.len() - 1)).collect();
        Ok(lines?.join("\n"))
    }
}

/// Reads a payment inside a write transaction; `lock` is [`super::Dialect::for_update`] when
/// the transaction goes on to change it.
pub(super) async fn fetch_payment(
    conn: &mut AnyConnection,
    id: &str,
    lock: &str,
) -> Result<Option<PaymentRow>, StoreError> {
    let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1{lock}");
    let raw: Option<RawPayment> = sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?;
    raw.map(PaymentRow::try_from).transpose()
}

/// Inserts one new payment and its idempotency key inside `tx`, or finds the payment the key
/// already names. `None`: another process stored the same key meanwhile; roll back what this
/// call wrote and call again to find that payment.
pub(super) async fn insert_keyed(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    new: &NewPayment,
    (key, hash): (&str, &str),
) -> Result<Option<(Payment, bool)>, StoreError> {
    {
        let existing: Option<(String, String)> =
            sqlx::query_as("SELECT request_hash, payment_id FROM idempotency_keys WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((stored_hash, payment_id)) = existing {
            if stored_hash != hash {
                return Err(StoreError::IdempotencyConflict);
            }
            let row = fetch_payment(tx, &payment_id, "")
                .await?
                .ok_or_else(|| corrupt("idempotency key"))?;
            return Ok(Some((row.payment, true)));
        }
    }
    let payment = insert_rows(tx, dialect, &[new]).await?.remove(0);
    // On PostgreSQL, a concurrent transaction inserting the same key makes this wait for its
    // end; when it commits, nothing is inserted here.
    let stored = sqlx::query(
        "INSERT INTO idempotency_keys (key, request_hash, payment_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(hash)
    .bind(payment.id.as_str())
    .bind(now_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok((stored.rows_affected() == 1).then_some((payment, false)))
}

/// Inserts new payments with one statement (a row each, new random ids): one round trip to
/// the database for a whole batch.
pub(super) async fn insert_rows(
    conn: &mut AnyConnection,
    dialect: Dialect,
    news: &[&NewPayment],
) -> Result<Vec<Payment>, StoreError> {
    let at = OffsetDateTime::now_utc();
    let (now, now_ms) = (rfc3339(at), unix_ms(at));
    let mut sql = String::from(
        "INSERT INTO payments (id, amount, amount_e4, currency, items, user_info, status, created_at, created_ms, \
         updated_at, expires_ms) VALUES ",
    );
    let mut payments = Vec::with_capacity(news.len());
    let mut rows = Vec::with_capacity(news.len());
    for new in news {
        let id = PaymentId::parse(&uuid::Uuid::new_v4().hyphenated().to_string()).map_err(|_| corrupt("new id"))?;
        let items = serde_json::to_string(&new.items)?;
        let user_info = new.user_info.as_ref().map(serde_json::to_string).transpose()?;
        rows.push((id.as_str().to_owned(), new.amount.to_string(), items, user_info));
        payments.push(Payment {
            id,
            amount: new.amount,
            currency: new.currency,
            items: new.items.clone(),
            user_info: new.user_info.clone(),
            expires_at: new.expires_at.map(|at| rfc3339(from_unix_ms(unix_ms(at)))),
        });
    }
    sql.push_str(&dialect.values(news.len(), 11));
    let mut query = sqlx::query(&sql);
    for ((id, amount, items, user_info), new) in rows.into_iter().zip(news) {
        query = query
            .bind(id)
            .bind(amount)
            .bind(amount_e4(new.amount).ok_or_else(|| corrupt("amount"))?)
            .bind(new.currency.code())
            .bind(items)
            .bind(user_info)
            .bind(TransactionStatus::Undefined.as_str())
            .bind(now.clone())
            .bind(now_ms)
            .bind(now.clone())
            .bind(new.expires_at.map(unix_ms));
    }
    query.execute(conn).await?;
    Ok(payments)
}
