//! The Stripe connector: Stripe's documented HTTP API through `reqwest` (form-encoded bodies,
//! the secret key as a bearer token, explicit timeouts).
//!
//! One flow per operation, as the trait has them; request bodies are built in `requests`,
//! answers read and mapped in `responses`, events verified and read in `webhooks`, amounts
//! converted in `amounts`. Every call that creates something carries an `Idempotency-Key`
//! derived from Pay's key (the attempt key, the refund id) and is retried with the same key on
//! network errors and 5xx, a few times with backoff, as Stripe recommends; what is still
//! unanswered after that is `Unknown`, resolved later by a look-up.
//!
//! Card data: the number and CVC go into the body of one request to Stripe and nowhere else.
//! No request body, no response body and no `reqwest` error with a body is ever logged or
//! returned (errors carry Stripe's code and message, which never repeat card data).

mod amounts;
mod requests;
mod responses;
pub mod webhooks;

pub use amounts::to_minor;

use super::{
    AttemptKey, ChargeOutcome, ChargeRequest, CompleteRequest, EventRefusal, Lookup, Provider, ProviderEvent,
    ProviderEventKind, RefundOutcome, RefundRequest,
};
use pay_types::{Amount, Currency, DeclineCode};
use requests::Form;
use responses::{charge_outcome, refund_outcome, ErrorBody, List, PaymentIntent, Refund};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use url::Url;

/// How the connector reaches Stripe.
#[derive(Clone)]
pub struct StripeConfig {
    /// `sk_live_…` or `sk_test_…`.
    pub secret_key: SecretString,
    /// `whsec_…`: the endpoint's signing secret.
    pub webhook_secret: SecretString,
    /// `https://api.stripe.com`, or a fake's address in tests.
    pub api_base: Url,
    /// The Pay server's public base URL: Stripe sends the buyer back to its return route.
    pub public_url: Url,
    /// Per request: connecting and the whole exchange.
    pub timeout: Duration,
    /// Calls after the first, on a network error or a 5xx.
    pub retries: u32,
    /// The wait before the first retry; doubles each time.
    pub backoff: Duration,
    /// Speak localstripe's dialect (tests only): no `return_url`, which it refuses.
    pub localstripe: bool,
}

impl StripeConfig {
    pub fn new(secret_key: SecretString, webhook_secret: SecretString, api_base: Url, public_url: Url) -> Self {
        Self {
            secret_key,
            webhook_secret,
            api_base,
            public_url,
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(500),
            localstripe: false,
        }
    }
}

pub struct StripeProvider {
    config: StripeConfig,
    http: reqwest::Client,
}

/// How far a list of PaymentIntents is read when looking an attempt up (100 a page).
const LOOKUP_PAGES: usize = 20;

/// What came back from Stripe, after the retries.
enum Answer {
    /// A 2xx, with its body.
    Ok(serde_json::Value),
    /// A 4xx, with Stripe's error.
    Refused(u16, ErrorBody),
    /// No answer worth reading: a network error, a timeout, a 5xx, a body that is not Stripe's.
    Unknown(String),
}

