//! Creating, reading and listing payments.

use super::{lookup_id, IdempotencyKey, Pay};
use crate::error::PayError;
use crate::store::{amount_e4, rfc3339, AttemptRow, Page, PaymentFilter, PaymentRow};
use pay_types::{
    Amount, AttemptDetails, Currency, Email, ErrorCode, NewPayment, Payment, PaymentDetails, PaymentId, PaymentInfo,
    PaymentPage, TransactionStatus,
};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

impl Pay {
    /// Validates `info` (SPEC §7) and stores the payment durably. Returns it with a new,
    /// unguessable id.
    pub async fn create_payment(&self, info: PaymentInfo) -> Result<Payment, PayError> {
        let new = info.validate(self.inner.site_currency)?;
        self.provider_takes(&new)?;
        expiry_ahead(&new)?;
        let payment = self.inner.store.insert_payment(&new, None).await?.0;
        self.inner.metrics.payments_created.inc();
        Ok(payment)
    }

    /// Like [`Pay::create_payment`], once per key: the same key and body return the first
    /// payment (`true` = replayed), the same key with another body is `idempotency_conflict`.
    pub async fn create_payment_once(
        &self,
        key: &IdempotencyKey,
        info: PaymentInfo,
    ) -> Result<(Payment, bool), PayError> {
        let new: NewPayment = info.validate(self.inner.site_currency)?;
        self.provider_takes(&new)?;
        let hash = hex::encode(Sha256::digest(serde_json::to_vec(&info).map_err(PayError::internal)?));
        if let Err(late) = expiry_ahead(&new) {
            // A retry of a creation that was answered before its `expiresAt` passed gets that
            // payment again, as any retry does.
            return match self.inner.store.keyed_payment(key.as_str(), &hash).await? {
                Some(payment) => Ok((payment, true)),
                None => Err(late),
            };
        }
        let (payment, replayed) = self
            .inner
            .store
            .insert_payment(&new, Some((key.as_str(), &hash)))
            .await?;
        if !replayed {
            self.inner.metrics.payments_created.inc();
        }
        Ok((payment, replayed))
    }

    /// The provider's own limits on amounts and currencies (Stripe's, for instance): a payment
    /// it could never charge is refused at creation, 422.
    fn provider_takes(&self, new: &NewPayment) -> Result<(), PayError> {
        self.inner
            .provider
            .check_amount(new.amount, new.currency)
            .map_err(|reason| PayError::rejected(ErrorCode::InvalidAmount, format!("amount: {reason}")))
    }

    /// A payment with its current state, by id. Unknown and malformed ids are both not found.
    pub async fn payment(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.inner.store.payment(&lookup_id(id)).await?;
        row.ok_or_else(PayError::payment_not_found)
    }

    /// A payment's attempts, oldest first.
    pub async fn attempts(&self, id: &PaymentId) -> Result<Vec<AttemptRow>, PayError> {
        Ok(self.inner.store.attempts_of(id).await?)
    }

    /// A payment as the merchant API shows it, with its attempts.
    pub async fn payment_details(&self, id: &str) -> Result<PaymentDetails, PayError> {
        let row = self.payment(id).await?;
        self.details_of(row).await
    }

    pub(crate) async fn details_of(&self, row: PaymentRow) -> Result<PaymentDetails, PayError> {
        let attempts = self.attempts(&row.payment.id).await?;
        Ok(details(row, attempts))
    }

    /// Newest first, at most `limit` (1..=100), on the page `page`, kept by `filter`.
    pub async fn list_payments(
        &self,
        limit: u32,
        page: &ListPage<'_>,
        filter: &ListFilter<'_>,
    ) -> Result<Vec<PaymentRow>, PayError> {
        if !(1..=100).contains(&limit) {
            return Err(PayError::rejected(ErrorCode::InvalidQuery, "limit: 1 to 100"));
        }
        let key = |name: &str, id: Option<&str>| {
            id.map(PaymentId::parse)
                .transpose()
                .map_err(|_| invalid_query(name, "not a payment id"))
        };
        let after = key("startingAfter", page.starting_after)?;
        let before = key("endingBefore", page.ending_before)?;
        let page = match (&after, &before) {
            (None, None) => Page::Newest,
            (Some(after), None) => Page::After(after),
            (None, Some(before)) => Page::Before(before),
            (Some(_), Some(_)) => return Err(invalid_query("endingBefore", "not with startingAfter: one page key")),
        };
        let filter = payment_filter(filter)?;
        Ok(self.inner.store.list_payments(limit, page, &filter).await?)
    }

