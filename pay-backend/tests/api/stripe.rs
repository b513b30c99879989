//! The Stripe connector: against localstripe (a stateful fake Stripe nobody here wrote; set
//! `PAY_TEST_LOCALSTRIPE_URL`, as `scripts/test.sh` does; without it these tests skip, unless
//! `PAY_REQUIRE_LOCALSTRIPE=1`), and against a small fake in this binary that answers in the
//! shapes of Stripe's API reference where localstripe lacks a behaviour (a 500 then a retry,
//! `redirect_to_url`, a dispute, a failed refund).

use crate::helpers::{card_attempt, run, spawn_app_with, test_settings, TestApp, SECRET_KEY};
use crate::server::Server;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use pay_backend::config::ProviderName;
use pay_backend::processor::stripe::webhooks::sign;
use pay_backend::Application;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const STRIPE_KEY: &str = "sk_test_pay_0123456789";
const WEBHOOK_SECRET: &str = "whsec_pay_tests_0123456789";

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
    let api_base = api_base.to_owned();
    spawn_app_with(move |s| {
        s.provider = ProviderName::Stripe;
        s.stripe_secret_key = Some(STRIPE_KEY.into());
        s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
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
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let pi = paid["transactionId"].as_str().unwrap();
    assert!(pi.starts_with("pi_"), "{pi}");
    let intent = stripe_get(&base, &format!("/v1/payment_intents/{pi}")).await;
    assert_eq!(intent["amount"], 2000);
    assert_eq!(intent["currency"], "usd");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["metadata"]["pay_payment_id"], id.as_str());
    assert_eq!(intent["metadata"]["pay_attempt_id"], "attempt-0001");
    let method = stripe_get(
        &base,
        &format!("/v1/payment_methods/{}", intent["payment_method"].as_str().unwrap()),
    )
    .await;
    assert_eq!(method["billing_details"]["name"], "Ada");
    assert_eq!(method["billing_details"]["email"], "ada@example.com");
    assert_eq!(method["billing_details"]["address"]["country"], "GB");
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
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
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
    let failed = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000000000000341"))
        .await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "card_declined", "{failed}");
    // Another card may be tried.
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0002", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful", "{paid}");
}

/// The id of the PaymentIntent localstripe holds for a payment (found by its metadata).
async fn intent_of(base: &str, payment_id: &str) -> String {
    let list = stripe_get(base, "/v1/payment_intents?limit=100").await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metadata"]["pay_payment_id"] == payment_id)
        .and_then(|i| i["id"].as_str())
        .expect("an intent for the payment")
        .to_owned()
}

/// localstripe's 3-D Secure: `requires_action` (`use_stripe_sdk`), finished by its test-only
/// `_authenticate` route, as the buyer would at their bank.
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

#[actix_web::test]
async fn localstripe_a_card_requiring_authentication_completes_on_return() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    for (i, (success, status)) in [(true, "Successful"), (false, "Failed")].into_iter().enumerate() {
        let id = app.create_payment().await;
        let attempt = format!("attempt-000{i}");
        let waiting = app.attempt_ok(&id, &card_attempt(&attempt, "4000002500003155")).await;
        assert_eq!(waiting["processing"], true, "{waiting}");
        let challenge = waiting["challenge"]["url"].as_str().unwrap();
        let return_path = format!("/pay/v1/checkout/{id}/attempts/{attempt}/return");
        assert_eq!(challenge, format!("https://pay.shop.example{return_path}"));
        let pi = &intent_of(&base, &id).await;
        // Back before answering: still waiting.
        app.get(&return_path).await;
        assert_eq!(
            app.get_json(&format!("/pay/v1/checkout/{id}/result")).await.1["processing"],
            true
        );
        authenticate(&base, pi, success).await;
        let back = app.get(&return_path).await;
        assert!(back.status().is_success(), "{}", back.status());
        let (_, result) = app.get_json(&format!("/pay/v1/checkout/{id}/result")).await;
        assert_eq!(result["status"], status, "{result}");
        if !success {
            assert_eq!(result["decline"]["code"], "authentication_failed", "{result}");
        }
    }
}

#[actix_web::test]
async fn localstripe_partial_then_full_refunds() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
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
    let waiting = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000002500003155"))
        .await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    // The buyer answers; nobody comes back to the return route: the event alone settles it.
    authenticate(&base, &intent_of(&base, &id).await, true).await;
    wait_for_status(&app, &id, "Successful").await;
    assert_eq!(app.event_statuses(&id).await, ["Successful"]);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "event", "{details}");
}

