//! onPaymentUpdate: in-process hooks, signed webhooks, retries, refunds and the events API.

use crate::helpers::{assert_error, card_attempt, spawn_app, spawn_app_with, TestApp, SECRET_KEY};
use crate::receiver::{Mode, Receiver};
use pay_backend::{verify_webhook, WebhookEndpoint, WebhookSecret};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn endpoint(name: &str, receiver: &Receiver, secret: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        name: name.into(),
        url: receiver.url.parse().unwrap(),
        secret: WebhookSecret::parse(secret).unwrap(),
    }
}

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(SECRET_KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn hooks_receive_every_change_in_order() {
    let app = spawn_app_with(|_| {}).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    app.pay
        .on_payment_update(move |event| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push((event.payment.id.to_string(), event.sequence, event.status.to_string()));
                Ok(())
            }
        })
        .await
        .unwrap();
    let id = app.create_payment().await;

    app.attempt_ok(&id, &card_attempt("attempt-0001", "4000000000003220"))
        .await;
    app.post_empty(&format!("/pay/v1/test/payments/{id}/settle")).await;
    post(&app, &format!("/pay/v1/payments/{id}/refunds"), json!({"amount": 5})).await;

    let mut got = Vec::new();
    for _ in 0..60 {
        got = seen.lock().unwrap().clone();
        if got.len() >= 3 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let expected: Vec<(String, u64, String)> = vec![
        (id.clone(), 1, "Pending".into()),
        (id.clone(), 2, "Successful".into()),
        (id.clone(), 3, "PartiallyRefunded".into()),
    ];
    assert_eq!(got, expected);
}

