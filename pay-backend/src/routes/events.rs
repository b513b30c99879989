//! The merchant API on events (secret key): catch up after a cursor, redeliver, delivery logs.

use super::auth::Merchant;
use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

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
    let rows = pay
        .store()
        .events_after(query.after.unwrap_or(0).max(0), limit)
        .await?;
    let next = rows.last().map(|(position, _)| *position).or(query.after);
    let data = rows
        .into_iter()
        .map(|(_, payload)| serde_json::from_str::<Value>(&payload))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(json!({ "data": data, "nextCursor": next })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedeliverQuery {
    target: Option<String>,
}

async fn redeliver(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    event_id: web::Path<String>,
    query: web::Query<RedeliverQuery>,
) -> Result<HttpResponse, PayError> {
    let queued = pay
        .store()
        .redeliver(&event_id, query.target.as_deref())
        .await?;
    Ok(HttpResponse::Accepted().json(json!({ "queued": queued })))
}

async fn deliveries(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    name: web::Path<String>,
) -> Result<HttpResponse, PayError> {
    let target = format!("webhook:{name}");
    let counts = pay.store().delivery_counts(&target).await?;
    let log = pay.store().delivery_log(&target, 100).await?;
    Ok(HttpResponse::Ok().json(json!({ "counts": counts, "log": log })))
}
