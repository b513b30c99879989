//! The merchant API on events (secret key): catch up after a cursor, redeliver, delivery logs.

use super::auth::Merchant;
use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use pay_types::Redelivered;
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, Deliveries, EventPage};
use serde::Deserialize;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/events")
        .service(resource("").route(web::get().to(list)))
        .service(resource("/{event_id}/redeliver").route(web::post().to(redeliver)))
}

pub(super) fn webhooks_scope() -> actix_web::Scope {
    web::scope("/webhooks").service(resource("/{name}/deliveries").route(web::get().to(deliveries)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

/// Events in the order they were recorded, from after `after` (the `nextCursor` of the
/// previous page; start without it).
#[utoipa::path(get, path = "/pay/v1/events", tag = "events", operation_id = "listEvents", security(("secret_key" = [])),
    params(("after" = Option<i64>, Query, description = "the nextCursor of the previous page (none, or 0, to start)"),
           ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "1..=500, default 100")),
    responses((status = 200, body = EventPage, description = "events in the order they were recorded"),
              (status = 400, body = ApiError, description = "invalid_query: limit out of range, a parameter that is not a number, an unknown parameter"),
              (status = 401, response = inline(Unauthorized))))]
async fn list(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PayError> {
    let page = pay.events_after(query.after, query.limit.unwrap_or(100)).await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedeliverQuery {
    target: Option<String>,
}

/// Queues an event again for every target, or only `target` (e.g. `webhook:orders`).
#[utoipa::path(post, path = "/pay/v1/events/{event_id}/redeliver", tag = "events", operation_id = "redeliverEvent", security(("secret_key" = [])),
    params(("event_id" = String, Path, description = "eventId"),
           ("target" = Option<String>, Query, description = "one target, e.g. webhook:orders (default: every target)")),
    responses((status = 202, body = Redelivered, description = "the event's deliveries, queued again"),
              (status = 400, body = ApiError, description = "invalid_query: an unknown parameter"),
              (status = 401, response = inline(Unauthorized)),
              (status = 404, body = ApiError, description = "not_found: no deliveries for this event (and target)")))]
async fn redeliver(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    event_id: web::Path<String>,
    query: web::Query<RedeliverQuery>,
) -> Result<HttpResponse, PayError> {
    let queued = pay.redeliver(&event_id, query.target.as_deref()).await?;
    Ok(HttpResponse::Accepted().json(Redelivered { queued }))
}

/// An endpoint's delivery counts and its last 100 tries.
#[utoipa::path(get, path = "/pay/v1/webhooks/{name}/deliveries", tag = "events", operation_id = "listWebhookDeliveries", security(("secret_key" = [])),
    params(("name" = String, Path, description = "endpoint name")),
    responses((status = 200, body = Deliveries, description = "the endpoint's delivery counts and its last 100 tries (an unknown name has none)"),
              (status = 401, response = inline(Unauthorized)),
              (status = 404, body = ApiError, description = "not_found: a name with control characters")))]
async fn deliveries(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    name: web::Path<String>,
) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.deliveries(&name).await?))
}
