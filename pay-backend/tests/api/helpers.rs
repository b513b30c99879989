//! `spawn_app()` and typed request helpers.

use pay_backend::{Application, Settings, WebhookSecret};
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;

pub const SECRET_KEY: &str = "sk_test_0123456789abcdef";
/// What the test apps' sandbox signs its provider events with.
pub const SANDBOX_EVENTS_SECRET: &str = "whsec_c2FuZGJveC1ldmVudHMtc2VjcmV0LWZvci10ZXN0cw==";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pay: pay_backend::Pay,
    pub _dir: TempDir,
}

pub fn test_settings(dir: &TempDir) -> Settings {
    Settings {
        port: 0,
        database_url: format!("sqlite://{}", dir.path().join("pay.db").display()),
        secret_key: Some(SECRET_KEY.into()),
        offline_payments: true,
        // Tests settle through the test route, or wait for this short delay.
        sandbox_settle_delay: Duration::from_millis(300),
        max_declined_attempts: 3,
        sandbox_events_secret: Some(WebhookSecret::parse(SANDBOX_EVENTS_SECRET).unwrap()),
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh app; on PostgreSQL when `PAY_TEST_API_ON_POSTGRES=1` (and `PAY_TEST_POSTGRES_URL`
/// names a server), to run this suite against both databases.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(&dir);
    if std::env::var("PAY_TEST_API_ON_POSTGRES").as_deref() == Ok("1") {
        settings.database_url = crate::databases::fresh_postgres()
            .await
            .expect("PAY_TEST_API_ON_POSTGRES=1 needs PAY_TEST_POSTGRES_URL");
    }
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    run(app, dir)
}

/// Runs `app` in the background; its database lives in `dir`.
pub fn run(app: Application, dir: TempDir) -> TestApp {
    let address = format!("http://127.0.0.1:{}", app.port());
    let pay = app.pay().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        pay,
        _dir: dir,
    }
}

/// One mug at 9.99 × 2 and a spoon at 0.02: 20.00 USD.
pub fn sample_info() -> Value {
    json!({
        "items": [{"name": "Mug", "price": 9.99, "quantity": 2}, {"name": "Spoon", "price": 0.02}],
        "amount": 20.00,
        "currency": "USD",
        "userInfo": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "countryCode": "GBR"}
    })
}

pub fn card_attempt(attempt_id: &str, number: &str) -> Value {
    json!({
        "attemptId": attempt_id,
        "method": "card",
        "userInfo": {"firstName": "Ada", "email": "ada@example.com", "country": "GBR"},
        "card": {"number": number, "expMonth": 12, "expYear": 2045, "cvc": "123"}
    })
}

/// A card attempt with the provider's token (a Stripe PaymentMethod id) instead of the card.
pub fn token_attempt(attempt_id: &str, payment_method: &str) -> Value {
    json!({
        "attemptId": attempt_id,
        "method": "card",
        "userInfo": {"firstName": "Ada", "email": "ada@example.com", "country": "GBR"},
        "paymentMethod": payment_method
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A GET without the secret key (public routes).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A POST without body or key (the sandbox routes).
    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client.post(self.url(path)).send().await.unwrap()
    }

    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>, key: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send().await.unwrap()
    }

    pub async fn create_payment_raw(&self, body: &Value, idempotency_key: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url("/pay/v1/payments"))
            .bearer_auth(SECRET_KEY)
            .json(body);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.unwrap()
    }

    /// Creates the sample payment and returns its id.
    pub async fn create_payment(&self) -> String {
        let resp = self.create_payment_raw(&sample_info(), None).await;
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    pub async fn attempt(&self, payment_id: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/pay/v1/checkout/{payment_id}/attempts")))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn attempt_ok(&self, payment_id: &str, body: &Value) -> Value {
        let resp = self.attempt(payment_id, body).await;
        assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
        resp.json().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let resp = self
            .client
            .get(self.url(path))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    /// The statuses of the payment's events, in sequence order.
    pub async fn event_statuses(&self, payment_id: &str) -> Vec<String> {
        let (status, body) = self.get_json(&format!("/pay/v1/payments/{payment_id}/events")).await;
        assert_eq!(status, 200);
        let events = body["data"].as_array().unwrap();
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e["sequence"].as_u64(), Some(i as u64 + 1), "sequence has no gap");
        }
        events
            .iter()
            .map(|e| e["status"].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn status_of(&self, payment_id: &str) -> String {
        let (code, body) = self.get_json(&format!("/pay/v1/payments/{payment_id}")).await;
        assert_eq!(code, 200);
        body["status"].as_str().unwrap().to_owned()
    }
}

/// Asserts an error response: status and `{code, message}`.
pub async fn assert_error(resp: reqwest::Response, status: u16, code: &str) {
    let got = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert_eq!(got, status, "body: {text}");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(body["code"], code, "body: {text}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {text}");
}
