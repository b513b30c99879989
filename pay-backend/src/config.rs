//! Settings, layered by `figment`: the defaults of [`Settings::default`], then an optional TOML
//! file (`--config FILE` or `PAY_CONFIG`, read by `clap`), then `PAY_*` environment variables.
//! Every value is parsed once, into its type, while it is read: an unknown setting or an invalid
//! value stops the server at start with a message naming the setting and where it came from.
//! The secret key and the webhook secrets are `secrecy` types: `Debug` never shows them, nor
//! does an error message.

use crate::error::PayError;
use crate::events::{WebhookEndpoint, WebhookSecret};
use crate::pay::{PayConfig, RatesSource};
use crate::providers::{Provider, SandboxProvider, StripeConfig, StripeProvider};
use crate::telemetry::LogFormat;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use pay_types::{Amount, Currency};
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The server's settings. Field names are the TOML keys, except where a `Duration` field's key
/// carries its unit (`shutdown_timeout_secs`, `sandbox_settle_delay_ms`, `rates_refresh_secs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    /// `sqlite:…` or `postgres://…` (checked at load).
    #[serde(deserialize_with = "database_url")]
    pub database_url: String,
    #[serde(rename = "shutdown_timeout_secs", deserialize_with = "seconds")]
    pub shutdown_timeout: Duration,
    pub site_currency: Currency,
    /// At least 16 characters, no white space; `None` disables the merchant API.
    #[serde(deserialize_with = "secret_key")]
    pub secret_key: Option<SecretString>,
    pub offline_payments: bool,
    /// Origins such as `https://shop.example` (scheme, host, optional port; no path).
    #[serde(deserialize_with = "origins")]
    pub allowed_origins: Vec<String>,
    pub test_mode: bool,
    /// The payment provider.
    pub provider: ProviderName,
    #[serde(rename = "sandbox_settle_delay_ms", deserialize_with = "milliseconds")]
    pub sandbox_settle_delay: Duration,
    /// How long a sandbox charge takes (the crash test sets it, so kills land during charges).
    #[serde(rename = "sandbox_latency_ms", deserialize_with = "milliseconds")]
    pub sandbox_latency: Duration,
    /// The secret the sandbox signs its provider events with; a random one when unset.
    #[serde(deserialize_with = "optional_secret")]
    pub sandbox_events_secret: Option<WebhookSecret>,
    /// Stripe's secret API key (`sk_live_…`, `sk_test_…`), for `provider = "stripe"`.
    #[serde(deserialize_with = "optional_secret_text")]
    pub stripe_secret_key: Option<SecretString>,
    /// The signing secret (`whsec_…`) of the Stripe webhook endpoint that points at Pay.
    #[serde(deserialize_with = "optional_secret_text")]
    pub stripe_webhook_secret: Option<SecretString>,
    #[serde(deserialize_with = "http_url")]
    pub stripe_api_base: Url,
    /// How long one request to Stripe may take, connecting and the whole exchange (1 s to 5
    /// minutes); a call that takes longer is retried under the same key, then asked about.
    #[serde(rename = "stripe_timeout_secs", deserialize_with = "stripe_timeout")]
    pub stripe_timeout: Duration,
    /// Stripe's publishable key (`pk_live_…`, `pk_test_…`): the popup creates Stripe.js with
    /// it. Required with Stripe, and of the same mode as the secret key.
    #[serde(deserialize_with = "publishable_key")]
    pub stripe_publishable_key: Option<String>,
    /// Where the popup loads Stripe.js from: Stripe's own address (Stripe.js is never bundled
    /// or copied); the tests point it at a test double.
    #[serde(deserialize_with = "http_url")]
    pub stripe_js_url: Url,
    /// Test only: talk to localstripe (which refuses `return_url`).
    pub stripe_localstripe: bool,
    /// The server's public base URL (`https://pay.shop.example`): where Stripe sends a buyer
    /// back after 3-D Secure. Required with Stripe.
    #[serde(deserialize_with = "optional_http_url")]
    pub public_url: Option<Url>,
    pub max_declined_attempts: u32,
    pub attempts_per_minute_per_ip: u32,
    pub rates_base: Currency,
    /// Rates per one `rates_base`, each above 0.
    #[serde(deserialize_with = "rates")]
    pub rates: BTreeMap<Currency, Amount>,
    #[serde(deserialize_with = "optional_http_url")]
    pub rates_url: Option<Url>,
    /// At least a minute.
    #[serde(rename = "rates_refresh_secs", deserialize_with = "refresh_interval")]
    pub rates_refresh: Duration,
    pub www_dir: Option<PathBuf>,
    pub sdk_dir: Option<PathBuf>,
    /// The merchant dashboard at `/dashboard/` (it needs `secret_key` to sign in).
    pub dashboard: bool,
    /// How long a dashboard sign-in lasts.
    #[serde(rename = "dashboard_session_secs", deserialize_with = "session_lifetime")]
    pub dashboard_session: Duration,
    /// Mark the dashboard's session cookie `Secure` on every response, not only on requests
    /// that arrived over https (set it behind a TLS-terminating proxy that does not say so).
    pub dashboard_secure_cookie: bool,
    pub log_format: LogFormat,
    /// Names unique and not empty.
    #[serde(deserialize_with = "webhooks")]
    pub webhooks: Vec<WebhookEndpoint>,
}

