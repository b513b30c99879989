//! `expiresAt`: a payment that stops taking attempts at a time the merchant chose.

use crate::helpers::{assert_error, card_attempt, sample_info, spawn_app, TestApp};
use serde_json::Value;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn in_ms(ms: i64) -> String {
    (OffsetDateTime::now_utc() + time::Duration::milliseconds(ms))
        .format(&Rfc3339)
        .unwrap()
}

async fn create_expiring(app: &TestApp, expires_at: &str) -> reqwest::Response {
    let mut info = sample_info();
    info["expiresAt"] = expires_at.into();
    app.create_payment_raw(&info, None).await
}

async fn view(app: &TestApp, id: &str) -> Value {
    let resp = app.get(&format!("/pay/v1/checkout/{id}")).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// Waits until the instant `at` (RFC 3339) has passed, by this machine's clock.
async fn wait_past(at: &str) {
    let at = OffsetDateTime::parse(at, &Rfc3339).unwrap();
    let left = at - OffsetDateTime::now_utc();
    if left.is_positive() {
        actix_web::rt::time::sleep(Duration::from_millis(left.whole_milliseconds() as u64 + 50)).await;
    }
}

#[actix_web::test]
async fn expires_at_is_an_instant_between_now_and_90_days_ahead() {
    let app = spawn_app().await;
    let a_day = 24 * 3600 * 1000;
    for bad in [
        "tomorrow".to_owned(),
        "2026-12-24".to_owned(),
        "2026-12-24T18:00:00".to_owned(),
        in_ms(-1000),
        in_ms(91 * a_day),
    ] {
        assert_error(create_expiring(&app, &bad).await, 422, "invalid_expires_at").await;
    }
    let mut info = sample_info();
    info["expiresAt"] = 1_766_599_200.into();
    assert_error(app.create_payment_raw(&info, None).await, 400, "invalid_json").await;

    // Any offset is accepted; the payment states the instant in UTC.
    let at = (OffsetDateTime::now_utc() + time::Duration::days(2))
        .replace_nanosecond(0)
        .unwrap();
    let offset = at.to_offset(time::macros::offset!(+05:30)).format(&Rfc3339).unwrap();
    let resp = create_expiring(&app, &offset).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["expiresAt"], at.format(&Rfc3339).unwrap());
    let id = created["id"].as_str().unwrap();
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["payment"]["expiresAt"], created["expiresAt"]);
    let shown = view(&app, id).await;
    assert_eq!(shown["expiresAt"], created["expiresAt"]);
    assert_eq!(
        (shown["expired"].clone(), shown["payable"].clone()),
        (false.into(), true.into())
    );

    // Without it the payment never expires, and says so with null.
    let never: Value = app.create_payment_raw(&sample_info(), None).await.json().await.unwrap();
    assert_eq!(never["expiresAt"], Value::Null);
    assert_eq!(view(&app, never["id"].as_str().unwrap()).await["expired"], false);
}

#[actix_web::test]
async fn an_expired_payment_takes_no_new_attempt_and_still_answers_earlier_ones() {
    let app = spawn_app().await;
    let expires_at = in_ms(1500);
    let resp = create_expiring(&app, &expires_at).await;
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let declined = card_attempt("attempt-0001", "4000000000000002");
    let first = app.attempt_ok(&id, &declined).await;
    assert_eq!(first["status"], "Failed");

    wait_past(&expires_at).await;

    let shown = view(&app, &id).await;
    assert_eq!(shown["expired"], true);
    assert_eq!(shown["payable"], false);
    assert_eq!(shown["status"], "Failed");
    let late = app
        .attempt(&id, &card_attempt("attempt-0002", "4242424242424242"))
        .await;
    assert_error(late, 409, "payment_expired").await;
    // The popup that lost the answer to its attempt before the expiry gets it again.
    assert_eq!(app.attempt_ok(&id, &declined).await, first);
    // Nothing was charged after the expiry, and the payment stays as it was.
    assert_eq!(app.status_of(&id).await, "Failed");
    assert_eq!(app.event_statuses(&id).await, ["Failed"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_paid_payment_past_its_expiry_says_paid_not_expired() {
    let app = spawn_app().await;
    let expires_at = in_ms(1000);
    let id = create_expiring(&app, &expires_at).await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    wait_past(&expires_at).await;

    let shown = view(&app, &id).await;
    assert_eq!(shown["status"], "Successful");
    assert_eq!(shown["expired"], false);
    let again = app
        .attempt(&id, &card_attempt("attempt-0002", "4242424242424242"))
        .await;
    assert_error(again, 409, "payment_not_payable").await;
    // Refunds do not depend on the expiry.
    let refund = app
        .client
        .post(app.url(&format!("/pay/v1/payments/{id}/refunds")))
        .bearer_auth(crate::helpers::SECRET_KEY)
        .json(&serde_json::json!({"amount": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(refund.status(), 201, "{:?}", refund.text().await);
}

/// A creation retried with its `Idempotency-Key` after the payment's expiry passed gets the
/// payment it made, as any retry does; a new key is refused.
#[actix_web::test]
async fn a_retried_creation_after_the_expiry_gets_its_payment_again() {
    let app = spawn_app().await;
    let mut info = sample_info();
    info["expiresAt"] = in_ms(800).into();
    let first = app.create_payment_raw(&info, Some("order-1234")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();

    wait_past(info["expiresAt"].as_str().unwrap()).await;

    let again = app.create_payment_raw(&info, Some("order-1234")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let other = app.create_payment_raw(&info, Some("order-5678")).await;
    assert_error(other, 422, "invalid_expires_at").await;
    info["userInfo"]["firstName"] = "Grace".into();
    let changed = app.create_payment_raw(&info, Some("order-1234")).await;
    assert_error(changed, 409, "idempotency_conflict").await;
}