    /// A page of [`Pay::list_payments`] as the merchant API shows it (without attempts).
    /// `hasMore`: the page is full, so there may be more the way it was read (older after
    /// `startingAfter` or on the first page, newer before `endingBefore`).
    pub async fn payment_page(
        &self,
        limit: u32,
        page: &ListPage<'_>,
        filter: &ListFilter<'_>,
    ) -> Result<PaymentPage, PayError> {
        let rows = self.list_payments(limit, page, filter).await?;
        let has_more = rows.len() == limit as usize;
        let data = rows.into_iter().map(|row| details(row, Vec::new())).collect();
        Ok(PaymentPage { data, has_more })
    }
}

/// Which page of the list, by the keys the merchant API names, unparsed; neither: the newest
/// payments. At most one of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListPage<'a> {
    /// The id of the last payment of the previous page: the next (older) page.
    pub starting_after: Option<&'a str>,
    /// The id of the first payment of the next page: the previous (newer) page.
    pub ending_before: Option<&'a str>,
}

/// The list's filters as the merchant API names them, unparsed; `None`: not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter<'a> {
    /// One or more transaction statuses, comma-separated.
    pub status: Option<&'a str>,
    /// A payment id or transaction id, whole or its first 8 characters or more.
    pub q: Option<&'a str>,
    /// The buyer's email address, compared without regard to the case of ASCII letters.
    pub email: Option<&'a str>,
    /// An ISO 4217 code: payments in that currency; needed by the amounts.
    pub currency: Option<&'a str>,
    /// Decimal text: payments of this amount or more.
    pub amount_min: Option<&'a str>,
    /// Decimal text: payments of this amount or less.
    pub amount_max: Option<&'a str>,
    /// An RFC 3339 instant: payments created then or later.
    pub created_from: Option<&'a str>,
    /// An RFC 3339 instant: payments created before it.
    pub created_to: Option<&'a str>,
}

/// The list's filters, read: what is malformed is `invalid_query` naming it.
pub(super) fn payment_filter(filter: &ListFilter<'_>) -> Result<PaymentFilter, PayError> {
    let currency = filter
        .currency
        .map(|code| Currency::parse(code).map_err(|e| invalid_query("currency", &e.message)))
        .transpose()?;
    let amount = |name: &str, text: Option<&str>| text.map(|t| parse_amount(name, t, currency)).transpose();
    Ok(PaymentFilter {
        statuses: filter.status.map(parse_statuses).transpose()?.unwrap_or_default(),
        id_prefix: filter.q.map(parse_id_prefix).transpose()?,
        email: filter.email.map(parse_email).transpose()?,
        currency,
        amount_min: amount("amountMin", filter.amount_min)?,
        amount_max: amount("amountMax", filter.amount_max)?,
        created_from: filter
            .created_from
            .map(|t| parse_instant("createdFrom", t))
            .transpose()?,
        created_to: filter.created_to.map(|t| parse_instant("createdTo", t)).transpose()?,
    })
}

/// `q`: 8 to 100 ASCII letters, digits, `-` or `_` (what payment and transaction ids are made
/// of); anything else is `invalid_query` naming it.
fn parse_id_prefix(q: &str) -> Result<String, PayError> {
    let fits = (8..=100).contains(&q.len()) && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !fits {
        return Err(PayError::rejected(
            ErrorCode::InvalidQuery,
            "q: a payment id or transaction id, or its first 8 characters or more (letters, digits, - or _)",
        ));
    }
    Ok(q.to_owned())
}

/// `email`: an address as `createPayment` takes one, without surrounding spaces; anything else
/// is `invalid_query` naming it.
fn parse_email(email: &str) -> Result<String, PayError> {
    match Email::parse(email) {
        Ok(parsed) if parsed.as_str() == email => Ok(email.to_owned()),
        _ => Err(invalid_query("email", "not an e-mail address")),
    }
}

