//! `Pay`: the Rust API a merchant's code calls, and what the HTTP routes are built on. One file
//! per concern it owns: `payments` (create, get, list), `checkout` (what the popup shows,
//! attempts charged at most once, 3-D Secure challenges, open attempts resolved by look-up),
//! `refunds` (refunds through the provider, and the merchant's other status changes),
//! `providers` (provider events in, the sandbox's test hooks), `events` (hooks, webhooks, the
//! event feed, the background checks), `currencies`.
//!
//! A `Pay` is built from a [`PayConfig`]: a merchant who mounts Pay in their own actix-web app
//! needs nothing of the server's configuration.

mod checkout;
mod currencies;
mod events;
mod export;
mod payments;
mod provider_events;
mod refunds;

pub use checkout::CHALLENGE_TIMEOUT;
pub use currencies::MAX_AMOUNTS;
pub use payments::{ListFilter, ListPage};

use crate::error::PayError;
use crate::events::WebhookEndpoint;
use crate::metrics::Metrics;
use crate::providers::{Provider, ReachabilityReport};
use crate::rate_limit::AttemptLimiter;
use crate::rates::{ConfiguredRates, FeedRates, RatesProvider, RatesTable};
use crate::shutdown::Background;
use crate::store::Store;
use pay_types::{Currency, ErrorCode, PaymentId};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A handle on the payment service. Cheap to clone; every clone shares one store.
#[derive(Clone)]
pub struct Pay {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    provider: Arc<dyn Provider>,
    site_currency: Currency,
    secret_key: Option<SecretString>,
    allowed_origins: Vec<String>,
    offline_payments: bool,
    max_declined_attempts: u32,
    test_mode: bool,
    metrics: Metrics,
    attempt_limiter: AttemptLimiter,
    rates: Arc<dyn RatesProvider>,
    challenge_timeout: Duration,
    background: Background,
}

/// Where conversion rates come from.
#[derive(Debug, Clone)]
pub enum RatesSource {
    /// A fixed table: rates per one unit of its base.
    Table(RatesTable),
    /// A daily feed in the ECB's XML format, downloaded at start and every `every`; the last
    /// good table is kept in the database.
    Feed { url: String, every: Duration },
}

/// Everything a `Pay` is built from. [`PayConfig::new`] gives the defaults; set the rest by
/// field.
pub struct PayConfig {
    /// `sqlite://<file>` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// The payment provider: the sandbox (test mode only) or a live one.
    pub provider: Arc<dyn Provider>,
    /// The currency of payments created without one.
    pub site_currency: Currency,
    /// The merchant API's key (16+ characters); `None` disables the merchant API.
    pub secret_key: Option<SecretString>,
    /// Page origins allowed by CORS on the routes the SDK calls.
    pub allowed_origins: Vec<String>,
    /// Offer the offline (pay later) method.
    pub offline_payments: bool,
    /// Declines a payment accepts before refusing more attempts.
    pub max_declined_attempts: u32,
    /// Attempts one client address may make per minute (0: no limit).
    pub attempts_per_minute_per_ip: u32,
    /// Test mode: the sandbox may be the provider, and its test routes exist. Outside test
    /// mode a live provider is required.
    pub test_mode: bool,
    pub rates: RatesSource,
    /// How long the buyer has to answer a 3-D Secure challenge before the attempt fails with
    /// `authentication_failed`.
    pub challenge_timeout: Duration,
    /// Signed HTTP webhooks, each fed every event from the outbox.
    pub webhooks: Vec<WebhookEndpoint>,
}

impl PayConfig {
    /// The defaults: USD, no merchant API, card only, 5 declines, 30 attempts a minute per
    /// address, test mode, no conversion rates, 10 minutes for a challenge, no webhooks.
    pub fn new(database_url: impl Into<String>, provider: Arc<dyn Provider>) -> Self {
        Self {
            database_url: database_url.into(),
            provider,
            site_currency: Currency::parse("USD").expect("USD is a currency"),
            secret_key: None,
            allowed_origins: Vec::new(),
            offline_payments: false,
            max_declined_attempts: 5,
            attempts_per_minute_per_ip: 30,
            test_mode: true,
            rates: RatesSource::Table(RatesTable {
                base: Currency::parse("EUR").expect("EUR is a currency"),
                rates: BTreeMap::new(),
                published: crate::store::now_rfc3339(),
            }),
            challenge_timeout: CHALLENGE_TIMEOUT,
            webhooks: Vec::new(),
        }
    }
}

