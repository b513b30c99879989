//! ISO 4217 currencies with their minor units.

use crate::currency_table::{CODES, MINOR_UNITS, NAMES};
use crate::error::{ErrorCode, ValidationError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A known ISO 4217 currency. Holds an index into the table, so it is `Copy` and always valid.
/// Ordered as the codes are (the table is sorted).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(u16);

impl Currency {
    /// Parses an upper-case three-letter code that is in the table.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        CODES
            .as_bytes()
            .chunks_exact(3)
            .position(|c| c == code.as_bytes())
            .map(|i| Currency(i as u16))
            .ok_or_else(|| {
                // Built without `format!`: the SDK runs this without formatting code.
                let mut message = String::from("unknown currency code `");
                message.extend(code.chars().take(8));
                message.push('`');
                ValidationError::new(ErrorCode::UnknownCurrency, message)
            })
    }

    pub fn code(self) -> &'static str {
        let at = usize::from(self.0) * 3;
        CODES.get(at..at + 3).unwrap_or("")
    }

    /// Digits after the decimal point (USD 2, JPY 0, KWD 3).
    pub fn minor_units(self) -> u8 {
        MINOR_UNITS[usize::from(self.0)] - b'0'
    }

    pub fn name(self) -> &'static str {
        NAMES[usize::from(self.0)]
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        (0..NAMES.len()).map(|i| Currency(i as u16))
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units() {
        let cases = [
            ("USD", 2),
            ("EUR", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("CLF", 4),
        ];
        for (code, minor) in cases {
            assert_eq!(Currency::parse(code).unwrap().minor_units(), minor, "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        for bad in ["usd", "XXX", "US", "USDD", "", "XAU", "ABC"] {
            assert_eq!(
                Currency::parse(bad).unwrap_err().code,
                ErrorCode::UnknownCurrency,
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_code_message_shows_at_most_eight_characters() {
        let e = Currency::parse("ABCDEFGHIJ").unwrap_err();
        assert_eq!(e.message, "unknown currency code `ABCDEFGH`");
    }

    #[test]
    fn table_has_unique_three_letter_codes() {
        let mut seen = std::collections::HashSet::new();
        for c in Currency::all() {
            assert_eq!(c.code().len(), 3);
            assert!(c.code().bytes().all(|b| b.is_ascii_uppercase()));
            assert!(seen.insert(c.code()), "duplicate {}", c.code());
        }
        assert!(seen.len() > 150);
        assert_eq!(CODES.len(), NAMES.len() * 3);
        assert_eq!(MINOR_UNITS.len(), NAMES.len());
        assert!(MINOR_UNITS.iter().all(|d| (b'0'..=b'4').contains(d)));
        assert_eq!(Currency::parse("ZWL").unwrap().name(), "Zimbabwe Dollar");
        assert_eq!(Currency::parse("AED").unwrap().name(), "UAE Dirham");
    }

    #[test]
    fn serde_round_trip() {
        let c: Currency = serde_json::from_str("\"EUR\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"EUR\"");
        assert!(serde_json::from_str::<Currency>("\"EURO\"").is_err());
    }
}
