//! Conversion rates behind a provider trait: a table from the configuration, or a daily
//! reference-rates feed (the European Central Bank's XML) downloaded on a schedule, cached in
//! the database, and kept when a download fails. Conversion is `Decimal` and never touches a
//! payment: payments stay in the currency they were created in.

mod ecb;

pub use ecb::{parse_ecb_xml, FeedRates};

use crate::error::PayError;
use pay_types::{Amount, Currency, ErrorCode};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Rates per one unit of `base`, as published at `published`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatesTable {
    pub base: Currency,
    pub rates: BTreeMap<String, Decimal>,
    /// RFC 3339.
    pub published: String,
}

impl RatesTable {
    fn per_base(&self, c: Currency) -> Result<Decimal, PayError> {
        if c == self.base {
            return Ok(Decimal::ONE);
        }
        self.rates
            .get(c.code())
            .copied()
            .filter(|r| *r > Decimal::ZERO)
            .ok_or_else(|| {
                PayError::rejected(
                    ErrorCode::RateUnavailable,
                    format!("no conversion rate for {}", c.code()),
                )
            })
    }

    /// How many `to` one `from` buys. Not rounded beyond `Decimal`'s 28 digits.
    pub fn rate(&self, from: Currency, to: Currency) -> Result<Decimal, PayError> {
        if from == to {
            return Ok(Decimal::ONE);
        }
        let (f, t) = (self.per_base(from)?, self.per_base(to)?);
        t.checked_div(f)
            .ok_or_else(|| PayError::rejected(ErrorCode::RateUnavailable, "rate out of range"))
    }

    pub fn convert(&self, amounts: &[Amount], from: Currency, to: Currency) -> Result<Vec<Amount>, PayError> {
        let rate = self.rate(from, to)?;
        amounts
            .iter()
            .map(|a| {
                a.value()
                    .checked_mul(rate)
                    .map(|v| Amount::new(v.normalize()))
                    .ok_or_else(|| {
                        PayError::rejected(
                            ErrorCode::InvalidAmount,
                            format!("amounts: {a} is too large to convert"),
                        )
                    })
            })
            .collect()
    }
}

/// Where rates come from.
#[async_trait::async_trait]
pub trait RatesProvider: Send + Sync + 'static {
    /// The newest good table, if there ever was one.
    async fn current(&self) -> Option<RatesTable>;
}

/// A fixed table from the configuration.
pub struct ConfiguredRates(pub RatesTable);

#[async_trait::async_trait]
impl RatesProvider for ConfiguredRates {
    async fn current(&self) -> Option<RatesTable> {
        Some(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RatesTable {
        let rates = [("USD", "1.08"), ("JPY", "162.5"), ("GBP", "0.85")]
            .into_iter()
            .map(|(c, r)| (c.to_owned(), r.parse().unwrap()))
            .collect();
        RatesTable {
            base: Currency::parse("EUR").unwrap(),
            rates,
            published: "2026-11-26T15:00:00Z".into(),
        }
    }

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn rates_through_the_base() {
        let t = table();
        assert_eq!(t.rate(c("EUR"), c("USD")).unwrap(), "1.08".parse::<Decimal>().unwrap());
        assert_eq!(t.rate(c("USD"), c("USD")).unwrap(), Decimal::ONE);
        let usd_jpy = t.rate(c("USD"), c("JPY")).unwrap();
        assert_eq!(usd_jpy.round_dp(6), "150.462963".parse::<Decimal>().unwrap());
        assert_eq!(
            t.rate(c("USD"), c("XOF")).unwrap_err().code(),
            ErrorCode::RateUnavailable
        );
    }

    #[test]
    fn converts_exactly_without_rounding() {
        let t = table();
        let out = t
            .convert(
                &[Amount::parse_str("10").unwrap(), Amount::parse_str("0.1").unwrap()],
                c("EUR"),
                c("USD"),
            )
            .unwrap();
        assert_eq!(out[0].to_string(), "10.8");
        assert_eq!(out[1].to_string(), "0.108");
    }
}
