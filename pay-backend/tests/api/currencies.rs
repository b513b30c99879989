//! The currencies API: all currencies, rates, conversion, site currencies, the feed provider.

use crate::helpers::{assert_error, spawn_app_with, SECRET_KEY};
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn configured(s: &mut pay_backend::Settings) {
    s.rates_base = pay_types::Currency::parse("EUR").unwrap();
    s.rates = [("USD", "1.08"), ("JPY", "162.5")]
        .into_iter()
        .map(|(c, r)| (pay_types::Currency::parse(c).unwrap(), r.parse().unwrap()))
        .collect();
}

#[actix_web::test]
async fn all_currencies_with_symbols() {
    let app = spawn_app_with(configured).await;
    let all: Vec<Value> = app.get("/pay/v1/currencies").await.json().await.unwrap();
    assert!(all.len() > 150);
    assert!(all.contains(&json!({"code": "USD", "symbol": "$"})));
    assert!(all.contains(&json!({"code": "EUR", "symbol": "€"})));
}

#[actix_web::test]
async fn conversion_rate() {
    let app = spawn_app_with(configured).await;
    let rate: Value = app
        .get("/pay/v1/currencies/rate?from=EUR&to=USD")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rate["rate"].to_string(), "1.08");
    assert!(rate["timestamp"].as_str().unwrap().ends_with('Z'));
    let same: Value = app
        .get("/pay/v1/currencies/rate?from=USD&to=USD")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(same["rate"].to_string(), "1");
    let cross: Value = app
        .get("/pay/v1/currencies/rate?from=USD&to=JPY")
        .await
        .json()
        .await
        .unwrap();
    assert!(cross["rate"].to_string().starts_with("150.46296296"));

    assert_error(
        app.get("/pay/v1/currencies/rate?from=USD&to=ZZZ").await,
        422,
        "unknown_currency",
    )
    .await;
    assert_error(
        app.get("/pay/v1/currencies/rate?from=USD&to=XOF").await,
        422,
        "rate_unavailable",
    )
    .await;
    assert_error(app.get("/pay/v1/currencies/rate?from=USD").await, 400, "invalid_query").await;
}

