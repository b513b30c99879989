//! The currencies API (`getAllCurrencies`, `currencyConverter`, `siteSettings`) on `Pay`.

use crate::error::PayError;
use crate::pay::Pay;
use crate::rates::RatesTable;
use pay_types::money::MAX_AMOUNT;
use pay_types::{Amount, ConversionRate, ConvertAmountsRequest, ConvertedAmounts, Currency, CurrencyInfo, ErrorCode};

pub use pay_types::currencies::MAX_CONVERTED_AMOUNTS as MAX_AMOUNTS;

impl Pay {
    /// `getAllCurrencies()`: every ISO 4217 currency with its symbol.
    pub fn all_currencies(&self) -> Vec<CurrencyInfo> {
        Currency::all().map(CurrencyInfo::from).collect()
    }

    /// `currencyConverter.getConversionRate(from, to)`.
    pub async fn conversion_rate(&self, from: &str, to: &str) -> Result<ConversionRate, PayError> {
        let (from, to) = (parse(from, "from")?, parse(to, "to")?);
        let table = self.rates().await?;
        Ok(ConversionRate {
            rate: Amount::new(table.rate(from, to)?.normalize()),
            timestamp: table.published,
        })
    }

    /// `currencyConverter.convertAmounts({amounts, from, to})`: not rounded, the caller decides.
    pub async fn convert_amounts(&self, request: &ConvertAmountsRequest) -> Result<ConvertedAmounts, PayError> {
        let (from, to) = (parse(&request.from, "from")?, parse(&request.to, "to")?);
        if request.amounts.is_empty() || request.amounts.len() > MAX_AMOUNTS {
            return Err(PayError::rejected(
                ErrorCode::InvalidAmount,
                "amounts: 1 to 1000 amounts are required",
            ));
        }
        if let Some(i) = request.amounts.iter().position(|a| a.value().abs() > MAX_AMOUNT) {
            return Err(PayError::rejected(
                ErrorCode::InvalidAmount,
                format!("amounts[{i}]: at most 10^12 either way"),
            ));
        }
        let table = self.rates().await?;
        Ok(ConvertedAmounts {
            amounts: table.convert(&request.amounts, from, to)?,
            timestamp: table.published,
        })
    }

    /// `siteSettings.getCurrencies()`: the site's display currencies (default: the site currency).
    pub async fn site_currencies(&self) -> Result<Vec<CurrencyInfo>, PayError> {
        let codes = self.inner.store.site_currencies().await?;
        let currencies = match codes {
            Some(codes) => codes
                .iter()
                .map(|c| Currency::parse(c))
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![self.inner.site_currency],
        };
        Ok(currencies.into_iter().map(CurrencyInfo::from).collect())
    }

    /// `siteSettings.setCurrencies(codes)`: server side only; every code must be a known one.
    pub async fn set_site_currencies(&self, codes: &[String]) -> Result<Vec<CurrencyInfo>, PayError> {
        if codes.is_empty() || codes.len() > 50 {
            return Err(PayError::rejected(
                ErrorCode::UnknownCurrency,
                "currencies: 1 to 50 codes are required",
            ));
        }
        let mut unique = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let c = Currency::parse(code).map_err(|e| e.at(&format!("currencies[{i}]")))?;
            if !unique.contains(&c) {
                unique.push(c);
            }
        }
        let codes: Vec<String> = unique.iter().map(|c| c.code().to_owned()).collect();
        self.inner.store.set_site_currencies(&codes).await?;
        Ok(unique.into_iter().map(CurrencyInfo::from).collect())
    }

    async fn rates(&self) -> Result<RatesTable, PayError> {
        self.inner
            .rates
            .current()
            .await
            .ok_or_else(|| PayError::rejected(ErrorCode::RateUnavailable, "no conversion rates are available yet"))
    }
}

fn parse(code: &str, field: &str) -> Result<Currency, PayError> {
    Ok(Currency::parse(code).map_err(|e| e.at(field))?)
}