/// Well-formed and never issued: issued ids are UUID v4 from the RNG, this one is all zeros
/// but for the version bits.
const NEVER_ISSUED: &str = "00000000-0000-4000-8000-000000000000";

/// The id to look up for `raw`: a malformed id becomes one that is never issued, so missing
/// and malformed ids take the same path and the same time, and nothing tells them apart.
fn lookup_id(raw: &str) -> PaymentId {
    PaymentId::parse(raw).unwrap_or_else(|_| PaymentId::parse(NEVER_ISSUED).expect("a valid shape"))
}

/// An `Idempotency-Key`: 1..=255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, PayError> {
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PayError::rejected(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key: 1 to 255 visible ASCII characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Pay {
    /// Opens the database (running migrations), starts the rates source and the provider, and
    /// starts the background work: the worker that asks the provider about open attempts and
    /// refunds (those a crash left with it too, as soon as the provider answers; never before
    /// the server listens), and the webhooks' delivery loops. [`Pay::stop`] ends it.
    pub async fn new(config: PayConfig) -> Result<Self, PayError> {
        if !config.test_mode && !config.provider.is_live() {
            return Err(PayError::internal(format!(
                "test_mode = false needs a live payment provider; {} is not one",
                config.provider.name()
            )));
        }
        let store = Store::open(&config.database_url).await?;
        let rates: Arc<dyn RatesProvider> = match config.rates {
            RatesSource::Feed { url, every } => FeedRates::start(url, store.clone(), every).await?,
            RatesSource::Table(table) => Arc::new(ConfiguredRates(table)),
        };
        let pay = Pay {
            inner: Arc::new(Inner {
                store,
                provider: config.provider,
                site_currency: config.site_currency,
                secret_key: config.secret_key,
                allowed_origins: config.allowed_origins,
                offline_payments: config.offline_payments,
                max_declined_attempts: config.max_declined_attempts,
                test_mode: config.test_mode,
                metrics: Metrics::new(),
                attempt_limiter: AttemptLimiter::new(config.attempts_per_minute_per_ip),
                rates,
                challenge_timeout: config.challenge_timeout,
                background: Background::default(),
            }),
        };
        pay.inner.provider.start(&pay.inner.store);
        pay.spawn_every(Duration::from_millis(250), |pay| async move {
            if let Err(e) = pay.take_outgoing_events().await {
                tracing::error!(error = %e, "taking the provider's events failed");
            }
        });
        events::spawn_provider_checks(&pay);
        for endpoint in config.webhooks {
            pay.add_webhook(endpoint).await?;
        }
        Ok(pay)
    }

    /// Counts one HTTP request in the metrics.
    pub fn record_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let m = &self.inner.metrics;
        m.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        m.latency.with_label_values(&[route]).observe(took.as_secs_f64());
    }

    /// Test mode: the sandbox's test routes exist.
    pub fn test_mode(&self) -> bool {
        self.inner.test_mode
    }

    /// Whether the database answers and every migration is applied (`/readyz`).
    pub async fn ready(&self) -> Result<bool, PayError> {
        Ok(self.inner.store.ready().await?)
    }

    /// The provider's name and whether it answers, as Pay's latest calls to it found
    /// (`/readyz`'s details and the metrics; never part of readiness).
    pub fn provider_reachability(&self) -> (&'static str, ReachabilityReport) {
        let provider = &self.inner.provider;
        (provider.name(), provider.reachability())
    }

    /// The store, for tests that look under the API (feature `testing`).
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn secret_key(&self) -> Option<&SecretString> {
        self.inner.secret_key.as_ref()
    }

    pub(crate) fn allowed_origins(&self) -> &[String] {
        &self.inner.allowed_origins
    }

    pub(crate) fn db(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn background(&self) -> &Background {
        &self.inner.background
    }

    /// Refuses an attempt from an address over its per-minute allowance.
    pub(crate) fn check_attempt_rate(&self, client: Option<std::net::IpAddr>) -> Result<(), PayError> {
        self.inner.attempt_limiter.check(client)
    }
}