/// The defaults: the only place they are written. `--help` and docs/configuration.md show these
/// values.
impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            database_url: "sqlite://pay.db".into(),
            shutdown_timeout: Duration::from_secs(30),
            site_currency: Currency::parse("USD").expect("USD is in the table"),
            secret_key: None,
            offline_payments: false,
            allowed_origins: Vec::new(),
            test_mode: true,
            provider: ProviderName::Sandbox,
            sandbox_settle_delay: Duration::from_millis(5000),
            sandbox_latency: Duration::ZERO,
            sandbox_events_secret: None,
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            stripe_api_base: Url::parse("https://api.stripe.com").expect("a URL"),
            stripe_timeout: Duration::from_secs(30),
            stripe_publishable_key: None,
            stripe_js_url: Url::parse("https://js.stripe.com/v3/").expect("a URL"),
            stripe_localstripe: false,
            public_url: None,
            max_declined_attempts: 5,
            attempts_per_minute_per_ip: 30,
            rates_base: Currency::parse("EUR").expect("EUR is in the table"),
            rates: BTreeMap::new(),
            rates_url: None,
            rates_refresh: Duration::from_secs(86_400),
            www_dir: None,
            sdk_dir: None,
            dashboard: true,
            dashboard_session: Duration::from_secs(8 * 3600),
            dashboard_secure_cookie: false,
            log_format: LogFormat::Text,
            webhooks: Vec::new(),
        }
    }
}

/// One setting as `--help` and docs/configuration.md list it: its TOML key (the variable is
/// `PAY_` and the key in capitals), what it does, and how a value of it reads (the default column
/// shows `Settings::default()` through it).
pub struct Setting {
    pub key: &'static str,
    pub about: &'static str,
    show: fn(&Settings) -> String,
}

impl Setting {
    /// `PAY_` and the key in capitals.
    pub fn variable(&self) -> String {
        format!("PAY_{}", self.key.to_ascii_uppercase())
    }

    /// The default value as text, `(none)` for an unset optional one.
    pub fn default_text(&self) -> String {
        (self.show)(&Settings::default())
    }
}

const fn setting(key: &'static str, about: &'static str, show: fn(&Settings) -> String) -> Setting {
    Setting { key, about, show }
}

fn none_or<T>(value: &Option<T>, show: impl Fn(&T) -> String) -> String {
    value.as_ref().map_or_else(|| "(none)".to_owned(), show)
}