/// `amountMin`/`amountMax` (`name`): digits, or digits, a point and 1 to 4 digits, at most 13
/// digits before the point, and no more decimals than `currency` has (trailing zeros aside);
/// `currency` is needed, as amounts compare within one currency. Anything else is
/// `invalid_query` naming the parameter.
fn parse_amount(name: &str, text: &str, currency: Option<Currency>) -> Result<i64, PayError> {
    let currency = currency.ok_or_else(|| invalid_query(name, "needs currency, the amounts' ISO 4217 code"))?;
    let digits = |part: &str, most: usize| (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let shaped = match text.split_once('.') {
        Some((whole, decimals)) => digits(whole, 13) && digits(decimals, 4),
        None => digits(text, 13),
    };
    let malformed = || invalid_query(name, "decimal text, e.g. 10 or 9.99");
    if !shaped {
        return Err(malformed());
    }
    let amount = Amount::parse_str(text).map_err(|_| malformed())?;
    let minor = u32::from(currency.minor_units());
    if amount.value().normalize().scale() > minor {
        let allowed = format!("{} allows at most {minor} decimal places", currency.code());
        return Err(invalid_query(name, &allowed));
    }
    // 13 digits and 4 decimals at most: ten-thousandths fit in an i64.
    amount_e4(amount).ok_or_else(malformed)
}

/// `createdFrom`/`createdTo` (`name`): an RFC 3339 instant in any offset, `T` between date and
/// time, in whole milliseconds (decimals past the third are zeros; no leap second), as the
/// store compares creation times in milliseconds. Anything else is `invalid_query` naming it.
fn parse_instant(name: &str, text: &str) -> Result<OffsetDateTime, PayError> {
    let malformed = || {
        invalid_query(
            name,
            "an RFC 3339 instant in whole milliseconds, e.g. 2026-01-31T00:00:00+01:00",
        )
    };
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| malformed())?;
    // The parser takes any separator and ignores decimals past the ninth.
    let separated = matches!(text.as_bytes().get(10), Some(b'T' | b't'));
    let finer = text
        .get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|decimals| {
            decimals
                .bytes()
                .take_while(u8::is_ascii_digit)
                .skip(3)
                .any(|digit| digit != b'0')
        });
    if !separated || finer || at.nanosecond() % 1_000_000 != 0 {
        return Err(malformed());
    }
    Ok(at)
}

/// `invalid_query`, its message starting with the parameter's name.
fn invalid_query(name: &str, why: &str) -> PayError {
    PayError::rejected(ErrorCode::InvalidQuery, format!("{name}: {why}"))
}

/// `Successful,Refunded` → those statuses, each once; an empty or unknown name is
/// `invalid_query` naming the parameter and the name.
fn parse_statuses(list: &str) -> Result<Vec<TransactionStatus>, PayError> {
    let mut statuses = Vec::new();
    for name in list.split(',') {
        let status = TransactionStatus::parse(name).ok_or_else(|| {
            PayError::rejected(
                ErrorCode::InvalidQuery,
                format!("status: {name:?} is not a transaction status"),
            )
        })?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    Ok(statuses)
}

fn details(row: PaymentRow, attempts: Vec<AttemptRow>) -> PaymentDetails {
    PaymentDetails {
        buyer: row.buyer_info.or_else(|| row.payment.user_info.clone()),
        payment: row.payment,
        status: row.status,
        transaction_id: row.transaction_id,
        refunded_amount: row.refunded_amount,
        attempts: attempts.into_iter().map(attempt_details).collect(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

fn attempt_details(a: AttemptRow) -> AttemptDetails {
    AttemptDetails {
        attempt_id: a.attempt_id,
        method: a.method,
        state: a.state,
        status: a.status,
        transaction_id: a.transaction_id,
        decline_code: a.decline,
        card_brand: a.card_brand,
        card_last4: a.card_last4,
        resolved_by: a.resolved_by,
        created_at: rfc3339(a.created_at),
    }
}

/// The longest a payment may stay open: `expiresAt` at most this far ahead.
const MAX_EXPIRY: time::Duration = time::Duration::days(90);

/// `expiresAt` must lie ahead, and not beyond [`MAX_EXPIRY`]: a time in the past (or seconds
/// taken for milliseconds) would make a payment nobody can pay.
fn expiry_ahead(new: &NewPayment) -> Result<(), PayError> {
    let Some(at) = new.expires_at else { return Ok(()) };
    let now = OffsetDateTime::now_utc();
    if at <= now || at > now + MAX_EXPIRY {
        return Err(PayError::rejected(
            ErrorCode::InvalidExpiresAt,
            "expiresAt: must be in the future and at most 90 days ahead",
        ));
    }
    Ok(())
}
