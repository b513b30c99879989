//! The key an attempt goes to the provider under: the payment id and the attempt id, which
//! the attempt's row stores before the call, so every retry and every process sends the same.

use pay_types::{AttemptId, PaymentId};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttemptKey {
    pub payment_id: PaymentId,
    pub attempt_id: AttemptId,
}

impl AttemptKey {
    pub fn new(payment_id: PaymentId, attempt_id: AttemptId) -> Self {
        Self { payment_id, attempt_id }
    }

    /// Reads `{paymentId}:{attemptId}` (as a provider echoes it back).
    pub fn parse(raw: &str) -> Option<Self> {
        let (payment, attempt) = raw.split_once(':')?;
        Some(Self {
            payment_id: PaymentId::parse(payment).ok()?,
            attempt_id: AttemptId::parse(attempt).ok()?,
        })
    }
}

impl AttemptKey {
    /// The key of a payment's last attempt: the charge that refunds and disputes are about.
    pub fn of_last_attempt(row: &crate::store::PaymentRow) -> Option<Self> {
        let attempt = AttemptId::parse(row.last_attempt_id.as_deref()?).ok()?;
        Some(Self::new(row.payment.id.clone(), attempt))
    }
}

impl fmt::Display for AttemptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.payment_id, self.attempt_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_strangers() {
        let key = AttemptKey::parse("3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:att_00000001").unwrap();
        assert_eq!(key.to_string(), "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:att_00000001");
        for bad in [
            "",
            "x:att_00000001",
            "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
            "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b:a",
        ] {
            assert_eq!(AttemptKey::parse(bad), None, "{bad}");
        }
    }
}
