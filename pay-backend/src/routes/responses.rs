//! Error responses that many operations of the OpenAPI document share, each with the codes it
//! carries (the doc comment is the response's description).
#![allow(dead_code)] // the structs only describe responses; nothing builds them

use pay_types::ApiError;

/// invalid_json: malformed JSON, a wrong type or an unknown field
#[derive(utoipa::ToResponse)]
pub(super) struct InvalidJson(ApiError);

/// payload_too_large: the body is over 64 KiB
#[derive(utoipa::ToResponse)]
pub(super) struct PayloadTooLarge(ApiError);

/// unsupported_media_type: the body is not application/json
#[derive(utoipa::ToResponse)]
pub(super) struct UnsupportedMediaType(ApiError);

/// unauthorized: missing or wrong secret key
#[derive(utoipa::ToResponse)]
pub(super) struct Unauthorized(ApiError);

/// payment_not_found: no such payment (a malformed id too)
#[derive(utoipa::ToResponse)]
pub(super) struct PaymentNotFound(ApiError);
