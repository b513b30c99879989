//! The OpenAPI 3 document of every HTTP route, generated from the handlers' annotations and the
//! wire types, served at `/pay/v1/openapi.json`.

use super::{checkout, currencies, events, health, merchant, providers, sandbox};
use actix_web::HttpResponse;
use std::collections::HashMap;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Pay", description = "Self-hosted payments: the checkout API the SDK calls, the merchant API (secret key), events and webhooks."),
    paths(
        checkout::view, checkout::attempt, checkout::result, checkout::challenge_return, checkout::return_script,
        checkout::abandon, checkout::complete, providers::receive,
        merchant::create, merchant::list, merchant::export, merchant::get, merchant::events, merchant::refund, merchant::mark_paid,
        events::list, events::redeliver, events::deliveries,
        sandbox::settle, sandbox::chargeback, sandbox::charges, sandbox::challenge_page, sandbox::answer_challenge,
        sandbox::challenge_style,
        currencies::all, currencies::rate, currencies::convert, currencies::site, currencies::set_site,
        health::healthz, health::readyz, health::metrics, document,
    ),
    modifiers(&SecretKey),
    tags(
        (name = "checkout", description = "Public, called by the SDK. Never accepts an amount, price, currency or item."),
        (name = "merchant", description = "Authorization: Bearer <secret key>."),
        (name = "events", description = "Outbox events and their deliveries (secret key)."),
        (name = "providers", description = "Events the payment provider sends, signed by it."),
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

/// The methods the document lists for `route` (an actix-web pattern such as
/// `/pay/v1/payments/{id}`), in a fixed order; none for a route it does not know.
pub(crate) fn methods_of(route: &str) -> Vec<&'static str> {
    static ROUTES: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .into_iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ];
                let methods = methods.into_iter().filter(|(_, has)| *has).map(|(m, _)| m).collect();
                (path, methods)
            })
            .collect()
    });
    routes.get(route).cloned().unwrap_or_default()
}

/// This document.
#[utoipa::path(get, path = "/pay/v1/openapi.json", tag = "operations", operation_id = "getOpenApiDocument",
    responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
pub(super) async fn document() -> HttpResponse {
    HttpResponse::Ok().json(document_json())
}

/// The document as JSON. utoipa 5.5 writes a link's `operationId` as `operation_id`, which
/// OpenAPI tools do not read; the links are mended here.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    let responses = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut());
    for responses in responses {
        let links = responses
            .values_mut()
            .filter_map(|response| response.get_mut("links")?.as_object_mut());
        for links in links {
            for link in links.values_mut().filter_map(|link| link.as_object_mut()) {
                if let Some(id) = link.remove("operation_id") {
                    link.insert("operationId".into(), id);
                }
            }
        }
    }
    doc
}