impl StripeProvider {
    pub fn new(config: StripeConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .timeout(config.timeout)
            .user_agent(concat!("pay-backend/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the Stripe client: {e}"))?;
        Ok(Self { config, http })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.api_base.as_str().trim_end_matches('/'), path)
    }

    /// One call, retried with the same idempotency key on network errors and 5xx.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: Option<&Form>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut wait = self.config.backoff;
        let mut last = String::new();
        for attempt in 0..=self.config.retries {
            if attempt > 0 {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            let mut request = self
                .http
                .request(method.clone(), self.url(path))
                .bearer_auth(self.config.secret_key.expose_secret());
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            if let Some(form) = form {
                request = request.form(&form.0);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) => {
                    // Without the URL's query or any body: the kind of failure only.
                    last = format!("stripe {method} {path}: {}", describe(&e));
                    continue;
                }
            };
            let status = response.status().as_u16();
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(e) => {
                    last = format!("stripe {method} {path}: reading the answer: {}", describe(&e));
                    continue;
                }
            };
            // A 5xx, or a 429 (Stripe's rate limit: nothing was done), is asked again.
            if status >= 500 || status == 429 {
                last = format!("stripe {method} {path}: HTTP {status}");
                continue;
            }
            return match status {
                200..=299 => match serde_json::from_slice(&body) {
                    Ok(value) => Answer::Ok(value),
                    Err(_) => Answer::Unknown(format!("stripe {method} {path}: HTTP {status}, not JSON")),
                },
                _ => match serde_json::from_slice::<ErrorBody>(&body) {
                    Ok(error) => Answer::Refused(status, error),
                    Err(_) => Answer::Unknown(format!("stripe {method} {path}: HTTP {status}, not Stripe's error")),
                },
            };
        }
        Answer::Unknown(last)
    }

    async fn post(&self, path: &str, form: &Form, idempotency_key: &str) -> Answer {
        self.call(reqwest::Method::POST, path, Some(form), Some(idempotency_key))
            .await
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(reqwest::Method::GET, path, None, None).await
    }

    /// Pay's return route for an attempt, as an absolute URL.
    fn return_url(&self, key: &AttemptKey) -> String {
        let path = format!(
            "/pay/v1/checkout/{}/attempts/{}/return",
            key.payment_id,
            key.attempt_id.as_str()
        );
        match self.config.public_url.join(&path) {
            Ok(url) => url.to_string(),
            Err(_) => path,
        }
    }

    async fn intent(&self, id: &str, return_url: &str) -> ChargeOutcome {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return ChargeOutcome::Unknown {
                reason: "stripe: not a payment intent id".into(),
            };
        }
        match self.get(&format!("/v1/payment_intents/{id}")).await {
            Answer::Ok(value) => match serde_json::from_value::<PaymentIntent>(value) {
                Ok(intent) => charge_outcome(&intent, return_url),
                Err(e) => ChargeOutcome::Unknown {
                    reason: format!("stripe: a payment intent that cannot be read: {e}"),
                },
            },
            Answer::Refused(status, error) => ChargeOutcome::Unknown {
                reason: format!("stripe: retrieving {id}: HTTP {status} {}", error.error.describe()),
            },
            Answer::Unknown(reason) => ChargeOutcome::Unknown { reason },
        }
    }

    /// The PaymentIntent Pay created for `key`, found by its metadata in the list of
    /// PaymentIntents (the list is read-after-write consistent; Stripe's search is not).
    async fn find_intent(&self, key: &AttemptKey) -> Result<Option<PaymentIntent>, String> {
        let mut after: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let path = match &after {
                Some(id) => format!("/v1/payment_intents?limit=100&starting_after={id}"),
                None => "/v1/payment_intents?limit=100".to_owned(),
            };
            let page: List<PaymentIntent> = match self.get(&path).await {
                Answer::Ok(value) => serde_json::from_value(value).map_err(|e| format!("stripe: a list: {e}"))?,
                Answer::Refused(status, error) => {
                    return Err(format!("stripe: listing: HTTP {status} {}", error.error.describe()))
                }
                Answer::Unknown(reason) => return Err(reason),
            };
            if let Some(found) = page
                .data
                .iter()
                .find(|intent| webhooks::attempt_key(&intent.metadata).as_ref() == Some(key))
            {
                return Ok(Some(found.clone()));
            }
            match (page.has_more, page.data.last()) {
                (true, Some(last)) => after = Some(last.id.clone()),
                _ => return Ok(None),
            }
        }
        Err(format!(
            "stripe: no payment intent for {key} in the newest {} ones",
            LOOKUP_PAGES * 100
        ))
    }
}

/// A `reqwest` error without its URL (a URL may carry an id, never card data, but the kind is
/// what the log needs).
fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    }
}

