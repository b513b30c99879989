//! The checkout flow with each sandbox card, offline payments, settlement and events.

use crate::helpers::{assert_error, card_attempt, spawn_app, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

async fn view(app: &TestApp, id: &str) -> Value {
    let resp = app.get(&format!("/pay/v1/checkout/{id}")).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[actix_web::test]
async fn checkout_view_shows_the_payment_without_contact_secrets() {
    let app = spawn_app().await;
    let id = app.create_payment().await;

    let body = view(&app, &id).await;

    assert_eq!(body["payment"]["id"], id.as_str());
    assert_eq!(body["payment"]["amount"].to_string(), "20.00");
    assert!(
        body["payment"].get("userInfo").is_none(),
        "browser shape has no userInfo"
    );
    assert_eq!(body["userInfo"]["country"], "GBR", "prefill in browser shape");
    assert_eq!(body["status"], "Undefined");
    assert_eq!(body["methods"], json!(["card", "offline"]));
    assert_eq!(body["payable"], true);
}

#[actix_web::test]
async fn each_sandbox_card_has_its_outcome() {
    let app = spawn_app().await;
    let table = [
        ("4242 4242 4242 4242", "Successful", None),
        ("5555 5555 5555 4444", "Successful", None),
        ("4000 0000 0000 0002", "Failed", Some("card_declined")),
        ("4000 0000 0000 9995", "Failed", Some("insufficient_funds")),
        ("4000 0000 0000 0069", "Failed", Some("expired_card")),
        ("4000 0000 0000 0127", "Failed", Some("incorrect_cvc")),
        ("4000 0000 0000 3220", "Pending", None),
        ("4000 0000 0000 0341", "Pending", None),
        ("4000 0000 0000 0259", "Successful", None),
    ];
    for (card, status, decline) in table {
        let id = app.create_payment().await;

        let result = app.attempt_ok(&id, &card_attempt("attempt-0001", card)).await;

        assert_eq!(result["status"], status, "{card}");
        assert_eq!(result["decline"]["code"].as_str(), decline, "{card}");
        assert!(result["transactionId"].as_str().unwrap().starts_with("txn_"), "{card}");
        assert_eq!(result["payment"]["id"], id.as_str());
        assert_eq!(result["userInfo"]["country"], "GBR");
        assert_eq!(app.status_of(&id).await, status, "{card}");
        assert_eq!(app.event_statuses(&id).await, [status], "{card}");
        let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
        let digits: String = card.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(details["attempts"][0]["cardLast4"], &digits[12..]);
    }
}

#[actix_web::test]
async fn pending_cards_settle_through_the_test_route() {
    let app = spawn_app().await;
    for (card, settled) in [("4000000000003220", "Successful"), ("4000000000000341", "Failed")] {
        let id = app.create_payment().await;
        app.attempt_ok(&id, &card_attempt("attempt-0001", card)).await;

        let resp = app.post_empty(&format!("/pay/v1/test/payments/{id}/settle")).await;

        assert_eq!(resp.status(), 200);
        assert_eq!(app.status_of(&id).await, settled);
        assert_eq!(app.event_statuses(&id).await, ["Pending", settled]);
        let again = app.post_empty(&format!("/pay/v1/test/payments/{id}/settle")).await;
        assert_error(again, 409, "illegal_transition").await;
    }
}

#[actix_web::test]
async fn pending_settles_and_chargebacks_arrive_by_themselves() {
    let app = spawn_app().await;
    let pending = app.create_payment().await;
    let disputed = app.create_payment().await;
    app.attempt_ok(&pending, &card_attempt("attempt-0001", "4000000000003220"))
        .await;
    app.attempt_ok(&disputed, &card_attempt("attempt-0001", "4000000000000259"))
        .await;

    let mut settled = false;
    for _ in 0..40 {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        if app.status_of(&pending).await == "Successful" && app.status_of(&disputed).await == "Chargeback" {
            settled = true;
            break;
        }
    }

    assert!(settled, "pending did not settle within 4 s");
    assert_eq!(app.event_statuses(&pending).await, ["Pending", "Successful"]);
    assert_eq!(app.event_statuses(&disputed).await, ["Successful", "Chargeback"]);
}

#[actix_web::test]
async fn decline_then_retry_then_success() {
    let app = spawn_app().await;
    let id = app.create_payment().await;

    let declined = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000000000000002"))
        .await;
    assert_eq!(declined["status"], "Failed");
    assert_eq!(declined["attemptsLeft"], 2);
    assert_eq!(view(&app, &id).await["payable"], true);
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0002", "4242424242424242"))
        .await;

    assert_eq!(paid["status"], "Successful");
    assert_eq!(paid["decline"], Value::Null);
    assert_eq!(app.event_statuses(&id).await, ["Failed", "Successful"]);
    let (_, result) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
    assert_eq!(result["status"], "Successful");
    assert_eq!(result["attemptId"], "attempt-0002");
}

#[actix_web::test]
async fn offline_method() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let body = json!({"attemptId": "attempt-0001", "method": "offline", "userInfo": {"email": "ada@example.com"}});

    let result = app.attempt_ok(&id, &body).await;

    assert_eq!(result["status"], "Offline");
    assert_eq!(app.event_statuses(&id).await, ["Offline"]);
    assert_error(
        app.attempt(&id, &card_attempt("attempt-0002", "4242424242424242"))
            .await,
        409,
        "payment_not_payable",
    )
    .await;

    let closed = spawn_app_without_offline().await;
    let id = closed.create_payment().await;
    assert_error(closed.attempt(&id, &body).await, 422, "offline_not_enabled").await;
    assert_eq!(view(&closed, &id).await["methods"], json!(["card"]));
}

async fn spawn_app_without_offline() -> TestApp {
    crate::helpers::spawn_app_with(|s| s.offline_payments = false).await
}

#[actix_web::test]
async fn latest_result_of_a_new_payment_is_undefined() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let (status, result) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
    assert_eq!(status, 200);
    assert_eq!(result["status"], "Undefined");
    assert_eq!(result["transactionId"], Value::Null);
    assert_eq!(result["attemptId"], Value::Null);
}