/// Every setting, in the order of `--help` and of the table in docs/configuration.md.
pub const SETTINGS: &[Setting] = &[
    setting("host", "address to listen on", |s| s.host.clone()),
    setting("port", "TCP port (0 picks a free one)", |s| s.port.to_string()),
    setting(
        "database_url",
        "sqlite://<file> (created if missing) or postgres://user@host/database (several processes may share it)",
        |s| s.database_url.clone(),
    ),
    setting(
        "shutdown_timeout_secs",
        "on SIGTERM or Ctrl-C, how long requests and deliveries in flight may take to finish",
        |s| s.shutdown_timeout.as_secs().to_string(),
    ),
    setting(
        "site_currency",
        "ISO 4217 currency of payments created without one",
        |s| s.site_currency.code().to_owned(),
    ),
    setting(
        "secret_key",
        "merchant API key (Authorization: Bearer); at least 16 characters; unset disables the merchant API",
        |s| none_or(&s.secret_key, |_| "(set)".to_owned()),
    ),
    setting("offline_payments", "offer the offline (pay later) method", |s| {
        s.offline_payments.to_string()
    }),
    setting(
        "allowed_origins",
        "page origins allowed to call the checkout API by CORS (comma-separated in the variable)",
        |s| format!("[{}]", s.allowed_origins.join(", ")),
    ),
    setting(
        "test_mode",
        "the sandbox may be the provider, and the test-only routes exist; false needs a live provider",
        |s| s.test_mode.to_string(),
    ),
    setting(
        "provider",
        "the payment provider: sandbox (test mode only) or stripe",
        |s| s.provider.as_str().to_owned(),
    ),
    setting(
        "sandbox_settle_delay_ms",
        "delay before the sandbox's later events: a pending charge settling, a dispute, a pending refund",
        |s| s.sandbox_settle_delay.as_millis().to_string(),
    ),
    setting("sandbox_latency_ms", "how long a sandbox charge takes", |s| {
        s.sandbox_latency.as_millis().to_string()
    }),
    setting(
        "sandbox_events_secret",
        "whsec_… the sandbox signs its provider events with (random when unset)",
        |s| none_or(&s.sandbox_events_secret, |_| "(set)".to_owned()),
    ),
    setting(
        "stripe_secret_key",
        "Stripe's secret API key (sk_live_… or sk_test_…); required with provider = stripe",
        |s| none_or(&s.stripe_secret_key, |_| "(set)".to_owned()),
    ),
    setting(
        "stripe_webhook_secret",
        "signing secret (whsec_…) of the Stripe webhook endpoint at /pay/v1/providers/stripe/events; required with stripe",
        |s| none_or(&s.stripe_webhook_secret, |_| "(set)".to_owned()),
    ),
    setting("stripe_api_base", "Stripe's API address (tests point it at a fake)", |s| {
        s.stripe_api_base.to_string()
    }),
    setting(
        "stripe_timeout_secs",
        "how long one request to Stripe may take before it is retried under its key (1 to 300)",
        |s| s.stripe_timeout.as_secs().to_string(),
    ),
    setting(
        "stripe_publishable_key",
        "Stripe's publishable key (pk_live_… or pk_test_…, the secret key's mode), for Stripe.js in the popup; required with stripe",
        |s| none_or(&s.stripe_publishable_key, Clone::clone),
    ),
    setting(
        "stripe_js_url",
        "where the popup loads Stripe.js from (Stripe's own address; tests point it at a test double)",
        |s| s.stripe_js_url.to_string(),
    ),
    setting(
        "stripe_localstripe",
        "test only: the Stripe API is localstripe (no return_url, which it refuses)",
        |s| s.stripe_localstripe.to_string(),
    ),
    setting(
        "public_url",
        "the server's public base URL, where Stripe returns the buyer after 3-D Secure; required with stripe",
        |s| none_or(&s.public_url, Url::to_string),
    ),
    setting(
        "max_declined_attempts",
        "declined attempts a payment accepts before refusing more",
        |s| s.max_declined_attempts.to_string(),
    ),
    setting(
        "attempts_per_minute_per_ip",
        "payment attempts one client address may make per minute (0: no limit)",
        |s| s.attempts_per_minute_per_ip.to_string(),
    ),
    setting("rates_base", "currency the configured rates are per one unit of", |s| {
        s.rates_base.code().to_owned()
    }),
    setting(
        "rates",
        "conversion rates per one rates_base, e.g. { USD = \"1.08\" }, used without rates_url",
        |s| {
            let rates: Vec<String> = s.rates.iter().map(|(c, r)| format!("{c} = \"{r}\"")).collect();
            format!("{{{}}}", rates.join(", "))
        },
    ),
    setting(
        "rates_url",
        "daily reference-rates feed (ECB XML format) to download",
        |s| none_or(&s.rates_url, Url::to_string),
    ),
    setting(
        "rates_refresh_secs",
        "how often the feed is downloaded (60 at least)",
        |s| s.rates_refresh.as_secs().to_string(),
    ),
    setting("www_dir", "folder of a site to serve at / (the demo)", |s| {
        none_or(&s.www_dir, |p| p.display().to_string())
    }),
    setting("sdk_dir", "folder of the built SDK package to serve at /sdk/", |s| {
        none_or(&s.sdk_dir, |p| p.display().to_string())
    }),
    setting(
        "dashboard",
        "serve the merchant dashboard at /dashboard/ (sign-in with secret_key)",
        |s| s.dashboard.to_string(),
    ),
    setting(
        "dashboard_session_secs",
        "how long a dashboard sign-in lasts (60 to 604800)",
        |s| s.dashboard_session.as_secs().to_string(),
    ),
    setting(
        "dashboard_secure_cookie",
        "always mark the dashboard's session cookie Secure (it is on requests that came over https)",
        |s| s.dashboard_secure_cookie.to_string(),
    ),
    setting("log_format", "text or json", |s| s.log_format.to_string()),
    setting(
        "webhooks",
        "webhook endpoints: [{ name, url, secret = \"whsec_…\" }] (a TOML inline array in the variable)",
        |s| {
            let names: Vec<&str> = s.webhooks.iter().map(|w| w.name.as_str()).collect();
            format!("[{}]", names.join(", "))
        },
    ),
];

