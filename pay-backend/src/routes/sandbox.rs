//! Test mode only: the sandbox provider's 3-D Secure challenge page, and the test hooks that
//! make the sandbox send a payment's waiting events now (a pending charge settling, a dispute,
//! a pending refund) or show its books. None of these routes exists outside test mode.

use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::ApiError;
use pay_types::{ErrorCode, TransactionStatus};
use serde::{Deserialize, Serialize};

/// The payment's status after the change.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    pub status: TransactionStatus,
}

/// One charge in the sandbox's books.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxChargeView {
    /// The attempt key: `{paymentId}:{attemptId}`.
    pub key: String,
    pub transaction_id: String,
    pub amount: String,
    /// successful | pending | failed | challenge
    pub outcome: String,
    /// The buyer's answer to a challenge: complete | fail.
    pub answer: Option<String>,
    /// What the card does (e.g. `settles_failed`), never its number.
    pub card: String,
}

/// The test hooks, under `/test`.
pub(super) fn test_scope() -> actix_web::Scope {
    web::scope("/test")
        .service(resource("/payments/{id}/settle").route(web::post().to(settle)))
        .service(resource("/payments/{id}/chargeback").route(web::post().to(chargeback)))
        .service(resource("/payments/{id}/charges").route(web::get().to(charges)))
}

/// The sandbox's challenge page, under `/sandbox`.
pub(super) fn challenge_scope() -> actix_web::Scope {
    web::scope("/sandbox")
        .service(
            resource("/challenges/{id}/{attempt_id}")
                .route(web::get().to(challenge_page))
                .route(web::post().to(answer_challenge)),
        )
        .service(resource("/challenge.css").route(web::get().to(challenge_style)))
}

/// Test mode: the sandbox sends the payment's waiting events now (a pending charge settling,
/// a dispute, a pending refund), through the provider events path.
#[utoipa::path(post, path = "/pay/v1/test/payments/{id}/settle", tag = "sandbox", operation_id = "settleTestPayment",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = StatusResponse, description = "the payment's status after the events"), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: the sandbox has no waiting event for this payment")))]
async fn settle(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let status = pay.settle_now(&id).await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status }))
}

/// Test mode: the sandbox opens a dispute on the payment's charge now.
#[utoipa::path(post, path = "/pay/v1/test/payments/{id}/chargeback", tag = "sandbox", operation_id = "raiseTestChargeback",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = StatusResponse, description = "the payment, now Chargeback"), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: only a charged Successful or PartiallyRefunded payment can be disputed")))]
async fn chargeback(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let status = pay.chargeback(&id).await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status }))
}

/// Test mode: what the sandbox's own books say it charged for a payment (the crash test holds
/// Pay's records to them).
#[utoipa::path(get, path = "/pay/v1/test/payments/{id}/charges", tag = "sandbox", operation_id = "listSandboxCharges",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = Vec<SandboxChargeView>, description = "the sandbox's charges for the payment, oldest first"),
              (status = 404, response = inline(PaymentNotFound))))]
async fn charges(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let row = pay.payment(&id).await?;
    let sandbox = pay
        .sandbox()
        .ok_or_else(|| PayError::rejected(ErrorCode::NotFound, "no such route"))?;
    let charges: Vec<SandboxChargeView> = sandbox
        .charges_of(row.payment.id.as_str())
        .await?
        .into_iter()
        .map(|c| SandboxChargeView {
            key: c.key,
            transaction_id: c.transaction_id,
            amount: c.amount,
            outcome: c.outcome,
            answer: c.answer,
            card: c.card,
        })
        .collect();
    Ok(HttpResponse::Ok().json(charges))
}

/// The buyer's answer on the challenge page.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeAnswer {
    /// complete | fail
    #[schema(pattern = "^(complete|fail)$")]
    pub answer: String,
}

/// Test mode: the sandbox's 3-D Secure challenge, shown in the popup's frame.
#[utoipa::path(get, path = "/pay/v1/sandbox/challenges/{id}/{attempt_id}", tag = "sandbox", operation_id = "getSandboxChallenge",
    params(("id" = String, Path, description = "payment id"), ("attempt_id" = String, Path, description = "attempt id")),
    responses((status = 200, description = "the challenge page", content_type = "text/html")))]
async fn challenge_page(pay: web::Data<Pay>, path: web::Path<(String, String)>) -> HttpResponse {
    let (id, attempt_id) = path.into_inner();
    let action = html_escape::encode_double_quoted_attribute(&format!("/pay/v1/sandbox/challenges/{id}/{attempt_id}"))
        .into_owned();
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width\"><title>Sandbox card authentication</title>\
         <link rel=\"stylesheet\" href=\"/pay/v1/sandbox/challenge.css\"></head>\n<body>\n<main>\n\
         <h1>Sandbox card authentication</h1>\n<p>This page stands in for the card issuer's 3-D Secure \
         check. No real bank is asked.</p>\n<form method=\"post\" action=\"{action}\">\n\
         <button type=\"submit\" name=\"answer\" value=\"complete\">Complete authentication</button>\n\
         <button type=\"submit\" name=\"answer\" value=\"fail\">Fail authentication</button>\n</form>\n</main>\n\
         </body>\n</html>\n"
    );
    super::framed_page(&pay, page)
}

/// Test mode: the buyer answers the sandbox's challenge; the frame goes on to Pay's return page.
#[utoipa::path(post, path = "/pay/v1/sandbox/challenges/{id}/{attempt_id}", tag = "sandbox", operation_id = "answerSandboxChallenge",
    params(("id" = String, Path, description = "payment id"), ("attempt_id" = String, Path, description = "attempt id")),
    request_body(content = ChallengeAnswer, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "to the return page, /pay/v1/checkout/{id}/attempts/{attempt_id}/return"),
              (status = 400, body = ApiError, description = "invalid_query: the answer is neither complete nor fail"),
              (status = 404, body = ApiError, description = "not_found: no such challenge")))]
async fn answer_challenge(
    pay: web::Data<Pay>,
    path: web::Path<(String, String)>,
    form: Result<web::Form<ChallengeAnswer>, actix_web::Error>,
) -> Result<HttpResponse, PayError> {
    let (id, attempt_id) = path.into_inner();
    let complete = match form.as_ref().map(|f| f.answer.as_str()) {
        Ok("complete") => true,
        Ok("fail") => false,
        _ => {
            return Err(PayError::rejected(
                ErrorCode::InvalidQuery,
                "answer: complete or fail (a form field)",
            ))
        }
    };
    let key = pay.sandbox_answer(&id, &attempt_id, complete).await?;
    let back = format!(
        "/pay/v1/checkout/{}/attempts/{}/return",
        key.payment_id,
        key.attempt_id.as_str()
    );
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .finish())
}

/// The challenge page's style.
#[utoipa::path(get, path = "/pay/v1/sandbox/challenge.css", tag = "sandbox", operation_id = "getSandboxChallengeStyle",
    responses((status = 200, description = "the challenge page's style", content_type = "text/css")))]
async fn challenge_style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(include_str!("challenge.css"))
}