#[async_trait::async_trait]
impl Provider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    /// Stripe moves real money with a live key; with a test key Stripe itself is in test mode,
    /// and Pay treats the connector as live either way (see "Going live with Stripe" in
    /// docs/providers.md).
    fn is_live(&self) -> bool {
        true
    }

    /// A call in flight may wait for its timeout and every retry.
    fn in_flight_grace(&self) -> Duration {
        let calls = self.config.retries + 1;
        (self.config.timeout + self.config.backoff * 2u32.pow(self.config.retries)) * calls * 2
    }

    fn check_amount(&self, amount: Amount, currency: Currency) -> Result<(), String> {
        to_minor(amount, currency).map(|_| ())
    }

    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome {
        let minor = match to_minor(request.amount, request.currency) {
            Ok(minor) => minor,
            Err(reason) => {
                tracing::warn!(payment_id = %request.key.payment_id, reason, "stripe cannot take this amount");
                return ChargeOutcome::Failed {
                    transaction_id: None,
                    decline: DeclineCode::ProcessingError,
                };
            }
        };
        let (pm_key, pi_key) = requests::attempt_keys(request.key);
        let method = requests::payment_method(request.card, &request);
        let payment_method = match self.post("/v1/payment_methods", &method, &pm_key).await {
            Answer::Ok(value) => match value.get("id").and_then(|id| id.as_str()) {
                Some(id) => id.to_owned(),
                None => {
                    return ChargeOutcome::Unknown {
                        reason: "stripe: a payment method without an id".into(),
                    }
                }
            },
            // Stripe checks the card here (a bad number, expiry or CVC): nothing was charged.
            Answer::Refused(status, error) => {
                tracing::info!(payment_id = %request.key.payment_id, status, error = error.error.describe(), "stripe refused the card");
                return ChargeOutcome::Failed {
                    transaction_id: None,
                    decline: error.error.failure(status),
                };
            }
            // No PaymentIntent exists yet: a look-up finds none, and the attempt fails uncharged.
            Answer::Unknown(reason) => return ChargeOutcome::Unknown { reason },
        };
        drop(method);
        let return_url = self.return_url(request.key);
        let intent = requests::payment_intent(
            request.key,
            minor,
            request.currency.code(),
            &payment_method,
            (!self.config.localstripe).then_some(return_url.as_str()),
        );
        match self.post("/v1/payment_intents", &intent, &pi_key).await {
            Answer::Ok(value) => match serde_json::from_value::<PaymentIntent>(value) {
                Ok(intent) => charge_outcome(&intent, &return_url),
                Err(e) => ChargeOutcome::Unknown {
                    reason: format!("stripe: a payment intent that cannot be read: {e}"),
                },
            },
            // A card error at confirmation (402): declined; Stripe's answer names the intent.
            Answer::Refused(status, ErrorBody { error }) => {
                tracing::info!(payment_id = %request.key.payment_id, status, error = error.describe(), "stripe declined the charge");
                ChargeOutcome::Failed {
                    transaction_id: error.payment_intent.as_ref().map(|i| i.id.clone()),
                    decline: error.failure(status),
                }
            }
            Answer::Unknown(reason) => ChargeOutcome::Unknown { reason },
        }
    }

    async fn complete(&self, request: CompleteRequest<'_>) -> ChargeOutcome {
        let return_url = self.return_url(request.key);
        self.intent(request.provider_ref, &return_url).await
    }

    async fn lookup(&self, key: &AttemptKey) -> Lookup {
        match self.find_intent(key).await {
            Ok(Some(intent)) => Lookup::Found(charge_outcome(&intent, &self.return_url(key))),
            Ok(None) => Lookup::NeverReached,
            Err(reason) => Lookup::Found(ChargeOutcome::Unknown { reason }),
        }
    }

    async fn refund(&self, request: RefundRequest<'_>) -> RefundOutcome {
        let minor = match to_minor(request.amount, request.currency) {
            Ok(minor) => minor,
            Err(reason) => return RefundOutcome::Refused { reason },
        };
        let form = requests::refund(&request, minor);
        match self.post("/v1/refunds", &form, request.key).await {
            Answer::Ok(value) => match serde_json::from_value::<Refund>(value) {
                Ok(refund) => refund_outcome(&refund),
                Err(e) => RefundOutcome::Unknown {
                    reason: format!("stripe: a refund that cannot be read: {e}"),
                },
            },
            Answer::Refused(status, ErrorBody { error }) => {
                tracing::info!(
                    refund_id = request.key,
                    status,
                    error = error.describe(),
                    "stripe refused the refund"
                );
                RefundOutcome::Refused {
                    reason: match error.code.as_deref() {
                        Some("charge_already_refunded") => "the charge is refunded already".to_owned(),
                        Some("amount_too_large") => "more than is left of the charge".to_owned(),
                        Some(code) => format!("Stripe refused the refund ({code})"),
                        None => "Stripe refused the refund".to_owned(),
                    },
                }
            }
            Answer::Unknown(reason) => RefundOutcome::Unknown { reason },
        }
    }

    async fn verify_event(
        &self,
        headers: &actix_web::http::header::HeaderMap,
        body: &[u8],
    ) -> Result<ProviderEvent, EventRefusal> {
        let header = headers
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok())
            .ok_or(EventRefusal::BadSignature)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        webhooks::verify_signature(header, body, self.config.webhook_secret.expose_secret().as_bytes(), now)?;
        let event: webhooks::Event =
            serde_json::from_slice(body).map_err(|e| EventRefusal::Unreadable(e.to_string()))?;
        let kind = match webhooks::read(&event)? {
            webhooks::Read::Kind(kind) => kind,
            webhooks::Read::DisputeOf(intent) => {
                let path = format!("/v1/payment_intents/{intent}");
                let found = match self.get(&path).await {
                    Answer::Ok(value) => serde_json::from_value::<PaymentIntent>(value).ok(),
                    _ => None,
                };
                match found.as_ref().map(|i| webhooks::attempt_key(&i.metadata)) {
                    Some(Some(key)) => ProviderEventKind::DisputeOpened { key },
                    Some(None) => ProviderEventKind::Other {
                        kind: "charge.dispute.created".into(),
                    },
                    // Refused (400): Stripe sends the event again later.
                    None => {
                        return Err(EventRefusal::Unreadable(
                            "the disputed payment intent could not be read from Stripe".into(),
                        ))
                    }
                }
            }
        };
        Ok(ProviderEvent { id: event.id, kind })
    }
}