#[actix_web::test]
async fn localstripe_lookup_finds_the_attempt_by_its_metadata() {
    let Some(base) = localstripe() else { return };
    let app = stripe_app(&base, true).await;
    let id = app.create_payment().await;
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    let provider = app_provider(&base);
    use pay_backend::processor::{AttemptKey, ChargeOutcome, Lookup, Provider};
    let key = AttemptKey::parse(&format!("{id}:attempt-0001")).unwrap();
    assert_eq!(
        provider.lookup(&key).await,
        Lookup::Found(ChargeOutcome::Successful {
            transaction_id: paid["transactionId"].as_str().unwrap().to_owned()
        })
    );
    let never = AttemptKey::parse(&format!("{id}:attempt-0002")).unwrap();
    assert_eq!(provider.lookup(&never).await, Lookup::NeverReached);
}

fn app_provider(base: &str) -> pay_backend::processor::StripeProvider {
    let dir = tempfile::tempdir().unwrap();
    let mut s = test_settings(&dir);
    s.provider = ProviderName::Stripe;
    s.stripe_secret_key = Some(STRIPE_KEY.into());
    s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
    s.stripe_api_base = base.parse().unwrap();
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
    for missing in ["stripe_secret_key", "stripe_webhook_secret", "public_url"] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = test_settings(&dir);
        s.provider = ProviderName::Stripe;
        s.stripe_secret_key = Some(STRIPE_KEY.into());
        s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
        s.public_url = Some("https://pay.shop.example".parse().unwrap());
        match missing {
            "stripe_secret_key" => s.stripe_secret_key = None,
            "stripe_webhook_secret" => s.stripe_webhook_secret = None,
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
struct Fake {
    /// 5xx answers still to give to `POST /v1/payment_intents`.
    fail_intents: u32,
    /// The status of those answers (500 unless set).
    fail_status: u16,
    /// 5xx answers still to give to `POST /v1/payment_methods` (u32::MAX: always).
    fail_methods: u32,
    /// The status new intents take: `succeeded` or `requires_action` (with redirect_to_url).
    intent_status: String,
    /// A refusal (400) of payment methods.
    method_error: Option<Value>,
    /// A card error (402) for intents instead.
    decline: Option<Value>,
    /// Requests seen: (method and path, Idempotency-Key, form).
    seen: Vec<(String, Option<String>, BTreeMap<String, String>)>,
    /// Intents by id; replays by Idempotency-Key.
    intents: BTreeMap<String, Value>,
    replays: BTreeMap<String, Value>,
}

type Shared = Arc<Mutex<Fake>>;

async fn fake_stripe(req: HttpRequest, body: web::Bytes, fake: web::Data<Shared>) -> HttpResponse {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path = req.path().to_owned();
    let mut fake = fake.lock().unwrap();
    fake.seen
        .push((format!("{} {path}", req.method()), key.clone(), form.clone()));
    if let Some(replay) = key.as_ref().and_then(|k| fake.replays.get(k)) {
        return HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(replay);
    }
    let answer = match (req.method().as_str(), path.as_str()) {
        ("POST", "/v1/payment_methods") if fake.fail_methods > 0 => {
            fake.fail_methods = fake.fail_methods.saturating_sub(1);
            return HttpResponse::InternalServerError()
                .json(json!({"error": {"type": "api_error", "message": "boom"}}));
        }
        ("POST", "/v1/payment_methods") if fake.method_error.is_some() => {
            return HttpResponse::BadRequest().json(json!({"error": fake.method_error.clone()}));
        }
        ("POST", "/v1/payment_methods") => json!({"id": format!("pm_{}", fake.seen.len()), "object": "payment_method"}),
        ("POST", "/v1/payment_intents") if fake.fail_intents > 0 => {
            fake.fail_intents -= 1;
            return HttpResponse::InternalServerError()
                .json(json!({"error": {"type": "api_error", "message": "boom"}}));
        }
        ("POST", "/v1/payment_intents") => {
            let id = format!("pi_fake{}", fake.intents.len() + 1);
            let metadata = json!({
                "pay_payment_id": form.get("metadata[pay_payment_id]"),
                "pay_attempt_id": form.get("metadata[pay_attempt_id]"),
            });
            if let Some(decline) = fake.decline.clone() {
                let intent = json!({"id": id, "object": "payment_intent", "status": "requires_payment_method",
                                    "last_payment_error": decline, "metadata": metadata});
                fake.intents.insert(id, intent.clone());
                let mut error = decline;
                error["payment_intent"] = intent;
                return HttpResponse::PaymentRequired().json(json!({"error": error}));
            }
            let mut intent = json!({"id": id, "object": "payment_intent", "amount": form.get("amount").map(|a| a.parse::<i64>().unwrap()),
                                    "status": fake.intent_status, "metadata": metadata, "next_action": null});
            if fake.intent_status == "requires_action" {
                intent["next_action"] = json!({"type": "redirect_to_url", "redirect_to_url": {
                    "url": "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1", "return_url": form.get("return_url")}});
            }
            fake.intents.insert(id, intent.clone());
            intent
        }
        ("POST", "/v1/refunds") => {
            json!({"id": format!("re_{}", fake.seen.len()), "object": "refund", "status": "pending",
                                          "amount": form.get("amount").map(|a| a.parse::<i64>().unwrap()),
                                          "metadata": {"pay_refund_id": form.get("metadata[pay_refund_id]")}})
        }
        ("GET", p) if p.starts_with("/v1/payment_intents/") => {
            match fake.intents.get(&p["/v1/payment_intents/".len()..]) {
                Some(intent) => intent.clone(),
                None => {
                    return HttpResponse::NotFound()
                        .json(json!({"error": {"type": "invalid_request_error", "code": "resource_missing"}}))
                }
            }
        }
        ("GET", "/v1/payment_intents") => {
            json!({"object": "list", "data": fake.intents.values().collect::<Vec<_>>(), "has_more": false})
        }
        _ => {
            return HttpResponse::NotFound()
                .json(json!({"error": {"type": "invalid_request_error", "message": "no such route"}}))
        }
    };
    if let Some(key) = key {
        fake.replays.insert(key, answer.clone());
    }
    HttpResponse::Ok().json(answer)
}

/// Starts the fake on a free loopback port; returns its URL and its state.
fn start_fake(setup: impl FnOnce(&mut Fake)) -> (String, Shared) {
    let mut fake = Fake {
        intent_status: "succeeded".into(),
        fail_status: 500,
        ..Fake::default()
    };
    setup(&mut fake);
    let shared: Shared = Arc::new(Mutex::new(fake));
    let data = web::Data::new(shared.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(fake_stripe)))
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    (format!("http://127.0.0.1:{port}"), shared)
}

fn seen(fake: &Shared, what: &str) -> Vec<(Option<String>, BTreeMap<String, String>)> {
    fake.lock()
        .unwrap()
        .seen
        .iter()
        .filter(|(w, _, _)| w == what)
        .map(|(_, k, f)| (k.clone(), f.clone()))
        .collect()
}

#[actix_web::test]
async fn a_500_is_retried_with_the_same_idempotency_key() {
    let (base, fake) = start_fake(|f| f.fail_intents = 1);
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    let calls = seen(&fake, "POST /v1/payment_intents");
    assert_eq!(calls.len(), 2, "one 500, one retry");
    assert_eq!(calls[0].0, calls[1].0, "the same Idempotency-Key");
    assert_eq!(
        calls[0].0.as_deref(),
        Some(format!("pay-pi-{id}:attempt-0001").as_str())
    );
    let form = &calls[1].1;
    assert_eq!(form["amount"], "2000");
    assert_eq!(form["currency"], "usd");
    assert_eq!(form["confirm"], "true");
    assert_eq!(form["metadata[pay_payment_id]"], id);
    assert_eq!(form["metadata[pay_attempt_id]"], "attempt-0001");
    assert_eq!(
        form["return_url"],
        format!("https://pay.shop.example/pay/v1/checkout/{id}/attempts/attempt-0001/return")
    );
    let methods = seen(&fake, "POST /v1/payment_methods");
    assert_eq!(
        methods[0].1["card[number]"], "4242424242424242",
        "the card goes to Stripe only in the body"
    );
    assert_eq!(methods[0].1["card[exp_month]"], "12");
    assert_eq!(methods[0].1["card[exp_year]"], "2045");
    assert_eq!(methods[0].1["card[cvc]"], "123");
}

#[actix_web::test]
async fn a_429_is_retried_and_a_refusal_that_is_not_a_card_error_is_a_processing_error() {
    let (base, fake) = start_fake(|f| {
        f.fail_intents = 1;
        f.fail_status = 429;
    });
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid["status"], "Successful", "{paid}");
    assert_eq!(seen(&fake, "POST /v1/payment_intents").len(), 2);
    // Raw card data not enabled for the account: Stripe's 400 is not the card's fault.
    fake.lock().unwrap().method_error = Some(json!({"type": "invalid_request_error",
        "message": "Sending credit card numbers directly to the Stripe API is generally unsafe."}));
    let id = app.create_payment().await;
    let failed = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(failed["decline"]["code"], "processing_error", "{failed}");
}

