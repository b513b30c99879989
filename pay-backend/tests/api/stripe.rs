//! The Stripe connector: against localstripe (a stateful fake Stripe nobody here wrote; set
//! `PAY_TEST_LOCALSTRIPE_URL`, as `scripts/test.sh` does; without it these tests skip, unless
//! `PAY_REQUIRE_LOCALSTRIPE=1`), and against a small fake in this binary that answers in the
//! shapes of Stripe's API reference where localstripe lacks a behaviour (a 500 then a retry,
//! an answer lost after Stripe acted, idempotent replays, a dispute, a failed refund).
//!
//! The card never reaches Pay: what Stripe.js does in the browser (`createPaymentMethod`), the
//! tests do with the secret key at localstripe, and the attempt carries the PaymentMethod id.

use crate::helpers::{card_attempt, run, spawn_app_with, test_settings, token_attempt, TestApp, SECRET_KEY};
use crate::server::Server;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use pay_backend::config::ProviderName;
use pay_backend::providers::stripe::webhooks::sign;
use pay_backend::Application;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) const STRIPE_KEY: &str = "sk_test_pay_0123456789";
const WEBHOOK_SECRET: &str = "whsec_pay_tests_0123456789";
const PUBLISHABLE_KEY: &str = "pk_test_pay_0123456789";

/// localstripe's URL; `None` (the test skips) when it is not running.
fn localstripe() -> Option<String> {
    match std::env::var("PAY_TEST_LOCALSTRIPE_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("PAY_REQUIRE_LOCALSTRIPE").as_deref() == Ok("1") => {
            panic!("PAY_REQUIRE_LOCALSTRIPE=1 but PAY_TEST_LOCALSTRIPE_URL is not set")
        }
        Err(_) => {
            eprintln!("PAY_TEST_LOCALSTRIPE_URL is not set: skipping this localstripe test");
            None
        }
    }
}

async fn stripe_app(api_base: &str, localstripe: bool) -> TestApp {
    stripe_app_with(api_base, localstripe, |_| {}).await
}

async fn stripe_app_with(
    api_base: &str,
    localstripe: bool,
    adjust: impl FnOnce(&mut pay_backend::config::Settings),
) -> TestApp {
    let api_base = api_base.to_owned();
    spawn_app_with(move |s| {
        adjust(s);
        s.provider = ProviderName::Stripe;
        s.stripe_secret_key = Some(STRIPE_KEY.into());
        s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
        s.stripe_publishable_key = Some(PUBLISHABLE_KEY.into());
        s.stripe_api_base = api_base.parse().unwrap();
        s.stripe_localstripe = localstripe;
        s.public_url = Some("https://pay.shop.example".parse().unwrap());
    })
    .await
}

/// Stripe's view of something, read with the secret key.
async fn stripe_get(base: &str, path: &str) -> Value {
    let resp = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(STRIPE_KEY)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// What Stripe.js's `createPaymentMethod` does in the buyer's browser: the card typed into
/// Stripe's fields becomes a PaymentMethod at Stripe (here with the secret key, as localstripe
/// refuses publishable keys there). Pay only ever sees the id.
async fn payment_method(base: &str, number: &str) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{base}/v1/payment_methods"))
        .bearer_auth(STRIPE_KEY)
        .form(&[
            ("type", "card"),
            ("card[number]", number),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2045"),
            ("card[cvc]", "123"),
            ("billing_details[name]", "Ada Lovelace"),
            ("billing_details[email]", "ada@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let method: Value = resp.json().await.unwrap();
    method["id"].as_str().unwrap().to_owned()
}

/// An attempt paid with the card `number`, through a PaymentMethod made at localstripe.
async fn pay_with(app: &TestApp, base: &str, id: &str, attempt_id: &str, number: &str) -> Value {
    let pm = payment_method(base, number).await;
    app.attempt_ok(id, &token_attempt(attempt_id, &pm)).await
}

async fn create(app: &TestApp, info: &Value) -> String {
    let resp = app.create_payment_raw(info, None).await;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn refund(app: &TestApp, id: &str, body: Value) -> (u16, Value) {
    let resp = app
        .client
        .post(app.url(&format!("/pay/v1/payments/{id}/refunds")))
        .bearer_auth(SECRET_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Waits (up to 60 s) for the payment to leave `Undefined`, and returns its status.
async fn wait_for_final(app: &TestApp, id: &str) -> String {
    for _ in 0..600 {
        let status = app.status_of(id).await;
        if status != "Undefined" {
            return status;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("payment {id} never left Undefined");
}

async fn wait_for_status(app: &TestApp, id: &str, want: &str) {
    for _ in 0..100 {
        if app.status_of(id).await == want {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("payment {id} never became {want}: {}", app.status_of(id).await);
}

#[actix_web::test]
async fn localstripe_a_4242_charge_succeeds_with_the_attempt_in_its_metadata() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let pm = payment_method(&base, "4242424242424242").await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", &pm)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let pi = paid["transactionId"].as_str().unwrap();
    assert!(pi.starts_with("pi_"), "{pi}");
    let intent = stripe_get(&base, &format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["amount"], 2000);
    assert_eq!(intent["currency"], "usd");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["payment_method"], pm.as_str());
    assert_eq!(intent["metadata"]["pay_payment_id"], id.as_str());
    assert_eq!(intent["metadata"]["pay_attempt_id"], "attempt-0001");
    // Exactly one intent for the payment.
    assert_eq!(intents_for(&base, &id).await, (1, 1));
}

#[actix_web::test]
async fn localstripe_yen_go_in_whole_units() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = create(
        &app,
        &json!({"items": [{"name": "Tea", "price": 500}], "amount": 500, "currency": "JPY"}),
    )
    .await;
    let paid = pay_with(&app, &base, &id, "attempt-0001", "4242424242424242").await;
    let intent = stripe_get(
        &base,
        &format!("/v1/payment_intents/{}", paid["transactionId"].as_str().unwrap()),
    )
    .await;
    assert_eq!(intent["amount"], 500);
    assert_eq!(intent["currency"], "jpy");
}

#[actix_web::test]
async fn localstripe_a_card_declined_at_the_charge_fails_with_card_declined() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let failed = pay_with(&app, &base, &id, "attempt-0001", "4000000000000341").await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "card_declined", "{failed}");
    // Another card may be tried.
    let paid = pay_with(&app, &base, &id, "attempt-0002", "4242424242424242").await;
    assert_eq!(paid["status"], "Successful", "{paid}");
}

/// Every PaymentIntent localstripe holds (its list, page after page: the whole suite shares one
/// localstripe).
async fn all_intents(base: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let path = match all.last().and_then(|i: &Value| i["id"].as_str()) {
            Some(last) => format!("/v1/payment_intents?limit=100&starting_after={last}"),
            None => "/v1/payment_intents?limit=100".to_owned(),
        };
        let page = stripe_get(base, &path).await;
        let data = page["data"].as_array().unwrap().clone();
        let more = page["has_more"] == true && !data.is_empty();
        all.extend(data);
        if !more {
            return all;
        }
    }
}

/// The PaymentIntent localstripe holds for a payment (found by its metadata).
async fn intent_of(base: &str, payment_id: &str) -> Value {
    all_intents(base)
        .await
        .into_iter()
        .find(|i| i["metadata"]["pay_payment_id"] == payment_id)
        .expect("an intent for the payment")
}

/// localstripe's 3-D Secure: `requires_action` (`use_stripe_sdk`), finished by its test-only
/// `_authenticate` route, as Stripe.js's challenge would at the buyer's bank.
async fn authenticate(base: &str, pi: &str, success: bool) {
    let intent = stripe_get(base, &format!("/v1/payment_intents/{pi}")).await;
    let resp = reqwest::Client::new()
        .post(format!("{base}/v1/payment_intents/{pi}/_authenticate"))
        .bearer_auth(STRIPE_KEY)
        .form(&[
            ("client_secret", intent["client_secret"].as_str().unwrap()),
            ("success", if success { "true" } else { "false" }),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
}

async fn post_empty(app: &TestApp, path: &str) -> Value {
    let resp = app.client.post(app.url(path)).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.json().await.unwrap()
}

/// 3-D Secure by Stripe.js: the attempt's answer carries the intent's client secret (for
/// `handleNextAction`), nothing else does, and Pay asks Stripe for the outcome when the popup
/// says Stripe.js is done.
#[actix_web::test]
async fn localstripe_a_card_requiring_authentication_completes_by_stripe_js() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    for (i, (card, success, status)) in [
        ("4000002500003155", true, "Successful"),
        ("4000002760003184", false, "Failed"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = app.create_payment().await;
        let attempt = format!("attempt-000{i}");
        let waiting = pay_with(&app, &base, &id, &attempt, card).await;
        assert_eq!(waiting["processing"], true, "{waiting}");
        let intent = intent_of(&base, &id).await;
        let pi = intent["id"].as_str().unwrap();
        assert_eq!(
            waiting["challenge"]["clientSecret"], intent["client_secret"],
            "{waiting}"
        );
        assert!(waiting["challenge"].get("url").is_none(), "{waiting}");
        // Neither the result route nor the merchant API shows the secret.
        let (_, result) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
        assert_eq!(result["processing"], true);
        assert!(result["challenge"].get("clientSecret").is_none(), "{result}");
        let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
        let secret = intent["client_secret"].as_str().unwrap();
        assert!(!details.to_string().contains(secret), "{details}");
        // Told too early: Stripe still waits for the buyer, so does Pay.
        let complete = format!("/pay/v1/checkout/{id}/attempts/{attempt}/complete");
        assert_eq!(post_empty(&app, &complete).await["processing"], true);
        authenticate(&base, pi, success).await;
        let done = post_empty(&app, &complete).await;
        assert_eq!(done["status"], status, "{done}");
        assert_eq!(done["processing"], false, "{done}");
        if !success {
            assert_eq!(done["decline"]["code"], "authentication_failed", "{done}");
        }
    }
}

/// The buyer gives the challenge up: the intent is canceled at Stripe (it can no longer charge)
/// and the attempt fails with `authentication_failed`.
#[actix_web::test]
async fn localstripe_an_abandoned_challenge_cancels_the_intent() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let waiting = pay_with(&app, &base, &id, "attempt-0001", "4000002500003155").await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    let failed = post_empty(&app, &format!("/pay/v1/checkout/{id}/attempts/attempt-0001/abandon")).await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "authentication_failed", "{failed}");
    assert_eq!(intent_of(&base, &id).await["status"], "canceled");
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "abandoned", "{details}");
    // Another card pays.
    let paid = pay_with(&app, &base, &id, "attempt-0002", "4242424242424242").await;
    assert_eq!(paid["status"], "Successful", "{paid}");
}

#[actix_web::test]
async fn localstripe_partial_then_full_refunds() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let paid = pay_with(&app, &base, &id, "attempt-0001", "4242424242424242").await;
    let pi = paid["transactionId"].as_str().unwrap().to_owned();
    let (code, part) = refund(&app, &id, json!({"amount": 5.25})).await;
    assert_eq!(code, 201, "{part}");
    assert_eq!(part["status"], "PartiallyRefunded", "{part}");
    let (code, rest) = refund(&app, &id, json!({})).await;
    assert_eq!(code, 201, "{rest}");
    assert_eq!(rest["status"], "Refunded", "{rest}");
    let refunds = stripe_get(&base, &format!("/v1/refunds?payment_intent={pi}")).await;
    let mut amounts: Vec<i64> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    amounts.sort();
    assert_eq!(amounts, [525, 1475]);
    let ids: Vec<&str> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metadata"]["pay_refund_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&part["refundId"].as_str().unwrap()), "{refunds}");
}

