//! The Stripe connector: Stripe's documented HTTP API through `reqwest` (form-encoded bodies,
//! the secret key as a bearer token, explicit timeouts).
//!
//! One flow per operation, as the trait has them; request bodies are built in `requests`,
//! answers read and mapped in `responses`, events verified and read in `webhooks`, amounts
//! converted in `amounts`. Every call that creates something carries an `Idempotency-Key`
//! derived from Pay's key (the attempt key, the refund id) and is retried with the same key on
//! network errors, 5xx, 429 and 409, a few times with jittered backoff, as Stripe recommends
//! (a 429 a few more: under a burst Stripe refuses many calls, none of which did anything), and
//! as `Stripe-Should-Retry` says when Stripe sends it; what is still unanswered after that is
//! `Unknown`, resolved later by a look-up.
//!
//! Card data never reaches the connector: the buyer types the card into Stripe's own fields
//! (Stripe Elements, in the popup), Stripe.js turns it into a PaymentMethod, and the attempt
//! carries only its id. An attempt is two calls: the PaymentIntent is created (unconfirmed,
//! under the attempt's key) and its id stored by Pay, then confirmed under a key of its own.
//! A look-up reads that intent by its id; one never confirmed is canceled, so a late confirm
//! can no longer charge it. No request body, no response body and no `reqwest` error with a
//! body is ever logged or returned; a PaymentIntent's client secret goes to the attempt's
//! browser only.

mod amounts;
mod requests;
mod responses;
pub mod webhooks;

pub use amounts::to_minor;

use super::{
    AttemptKey, CardSource, ChargeOutcome, ChargeRequest, CompleteRequest, EventRefusal, Lookup, Provider,
    ProviderEvent, ProviderEventKind, Reachability, ReachabilityReport, RefundOutcome, RefundRequest,
};
use actix_web::http::header::HeaderMap;
use pay_types::{is_provider_id, Amount, CardFields, CardFieldsKind, Currency, DeclineCode};
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
    /// `pk_live_…` or `pk_test_…`: the popup creates Stripe.js with it.
    pub publishable_key: String,
    /// Where the popup loads Stripe.js from (`https://js.stripe.com/v3/`).
    pub js_url: Url,
    /// Per request: connecting and the whole exchange (`stripe_timeout_secs`, 30 s by default).
    pub timeout: Duration,
    /// Calls after the first, on a network error, a 5xx, a 429 or a 409 (see `call`).
    pub retries: u32,
    /// The longest wait before the first retry; doubles each time (half of it is random).
    pub backoff: Duration,
    /// Speak localstripe's dialect (tests only): a confirm without `return_url` and
    /// `use_stripe_sdk`, which it refuses.
    pub localstripe: bool,
}

