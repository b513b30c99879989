//! The hot pure functions of the contract: parsing and validating what clients send.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pay_types::{AttemptRequest, CardNumber, Currency, PaymentInfo};

const PAYMENT_INFO: &str = r#"{"items":[{"name":"Pay mug","price":12.50,"quantity":2},{"name":"Pay T-shirt","price":"24.00"},{"name":"Gift wrap","price":1.99,"quantity":3}],"amount":54.97,"currency":"USD","userInfo":{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000","countryCode":"GBR"}}"#;
const ATTEMPT: &str = r#"{"attemptId":"att_7f3c2a9e41","method":"card","userInfo":{"firstName":"Ada","email":"ada@example.com","country":"GBR"},"card":{"number":"4242 4242 4242 4242","expMonth":12,"expYear":2040,"cvc":"123"}}"#;

fn contract(c: &mut Criterion) {
    let usd = Currency::parse("USD").unwrap();
    c.bench_function("parse PaymentInfo (3 items)", |b| {
        b.iter(|| serde_json::from_str::<PaymentInfo>(black_box(PAYMENT_INFO)).unwrap())
    });
    let info: PaymentInfo = serde_json::from_str(PAYMENT_INFO).unwrap();
    c.bench_function("validate PaymentInfo (3 items)", |b| {
        b.iter(|| black_box(&info).validate(usd).unwrap())
    });
    c.bench_function("parse AttemptRequest", |b| {
        b.iter(|| serde_json::from_str::<AttemptRequest>(black_box(ATTEMPT)).unwrap())
    });
    c.bench_function("parse CardNumber (Luhn, brand)", |b| {
        b.iter(|| CardNumber::parse(black_box("4242 4242 4242 4242")).unwrap())
    });
}

criterion_group!(benches, contract);
criterion_main!(benches);