/// The command line. Every setting is a key of the TOML file or a `PAY_*` variable; `--help`
/// lists them after the options.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "pay-backend", about = "The Pay server", after_help = settings_list())]
pub struct Cli {
    /// TOML file of settings; PAY_* variables override what it says
    #[arg(long, value_name = "FILE", env = "PAY_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The part of `--help` after the options: every setting with its variable and default.
pub fn settings_list() -> String {
    let mut out = String::from("Settings (TOML key, environment variable, default, what):\n");
    for setting in SETTINGS {
        out.push_str(&format!(
            "  {:<27} {:<31} {:<16} {}\n",
            setting.key,
            setting.variable(),
            setting.default_text(),
            setting.about
        ));
    }
    out.push_str("\nPAY_LOG sets the log filter (e.g. info,pay_backend=debug).\n");
    out
}

/// Why the settings could not be read: one line per problem, each naming the setting and where
/// its value came from. Never holds a secret's value.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// The defaults, then `file` (if any), then the process's `PAY_*` variables (`PAY_CONFIG`
    /// and `PAY_LOG` are not settings: the command line and the logger read them).
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::from_figment(&Self::figment(file))
    }

    fn figment(file: Option<&Path>) -> Figment {
        let mut figment = Figment::new();
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment.merge(Env::prefixed("PAY_").ignore(&["CONFIG", "LOG"]))
    }

    /// Lossy extraction: `"1"`, `"yes"` and `"on"` read as `true` (and so on), digits in text
    /// as numbers; text fields still want text.
    fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        figment.extract_lossy().map_err(ConfigError::from_figment)
    }

    /// The configured rates as a table.
    pub fn rates_table(&self) -> crate::rates::RatesTable {
        crate::rates::RatesTable {
            base: self.rates_base,
            rates: self
                .rates
                .iter()
                .map(|(c, r)| (c.code().to_owned(), r.value()))
                .collect(),
            published: crate::store::now_rfc3339(),
        }
    }
}

impl ConfigError {
    fn from_figment(error: figment::Error) -> Self {
        let lines: Vec<String> = error.into_iter().map(|e| describe(&e)).collect();
        Self(lines.join("; "))
    }
}

/// `setting port (PAY_PORT): invalid type: …`, `setting port (in pay.toml): …`,
/// `unknown setting prot (PAY_PROT): …`, or for a problem with no key (an unreadable file, a
/// TOML syntax error) the problem and its source.
fn describe(e: &figment::Error) -> String {
    let from_env = e.metadata.as_ref().is_some_and(|m| m.name.contains("environment"));
    let file = e.metadata.as_ref().and_then(|m| match &m.source {
        Some(figment::Source::File(path)) => Some(path.display().to_string()),
        _ => None,
    });
    let Some(top) = e.path.first() else {
        return match file {
            Some(file) => format!("{file}: {}", e.kind),
            None => e.kind.to_string(),
        };
    };
    let place = match (from_env, &file) {
        (true, _) => format!("PAY_{}", top.to_ascii_uppercase()),
        (false, Some(file)) => format!("in {file}"),
        (false, None) => e
            .metadata
            .as_ref()
            .map_or_else(|| "defaults".to_owned(), |m| m.name.to_string()),
    };
    match &e.kind {
        figment::error::Kind::UnknownField(..) if e.path.len() == 1 => {
            format!("unknown setting {top} ({place}): `pay-backend --help` lists them")
        }
        figment::error::Kind::UnknownVariant(found, expected) => format!(
            "setting {} ({place}): `{found}` is not one of {}",
            e.path.join("."),
            expected.join(", ")
        ),
        kind => format!("setting {} ({place}): {kind}", e.path.join(".")),
    }
}

