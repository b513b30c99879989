//! Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{ts}.{body}")>`
//! with secrets written `whsec_<base64 key>`, and the verifier merchants can call.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use std::fmt;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// A webhook signing secret. `Debug` never shows it, and its bytes are zeroed when dropped
/// (`secrecy`). Two secrets compare in constant time.
#[derive(Clone)]
pub struct WebhookSecret(SecretSlice<u8>);

impl WebhookSecret {
    /// Parses `whsec_<base64>` (the key must be 24 to 64 bytes).
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text
            .strip_prefix("whsec_")
            .ok_or("a webhook secret starts with whsec_")?;
        let key = B64
            .decode(encoded)
            .map_err(|_| "a webhook secret is whsec_ followed by base64")?;
        if !(24..=64).contains(&key.len()) {
            return Err("a webhook secret holds 24 to 64 bytes".into());
        }
        Ok(Self(key.into()))
    }

    /// A new random secret, as text: 32 key bytes from the operating system's cryptographic
    /// generator (`getrandom`). Panics only if the system cannot give random bytes at all.
    pub fn generate() -> String {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system's random generator is unavailable");
        format!("whsec_{}", B64.encode(key))
    }

    /// A new random secret (see [`WebhookSecret::generate`]).
    pub fn random() -> Self {
        Self::parse(&Self::generate()).expect("a generated secret parses")
    }

    /// The `webhook-signature` value for one delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", B64.encode(self.mac(id, timestamp, body)))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }
}

impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.expose_secret().ct_eq(other.0.expose_secret()))
    }
}

impl Eq for WebhookSecret {}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(•••)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("webhook-timestamp is not a unix time")]
    BadTimestamp,
    #[error("webhook-timestamp is outside the tolerance")]
    Expired,
    #[error("no signature matches")]
    NoMatch,
}

/// Verifies a received webhook: `headers` are (name, value) pairs, names in any case.
pub fn verify_webhook<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &[u8],
    secret: &WebhookSecret,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    verify_webhook_at(headers, body, secret, tolerance, now)
}

/// [`verify_webhook`] at a given unix time.
pub fn verify_webhook_at<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &[u8],
    secret: &WebhookSecret,
    tolerance: Duration,
    now: i64,
) -> Result<(), VerifyError> {
    let (mut id, mut timestamp, mut signatures) = (None, None, None);
    for (name, value) in headers {
        match name.to_ascii_lowercase().as_str() {
            "webhook-id" => id = Some(value),
            "webhook-timestamp" => timestamp = Some(value),
            "webhook-signature" => signatures = Some(value),
            _ => {}
        }
    }
    let id = id.ok_or(VerifyError::MissingHeader("webhook-id"))?;
    let timestamp = timestamp.ok_or(VerifyError::MissingHeader("webhook-timestamp"))?;
    let signatures = signatures.ok_or(VerifyError::MissingHeader("webhook-signature"))?;
    let ts: i64 = timestamp.trim().parse().map_err(|_| VerifyError::BadTimestamp)?;
    if now.abs_diff(ts) > tolerance.as_secs() {
        return Err(VerifyError::Expired);
    }
    let expected = secret.mac(id, ts, body);
    let matches = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b| B64.decode(b).ok())
        .any(|given| bool::from(given.ct_eq(&expected)));
    if matches {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published Standard Webhooks test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(sig: &str) -> Vec<(&'static str, String)> {
        vec![
            ("Webhook-Id", ID.into()),
            ("webhook-timestamp", TS.to_string()),
            ("webhook-signature", sig.into()),
        ]
    }

    fn verify(h: &[(&'static str, String)], body: &[u8], now: i64) -> Result<(), VerifyError> {
        let secret = WebhookSecret::parse(SECRET).unwrap();
        verify_webhook_at(
            h.iter().map(|(k, v)| (*k, v.as_str())),
            body,
            &secret,
            Duration::from_secs(300),
            now,
        )
    }

    #[test]
    fn signs_the_reference_vector() {
        assert_eq!(WebhookSecret::parse(SECRET).unwrap().sign(ID, TS, BODY), SIGNATURE);
    }

    #[test]
    fn verifies_and_rejects() {
        assert_eq!(verify(&headers(SIGNATURE), BODY, TS + 10), Ok(()));
        assert_eq!(verify(&headers(&format!("v1,bm9wZQ== {SIGNATURE}")), BODY, TS), Ok(()));
        assert_eq!(
            verify(&headers(SIGNATURE), b"{\"test\": 1}", TS),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(verify(&headers(SIGNATURE), BODY, TS + 301), Err(VerifyError::Expired));
        assert_eq!(verify(&headers(SIGNATURE), BODY, TS - 301), Err(VerifyError::Expired));
        assert_eq!(verify(&headers("v2,abc"), BODY, TS), Err(VerifyError::NoMatch));
        assert_eq!(
            verify(&headers(SIGNATURE)[..2], BODY, TS),
            Err(VerifyError::MissingHeader("webhook-signature"))
        );
    }

    #[test]
    fn secrets() {
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::parse("whsec_!!!").is_err());
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_err());
        let generated = WebhookSecret::generate();
        assert!(WebhookSecret::parse(&generated).is_ok());
        assert!(!format!("{:?}", WebhookSecret::parse(&generated).unwrap()).contains(&generated[6..]));
    }

    /// The key bytes come from the system's generator, not from the seedable (and predictable)
    /// `fastrand` one: seeding `fastrand` the same way twice still gives two different secrets.
    #[test]
    fn generated_secrets_do_not_follow_the_seedable_generator() {
        fastrand::seed(7);
        let first = WebhookSecret::generate();
        fastrand::seed(7);
        let second = WebhookSecret::generate();
        assert_ne!(first, second);
        assert_eq!(WebhookSecret::parse(&first).unwrap().0.expose_secret().len(), 32);
    }
}
