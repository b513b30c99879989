//! The merchant API on events (secret key): catch up after a cursor, redeliver, delivery logs.

use super::auth::Merchant;
use super::resource;
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
#[utoipa::path(get, path = "/pay/v1/events", tag = "events", security(("secret_key" = [])),
    params(("after" = Option<i64>, Query, description = "cursor"), ("limit" = Option<u32>, Query, description = "1..=500, default 100")),
    responses((status = 200, body = EventPage), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
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
#[utoipa::path(post, path = "/pay/v1/events/{event_id}/redeliver", tag = "events", security(("secret_key" = [])),
    params(("event_id" = String, Path, description = "eventId"), ("target" = Option<String>, Query, description = "one target")),
    responses((status = 202, body = Redelivered), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
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
#[utoipa::path(get, path = "/pay/v1/webhooks/{name}/deliveries", tag = "events", security(("secret_key" = [])),
    params(("name" = String, Path, description = "endpoint name")),
    responses((status = 200, body = Deliveries), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
async fn deliveries(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    name: web::Path<String>,
) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.deliveries(&name).await?))
}