fn database_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    match crate::store::Dialect::of_url(&url) {
        Some(_) => Ok(url),
        None => Err(de::Error::custom(format!(
            "`{url}` must start with sqlite: or postgres://"
        ))),
    }
}

fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WebhookSecret>, D::Error> {
    WebhookSecret::parse(&String::deserialize(d)?)
        .map(Some)
        .map_err(de::Error::custom)
}

/// The payment providers this build has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    Sandbox,
    Stripe,
}

impl ProviderName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Stripe => "stripe",
        }
    }
}

/// A secret that is text (Stripe's keys and signing secrets), never shown.
fn optional_secret_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let text = String::deserialize(d).map_err(|_| de::Error::custom("a secret must be text"))?;
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(de::Error::custom("a secret must not be empty or hold white space"));
    }
    Ok(Some(SecretString::from(text)))
}

fn publishable_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    let body = text.strip_prefix("pk_live_").or_else(|| text.strip_prefix("pk_test_"));
    match body {
        Some(body) if !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            Ok(Some(text))
        }
        _ => Err(de::Error::custom(
            "a Stripe publishable key: pk_live_… or pk_test_… (a secret key sk_… never goes to the browser)",
        )),
    }
}

fn milliseconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

fn refresh_interval<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    match u64::deserialize(d)? {
        secs if secs >= 60 => Ok(Duration::from_secs(secs)),
        secs => Err(de::Error::custom(format!("{secs} is below the minimum of 60 seconds"))),
    }
}

fn stripe_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    match u64::deserialize(d)? {
        secs @ 1..=300 => Ok(Duration::from_secs(secs)),
        secs => Err(de::Error::custom(format!("{secs} is outside 1 to 300 seconds"))),
    }
}

fn session_lifetime<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    match u64::deserialize(d)? {
        secs @ 60..=604_800 => Ok(Duration::from_secs(secs)),
        secs => Err(de::Error::custom(format!(
            "{secs} is outside 60 seconds to 7 days (604800)"
        ))),
    }
}

/// The secret key, checked without ever echoing it: a value that is not text (a key of digits
/// only reads as a number from the environment) is refused with a hint, not with its value.
fn secret_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum KeyValue {
        Text(String),
        Other(de::IgnoredAny),
    }
    match KeyValue::deserialize(d)? {
        KeyValue::Text(key)
            if key.chars().count() >= 16 && !key.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(Some(SecretString::from(key)))
        }
        KeyValue::Text(_) => Err(de::Error::custom(
            "the secret key needs at least 16 characters, without white space",
        )),
        KeyValue::Other(_) => Err(de::Error::custom(
            "the secret key must be text (quote a key of digits only: '\"…\"')",
        )),
    }
}

/// A list of origins, or (as `PAY_ALLOWED_ORIGINS` holds it) one text of comma-separated ones.
fn origins<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    let origins: Vec<String> = match ListOrText::deserialize(d)
        .map_err(|_| de::Error::custom("a list of origins, or one text of comma-separated origins"))?
    {
        ListOrText::List(list) => list,
        ListOrText::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    for origin in &origins {
        if !is_origin(origin) {
            return Err(de::Error::custom(format!(
                "`{origin}` is not an origin like https://shop.example (scheme, host, optional port; no path)"
            )));
        }
    }
    Ok(origins)
}

fn is_origin(text: &str) -> bool {
    let Ok(url) = Url::parse(text) else {
        return false;
    };
    matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !text.ends_with('/')
        && url.username().is_empty()
}

fn rates<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Currency, Amount>, D::Error> {
    let rates = BTreeMap::<Currency, Amount>::deserialize(d)?;
    if let Some((code, rate)) = rates.iter().find(|(_, r)| r.value() <= rust_decimal::Decimal::ZERO) {
        return Err(de::Error::custom(format!(
            "the rate of {code} is {rate}: it must be above 0"
        )));
    }
    Ok(rates)
}

/// An absolute `http` or `https` URL.
pub(crate) fn http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let text = String::deserialize(d)?;
    match Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        _ => Err(de::Error::custom(format!("`{text}` is not an http(s) URL"))),
    }
}

fn optional_http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    http_url(d).map(Some)
}

fn webhooks<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<WebhookEndpoint>, D::Error> {
    let hooks = Vec::<WebhookEndpoint>::deserialize(d)?;
    let mut names = std::collections::HashSet::new();
    for hook in &hooks {
        if hook.name.is_empty() {
            return Err(de::Error::custom("a webhook needs a name"));
        }
        if !names.insert(hook.name.as_str()) {
            return Err(de::Error::custom(format!(
                "two webhooks are named `{}`: names must be unique",
                hook.name
            )));
        }
    }
    Ok(hooks)
}

