//! The provider boundary (SPEC §8) through the sandbox: 3-D Secure challenges and their
//! return, abandoned challenges, unknown answers resolved by look-up (the fault cards),
//! refunds that count only when the provider confirms them, signed provider events (bad
//! signatures, duplicates, stale and unknown types), and production mode.

use crate::helpers::{
    assert_error, card_attempt, run, spawn_app, spawn_app_with, test_settings, TestApp, SANDBOX_EVENTS_SECRET,
    SECRET_KEY,
};
use pay_backend::providers::{
    AttemptKey, ChargeOutcome, ChargeRequest, CompleteRequest, EventRefusal, Lookup, Provider, ProviderEvent,
    RefundOutcome, RefundRequest,
};
use pay_backend::{Application, Pay, WebhookSecret};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const CHALLENGE_CHOICE: &str = "4000002500003155";
const CHALLENGE_DECLINED: &str = "4000008400001629";
const TIMES_OUT_AFTER_CHARGING: &str = "4000000000000119";
const FAILS_WITHOUT_CHARGING: &str = "4000000000000507";
const REFUNDS_REFUSED: &str = "4000000000007775";
const REFUNDS_PENDING: &str = "4000000000008880";

/// A client that does not follow redirects: the challenge page answers 303.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The buyer answers the sandbox's challenge at `url`; returns where the frame goes next.
async fn answer(app: &TestApp, url: &str, choice: &str) -> String {
    let resp = no_redirects()
        .post(app.url(url))
        .form(&[("answer", choice)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{:?}", resp.text().await);
    resp.headers()["location"].to_str().unwrap().to_owned()
}

async fn result_of(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
    assert_eq!(status, 200);
    body
}

/// Asks for the result until the attempt is no longer processing (at most 10 s).
async fn settled_result(app: &TestApp, id: &str) -> Value {
    for _ in 0..100 {
        let result = result_of(app, id).await;
        if result["processing"] == false {
            return result;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the attempt of {id} stayed processing");
}

async fn sandbox_charges(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("/pay/v1/test/payments/{id}/charges")).await;
    assert_eq!(status, 200);
    body.as_array().unwrap().clone()
}

async fn refund(app: &TestApp, id: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/pay/v1/payments/{id}/refunds")))
        .bearer_auth(SECRET_KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_challenge_completed_by_the_buyer_pays_once() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let started = app
        .attempt_ok(&id, &card_attempt("attempt-3ds-1", CHALLENGE_CHOICE))
        .await;
    assert_eq!(started["processing"], true);
    assert_eq!(started["status"], "Undefined", "no outcome yet");
    let url = started["challenge"]["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/pay/v1/sandbox/challenges/{id}/attempt-3ds-1"));
    assert!(started["challenge"]["expiresAt"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));

    // While the buyer answers, the payment takes no other attempt; the same attempt sent again
    // answers its challenge.
    let (_, view) = app.get_json(&format!("/pay/v1/checkout/{id}")).await;
    assert_eq!(view["payable"], false);
    let other = app
        .attempt(&id, &card_attempt("attempt-3ds-2", "4242424242424242"))
        .await;
    assert_error(other, 409, "attempt_in_progress").await;
    let again = app
        .attempt_ok(&id, &card_attempt("attempt-3ds-1", CHALLENGE_CHOICE))
        .await;
    assert_eq!(again["challenge"]["url"], url.as_str());

    // The challenge page, framable by the page origins, with its two buttons.
    let page = app.get(&url).await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("frame-ancestors 'self'") && !csp.contains("'none'; script-src 'self' 'wasm"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"value="complete""#) && html.contains(r#"value="fail""#),
        "{html}"
    );

    let back = answer(&app, &url, "complete").await;
    assert_eq!(back, format!("/pay/v1/checkout/{id}/attempts/attempt-3ds-1/return"));
    let returned = app.get(&back).await;
    assert_eq!(returned.status(), 200);
    let html = returned.text().await.unwrap();
    assert!(html.contains(r#"data-attempt-id="attempt-3ds-1""#), "{html}");
    assert!(html.contains(r#"<script src="/pay/v1/checkout/return.js""#), "{html}");
    let script = app.get("/pay/v1/checkout/return.js").await.text().await.unwrap();
    assert!(script.contains("pay:challenge-returned"));

    let result = result_of(&app, &id).await;
    assert_eq!(
        (result["processing"].clone(), result["status"].clone()),
        (json!(false), json!("Successful"))
    );
    assert!(result["transactionId"].as_str().is_some_and(|t| t.starts_with("txn_")));
    // Returning twice (a reload of the frame) changes nothing.
    assert_eq!(app.get(&back).await.status(), 200);
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    assert_eq!(sandbox_charges(&app, &id).await.len(), 1);
}

#[actix_web::test]
async fn a_failed_or_declined_challenge_fails_and_the_buyer_may_retry() {
    let app = spawn_app().await;
    for (card, choice, decline) in [
        (CHALLENGE_CHOICE, "fail", "authentication_failed"),
        (CHALLENGE_DECLINED, "complete", "card_declined"),
    ] {
        let id = app.create_payment().await;
        let started = app.attempt_ok(&id, &card_attempt("attempt-3ds-1", card)).await;
        let back = answer(&app, started["challenge"]["url"].as_str().unwrap(), choice).await;
        assert_eq!(app.get(&back).await.status(), 200);
        let result = result_of(&app, &id).await;
        assert_eq!(result["status"], "Failed", "{card}");
        assert_eq!(result["decline"]["code"], decline, "{card}");
        let retry = app
            .attempt_ok(&id, &card_attempt("attempt-3ds-2", "4242424242424242"))
            .await;
        assert_eq!(retry["status"], "Successful");
        assert_eq!(app.event_statuses(&id).await, ["Failed", "Successful"]);
    }
}

#[actix_web::test]
async fn an_abandoned_challenge_fails_with_authentication_failed() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let started = app
        .attempt_ok(&id, &card_attempt("attempt-3ds-1", CHALLENGE_CHOICE))
        .await;
    let abandon = format!("/pay/v1/checkout/{id}/attempts/attempt-3ds-1/abandon");
    let resp = app.post_raw(&abandon, "{}", None).await;
    assert_eq!(resp.status(), 200);
    let abandoned: Value = resp.json().await.unwrap();
    assert_eq!(abandoned["status"], "Failed");
    assert_eq!(abandoned["decline"]["code"], "authentication_failed");
    assert_eq!(abandoned["processing"], false);
    // Too late: the buyer's answer on the page no longer changes anything.
    let late = no_redirects()
        .post(app.url(started["challenge"]["url"].as_str().unwrap()))
        .form(&[("answer", "complete")])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 303);
    let back = late.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(app.get(&back).await.status(), 200);
    assert_eq!(result_of(&app, &id).await["status"], "Failed");
    // Abandoning again answers the recorded outcome.
    let again: Value = app.post_raw(&abandon, "{}", None).await.json().await.unwrap();
    assert_eq!(again["decline"]["code"], "authentication_failed");
    assert_eq!(app.event_statuses(&id).await, ["Failed"]);
    let unknown = app
        .post_raw(
            &format!("/pay/v1/checkout/{id}/attempts/attempt-nope-1/abandon"),
            "{}",
            None,
        )
        .await;
    assert_error(unknown, 404, "not_found").await;
}

#[actix_web::test]
async fn a_challenge_left_past_its_deadline_fails() {
    let dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&dir);
    let mut config = settings.pay_config(settings.provider().unwrap());
    config.challenge_timeout = Duration::from_millis(300);
    let pay = Pay::new(config).await.unwrap();
    let app = run(Application::serve(&settings, pay, |_| {}).unwrap(), dir);
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-3ds-1", CHALLENGE_CHOICE))
        .await;
    let result = settled_result(&app, &id).await;
    assert_eq!(result["status"], "Failed");
    assert_eq!(result["decline"]["code"], "authentication_failed");
}

#[actix_web::test]
async fn a_provider_that_times_out_after_charging_is_asked_not_guessed() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let first = app
        .attempt_ok(&id, &card_attempt("attempt-fault-1", TIMES_OUT_AFTER_CHARGING))
        .await;
    assert_eq!(first["processing"], true);
    assert_eq!(first["challenge"], Value::Null);
    let other = app
        .attempt(&id, &card_attempt("attempt-fault-2", "4242424242424242"))
        .await;
    assert_error(other, 409, "attempt_in_progress").await;

    let result = settled_result(&app, &id).await;
    assert_eq!(result["status"], "Successful", "the look-up found the charge");
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let charges = sandbox_charges(&app, &id).await;
    assert_eq!(charges.len(), 1, "charged once");
    assert_eq!(result["transactionId"], charges[0]["transactionId"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "lookup", "{details}");
}

#[actix_web::test]
async fn a_provider_500_that_charged_nothing_fails_and_the_buyer_pays_again() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let first = app
        .attempt_ok(&id, &card_attempt("attempt-fault-1", FAILS_WITHOUT_CHARGING))
        .await;
    assert_eq!(first["processing"], true);
    let result = settled_result(&app, &id).await;
    assert_eq!(result["status"], "Failed");
    assert_eq!(result["decline"]["code"], "processing_error");
    assert!(sandbox_charges(&app, &id).await.is_empty(), "nothing was charged");
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-fault-2", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful");
    assert_eq!(app.event_statuses(&id).await, ["Failed", "Successful"]);
    assert_eq!(sandbox_charges(&app, &id).await.len(), 1);
}

#[actix_web::test]
async fn a_refused_refund_is_409_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", REFUNDS_REFUSED))
        .await;
    let before = app.pay.store().row_counts().await.unwrap();
    let resp = refund(&app, &id, json!({"amount": 5})).await;
    let text = resp.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], "refund_refused", "{text}");
    assert!(
        body["message"].as_str().unwrap().contains("does not accept refunds"),
        "{text}"
    );
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["status"], "Successful");
    assert_eq!(details["refundedAmount"].to_string(), "0");
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let after = app.pay.store().row_counts().await.unwrap();
    let without_refunds =
        |c: Vec<(&'static str, i64)>| c.into_iter().filter(|(t, _)| *t != "refunds").collect::<Vec<_>>();
    assert_eq!(
        without_refunds(after),
        without_refunds(before),
        "only the refused refund's own row is new"
    );
}

