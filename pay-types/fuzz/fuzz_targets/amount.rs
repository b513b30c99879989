//! Any text as money: parsing never panics; what is accepted for a currency has at most its
//! minor units and round-trips through JSON exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pay_types::{Amount, Currency, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(amount) = Amount::parse_str(text) else { return };
    for code in ["USD", "JPY", "KWD"] {
        let currency = Currency::parse(code).unwrap();
        if let Ok(exact) = amount.in_currency(currency, ErrorCode::InvalidAmount) {
            assert_eq!(exact.value().scale(), u32::from(currency.minor_units()));
            let json = serde_json::to_string(&exact).unwrap();
            let back: Amount = serde_json::from_str(&json).unwrap();
            assert_eq!(back, exact);
        }
    }
});