impl Settings {
    /// The library configuration these settings describe, with `provider`.
    pub fn pay_config(&self, provider: Arc<dyn Provider>) -> PayConfig {
        PayConfig {
            database_url: self.database_url.clone(),
            provider,
            site_currency: self.site_currency,
            secret_key: self.secret_key.clone(),
            allowed_origins: self.allowed_origins.clone(),
            offline_payments: self.offline_payments,
            max_declined_attempts: self.max_declined_attempts,
            attempts_per_minute_per_ip: self.attempts_per_minute_per_ip,
            test_mode: self.test_mode,
            rates: match &self.rates_url {
                Some(url) => RatesSource::Feed {
                    url: url.to_string(),
                    every: self.rates_refresh,
                },
                None => RatesSource::Table(self.rates_table()),
            },
            challenge_timeout: crate::pay::CHALLENGE_TIMEOUT,
            webhooks: self.webhooks.clone(),
        }
    }

    /// The provider these settings ask for. The sandbox is refused outside test mode.
    pub fn provider(&self) -> Result<Arc<dyn Provider>, PayError> {
        match self.provider {
            ProviderName::Sandbox if !self.test_mode => Err(PayError::internal(
                "test_mode = false needs a live payment provider; the sandbox moves no money",
            )),
            ProviderName::Sandbox => Ok(Arc::new(self.sandbox())),
            ProviderName::Stripe => Ok(Arc::new(self.stripe()?)),
        }
    }

    /// The Stripe connector these settings describe: a secret key, a webhook secret and the
    /// public URL are required.
    pub fn stripe(&self) -> Result<StripeProvider, PayError> {
        let missing = |what: &str| PayError::internal(format!("provider = \"stripe\" needs {what}"));
        let secret_key = self
            .stripe_secret_key
            .clone()
            .ok_or_else(|| missing("stripe_secret_key"))?;
        let webhook_secret = self
            .stripe_webhook_secret
            .clone()
            .ok_or_else(|| missing("stripe_webhook_secret"))?;
        let public_url = self.public_url.clone().ok_or_else(|| missing("public_url"))?;
        let publishable_key = self
            .stripe_publishable_key
            .clone()
            .ok_or_else(|| missing("stripe_publishable_key"))?;
        let live = |key: &str| key.contains("_live_");
        if live(&publishable_key) != live(secret_key.expose_secret()) {
            return Err(PayError::internal(
                "stripe_publishable_key and stripe_secret_key are of different modes (one live, one test)",
            ));
        }
        if self.stripe_localstripe && !self.test_mode {
            return Err(PayError::internal(
                "stripe_localstripe is for tests: test_mode = false refuses it",
            ));
        }
        let mut config = StripeConfig::new(secret_key, webhook_secret, self.stripe_api_base.clone(), public_url);
        config.publishable_key = publishable_key;
        config.js_url = self.stripe_js_url.clone();
        config.localstripe = self.stripe_localstripe;
        config.timeout = self.stripe_timeout;
        StripeProvider::new(config).map_err(PayError::internal)
    }

    /// The sandbox provider these settings describe.
    pub fn sandbox(&self) -> SandboxProvider {
        let secret = self.sandbox_events_secret.clone().unwrap_or_else(WebhookSecret::random);
        SandboxProvider::new(self.sandbox_settle_delay, secret).with_latency(self.sandbox_latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use secrecy::ExposeSecret;

    fn from_toml(text: &str) -> Result<Settings, ConfigError> {
        Settings::from_figment(&Figment::from(Toml::string(text)))
    }

    #[test]
    fn defaults() {
        let s = from_toml("").unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.site_currency.code(), "USD");
        assert_eq!(s.rates_refresh, Duration::from_secs(86_400));
        assert!(s.secret_key.is_none());
    }

    /// A file that sets a value of each kind, secrets included.
    const TYPED: &str = r#"
        shutdown_timeout_secs = 7
        stripe_timeout_secs = 2
        sandbox_settle_delay_ms = 250
        site_currency = "JPY"
        secret_key = "sk_live_0123456789abcdef"
        rates = { USD = "1.08", JPY = 162.5 }
        rates_url = "https://rates.example/daily.xml"
        log_format = "json"
        [[webhooks]]
        name = "orders"
        url = "https://shop.example/hook"
        secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    "#;

    #[test]
    fn values_are_typed_once_read() {
        let s = from_toml(TYPED).unwrap();
        assert_eq!(s.shutdown_timeout, Duration::from_secs(7));
        assert_eq!(s.stripe_timeout, Duration::from_secs(2));
        assert_eq!(s.sandbox_settle_delay, Duration::from_millis(250));
        assert_eq!(s.site_currency.minor_units(), 0);
        assert_eq!(
            s.secret_key.as_ref().unwrap().expose_secret(),
            "sk_live_0123456789abcdef"
        );
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(s.rates[&usd].to_string(), "1.08");
        assert_eq!(s.rates_url.as_ref().unwrap().host_str(), Some("rates.example"));
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.webhooks[0].url.as_str(), "https://shop.example/hook");
    }