#[actix_web::test]
async fn an_idempotent_replay_returns_the_first_answer() {
    let (base, fake) = start_fake(|_| {});
    let provider = app_provider(&base);
    use pay_backend::processor::{AttemptKey, Card, ChargeRequest, Provider};
    let key = AttemptKey::parse("3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:attempt-0001").unwrap();
    let card = Card {
        number: pay_types::CardNumber::parse("4242424242424242").unwrap(),
        expiry: pay_types::Expiry::parse(12, 2045, (2026, 1)).unwrap(),
        cvc: pay_types::Cvc::parse("123", pay_types::CardBrand::Visa).unwrap(),
    };
    let charge = || ChargeRequest {
        key: &key,
        amount: pay_types::Amount::new("20.00".parse().unwrap()),
        currency: pay_types::Currency::parse("USD").unwrap(),
        card: &card,
        buyer: None,
        return_path: String::new(),
    };
    let first = provider.charge(charge()).await;
    let again = provider.charge(charge()).await;
    assert_eq!(first, again);
    assert_eq!(
        fake.lock().unwrap().intents.len(),
        1,
        "one PaymentIntent for one attempt"
    );
}

#[actix_web::test]
async fn stripe_5xx_after_every_retry_leaves_the_attempt_unknown_until_a_lookup() {
    let (base, fake) = start_fake(|f| f.fail_intents = 100);
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let waiting = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    assert_eq!(
        seen(&fake, "POST /v1/payment_intents").len(),
        3,
        "the first call and two retries"
    );
    // Stripe comes back; the background look-up finds no intent: nothing charged.
    fake.lock().unwrap().fail_intents = 0;
    wait_for_status(&app, &id, "Failed").await;
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["attempts"][0]["resolvedBy"], "lookup", "{details}");
}

