//! The demo shop's routes, as the seed tutorial's backend writes them:
//!
//! - `POST /api/create-my-payment`: the page sends a product id and a quantity, the price comes
//!   from the server-side catalog, and the route calls `create_payment`;
//! - the tutorial's step 8: an `on_payment_update` hook (named `demo`) that records every event
//!   it receives (in memory, deduplicated by `eventId`), shown by `GET /api/hook-events`;
//! - the merchant dashboard's routes under `/api/dashboard/`: the page cannot hold the secret
//!   key, so these call the `Pay` Rust API on its behalf. They have no authentication: they
//!   exist only in this example, never in the `pay-backend` server. In test mode they can
//!   also settle a pending payment now and raise a chargeback (the sandbox's test routes).

use actix_web::{web, HttpResponse};
use pay_backend::store::{rfc3339, AttemptRow, PaymentRow};
use pay_backend::{Pay, PayError};
use pay_types::{Amount, ErrorCode, PaymentInfo, PaymentItem, PaymentUpdateEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The catalog: id, name, price in USD cents.
const CATALOG: &[(&str, &str, i64)] = &[("mug", "Pay mug", 1250), ("tee", "Pay T-shirt", 2400)];

/// The most a visitor may order of one product on the demo page.
const MAX_QUANTITY: u32 = 10;

/// How many payments the dashboard shows.
const DASHBOARD_PAYMENTS: u32 = 50;

/// Events received by the demo's hook, in the order they arrived. In memory: after a restart
/// it holds only what was delivered since (the outbox still delivers each event once at
/// least, so nothing is missed, but earlier deliveries are not listed).
#[derive(Clone)]
pub struct HookLog {
    inner: Arc<Mutex<LogInner>>,
    /// Unix milliseconds at which this log started.
    since_ms: u64,
}

impl Default for HookLog {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
            since_ms: now_ms(),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[derive(Default)]
struct LogInner {
    seen: HashSet<String>,
    events: Vec<ReceivedEvent>,
}

/// One event as the demo's hook received it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedEvent {
    pub event_id: String,
    pub payment_id: String,
    pub sequence: u64,
    pub status: String,
    pub transaction_id: Option<String>,
    pub created_at: String,
    /// Unix milliseconds at which the hook ran.
    pub received_at_ms: u64,
}

impl HookLog {
    /// Records `event` once; a redelivery of the same `eventId` is dropped. Returns whether it
    /// was new.
    pub fn record(&self, event: &PaymentUpdateEvent) -> bool {
        let mut log = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if !log.seen.insert(event.event_id.clone()) {
            return false;
        }
        let received_at_ms = now_ms();
        log.events.push(ReceivedEvent {
            event_id: event.event_id.clone(),
            payment_id: event.payment.id.as_str().to_owned(),
            sequence: event.sequence,
            status: event.status.to_string(),
            transaction_id: event.transaction_id.clone(),
            created_at: event.created_at.clone(),
            received_at_ms,
        });
        true
    }

    /// The events received for one payment (every payment with `None`), oldest first.
    pub fn events(&self, payment_id: Option<&str>) -> Vec<ReceivedEvent> {
        let log = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        log.events
            .iter()
            .filter(|e| payment_id.is_none_or(|id| e.payment_id == id))
            .cloned()
            .collect()
    }
}

/// The tutorial's step 8: registers the demo's `onPaymentUpdate` hook (durable name `demo`)
/// and returns the log it writes to. A real shop would fulfil the order here.
pub async fn register_hook(pay: &Pay) -> Result<web::Data<HookLog>, PayError> {
    let log = HookLog::default();
    let sink = log.clone();
    pay.on_payment_update_named("demo", move |event: PaymentUpdateEvent| {
        let sink = sink.clone();
        async move {
            if sink.record(&event) {
                tracing::info!(
                    payment_id = %event.payment.id.as_str(),
                    status = %event.status,
                    sequence = event.sequence,
                    "demo hook: payment update"
                );
            }
            Ok(())
        }
    })
    .await?;
    Ok(web::Data::new(log))
}

/// Mounts the demo's routes, which write to `log`. Expects `web::Data<Pay>` in the app data
/// (the Pay server's `Application::serve` puts it there).
pub fn configure(cfg: &mut web::ServiceConfig, log: web::Data<HookLog>) {
    // The shop's own extractor settings: its errors are JSON too, in Pay's `{code, message}`.
    let json = web::JsonConfig::default()
        .error_handler(|err, _| PayError::rejected(ErrorCode::InvalidJson, err.to_string()).into());
    let query = web::QueryConfig::default()
        .error_handler(|err, _| PayError::rejected(ErrorCode::InvalidQuery, err.to_string()).into());
    cfg.app_data(log)
        .app_data(json)
        .app_data(query)
        .service(resource("/api/create-my-payment").route(web::post().to(create_my_payment)))
        .service(resource("/api/hook-events").route(web::get().to(hook_events)))
        .service(resource("/api/dashboard/payments").route(web::get().to(dashboard_payments)))
        .service(resource("/api/dashboard/payments/{id}/refund").route(web::post().to(refund)))
        .service(resource("/api/dashboard/payments/{id}/mark-paid").route(web::post().to(mark_paid)))
        .service(resource("/api/dashboard/payments/{id}/settle").route(web::post().to(settle)))
        .service(resource("/api/dashboard/payments/{id}/chargeback").route(web::post().to(chargeback)));
}

fn resource(path: &str) -> actix_web::Resource {
    web::resource(path)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Order {
    product_id: String,
    #[serde(default = "one")]
    quantity: u32,
}

fn one() -> u32 {
    1
}

async fn create_my_payment(pay: web::Data<Pay>, order: web::Json<Order>) -> Result<HttpResponse, PayError> {
    let Some((_, name, cents)) = CATALOG.iter().find(|(id, ..)| *id == order.product_id) else {
        return Err(PayError::rejected(ErrorCode::NotFound, "no such product"));
    };
    if !(1..=MAX_QUANTITY).contains(&order.quantity) {
        return Err(PayError::rejected(
            ErrorCode::InvalidQuantity,
            format!("quantity: 1 to {MAX_QUANTITY}"),
        ));
    }
    let price = Amount::new(Decimal::new(*cents, 2));
    let quantity = Decimal::from(order.quantity);
    let info = PaymentInfo {
        items: vec![PaymentItem {
            name: (*name).to_owned(),
            price,
            quantity: Some(Amount::new(quantity)),
        }],
        amount: Amount::new(price.value() * quantity),
        currency: Some("USD".into()),
        user_info: None,
    };
    let payment = pay.create_payment(info).await?;
    Ok(HttpResponse::Ok().json(payment))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HookQuery {
    payment_id: Option<String>,
}

/// What the demo's hook received (for one payment with `?paymentId=`).
async fn hook_events(log: web::Data<HookLog>, query: web::Query<HookQuery>) -> Result<HttpResponse, PayError> {
    let events = log.events(query.payment_id.as_deref());
    Ok(HttpResponse::Ok().json(json!({ "data": events })))
}

/// Every recent payment with its attempts, the events recorded for it (the outbox) and
/// whether the demo's hook has received each: one request per dashboard refresh.
async fn dashboard_payments(pay: web::Data<Pay>, log: web::Data<HookLog>) -> Result<HttpResponse, PayError> {
    let rows = pay.list_payments(DASHBOARD_PAYMENTS, None).await?;
    let received = log.events(None);
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        let attempts = pay.attempts(&row.payment.id).await?;
        let events = pay.payment_events(row.payment.id.as_str()).await?;
        data.push(dashboard_entry(row, &attempts, &events, &received));
    }
    Ok(HttpResponse::Ok().json(json!({
        "data": data,
        "hookEventCount": received.len(),
        "testMode": pay.test_mode(),
        "hookLogSinceMs": log.since_ms,
    })))
}

fn dashboard_entry(
    row: PaymentRow,
    attempts: &[AttemptRow],
    events: &[PaymentUpdateEvent],
    received: &[ReceivedEvent],
) -> Value {
    let refundable = Amount::new(row.payment.amount.value() - row.refunded_amount.value());
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let hook = received.iter().find(|r| r.event_id == e.event_id);
            json!({
                "eventId": e.event_id,
                "sequence": e.sequence,
                "status": e.status,
                "createdAt": e.created_at,
                "receivedByHook": hook.is_some(),
                "receivedAtMs": hook.map(|r| r.received_at_ms),
            })
        })
        .collect();
    let attempts: Vec<Value> = attempts
        .iter()
        .map(|a| {
            json!({
                "attemptId": a.attempt_id,
                "method": a.method,
                "status": a.status,
                "declineCode": a.decline,
                "cardBrand": a.card_brand,
                "cardLast4": a.card_last4,
                "createdAt": rfc3339(a.created_at),
            })
        })
        .collect();
    json!({
        "payment": row.payment,
        "status": row.status,
        "transactionId": row.transaction_id,
        "refundedAmount": row.refunded_amount,
        "refundableAmount": refundable,
        "attempts": attempts,
        "events": events,
        "createdAt": rfc3339(row.created_at),
        "updatedAt": rfc3339(row.updated_at),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundRequest {
    amount: Option<Amount>,
}

/// `{}` refunds all that is left, `{"amount": 5.00}` a part (`Pay::refund`).
async fn refund(
    pay: web::Data<Pay>,
    id: web::Path<String>,
    body: web::Json<RefundRequest>,
) -> Result<HttpResponse, PayError> {
    let refund = pay.refund(&id, body.into_inner().amount).await?;
    Ok(HttpResponse::Created().json(refund))
}

/// An `Offline` payment becomes `Successful` (`Pay::mark_paid`).
async fn mark_paid(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let row = pay.mark_paid(&id).await?;
    Ok(HttpResponse::Ok().json(json!({
        "payment": row.payment,
        "status": row.status,
        "transactionId": row.transaction_id,
    })))
}

/// Sandbox only: a pending payment settles now instead of in a few seconds.
async fn settle(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    sandbox_only(&pay)?;
    let status = pay.settle_now(&id).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}

/// Sandbox only: the card holder disputes a paid payment.
async fn chargeback(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    sandbox_only(&pay)?;
    let status = pay.chargeback(&id).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}

fn sandbox_only(pay: &Pay) -> Result<(), PayError> {
    if pay.test_mode() {
        Ok(())
    } else {
        Err(PayError::rejected(ErrorCode::NotFound, "no such route"))
    }
}
