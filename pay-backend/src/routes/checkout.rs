//! The checkout API the SDK calls. Public: no secret, and no amount, price or item accepted.
//! Also the 3-D Secure return: the page the provider sends the challenge's frame back to.

use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpRequest, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, AttemptRequest, AttemptResult, CheckoutView};
use std::collections::BTreeMap;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/checkout")
        // Before `/{id}`, which would take it for a payment id.
        .service(resource("/return.js").route(web::get().to(return_script)))
        .service(resource("/{id}").route(web::get().to(view)))
        .service(resource("/{id}/attempts").route(web::post().to(attempt)))
        .service(resource("/{id}/result").route(web::get().to(result)))
        .service(resource("/{id}/attempts/{attempt_id}/return").route(web::get().to(challenge_return)))
        .service(resource("/{id}/attempts/{attempt_id}/abandon").route(web::post().to(abandon)))
        .service(resource("/{id}/attempts/{attempt_id}/complete").route(web::post().to(complete)))
}

/// An empty JSON object: the abandon and complete requests have nothing to say.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

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
        (status = 422, body = ApiError, description = "a field breaks its rule: invalid_attempt_id, missing_card, invalid_card_number, invalid_expiry, invalid_cvc, invalid_email, invalid_phone, invalid_name, invalid_country, offline_not_enabled; card_data_not_accepted (a card number where the provider's own fields collect the card); invalid_payment_method"),
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

/// Where the provider sends the challenge's frame back: completes the attempt with the provider
/// and answers a small page whose script tells the popup (a `postMessage` of
/// `{type: "pay:challenge-returned", paymentId, attemptId}`; it carries no outcome, the popup
/// asks for the result).
#[utoipa::path(get, path = "/pay/v1/checkout/{id}/attempts/{attempt_id}/return", tag = "checkout", operation_id = "returnFromChallenge",
    params(("id" = String, Path, description = "payment id"), ("attempt_id" = String, Path, description = "attempt id")),
    responses((status = 200, description = "a page that tells the popup the buyer is back", content_type = "text/html"),
              (status = 404, body = ApiError, description = "payment_not_found, not_found: no such attempt")))]
#[tracing::instrument(skip_all, fields(payment_id = %path.0))]
async fn challenge_return(
    pay: web::Data<Pay>,
    path: web::Path<(String, String)>,
    query: web::Query<BTreeMap<String, String>>,
) -> Result<HttpResponse, PayError> {
    let (id, attempt_id) = path.into_inner();
    let result = pay.challenge_returned(&id, &attempt_id, &query).await?;
    let message = if result.processing {
        "Your card provider is still confirming the payment."
    } else {
        "Thank you. You can go back to the payment."
    };
    let page = format!(
        "<!doctype html>\n<html lang=\"en\" data-payment-id=\"{}\" data-attempt-id=\"{}\">\n<head><meta charset=\"utf-8\">\
         <title>Card authentication</title><script src=\"/pay/v1/checkout/return.js\" defer></script></head>\n\
         <body><p>{message}</p></body>\n</html>\n",
        html_escape::encode_double_quoted_attribute(&id),
        html_escape::encode_double_quoted_attribute(&attempt_id)
    );
    Ok(super::framed_page(&pay, page))
}

/// The return page's script.
#[utoipa::path(get, path = "/pay/v1/checkout/return.js", tag = "checkout", operation_id = "getChallengeReturnScript",
    responses((status = 200, description = "the return page's script", content_type = "text/javascript")))]
async fn return_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(include_str!("return.js"))
}

/// The buyer leaves the challenge (the popup's Cancel): the attempt fails with
/// `authentication_failed`, unless the provider says the buyer had finished.
#[utoipa::path(post, path = "/pay/v1/checkout/{id}/attempts/{attempt_id}/abandon", tag = "checkout", operation_id = "abandonChallenge",
    params(("id" = String, Path, description = "payment id"), ("attempt_id" = String, Path, description = "attempt id")),
    request_body = Empty,
    responses((status = 200, body = AttemptResult, description = "the attempt's outcome"),
              (status = 400, response = inline(InvalidJson)),
              (status = 413, response = inline(PayloadTooLarge)),
              (status = 415, response = inline(UnsupportedMediaType)),
              (status = 404, body = ApiError, description = "payment_not_found, not_found: no such attempt")))]
async fn abandon(
    pay: web::Data<Pay>,
    path: web::Path<(String, String)>,
    _body: web::Json<Empty>,
) -> Result<HttpResponse, PayError> {
    let (id, attempt_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(pay.abandon_challenge(&id, &attempt_id).await?))
}

/// The provider's browser library is done with the challenge (Stripe.js `handleNextAction`
/// resolved): Pay asks the provider for the attempt's outcome. Still `processing` while the
/// provider is not final; the browser's word is never the outcome.
#[utoipa::path(post, path = "/pay/v1/checkout/{id}/attempts/{attempt_id}/complete", tag = "checkout", operation_id = "completeChallenge",
    params(("id" = String, Path, description = "payment id"), ("attempt_id" = String, Path, description = "attempt id")),
    request_body = Empty,
    responses((status = 200, body = AttemptResult, description = "the attempt's outcome, or still processing"),
              (status = 400, response = inline(InvalidJson)),
              (status = 413, response = inline(PayloadTooLarge)),
              (status = 415, response = inline(UnsupportedMediaType)),
              (status = 404, body = ApiError, description = "payment_not_found, not_found: no such attempt")))]
#[tracing::instrument(skip_all, fields(payment_id = %path.0))]
async fn complete(
    pay: web::Data<Pay>,
    path: web::Path<(String, String)>,
    _body: web::Json<Empty>,
) -> Result<HttpResponse, PayError> {
    let (id, attempt_id) = path.into_inner();
    Ok(HttpResponse::Ok().json(pay.complete_challenge(&id, &attempt_id).await?))
}