    /// Neither `Debug` nor an error shows a secret.
    #[test]
    fn secrets_stay_hidden() {
        let s = from_toml(TYPED).unwrap();
        let debug = format!("{s:?}");
        assert!(!debug.contains("0123456789abcdef"), "{debug}");
        assert!(!debug.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{debug}");
        for key in ["\"short key\"", "1234567890123456789", "\"with a space 0123456789\""] {
            let err = from_toml(&format!("secret_key = {key}")).unwrap_err().to_string();
            assert!(err.contains("secret_key"), "{err}");
            assert!(!err.contains(key.trim_matches('"')), "{err}");
        }
    }

    /// Stripe's settings: typed once read, and the secrets never shown.
    #[test]
    fn stripe_settings() {
        let s = from_toml(
            r#"
            provider = "stripe"
            stripe_secret_key = "sk_live_stripe_0123456789"
            stripe_webhook_secret = "whsec_stripe_0123456789"
            stripe_publishable_key = "pk_live_stripe_publishable"
            public_url = "https://pay.shop.example"
        "#,
        )
        .unwrap();
        assert_eq!(s.provider, ProviderName::Stripe);
        assert_eq!(s.stripe_api_base.as_str(), "https://api.stripe.com/");
        assert_eq!(s.stripe_timeout, Duration::from_secs(30));
        assert_eq!(s.stripe_js_url.as_str(), "https://js.stripe.com/v3/");
        assert_eq!(s.stripe_publishable_key.as_deref(), Some("pk_live_stripe_publishable"));
        assert!(s.stripe().is_ok());
        let fields = s.stripe().unwrap().card_fields();
        assert_eq!(fields.kind, pay_types::CardFieldsKind::Stripe);
        assert_eq!(fields.publishable_key.as_deref(), Some("pk_live_stripe_publishable"));
        assert_eq!(fields.js_url.as_deref(), Some("https://js.stripe.com/v3/"));
        // A test publishable key with a live secret key (or none at all) is refused at start.
        let test_key = Settings {
            stripe_publishable_key: Some("pk_test_stripe_publishable".into()),
            ..s.clone()
        };
        let err = test_key.stripe().err().unwrap().to_string();
        assert!(err.contains("different modes"), "{err}");
        let none = Settings {
            stripe_publishable_key: None,
            ..s.clone()
        };
        let err = none.stripe().err().unwrap().to_string();
        assert!(err.contains("stripe_publishable_key"), "{err}");
        assert_eq!(
            s.stripe_secret_key.as_ref().unwrap().expose_secret(),
            "sk_live_stripe_0123456789"
        );
        let debug = format!("{s:?}");
        assert!(!debug.contains("stripe_0123456789"), "{debug}");
        let err = from_toml("stripe_secret_key = 12345678901234567")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("12345678901234567"), "{err}");
    }

