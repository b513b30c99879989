//! JSON schemas (feature `openapi`) of the newtypes whose wire form is a plain string or number.

use crate::money::MAX_AMOUNT;
use crate::{Amount, CountryCode, Currency, ItemName, PaymentId, Quantity};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

fn primitive(kind: Type, description: &str, example: serde_json::Value) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(kind))
        .description(Some(description))
        .examples([example])
        .into()
}

macro_rules! schema {
    ($ty:ty, $kind:expr, $description:expr, $example:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                primitive($kind, $description, $example)
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}

schema!(
    Amount,
    Type::Number,
    "Money, exact: a JSON number read from its digits (a decimal string is accepted too). At most the currency's minor units of decimals.",
    serde_json::json!(9.99)
);
schema!(
    PaymentId,
    Type::String,
    "Payment id (UUID v4)",
    serde_json::json!("0f8fad5b-d9cb-469f-a165-70867728950e")
);
schema!(
    ItemName,
    Type::String,
    "1..=200 characters, no control characters",
    serde_json::json!("Pay mug")
);
schema!(Quantity, Type::Integer, "1..=10000", serde_json::json!(2));

/// A code from a closed list (currencies, countries): a string enum.
fn code_list(description: &str, codes: impl Iterator<Item = &'static str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description))
        .enum_values(Some(codes))
        .examples([serde_json::json!(example)])
        .into()
}

impl utoipa::PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        code_list("ISO 4217 code", Currency::all().map(Currency::code), "USD")
    }
}
impl utoipa::ToSchema for Currency {}

impl utoipa::PartialSchema for CountryCode {
    fn schema() -> RefOr<Schema> {
        code_list(
            "ISO 3166-1 alpha-3 code",
            CountryCode::all().map(CountryCode::as_str),
            "GBR",
        )
    }
}
impl utoipa::ToSchema for CountryCode {}

/// The largest amount Pay takes, as a JSON number.
fn max_amount() -> f64 {
    MAX_AMOUNT.to_string().parse().expect("10^12 is a number")
}

/// Decimals no currency has more of (ISO 4217's largest minor units).
const FINEST_UNIT: f64 = 0.0001;

fn amount_in_range(nullable: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::Number, Type::Null])
    } else {
        SchemaType::new(Type::Number)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .maximum(Some(max_amount()))
        .description(Some(
            "Money, exact: a JSON number read from its digits (a decimal string is accepted too). \
             At most the currency's minor units of decimals, at most 10^12.",
        ))
}

/// A price: 0 or more (and at most 10^12).
pub(crate) fn price() -> Object {
    amount_in_range(false)
        .minimum(Some(0.0))
        .multiple_of(Some(FINEST_UNIT))
        .build()
}

/// An amount that must be more than 0 (and at most 10^12).
pub(crate) fn positive_amount() -> Object {
    amount_in_range(false)
        .exclusive_minimum(Some(0.0))
        .multiple_of(Some(FINEST_UNIT))
        .build()
}

/// Like [`positive_amount`], or `null`.
pub(crate) fn optional_positive_amount() -> Object {
    amount_in_range(true)
        .exclusive_minimum(Some(0.0))
        .multiple_of(Some(FINEST_UNIT))
        .build()
}

/// 1 to 1000 amounts, each from -10^12 to 10^12 (converted amounts may be negative).
pub(crate) fn amounts_to_convert() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(amount_in_range(false).minimum(Some(-max_amount())))
        .min_items(Some(1))
        .max_items(Some(crate::currencies::MAX_CONVERTED_AMOUNTS))
        .build()
}
