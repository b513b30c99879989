//! Webhook signing and verification (Standard Webhooks, HMAC-SHA256) of a typical event body.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pay_backend::events::verify_webhook_at;
use pay_backend::WebhookSecret;
use std::time::Duration;

fn signature(c: &mut Criterion) {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = format!(
        r#"{{"payment":{{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","items":[{}]}}}}"#,
        r#"{"name":"Pay mug","price":12.50,"quantity":2},"#.repeat(20)
    );
    let (id, ts) = ("evt_0f8fad5bd9cb469fa16570867728950e_1", 1_800_000_000);
    c.bench_function("sign webhook (1 KB body)", |b| {
        b.iter(|| secret.sign(black_box(id), ts, black_box(body.as_bytes())))
    });
    let signature = secret.sign(id, ts, body.as_bytes());
    let ts_text = ts.to_string();
    let headers = [
        ("webhook-id", id),
        ("webhook-timestamp", ts_text.as_str()),
        ("webhook-signature", signature.as_str()),
    ];
    c.bench_function("verify webhook (1 KB body)", |b| {
        b.iter(|| {
            verify_webhook_at(
                headers,
                black_box(body.as_bytes()),
                &secret,
                Duration::from_secs(300),
                ts,
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, signature);
criterion_main!(benches);
