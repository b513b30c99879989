//! The demo shop's routes, as the seed tutorial's backend writes them:
//!
//! - `POST /api/create-my-payment`: the page sends a product id and a quantity, the price comes
//!   from the server-side catalog, and the route calls `create_payment`;
//! - the tutorial's step 8: an `on_payment_update` hook (named `demo`) that records every event
//!   it receives (in memory, deduplicated by `eventId`), shown by `GET /api/hook-events`;
//!
//! The merchant's side is the Pay server's own dashboard at `/dashboard/` (signed in with the
//! secret key, on the merchant API): the shop has no dashboard routes of its own.

use actix_web::{web, HttpResponse};
use pay_backend::{Pay, PayError};
use pay_types::{Amount, ErrorCode, PaymentInfo, PaymentItem, PaymentUpdateEvent};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The catalog: id, name, price in USD cents.
const CATALOG: &[(&str, &str, i64)] = &[("mug", "Pay mug", 1250), ("tee", "Pay T-shirt", 2400)];

/// The most a visitor may order of one product on the demo page.
const MAX_QUANTITY: u32 = 10;

/// Events received by the demo's hook, in the order they arrived. In memory: after a restart
/// it holds only what was delivered since (the outbox still delivers each event once at
/// least, so nothing is missed, but earlier deliveries are not listed).
#[derive(Clone, Default)]
pub struct HookLog {
    inner: Arc<Mutex<LogInner>>,
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
        .service(resource("/api/hook-events").route(web::get().to(hook_events)));
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
        expires_at: None,
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
