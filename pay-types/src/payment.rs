//! `PaymentInfo` (input of `createPayment`), `Payment` (its output) and their items.

use crate::currency::Currency;
use crate::error::{ErrorCode, ValidationError};
use crate::ids::PaymentId;
use crate::money::Amount;
use crate::user_info::UserInfo;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const MAX_ITEMS: usize = 100;

/// An item name: 1..=200 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ItemName(String);

impl ItemName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new(ErrorCode::InvalidItemName, "must not be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                ErrorCode::InvalidItemName,
                "at most 200 characters",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(ValidationError::new(
                ErrorCode::InvalidItemName,
                "contains control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ItemName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ItemName::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A quantity: an integer in 1..=10 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Quantity(u32);

impl Quantity {
    pub const MAX: u32 = 10_000;

    pub fn parse(raw: Decimal) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new(ErrorCode::InvalidQuantity, "must be an integer from 1 to 10000");
        let n = raw.normalize();
        // Integer comparisons, not `Decimal`'s (the SDK reads quantities too: less code there).
        match u32::try_from(n.mantissa()) {
            Ok(q) if n.scale() == 0 && (1..=Self::MAX).contains(&q) => Ok(Quantity(q)),
            _ => Err(bad()),
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Quantity::parse(Amount::deserialize(d)?.value()).map_err(serde::de::Error::custom)
    }
}

/// An item as the merchant sends it. Numbers are kept as written until validation, so every
/// broken rule gets its own error code rather than a parse error.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentItem {
    /// 1..=200 characters once trimmed, no control characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::price))]
    pub price: Amount,
    /// A whole number from 1 to 10000; 1 when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1, maximum = 10000))]
    pub quantity: Option<Amount>,
}

/// An item that passed every rule; `quantity` is always present.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidItem {
    pub name: ItemName,
    pub price: Amount,
    pub quantity: Quantity,
}

impl ValidItem {
    /// `price × quantity`, exact.
    pub fn total(&self) -> Decimal {
        self.price.value() * Decimal::from(self.quantity.get())
    }
}

/// The input of `createPayment`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "items": [{ "name": "Pay mug", "price": 12.50, "quantity": 2 }, { "name": "Gift wrap", "price": "1.99" }],
    "amount": 26.99,
    "currency": "USD",
    "userInfo": { "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "countryCode": "GBR" }
})))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentInfo {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub items: Vec<PaymentItem>,
    /// The sum of price × quantity over the items, exactly.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::positive_amount))]
    pub amount: Amount,
    /// The site currency when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::Currency>))]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<UserInfo>,
    /// When the payment stops taking attempts: an RFC 3339 instant (`2026-12-24T18:00:00Z`),
    /// in the future and at most 90 days ahead (the server checks both). Never, when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: Option<String>,
}

/// A `PaymentInfo` that passed every rule of SPEC §7, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub items: Vec<ValidItem>,
    pub amount: Amount,
    pub currency: Currency,
    pub user_info: Option<UserInfo>,
    /// `expiresAt`, read; whether it is in the future is the server's to check.
    pub expires_at: Option<OffsetDateTime>,
}

impl PaymentInfo {
    /// Checks every rule; `site_currency` is used when no currency is given.
    pub fn validate(&self, site_currency: Currency) -> Result<NewPayment, ValidationError> {
        let currency = match self.currency.as_deref() {
            None => site_currency,
            Some(code) => Currency::parse(code).map_err(|e| e.at("currency"))?,
        };
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(ValidationError::new(
                ErrorCode::InvalidItems,
                "items: 1 to 100 items are required",
            ));
        }
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| validate_item(item, currency).map_err(|e| e.at(&format!("items[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let amount = self
            .amount
            .in_currency(currency, ErrorCode::InvalidAmount)
            .map_err(|e| e.at("amount"))?;
        if amount.value().is_zero() {
            return Err(ValidationError::new(
                ErrorCode::InvalidAmount,
                "amount: must be greater than 0",
            ));
        }
        // Each term is at most 10^12 × 10^4 and there are at most 100: no overflow is possible.
        let sum: Decimal = items.iter().map(ValidItem::total).sum();
        if sum != amount.value() {
            return Err(ValidationError::new(
                ErrorCode::AmountMismatch,
                format!(
                    "amount: {} does not equal the sum of price × quantity, {sum}",
                    amount.value()
                ),
            ));
        }
        let user_info = match &self.user_info {
            None => None,
            Some(u) => Some(u.validate()?).filter(|u| !u.is_empty()),
        };
        let expires_at = match &self.expires_at {
            None => None,
            Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                ValidationError::new(
                    ErrorCode::InvalidExpiresAt,
                    "expiresAt: an RFC 3339 date and time with its offset, e.g. 2026-12-24T18:00:00Z",
                )
            })?),
        };
        Ok(NewPayment {
            items,
            amount,
            currency,
            user_info,
            expires_at,
        })
    }
}

