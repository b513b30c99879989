//! The merchant API on payments (secret key): create, get, list, events, refunds, mark paid.

use super::auth::Merchant;
use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::{IdempotencyKey, ListFilter, ListPage, Pay};
use actix_web::{web, HttpRequest, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, Payment, PaymentDetails, PaymentEvents, PaymentPage, Refund};
use pay_types::{PaymentInfo, RefundRequest, RefundState};
use serde::Deserialize;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/payments")
        .service(resource("").route(web::post().to(create)).route(web::get().to(list)))
        // Before `/{id}`, which would take `export` for an id.
        .service(resource("/export").route(web::get().to(export)))
        .service(resource("/{id}").route(web::get().to(get)))
        .service(resource("/{id}/events").route(web::get().to(events)))
        .service(resource("/{id}/refunds").route(web::post().to(refund)))
        .service(resource("/{id}/mark-paid").route(web::post().to(mark_paid)))
}

/// Creates a payment (`createPayment`). With `Idempotency-Key`, the same key and body return
/// the first payment (200, `Idempotent-Replayed: true`).
#[utoipa::path(post, path = "/pay/v1/payments", tag = "merchant", operation_id = "createPayment", security(("secret_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
            description = "1..=255 visible ASCII characters; the same key and body return the first payment")),
    request_body = PaymentInfo,
    responses(
        (status = 201, body = Payment, description = "the payment, stored", links(
            ("GetPayment" = (operation_id = "getPayment", parameters(("id" = "$response.body#/id")))),
            ("ListPaymentEvents" = (operation_id = "listPaymentEvents", parameters(("id" = "$response.body#/id")))),
            ("RefundPayment" = (operation_id = "refundPayment", parameters(("id" = "$response.body#/id")))),
            ("MarkPaymentPaid" = (operation_id = "markPaymentPaid", parameters(("id" = "$response.body#/id")))),
            ("GetCheckout" = (operation_id = "getCheckout", parameters(("id" = "$response.body#/id")))),
            ("SubmitAttempt" = (operation_id = "submitAttempt", parameters(("id" = "$response.body#/id")))),
            ("GetCheckoutResult" = (operation_id = "getCheckoutResult", parameters(("id" = "$response.body#/id")))),
            ("SettleTestPayment" = (operation_id = "settleTestPayment", parameters(("id" = "$response.body#/id")))),
            ("RaiseTestChargeback" = (operation_id = "raiseTestChargeback", parameters(("id" = "$response.body#/id"))))
        )),
        (status = 200, body = Payment, description = "idempotent replay: the payment first created with this key and body (header Idempotent-Replayed: true)"),
        (status = 400, body = ApiError, description = "invalid_json: malformed JSON, a wrong type or an unknown field; invalid_idempotency_key"),
        (status = 401, response = inline(Unauthorized)),
        (status = 409, body = ApiError, description = "idempotency_conflict: the key was used with another body"),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 422, body = ApiError, description = "an input rule: invalid_items, invalid_item_name, invalid_price, invalid_quantity, invalid_amount, amount_mismatch (amount must equal the sum of price × quantity), unknown_currency, too_many_decimals, invalid_email, invalid_phone, invalid_name, invalid_country")))]
async fn create(
    req: HttpRequest,
    _merchant: Merchant,
    pay: web::Data<Pay>,
    body: web::Json<PaymentInfo>,
) -> Result<HttpResponse, PayError> {
    let idempotency = req.headers().get("Idempotency-Key");
    match idempotency {
        None => Ok(HttpResponse::Created().json(pay.create_payment(body.into_inner()).await?)),
        Some(value) => {
            let key = IdempotencyKey::parse(value.to_str().unwrap_or(""))?;
            let (payment, replayed) = pay.create_payment_once(&key, body.into_inner()).await?;
            if replayed {
                Ok(HttpResponse::Ok()
                    .insert_header(("Idempotent-Replayed", "true"))
                    .json(payment))
            } else {
                Ok(HttpResponse::Created().json(payment))
            }
        }
    }
}

