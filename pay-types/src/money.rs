//! Money as `Decimal`, exact on the wire.
//!
//! JSON numbers are read from their digits (serde_json's `arbitrary_precision`), never through
//! `f64`; decimal strings (`"9.99"`) are accepted too. Output is a JSON number written from the
//! decimal's digits. Without the `json` feature (the SDK, whose values are JS values) an amount
//! is written as the JS number nearest its decimal text and read back from the shortest text
//! of a JS number, which is the text the server wrote.

use crate::currency::Currency;
use crate::error::{ErrorCode, ValidationError};
use rust_decimal::Decimal;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The largest price or amount accepted: a trillion units keeps every sum exact and far from
/// `Decimal`'s limits.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12

/// serde_json's private key for numbers kept as text under `arbitrary_precision`.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A decimal amount of money as it travels in JSON. Its currency lives next to it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

impl Amount {
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    pub const fn new(value: Decimal) -> Self {
        Self(value)
    }

    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Parses decimal text exactly (`"9.99"`, `"10"`, `"1e2"`); anything else is an error.
    pub fn parse_str(text: &str) -> Result<Self, ValidationError> {
        let invalid = || ValidationError::new(ErrorCode::InvalidAmount, "not a decimal number");
        if text.is_empty() || text.len() > 64 {
            return Err(invalid());
        }
        let value = if text.contains(['e', 'E']) {
            Decimal::from_scientific(text).map_err(|_| invalid())?
        } else {
            Decimal::from_str_exact(text).map_err(|_| invalid())?
        };
        Ok(Self(value))
    }

    /// Checks the rules every price and amount obey: not negative, not above [`MAX_AMOUNT`],
    /// and no more decimals than the currency's minor units (trailing zeros do not count).
    /// Returns the value rescaled to exactly the currency's minor units.
    pub fn in_currency(self, currency: Currency, code: ErrorCode) -> Result<Self, ValidationError> {
        let value = self.0.normalize();
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ValidationError::new(code, "must not be negative"));
        }
        if value > MAX_AMOUNT {
            return Err(ValidationError::new(code, "exceeds the maximum of 1000000000000"));
        }
        let minor = u32::from(currency.minor_units());
        if value.scale() > minor {
            return Err(ValidationError::new(
                ErrorCode::TooManyDecimals,
                format!("{} allows at most {minor} decimal places", currency.code()),
            ));
        }
        let mut exact = value.abs();
        exact.rescale(minor);
        Ok(Self(exact))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Amount {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_str(s)
    }
}

impl Serialize for Amount {
    #[cfg(feature = "json")]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Written from the decimal's own digits: never through f64.
        let number = serde_json::Number::from_str(&self.0.to_string()).map_err(serde::ser::Error::custom)?;
        number.serialize(serializer)
    }

    /// The number nearest the decimal (correctly rounded, as `parseFloat` reads its text).
    #[cfg(not(feature = "json"))]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(number::from_text(&self.0.to_string()))
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a decimal string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        Amount::parse_str(v).map_err(|_| E::custom(format!("`{}` is not a decimal number", truncate(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }

    /// Only reached from formats without exact numbers (a JS value in the browser). The
    /// shortest text that reads back as the same `f64` is the number the caller wrote.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        if !v.is_finite() {
            return Err(E::custom("amount must be a finite number"));
        }
        Amount::parse_str(&number::to_text(v)).map_err(|_| E::custom("amount out of range"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Amount, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == JSON_NUMBER_TOKEN => {
                let digits: String = map.next_value()?;
                self.visit_str(&digits)
            }
            _ => Err(de::Error::custom("expected a number or a decimal string")),
        }
    }
}

/// Numbers and their text: in the browser, the JS engine's own conversions (`parseFloat`, and
/// `Number.prototype.toString`, the shortest text that reads back as the same number), which the
/// SDK would otherwise carry a second copy of; elsewhere Rust's, which give the same results.
mod number {
    #[cfg(target_arch = "wasm32")]
    pub fn to_text(n: f64) -> String {
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default()
    }

    #[cfg(all(target_arch = "wasm32", not(feature = "json")))]
    pub fn from_text(text: &str) -> f64 {
        js_sys::Number::parse_float(text)
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_text(n: f64) -> String {
        n.to_string()
    }

    #[cfg(all(not(target_arch = "wasm32"), not(feature = "json")))]
    pub fn from_text(text: &str) -> f64 {
        text.parse().unwrap_or(f64::NAN)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn max_amount_is_a_trillion() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000u64));
    }

    #[test]
    fn json_numbers_are_exact() {
        let a: Amount = serde_json::from_str("0.1").unwrap();
        let b: Amount = serde_json::from_str("0.2").unwrap();
        let c: Amount = serde_json::from_str("0.3").unwrap();
        assert_eq!(a.value() + b.value(), c.value());
        let big: Amount = serde_json::from_str("123456789012.345678901234567").unwrap();
        assert_eq!(big.to_string(), "123456789012.345678901234567");
    }

    #[test]
    fn strings_and_integers_are_accepted() {
        let a: Amount = serde_json::from_str("\"9.99\"").unwrap();
        assert_eq!(a.value(), Decimal::new(999, 2));
        let b: Amount = serde_json::from_str("10").unwrap();
        assert_eq!(b.value(), Decimal::from(10));
        let c: Amount = serde_json::from_str("1e2").unwrap();
        assert_eq!(c.value().normalize(), Decimal::from(100));
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in ["\"abc\"", "\"\"", "true", "null", "[]", "{}", "\"1.2.3\"", "\"NaN\""] {
            assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn serializes_as_exact_json_number() {
        let a = Amount::new(Decimal::new(999, 2));
        assert_eq!(serde_json::to_string(&a).unwrap(), "9.99");
        let b = Amount::new(Decimal::new(30, 1));
        assert_eq!(serde_json::to_string(&b).unwrap(), "3.0");
    }

    #[test]
    fn currency_minor_units_are_enforced_not_rounded() {
        let ok = Amount::parse_str("9.90")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice)
            .unwrap();
        assert_eq!(ok.to_string(), "9.90");
        let trailing = Amount::parse_str("9.9000")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice)
            .unwrap();
        assert_eq!(trailing.to_string(), "9.90");
        let err = Amount::parse_str("9.999")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::TooManyDecimals);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            Amount::parse_str("1.5")
                .unwrap()
                .in_currency(jpy, ErrorCode::InvalidPrice)
                .unwrap_err()
                .code,
            ErrorCode::TooManyDecimals
        );
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(
            Amount::parse_str("1.125")
                .unwrap()
                .in_currency(kwd, ErrorCode::InvalidPrice)
                .unwrap()
                .to_string(),
            "1.125"
        );
    }

    #[test]
    fn negative_and_huge_are_rejected() {
        let neg = Amount::parse_str("-1")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice)
            .unwrap_err();
        assert_eq!(neg.code, ErrorCode::InvalidPrice);
        let huge = Amount::parse_str("1000000000000.01")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice);
        assert_eq!(huge.unwrap_err().code, ErrorCode::InvalidPrice);
        let zero = Amount::parse_str("-0")
            .unwrap()
            .in_currency(usd(), ErrorCode::InvalidPrice)
            .unwrap();
        assert!(zero.value().is_zero());
    }
}