#[actix_web::test]
async fn a_failing_hook_is_retried_with_backoff() {
    let app = spawn_app_with(|_| {}).await;
    let calls = Arc::new(Mutex::new(0u32));
    let counter = calls.clone();
    app.pay
        .on_payment_update(move |_event| {
            let counter = counter.clone();
            async move {
                let mut n = counter.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    Err("the merchant's database is down".into())
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    // The first retry waits 5 s ± 20 %.
    actix_web::rt::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(*calls.lock().unwrap(), 1, "retried too early");
    for _ in 0..100 {
        if *calls.lock().unwrap() >= 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(*calls.lock().unwrap(), 2);
}

#[actix_web::test]
async fn webhooks_are_signed_standard_webhooks() {
    let receiver = Receiver::start(Mode::Ok);
    let secret = WebhookSecret::generate();
    let hook = endpoint("orders", &receiver, &secret);
    let app = spawn_app_with(|s| s.webhooks = vec![hook]).await;
    let id = app.create_payment().await;

    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let got = receiver.wait_for(1, 5).await;
    assert_eq!(got.len(), 1);
    let delivery = &got[0];
    let event = delivery.json();
    assert_eq!(event["status"], "Successful");
    assert_eq!(event["payment"]["id"], id.as_str());
    assert_eq!(event["sequence"], 1);
    assert_eq!(event["payment"]["amount"].to_string(), "20.00");
    assert_eq!(delivery.header("webhook-id"), event["eventId"].as_str().unwrap());
    let headers: Vec<(&str, &str)> = delivery.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let key = WebhookSecret::parse(&secret).unwrap();
    assert_eq!(
        verify_webhook(
            headers.iter().copied(),
            delivery.body.as_bytes(),
            &key,
            Duration::from_secs(300)
        ),
        Ok(())
    );
    let other = WebhookSecret::parse(&WebhookSecret::generate()).unwrap();
    assert!(verify_webhook(
        headers.iter().copied(),
        delivery.body.as_bytes(),
        &other,
        Duration::from_secs(300)
    )
    .is_err());
    let (_, log) = app.get_json("/pay/v1/webhooks/orders/deliveries").await;
    assert_eq!(log["counts"]["delivered"], 1);
    assert_eq!(log["log"][0]["outcome"], "delivered");
}

#[actix_web::test]
async fn a_failing_or_hanging_endpoint_blocks_nobody() {
    let good = Receiver::start(Mode::Ok);
    let failing = Receiver::start(Mode::Fail);
    let hanging = Receiver::start(Mode::Hang);
    let (a, b, c) = (
        WebhookSecret::generate(),
        WebhookSecret::generate(),
        WebhookSecret::generate(),
    );
    let hooks = vec![
        endpoint("good", &good, &a),
        endpoint("failing", &failing, &b),
        endpoint("hanging", &hanging, &c),
    ];
    let app = spawn_app_with(|s| s.webhooks = hooks).await;
    let first = app.create_payment().await;
    let second = app.create_payment().await;

    app.attempt_ok(&first, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    app.attempt_ok(&second, &card_attempt("attempt-0001", "4000000000000002"))
        .await;

    assert_eq!(good.wait_for(2, 5).await.len(), 2, "the good endpoint got both events");
    assert_eq!(failing.wait_for(2, 5).await.len(), 2);
    let (_, log) = app.get_json("/pay/v1/webhooks/failing/deliveries").await;
    assert_eq!(log["counts"]["pending"], 2, "failed deliveries wait for a retry");
    assert_eq!(log["log"][0]["outcome"], "failed");
    assert_eq!(log["log"][0]["statusCode"], 503);
}

#[actix_web::test]
async fn redelivery_sends_the_same_event_id_again() {
    let receiver = Receiver::start(Mode::Ok);
    let hook = endpoint("orders", &receiver, &WebhookSecret::generate());
    let app = spawn_app_with(|s| s.webhooks = vec![hook]).await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    let first = receiver.wait_for(1, 5).await;
    let event_id = first[0].header("webhook-id").to_owned();

    let resp = post(&app, &format!("/pay/v1/events/{event_id}/redeliver"), json!({})).await;

    assert_eq!(resp.status(), 202);
    let again = receiver.wait_for(2, 5).await;
    assert_eq!(again.len(), 2);
    assert_eq!(again[1].header("webhook-id"), event_id);
    assert_eq!(again[1].body, first[0].body);
    assert_error(
        post(&app, "/pay/v1/events/evt_nope/redeliver", json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[actix_web::test]
async fn refunds_full_partial_and_never_over() {
    let app = spawn_app_with(|_| {}).await;
    let id = app.create_payment().await; // 20.00 USD
    let path = format!("/pay/v1/payments/{id}/refunds");
    let refund = |body: Value| post(&app, &path, body);
    assert_error(refund(json!({})).await, 409, "illegal_transition").await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let r1 = refund(json!({"amount": 5.5})).await;
    assert_eq!(r1.status(), 201);
    let r1: Value = r1.json().await.unwrap();
    assert_eq!(r1["status"], "PartiallyRefunded");
    assert_eq!(r1["refundedAmount"].to_string(), "5.50");
    assert_error(refund(json!({"amount": 14.51})).await, 409, "refund_exceeds_amount").await;
    assert_error(refund(json!({"amount": 0.001})).await, 422, "too_many_decimals").await;
    assert_error(refund(json!({"amount": 0})).await, 422, "invalid_amount").await;
    assert_error(refund(json!({"amount": -1})).await, 422, "invalid_amount").await;
    let r2: Value = refund(json!({"amount": "4.50"})).await.json().await.unwrap();
    assert_eq!(r2["status"], "PartiallyRefunded");
    let r3: Value = refund(json!({})).await.json().await.unwrap();
    assert_eq!(r3["status"], "Refunded");
    assert_eq!(r3["amount"].to_string(), "10.00");
    assert_error(refund(json!({"amount": 0.01})).await, 409, "illegal_transition").await;

    assert_eq!(
        app.event_statuses(&id).await,
        ["Successful", "PartiallyRefunded", "PartiallyRefunded", "Refunded"]
    );
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["refundedAmount"].to_string(), "20.00");
}

#[actix_web::test]
async fn offline_payments_are_marked_paid() {
    let app = spawn_app_with(|_| {}).await;
    let id = app.create_payment().await;
    let path = format!("/pay/v1/payments/{id}/mark-paid");
    let mark = || post(&app, &path, json!({}));
    assert_error(mark().await, 409, "illegal_transition").await;
    app.attempt_ok(&id, &json!({"attemptId": "attempt-0001", "method": "offline"}))
        .await;

    let resp = mark().await;

    assert_eq!(resp.status(), 200);
    assert_eq!(app.event_statuses(&id).await, ["Offline", "Successful"]);
    assert_error(mark().await, 409, "illegal_transition").await;
}

#[actix_web::test]
async fn sandbox_chargeback_goes_through_the_table() {
    let app = spawn_app_with(|_| {}).await;
    let id = app.create_payment().await;
    let charge_back = || {
        app.client
            .post(app.url(&format!("/pay/v1/test/payments/{id}/chargeback")))
            .send()
    };
    assert_error(charge_back().await.unwrap(), 409, "illegal_transition").await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(charge_back().await.unwrap().status(), 200);
    assert_eq!(app.event_statuses(&id).await, ["Successful", "Chargeback"]);
}

#[actix_web::test]
async fn a_consumer_catches_up_after_a_cursor() {
    let app = spawn_app_with(|_| {}).await;
    for i in 0..3 {
        let id = app.create_payment().await;
        app.attempt_ok(&id, &card_attempt(&format!("attempt-{i:04}"), "4000000000000002"))
            .await;
        app.attempt_ok(&id, &card_attempt(&format!("attempt-x{i:04}"), "4242424242424242"))
            .await;
    }

    // On PostgreSQL the feed shows an event once every transaction that began before it has
    // ended (across the whole server, so other tests' transactions delay it): wait for all six.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, all) = app.get_json("/pay/v1/events?limit=500").await;
        if all["data"].as_array().unwrap().len() >= 6 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, page1) = app.get_json("/pay/v1/events?limit=4").await;
    let cursor = page1["nextCursor"].as_i64().unwrap();
    let (_, page2) = app.get_json(&format!("/pay/v1/events?limit=4&after={cursor}")).await;
    let (_, page3) = app
        .get_json(&format!("/pay/v1/events?after={}", page2["nextCursor"]))
        .await;

    let ids: Vec<String> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| {
            p["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["eventId"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(ids.len(), 6);
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 6);
    assert!(page3["data"].as_array().unwrap().is_empty());
    assert_eq!(page3["nextCursor"], page2["nextCursor"]);
}

/// Webhook names and event ids with control characters name nothing: 404 on either database
/// (PostgreSQL cannot even compare text holding a NUL; the hostile test found it).
#[actix_web::test]
async fn names_with_control_characters_are_not_found() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/pay/v1/webhooks/or%00ders/deliveries").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{body}");
    let resp = app
        .post_raw("/pay/v1/events/evt%00x/redeliver", "", Some(SECRET_KEY))
        .await;
    assert_error(resp, 404, "not_found").await;
    let resp = app
        .post_raw("/pay/v1/events/evt_x/redeliver?target=a%07b", "", Some(SECRET_KEY))
        .await;
    assert_error(resp, 404, "not_found").await;
}
