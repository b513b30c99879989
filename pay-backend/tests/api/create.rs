//! createPayment: through the Rust API and the merchant API; validation; idempotency; auth.

use crate::helpers::{assert_error, sample_info, spawn_app, SECRET_KEY};
use pay_types::{PaymentId, PaymentInfo};
use serde_json::{json, Value};

#[actix_web::test]
async fn create_returns_the_payment_with_an_unguessable_id() {
    let app = spawn_app().await;

    let resp = app.create_payment_raw(&sample_info(), None).await;

    assert_eq!(resp.status(), 201);
    let text = resp.text().await.unwrap();
    assert!(text.contains(r#""amount":20.00"#), "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let id = body["id"].as_str().unwrap();
    assert!(PaymentId::parse(id).is_ok(), "{id} is not a UUID v4");
    assert_eq!(body["items"][1]["quantity"], 1);
    assert_eq!(body["userInfo"]["countryCode"], "GBR");
    let (status, stored) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(stored["status"], "Undefined");
    assert_eq!(stored["transactionId"], Value::Null);
    assert_eq!(stored["payment"], body);
}

#[actix_web::test]
async fn ids_are_random_not_sequential() {
    let app = spawn_app().await;
    let a = app.create_payment().await;
    let b = app.create_payment().await;
    assert_ne!(a, b);
    // Random UUIDs share no long prefix.
    assert_ne!(a[..8], b[..8]);
}

#[actix_web::test]
async fn the_rust_api_creates_payments_too() {
    let app = spawn_app().await;
    let info: PaymentInfo =
        serde_json::from_str(r#"{"items":[{"name":"a","price":0.1},{"name":"b","price":0.2}],"amount":0.3}"#).unwrap();

    let payment = app.pay.create_payment(info).await.unwrap();

    assert_eq!(payment.amount.to_string(), "0.30");
    assert_eq!(payment.currency.code(), "USD");
    let row = app.pay.payment(payment.id.as_str()).await.unwrap();
    assert_eq!(row.payment, payment);
}

/// One row per rule of SPEC §7; none of them stores anything.
#[actix_web::test]
async fn every_input_rule_is_a_4xx_with_its_code() {
    let app = spawn_app().await;
    let item = |price: Value| json!({"name": "Mug", "price": price});
    let many: Vec<Value> = (0..101).map(|_| item(json!(1))).collect();
    let table: Vec<(&str, Value, u16, &str)> = vec![
        ("no items", json!({"items": [], "amount": 1}), 422, "invalid_items"),
        ("101 items", json!({"items": many, "amount": 101}), 422, "invalid_items"),
        ("missing items", json!({"amount": 1}), 400, "invalid_json"),
        (
            "empty name",
            json!({"items": [{"name": "   ", "price": 1}], "amount": 1}),
            422,
            "invalid_item_name",
        ),
        (
            "long name",
            json!({"items": [{"name": "x".repeat(201), "price": 1}], "amount": 1}),
            422,
            "invalid_item_name",
        ),
        (
            "control char",
            json!({"items": [{"name": "a\u{1b}b", "price": 1}], "amount": 1}),
            422,
            "invalid_item_name",
        ),
        (
            "negative price",
            json!({"items": [item(json!(-1))], "amount": 1}),
            422,
            "invalid_price",
        ),
        (
            "price text",
            json!({"items": [item(json!("cheap"))], "amount": 1}),
            400,
            "invalid_json",
        ),
        (
            "quantity 0",
            json!({"items": [{"name": "a", "price": 1, "quantity": 0}], "amount": 1}),
            422,
            "invalid_quantity",
        ),
        (
            "quantity 10001",
            json!({"items": [{"name": "a", "price": 1, "quantity": 10001}], "amount": 10001}),
            422,
            "invalid_quantity",
        ),
        (
            "fractional quantity",
            json!({"items": [{"name": "a", "price": 1, "quantity": 1.5}], "amount": 1.5}),
            422,
            "invalid_quantity",
        ),
        (
            "zero amount",
            json!({"items": [item(json!(0))], "amount": 0}),
            422,
            "invalid_amount",
        ),
        (
            "amount mismatch",
            json!({"items": [item(json!(1))], "amount": 1.01}),
            422,
            "amount_mismatch",
        ),
        (
            "unknown currency",
            json!({"items": [item(json!(1))], "amount": 1, "currency": "ABC"}),
            422,
            "unknown_currency",
        ),
        (
            "too many decimals",
            json!({"items": [item(json!("1.001"))], "amount": "1.001"}),
            422,
            "too_many_decimals",
        ),
        (
            "JPY decimals",
            json!({"items": [item(json!(1.5))], "amount": 1.5, "currency": "JPY"}),
            422,
            "too_many_decimals",
        ),
        (
            "unknown field",
            json!({"items": [item(json!(1))], "amount": 1, "discount": 1}),
            400,
            "invalid_json",
        ),
        (
            "unknown item field",
            json!({"items": [{"name": "a", "price": 1, "sku": "x"}], "amount": 1}),
            400,
            "invalid_json",
        ),
        (
            "bad email",
            json!({"items": [item(json!(1))], "amount": 1, "userInfo": {"email": "ada"}}),
            422,
            "invalid_email",
        ),
        (
            "long email",
            json!({"items": [item(json!(1))], "amount": 1, "userInfo": {"email": format!("{}@example.com", "a".repeat(250))}}),
            422,
            "invalid_email",
        ),
        (
            "long phone",
            json!({"items": [item(json!(1))], "amount": 1, "userInfo": {"phone": "1".repeat(33)}}),
            422,
            "invalid_phone",
        ),
        (
            "long name",
            json!({"items": [item(json!(1))], "amount": 1, "userInfo": {"firstName": "a".repeat(101)}}),
            422,
            "invalid_name",
        ),
        (
            "bad country",
            json!({"items": [item(json!(1))], "amount": 1, "userInfo": {"countryCode": "US"}}),
            422,
            "invalid_country",
        ),
    ];
    for (what, body, status, code) in table {
        let resp = app.create_payment_raw(&body, None).await;
        assert_eq!(resp.status().as_u16(), status, "{what}");
        assert_error(resp, status, code).await;
    }

    let malformed = app
        .post_raw("/pay/v1/payments", "{\"items\": [", Some(SECRET_KEY))
        .await;
    assert_error(malformed, 400, "invalid_json").await;
    let huge = format!(
        "{{\"items\":[{{\"name\":\"{}\",\"price\":1}}],\"amount\":1}}",
        "x".repeat(70 * 1024)
    );
    assert_error(
        app.post_raw("/pay/v1/payments", huge, Some(SECRET_KEY)).await,
        413,
        "payload_too_large",
    )
    .await;

    let (_, list) = app.get_json("/pay/v1/payments").await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        0,
        "a rejected request stored something"
    );
}

#[actix_web::test]
async fn exact_decimal_sums_are_accepted() {
    let app = spawn_app().await;
    let body = json!({"items": [{"name": "a", "price": 0.1}, {"name": "b", "price": 0.2}], "amount": 0.3});
    assert_eq!(app.create_payment_raw(&body, None).await.status(), 201);
    let body = json!({"items": [{"name": "a", "price": "19.99", "quantity": 3}], "amount": "59.97"});
    assert_eq!(app.create_payment_raw(&body, None).await.status(), 201);
    let body = json!({"items": [{"name": "a", "price": 1.125}], "amount": 1.125, "currency": "KWD"});
    assert_eq!(app.create_payment_raw(&body, None).await.status(), 201);
}

#[actix_web::test]
async fn idempotency_key_replays_the_same_payment() {
    let app = spawn_app().await;

    let first = app.create_payment_raw(&sample_info(), Some("order-1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = app.create_payment_raw(&sample_info(), Some("order-1")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["Idempotent-Replayed"], "true");
    let again: Value = again.json().await.unwrap();

    assert_eq!(first, again);
    let mut other = sample_info();
    other["items"][0]["quantity"] = json!(3);
    other["amount"] = json!(29.99);
    assert_error(
        app.create_payment_raw(&other, Some("order-1")).await,
        409,
        "idempotency_conflict",
    )
    .await;
    let (_, list) = app.get_json("/pay/v1/payments").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_error(
        app.create_payment_raw(&sample_info(), Some("")).await,
        400,
        "invalid_idempotency_key",
    )
    .await;
}

#[actix_web::test]
async fn concurrent_requests_with_one_key_make_one_payment() {
    let app = spawn_app().await;
    let info = sample_info();
    let requests = (0..8).map(|_| app.create_payment_raw(&info, Some("order-race")));
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = std::collections::HashSet::new();
    for resp in responses {
        assert!(resp.status().is_success());
        let body: Value = resp.json().await.unwrap();
        ids.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
}

#[actix_web::test]
async fn merchant_api_needs_the_secret_key() {
    let app = spawn_app().await;
    let id = app.create_payment().await;
    let no_key = app
        .client
        .post(app.url("/pay/v1/payments"))
        .json(&sample_info())
        .send()
        .await
        .unwrap();
    assert_error(no_key, 401, "unauthorized").await;
    assert_error(
        app.post_raw(
            "/pay/v1/payments",
            sample_info().to_string(),
            Some("sk_test_wrong_key_0000"),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
    let get = app.get(&format!("/pay/v1/payments/{id}")).await;
    assert_error(get, 401, "unauthorized").await;
    let list = app
        .client
        .get(app.url("/pay/v1/payments"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_error(list, 401, "unauthorized").await;
}

/// Concurrent creates share transactions (group commit): a conflicting request in a batch is
/// refused alone, and every acknowledged payment is stored.
#[actix_web::test]
async fn concurrent_creates_with_conflicts_in_one_batch() {
    let app = spawn_app().await;
    let mut other = sample_info();
    other["items"][0]["quantity"] = json!(3);
    other["amount"] = json!(29.99);
    let first = app.create_payment_raw(&sample_info(), Some("shared")).await;
    assert_eq!(first.status(), 201);
    let keys: Vec<(Value, Option<String>)> = (0..60)
        .map(|i| match i % 3 {
            0 => (sample_info(), Some(format!("own-{i}"))),
            1 => (sample_info(), Some("shared".to_owned())),
            _ => (other.clone(), Some("shared".to_owned())),
        })
        .collect();

    let responses = futures_util::future::join_all(
        keys.iter()
            .map(|(body, key)| app.create_payment_raw(body, key.as_deref())),
    )
    .await;

    let mut statuses = std::collections::BTreeMap::new();
    for r in responses {
        *statuses.entry(r.status().as_u16()).or_insert(0) += 1;
    }
    assert_eq!(statuses, [(200, 20), (201, 20), (409, 20)].into_iter().collect());
    let (_, list) = app.get_json("/pay/v1/payments?limit=100").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 21);
}
