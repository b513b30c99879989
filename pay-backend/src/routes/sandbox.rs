//! Test mode only: settle a pending payment (or an announced chargeback) at once, or raise a
//! chargeback on a paid payment.

use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::ApiError;
use pay_types::TransactionStatus;

/// The payment's status after the change.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    pub status: TransactionStatus,
}

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/test")
        .service(resource("/payments/{id}/settle").route(web::post().to(settle)))
        .service(resource("/payments/{id}/chargeback").route(web::post().to(chargeback)))
}

/// Test mode: applies the payment's announced change (pending settlement, chargeback) now.
#[utoipa::path(post, path = "/pay/v1/test/payments/{id}/settle", tag = "sandbox", operation_id = "settleTestPayment",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = StatusResponse, description = "the payment's status after the change"), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: the payment has no pending change")))]
async fn settle(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let status = pay.settle_now(&id).await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status }))
}

/// Test mode: raises a chargeback on a paid payment.
#[utoipa::path(post, path = "/pay/v1/test/payments/{id}/chargeback", tag = "sandbox", operation_id = "raiseTestChargeback",
    params(("id" = String, Path, description = "payment id")),
    responses((status = 200, body = StatusResponse, description = "the payment, now Chargeback"), (status = 404, response = inline(PaymentNotFound)),
              (status = 409, body = ApiError, description = "illegal_transition: only a Successful or PartiallyRefunded payment can be disputed")))]
async fn chargeback(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let row = pay.chargeback(&id).await?;
    Ok(HttpResponse::Ok().json(StatusResponse { status: row.status }))
}