#[actix_web::test]
async fn localstripe_signed_webhooks_move_a_payment() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let hook = reqwest::Client::new()
        .post(format!("{base}/_config/webhooks/pay-{}", uuid::Uuid::new_v4().simple()))
        .form(&[
            ("url", app.url("/pay/v1/providers/stripe/events").as_str()),
            ("secret", WEBHOOK_SECRET),
            ("events[]", "payment_intent.succeeded"),
            ("events[]", "payment_intent.payment_failed"),
        ])
        .send()
        .await
        .unwrap();
    assert!(hook.status().is_success());
    let id = app.create_payment().await;
    let waiting = pay_with(&app, &base, &id, "attempt-0001", "4000002500003155").await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    // The buyer answers; the popup never says so: the event alone settles it.
    authenticate(&base, intent_of(&base, &id).await["id"].as_str().unwrap(), true).await;
    wait_for_status(&app, &id, "Successful").await;
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "event", "{details}");
}

/// A look-up reads the intent by the id Pay stored; without one nothing was ever confirmed; an
/// intent still waiting for its confirmation is canceled, so a late confirm cannot charge it.
#[actix_web::test]
async fn localstripe_lookup_reads_the_intent_by_its_stored_id() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let paid = pay_with(&app, &base, &id, "attempt-0001", "4242424242424242").await;
    let pi = paid["transactionId"].as_str().unwrap().to_owned();
    let provider = app_provider(&base);
    use pay_backend::providers::{AttemptKey, ChargeOutcome, Lookup, Provider};
    let key = AttemptKey::parse(&format!("{id}:attempt-0001")).unwrap();
    assert_eq!(
        provider.lookup(&key, Some(&pi)).await,
        Lookup::Found(ChargeOutcome::Successful { transaction_id: pi })
    );
    let never = AttemptKey::parse(&format!("{id}:attempt-0002")).unwrap();
    assert_eq!(provider.lookup(&never, None).await, Lookup::NeverReached);
    // Created, never confirmed (a process died between the two calls).
    let pm = payment_method(&base, "4242424242424242").await;
    let resp = reqwest::Client::new()
        .post(format!("{base}/v1/payment_intents"))
        .bearer_auth(STRIPE_KEY)
        .form(&[("amount", "2000"), ("currency", "usd"), ("payment_method", pm.as_str())])
        .send()
        .await
        .unwrap();
    let unconfirmed: Value = resp.json().await.unwrap();
    let unconfirmed = unconfirmed["id"].as_str().unwrap();
    assert_eq!(provider.lookup(&never, Some(unconfirmed)).await, Lookup::NeverReached);
    let after = stripe_get(&base, &format!("/v1/payment_intents/{unconfirmed}")).await;
    assert_eq!(after["status"], "canceled");
}

// ---- localstripe behind the fault proxy (Stripe's idempotency, and faults per call) ----

use crate::fault_proxy::{Call, Fault, FaultProxy, Faults};
use futures_util::StreamExt;

/// localstripe's PaymentIntents for a payment, and how many of them succeeded.
async fn intents_for(base: &str, payment_id: &str) -> (usize, usize) {
    let all = all_intents(base).await;
    let ours: Vec<&Value> = all
        .iter()
        .filter(|i| i["metadata"]["pay_payment_id"] == payment_id)
        .collect();
    let succeeded = ours.iter().filter(|i| i["status"] == "succeeded").count();
    (ours.len(), succeeded)
}

/// Pay's timeout per request to Stripe in the fault tests (`stripe_timeout_secs`), and how long
/// the proxy holds a [`Fault::Held`] answer: past it, so Pay gives up after Stripe acted. Not
/// 1 s: with the suite running beside them, some of localstripe's plain answers took longer.
const FAULT_TIMEOUT_SECS: u64 = 2;
const HELD_FOR: Duration = Duration::from_millis(2500);

/// How many calls of one request a fault takes to leave its answer unknown to Pay: its first
/// try and the connector's retries (2, or 5 more for a 429).
const fn every_try(fault: Fault) -> u32 {
    match fault {
        Fault::RateLimited => 6,
        _ => 3,
    }
}

/// Cases at a time: each has its own proxy and server.
const FAULT_CASES_AT_ONCE: usize = 6;

/// Pay behind a new fault proxy in front of localstripe, with [`FAULT_TIMEOUT_SECS`].
async fn behind_faults(base: &str) -> (FaultProxy, TestApp) {
    let proxy = FaultProxy::start(base);
    proxy.hold_answers_for(HELD_FOR);
    let app = stripe_app_with(&proxy.url, true, |s| {
        s.stripe_timeout = Duration::from_secs(FAULT_TIMEOUT_SECS);
    })
    .await;
    (proxy, app)
}

/// How an attempt meets Stripe in a fault case.
#[derive(Debug, Clone, Copy)]
enum AttemptFlow {
    /// Paid with 4242: create, confirm (and, if the confirm's answer stays unknown, the look-up
    /// by id, which cancels an intent never confirmed).
    Pay,
    /// Paid with a card that asks for 3-D Secure, then the challenge given up: cancel.
    Abandon,
}