fn validate_item(item: &PaymentItem, currency: Currency) -> Result<ValidItem, ValidationError> {
    let name = ItemName::parse(&item.name).map_err(|e| e.at("name"))?;
    let price = item
        .price
        .in_currency(currency, ErrorCode::InvalidPrice)
        .map_err(|e| e.at("price"))?;
    let quantity = match item.quantity {
        None => Quantity(1),
        Some(q) => Quantity::parse(q.value()).map_err(|e| e.at("quantity"))?,
    };
    Ok(ValidItem { name, price, quantity })
}

/// A stored payment: the output of `createPayment` and `event.payment` (server shape).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: PaymentId,
    pub amount: Amount,
    pub currency: Currency,
    pub items: Vec<ValidItem>,
    pub user_info: Option<UserInfo>,
    /// When the payment stops taking attempts (RFC 3339, UTC); never, when null.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: Option<String>,
}

/// The browser shape of a payment (`PaymentResult.payment`): no contact details.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserPayment {
    pub id: PaymentId,
    pub amount: Amount,
    pub currency: Currency,
    pub items: Vec<ValidItem>,
}

impl From<Payment> for BrowserPayment {
    fn from(p: Payment) -> Self {
        Self {
            id: p.id,
            amount: p.amount,
            currency: p.currency,
            items: p.items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn info(json: &str) -> PaymentInfo {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn quantities() {
        let q = |t: &str| {
            Quantity::parse(Decimal::from_str_exact(t).unwrap())
                .map(Quantity::get)
                .ok()
        };
        for (text, expected) in [("1", Some(1)), ("10000", Some(10_000)), ("2.00", Some(2)), ("0", None)] {
            assert_eq!(q(text), expected, "{text}");
        }
        for bad in [
            "-0",
            "-1",
            "10001",
            "1.5",
            "0.5",
            "4294967297",
            "79228162514264337593543950335",
        ] {
            assert_eq!(q(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_spec_example_round_trips() {
        let json = r#"{"items":[{"name":"Mug","price":9.99,"quantity":2},{"name":"Tea","price":"0.02"}],"amount":20.00,"currency":"USD","userInfo":{"firstName":"Ada","countryCode":"GBR"}}"#;
        let parsed = info(json);
        assert_eq!(parsed.items[1].quantity, None);
        let valid = parsed.validate(usd()).unwrap();
        assert_eq!(valid.items[1].quantity.get(), 1);
        assert_eq!(valid.amount.to_string(), "20.00");
        let payment = Payment {
            id: PaymentId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap(),
            amount: valid.amount,
            currency: valid.currency,
            items: valid.items,
            user_info: valid.user_info,
            expires_at: None,
        };
        let out = serde_json::to_string(&payment).unwrap();
        assert_eq!(
            out,
            r#"{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","amount":20.00,"currency":"USD","items":[{"name":"Mug","price":9.99,"quantity":2},{"name":"Tea","price":0.02,"quantity":1}],"userInfo":{"firstName":"Ada","lastName":null,"email":null,"phone":null,"countryCode":"GBR"},"expiresAt":null}"#
        );
        let back: Payment = serde_json::from_str(&out).unwrap();
        assert_eq!(back, payment);
        let browser = serde_json::to_value(BrowserPayment::from(payment)).unwrap();
        assert!(browser.get("userInfo").is_none());
    }

    #[test]
    fn point_one_plus_point_two_is_point_three() {
        let ok = info(r#"{"items":[{"name":"a","price":0.1},{"name":"b","price":0.2}],"amount":0.3}"#);
        assert!(ok.validate(usd()).is_ok());
    }

    #[test]
    fn default_currency_is_the_site_currency() {
        let eur = Currency::parse("EUR").unwrap();
        let p = info(r#"{"items":[{"name":"a","price":1}],"amount":1}"#)
            .validate(eur)
            .unwrap();
        assert_eq!(p.currency, eur);
    }

    #[test]
    fn expires_at_is_an_rfc_3339_instant() {
        let with = |at: &str| {
            info(&format!(
                r#"{{"items":[{{"name":"a","price":1}}],"amount":1,"expiresAt":"{at}"}}"#
            ))
        };
        let p = with("2026-12-24T19:00:00+01:00").validate(usd()).unwrap();
        assert_eq!(p.expires_at, Some(time::macros::datetime!(2026-12-24 18:00 UTC)));
        for bad in ["2026-12-24", "2026-12-24T18:00:00", "tomorrow", "", "1766599200"] {
            let e = with(bad).validate(usd()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidExpiresAt, "{bad}");
            assert!(e.message.starts_with("expiresAt: "), "{bad}: {}", e.message);
        }
        let never = info(r#"{"items":[{"name":"a","price":1}],"amount":1}"#)
            .validate(usd())
            .unwrap();
        assert_eq!(never.expires_at, None);
    }

    #[test]
    fn unknown_fields_are_errors() {
        for bad in [
            r#"{"items":[{"name":"a","price":1}],"amount":1,"discount":1}"#,
            r#"{"items":[{"name":"a","price":1,"sku":"x"}],"amount":1}"#,
        ] {
            assert!(serde_json::from_str::<PaymentInfo>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_rule_has_its_code() {
        let long = "x".repeat(201);
        let many: String = (0..101)
            .map(|_| r#"{"name":"a","price":1}"#)
            .collect::<Vec<_>>()
            .join(",");
        let table: Vec<(String, ErrorCode)> = vec![
            (r#"{"items":[],"amount":1}"#.into(), ErrorCode::InvalidItems),
            (format!(r#"{{"items":[{many}],"amount":101}}"#), ErrorCode::InvalidItems),
            (
                r#"{"items":[{"name":"  ","price":1}],"amount":1}"#.into(),
                ErrorCode::InvalidItemName,
            ),
            (
                format!(r#"{{"items":[{{"name":"{long}","price":1}}],"amount":1}}"#),
                ErrorCode::InvalidItemName,
            ),
            (
                r#"{"items":[{"name":"a\u0000b","price":1}],"amount":1}"#.into(),
                ErrorCode::InvalidItemName,
            ),
            (
                r#"{"items":[{"name":"a","price":-1}],"amount":1}"#.into(),
                ErrorCode::InvalidPrice,
            ),
            (
                r#"{"items":[{"name":"a","price":1,"quantity":0}],"amount":1}"#.into(),
                ErrorCode::InvalidQuantity,
            ),
            (
                r#"{"items":[{"name":"a","price":1,"quantity":10001}],"amount":10001}"#.into(),
                ErrorCode::InvalidQuantity,
            ),
            (
                r#"{"items":[{"name":"a","price":1,"quantity":1.5}],"amount":1.5}"#.into(),
                ErrorCode::InvalidQuantity,
            ),
            (
                r#"{"items":[{"name":"a","price":0}],"amount":0}"#.into(),
                ErrorCode::InvalidAmount,
            ),
            (
                r#"{"items":[{"name":"a","price":1}],"amount":2}"#.into(),
                ErrorCode::AmountMismatch,
            ),
            (
                r#"{"items":[{"name":"a","price":1}],"amount":1,"currency":"ZZZ"}"#.into(),
                ErrorCode::UnknownCurrency,
            ),
            (
                r#"{"items":[{"name":"a","price":1.001}],"amount":1.001}"#.into(),
                ErrorCode::TooManyDecimals,
            ),
            (
                r#"{"items":[{"name":"a","price":1}],"amount":1,"userInfo":{"email":"nope"}}"#.into(),
                ErrorCode::InvalidEmail,
            ),
        ];
        for (json, code) in table {
            let err = info(&json).validate(usd()).unwrap_err();
            assert_eq!(err.code, code, "{json}: {}", err.message);
        }
    }

    #[test]
    fn boundaries_are_accepted() {
        let hundred: String = (0..100)
            .map(|_| r#"{"name":"a","price":1}"#)
            .collect::<Vec<_>>()
            .join(",");
        assert!(info(&format!(r#"{{"items":[{hundred}],"amount":100}}"#))
            .validate(usd())
            .is_ok());
        let max_q = r#"{"items":[{"name":"a","price":0.01,"quantity":10000}],"amount":100}"#;
        assert!(info(max_q).validate(usd()).is_ok());
        let name = "n".repeat(200);
        assert!(
            info(&format!(r#"{{"items":[{{"name":"{name}","price":1}}],"amount":1}}"#))
                .validate(usd())
                .is_ok()
        );
    }
}