#[actix_web::test]
async fn a_pending_refund_counts_when_the_provider_confirms_it() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", REFUNDS_PENDING))
        .await;
    let resp = refund(&app, &id, json!({"amount": 5})).await;
    assert_eq!(resp.status(), 202);
    let pending: Value = resp.json().await.unwrap();
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["status"], "Successful");
    assert_eq!(pending["refundedAmount"].to_string(), "0");
    // The held amount counts against what is left.
    let over = refund(&app, &id, json!({"amount": 16})).await;
    assert_error(over, 409, "refund_exceeds_amount").await;
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);

    let settled = app.post_empty(&format!("/pay/v1/test/payments/{id}/settle")).await;
    assert_eq!(settled.status(), 200);
    assert_eq!(app.event_statuses(&id).await, ["Successful", "PartiallyRefunded"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["refundedAmount"].to_string(), "5.00");
}

#[actix_web::test]
async fn a_refund_the_provider_confirms_at_once_is_201_succeeded() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    let resp = refund(&app, &id, json!({})).await;
    assert_eq!(resp.status(), 201);
    let done: Value = resp.json().await.unwrap();
    assert_eq!(
        (done["state"].clone(), done["status"].clone()),
        (json!("succeeded"), json!("Refunded"))
    );
    assert_eq!(done["refundedAmount"].to_string(), "20.00");
}

