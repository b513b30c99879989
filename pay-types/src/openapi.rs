//! JSON schemas (feature `openapi`) of the newtypes whose wire form is a plain string or number.

use crate::{Amount, Currency, ItemName, PaymentId, Quantity};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
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
schema!(Currency, Type::String, "ISO 4217 code", serde_json::json!("USD"));
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