/// Each fault on each call an attempt makes, alone or after a fault that leads to the call:
/// the payment ends in Stripe's real outcome (a lost or held answer is never a decline), the
/// payment has at most one intent at localstripe, charged at most once, and an attempt that
/// failed uncharged leaves no intent that could still charge.
#[actix_web::test]
async fn localstripe_behind_faults_an_attempt_ends_in_stripes_outcome_charged_once() {
    use AttemptFlow::{Abandon, Pay};
    use Call::{Cancel, Confirm, CreateIntent, Retrieve};
    use Fault::{Held, LostAnswer, RateLimited, ServerError};
    let Some(base) = localstripe() else { return };
    const ALL: u32 = 3;
    let paid = AttemptEnd::PAID;
    // The intent was canceled: it can no longer charge.
    let uncharged = AttemptEnd::CANCELED;
    // Pay never learned the intent's id, so it never confirmed it; it stays unconfirmed.
    let never_confirmed = AttemptEnd {
        intent: Some("requires_confirmation"),
        ..AttemptEnd::CANCELED
    };
    let no_intent = AttemptEnd {
        intent: None,
        ..AttemptEnd::CANCELED
    };
    let abandoned = AttemptEnd {
        decline: Some("authentication_failed"),
        ..AttemptEnd::CANCELED
    };
    // The cancel's answer unknown: the look-up finds the intent canceled.
    let abandoned_unanswered = AttemptEnd::CANCELED;
    let cases: &[(AttemptFlow, &Faults, AttemptEnd)] = &[
        // The creation: a retry under its key gets the intent; if every try is unanswered the
        // intent was never confirmed, so nothing was charged.
        (Pay, &[(CreateIntent, LostAnswer, 1)], paid),
        (Pay, &[(CreateIntent, Held, 1)], paid),
        (Pay, &[(CreateIntent, ServerError, 1)], paid),
        (Pay, &[(CreateIntent, RateLimited, 1)], paid),
        (Pay, &[(CreateIntent, LostAnswer, ALL)], never_confirmed),
        (Pay, &[(CreateIntent, Held, ALL)], never_confirmed),
        (Pay, &[(CreateIntent, ServerError, ALL)], no_intent),
        // The confirmation: a retry gets Stripe's first answer; if every try is unanswered the
        // look-up by id finds it charged (or, never confirmed, cancels it).
        (Pay, &[(Confirm, LostAnswer, 1)], paid),
        (Pay, &[(Confirm, Held, 1)], paid),
        (Pay, &[(Confirm, ServerError, 2)], paid),
        (Pay, &[(Confirm, RateLimited, 2)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL)], paid),
        (Pay, &[(Confirm, Held, ALL)], paid),
        (Pay, &[(Confirm, ServerError, ALL)], uncharged),
        (Pay, &[(Confirm, RateLimited, every_try(RateLimited))], uncharged),
        // The look-up after a confirmation charged unanswered: retried, or asked again later.
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, LostAnswer, 1)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, Held, 1)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, ServerError, 1)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, RateLimited, 1)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, LostAnswer, ALL)], paid),
        (Pay, &[(Confirm, Held, ALL), (Retrieve, Held, ALL)], paid),
        (Pay, &[(Confirm, LostAnswer, ALL), (Retrieve, ServerError, ALL)], paid),
        // The cancel of an intent the look-up found never confirmed.
        (Pay, &[(Confirm, ServerError, ALL), (Cancel, LostAnswer, 1)], uncharged),
        (Pay, &[(Confirm, ServerError, ALL), (Cancel, Held, 1)], uncharged),
        (Pay, &[(Confirm, ServerError, ALL), (Cancel, ServerError, 1)], uncharged),
        (Pay, &[(Confirm, ServerError, ALL), (Cancel, RateLimited, 1)], uncharged),
        (Pay, &[(Confirm, ServerError, ALL), (Cancel, Held, ALL)], uncharged),
        // The cancel of an abandoned challenge: if every try is unanswered the attempt waits,
        // and its look-up finds the intent canceled.
        (Abandon, &[(Cancel, LostAnswer, 1)], abandoned),
        (Abandon, &[(Cancel, Held, 1)], abandoned),
        (Abandon, &[(Cancel, ServerError, 1)], abandoned),
        (Abandon, &[(Cancel, RateLimited, 1)], abandoned),
        (Abandon, &[(Cancel, LostAnswer, ALL)], abandoned_unanswered),
        (Abandon, &[(Cancel, Held, ALL)], abandoned_unanswered),
    ];
    let started = std::time::Instant::now();
    let base = base.as_str();
    futures_util::stream::iter(cases)
        .map(|&(flow, faults, want)| attempt_behind_faults(base, flow, faults, want))
        .buffer_unordered(FAULT_CASES_AT_ONCE)
        .collect::<Vec<()>>()
        .await;
    eprintln!("{} attempt cases behind faults in {:?}", cases.len(), started.elapsed());
}

/// How an attempt ends in a fault case: the payment's status, the attempt's decline code (none:
/// paid), and the status of the payment's one intent at localstripe (none: it has none).
#[derive(Debug, Clone, Copy)]
struct AttemptEnd {
    payment: &'static str,
    decline: Option<&'static str>,
    intent: Option<&'static str>,
}

impl AttemptEnd {
    const PAID: Self = Self {
        payment: "Successful",
        decline: None,
        intent: Some("succeeded"),
    };
    const CANCELED: Self = Self {
        payment: "Failed",
        decline: Some("processing_error"),
        intent: Some("canceled"),
    };
}

async fn attempt_behind_faults(base: &str, flow: AttemptFlow, faults: &Faults, want: AttemptEnd) {
    let (proxy, app) = behind_faults(base).await;
    let id = app.create_payment().await;
    let card = match flow {
        AttemptFlow::Pay => "4242424242424242",
        AttemptFlow::Abandon => "4000002500003155",
    };
    let pm = payment_method(base, card).await;
    for &(call, fault, times) in faults {
        proxy.fail(call, fault, times);
    }
    let answer = app.attempt_ok(&id, &token_attempt("attempt-0001", &pm)).await;
    let case = format!("{flow:?} {faults:?}: {answer}");
    if let AttemptFlow::Abandon = flow {
        assert_eq!(answer["processing"], true, "{case}");
        let path = format!("/pay/v1/checkout/{id}/attempts/attempt-0001/abandon");
        post_empty(&app, &path).await;
    }
    assert_eq!(wait_for_final(&app, &id).await, want.payment, "{case}");
    // One intent at most, charged at most once, and one Pay knew of can no longer charge.
    let intents = intents_through(&proxy, base, &id).await;
    let statuses: Vec<&str> = intents.iter().map(|(_, status)| status.as_str()).collect();
    assert_eq!(statuses, Vec::from_iter(want.intent), "{case}");
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    match want.decline {
        None => assert_eq!(details["transactionId"], intents[0].0, "{case}"),
        Some(code) => {
            assert_eq!(details["attempts"][0]["declineCode"], code, "{case}: {details}");
            // The buyer pays with another attempt: charged once.
            let pm = payment_method(base, "4242424242424242").await;
            let paid = app.attempt_ok(&id, &token_attempt("attempt-0002", &pm)).await;
            assert_eq!(paid["status"], "Successful", "{case}: {paid}");
            let intents = intents_through(&proxy, base, &id).await;
            let charged = intents.iter().filter(|(_, status)| status == "succeeded").count();
            assert_eq!(charged, 1, "{case}: {intents:?}");
        }
    }
    assert!(proxy.forwarded(Call::Confirm) <= 2, "{case}");
    assert_faults_met(&proxy, faults, &case);
}

/// The intents localstripe created through the proxy (all of the payment's), with their
/// status at localstripe.
async fn intents_through(proxy: &FaultProxy, base: &str, payment_id: &str) -> Vec<(String, String)> {
    let mut intents = Vec::new();
    for pi in proxy.created_intents() {
        let intent = stripe_get(base, &format!("/v1/payment_intents/{pi}")).await;
        assert_eq!(intent["metadata"]["pay_payment_id"], payment_id, "{intent}");
        intents.push((pi, intent["status"].as_str().unwrap_or_default().to_owned()));
    }
    intents
}

/// Every fault of a case was met: the flow reached each call it puts a fault on.
fn assert_faults_met(proxy: &FaultProxy, faults: &Faults, case: &str) {
    for &(call, ..) in faults {
        assert_eq!(proxy.unmet(call), 0, "{case}: not every {call:?} fault was met");
    }
}