/// A payment with its status and attempts.
#[utoipa::path(get, path = "/pay/v1/payments/{id}", tag = "merchant", operation_id = "getPayment", security(("secret_key" = [])),
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = PaymentDetails, description = "the payment with its status and attempts"), (status = 401, response = inline(Unauthorized)), (status = 404, response = inline(PaymentNotFound))))]
async fn get(_merchant: Merchant, pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.payment_details(&id).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListQuery {
    limit: Option<u32>,
    starting_after: Option<String>,
    ending_before: Option<String>,
    status: Option<String>,
    q: Option<String>,
    email: Option<String>,
    currency: Option<String>,
    amount_min: Option<String>,
    amount_max: Option<String>,
    created_from: Option<String>,
    created_to: Option<String>,
}

/// Payments, newest first, a page after or before a payment's key; `status` keeps those in
/// one of its statuses, `q` those whose id or transaction id starts with it, `email` those of
/// that buyer, `currency` those in it and `amountMin`/`amountMax` those in that range of
/// amounts, `createdFrom`/`createdTo` those created in that span of time.
#[utoipa::path(get, path = "/pay/v1/payments", tag = "merchant", operation_id = "listPayments", security(("secret_key" = [])),
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1..=100, default 20"),
           ("startingAfter" = Option<String>, Query, pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", description = "id of the last payment of the previous page: the next page, older payments; not with endingBefore"),
           ("endingBefore" = Option<String>, Query, pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", description = "id of the first payment of the next page: the previous page, newer payments (still newest first); not with startingAfter"),
           ("status" = Option<String>, Query, pattern = "^(Successful|Pending|Failed|Chargeback|Refunded|Offline|PartiallyRefunded|Cancelled|Undefined)(,(Successful|Pending|Failed|Chargeback|Refunded|Offline|PartiallyRefunded|Cancelled|Undefined))*$", description = "one or more transaction statuses, comma-separated (Successful,PartiallyRefunded): payments in any of them"),
           ("q" = Option<String>, Query, min_length = 8, max_length = 100, pattern = "^[A-Za-z0-9_-]{8,100}$", description = "a payment id or transaction id, whole or its first 8 characters or more: the payments whose id or transaction id starts with it"),
           ("email" = Option<String>, Query, max_length = 254, pattern = r#"^[^@\s<>",;\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>",;.\x00-\x1f\x7f-\x9f]{1,63}(\.[^@\s<>",;.\x00-\x1f\x7f-\x9f]{1,63})+$"#, description = "the buyer's e-mail address, exactly but for the case of ASCII letters (A-Z = a-z): the email of the contact details entered at the last attempt, else of those given at creation (the events' userInfo)"),
           ("currency" = Option<pay_types::Currency>, Query, description = "an ISO 4217 code: the payments in that currency; needed with amountMin or amountMax"),
           ("amountMin" = Option<String>, Query, pattern = "^[0-9]{1,13}([.][0-9]{1,4})?$", description = "decimal text (10, 9.99), with currency and no more decimals than it has (USD 2, JPY 0, KWD 3; trailing zeros aside): the payments of this amount or more"),
           ("amountMax" = Option<String>, Query, pattern = "^[0-9]{1,13}([.][0-9]{1,4})?$", description = "decimal text (10, 9.99), with currency and no more decimals than it has (USD 2, JPY 0, KWD 3; trailing zeros aside): the payments of this amount or less"),
           ("createdFrom" = Option<String>, Query, format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,3}0*)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$", description = "an RFC 3339 instant in any offset, in whole milliseconds (2026-01-31T00:00:00+01:00): the payments created at or after it (inclusive)"),
           ("createdTo" = Option<String>, Query, format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,3}0*)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$", description = "an RFC 3339 instant in any offset, in whole milliseconds (2026-02-01T00:00:00+01:00): the payments created before it (exclusive)")),
    responses((status = 200, body = PaymentPage, description = "payments, newest first; hasMore: the page is full, so there may be more the way it was read (older after startingAfter or on the first page, newer before endingBefore)"),
              (status = 400, body = ApiError, description = "invalid_query: limit out of range, startingAfter or endingBefore not a payment id, both of them, status not a list of statuses, q shorter than 8 characters or not of an id's characters, email not an e-mail address, currency not an ISO 4217 code, amountMin or amountMax not decimal text, without currency or with more decimals than it has, createdFrom or createdTo not an RFC 3339 instant in whole milliseconds, an unknown parameter"),
              (status = 401, response = inline(Unauthorized))))]
async fn list(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PayError> {
    let limit = query.limit.unwrap_or(20);
    let keys = ListPage {
        starting_after: query.starting_after.as_deref(),
        ending_before: query.ending_before.as_deref(),
    };
    let page = pay.payment_page(limit, &keys, &query.filter()).await?;
    Ok(HttpResponse::Ok().json(page))
}

impl ListQuery {
    fn filter(&self) -> ListFilter<'_> {
        ListFilter {
            status: self.status.as_deref(),
            q: self.q.as_deref(),
            email: self.email.as_deref(),
            currency: self.currency.as_deref(),
            amount_min: self.amount_min.as_deref(),
            amount_max: self.amount_max.as_deref(),
            created_from: self.created_from.as_deref(),
            created_to: self.created_to.as_deref(),
        }
    }
}