/// An event signed as the test apps' sandbox signs (Standard Webhooks).
async fn send_event(app: &TestApp, provider: &str, id: &str, body: &Value, secret: &str) -> reqwest::Response {
    let body = body.to_string();
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = WebhookSecret::parse(secret)
        .unwrap()
        .sign(id, timestamp, body.as_bytes());
    app.client
        .post(app.url(&format!("/pay/v1/providers/{provider}/events")))
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn effect(resp: reqwest::Response) -> String {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["effect"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn provider_events_are_verified_applied_once_and_stale_ones_change_nothing() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4000000000003220"))
        .await;
    let charge = format!("{id}:attempt-0001");
    let settles = json!({"id": "evt_a", "type": "charge.succeeded", "charge": charge});

    // A bad signature (another secret) is refused and changes nothing.
    let forged = send_event(&app, "sandbox", "evt_a", &settles, &WebhookSecret::generate()).await;
    assert_error(forged, 400, "invalid_signature").await;
    let unsigned = app
        .post_raw("/pay/v1/providers/sandbox/events", settles.to_string(), None)
        .await;
    assert_error(unsigned, 400, "invalid_signature").await;
    assert_eq!(app.status_of(&id).await, "Pending");
    // Not the configured provider.
    let elsewhere = send_event(&app, "stripe", "evt_a", &settles, SANDBOX_EVENTS_SECRET).await;
    assert_error(elsewhere, 404, "not_found").await;

    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_a", &settles, SANDBOX_EVENTS_SECRET).await).await,
        "applied"
    );
    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_a", &settles, SANDBOX_EVENTS_SECRET).await).await,
        "duplicate"
    );
    let late_failure =
        json!({"id": "evt_b", "type": "charge.failed", "charge": charge, "declineCode": "card_declined"});
    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_b", &late_failure, SANDBOX_EVENTS_SECRET).await).await,
        "stale"
    );
    let unknown = json!({"id": "evt_c", "type": "charge.captured_twice", "charge": charge});
    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_c", &unknown, SANDBOX_EVENTS_SECRET).await).await,
        "ignored"
    );
    assert_eq!(app.event_statuses(&id).await, ["Pending", "Successful"]);

    // The sandbox's own event for this charge comes later and is stale too: still 2xx.
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(app.event_statuses(&id).await, ["Pending", "Successful"]);

    // A dispute through the same path.
    let dispute = json!({"id": "evt_d", "type": "dispute.created", "charge": charge});
    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_d", &dispute, SANDBOX_EVENTS_SECRET).await).await,
        "applied"
    );
    assert_eq!(app.status_of(&id).await, "Chargeback");
}