#[actix_web::test]
async fn redirect_to_url_is_the_challenge_and_the_return_completes_it() {
    let (base, fake) = start_fake(|f| f.intent_status = "requires_action".into());
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    let waiting = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000002500003155"))
        .await;
    assert_eq!(waiting["processing"], true, "{waiting}");
    assert_eq!(
        waiting["challenge"]["url"],
        "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1"
    );
    let pi = "pi_fake1".to_owned();
    fake.lock().unwrap().intents.get_mut(&pi).unwrap()["status"] = json!("succeeded");
    app.get(&format!(
        "/pay/v1/checkout/{id}/attempts/attempt-0001/return?payment_intent={pi}"
    ))
    .await;
    assert_eq!(app.status_of(&id).await, "Successful");
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
    let failed = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4000000000009995"))
        .await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["decline"]["code"], "insufficient_funds", "{failed}");
    assert_eq!(failed["transactionId"], "pi_fake1");
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
    let paid = app
        .attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
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

#[actix_web::test]
async fn a_failed_refund_event_releases_the_refund() {
    let (base, _fake) = start_fake(|_| {});
    let app = stripe_app(&base, false).await;
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
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

/// The card number and CVC reach the fake Stripe's body and nothing else: not the server's
/// log at its most verbose, not the database, for a charge, a decline and a failing request.
#[actix_web::test]
async fn no_card_number_or_cvc_in_the_log_or_the_database_with_stripe() {
    let (base, fake) = start_fake(|f| f.fail_methods = 3);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let env = [
        ("PAY_PROVIDER", "stripe".to_owned()),
        ("PAY_STRIPE_SECRET_KEY", STRIPE_KEY.to_owned()),
        ("PAY_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
        ("PAY_STRIPE_API_BASE", base.clone()),
        ("PAY_PUBLIC_URL", "https://pay.shop.example".to_owned()),
    ];
    let server = Server::start_with(&db, "trace", &env);
    let number = "4000000000009995";
    let cvc = "913";
    let attempt = |i: u32| {
        json!({"attemptId": format!("attempt-000{i}"), "method": "card",
                                  "card": {"number": number, "expMonth": 12, "expYear": 2045, "cvc": cvc}})
    };
    // The failing request: 500 three times (the payment method call).
    let id = server.create_payment().await;
    assert_eq!(server.attempt(&id, &attempt(1)).await.status(), 200);
    // A decline, then a charge.
    fake.lock().unwrap().decline =
        Some(json!({"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}));
    let id = server.create_payment().await;
    assert_eq!(server.attempt(&id, &attempt(2)).await.status(), 200);
    fake.lock().unwrap().decline = None;
    let id = server.create_payment().await;
    assert_eq!(server.attempt(&id, &attempt(3)).await.status(), 200);
    let log = server.kill().join("\n");
    assert!(log.contains("stripe"), "the log was captured");
    assert!(
        seen(&fake, "POST /v1/payment_methods")
            .iter()
            .all(|(_, f)| f["card[number]"] == number && f["card[cvc]"] == cvc),
        "the fake saw the card"
    );
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    for needle in [number, &number[..12], "card%5Bnumber%5D", "card[number]"] {
        assert!(!log.contains(needle), "{needle} found in the log");
        assert!(!stored.contains(needle), "{needle} found in the database");
    }
    for needle in [
        format!("card%5Bcvc%5D={cvc}"),
        format!("card[cvc]={cvc}"),
        format!("\"{cvc}\""),
    ] {
        assert!(!log.contains(&needle), "the CVC found in the log");
        assert!(!stored.contains(&needle), "the CVC found in the database");
    }
}
