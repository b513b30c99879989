//! A payment that is Successful, Pending or Offline is never charged again.

use crate::helpers::{assert_error, card_attempt, spawn_app};
use serde_json::{json, Value};

#[actix_web::test]
async fn a_second_attempt_after_success_charges_nothing() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let second = app
        .attempt(&id, &card_attempt("attempt-0002", "5555555555554444"))
        .await;

    assert_error(second, 409, "payment_not_payable").await;
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
}

#[actix_web::test]
async fn pending_and_offline_payments_refuse_new_attempts() {
    let app = spawn_app().await;
    let pending = app.create_payment().await;
    app.attempt_ok(&pending, &card_attempt("attempt-0001", "4000000000003220"))
        .await;
    assert_error(
        app.attempt(&pending, &card_attempt("attempt-0002", "4242424242424242"))
            .await,
        409,
        "payment_not_payable",
    )
    .await;

    let offline = app.create_payment().await;
    app.attempt_ok(&offline, &json!({"attemptId": "attempt-0001", "method": "offline"}))
        .await;
    assert_error(
        app.attempt(&offline, &card_attempt("attempt-0002", "4242424242424242"))
            .await,
        409,
        "payment_not_payable",
    )
    .await;
}

#[actix_web::test]
async fn a_replayed_attempt_id_returns_the_first_answer() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let first = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let replay = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    assert_eq!(first, replay);
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"].as_array().unwrap().len(), 1);
    // The same id with other details is refused, not charged.
    let other = app
        .attempt(&id, &card_attempt("attempt-0001", "5555555555554444"))
        .await;
    assert_error(other, 409, "attempt_conflict").await;
}

#[actix_web::test]
async fn a_replayed_decline_does_not_use_up_attempts() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let first = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000000000000002"))
        .await;
    let replay = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000000000000002"))
        .await;
    assert_eq!(first, replay);
    assert_eq!(app.event_statuses(&id).await, ["Failed"]);
}

#[actix_web::test]
async fn concurrent_attempts_charge_once() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let bodies: Vec<Value> = (0..12)
        .map(|i| card_attempt(&format!("attempt-{i:04}"), "4242424242424242"))
        .collect();

    let responses = futures_util::future::join_all(bodies.iter().map(|b| app.attempt(&id, b))).await;

    let mut successes = 0;
    for resp in responses {
        match resp.status().as_u16() {
            200 => {
                let body: Value = resp.json().await.unwrap();
                assert_eq!(body["status"], "Successful");
                successes += 1;
            }
            409 => {
                let body: Value = resp.json().await.unwrap();
                assert!(
                    matches!(
                        body["code"].as_str(),
                        Some("payment_not_payable" | "attempt_in_progress")
                    ),
                    "{body}"
                );
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(successes, 1);
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    let charged = details["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "Successful")
        .count();
    assert_eq!(charged, 1);
}

#[actix_web::test]
async fn declines_are_bounded() {
    let app = spawn_app().await; // max_declined_attempts = 3
    let id = app.create_payment().await;
    for i in 0..3 {
        let r = app
            .attempt_ok(&id, &card_attempt(&format!("attempt-{i:04}"), "4000000000000002"))
            .await;
        assert_eq!(r["attemptsLeft"], 2 - i);
    }

    let refused = app
        .attempt(&id, &card_attempt("attempt-0009", "4242424242424242"))
        .await;

    assert_error(refused, 429, "too_many_attempts").await;
    assert_eq!(app.status_of(&id).await, "Failed");
}