#[actix_web::test]
async fn unreadable_provider_events_are_400_never_5xx() {
    let app = spawn_app().await;
    let bodies = [
        json!({}),
        json!({"id": "evt_x", "type": "charge.succeeded"}),
        json!({"id": "evt_x", "type": "charge.succeeded", "charge": "not-a-key"}),
        json!({"id": "evt_x", "type": "refund.succeeded", "charge": "x"}),
        json!([1, 2, 3]),
        json!("text"),
    ];
    for body in bodies {
        let resp = send_event(&app, "sandbox", "evt_x", &body, SANDBOX_EVENTS_SECRET).await;
        assert_error(resp, 400, "invalid_signature").await;
    }
    // A well-formed event about a payment nobody knows: accepted, stale.
    let stranger = json!({"id": "evt_y", "type": "charge.succeeded", "charge": "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:attempt-0001"});
    assert_eq!(
        effect(send_event(&app, "sandbox", "evt_y", &stranger, SANDBOX_EVENTS_SECRET).await).await,
        "stale"
    );
    let huge = "x".repeat(70 * 1024);
    let resp = app.post_raw("/pay/v1/providers/sandbox/events", huge, None).await;
    assert_error(resp, 413, "payload_too_large").await;
}

/// A live provider nobody charges with: for production mode.
struct LiveStub;

#[async_trait::async_trait]
impl Provider for LiveStub {
    fn name(&self) -> &'static str {
        "live-stub"
    }
    fn is_live(&self) -> bool {
        true
    }
    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome {
        ChargeOutcome::Successful {
            transaction_id: format!("live_{}", request.key),
        }
    }
    async fn complete(&self, _request: CompleteRequest<'_>) -> ChargeOutcome {
        ChargeOutcome::Unknown {
            reason: "no challenges".into(),
        }
    }
    async fn lookup(&self, _key: &AttemptKey, _provider_ref: Option<&str>) -> Lookup {
        Lookup::NeverReached
    }
    async fn refund(&self, _request: RefundRequest<'_>) -> RefundOutcome {
        RefundOutcome::Succeeded
    }
    async fn verify_event(
        &self,
        _headers: &actix_web::http::header::HeaderMap,
        _body: &[u8],
    ) -> Result<ProviderEvent, EventRefusal> {
        Err(EventRefusal::BadSignature)
    }
}

#[actix_web::test]
async fn production_mode_needs_a_live_provider_and_has_no_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(&dir);
    settings.test_mode = false;
    let refused = Application::build(settings.clone())
        .await
        .err()
        .expect("the sandbox is refused");
    assert!(refused.to_string().contains("live payment provider"), "{refused}");
    let mut config = settings.pay_config(Arc::new(settings.sandbox()));
    config.test_mode = false;
    assert!(Pay::new(config).await.is_err(), "the library refuses it too");

    let app = run(
        Application::build_with_provider(settings, Arc::new(LiveStub))
            .await
            .unwrap(),
        dir,
    );
    let id = app.create_payment().await;
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful");
    for path in [
        format!("/pay/v1/test/payments/{id}/settle"),
        format!("/pay/v1/test/payments/{id}/chargeback"),
        format!("/pay/v1/sandbox/challenges/{id}/attempt-0001"),
    ] {
        assert_error(app.post_empty(&path).await, 404, "not_found").await;
    }
    assert_error(
        app.get(&format!("/pay/v1/sandbox/challenges/{id}/attempt-0001")).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&format!("/pay/v1/test/payments/{id}/charges")).await,
        404,
        "not_found",
    )
    .await;
    let events = app.post_raw("/pay/v1/providers/live-stub/events", "{}", None).await;
    assert_error(events, 400, "invalid_signature").await;
}

#[actix_web::test]
async fn the_sandbox_sends_its_later_events_by_itself() {
    let app = spawn_app_with(|s| s.sandbox_settle_delay = Duration::from_millis(200)).await;
    let disputed = app.create_payment().await;
    app.attempt_ok(&disputed, &card_attempt("attempt-0001", "4000000000000259"))
        .await;
    for _ in 0..50 {
        if app.status_of(&disputed).await == "Chargeback" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.event_statuses(&disputed).await, ["Successful", "Chargeback"]);
}