#[actix_web::test]
async fn convert_amounts_exactly() {
    let app = spawn_app_with(configured).await;
    let convert = |body: Value| {
        app.client
            .post(app.url("/pay/v1/currencies/convert"))
            .json(&body)
            .send()
    };

    let out: Value = convert(json!({"amounts": [10, "0.1", 9.99], "from": "EUR", "to": "USD"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(out["amounts"].to_string(), "[10.8,0.108,10.7892]");
    assert!(out["timestamp"].is_string());
    assert_error(
        convert(json!({"amounts": [], "from": "EUR", "to": "USD"}))
            .await
            .unwrap(),
        422,
        "invalid_amount",
    )
    .await;
    // As every amount Pay takes: at most 10^12 either way (the document says so too).
    for amounts in [json!([1, 1000000000001_u64]), json!([-1000000000001_i64])] {
        assert_error(
            convert(json!({"amounts": amounts, "from": "EUR", "to": "USD"}))
                .await
                .unwrap(),
            422,
            "invalid_amount",
        )
        .await;
    }
    let edge: Value = convert(json!({"amounts": [-1000000000000_i64], "from": "EUR", "to": "EUR"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edge["amounts"].to_string(), "[-1000000000000]");
    assert_error(
        convert(json!({"amounts": ["ten"], "from": "EUR", "to": "USD"}))
            .await
            .unwrap(),
        400,
        "invalid_json",
    )
    .await;
    assert_error(
        convert(json!({"amounts": [1], "from": "EURO", "to": "USD"}))
            .await
            .unwrap(),
        422,
        "unknown_currency",
    )
    .await;
    assert_error(
        convert(json!({"amounts": [1], "from": "EUR"})).await.unwrap(),
        400,
        "invalid_json",
    )
    .await;
}

#[actix_web::test]
async fn site_currencies_are_set_by_the_server_only() {
    let app = spawn_app_with(configured).await;
    let default: Value = app.get("/pay/v1/site/currencies").await.json().await.unwrap();
    assert_eq!(default, json!([{"code": "USD", "symbol": "$"}]));
    let put = |key: Option<&str>, body: Value| {
        let mut req = app.client.put(app.url("/pay/v1/site/currencies")).json(&body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send()
    };

    let set = put(Some(SECRET_KEY), json!(["EUR", "GBP", "EUR"])).await.unwrap();

    assert_eq!(set.status(), 200);
    let now: Value = app.get("/pay/v1/site/currencies").await.json().await.unwrap();
    assert_eq!(
        now,
        json!([{"code": "EUR", "symbol": "€"}, {"code": "GBP", "symbol": "£"}])
    );
    assert_error(put(None, json!(["USD"])).await.unwrap(), 401, "unauthorized").await;
    assert_error(
        put(Some(SECRET_KEY), json!(["USD", "NOPE"])).await.unwrap(),
        422,
        "unknown_currency",
    )
    .await;
    assert_error(put(Some(SECRET_KEY), json!([])).await.unwrap(), 422, "unknown_currency").await;
    let (_, _) = (app.get_json("/pay/v1/site/currencies").await, ());
}

#[actix_web::test]
async fn converting_never_changes_a_payment() {
    let app = spawn_app_with(configured).await;
    let id = app.create_payment().await;
    app.client
        .post(app.url("/pay/v1/currencies/convert"))
        .json(&json!({"amounts": [20], "from": "USD", "to": "JPY"}))
        .send()
        .await
        .unwrap();
    app.client
        .put(app.url("/pay/v1/site/currencies"))
        .bearer_auth(SECRET_KEY)
        .json(&json!(["JPY"]))
        .send()
        .await
        .unwrap();

    let view: Value = app.get(&format!("/pay/v1/checkout/{id}")).await.json().await.unwrap();

    assert_eq!(view["payment"]["currency"], "USD");
    assert_eq!(view["payment"]["amount"].to_string(), "20.00");
    let paid = app
        .attempt_ok(&id, &crate::helpers::card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid["payment"]["currency"], "USD");
    assert_eq!(paid["payment"]["amount"].to_string(), "20.00");
}

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <Cube><Cube time="2026-11-26"><Cube currency="USD" rate="1.0812"/><Cube currency="JPY" rate="162.37"/></Cube></Cube>
</gesmes:Envelope>"#;

/// Serves the feed on loopback; `healthy = false` answers 503.
fn feed_server(healthy: Arc<Mutex<bool>>) -> String {
    let server = HttpServer::new(move || {
        let healthy = healthy.clone();
        App::new().default_service(web::to(move || {
            let ok = *healthy.lock().unwrap();
            async move {
                if ok {
                    HttpResponse::Ok().content_type("text/xml").body(FEED)
                } else {
                    HttpResponse::ServiceUnavailable().finish()
                }
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    format!("http://127.0.0.1:{port}/eurofxref-daily.xml")
}

#[actix_web::test]
async fn the_feed_is_downloaded_cached_and_kept_when_it_fails() {
    let healthy = Arc::new(Mutex::new(true));
    let url = feed_server(healthy.clone());
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("pay.db").display());
    let settings = |url: String, db: String| {
        move |s: &mut pay_backend::Settings| {
            s.rates_url = Some(url.parse().unwrap());
            s.database_url = db;
        }
    };
    let first = spawn_app_with(settings(url.clone(), db.clone())).await;
    let mut rate = Value::Null;
    for _ in 0..50 {
        let resp = first.get("/pay/v1/currencies/rate?from=EUR&to=USD").await;
        if resp.status() == 200 {
            rate = resp.json().await.unwrap();
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rate["rate"].to_string(), "1.0812");
    assert_eq!(rate["timestamp"], "2026-11-26T16:00:00Z");

    // The feed breaks; a new process on the same database serves the cached table.
    *healthy.lock().unwrap() = false;
    let second = spawn_app_with(settings(url, db)).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    let cached: Value = second
        .get("/pay/v1/currencies/rate?from=EUR&to=JPY")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cached["rate"].to_string(), "162.37");
    assert_eq!(cached["timestamp"], "2026-11-26T16:00:00Z");
}