/// Every payment the list's filters keep, as CSV (RFC 4180, a header row, one row a payment,
/// newest first; amounts as decimal text, times in UTC RFC 3339), streamed: for an accountant,
/// or the dashboard's "Export CSV". A cell that a spreadsheet would read as a formula starts
/// with `'`.
#[utoipa::path(get, path = "/pay/v1/payments/export", tag = "merchant", operation_id = "exportPayments", security(("secret_key" = [])),
    params(("status" = Option<String>, Query, pattern = "^(Successful|Pending|Failed|Chargeback|Refunded|Offline|PartiallyRefunded|Cancelled|Undefined)(,(Successful|Pending|Failed|Chargeback|Refunded|Offline|PartiallyRefunded|Cancelled|Undefined))*$", description = "as listPayments"),
           ("q" = Option<String>, Query, min_length = 8, max_length = 100, pattern = "^[A-Za-z0-9_-]{8,100}$", description = "as listPayments"),
           ("email" = Option<String>, Query, max_length = 254, pattern = r#"^[^@\s<>",;\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>",;.\x00-\x1f\x7f-\x9f]{1,63}(\.[^@\s<>",;.\x00-\x1f\x7f-\x9f]{1,63})+$"#, description = "as listPayments"),
           ("currency" = Option<pay_types::Currency>, Query, description = "as listPayments"),
           ("amountMin" = Option<String>, Query, pattern = "^[0-9]{1,13}([.][0-9]{1,4})?$", description = "as listPayments"),
           ("amountMax" = Option<String>, Query, pattern = "^[0-9]{1,13}([.][0-9]{1,4})?$", description = "as listPayments"),
           ("createdFrom" = Option<String>, Query, format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,3}0*)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$", description = "as listPayments"),
           ("createdTo" = Option<String>, Query, format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,3}0*)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$", description = "as listPayments")),
    responses((status = 200, content_type = "text/csv", body = String, description = "id, created_at, updated_at, status, amount, currency, refunded_amount, transaction_id, buyer_first_name, buyer_last_name, buyer_email, buyer_country, expires_at"),
              (status = 400, body = ApiError, description = "invalid_query: a filter as listPayments refuses it, or limit, startingAfter or endingBefore (the export has no pages), or an unknown parameter"),
              (status = 401, response = inline(Unauthorized))))]
async fn export(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PayError> {
    let paged = [
        ("limit", query.limit.is_some()),
        ("startingAfter", query.starting_after.is_some()),
        ("endingBefore", query.ending_before.is_some()),
    ];
    if let Some((name, _)) = paged.iter().find(|(_, given)| *given) {
        return Err(PayError::rejected(
            pay_types::ErrorCode::InvalidQuery,
            format!("{name}: the export has no pages: it holds every payment the filters keep"),
        ));
    }
    let body = pay.export_payments(&query.filter())?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"payments.csv\""))
        .streaming(body))
}

/// A payment's events in `sequence` order.
#[utoipa::path(get, path = "/pay/v1/payments/{id}/events", tag = "merchant", operation_id = "listPaymentEvents", security(("secret_key" = [])),
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = PaymentEvents, description = "the payment's events in sequence order"), (status = 401, response = inline(Unauthorized)), (status = 404, response = inline(PaymentNotFound))))]
async fn events(_merchant: Merchant, pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let data = pay.payment_events(&id).await?;
    Ok(HttpResponse::Ok().json(PaymentEvents { data }))
}

/// Refunds part (`amount`) or all that is left (`{}`).
#[utoipa::path(post, path = "/pay/v1/payments/{id}/refunds", tag = "merchant", operation_id = "refundPayment", security(("secret_key" = [])),
    params(("id" = String, Path, description = "payment id")),
    request_body = RefundRequest,
    responses((status = 201, body = Refund, description = "the provider refunded it: recorded with its status change and event (state succeeded)"),
              (status = 202, body = Refund, description = "the provider confirms later (state pending): the status change and event come then"),
              (status = 400, response = inline(InvalidJson)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
              (status = 401, response = inline(Unauthorized)), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: the payment is not Successful or PartiallyRefunded; refund_exceeds_amount: more than is left to refund (refunds still at the provider count); refund_refused: the provider refused it (the message says why), nothing changed"),
              (status = 422, body = ApiError, description = "invalid_amount: not greater than 0; too_many_decimals: more decimals than the currency has")))]
async fn refund(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    id: web::Path<String>,
    body: web::Json<RefundRequest>,
) -> Result<HttpResponse, PayError> {
    // The body is required (`{}` refunds all that is left): a malformed partial refund must
    // fail, never turn into a full one.
    let amount = body.into_inner().amount;
    let refund = pay.refund(&id, amount).await?;
    Ok(match refund.state {
        RefundState::Succeeded => HttpResponse::Created().json(refund),
        RefundState::Pending => HttpResponse::Accepted().json(refund),
    })
}

/// Marks an `Offline` payment paid: it becomes `Successful`.
#[utoipa::path(post, path = "/pay/v1/payments/{id}/mark-paid", tag = "merchant", operation_id = "markPaymentPaid", security(("secret_key" = [])),
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = PaymentDetails, description = "the payment, now Successful"), (status = 401, response = inline(Unauthorized)), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: the payment is not Offline")))]
async fn mark_paid(_merchant: Merchant, pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let row = pay.mark_paid(&id).await?;
    Ok(HttpResponse::Ok().json(pay.details_of(row).await?))
}
