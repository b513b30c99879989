//! Settings: defaults, then an optional TOML file, then `PAY_*` environment variables.
//! An unknown setting or an invalid value stops the server at start with a message naming it.

use crate::events::WebhookEndpoint;
use pay_types::Currency;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every setting, its kind, and what it does. The one list `--help`, env parsing and the
/// README's configuration reference are checked against.
pub const SETTINGS: &[(&str, Kind, &str, &str)] = &[
    ("host", Kind::Text, "127.0.0.1", "address to listen on"),
    ("port", Kind::Integer, "8080", "TCP port (0 picks a free one)"),
    (
        "database_url",
        Kind::Text,
        "sqlite://pay.db",
        "sqlite://<file> (created if missing) or postgres://user@host/database (several processes may share it)",
    ),
    (
        "shutdown_timeout_secs",
        Kind::Integer,
        "30",
        "on SIGTERM or Ctrl-C, how long requests and deliveries in flight may take to finish",
    ),
    (
        "site_currency",
        Kind::Text,
        "USD",
        "ISO 4217 currency of payments created without one",
    ),
    (
        "secret_key",
        Kind::Text,
        "(none)",
        "merchant API key (Authorization: Bearer); at least 16 characters; unset disables the merchant API",
    ),
    (
        "offline_payments",
        Kind::Bool,
        "false",
        "offer the offline (pay later) method",
    ),
    (
        "allowed_origins",
        Kind::List,
        "[]",
        "page origins allowed to call the checkout API by CORS",
    ),
    (
        "test_mode",
        Kind::Bool,
        "true",
        "sandbox processor and the test-only routes",
    ),
    (
        "sandbox_settle_delay_ms",
        Kind::Integer,
        "5000",
        "delay before a sandbox pending payment settles",
    ),
    (
        "max_declined_attempts",
        Kind::Integer,
        "5",
        "declined attempts a payment accepts before refusing more",
    ),
    (
        "attempts_per_minute_per_ip",
        Kind::Integer,
        "30",
        "payment attempts one client address may make per minute (0: no limit)",
    ),
    (
        "rates_base",
        Kind::Text,
        "EUR",
        "currency the configured rates are per one unit of",
    ),
    (
        "rates",
        Kind::Table,
        "{}",
        "conversion rates per one rates_base, e.g. { USD = \"1.08\" }, used without rates_url",
    ),
    (
        "rates_url",
        Kind::Text,
        "(none)",
        "daily reference-rates feed (ECB XML format) to download",
    ),
    (
        "rates_refresh_secs",
        Kind::Integer,
        "86400",
        "how often the feed is downloaded",
    ),
    (
        "www_dir",
        Kind::Text,
        "(none)",
        "folder of a site to serve at / (the demo)",
    ),
    (
        "sdk_dir",
        Kind::Text,
        "(none)",
        "folder of the built SDK package to serve at /sdk/",
    ),
    ("log_format", Kind::Text, "text", "text or json"),
    (
        "webhooks",
        Kind::Table,
        "[]",
        "webhook endpoints: [{ name, url, secret = \"whsec_…\" }]",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Bool,
    List,
    /// A TOML value (inline array of tables in the environment variable).
    Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub database_url: String,
    pub shutdown_timeout_secs: u64,
    pub site_currency: String,
    pub secret_key: Option<String>,
    pub offline_payments: bool,
    pub allowed_origins: Vec<String>,
    pub test_mode: bool,
    pub sandbox_settle_delay_ms: u64,
    pub max_declined_attempts: u32,
    pub attempts_per_minute_per_ip: u32,
    pub rates_base: String,
    pub rates: std::collections::BTreeMap<String, pay_types::Amount>,
    pub rates_url: Option<String>,
    pub rates_refresh_secs: u64,
    pub www_dir: Option<PathBuf>,
    pub sdk_dir: Option<PathBuf>,
    pub log_format: String,
    pub webhooks: Vec<WebhookEndpoint>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            database_url: "sqlite://pay.db".into(),
            shutdown_timeout_secs: 30,
            site_currency: "USD".into(),
            secret_key: None,
            offline_payments: false,
            allowed_origins: Vec::new(),
            test_mode: true,
            sandbox_settle_delay_ms: 5000,
            max_declined_attempts: 5,
            attempts_per_minute_per_ip: 30,
            rates_base: "EUR".into(),
            rates: Default::default(),
            rates_url: None,
            rates_refresh_secs: 86_400,
            www_dir: None,
            sdk_dir: None,
            log_format: "text".into(),
            webhooks: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads the file (if any) and the `PAY_*` variables of `env`, then checks every value.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
            }
            None => toml::Table::new(),
        };
        for (name, value) in env {
            let Some(key) = name.strip_prefix("PAY_") else {
                continue;
            };
            if key == "CONFIG" || key == "LOG" {
                continue;
            }
            let key = key.to_ascii_lowercase();
            let Some((_, kind, _, _)) = SETTINGS.iter().find(|(k, ..)| *k == key) else {
                return Err(ConfigError(format!("unknown setting {name}")));
            };
            table.insert(key, env_value(&name, *kind, &value)?);
        }
        let settings: Settings = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError(e.message().to_owned()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        Currency::parse(&self.site_currency)
            .map_err(|_| ConfigError(format!("site_currency: unknown currency `{}`", self.site_currency)))?;
        if let Some(key) = &self.secret_key {
            if key.len() < 16 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(ConfigError("secret_key: at least 16 characters, no spaces".into()));
            }
        }
        Currency::parse(&self.rates_base)
            .map_err(|_| ConfigError(format!("rates_base: unknown currency `{}`", self.rates_base)))?;
        for (code, rate) in &self.rates {
            if Currency::parse(code).is_err() || rate.value() <= rust_decimal::Decimal::ZERO {
                return Err(ConfigError(format!(
                    "rates: `{code}` needs a known code and a rate above 0"
                )));
            }
        }
        if let Some(url) = &self.rates_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError("rates_url: an http(s) URL".into()));
            }
        }
        if self.rates_refresh_secs < 60 {
            return Err(ConfigError("rates_refresh_secs: at least 60".into()));
        }
        if crate::store::Dialect::of_url(&self.database_url).is_none() {
            return Err(ConfigError(
                "database_url: must start with sqlite: or postgres://".into(),
            ));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError("log_format: text or json".into()));
        }
        let mut names = std::collections::HashSet::new();
        for hook in &self.webhooks {
            if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
                return Err(ConfigError(format!("webhooks: `{}` is not an http(s) URL", hook.url)));
            }
            if hook.name.is_empty() || !names.insert(hook.name.as_str()) {
                return Err(ConfigError(format!(
                    "webhooks: names must be unique and non-empty (`{}`)",
                    hook.name
                )));
            }
        }
        for origin in &self.allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.ends_with('/') {
                return Err(ConfigError(format!(
                    "allowed_origins: `{origin}` is not an origin like https://shop.example"
                )));
            }
        }
        Ok(())
    }

    /// The configured rates as a table.
    pub fn rates_table(&self) -> crate::rates::RatesTable {
        crate::rates::RatesTable {
            base: Currency::parse(&self.rates_base).expect("checked at load"),
            rates: self.rates.iter().map(|(c, r)| (c.clone(), r.value())).collect(),
            published: crate::store::now_rfc3339(),
        }
    }

    pub fn currency(&self) -> Currency {
        Currency::parse(&self.site_currency).expect("checked at load")
    }

    /// The text of `--help`: every setting with its variable and default.
    pub fn help() -> String {
        let mut out = String::from(
            "pay-backend: the Pay server\n\nUsage: pay-backend [--config FILE]\n\n\
             Settings (TOML key / environment variable, default):\n",
        );
        for (key, _, default, what) in SETTINGS {
            out.push_str(&format!(
                "  {key:<24} PAY_{:<24} {default:<16} {what}\n",
                key.to_ascii_uppercase()
            ));
        }
        out.push_str("\nPAY_CONFIG names the TOML file; PAY_LOG sets the log filter (e.g. info,pay_backend=debug).\n");
        out
    }
}

