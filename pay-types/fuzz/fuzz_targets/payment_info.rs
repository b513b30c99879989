//! Any bytes as a `createPayment` body: parsing and validation never panic, and a valid payment
//! always has an amount equal to the sum of its items.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pay_types::{Currency, PaymentInfo};

fuzz_target!(|data: &[u8]| {
    let Ok(info) = serde_json::from_slice::<PaymentInfo>(data) else { return };
    let usd = Currency::parse("USD").unwrap();
    if let Ok(valid) = info.validate(usd) {
        let sum: rust_decimal::Decimal = valid.items.iter().map(|i| i.total()).sum();
        assert_eq!(sum, valid.amount.value());
        assert!(!valid.items.is_empty() && valid.items.len() <= 100);
        // What is stored reads back the same.
        let json = serde_json::to_string(&valid.items).unwrap();
        let back: Vec<pay_types::payment::ValidItem> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, valid.items);
    }
});