/// Each fault on a refund, and on the look-up of a refund Stripe answered `pending` (the
/// proxy says so; localstripe refunded it at once): refunded once at localstripe, and Pay
/// counts it once.
#[actix_web::test]
async fn localstripe_behind_faults_a_refund_is_made_once_and_counted_once() {
    use Call::{Refund, RefundLookup};
    use Fault::{Held, LostAnswer, RateLimited, ServerError};
    let Some(base) = localstripe() else { return };
    const ALL: u32 = 3;
    // (the refund answers pending, faults).
    let cases: &[(bool, &Faults)] = &[
        (false, &[(Refund, LostAnswer, 1)]),
        (false, &[(Refund, Held, 1)]),
        (false, &[(Refund, ServerError, 1)]),
        (false, &[(Refund, RateLimited, 1)]),
        (false, &[(Refund, LostAnswer, ALL)]),
        (false, &[(Refund, Held, ALL)]),
        (false, &[(Refund, ServerError, ALL)]),
        (false, &[(Refund, RateLimited, every_try(RateLimited))]),
        (true, &[]),
        (true, &[(RefundLookup, LostAnswer, 1)]),
        (true, &[(RefundLookup, Held, 1)]),
        (true, &[(RefundLookup, ServerError, 1)]),
        (true, &[(RefundLookup, RateLimited, 1)]),
        (true, &[(RefundLookup, LostAnswer, ALL)]),
        (true, &[(RefundLookup, Held, ALL)]),
        (true, &[(RefundLookup, ServerError, ALL)]),
        (true, &[(Refund, Held, ALL), (RefundLookup, Held, ALL)]),
    ];
    let started = std::time::Instant::now();
    let base = base.as_str();
    futures_util::stream::iter(cases)
        .map(|&(pending, faults)| refund_behind_faults(base, pending, faults))
        .buffer_unordered(FAULT_CASES_AT_ONCE)
        .collect::<Vec<()>>()
        .await;
    eprintln!("{} refund cases behind faults in {:?}", cases.len(), started.elapsed());
}

async fn refund_behind_faults(base: &str, pending: bool, faults: &Faults) {
    let (proxy, app) = behind_faults(base).await;
    let id = app.create_payment().await;
    pay_with(&app, base, &id, "attempt-0001", "4242424242424242").await;
    // Paid (at once, or by its look-up if localstripe was slower than the timeout).
    assert_eq!(wait_for_final(&app, &id).await, "Successful");
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    let pi = details["transactionId"].as_str().unwrap().to_owned();
    if pending {
        proxy.refunds_pending();
    }
    for &(call, fault, times) in faults {
        proxy.fail(call, fault, times);
    }
    let (code, answer) = refund(&app, &id, json!({})).await;
    let case = format!("pending {pending}, {faults:?}: {code} {answer}");
    assert!(code == 201 || code == 202, "{case}");
    for _ in 0..600 {
        if app.status_of(&id).await == "Refunded" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.status_of(&id).await, "Refunded", "{case}");
    let refunds = stripe_get(base, &format!("/v1/refunds?payment_intent={pi}")).await;
    assert_eq!(refunds["data"].as_array().unwrap().len(), 1, "{case}: refunded once");
    assert_eq!(refunds["data"][0]["status"], "succeeded", "{case}");
    assert_eq!(app.event_statuses(&id).await, ["Successful", "Refunded"], "{case}");
    assert!(proxy.forwarded(Call::Refund) <= 1, "{case}");
    if pending {
        assert!(proxy.forwarded(Call::RefundLookup) >= 1, "{case}: looked up");
    }
    assert_faults_met(&proxy, faults, &case);
}

/// Stripe's idempotency as the proxy plays it: the same key with other parameters is refused.
#[actix_web::test]
async fn the_fault_proxy_refuses_a_key_reused_with_other_parameters() {
    let Some(base) = localstripe() else { return };
    let proxy = FaultProxy::start(&base);
    let post = |amount: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/v1/payment_intents", proxy.url))
            .bearer_auth(STRIPE_KEY)
            .header("Idempotency-Key", "same-key")
            .form(&[("amount", amount), ("currency", "usd")])
            .send()
    };
    let first: Value = post("1000").await.unwrap().json().await.unwrap();
    let again = post("1000").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let other = post("2000").await.unwrap();
    assert_eq!(other.status(), 400);
    assert_eq!(
        other.json::<Value>().await.unwrap()["error"]["type"],
        "idempotency_error"
    );
    assert_eq!(proxy.forwarded(Call::CreateIntent), 1);
}

fn app_provider(base: &str) -> pay_backend::providers::StripeProvider {
    let dir = tempfile::tempdir().unwrap();
    let mut s = test_settings(&dir);
    s.provider = ProviderName::Stripe;
    s.stripe_secret_key = Some(STRIPE_KEY.into());
    s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
    s.stripe_publishable_key = Some(PUBLISHABLE_KEY.into());
    s.stripe_api_base = base.parse().unwrap();
    s.stripe_localstripe = true;
    s.public_url = Some("https://pay.shop.example".parse().unwrap());
    s.stripe().map_err(|e| e.to_string()).unwrap()
}

#[actix_web::test]
async fn amounts_and_currencies_stripe_cannot_take_are_refused_at_creation() {
    // No call reaches Stripe for these: any address does.
    let app = stripe_app("http://127.0.0.1:9", false).await;
    let cases = [
        json!({"items": [{"name": "Gum", "price": 0.10}], "amount": 0.10, "currency": "USD"}),
        json!({"items": [{"name": "Gum", "price": 1000000}], "amount": 1000000, "currency": "USD"}),
        json!({"items": [{"name": "Gum", "price": 10}], "amount": 10, "currency": "CUP"}),
        json!({"items": [{"name": "Gum", "price": 5.125}], "amount": 5.125, "currency": "KWD"}),
    ];
    for info in cases {
        let resp = app.create_payment_raw(&info, None).await;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 422, "{info}: {body}");
        assert_eq!(body["code"], "invalid_amount", "{body}");
        assert!(body["message"].as_str().unwrap().contains("Stripe"), "{body}");
    }
    let app = spawn_app_with(|_| {}).await;
    let resp = app
        .create_payment_raw(
            &json!({"items": [{"name": "Gum", "price": 0.10}], "amount": 0.10, "currency": "USD"}),
            None,
        )
        .await;
    assert_eq!(resp.status(), 201, "the sandbox takes what Stripe would not");
}

#[actix_web::test]
async fn stripe_needs_its_keys_and_the_public_url() {
    for missing in [
        "stripe_secret_key",
        "stripe_webhook_secret",
        "stripe_publishable_key",
        "public_url",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings(&dir);
        s.provider = ProviderName::Stripe;
        s.stripe_secret_key = Some(STRIPE_KEY.into());
        s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
        s.stripe_publishable_key = Some(PUBLISHABLE_KEY.into());
        s.public_url = Some("https://pay.shop.example".parse().unwrap());
        match missing {
            "stripe_secret_key" => s.stripe_secret_key = None,
            "stripe_webhook_secret" => s.stripe_webhook_secret = None,
            "stripe_publishable_key" => s.stripe_publishable_key = None,
            _ => s.public_url = None,
        }
        let err = Application::build(s).await.err().expect("refused").to_string();
        assert!(err.contains(missing), "{err}");
    }
    // Stripe is a live provider: test_mode = false takes it.
    let dir = tempfile::tempdir().unwrap();
    let mut s = test_settings(&dir);
    s.provider = ProviderName::Stripe;
    s.test_mode = false;
    s.stripe_secret_key = Some(STRIPE_KEY.into());
    s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
    s.stripe_publishable_key = Some(PUBLISHABLE_KEY.into());
    s.public_url = Some("https://pay.shop.example".parse().unwrap());
    let app = run(Application::build(s.clone()).await.unwrap(), dir);
    assert_eq!(app.get("/pay/v1/sandbox/challenges/x/y").await.status(), 404);
    s.stripe_localstripe = true;
    let err = Application::build(s).await.err().expect("refused").to_string();
    assert!(err.contains("stripe_localstripe"), "{err}");
}

// ---- A fake Stripe in the shapes of Stripe's API reference, for what localstripe lacks ----

/// What the fake does and what it saw.
#[derive(Default)]
pub(crate) struct Fake {
    /// 5xx answers still to give to `POST /v1/payment_intents` (creating an intent).
    fail_creates: u32,
    /// 5xx (or `fail_status`) answers still to give to confirmations, before acting.
    fail_confirms: u32,
    /// Confirmations still to carry out and then answer 500 (the answer lost after Stripe
    /// acted).
    lose_confirms: u32,
    /// The status of failing answers (500 unless set).
    fail_status: u16,
    /// `Stripe-Should-Retry` on failing answers, when set.
    fail_should_retry: Option<&'static str>,
    /// Forget idempotency keys, as localstripe does (Stripe replays a key's first answer).
    no_replays: bool,
    /// Confirmations are carried out, then their answer is held this long (a kill lands then).
    pub(crate) hold_confirms: Duration,
    /// The status an intent takes on confirmation: `succeeded` or `requires_action`.
    intent_status: String,
    /// A refusal (400) of intent creation.
    create_error: Option<Value>,
    /// A card error (402) at confirmation instead.
    decline: Option<Value>,
    /// Requests seen: (method and path, Idempotency-Key, form).
    seen: Vec<(String, Option<String>, BTreeMap<String, String>)>,
    /// Intents by id; refunds by id; replays by Idempotency-Key.
    pub(crate) intents: BTreeMap<String, Value>,
    refunds: BTreeMap<String, Value>,
    replays: BTreeMap<String, Value>,
}