fn env_value(name: &str, kind: Kind, value: &str) -> Result<toml::Value, ConfigError> {
    let bad = |what: &str| ConfigError(format!("{name}: `{value}` is not {what}"));
    Ok(match kind {
        Kind::Text => toml::Value::String(value.to_owned()),
        Kind::Integer => toml::Value::Integer(value.trim().parse().map_err(|_| bad("an integer"))?),
        Kind::Bool => toml::Value::Boolean(match value.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(bad("true or false")),
        }),
        Kind::Table => format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .ok_or_else(|| bad("a TOML value such as [{ name = \"a\", url = \"…\", secret = \"whsec_…\" }]"))?,
        Kind::List => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.into()))
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.currency().code(), "USD");
    }

    #[test]
    fn webhooks_from_the_environment() {
        let hooks = r#"[{ name = "orders", url = "https://shop.example/hook", secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }]"#;
        let s = Settings::load(None, env(&[("PAY_WEBHOOKS", hooks)])).unwrap();
        assert_eq!(s.webhooks[0].name, "orders");
        let bad = r#"[{ name = "orders", url = "https://shop.example/hook", secret = "plain" }]"#;
        assert!(Settings::load(None, env(&[("PAY_WEBHOOKS", bad)]))
            .unwrap_err()
            .to_string()
            .contains("whsec_"));
        let dup = format!("[{0}, {0}]", &hooks[1..hooks.len() - 1]);
        assert!(Settings::load(None, env(&[("PAY_WEBHOOKS", &dup)])).is_err());
    }

    #[test]
    fn env_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pay.toml");
        std::fs::write(&file, "port = 9000\nsite_currency = \"EUR\"\noffline_payments = true\n").unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("PAY_PORT", "9100"),
                ("PAY_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
            ]),
        )
        .unwrap();
        assert_eq!(s.port, 9100);
        assert_eq!(s.site_currency, "EUR");
        assert!(s.offline_payments);
        assert_eq!(s.allowed_origins.len(), 2);
    }

    #[test]
    fn unknown_and_invalid_settings_name_themselves() {
        let cases = [
            (vec![("PAY_PROT", "1")], "PAY_PROT"),
            (vec![("PAY_PORT", "eighty")], "PAY_PORT"),
            (vec![("PAY_SITE_CURRENCY", "XYZ")], "site_currency"),
            (vec![("PAY_SECRET_KEY", "short")], "secret_key"),
            (vec![("PAY_TEST_MODE", "maybe")], "PAY_TEST_MODE"),
        ];
        for (vars, needle) in cases {
            let err = Settings::load(None, env(&vars)).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pay.toml");
        std::fs::write(&file, "prot = 1\n").unwrap();
        let err = Settings::load(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(err.contains("prot"), "{err}");
    }

    /// The README's configuration table lists exactly the settings of the code.
    #[test]
    fn readme_matches_the_settings() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        let documented: std::collections::BTreeSet<String> = readme
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split_once("` | `PAY_"))
            .map(|(key, rest)| {
                assert!(
                    rest.starts_with(&format!("{}`", key.to_ascii_uppercase())),
                    "README row of {key}"
                );
                key.to_owned()
            })
            .collect();
        let code: std::collections::BTreeSet<String> = SETTINGS.iter().map(|(k, ..)| k.to_string()).collect();
        assert_eq!(documented, code);
    }

    #[test]
    fn help_lists_every_setting() {
        let help = Settings::help();
        for (key, ..) in SETTINGS {
            assert!(help.contains(&format!("PAY_{}", key.to_ascii_uppercase())));
        }
    }
}
