//! HTTP routes. [`scope`] is the whole Pay API under `/pay/v1/`: one self-contained
//! `actix_web::Scope` (its `Pay`, its body and query limits, its JSON errors) that a merchant's
//! app mounts beside its own routes. [`operations`] are liveness, readiness and metrics, for
//! the host to mount where it wants. Every error is a JSON `{code, message}`.

mod auth;
mod checkout;
mod currencies;
mod events;
mod health;
mod merchant;
pub mod openapi;
mod providers;
mod responses;
mod sandbox;

use crate::error::PayError;
use crate::pay::Pay;
use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use pay_types::ErrorCode;

/// Request bodies above this many bytes get 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// `GET /healthz`, `GET /readyz` and `GET /metrics`, for the host to mount at its root (as the
/// server does) or under a path of its own: `app.configure(routes::operations(&pay))`.
pub fn operations(pay: &Pay) -> impl FnOnce(&mut web::ServiceConfig) {
    let pay = web::Data::new(pay.clone());
    move |cfg| {
        cfg.service(resource("/healthz").route(web::get().to(health::healthz)))
            .service(
                resource("/readyz")
                    .app_data(pay.clone())
                    .route(web::get().to(health::readyz)),
            )
            .service(resource("/metrics").app_data(pay).route(web::get().to(health::metrics)));
    }
}

/// The Pay API, mounted at `/pay/v1`: the checkout API (CORS for the configured page
/// origins) with its 3-D Secure return, the merchant API and the events API (secret key), the
/// provider events route, the currencies, the OpenAPI document and, in test mode, the sandbox
/// routes (its challenge page, the test hooks). Unknown paths under it answer a JSON 404.
///
/// Convention (checked by a test against the OpenAPI document): every route is registered as
/// `resource("/path").route(web::<method>()…)` inside the `web::scope` of its file.
pub fn scope(pay: &Pay) -> actix_web::Scope {
    let origins = pay.allowed_origins();
    let mut scope = web::scope("/pay/v1")
        .app_data(web::Data::new(pay.clone()))
        .app_data(json_config())
        .app_data(query_config())
        .service(checkout::scope().wrap(cors(origins)))
        .service(currencies::scope().wrap(cors(origins)))
        .service(currencies::site_scope().wrap(cors(origins)))
        .service(merchant::scope())
        .service(events::scope())
        .service(events::webhooks_scope())
        .service(providers::scope())
        .service(resource("/openapi.json").route(web::get().to(openapi::document)));
    if pay.test_mode() {
        scope = scope.service(sandbox::test_scope()).service(sandbox::challenge_scope());
    }
    scope.default_service(web::route().to(not_found))
}

/// A page shown in the popup's frame (the 3-D Secure return, the sandbox's challenge): its own
/// strict policy, and framing allowed to the page origins the SDK runs on.
pub(crate) fn framed_page(pay: &Pay, html: String) -> HttpResponse {
    let mut ancestors = String::from("'self'");
    for origin in pay.allowed_origins() {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors {ancestors}"),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// CORS for the routes a page calls: only the configured origins, GET and POST, JSON bodies.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_header(actix_web::http::header::CONTENT_TYPE)
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(BODY_LIMIT).error_handler(|err, _req| {
        let error = match &err {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => PayError::rejected(
                ErrorCode::PayloadTooLarge,
                format!("request body is larger than {BODY_LIMIT} bytes"),
            ),
            JsonPayloadError::ContentType => {
                PayError::rejected(ErrorCode::UnsupportedMediaType, "Content-Type must be application/json")
            }
            JsonPayloadError::Deserialize(e) => PayError::invalid_json(e),
            other => PayError::invalid_json(other),
        };
        error.into()
    })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = match &err {
            QueryPayloadError::Deserialize(e) => crate::error::without_values(&e.to_string()),
            other => other.to_string(),
        };
        PayError::rejected(ErrorCode::InvalidQuery, message).into()
    })
}

pub async fn not_found() -> Result<HttpResponse, PayError> {
    Err(PayError::rejected(ErrorCode::NotFound, "no such route"))
}

/// 405 in JSON, with the `Allow` header RFC 9110 asks for: the route's methods, as the OpenAPI
/// document lists them (a test holds the document to the registered routes).
pub(crate) async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let allow = req
        .match_pattern()
        .map_or_else(String::new, |route| openapi::methods_of(&route).join(", "));
    let mut response =
        PayError::rejected(ErrorCode::MethodNotAllowed, "method not allowed on this route").error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// A resource whose unmatched methods answer 405 in JSON.
pub(crate) fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::route().to(method_not_allowed))
}