pub(crate) type Shared = Arc<Mutex<Fake>>;

fn error(status: u16, error: Value) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({"error": error}))
}

async fn fake_stripe(req: HttpRequest, body: web::Bytes, fake: web::Data<Shared>) -> HttpResponse {
    let mut held = None;
    let answer = fake_answer(&req, &body, &fake, &mut held);
    match held {
        // Carried out; the answer comes after the hold.
        Some((hold, intent)) => {
            actix_web::rt::time::sleep(hold).await;
            HttpResponse::Ok().json(intent)
        }
        None => answer,
    }
}

/// The fake's answer, or (`held`) the one to give after a hold.
fn fake_answer(
    req: &HttpRequest,
    body: &web::Bytes,
    fake: &Shared,
    held: &mut Option<(Duration, Value)>,
) -> HttpResponse {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path = req.path().to_owned();
    if (req.method().as_str(), path.as_str()) == ("GET", "/v1/balance") {
        // Pay's probe (is Stripe reachable?): answered, and not among the calls tests look at.
        return HttpResponse::Ok().json(json!({"object": "balance", "available": [], "pending": []}));
    }
    let mut fake = fake.lock().unwrap();
    fake.seen
        .push((format!("{} {path}", req.method()), key.clone(), form.clone()));
    if let Some(replay) = key
        .as_ref()
        .filter(|_| !fake.no_replays)
        .and_then(|k| fake.replays.get(k))
    {
        return HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(replay);
    }
    let boom = json!({"type": "api_error", "message": "boom"});
    let intent_id = path
        .strip_prefix("/v1/payment_intents/")
        .map(|rest| rest.split('/').next().unwrap_or_default().to_owned());
    let answer = match (req.method().as_str(), path.as_str()) {
        ("POST", "/v1/payment_intents") if fake.fail_creates > 0 => {
            fake.fail_creates -= 1;
            return error(500, boom);
        }
        ("POST", "/v1/payment_intents") if fake.create_error.is_some() => {
            return error(400, fake.create_error.clone().unwrap());
        }
        ("POST", "/v1/payment_intents") => {
            let id = format!("pi_fake{}", fake.intents.len() + 1);
            let intent = json!({"id": id, "object": "payment_intent", "status": "requires_confirmation",
                "amount": form.get("amount").map(|a| a.parse::<i64>().unwrap()),
                "payment_method": form.get("payment_method"), "client_secret": format!("{id}_secret_fake"),
                "metadata": {"pay_payment_id": form.get("metadata[pay_payment_id]"),
                             "pay_attempt_id": form.get("metadata[pay_attempt_id]")}});
            fake.intents.insert(id, intent.clone());
            intent
        }
        ("POST", p) if p.ends_with("/confirm") => {
            let id = intent_id.unwrap();
            if fake.fail_confirms > 0 {
                fake.fail_confirms -= 1;
                let status = fake.fail_status;
                let mut answer = error(status, boom);
                if let Some(said) = fake.fail_should_retry {
                    answer.headers_mut().insert(
                        actix_web::http::header::HeaderName::from_static("stripe-should-retry"),
                        actix_web::http::header::HeaderValue::from_static(said),
                    );
                }
                return answer;
            }
            let status = fake.intent_status.clone();
            let decline = fake.decline.clone();
            let Some(intent) = fake.intents.get_mut(&id) else {
                return error(
                    404,
                    json!({"type": "invalid_request_error", "code": "resource_missing"}),
                );
            };
            if intent["status"] != "requires_confirmation" {
                return error(
                    400,
                    json!({"type": "invalid_request_error", "code": "payment_intent_unexpected_state"}),
                );
            }
            // Stripe's test PaymentMethod of a card declined at the charge.
            let declined_card = intent["payment_method"]
                .as_str()
                .is_some_and(|pm| pm.starts_with("pm_card_chargeDeclined"));
            let decline = decline.or_else(|| {
                declined_card.then(|| {
                    json!({"type": "card_error", "code": "card_declined",
                    "decline_code": "generic_decline", "message": "Your card was declined."})
                })
            });
            if let Some(decline) = decline {
                intent["status"] = json!("requires_payment_method");
                intent["last_payment_error"] = decline.clone();
                let mut error_body = decline;
                error_body["payment_intent"] = intent.clone();
                return error(402, error_body);
            }
            intent["status"] = json!(status);
            let intent = intent.clone();
            if !fake.hold_confirms.is_zero() {
                let hold = fake.hold_confirms;
                if let Some(key) = key {
                    fake.replays.insert(key, intent.clone());
                }
                *held = Some((hold, intent));
                return HttpResponse::Accepted().finish();
            }
            if fake.lose_confirms > 0 {
                // Stripe acted and kept its answer for the key; the answer never arrived.
                fake.lose_confirms -= 1;
                if let Some(key) = key {
                    fake.replays.insert(key, intent);
                }
                return error(500, boom);
            }
            intent
        }
        ("POST", p) if p.ends_with("/cancel") => {
            let id = intent_id.unwrap();
            let Some(intent) = fake.intents.get_mut(&id) else {
                return error(
                    404,
                    json!({"type": "invalid_request_error", "code": "resource_missing"}),
                );
            };
            if matches!(intent["status"].as_str(), Some("succeeded" | "processing" | "canceled")) {
                return error(
                    400,
                    json!({"type": "invalid_request_error", "code": "payment_intent_unexpected_state"}),
                );
            }
            intent["status"] = json!("canceled");
            intent.clone()
        }
        ("POST", "/v1/refunds") => {
            let id = format!("re_{}", fake.seen.len());
            let refund = json!({"id": id, "object": "refund", "status": "pending",
                   "amount": form.get("amount").map(|a| a.parse::<i64>().unwrap()),
                   "payment_intent": form.get("payment_intent"),
                   "metadata": {"pay_refund_id": form.get("metadata[pay_refund_id]")}});
            fake.refunds.insert(id, refund.clone());
            refund
        }
        ("GET", "/v1/refunds") => {
            let pi = req
                .query_string()
                .split('&')
                .find_map(|p| p.strip_prefix("payment_intent="))
                .unwrap_or_default();
            let data: Vec<&Value> = fake.refunds.values().filter(|r| r["payment_intent"] == pi).collect();
            json!({"object": "list", "data": data, "has_more": false})
        }
        ("GET", _) if intent_id.is_some() => match fake.intents.get(intent_id.as_deref().unwrap()) {
            Some(intent) => intent.clone(),
            None => {
                return error(
                    404,
                    json!({"type": "invalid_request_error", "code": "resource_missing"}),
                )
            }
        },
        _ => {
            return error(
                404,
                json!({"type": "invalid_request_error", "message": "no such route"}),
            )
        }
    };
    if let Some(key) = key {
        fake.replays.insert(key, answer.clone());
    }
    HttpResponse::Ok().json(answer)
}

/// Starts the fake on a free loopback port; returns its URL and its state.
fn start_fake(setup: impl FnOnce(&mut Fake)) -> (String, Shared) {
    let shared = fake(setup);
    let (port, _) = serve_fake(&shared, 0);
    (format!("http://127.0.0.1:{port}"), shared)
}

/// The fake's state, to serve with [`serve_fake`].
pub(crate) fn fake(setup: impl FnOnce(&mut Fake)) -> Shared {
    let mut fake = Fake {
        intent_status: "succeeded".into(),
        fail_status: 500,
        ..Fake::default()
    };
    setup(&mut fake);
    Arc::new(Mutex::new(fake))
}

/// Serves the fake's state on a loopback `port` (0: a free one); answers the port and the
/// handle that stops it (the fake's state outlives it, to be served again).
pub(crate) fn serve_fake(fake: &Shared, port: u16) -> (u16, actix_web::dev::ServerHandle) {
    let data = web::Data::new(fake.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(fake_stripe)))
        .workers(1)
        .bind(("127.0.0.1", port))
        .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (port, handle)
}

pub(crate) fn seen(fake: &Shared, what: &str) -> Vec<(Option<String>, BTreeMap<String, String>)> {
    fake.lock()
        .unwrap()
        .seen
        .iter()
        .filter(|(w, _, _)| w == what)
        .map(|(_, k, f)| (k.clone(), f.clone()))
        .collect()
}

fn calls(fake: &Shared) -> Vec<String> {
    fake.lock().unwrap().seen.iter().map(|(w, _, _)| w.clone()).collect()
}

const PM: &str = "pm_card_visa_0001";

