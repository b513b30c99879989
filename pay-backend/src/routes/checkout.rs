//! The checkout API the SDK calls. Public: no secret, and no amount, price or item accepted.

use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpRequest, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, AttemptRequest, AttemptResult, CheckoutView};

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/checkout")
        .service(resource("/{id}").route(web::get().to(view)))
        .service(resource("/{id}/attempts").route(web::post().to(attempt)))
        .service(resource("/{id}/result").route(web::get().to(result)))
}

/// The checkout view of a payment, for the popup.
#[utoipa::path(get, path = "/pay/v1/checkout/{id}", tag = "checkout", operation_id = "getCheckout",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = CheckoutView, description = "what the popup shows"), (status = 404, response = inline(PaymentNotFound))))]
async fn view(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.checkout_view(&id).await?))
}

/// Submits a payment attempt. Declines are answers (200, status `Failed`), not errors.
#[utoipa::path(post, path = "/pay/v1/checkout/{id}/attempts", tag = "checkout", operation_id = "submitAttempt",
    params(("id" = String, Path, description = "payment id")),
    request_body = AttemptRequest,
    responses(
        (status = 200, body = AttemptResult, description = "the attempt's outcome (a decline is an answer: status Failed), or the first answer to a replayed attemptId"),
        (status = 400, response = inline(InvalidJson)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
        (status = 404, response = inline(PaymentNotFound)),
        (status = 409, body = ApiError, description = "payment_not_payable, attempt_in_progress, attempt_conflict"),
        (status = 422, body = ApiError, description = "a field breaks its rule: invalid_attempt_id, missing_card, invalid_card_number, invalid_expiry, invalid_cvc, invalid_email, invalid_phone, invalid_name, invalid_country, offline_not_enabled"),
        (status = 429, body = ApiError, description = "too_many_attempts (this payment), rate_limited (this address; Retry-After)")))]
#[tracing::instrument(skip_all, fields(payment_id = %id))]
async fn attempt(
    req: HttpRequest,
    pay: web::Data<Pay>,
    id: web::Path<String>,
    body: web::Json<AttemptRequest>,
) -> Result<HttpResponse, PayError> {
    pay.check_attempt_rate(req.peer_addr().map(|a| a.ip()))?;
    Ok(HttpResponse::Ok().json(pay.submit_attempt(&id, body.into_inner()).await?))
}

/// The latest result of a payment.
#[utoipa::path(get, path = "/pay/v1/checkout/{id}/result", tag = "checkout", operation_id = "getCheckoutResult",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = AttemptResult, description = "the payment's latest result"), (status = 404, response = inline(PaymentNotFound))))]
async fn result(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.latest_result(&id).await?))
}
