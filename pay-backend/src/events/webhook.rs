//! Sending one event to one webhook endpoint, signed.

use super::signature::WebhookSecret;
use serde::Deserialize;
use std::time::Duration;
use url::Url;

/// A configured endpoint: `[[webhooks]] name = "orders", url = "https://…", secret = "whsec_…"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    pub name: String,
    /// An absolute http(s) URL (checked when the settings are read).
    #[serde(deserialize_with = "crate::config::http_url")]
    pub url: Url,
    #[serde(deserialize_with = "secret")]
    pub secret: WebhookSecret,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<WebhookSecret, D::Error> {
    WebhookSecret::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// How long one try may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub(super) enum Sent {
    Ok(u16),
    Rejected(u16),
    Unreachable(String),
}

impl WebhookEndpoint {
    pub(super) async fn send(&self, client: &reqwest::Client, event_id: &str, body: &str) -> Sent {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = self.secret.sign(event_id, timestamp, body.as_bytes());
        let response = client
            .post(self.url.clone())
            .timeout(TIMEOUT)
            .header("content-type", "application/json")
            .header("webhook-id", event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => Sent::Ok(r.status().as_u16()),
            Ok(r) => Sent::Rejected(r.status().as_u16()),
            Err(e) => Sent::Unreachable(e.to_string()),
        }
    }
}
