//! Amounts in Stripe's smallest currency unit, exactly from `Decimal`, with Stripe's currency
//! rules (<https://docs.stripe.com/currencies>): zero-decimal currencies are sent as whole
//! units; ISK stays two-decimal on the wire but takes whole krónur only; the three-decimal
//! currencies take thousandths whose last digit is 0; every other currency is sent in
//! hundredths. An amount must fit Stripe's eight digits and reach its minimum charge where
//! Stripe publishes one.

use pay_types::{Amount, Currency};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Stripe's zero-decimal currencies.
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
];

/// Stripe's three-decimal currencies (the last digit of the amount must be 0).
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// The presentment currencies Stripe lists for card payments.
const SUPPORTED: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CVE",
    "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SEK", "SGD", "SHP", "SLE",
    "SOS", "SRD", "SZL", "THB", "TJS", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
];

/// Stripe's published minimum charge amounts, in the currency's units.
const MINIMUMS: &[(&str, &str)] = &[
    ("USD", "0.50"),
    ("AED", "2.00"),
    ("AUD", "0.50"),
    ("BGN", "1.00"),
    ("BRL", "0.50"),
    ("CAD", "0.50"),
    ("CHF", "0.50"),
    ("CZK", "15.00"),
    ("DKK", "2.50"),
    ("EUR", "0.50"),
    ("GBP", "0.30"),
    ("HKD", "4.00"),
    ("HUF", "175.00"),
    ("INR", "0.50"),
    ("JPY", "50"),
    ("MXN", "10"),
    ("MYR", "2"),
    ("NOK", "3.00"),
    ("NZD", "0.50"),
    ("PLN", "2.00"),
    ("RON", "2.00"),
    ("SEK", "3.00"),
    ("SGD", "0.50"),
    ("THB", "10"),
];

/// The largest amount Stripe's `amount` takes: eight digits.
const MAX_MINOR: i64 = 99_999_999;

/// `amount` in Stripe's smallest unit of `currency`, or why Stripe cannot take it.
pub fn to_minor(amount: Amount, currency: Currency) -> Result<i64, String> {
    let code = currency.code();
    if !SUPPORTED.contains(&code) {
        return Err(format!("Stripe does not take payments in {code}"));
    }
    let value = amount.value();
    let (factor, step) = if ZERO_DECIMAL.contains(&code) {
        (1, 1)
    } else if code == "ISK" {
        (100, 100)
    } else if THREE_DECIMAL.contains(&code) {
        (1000, 10)
    } else {
        (100, 1)
    };
    let minor = value * Decimal::from(factor);
    if minor.fract() != Decimal::ZERO || !(minor / Decimal::from(step)).fract().is_zero() {
        let places = if step == factor {
            "whole units"
        } else {
            "at most 2 decimal places"
        };
        return Err(format!("Stripe takes {code} amounts in {places}, not {value}"));
    }
    let minor = minor.to_i64().filter(|m| (1..=MAX_MINOR).contains(m)).ok_or_else(|| {
        format!("{value} {code} is outside what Stripe takes (up to {MAX_MINOR} in the smallest unit)")
    })?;
    if let Some((_, min)) = MINIMUMS.iter().find(|(c, _)| *c == code) {
        let min: Decimal = min.parse().expect("a decimal minimum");
        if value < min {
            return Err(format!("Stripe's minimum charge in {code} is {min}"));
        }
    }
    Ok(minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor(amount: &str, code: &str) -> Result<i64, String> {
        to_minor(Amount::new(amount.parse().unwrap()), Currency::parse(code).unwrap())
    }

    #[test]
    fn amounts_in_the_smallest_unit_exactly() {
        let cases = [
            ("20.00", "USD", Ok(2000)),
            ("19.99", "USD", Ok(1999)),
            ("0.50", "EUR", Ok(50)),
            ("999999.99", "USD", Ok(99_999_999)),
            ("500", "JPY", Ok(500)),
            ("1000", "KRW", Ok(1000)),
            ("40", "ISK", Ok(4000)),
            ("5.120", "KWD", Ok(5120)),
            ("5.12", "BHD", Ok(5120)),
            ("0.1", "GBP", Err("minimum")),
            ("0.29", "GBP", Err("minimum")),
            ("0.30", "GBP", Ok(30)),
            ("49", "JPY", Err("minimum")),
            ("5.124", "KWD", Err("at most 2 decimal places")),
            ("1000000.00", "USD", Err("outside")),
            ("10", "CUP", Err("does not take")),
            ("10", "LYD", Err("does not take")),
            ("1.5", "MGA", Err("whole units")),
        ];
        for (amount, code, want) in cases {
            match (minor(amount, code), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{amount} {code}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{amount} {code}: {got}"),
                (got, want) => panic!("{amount} {code}: {got:?}, wanted {want:?}"),
            }
        }
    }
}
