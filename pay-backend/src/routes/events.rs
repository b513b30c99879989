//! The merchant API on events (secret key): catch up after a cursor, redeliver, delivery logs.

use super::auth::Merchant;
use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use crate::store::{DeliveryCounts, DeliveryLogEntry};
use actix_web::{web, HttpResponse};
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::ApiError;
use pay_types::PaymentUpdateEvent;
use serde::{Deserialize, Serialize};

/// A page of events and the cursor to continue from.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub data: Vec<PaymentUpdateEvent>,
    pub next_cursor: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Redelivered {
    /// Deliveries queued again.
    pub queued: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Deliveries {
    pub counts: DeliveryCounts,
    pub log: Vec<DeliveryLogEntry>,
}

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
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(PayError::rejected(
            pay_types::ErrorCode::InvalidQuery,
            "limit: 1 to 500",
        ));
    }
    let rows = pay.store().events_after(query.after.unwrap_or(0).max(0), limit).await?;
    let next = rows.last().map(|(position, _)| *position).or(query.after);
    let data = rows
        .into_iter()
        .map(|(_, payload)| serde_json::from_str(&payload))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(EventPage {
        data,
        next_cursor: next,
    }))
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
    printable(&event_id, "event")?;
    if let Some(target) = &query.target {
        printable(target, "target")?;
    }
    let queued = pay.store().redeliver(&event_id, query.target.as_deref()).await?;
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
    printable(&name, "webhook")?;
    let target = format!("webhook:{name}");
    let counts = pay.store().delivery_counts(&target).await?;
    let log = pay.store().delivery_log(&target, 100).await?;
    Ok(HttpResponse::Ok().json(Deliveries { counts, log }))
}

/// Names and ids are printable text: one with control characters names nothing (and
/// PostgreSQL cannot even compare text holding a NUL).
fn printable(raw: &str, what: &str) -> Result<(), PayError> {
    match raw.chars().any(char::is_control) {
        true => Err(PayError::rejected(
            pay_types::ErrorCode::NotFound,
            format!("no such {what}"),
        )),
        false => Ok(()),
    }
}
