//! Writes the TypeScript declarations of the SDK's public types, generated from the Rust
//! types themselves: their serde shapes are traced with serde-reflection, so a renamed field
//! or a new status changes the declarations. The output is `src/types.d.ts`, which the crate
//! hands to wasm-bindgen as a `typescript_custom_section` (so the glue's `pay_frontend.d.ts`
//! declares every type its functions name); `tests/typescript.rs` fails when it is stale.
//!
//! `cargo run -p pay-frontend --example typescript > pay-frontend/src/types.d.ts`

use pay_frontend::{PayConfig, PaymentOptions, Theme};
use pay_types::{
    Amount, BrowserPayment, BrowserUserInfo, ConversionRate, ConvertAmountsRequest, ConvertedAmounts, Currency,
    CurrencyInfo, ItemName, Payment, PaymentId, PaymentResult, PaymentUpdateEvent, Quantity, TransactionStatus,
    UserInfo, ValidItem,
};
use serde_reflection::{ContainerFormat, Format, Samples, Tracer, TracerConfig, VariantFormat};

/// With pay-types' `json` feature (on when the server is built alongside), an `Amount` is
/// traced as this one-field struct of serde_json's; without it (the SDK's own build) as an
/// `f64`, the only one in these types.
const JSON_NUMBER: &str = "$serde_json::private::Number";
/// Types a page passes in: their `Option` fields may be left out, and their amounts may be
/// decimal strings too (`"12.50"`).
const INPUTS: [&str; 4] = ["PaymentOptions", "Theme", "PayConfig", "ConvertAmountsRequest"];

fn rename(name: &str) -> &str {
    match name {
        "ValidItem" => "PaymentItem",
        other => other,
    }
}

fn ts(format: &Format, input: bool) -> String {
    match format {
        Format::TypeName(n) if n == JSON_NUMBER && input => "number | string".into(),
        Format::F64 if input => "number | string".into(),
        Format::TypeName(n) if n == JSON_NUMBER => "number".into(),
        Format::TypeName(n) if input && n == "BrowserUserInfo" => "Partial<BrowserUserInfo>".into(),
        Format::TypeName(n) => rename(n).into(),
        Format::Bool => "boolean".into(),
        Format::Str | Format::Char => "string".into(),
        Format::I8
        | Format::I16
        | Format::I32
        | Format::I64
        | Format::U8
        | Format::U16
        | Format::U32
        | Format::U64
        | Format::F32
        | Format::F64 => "number".into(),
        Format::Option(inner) => format!("{} | null", ts(inner, input)),
        Format::Seq(inner) => format!("Array<{}>", ts(inner, input)),
        Format::Variable(v) => match v.borrow().as_ref() {
            Some(f) => ts(f, input),
            None => "unknown".into(),
        },
        Format::Unit => "null".into(),
        _ => "unknown".into(),
    }
}

#[allow(dead_code)] // also compiled into tests/typescript.rs, which has its own main
fn main() {
    print!("{}", generate());
}

pub fn generate() -> String {
    let mut tracer = Tracer::new(TracerConfig::default());
    let mut samples = Samples::new();

    let user = BrowserUserInfo {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some("ada@example.com".into()),
        phone: Some("+44 20 7946 0000".into()),
        country: Some("GBR".into()),
    };
    let item = ValidItem {
        name: ItemName::parse("Mug").unwrap(),
        price: Amount::parse_str("9.99").unwrap(),
        quantity: serde_json::from_str::<Quantity>("1").unwrap(),
    };
    let payment = BrowserPayment {
        id: PaymentId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap(),
        amount: item.price,
        currency: Currency::parse("USD").unwrap(),
        items: vec![item],
    };
    let result = PaymentResult {
        payment: payment.clone(),
        status: TransactionStatus::Successful,
        transaction_id: Some("txn_1".into()),
        user_info: Some(user.clone()),
    };
    let event = PaymentUpdateEvent {
        payment: Payment {
            id: payment.id.clone(),
            amount: payment.amount,
            currency: payment.currency,
            items: payment.items.clone(),
            user_info: Some(UserInfo::from(user.clone())),
            expires_at: Some("2026-12-24T18:00:00Z".into()),
        },
        status: TransactionStatus::Successful,
        transaction_id: Some("txn_1".into()),
        user_info: Some(UserInfo::from(user.clone())),
        event_id: "evt_1".into(),
        sequence: 1,
        created_at: "2026-11-27T12:00:00Z".into(),
    };
    let some = || Some(String::from("x"));
    let options = PaymentOptions {
        show_thank_you_page: Some(true),
        terms_and_conditions_link: some(),
        skip_user_info_page: Some(false),
        user_info: Some(user),
        allow_manual_payment: Some(false),
        locale: some(),
        theme: Some(Theme {
            accent_color: some(),
            background_color: some(),
            text_color: some(),
            border_radius: some(),
        }),
    };
    let config = PayConfig { base_url: some() };
    let rate = Amount::parse_str("1.08").unwrap();
    let currencies = vec![CurrencyInfo::from(Currency::parse("EUR").unwrap())];
    let conversion = ConversionRate {
        rate,
        timestamp: "2026-11-27T00:00:00Z".into(),
    };
    let convert = ConvertAmountsRequest {
        amounts: vec![rate],
        from: "USD".into(),
        to: "EUR".into(),
    };
    let converted = ConvertedAmounts {
        amounts: vec![rate],
        timestamp: "2026-11-27T00:00:00Z".into(),
    };

    tracer.trace_value(&mut samples, &result).unwrap();
    tracer.trace_value(&mut samples, &event).unwrap();
    tracer.trace_value(&mut samples, &options).unwrap();
    tracer.trace_value(&mut samples, &config).unwrap();
    tracer.trace_value(&mut samples, &currencies).unwrap();
    tracer.trace_value(&mut samples, &conversion).unwrap();
    tracer.trace_value(&mut samples, &convert).unwrap();
    tracer.trace_value(&mut samples, &converted).unwrap();
    for status in TransactionStatus::ALL {
        tracer.trace_value(&mut samples, &status).unwrap();
    }
    let registry = tracer.registry().unwrap();

    let mut out = String::from(
        "// Generated from the Rust types by `cargo run -p pay-frontend --example typescript`.\n\
         // Do not edit: change the Rust types instead (tests/typescript.rs checks this file).\n",
    );
    for (name, container) in &registry {
        if name == JSON_NUMBER {
            continue;
        }
        let input = INPUTS.contains(&name.as_str());
        match container {
            ContainerFormat::Struct(fields) => {
                out.push_str(&format!("\nexport interface {} {{\n", rename(name)));
                for f in fields {
                    match (&f.value, input) {
                        (Format::Option(inner), true) => {
                            out.push_str(&format!("  {}?: {};\n", f.name, ts(inner, true)))
                        }
                        (value, _) => out.push_str(&format!("  {}: {};\n", f.name, ts(value, input))),
                    }
                }
                out.push_str("}\n");
            }
            ContainerFormat::Enum(variants) => {
                let names: Vec<String> = variants
                    .values()
                    .filter(|v| matches!(v.value, VariantFormat::Unit))
                    .map(|v| format!("\"{}\"", v.name))
                    .collect();
                out.push_str(&format!("\nexport type {} = {};\n", rename(name), names.join(" | ")));
            }
            ContainerFormat::NewTypeStruct(inner) => {
                out.push_str(&format!("\nexport type {} = {};\n", rename(name), ts(inner, input)));
            }
            _ => {}
        }
    }
    out
}
