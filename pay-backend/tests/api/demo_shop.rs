//! The demo shop (`examples/demo_shop/`, its routes included as they are) against a real
//! server: prices come from the server's catalog, never from the page; the shop's hook hears
//! every event once.

#[allow(dead_code)]
#[path = "../../examples/demo_shop/shop.rs"]
mod shop;

use crate::helpers::{run, test_settings, TestApp};
use pay_backend::{Application, Pay};
use pay_types::{Amount, Currency, Payment, PaymentId, PaymentUpdateEvent, TransactionStatus};
use serde_json::{json, Value};
use std::time::Duration;

/// The shop as its example binary serves it, on a fresh database and a free port.
async fn start_shop() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&dir);
    let pay = Pay::new(settings.pay_config(settings.provider().unwrap()))
        .await
        .unwrap();
    let log = shop::register_hook(&pay).await.unwrap();
    let app = Application::serve(&settings, pay, move |cfg| shop::configure(cfg, log.clone())).unwrap();
    run(app, dir)
}

/// A visitor's order on the shop's route.
async fn order(shop: &TestApp, body: Value) -> (u16, Value) {
    let resp = shop.post_raw("/api/create-my-payment", body.to_string(), None).await;
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[actix_web::test]
async fn the_catalog_sets_the_price() {
    let shop = start_shop().await;

    let (status, payment) = order(&shop, json!({"productId": "mug", "quantity": 2})).await;

    assert_eq!(status, 200);
    assert_eq!(payment["amount"].to_string(), "25.00");
    assert_eq!(payment["items"][0]["price"].to_string(), "12.50");
}

#[actix_web::test]
async fn a_page_cannot_send_a_price() {
    let shop = start_shop().await;
    for body in [
        json!({"productId": "mug", "price": 0.01}),
        json!({"productId": "mug", "amount": 0.01}),
        json!({"productId": "mug", "items": [{"name": "mug", "price": 0.01}]}),
    ] {
        let (status, error) = order(&shop, body).await;
        assert_eq!((status, error["code"].as_str()), (400, Some("invalid_json")));
    }
    let (status, error) = order(&shop, json!({"productId": "yacht"})).await;
    assert_eq!((status, error["code"].as_str()), (404, Some("not_found")));
    let (status, error) = order(&shop, json!({"productId": "mug", "quantity": 11})).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("invalid_quantity")));
    let (_, list) = shop.get_json("/pay/v1/payments").await;
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn the_hook_sees_a_payment_paid_and_the_shop_serves_the_product_dashboard() {
    let shop = start_shop().await;
    let (_, payment) = order(&shop, json!({"productId": "tee"})).await;
    let id = payment["id"].as_str().unwrap();
    let attempt = json!({
        "attemptId": "att_demo_shop_1",
        "method": "card",
        "card": {"number": "4242424242424242", "expMonth": 12, "expYear": 2045, "cvc": "123"}
    });
    let paid = shop
        .post_raw(&format!("/pay/v1/checkout/{id}/attempts"), attempt.to_string(), None)
        .await;
    assert_eq!(paid.status(), 200);

    // The hook delivers from the outbox, shortly after the commit.
    let mut received = Value::Null;
    for _ in 0..100 {
        received = shop.get_json(&format!("/api/hook-events?paymentId={id}")).await.1;
        if !received["data"].as_array().unwrap().is_empty() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(received["data"][0]["status"], "Successful");
    assert_eq!(received["data"][0]["paymentId"], id);

    // The merchant's side is the server's dashboard; the shop's own dashboard routes are gone.
    assert_eq!(shop.get("/dashboard/").await.status(), 200);
    let old = shop
        .post_raw(&format!("/api/dashboard/payments/{id}/refund"), "{}", None)
        .await;
    assert_eq!(old.status(), 404);
    assert_eq!(shop.get("/api/dashboard/payments").await.status(), 404);
}

fn event(payment: &str, sequence: u64, status: TransactionStatus) -> PaymentUpdateEvent {
    PaymentUpdateEvent {
        payment: Payment {
            id: PaymentId::parse(payment).unwrap(),
            amount: Amount::parse_str("12.50").unwrap(),
            currency: Currency::parse("USD").unwrap(),
            items: Vec::new(),
            user_info: None,
            expires_at: None,
        },
        status,
        transaction_id: None,
        user_info: None,
        event_id: format!("evt_{payment}_{sequence}"),
        sequence,
        created_at: "2026-11-27T12:00:00Z".into(),
    }
}

#[test]
fn the_hook_log_keeps_each_event_once() {
    let a = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let b = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let log = shop::HookLog::default();

    assert!(log.record(&event(a, 1, TransactionStatus::Pending)));
    assert!(log.record(&event(b, 1, TransactionStatus::Successful)));
    // A redelivery (same eventId) is dropped.
    assert!(!log.record(&event(a, 1, TransactionStatus::Pending)));
    assert!(log.record(&event(a, 2, TransactionStatus::Successful)));

    let statuses: Vec<_> = log.events(Some(a)).into_iter().map(|e| e.status).collect();
    assert_eq!(statuses, ["Pending", "Successful"]);
    assert_eq!(log.events(None).len(), 3);
}