    /// Bad values in a file name the key and the file; table-driven over several settings.
    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            ("prot = 1", "unknown setting prot"),
            ("port = \"eighty\"", "setting port"),
            ("port = 70000", "setting port"),
            ("site_currency = \"XYZ\"", "setting site_currency"),
            ("rates_base = \"usd\"", "setting rates_base"),
            ("test_mode = \"maybe\"", "setting test_mode"),
            ("database_url = \"mysql://db\"", "setting database_url"),
            ("shutdown_timeout_secs = -1", "setting shutdown_timeout_secs"),
            ("rates_refresh_secs = 59", "setting rates_refresh_secs"),
            ("dashboard_session_secs = 59", "setting dashboard_session_secs"),
            ("dashboard_session_secs = 604801", "setting dashboard_session_secs"),
            ("dashboard = \"maybe\"", "setting dashboard"),
            ("rates_url = \"ftp://rates.example\"", "setting rates_url"),
            ("rates = { XYZ = \"1\" }", "setting rates"),
            ("rates = { USD = \"0\" }", "setting rates"),
            ("log_format = \"xml\"", "setting log_format (TOML source string): `xml` is not one of text, json"),
            ("allowed_origins = [\"https://shop.example/\"]", "setting allowed_origins"),
            ("allowed_origins = [\"shop.example\"]", "setting allowed_origins"),
            ("webhooks = [{ name = \"a\", url = \"https://a.example\", secret = \"plain\" }]", "setting webhooks.0.secret"),
            ("webhooks = [{ name = \"a\", url = \"mailto:a@example\", secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\" }]", "setting webhooks.0.url"),
            ("webhooks = [{ name = \"\", url = \"https://a.example\", secret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\" }]", "setting webhooks"),
            ("webhooks = [{ name = \"a\", url = \"https://a.example\" }]", "setting webhooks.0"),
            ("provider = \"paypal\"", "`paypal` is not one of sandbox, stripe"),
            ("stripe_api_base = \"ftp://api.stripe.com\"", "setting stripe_api_base"),
            ("stripe_timeout_secs = 0", "setting stripe_timeout_secs"),
            ("stripe_timeout_secs = 301", "setting stripe_timeout_secs"),
            ("stripe_timeout_secs = -1", "setting stripe_timeout_secs"),
            ("public_url = \"pay.shop.example\"", "setting public_url"),
            ("stripe_secret_key = \"\"", "setting stripe_secret_key"),
            ("stripe_webhook_secret = \"whsec with space\"", "setting stripe_webhook_secret"),
            ("stripe_publishable_key = \"sk_live_0123456789\"", "setting stripe_publishable_key"),
            ("stripe_publishable_key = \"pk_live_\"", "setting stripe_publishable_key"),
            ("stripe_js_url = \"javascript:alert(1)\"", "setting stripe_js_url"),
        ];
        for (toml, needle) in cases {
            let err = from_toml(toml).unwrap_err().to_string();
            assert!(err.contains(needle), "{toml}: {err}");
        }
    }

    /// `--help` is clap's, with the settings list after the options.
    #[test]
    fn help_lists_every_setting() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("--config <FILE>"), "{help}");
        assert!(help.contains("PAY_CONFIG"), "{help}");
        for setting in SETTINGS {
            let line = help
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{} ", setting.key)))
                .unwrap_or_else(|| panic!("--help misses {}", setting.key));
            assert!(line.contains(&setting.variable()), "{line}");
            assert!(line.contains(&setting.default_text()), "{line}");
        }
    }

    #[test]
    fn the_command_line_takes_a_config_file() {
        let cli = <Cli as clap::Parser>::try_parse_from(["pay-backend", "--config", "pay.toml"]).unwrap();
        assert_eq!(cli.config.as_deref(), Some(Path::new("pay.toml")));
        assert!(<Cli as clap::Parser>::try_parse_from(["pay-backend", "--conf"]).is_err());
    }

    /// `SETTINGS` lists exactly the keys `Settings` reads: serde's own list of the fields (the
    /// "expected" of an unknown-field error) is the reference.
    #[test]
    fn settings_table_matches_the_struct() {
        let err = Figment::from(Toml::string("not_a_setting = 1"))
            .extract::<Settings>()
            .unwrap_err();
        let figment::error::Kind::UnknownField(_, fields) = err.kind else {
            panic!("{err}");
        };
        let table: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
        assert_eq!(table, fields, "SETTINGS must list every field, in the struct's order");
    }

    /// The configuration table of docs/configuration.md lists exactly the settings of the code,
    /// each with its variable and its default.
    #[test]
    fn docs_match_the_settings() {
        let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/configuration.md")).unwrap();
        let rows: BTreeMap<String, (String, String)> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once("` | `PAY_"))
            .map(|(key, rest)| {
                let cells: Vec<&str> = rest.split(" | ").collect();
                let variable = format!("PAY_{}", cells[0].trim_end_matches('`'));
                (key.to_owned(), (variable, cells[1].trim_matches('`').to_owned()))
            })
            .collect();
        let code: BTreeMap<String, (String, String)> = SETTINGS
            .iter()
            .map(|s| (s.key.to_owned(), (s.variable(), s.default_text())))
            .collect();
        assert_eq!(rows, code);
    }
}