#[actix_web::test]
async fn bad_attempts_are_rejected_before_any_charge() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let card = |number: &str, month: u32, year: u32, cvc: &str| {
        json!({"attemptId": "attempt-0001", "method": "card",
               "card": {"number": number, "expMonth": month, "expYear": year, "cvc": cvc}})
    };
    let table: Vec<(Value, u16, &str)> = vec![
        (card("4242424242424241", 12, 2045, "123"), 422, "invalid_card_number"),
        (card("4242424242424242", 13, 2045, "123"), 422, "invalid_expiry"),
        (card("4242424242424242", 1, 2020, "123"), 422, "invalid_expiry"),
        (card("4242424242424242", 12, 2045, "12"), 422, "invalid_cvc"),
        (
            json!({"attemptId": "attempt-0001", "method": "card"}),
            422,
            "missing_card",
        ),
        (
            json!({"attemptId": "x", "method": "offline"}),
            422,
            "invalid_attempt_id",
        ),
        (
            json!({"attemptId": "attempt-0001", "method": "bitcoin"}),
            400,
            "invalid_json",
        ),
        (
            json!({"attemptId": "attempt-0001", "method": "offline", "amount": 0.01}),
            400,
            "invalid_json",
        ),
        (
            json!({"attemptId": "attempt-0001", "method": "offline", "userInfo": {"email": "x"}}),
            422,
            "invalid_email",
        ),
    ];
    for (body, status, code) in table {
        assert_error(app.attempt(&id, &body).await, status, code).await;
    }
    assert_eq!(app.status_of(&id).await, "Undefined");
    assert!(app.event_statuses(&id).await.is_empty());
}
