//! Stripe's webhooks in: the `Stripe-Signature` header checked
//! (<https://docs.stripe.com/webhooks#verify-manually>), then the event read into the trait's
//! kinds. The signature is `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`, with
//! several `v1` while Stripe rolls a secret; a timestamp more than the tolerance away is refused.

use super::super::{AttemptKey, EventRefusal, ProviderEventKind};
use super::requests::{ATTEMPT_ID, PAYMENT_ID, REFUND_ID};
use super::responses::{refund_failure, PaymentIntent, Refund};
use hmac::{Hmac, Mac};
use pay_types::{AttemptId, PaymentId};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::Duration;

/// How far an event's timestamp may be from now (Stripe's libraries default to 5 minutes).
pub const TOLERANCE: Duration = Duration::from_secs(300);

/// Checks `header` (the `Stripe-Signature` value) over `body` with `secret`, at `now` (unix
/// seconds).
pub fn verify_signature(header: &str, body: &[u8], secret: &[u8], now: i64) -> Result<(), EventRefusal> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", hex_sig)) => signatures.extend(hex::decode(hex_sig).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(EventRefusal::BadSignature)?;
    if (now - timestamp).unsigned_abs() > TOLERANCE.as_secs() {
        return Err(EventRefusal::BadSignature);
    }
    let mac = || {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    };
    // `verify_slice` compares in constant time.
    if signatures.iter().any(|sig| mac().verify_slice(sig).is_ok()) {
        Ok(())
    } else {
        Err(EventRefusal::BadSignature)
    }
}

