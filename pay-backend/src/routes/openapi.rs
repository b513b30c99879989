//! The OpenAPI 3 document of every HTTP route, generated from the handlers' annotations and the
//! wire types, served at `/pay/v1/openapi.json`.

use super::{checkout, currencies, events, health, merchant, sandbox};
use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Pay", description = "Self-hosted payments: the checkout API the SDK calls, the merchant API (secret key), events and webhooks."),
    paths(
        checkout::view, checkout::attempt, checkout::result,
        merchant::create, merchant::list, merchant::get, merchant::events, merchant::refund, merchant::mark_paid,
        events::list, events::redeliver, events::deliveries,
        sandbox::settle, sandbox::chargeback,
        currencies::all, currencies::rate, currencies::convert, currencies::site, currencies::set_site,
        health::healthz, health::readyz, health::metrics, document,
    ),
    modifiers(&SecretKey),
    tags(
        (name = "checkout", description = "Public, called by the SDK. Never accepts an amount, price, currency or item."),
        (name = "merchant", description = "Authorization: Bearer <secret key>."),
        (name = "events", description = "Outbox events and their deliveries (secret key)."),
        (name = "sandbox", description = "Test mode only."),
        (name = "currencies", description = "Currencies, conversion rates and the site's display currencies."),
        (name = "operations", description = "Health, readiness, metrics, this document."),
    )
)]
pub struct ApiDoc;

struct SecretKey;

impl Modify for SecretKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "secret_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/pay/v1/openapi.json", tag = "operations", operation_id = "getOpenApiDocument",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
pub(super) async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