/// The intent first (unconfirmed, under the attempt's key), then its confirmation under a key
/// of its own; a 500 on the confirmation is retried with that same key.
#[actix_web::test]
async fn the_intent_is_created_then_confirmed_and_a_500_is_retried_with_the_same_key() {
    let (base, fake) = start_fake(|f| f.fail_confirms = 1);
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    assert_eq!(paid["transactionId"], "pi_fake1");
    assert_eq!(
        calls(&fake),
        [
            "POST /v1/payment_intents",
            "POST /v1/payment_intents/pi_fake1/confirm",
            "POST /v1/payment_intents/pi_fake1/confirm"
        ]
    );
    let created = &seen(&fake, "POST /v1/payment_intents")[0];
    assert_eq!(created.0.as_deref(), Some(format!("pay-pi-{id}:attempt-0001").as_str()));
    let form = &created.1;
    assert_eq!(form["amount"], "2000");
    assert_eq!(form["currency"], "usd");
    assert_eq!(form["payment_method"], PM);
    assert!(!form.contains_key("confirm"), "{form:?}");
    assert_eq!(form["metadata[pay_payment_id]"], id);
    assert_eq!(form["metadata[pay_attempt_id]"], "attempt-0001");
    assert!(form.keys().all(|k| !k.starts_with("card[")), "{form:?}");
    let confirms = seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm");
    assert_eq!(confirms[0].0, confirms[1].0, "the same Idempotency-Key");
    assert_eq!(
        confirms[0].0.as_deref(),
        Some(format!("pay-confirm-{id}:attempt-0001").as_str())
    );
    assert_eq!(confirms[0].1["use_stripe_sdk"], "true");
    assert_eq!(
        confirms[0].1["return_url"],
        format!("https://pay.shop.example/pay/v1/checkout/{id}/attempts/attempt-0001/return")
    );
}

