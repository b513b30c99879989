//! The currencies API of the original: all currencies with their symbols, conversion rates,
//! converting amounts, and the site's display currencies.

use crate::currency::Currency;
use crate::money::Amount;
use serde::{Deserialize, Serialize};

/// Symbols of the currencies that have a well-known one; the others show their code.
static SYMBOLS: &[(&str, &str)] = &[
    ("AED", "د.إ"),
    ("ARS", "$"),
    ("AUD", "A$"),
    ("BDT", "৳"),
    ("BGN", "лв"),
    ("BRL", "R$"),
    ("CAD", "CA$"),
    ("CHF", "CHF"),
    ("CLP", "$"),
    ("CNY", "CN¥"),
    ("COP", "$"),
    ("CZK", "Kč"),
    ("DKK", "kr"),
    ("EGP", "E£"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("GHS", "₵"),
    ("HKD", "HK$"),
    ("HUF", "Ft"),
    ("IDR", "Rp"),
    ("ILS", "₪"),
    ("INR", "₹"),
    ("ISK", "kr"),
    ("JPY", "¥"),
    ("KES", "KSh"),
    ("KRW", "₩"),
    ("KWD", "د.ك"),
    ("MXN", "MX$"),
    ("MYR", "RM"),
    ("NGN", "₦"),
    ("NOK", "kr"),
    ("NZD", "NZ$"),
    ("PEN", "S/"),
    ("PHP", "₱"),
    ("PKR", "₨"),
    ("PLN", "zł"),
    ("RON", "lei"),
    ("RUB", "₽"),
    ("SAR", "﷼"),
    ("SEK", "kr"),
    ("SGD", "S$"),
    ("THB", "฿"),
    ("TRY", "₺"),
    ("TWD", "NT$"),
    ("UAH", "₴"),
    ("USD", "$"),
    ("VND", "₫"),
    ("ZAR", "R"),
];

impl Currency {
    /// The currency's symbol, or its code when it has no well-known one.
    pub fn symbol(self) -> &'static str {
        SYMBOLS
            .iter()
            .find(|(c, _)| *c == self.code())
            .map_or(self.code(), |(_, s)| s)
    }
}

/// `{code, symbol}`: an item of `getAllCurrencies()` and `siteSettings.getCurrencies()`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyInfo {
    pub code: String,
    pub symbol: String,
}

impl From<Currency> for CurrencyInfo {
    fn from(c: Currency) -> Self {
        Self {
            code: c.code().to_owned(),
            symbol: c.symbol().to_owned(),
        }
    }
}

/// `currencyConverter.getConversionRate(from, to)`: how many `to` one `from` buys.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionRate {
    pub rate: Amount,
    /// When the rates were published (RFC 3339).
    pub timestamp: String,
}

/// The input of `currencyConverter.convertAmounts({amounts, from, to})`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({ "amounts": [9.99, "120"], "from": "USD", "to": "EUR" })))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvertAmountsRequest {
    /// 1 to 1000 amounts, each from -10^12 to 10^12.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::amounts_to_convert))]
    pub amounts: Vec<Amount>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::Currency))]
    pub from: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::Currency))]
    pub to: String,
}

/// At most this many amounts are converted in one call.
pub const MAX_CONVERTED_AMOUNTS: usize = 1000;

/// The converted amounts, not rounded: the caller decides how to round for display.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertedAmounts {
    pub amounts: Vec<Amount>,
    pub timestamp: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols() {
        assert_eq!(Currency::parse("EUR").unwrap().symbol(), "€");
        assert_eq!(Currency::parse("JPY").unwrap().symbol(), "¥");
        assert_eq!(Currency::parse("XOF").unwrap().symbol(), "XOF");
        for (code, _) in SYMBOLS {
            assert!(Currency::parse(code).is_ok(), "{code} is not in the table");
        }
    }

    #[test]
    fn shapes() {
        let info = CurrencyInfo::from(Currency::parse("USD").unwrap());
        assert_eq!(serde_json::to_string(&info).unwrap(), r#"{"code":"USD","symbol":"$"}"#);
        let req: ConvertAmountsRequest =
            serde_json::from_str(r#"{"amounts":[1.5,"2"],"from":"USD","to":"EUR"}"#).unwrap();
        assert_eq!(req.amounts.len(), 2);
        assert!(
            serde_json::from_str::<ConvertAmountsRequest>(r#"{"amounts":[],"from":"USD","to":"EUR","x":1}"#).is_err()
        );
    }
}