impl StripeConfig {
    pub fn new(secret_key: SecretString, webhook_secret: SecretString, api_base: Url, public_url: Url) -> Self {
        Self {
            secret_key,
            webhook_secret,
            api_base,
            public_url,
            publishable_key: String::new(),
            js_url: Url::parse("https://js.stripe.com/v3/").expect("a URL"),
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
    reachability: Reachability,
}

/// What came back from Stripe, after the retries.
enum Answer {
    /// A 2xx, with its body.
    Ok(serde_json::Value),
    /// A 4xx, with Stripe's error.
    Refused(u16, ErrorBody),
    /// No answer worth reading: a network error, a timeout, a 5xx, a body that is not Stripe's.
    Unknown(String),
}

/// Stripe's own word on retrying a failed request (`Stripe-Should-Retry: true|false`), when it
/// gives one.
fn stripe_should_retry(headers: &reqwest::header::HeaderMap) -> Option<bool> {
    match headers.get("stripe-should-retry")?.to_str().ok()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The wait before retry `n` (1, 2, …): `backoff` doubled each time up to [`MAX_RETRY_WAIT`],
/// of which a random half
/// ("equal jitter"), so that calls refused together under a burst do not all come back
/// together.
fn retry_wait(backoff: Duration, n: u32) -> Duration {
    let full = backoff
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(MAX_RETRY_WAIT);
    full.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// The longest wait between two calls of one request.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(4);

/// Calls after a 429, beside [`StripeConfig::retries`] for the other failures.
const RATE_LIMIT_RETRIES: u32 = 5;

impl StripeProvider {
    pub fn new(config: StripeConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .timeout(config.timeout)
            .user_agent(concat!("pay-backend/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the Stripe client: {e}"))?;
        Ok(Self {
            config,
            http,
            reachability: Reachability::new("stripe"),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.api_base.as_str().trim_end_matches('/'), path)
    }

    /// One call, retried with the same idempotency key (see the module's text). Any answer but
    /// a 5xx says Stripe is reachable; none after the retries, that it is not.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: Option<&Form>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut last;
        // Why Stripe was not reached, at the last try (none: it answered).
        let mut unreachable;
        let (mut failed, mut limited) = (0, 0);
        // Whether to ask again after a failure (`limited`: a 429), within the retries.
        let mut again = |rate_limited: bool| {
            if rate_limited {
                limited += 1;
                limited <= RATE_LIMIT_RETRIES
            } else {
                failed += 1;
                failed <= self.config.retries
            }
        };
        let mut tries = 0;
        loop {
            if tries > 0 {
                tokio::time::sleep(retry_wait(self.config.backoff, tries)).await;
            }
            tries += 1;
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
                    unreachable = Some(describe(&e));
                    if again(false) {
                        continue;
                    }
                    break;
                }
            };
            let status = response.status().as_u16();
            let should_retry = stripe_should_retry(response.headers());
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(e) => {
                    last = format!("stripe {method} {path}: reading the answer: {}", describe(&e));
                    unreachable = Some(describe(&e));
                    if again(false) {
                        continue;
                    }
                    break;
                }
            };
            // A 5xx, a 429 (Stripe's rate limit: nothing was done) or a 409 (the same key in use
            // by a request Stripe is still running, e.g. one of a process that died) is no
            // answer, and is asked again unless Stripe's `Stripe-Should-Retry` says not to; any
            // other error Stripe says to retry is asked again too. A 429 has retries of its own:
            // under a burst Stripe refuses many calls, and asking later is always safe.
            unreachable = (status >= 500).then_some("a server error (HTTP 5xx)");
            if unreachable.is_none() {
                self.reachability.answered();
            }
            let unanswered = status >= 500 || status == 429 || status == 409;
            if unanswered || (status >= 400 && should_retry == Some(true)) {
                last = format!("stripe {method} {path}: HTTP {status}");
                if should_retry.unwrap_or(unanswered) && again(status == 429) {
                    continue;
                }
                break;
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
        if let Some(kind) = unreachable {
            self.reachability.failed(kind);
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

    /// A PaymentIntent by its id (an error is for the log: nobody knows what it holds).
    async fn fetch_intent(&self, id: &str) -> Result<PaymentIntent, String> {
        if !is_provider_id(id, "pi_") {
            return Err("stripe: not a payment intent id".into());
        }
        match self.get(&format!("/v1/payment_intents/{id}")).await {
            Answer::Ok(value) => {
                serde_json::from_value(value).map_err(|e| format!("stripe: a payment intent that cannot be read: {e}"))
            }
            Answer::Refused(status, error) => Err(format!(
                "stripe: retrieving {id}: HTTP {status} {}",
                error.error.describe()
            )),
            Answer::Unknown(reason) => Err(reason),
        }
    }

    /// A PaymentIntent by its id, as Pay's outcome.
    async fn intent(&self, id: &str) -> ChargeOutcome {
        match self.fetch_intent(id).await {
            Ok(intent) => charge_outcome(&intent),
            Err(reason) => ChargeOutcome::Unknown { reason },
        }
    }

    /// Cancels an intent that must no longer charge, and says what Stripe holds after:
    /// `NeverReached` when it is canceled (nothing charged), or the intent's outcome if it
    /// had ended first (paid, processing, declined).
    async fn cancel_intent(&self, key: &AttemptKey, id: &str) -> Lookup {
        let path = format!("/v1/payment_intents/{id}/cancel");
        match self.post(&path, &Form::default(), &requests::cancel_key(key)).await {
            Answer::Ok(_) => Lookup::NeverReached,
            // Not cancelable (any more): what does it hold?
            Answer::Refused(..) => match self.fetch_intent(id).await {
                Ok(intent) if intent.status == "canceled" => Lookup::NeverReached,
                Ok(intent) => Lookup::Found(charge_outcome(&intent)),
                Err(reason) => Lookup::Found(ChargeOutcome::Unknown { reason }),
            },
            Answer::Unknown(reason) => Lookup::Found(ChargeOutcome::Unknown { reason }),
        }
    }
}

/// A PaymentIntent answer as Pay's outcome.
fn read_intent(value: serde_json::Value) -> ChargeOutcome {
    match serde_json::from_value::<PaymentIntent>(value) {
        Ok(intent) => charge_outcome(&intent),
        Err(e) => ChargeOutcome::Unknown {
            reason: format!("stripe: a payment intent that cannot be read: {e}"),
        },
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

    /// None: a dead process's attempts are asked about at once. Whatever of its calls is still
    /// in flight cannot charge after that: the intent's id was stored before its confirmation,
    /// and a look-up that finds it unconfirmed cancels it (Stripe takes an intent's calls one
    /// at a time, so the late confirmation either charged first, and the look-up says so, or
    /// meets a canceled intent). Its other calls are idempotent by key.
    fn in_flight_grace(&self) -> Duration {
        Duration::ZERO
    }

    fn check_amount(&self, amount: Amount, currency: Currency) -> Result<(), String> {
        to_minor(amount, currency).map(|_| ())
    }

    fn reachability(&self) -> ReachabilityReport {
        self.reachability.report()
    }

    /// `GET /v1/balance`: a read any secret key may make, and which changes nothing.
    async fn probe(&self) {
        self.get("/v1/balance").await;
    }

    fn card_fields(&self) -> CardFields {
        CardFields {
            kind: CardFieldsKind::Stripe,
            publishable_key: Some(self.config.publishable_key.clone()),
            js_url: Some(self.config.js_url.to_string()),
        }
    }

    /// `POST /v1/payment_intents`, unconfirmed, with the PaymentMethod Stripe.js made and the
    /// attempt in its metadata, under the attempt's key. Nothing can charge it until Pay has
    /// stored its id and confirms it.
    async fn prepare(&self, request: &ChargeRequest<'_>) -> Result<Option<String>, DeclineCode> {
        let payment_id = &request.key.payment_id;
        let CardSource::Token(payment_method) = request.source else {
            // Pay refuses card numbers before the call (card_data_not_accepted).
            tracing::error!(%payment_id, "a card number reached the Stripe connector; refused");
            return Err(DeclineCode::ProcessingError);
        };
        let minor = to_minor(request.amount, request.currency).map_err(|reason| {
            tracing::warn!(%payment_id, reason, "stripe cannot take this amount");
            DeclineCode::ProcessingError
        })?;
        let form = requests::payment_intent(request.key, minor, request.currency.code(), payment_method);
        match self
            .post("/v1/payment_intents", &form, &requests::create_key(request.key))
            .await
        {
            Answer::Ok(value) => match value.get("id").and_then(|id| id.as_str()) {
                Some(id) if is_provider_id(id, "pi_") => Ok(Some(id.to_owned())),
                _ => {
                    tracing::warn!(%payment_id, "stripe: a payment intent without an id");
                    Err(DeclineCode::ProcessingError)
                }
            },
            // A PaymentMethod Stripe does not know (or not this account's): nothing was charged.
            Answer::Refused(status, error) => {
                tracing::info!(%payment_id, status, error = error.error.describe(), "stripe refused the payment intent");
                Err(error.error.failure(status))
            }
            // Never confirmed, so never charged: the attempt fails now, the buyer may pay again.
            Answer::Unknown(reason) => {
                tracing::warn!(%payment_id, reason, "stripe: creating the payment intent went unanswered; nothing was confirmed");
                Err(DeclineCode::ProcessingError)
            }
        }
    }

    /// `POST /v1/payment_intents/{id}/confirm` under a key of its own: charged, a challenge for
    /// Stripe.js, or a decline.
    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome {
        let Some(id) = request.provider_ref.filter(|id| is_provider_id(id, "pi_")) else {
            return ChargeOutcome::Failed {
                transaction_id: None,
                decline: DeclineCode::ProcessingError,
            };
        };
        let return_url = self.return_url(request.key);
        let form = requests::confirm((!self.config.localstripe).then_some(return_url.as_str()));
        let path = format!("/v1/payment_intents/{id}/confirm");
        match self.post(&path, &form, &requests::confirm_key(request.key)).await {
            Answer::Ok(value) => read_intent(value),
            // A card error at confirmation (402): declined.
            Answer::Refused(status, ErrorBody { error }) if error.is_card_error(status) => {
                tracing::info!(payment_id = %request.key.payment_id, status, error = error.describe(), "stripe declined the charge");
                ChargeOutcome::Failed {
                    transaction_id: Some(id.to_owned()),
                    decline: error.decline(),
                }
            }
            // Any other refusal (e.g. the intent no longer waits for a confirmation: an earlier
            // try of this one charged): never guessed, the intent says what happened.
            Answer::Refused(status, ErrorBody { error }) => {
                tracing::warn!(payment_id = %request.key.payment_id, status, error = error.describe(), "stripe refused the confirmation; reading the intent");
                match self.lookup(request.key, Some(id)).await {
                    Lookup::Found(outcome) => outcome,
                    Lookup::NeverReached => ChargeOutcome::Failed {
                        transaction_id: Some(id.to_owned()),
                        decline: DeclineCode::ProcessingError,
                    },
                }
            }
            Answer::Unknown(reason) => ChargeOutcome::Unknown { reason },
        }
    }

    async fn complete(&self, request: CompleteRequest<'_>) -> ChargeOutcome {
        self.intent(request.provider_ref).await
    }

    /// The intent by the id Pay stored before confirming it. Without one, nothing was ever
    /// confirmed; an intent still waiting for its confirmation is canceled, so the confirm
    /// that was lost on its way can no longer charge it.
    async fn lookup(&self, key: &AttemptKey, provider_ref: Option<&str>) -> Lookup {
        let Some(id) = provider_ref else {
            return Lookup::NeverReached;
        };
        match self.fetch_intent(id).await {
            Ok(intent) if intent.status == "requires_confirmation" => self.cancel_intent(key, id).await,
            Ok(intent) => Lookup::Found(charge_outcome(&intent)),
            Err(reason) => Lookup::Found(ChargeOutcome::Unknown { reason }),
        }
    }

    /// `POST /v1/payment_intents/{id}/cancel`, unless the intent was paid meanwhile.
    async fn cancel(&self, key: &AttemptKey, provider_ref: Option<&str>) -> Lookup {
        match provider_ref {
            Some(id) if is_provider_id(id, "pi_") => self.cancel_intent(key, id).await,
            _ => Lookup::NeverReached,
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

    /// The refund by its metadata, among the few of its PaymentIntent
    /// (`GET /v1/refunds?payment_intent=…`; Pay does not keep Stripe's refund id).
    async fn refund_status(&self, request: RefundRequest<'_>) -> RefundOutcome {
        if !is_provider_id(request.transaction_id, "pi_") {
            return RefundOutcome::Unknown {
                reason: "stripe: the refund's charge is not a payment intent".into(),
            };
        }
        let path = format!("/v1/refunds?payment_intent={}&limit=100", request.transaction_id);
        match self.get(&path).await {
            Answer::Ok(value) => match serde_json::from_value::<List<Refund>>(value) {
                Ok(list) => match list
                    .data
                    .iter()
                    .find(|r| r.metadata.get(requests::REFUND_ID).map(String::as_str) == Some(request.key))
                {
                    Some(refund) => refund_outcome(refund),
                    None => RefundOutcome::Unknown {
                        reason: format!("stripe: no refund {} among its payment intent's", request.key),
                    },
                },
                Err(e) => RefundOutcome::Unknown {
                    reason: format!("stripe: a list of refunds that cannot be read: {e}"),
                },
            },
            Answer::Refused(status, error) => RefundOutcome::Unknown {
                reason: format!("stripe: listing refunds: HTTP {status} {}", error.error.describe()),
            },
            Answer::Unknown(reason) => RefundOutcome::Unknown { reason },
        }
    }

    async fn verify_event(&self, headers: &HeaderMap, body: &[u8]) -> Result<ProviderEvent, EventRefusal> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_waits_double_with_a_random_half() {
        let backoff = Duration::from_millis(400);
        for n in 1..=6 {
            let full = (backoff * 2u32.pow(n - 1)).min(MAX_RETRY_WAIT);
            let waits: Vec<Duration> = (0..50).map(|_| retry_wait(backoff, n)).collect();
            assert!(waits.iter().all(|w| *w >= full / 2 && *w <= full), "{n}: {waits:?}");
            assert!(waits.iter().any(|w| *w != waits[0]), "{n}: jittered");
        }
    }

    #[test]
    fn stripe_should_retry_is_read_when_given() {
        let with = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("Stripe-Should-Retry", value.parse().unwrap());
            stripe_should_retry(&headers)
        };
        assert_eq!(with("true"), Some(true));
        assert_eq!(with("false"), Some(false));
        assert_eq!(with("maybe"), None);
        assert_eq!(stripe_should_retry(&reqwest::header::HeaderMap::new()), None);
    }
}
