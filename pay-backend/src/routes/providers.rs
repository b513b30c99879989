//! Provider events in: `POST /pay/v1/providers/{provider}/events`. Public (the provider calls
//! it); what makes an event count is its signature, checked by the provider's connector.

use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpRequest, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::ApiError;
use pay_types::ErrorCode;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/providers").service(resource("/{provider}/events").route(web::post().to(receive)))
}

/// What Pay did with an event.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EventReceipt {
    pub received: bool,
    /// `applied`; `stale` (it no longer fits the payment: nothing changed); `duplicate` (its id
    /// was applied before); `ignored` (a type Pay does not act on).
    #[schema(pattern = "^(applied|stale|duplicate|ignored)$")]
    pub effect: &'static str,
}

/// An event from the payment provider, signed by it (the sandbox: Standard Webhooks headers).
/// Each event id is applied once; an event that no longer fits changes nothing and is still
/// answered 200, so the provider stops sending it.
#[utoipa::path(post, path = "/pay/v1/providers/{provider}/events", tag = "providers", operation_id = "receiveProviderEvent",
    params(("provider" = String, Path, description = "the provider's name, e.g. sandbox")),
    request_body(content = String, content_type = "application/json", description = "the provider's event, as it signed it"),
    responses((status = 200, body = EventReceipt, description = "received"),
              (status = 400, body = ApiError, description = "invalid_signature: the signature does not verify, or the event cannot be read"),
              (status = 404, body = ApiError, description = "not_found: not the configured provider"),
              (status = 413, response = inline(PayloadTooLarge))))]
async fn receive(
    req: HttpRequest,
    pay: web::Data<Pay>,
    provider: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PayError> {
    let too_large = || {
        PayError::rejected(
            ErrorCode::PayloadTooLarge,
            format!("request body is larger than {} bytes", super::BODY_LIMIT),
        )
    };
    let body = match payload.to_bytes_limited(super::BODY_LIMIT).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Err(PayError::rejected(ErrorCode::InvalidJson, format!("request body: {e}"))),
        Err(_) => return Err(too_large()),
    };
    let effect = pay.receive_provider_event(&provider, req.headers(), &body).await?;
    Ok(HttpResponse::Ok().json(EventReceipt {
        received: true,
        effect: effect.as_str(),
    }))
}