/// The signature header for `body` at `timestamp` (the tests' Stripe).
pub fn sign(body: &[u8], secret: &[u8], timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// An event (<https://docs.stripe.com/api/events/object>).
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// What an event means to Pay. A dispute names its PaymentIntent, whose metadata holds the
/// attempt: [`Read::DisputeOf`] asks the connector to fetch it.
pub enum Read {
    Kind(ProviderEventKind),
    DisputeOf(String),
}

pub fn attempt_key(metadata: &BTreeMap<String, String>) -> Option<AttemptKey> {
    Some(AttemptKey::new(
        PaymentId::parse(metadata.get(PAYMENT_ID)?).ok()?,
        AttemptId::parse(metadata.get(ATTEMPT_ID)?).ok()?,
    ))
}

fn object<T: serde::de::DeserializeOwned>(event: &Event) -> Result<T, EventRefusal> {
    serde_json::from_value(event.data.object.clone())
        .map_err(|e| EventRefusal::Unreadable(format!("{}: {e}", event.kind)))
}

/// Reads a verified event. An object Pay did not create (no Pay metadata) is `Other`.
pub fn read(event: &Event) -> Result<Read, EventRefusal> {
    let other = || {
        Read::Kind(ProviderEventKind::Other {
            kind: event.kind.chars().take(64).collect(),
        })
    };
    Ok(match event.kind.as_str() {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            let intent: PaymentIntent = object(event)?;
            let Some(key) = attempt_key(&intent.metadata) else {
                return Ok(other());
            };
            if event.kind == "payment_intent.succeeded" {
                Read::Kind(ProviderEventKind::ChargeSucceeded { key })
            } else {
                let decline = intent
                    .last_payment_error
                    .map_or(pay_types::DeclineCode::CardDeclined, |e| e.decline());
                Read::Kind(ProviderEventKind::ChargeFailed { key, decline })
            }
        }
        // The charge already answered `Pending` (its attempt waits for this one's successor).
        "payment_intent.processing" => other(),
        "charge.refunded" => {
            #[derive(Deserialize)]
            struct Charge {
                #[serde(default)]
                refunds: Option<super::responses::List<Refund>>,
            }
            let charge: Charge = object(event)?;
            // Stripe lists a charge's refunds newest first.
            let newest = charge
                .refunds
                .into_iter()
                .flat_map(|l| l.data)
                .find(|r| r.metadata.contains_key(REFUND_ID) && r.status.as_deref() == Some("succeeded"));
            match newest {
                Some(refund) => Read::Kind(ProviderEventKind::RefundSucceeded {
                    refund: refund.metadata[REFUND_ID].clone(),
                }),
                None => other(),
            }
        }
        "charge.refund.updated" | "refund.updated" | "refund.failed" => {
            let refund: Refund = object(event)?;
            let Some(id) = refund.metadata.get(REFUND_ID).cloned() else {
                return Ok(other());
            };
            match refund.status.as_deref() {
                Some("succeeded") => Read::Kind(ProviderEventKind::RefundSucceeded { refund: id }),
                Some("failed") | Some("canceled") => Read::Kind(ProviderEventKind::RefundFailed {
                    reason: refund_failure(&refund),
                    refund: id,
                }),
                _ => other(),
            }
        }
        "charge.dispute.created" => {
            #[derive(Deserialize)]
            struct Dispute {
                #[serde(default)]
                payment_intent: Option<String>,
            }
            let dispute: Dispute = object(event)?;
            match dispute.payment_intent {
                Some(intent) => Read::DisputeOf(intent),
                None => other(),
            }
        }
        _ => other(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const PAYMENT: &str = "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

    fn event(kind: &str, object: serde_json::Value) -> Event {
        serde_json::from_value(serde_json::json!({"id": "evt_1", "type": kind, "data": {"object": object}})).unwrap()
    }

    fn kind(read: Read) -> ProviderEventKind {
        match read {
            Read::Kind(kind) => kind,
            Read::DisputeOf(intent) => panic!("a dispute of {intent}"),
        }
    }

    #[test]
    fn events_read_into_the_traits_kinds() {
        use pay_types::DeclineCode;
        let ours = serde_json::json!({"pay_payment_id": PAYMENT, "pay_attempt_id": "attempt-0001"});
        let key = AttemptKey::parse(&format!("{PAYMENT}:attempt-0001")).unwrap();
        let intent = |status: &str, error: serde_json::Value| serde_json::json!({"id": "pi_1", "status": status, "metadata": ours, "last_payment_error": error});
        assert_eq!(
            kind(
                read(&event(
                    "payment_intent.succeeded",
                    intent("succeeded", serde_json::Value::Null)
                ))
                .unwrap()
            ),
            ProviderEventKind::ChargeSucceeded { key: key.clone() }
        );
        assert_eq!(
            kind(
                read(&event(
                    "payment_intent.payment_failed",
                    intent("requires_payment_method", serde_json::json!({"code": "expired_card"}))
                ))
                .unwrap()
            ),
            ProviderEventKind::ChargeFailed {
                key: key.clone(),
                decline: DeclineCode::ExpiredCard
            }
        );
        let not_ours = serde_json::json!({"id": "pi_2", "status": "succeeded", "metadata": {}});
        assert!(matches!(
            kind(read(&event("payment_intent.succeeded", not_ours)).unwrap()),
            ProviderEventKind::Other { .. }
        ));
        assert!(matches!(
            kind(
                read(&event(
                    "payment_intent.processing",
                    intent("processing", serde_json::Value::Null)
                ))
                .unwrap()
            ),
            ProviderEventKind::Other { .. }
        ));
        let charge = serde_json::json!({"id": "ch_1", "refunds": {"object": "list", "has_more": false, "data": [
            {"id": "re_2", "status": "succeeded", "metadata": {"pay_refund_id": "rf_2"}},
            {"id": "re_1", "status": "succeeded", "metadata": {"pay_refund_id": "rf_1"}}]}});
        assert_eq!(
            kind(read(&event("charge.refunded", charge)).unwrap()),
            ProviderEventKind::RefundSucceeded { refund: "rf_2".into() }
        );
        let failed = serde_json::json!({"id": "re_1", "status": "failed", "failure_reason": "lost_or_stolen_card", "metadata": {"pay_refund_id": "rf_1"}});
        assert_eq!(
            kind(read(&event("charge.refund.updated", failed)).unwrap()),
            ProviderEventKind::RefundFailed {
                refund: "rf_1".into(),
                reason: "the card was reported lost or stolen".into()
            }
        );
        match read(&event(
            "charge.dispute.created",
            serde_json::json!({"id": "dp_1", "payment_intent": "pi_1"}),
        ))
        .unwrap()
        {
            Read::DisputeOf(intent) => assert_eq!(intent, "pi_1"),
            Read::Kind(kind) => panic!("{kind:?}"),
        }
        assert!(matches!(
            kind(read(&event("customer.created", serde_json::json!({"id": "cus_1"}))).unwrap()),
            ProviderEventKind::Other { .. }
        ));
        assert!(read(&event("payment_intent.succeeded", serde_json::json!({"no": "id"}))).is_err());
    }

    #[test]
    fn signatures_verify_within_the_tolerance_and_with_any_v1() {
        let body = br#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        let good = sign(body, SECRET, now);
        assert_eq!(verify_signature(&good, body, SECRET, now), Ok(()));
        assert_eq!(verify_signature(&good, body, SECRET, now + 300), Ok(()));
        let rolled = format!("t={now},v1={},{}", "00".repeat(32), good.split_once(',').unwrap().1);
        assert_eq!(
            verify_signature(&rolled, body, SECRET, now),
            Ok(()),
            "a second v1 is accepted"
        );
        let refused = [
            (good.clone(), &body[..], now + 301),
            (good.clone(), &body[..], now - 301),
            (good.clone(), &br#"{"id":"evt_2"}"#[..], now),
            (sign(body, b"another", now), &body[..], now),
            (good.replace("v1=", "v0="), &body[..], now),
            (format!("v1={}", good.split_once("v1=").unwrap().1), &body[..], now),
            (String::new(), &body[..], now),
            ("t=x,v1=zz".to_owned(), &body[..], now),
        ];
        for (header, body, at) in refused {
            assert_eq!(
                verify_signature(&header, body, SECRET, at),
                Err(EventRefusal::BadSignature),
                "{header}"
            );
        }
    }
}
