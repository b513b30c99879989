//! Card details as typed by the buyer: parsed, checked (Luhn, expiry, CVC) and never shown.
//!
//! `Debug` of every type here is masked, so a card number or CVC cannot reach a log by accident.

use crate::error::{ErrorCode, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    Diners,
    Unionpay,
    Unknown,
}

impl CardBrand {
    /// The brand from the leading digits; works on a partial number (live validation).
    pub fn detect(digits: &str) -> CardBrand {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        let in_range = |n: usize, lo: u32, hi: u32| prefix(n).is_some_and(|p| (lo..=hi).contains(&p));
        if digits.starts_with("4") {
            CardBrand::Visa
        } else if in_range(2, 51, 55) || in_range(4, 2221, 2720) {
            CardBrand::Mastercard
        } else if in_range(2, 34, 34) || in_range(2, 37, 37) {
            CardBrand::Amex
        } else if digits.starts_with("6011") || digits.starts_with("65") || in_range(3, 644, 649) {
            CardBrand::Discover
        } else if in_range(4, 3528, 3589) {
            CardBrand::Jcb
        } else if in_range(2, 36, 36) || in_range(3, 300, 305) || in_range(2, 38, 39) {
            CardBrand::Diners
        } else if digits.starts_with("62") {
            CardBrand::Unionpay
        } else {
            CardBrand::Unknown
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Visa => "visa",
            Self::Mastercard => "mastercard",
            Self::Amex => "amex",
            Self::Discover => "discover",
            Self::Jcb => "jcb",
            Self::Diners => "diners",
            Self::Unionpay => "unionpay",
            Self::Unknown => "unknown",
        }
    }

    /// Digits of this brand's security code.
    pub const fn cvc_len(self) -> usize {
        match self {
            Self::Amex => 4,
            _ => 3,
        }
    }
}

/// Luhn check over ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if !i.is_multiple_of(2) {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// Keeps the digits of what was typed; spaces and hyphens are allowed as separators.
pub fn card_digits(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(19);
    for c in raw.chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// A card number with 12..=19 digits and a valid Luhn check digit.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new(ErrorCode::InvalidCardNumber, "card number is not valid");
        let digits = card_digits(raw).ok_or_else(bad)?;
        if !(12..=19).contains(&digits.len()) || !luhn_valid(&digits) {
            return Err(bad());
        }
        Ok(Self(digits))
    }

    pub fn brand(&self) -> CardBrand {
        CardBrand::detect(&self.0)
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The full digits, for the processor only. Never store or log them.
    pub fn expose_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} •••• {})", self.brand().as_str(), self.last4())
    }
}

/// An expiry month and year that is not in the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub month: u8,
    pub year: u16,
}

impl Expiry {
    /// `year` may be two digits (`28`) or four (`2028`); `today` is `(year, month)`.
    /// A card is valid through the last day of its expiry month.
    pub fn parse(month: u32, year: u32, today: (u16, u8)) -> Result<Self, ValidationError> {
        let bad = |why: &str| ValidationError::new(ErrorCode::InvalidExpiry, why.to_owned());
        if !(1..=12).contains(&month) {
            return Err(bad("expiry month must be 1 to 12"));
        }
        let year = match year {
            0..=99 => 2000 + year,
            2000..=2200 => year,
            _ => return Err(bad("expiry year is not valid")),
        };
        let (this_year, this_month) = (u32::from(today.0), u32::from(today.1));
        if (year, month) < (this_year, this_month) {
            return Err(bad("card has expired"));
        }
        if year > this_year + 50 {
            return Err(bad("expiry year is too far in the future"));
        }
        Ok(Self {
            month: month as u8,
            year: year as u16,
        })
    }
}

/// A card security code: 3 digits, or 4 for American Express.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvc(String);

impl Cvc {
    pub fn parse(raw: &str, brand: CardBrand) -> Result<Self, ValidationError> {
        if raw.len() == brand.cvc_len() && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(
                ErrorCode::InvalidCvc,
                // Literal messages, no `format!`: the SDK runs this without formatting code.
                match brand.cvc_len() {
                    4 => "security code must be 4 digits",
                    _ => "security code must be 3 digits",
                },
            ))
        }
    }

    /// For the processor only. Never store or log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(•••)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_cards_pass_luhn() {
        for n in [
            "4242 4242 4242 4242",
            "5555-5555-5555-4444",
            "4000000000000002",
            "4000000000009995",
            "4000000000000069",
            "4000000000000127",
            "4000000000003220",
            "4000000000000341",
            "4000000000000259",
            "378282246310005",
        ] {
            assert!(CardNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn bad_numbers() {
        for n in [
            "4242424242424241",
            "42424242",
            "4242a24242424242",
            "",
            "4242 4242 4242 4242 4242 4242",
        ] {
            assert_eq!(
                CardNumber::parse(n).unwrap_err().code,
                ErrorCode::InvalidCardNumber,
                "{n}"
            );
        }
    }

    #[test]
    fn brands() {
        let cases = [
            ("4242", CardBrand::Visa),
            ("5555", CardBrand::Mastercard),
            ("2223", CardBrand::Mastercard),
            ("3782", CardBrand::Amex),
            ("6011", CardBrand::Discover),
            ("3530", CardBrand::Jcb),
            ("3056", CardBrand::Diners),
            ("6200", CardBrand::Unionpay),
            ("9999", CardBrand::Unknown),
            ("", CardBrand::Unknown),
        ];
        for (digits, brand) in cases {
            assert_eq!(CardBrand::detect(digits), brand, "{digits}");
        }
    }

    #[test]
    fn debug_is_masked() {
        let n = CardNumber::parse("4242424242424242").unwrap();
        let shown = format!("{n:?}");
        assert!(!shown.contains("424242424242"), "{shown}");
        assert!(shown.contains("4242"));
        let c = Cvc::parse("123", CardBrand::Visa).unwrap();
        assert!(!format!("{c:?}").contains("123"));
    }

    #[test]
    fn expiry() {
        let today = (2026, 11);
        assert!(Expiry::parse(11, 2026, today).is_ok());
        assert!(Expiry::parse(12, 26, today).is_ok());
        assert!(Expiry::parse(10, 2026, today).is_err());
        assert!(Expiry::parse(13, 2030, today).is_err());
        assert!(Expiry::parse(0, 2030, today).is_err());
        assert!(Expiry::parse(1, 2100, today).is_err());
    }

    #[test]
    fn cvc() {
        assert!(Cvc::parse("123", CardBrand::Visa).is_ok());
        assert!(Cvc::parse("1234", CardBrand::Amex).is_ok());
        assert!(Cvc::parse("1234", CardBrand::Visa).is_err());
        assert!(Cvc::parse("12a", CardBrand::Visa).is_err());
        let message = |brand| Cvc::parse("1", brand).unwrap_err().message;
        assert_eq!(message(CardBrand::Visa), "security code must be 3 digits");
        assert_eq!(message(CardBrand::Amex), "security code must be 4 digits");
    }
}