/// A confirmation answered `status` once, then carried out: the attempt pays on the retry,
/// which carries the first try's key.
async fn confirm_retried_after(status: u16) -> (Shared, TestApp) {
    let (base, fake) = start_fake(|f| {
        f.fail_confirms = 1;
        f.fail_status = status;
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let confirms = seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm");
    assert_eq!(confirms.len(), 2);
    assert_eq!(confirms[0].0, confirms[1].0);
    (fake, app)
}

#[actix_web::test]
async fn a_429_is_retried_and_a_refusal_that_is_not_a_card_error_is_a_processing_error() {
    let (fake, app) = confirm_retried_after(429).await;
    // A PaymentMethod Stripe does not know: not the card's fault, and nothing confirmed.
    fake.lock().unwrap().create_error = Some(json!({"type": "invalid_request_error", "code": "resource_missing",
        "message": "No such PaymentMethod: 'pm_unknown'"}));
    let id = app.create_payment().await;
    let failed = app.attempt_ok(&id, &token_attempt("attempt-0001", "pm_unknown")).await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "processing_error", "{failed}");
    assert_eq!(seen(&fake, "POST /v1/payment_intents/pi_fake2/confirm").len(), 0);
}

/// A 409 (the key in use by a request Stripe still runs, e.g. a dead process's) is asked again
/// with the same key, never taken for a refusal.
#[actix_web::test]
async fn a_409_for_a_key_in_use_is_asked_again() {
    confirm_retried_after(409).await;
}

/// Stripe's rate limiter under a burst: 200 attempts at once through the fault proxy, which
/// answers 429 (`Stripe-Should-Retry: true`) to every third call Pay makes. Every payment ends
/// in its card's outcome (or, if every retry of a call was refused, uncharged and failed as a
/// processing error), no payment has two intents, and no intent is confirmed twice. Against
/// the fake, not localstripe: localstripe writes its whole store to disk after every POST, so
/// under this burst its answers took up to 52 s (past Pay's 30 s timeout; measured with 1 500
/// objects in its store), which measures localstripe rather than Pay.
#[actix_web::test]
async fn a_burst_of_200_attempts_with_429s_on_a_third_of_the_calls() {
    const N: usize = 200;
    let (base, fake) = start_fake(|_| {});
    let proxy = FaultProxy::start(&base);
    let app = stripe_app_with(&proxy.url, false, |s| s.attempts_per_minute_per_ip = 10 * N as u32).await;
    // One card in four is declined at the charge.
    let declined = |i: usize| i % 4 == 3;
    let mut payments = Vec::with_capacity(N);
    for i in 0..N {
        let pm = if declined(i) {
            "pm_card_chargeDeclined"
        } else {
            "pm_card_visa"
        };
        payments.push((app.create_payment().await, format!("{pm}_{i:04}")));
    }
    proxy.rate_limit_every(3);
    let started = std::time::Instant::now();

    let app = Arc::new(app);
    let burst: Vec<_> = payments
        .iter()
        .map(|(id, pm)| {
            let (app, id, body) = (app.clone(), id.clone(), token_attempt("attempt-0001", pm));
            actix_web::rt::spawn(async move { app.attempt(&id, &body).await.status().as_u16() })
        })
        .collect();
    for answered in burst {
        assert_eq!(answered.await.unwrap(), 200);
    }

    let mut uncharged = 0;
    for (i, (id, _)) in payments.iter().enumerate() {
        let status = wait_for_final(&app, id).await;
        let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
        let decline = details["attempts"][0]["declineCode"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match (declined(i), status.as_str(), decline.as_str()) {
            (false, "Successful", _) | (true, "Failed", "card_declined") => {}
            (_, "Failed", "processing_error") => uncharged += 1,
            other => panic!("{id}: {other:?}"),
        }
        let fake = fake.lock().unwrap();
        let intents: Vec<&Value> = fake
            .intents
            .values()
            .filter(|x| x["metadata"]["pay_payment_id"] == id.as_str())
            .collect();
        // None when every retry of its creation was refused.
        assert!(intents.len() <= 1, "{id}: {intents:?}");
        let paid = intents.first().is_some_and(|x| x["status"] == "succeeded");
        assert_eq!(paid, status == "Successful", "{id}: {intents:?}");
        if let Some(pi) = intents.first().and_then(|x| x["id"].as_str()) {
            let confirmed = fake
                .seen
                .iter()
                .filter(|(what, _, _)| *what == format!("POST /v1/payment_intents/{pi}/confirm"))
                .map(|(_, key, _)| key.clone())
                .collect::<std::collections::BTreeSet<_>>();
            assert!(confirmed.len() <= 1, "{id}: confirmed under {confirmed:?}");
        }
    }
    let (calls, limited) = proxy.rate_limited();
    assert!(
        limited * 3 + 3 >= calls && limited as usize >= N / 2,
        "{limited} of {calls} calls were 429"
    );
    println!(
        "burst: {N} attempts, all final in {:.1} s; {calls} calls to Stripe, {limited} answered 429; \
         {uncharged} payments uncharged (Failed, processing_error: every retry of a call refused)",
        started.elapsed().as_secs_f64()
    );
}

/// Stripe's rate limit refused the confirmation five times running: a 429 has retries of its
/// own (nothing was done; asking later is safe), and the sixth call charges.
#[actix_web::test]
async fn five_429s_in_a_row_are_waited_out() {
    let (base, fake) = start_fake(|f| {
        f.fail_confirms = 5;
        f.fail_status = 429;
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let confirms = seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm");
    assert_eq!(confirms.len(), 6);
    assert!(confirms.iter().all(|c| c.1 == confirms[0].1), "one key for every call");
}

/// `Stripe-Should-Retry: false` on a 500 is not asked again (nor taken for a decline: the
/// attempt waits for its look-up), and `true` on a 400 is.
#[actix_web::test]
async fn stripe_should_retry_is_followed() {
    let (base, fake) = start_fake(|f| {
        f.fail_confirms = 1;
        f.fail_should_retry = Some("false");
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let waiting = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    assert_eq!(waiting["decline"], Value::Null, "{waiting}");
    assert_eq!(seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm").len(), 1);

    let (base, fake) = start_fake(|f| {
        f.fail_confirms = 1;
        f.fail_status = 400;
        f.fail_should_retry = Some("true");
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    assert_eq!(seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm").len(), 2);
}

#[actix_web::test]
async fn an_idempotent_replay_returns_the_first_answer() {
    let (base, fake) = start_fake(|_| {});
    let provider = app_provider(&base);
    use pay_backend::providers::{AttemptKey, CardSource, ChargeRequest, Provider};
    let key = AttemptKey::parse("3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:attempt-0001").unwrap();
    let request = |provider_ref| ChargeRequest {
        key: &key,
        amount: pay_types::Amount::new("20.00".parse().unwrap()),
        currency: pay_types::Currency::parse("USD").unwrap(),
        source: CardSource::Token(PM),
        provider_ref,
        buyer: None,
        return_path: String::new(),
    };
    let first = provider.prepare(&request(None)).await.unwrap();
    let again = provider.prepare(&request(None)).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.as_deref(), Some("pi_fake1"));
    let charged = provider.charge(request(first.as_deref())).await;
    let recharged = provider.charge(request(first.as_deref())).await;
    assert_eq!(charged, recharged);
    assert_eq!(
        fake.lock().unwrap().intents.len(),
        1,
        "one PaymentIntent for one attempt"
    );
}

/// Every answer to the confirmation lost: the attempt waits (never a decline), and the look-up
/// by the stored id finds the intent never confirmed, cancels it, and fails the attempt
/// uncharged. No list of intents is ever read.
#[actix_web::test]
async fn stripe_5xx_after_every_retry_leaves_the_attempt_unknown_until_a_lookup_by_id() {
    let (base, fake) = start_fake(|f| f.fail_confirms = 3);
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let waiting = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    assert_eq!(
        seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm").len(),
        3,
        "the first call and two retries"
    );
    wait_for_status(&app, &id, "Failed").await;
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "lookup", "{details}");
    assert_eq!(details["attempts"][0]["declineCode"], "processing_error", "{details}");
    let calls = calls(&fake);
    assert!(
        calls.contains(&"GET /v1/payment_intents/pi_fake1".to_owned()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"POST /v1/payment_intents/pi_fake1/cancel".to_owned()),
        "{calls:?}"
    );
    assert!(!calls
        .iter()
        .any(|c| c.starts_with("GET /v1/payment_intents?") || c == "GET /v1/payment_intents"));
    assert_eq!(fake.lock().unwrap().intents["pi_fake1"]["status"], "canceled");
}

/// Stripe charged and its answer was lost: the retry under the same key gets Stripe's first
/// answer, as Stripe replays it. One intent, charged once.
#[actix_web::test]
async fn an_answer_lost_after_stripe_charged_is_replayed_under_the_same_key() {
    let (base, fake) = start_fake(|f| f.lose_confirms = 1);
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let confirms = seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm");
    assert_eq!(confirms.len(), 2);
    assert_eq!(confirms[0].0, confirms[1].0);
    assert_eq!(fake.lock().unwrap().intents.len(), 1);
}

/// The same without replays (localstripe ignores idempotency keys): the retried confirm is
/// refused, as the intent is no longer waiting for one. A refusal that is not a card error is
/// never taken for a decline: the connector reads the intent, which Stripe charged.
#[actix_web::test]
async fn a_refused_confirm_retry_reads_the_intent_instead_of_guessing() {
    let (base, fake) = start_fake(|f| {
        f.lose_confirms = 1;
        f.no_replays = true;
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    assert_eq!(paid["transactionId"], "pi_fake1");
    assert!(calls(&fake).contains(&"GET /v1/payment_intents/pi_fake1".to_owned()));
}

pub(crate) fn stripe_env(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("PAY_PROVIDER", "stripe".to_owned()),
        ("PAY_STRIPE_SECRET_KEY", STRIPE_KEY.to_owned()),
        ("PAY_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
        ("PAY_STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY.to_owned()),
        ("PAY_STRIPE_API_BASE", base.to_owned()),
        ("PAY_PUBLIC_URL", "https://pay.shop.example".to_owned()),
    ]
}

/// The server killed (-9) while Stripe's answer to a confirmation is on its way (Stripe
/// charged): after the restart the attempt is looked up at once by its intent's id, not after a
/// grace of minutes, and takes Stripe's outcome. Prints the restart-to-resolution time.
#[actix_web::test]
async fn a_killed_servers_attempt_at_stripe_resolves_within_seconds_of_the_restart() {
    let (base, fake) = start_fake(|f| f.hold_confirms = Duration::from_secs(120));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let server = Server::start_with(&db, "info", &stripe_env(&base));
    let id = killed_while_stripe_answers(server, &fake).await;
    let restarted = std::time::Instant::now();
    let server = Server::start_with(&db, "info", &stripe_env(&base));
    let resolved = loop {
        let (_, details) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
        if details["status"] == "Successful" {
            break restarted.elapsed();
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(10),
            "not resolved 10 s after the restart: {details}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    println!("stripe: restart to resolution {} ms", resolved.as_millis());
    let (_, details) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["transactionId"], "pi_fake1", "{details}");
    assert_eq!(details["attempts"][0]["resolvedBy"], "lookup", "{details}");
    assert_eq!(fake.lock().unwrap().intents.len(), 1, "charged once");
    assert_eq!(
        seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm").len(),
        1,
        "confirmed once"
    );
    server.kill();
}

/// Pays a new payment and kills `server` (-9) once Stripe (the fake, holding its answers to
/// confirmations) charged and before its answer arrives; answers the payment's id.
pub(crate) async fn killed_while_stripe_answers(server: Server, fake: &Shared) -> String {
    let id = server.create_payment().await;
    let url = format!("{}/pay/v1/checkout/{id}/attempts", server.address);
    let in_flight = actix_web::rt::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .json(&token_attempt("attempt-0001", PM))
            .send()
            .await
    });
    for _ in 0..200 {
        if !seen(fake, "POST /v1/payment_intents/pi_fake1/confirm").is_empty() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        fake.lock().unwrap().intents["pi_fake1"]["status"],
        "succeeded",
        "Stripe charged"
    );
    server.kill();
    assert!(
        in_flight.await.unwrap().is_err(),
        "the buyer's request died with the server"
    );
    id
}

/// A challenge for Stripe.js: the answer carries the client secret (and the replay of the same
/// attempt too), the result route does not, and `…/complete` asks Stripe for the outcome.
#[actix_web::test]
async fn requires_action_gives_the_client_secret_and_complete_asks_stripe() {
    let (base, fake) = start_fake(|f| f.intent_status = "requires_action".into());
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let waiting = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    assert_eq!(
        waiting["challenge"]["clientSecret"], "pi_fake1_secret_fake",
        "{waiting}"
    );
    assert!(waiting["challenge"].get("url").is_none(), "{waiting}");
    let again = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(again["challenge"]["clientSecret"], "pi_fake1_secret_fake", "{again}");
    let (_, result) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
    assert!(result["challenge"].get("clientSecret").is_none(), "{result}");
    let complete = format!("/pay/v1/checkout/{id}/attempts/attempt-0001/complete");
    assert_eq!(post_empty(&app, &complete).await["processing"], true);
    fake.lock().unwrap().intents.get_mut("pi_fake1").unwrap()["status"] = json!("succeeded");
    let done = post_empty(&app, &complete).await;
    assert_eq!(done["status"], "Successful", "{done}");
    assert_eq!(app.status_of(&id).await, "Successful");
}

/// Cancel in the popup: the intent is canceled; if the buyer had finished meanwhile, the
/// cancel is refused and the paid intent's outcome stands.
#[actix_web::test]
async fn an_abandoned_challenge_cancels_the_intent_unless_it_was_paid() {
    let (base, fake) = start_fake(|f| f.intent_status = "requires_action".into());
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    let failed = post_empty(&app, &format!("/pay/v1/checkout/{id}/attempts/attempt-0001/abandon")).await;
    assert_eq!(failed["decline"]["code"], "authentication_failed", "{failed}");
    assert_eq!(fake.lock().unwrap().intents["pi_fake1"]["status"], "canceled");
    let id = app.create_payment().await;
    app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    fake.lock().unwrap().intents.get_mut("pi_fake2").unwrap()["status"] = json!("succeeded");
    let paid = post_empty(&app, &format!("/pay/v1/checkout/{id}/attempts/attempt-0001/abandon")).await;
    assert_eq!(paid["status"], "Successful", "{paid}");
}

#[actix_web::test]
async fn a_card_error_names_the_decline() {
    let (base, _fake) = start_fake(|f| {
        f.decline = Some(
            json!({"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                                "message": "Your card has insufficient funds."}),
        )
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let failed = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "insufficient_funds", "{failed}");
    assert_eq!(failed["transactionId"], "pi_fake1");
}

/// With Stripe, a card number is refused before anything is stored, logged or sent
/// (`card_data_not_accepted`), and the attempt's other shapes name what is wrong.
#[actix_web::test]
async fn stripe_takes_no_card_number() {
    let (base, fake) = start_fake(|_| {});
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let (_, view) = app.get_json(&format!("/pay/v1/checkout/{id}")).await;
    assert_eq!(
        view["cardFields"],
        json!({"kind": "stripe", "publishableKey": PUBLISHABLE_KEY, "jsUrl": "https://js.stripe.com/v3/"})
    );
    let mut with_both = card_attempt("attempt-0002", "4242424242424242");
    with_both["paymentMethod"] = json!(PM);
    let mut neither = token_attempt("attempt-0004", PM);
    neither.as_object_mut().unwrap().remove("paymentMethod");
    let cases = [
        (
            card_attempt("attempt-0001", "4242424242424242"),
            "card_data_not_accepted",
        ),
        (with_both, "card_data_not_accepted"),
        (token_attempt("attempt-0005", "card_4242"), "invalid_payment_method"),
        (token_attempt("attempt-0006", "pm_with space"), "invalid_payment_method"),
        (token_attempt("attempt-0007", "pm_"), "invalid_payment_method"),
        (neither, "missing_card"),
    ];
    for (attempt, code) in cases {
        let resp = app.attempt(&id, &attempt).await;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            (status, body["code"].as_str().unwrap()),
            (422, code),
            "{attempt}: {body}"
        );
    }
    assert!(calls(&fake).is_empty(), "nothing went to Stripe: {:?}", calls(&fake));
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"], json!([]), "nothing was stored");
    // The sandbox's card form is Pay's own: a token is refused there.
    let sandbox = spawn_app_with(|_| {}).await;
    let id = sandbox.create_payment().await;
    let resp = sandbox.attempt(&id, &token_attempt("attempt-0001", PM)).await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_payment_method", "{body}");
    let (_, view) = sandbox.get_json(&format!("/pay/v1/checkout/{id}")).await;
    assert_eq!(view["cardFields"], json!({"kind": "pay"}));
}

async fn post_event(app: &TestApp, event: &Value, secret: &str) -> reqwest::Response {
    let body = serde_json::to_vec(event).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.client
        .post(app.url("/pay/v1/providers/stripe/events"))
        .header("Stripe-Signature", sign(&body, secret.as_bytes(), now))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_dispute_event_opens_a_chargeback_and_refund_events_count() {
    let (base, fake) = start_fake(|_| {});
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    let pi = paid["transactionId"].as_str().unwrap().to_owned();

    // A refund Stripe answers `pending`, then `charge.refund.updated` says it succeeded.
    let (code, pending) = refund(&app, &id, json!({"amount": 5})).await;
    assert_eq!(code, 202, "{pending}");
    assert_eq!(pending["state"], "pending", "{pending}");
    let refund_id = pending["refundId"].as_str().unwrap();
    let refund_key = seen(&fake, "POST /v1/refunds")[0].0.clone();
    assert_eq!(
        refund_key.as_deref(),
        Some(refund_id),
        "the refund id is the Idempotency-Key"
    );
    let succeeded = json!({"id": "evt_refund_1", "object": "event", "type": "charge.refund.updated", "data": {"object": {
        "id": "re_1", "object": "refund", "status": "succeeded", "metadata": {"pay_refund_id": refund_id}}}});
    assert_eq!(post_event(&app, &succeeded, WEBHOOK_SECRET).await.status(), 200);
    assert_eq!(app.status_of(&id).await, "PartiallyRefunded");

    // A forged event changes nothing.
    let dispute = json!({"id": "evt_dispute_1", "object": "event", "type": "charge.dispute.created", "data": {"object": {
        "id": "dp_1", "object": "dispute", "charge": "ch_1", "payment_intent": pi, "status": "needs_response"}}});
    assert_eq!(post_event(&app, &dispute, "whsec_someone_else").await.status(), 400);
    assert_eq!(app.status_of(&id).await, "PartiallyRefunded");
    assert_eq!(post_event(&app, &dispute, WEBHOOK_SECRET).await.status(), 200);
    assert_eq!(app.status_of(&id).await, "Chargeback");
    // Applied once; unknown types are answered 2xx and ignored.
    assert_eq!(post_event(&app, &dispute, WEBHOOK_SECRET).await.status(), 200);
    let other =
        json!({"id": "evt_other", "object": "event", "type": "customer.created", "data": {"object": {"id": "cus_1"}}});
    assert_eq!(post_event(&app, &other, WEBHOOK_SECRET).await.status(), 200);
    assert_eq!(
        app.event_statuses(&id).await,
        ["Successful", "PartiallyRefunded", "Chargeback"]
    );
}

/// A refund Stripe answered `pending` is looked up with backoff until it is final, event or no
/// event: its money counts (and its event is written) only when Stripe says it succeeded; a
/// failed one releases its amount.
#[actix_web::test]
async fn a_pending_refund_is_looked_up_until_it_is_final() {
    let (base, fake) = start_fake(|_| {});
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    let (code, pending) = refund(&app, &id, json!({"amount": 5})).await;
    assert_eq!(code, 202, "{pending}");
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.status_of(&id).await, "Successful", "pending: nothing counts yet");
    assert!(
        calls(&fake).iter().any(|c| c == "GET /v1/refunds"),
        "{:?}",
        calls(&fake)
    );
    for refund in fake.lock().unwrap().refunds.values_mut() {
        refund["status"] = json!("succeeded");
    }
    wait_for_status(&app, &id, "PartiallyRefunded").await;
    assert_eq!(app.event_statuses(&id).await, ["Successful", "PartiallyRefunded"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["refundedAmount"].to_string(), "5.00", "{details}");
    // A second one fails at Stripe: released, the whole rest can be asked again.
    let (code, pending) = refund(&app, &id, json!({})).await;
    assert_eq!(code, 202, "{pending}");
    let second = pending["refundId"].as_str().unwrap().to_owned();
    for refund in fake.lock().unwrap().refunds.values_mut() {
        if refund["metadata"]["pay_refund_id"] == second.as_str() {
            refund["status"] = json!("failed");
            refund["failure_reason"] = json!("expired_or_canceled_card");
        }
    }
    for _ in 0..100 {
        let (code, _) = refund(&app, &id, json!({})).await;
        if code == 202 {
            break;
        }
        assert_eq!(code, 409, "refused while the failed one still holds the amount");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.status_of(&id).await, "PartiallyRefunded");
}

#[actix_web::test]
async fn a_failed_refund_event_releases_the_refund() {
    let (base, _fake) = start_fake(|_| {});
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &token_attempt("attempt-0001", PM)).await;
    let (_, pending) = refund(&app, &id, json!({})).await;
    let refund_id = pending["refundId"].as_str().unwrap();
    let failed = json!({"id": "evt_refund_2", "object": "event", "type": "charge.refund.updated", "data": {"object": {
        "id": "re_1", "object": "refund", "status": "failed", "failure_reason": "expired_or_canceled_card",
        "metadata": {"pay_refund_id": refund_id}}}});
    assert_eq!(post_event(&app, &failed, WEBHOOK_SECRET).await.status(), 200);
    assert_eq!(app.status_of(&id).await, "Successful");
    // The whole amount can be asked again.
    let (code, again) = refund(&app, &id, json!({})).await;
    assert_eq!(code, 202, "{again}");
}

/// A card number sent to a Stripe server is refused, and neither it, nor its CVC, nor the
/// intent's client secret reaches the server's log at its most verbose or the database; the
/// client secret is in the attempt's answer only, never on the merchant API.
#[actix_web::test]
async fn no_card_number_or_client_secret_in_the_log_or_the_database_with_stripe() {
    let (base, fake) = start_fake(|f| f.intent_status = "requires_action".into());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let server = Server::start_with(&db, "trace", &stripe_env(&base));
    let number = "4000000000009995";
    let cvc = "913";
    let id = server.create_payment().await;
    let card = json!({"attemptId": "attempt-0001", "method": "card",
                      "card": {"number": number, "expMonth": 12, "expYear": 2045, "cvc": cvc}});
    let refused = server.attempt(&id, &card).await;
    assert_eq!(refused.status(), 422);
    // A malformed card too (the JSON reader's own error names no digits either).
    let odd = json!({"attemptId": "attempt-0002", "method": "card",
                     "card": {"number": 4000000000009995u64, "expMonth": 12, "expYear": 2045, "cvc": cvc}});
    assert!(server.attempt(&id, &odd).await.status().is_client_error());
    let answer = server.attempt(&id, &token_attempt("attempt-0003", PM)).await;
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    let secret = "pi_fake1_secret_fake";
    assert_eq!(answer["challenge"]["clientSecret"], secret, "{answer}");
    let (_, details) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
    assert!(!details.to_string().contains(secret), "{details}");
    let log = server.kill().join("\n");
    assert!(log.contains(&id), "the log was captured");
    assert_eq!(
        seen(&fake, "POST /v1/payment_intents").len(),
        1,
        "only the token attempt reached Stripe"
    );
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    for needle in [
        number,
        &number[..12],
        secret,
        &format!("\"{cvc}\""),
        &format!("cvc\":\"{cvc}"),
    ] {
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(needle)).collect();
        assert!(lines.is_empty(), "{needle} found in the log: {lines:?}");
        assert!(!stored.contains(needle), "{needle} found in the database");
    }
}
