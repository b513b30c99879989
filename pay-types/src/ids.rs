//! Identifiers: payment ids (UUID v4, 122 random bits) and client-generated attempt ids.

use crate::error::{ErrorCode, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A payment id: a lower-case hyphenated UUID v4. Anything else is not a payment.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PaymentId(String);

impl PaymentId {
    /// The shape [`PaymentId::parse`] accepts, as a regular expression (for the OpenAPI document).
    pub const PATTERN: &'static str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

    /// Accepts exactly the canonical lower-case form `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let b = raw.as_bytes();
        let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
        let shaped = b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => hex(c),
            })
            && b[14] == b'4'
            && matches!(b[19], b'8' | b'9' | b'a' | b'b');
        if shaped {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(ErrorCode::PaymentNotFound, "no such payment"))
        }
    }

    /// Wraps an id the caller generated as a UUID v4 (the backend does, from the OS RNG).
    pub fn from_uuid_string(s: String) -> Result<Self, ValidationError> {
        Self::parse(&s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PaymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PaymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PaymentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PaymentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An attempt id chosen by the client so a replayed submit is recognised:
/// 8..=64 characters of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AttemptId(String);

impl AttemptId {
    /// The shape [`AttemptId::parse`] accepts, as a regular expression (for the OpenAPI document).
    pub const PATTERN: &'static str = "^[A-Za-z0-9_-]{8,64}$";

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok =
            (8..=64).contains(&raw.len()) && raw.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(
                ErrorCode::InvalidAttemptId,
                "attemptId: 8 to 64 characters of letters, digits, '-' and '_'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for AttemptId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AttemptId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_ids() {
        assert!(PaymentId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
        for bad in [
            "",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "0f8fad5bd9cb469fa16570867728950e",
            "../etc/passwd",
            "1",
        ] {
            assert_eq!(
                PaymentId::parse(bad).unwrap_err().code,
                ErrorCode::PaymentNotFound,
                "{bad}"
            );
        }
    }

    #[test]
    fn attempt_ids() {
        assert!(AttemptId::parse("att_12345678").is_ok());
        for bad in ["short", "has space 12345", "é12345678", &"a".repeat(65)] {
            assert!(AttemptId::parse(bad).is_err(), "{bad}");
        }
    }
}
