//! The currencies API (`currencies.getAllCurrencies()`, `currencyConverter.getConversionRate`,
//! `currencyConverter.convertAmounts`, `siteSettings.getCurrencies()`) against scripted
//! answers: the requests each function sends, what it resolves with, and every rejection.

mod support;

use js_sys::Promise;
use pay_frontend::testing::currencies::{all, convert, rate, site};
use pay_frontend::testing::{HttpMethod, HttpRequest, Transport};
use serde_json::json;
use std::rc::Rc;
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const STAMP: &str = "2026-11-27T00:00:00Z";

fn transport(fake: &Rc<Fake>) -> Rc<dyn Transport> {
    fake.clone()
}

/// The resolution as JSON text (`JSON.stringify`: the numbers exactly as JS holds them), or
/// the rejection's `(code, message)`.
async fn outcome(p: Promise) -> Result<String, (String, String)> {
    match JsFuture::from(p).await {
        Ok(v) => Ok(js_sys::JSON::stringify(&v).unwrap().as_string().unwrap()),
        Err(e) => {
            assert!(e.is_instance_of::<js_sys::Error>(), "rejects with an Error: {e:?}");
            let code = js_sys::Reflect::get(&e, &"code".into()).unwrap().as_string().unwrap();
            let message = js_sys::Reflect::get(&e, &"message".into())
                .unwrap()
                .as_string()
                .unwrap();
            Err((code, message))
        }
    }
}

async fn code_of(p: Promise) -> String {
    outcome(p).await.expect_err("should reject").0
}

fn request(fake: &Fake, i: usize) -> HttpRequest {
    fake.requests.borrow()[i].clone()
}

fn list() -> serde_json::Value {
    json!([{"code": "EUR", "symbol": "€"}, {"code": "USD", "symbol": "$"}, {"code": "XOF", "symbol": "XOF"}])
}

#[wasm_bindgen_test]
async fn get_all_currencies_lists_code_and_symbol() {
    let fake = Fake::new();
    fake.script(Reply::Status(200, list()));
    let out = outcome(all(transport(&fake))).await.unwrap();
    assert_eq!(out, list().to_string());
    let sent = request(&fake, 0);
    assert_eq!(sent.method, HttpMethod::Get);
    assert_eq!(sent.url, "/pay/v1/currencies");
    assert_eq!(sent.body, None);
}

#[wasm_bindgen_test]
async fn site_settings_get_currencies_lists_the_site_currencies() {
    let fake = Fake::new();
    fake.script(Reply::Status(200, json!([{"code": "USD", "symbol": "$"}])));
    let out = outcome(site(transport(&fake))).await.unwrap();
    assert_eq!(out, r#"[{"code":"USD","symbol":"$"}]"#);
    let sent = request(&fake, 0);
    assert_eq!(
        (sent.method, sent.url.as_str()),
        (HttpMethod::Get, "/pay/v1/site/currencies")
    );
    // An empty choice is an empty list.
    fake.script(Reply::Raw(200, "[]"));
    assert_eq!(outcome(site(transport(&fake))).await.unwrap(), "[]");
}

#[wasm_bindgen_test]
async fn get_conversion_rate_asks_for_both_codes() {
    let fake = Fake::new();
    fake.script(Reply::Raw(
        200,
        r#"{"rate":0.9259259259259259259259259259,"timestamp":"2026-11-27T00:00:00Z"}"#,
    ));
    let out = outcome(rate(transport(&fake), "USD".into(), "EUR".into()))
        .await
        .unwrap();
    // The JS number closest to the server's 28 digits.
    assert_eq!(out, r#"{"rate":0.9259259259259259,"timestamp":"2026-11-27T00:00:00Z"}"#);
    assert_eq!(request(&fake, 0).url, "/pay/v1/currencies/rate?from=USD&to=EUR");

    // Codes go into the query encoded: the server judges them (unknown_currency).
    fake.script(Reply::Raw(200, r#"{"rate":1e-7,"timestamp":"t"}"#));
    let out = outcome(rate(transport(&fake), "A&B".into(), "é/?".into()))
        .await
        .unwrap();
    assert_eq!(out, r#"{"rate":1e-7,"timestamp":"t"}"#);
    assert_eq!(
        request(&fake, 1).url,
        "/pay/v1/currencies/rate?from=A%26B&to=%C3%A9%2F%3F"
    );
}

#[wasm_bindgen_test]
async fn convert_amounts_sends_exact_digits_and_reads_the_amounts() {
    let fake = Fake::new();
    fake.script(Reply::Raw(
        200,
        r#"{"amounts":[9.25,111.11111111111111111111111111,0.00000012,0],"timestamp":"2026-11-27T00:00:00Z"}"#,
    ));
    let options = js(
        r#"return {amounts: [9.99, "120", 0.1, 1e-7, "12.50", 123456789.12345679, 1e21, "123456789.123456789"],
        from: "USD", to: "EUR"};"#,
    );
    let out = outcome(convert(transport(&fake), options)).await.unwrap();
    assert_eq!(
        out,
        format!(r#"{{"amounts":[9.25,111.11111111111111,1.2e-7,0],"timestamp":"{STAMP}"}}"#)
    );
    let sent = request(&fake, 0);
    assert_eq!(sent.method, HttpMethod::Post);
    assert_eq!(sent.url, "/pay/v1/currencies/convert");
    // Each amount is the number the caller wrote, as decimal text (no float maths), also a
    // decimal string no JS number holds.
    assert_eq!(
        sent.body.as_deref(),
        Some(
            r#"{"amounts":["9.99","120","0.1","0.0000001","12.50","123456789.12345679","1000000000000000000000","123456789.123456789"],"from":"USD","to":"EUR"}"#
        )
    );
    // What the server reads from it: the same decimals.
    let parsed: pay_types::ConvertAmountsRequest = serde_json::from_str(sent.body.as_deref().unwrap()).unwrap();
    assert_eq!(parsed.amounts[0].to_string(), "9.99");
    assert_eq!(parsed.amounts[2].to_string(), "0.1");
    assert_eq!(parsed.amounts[4].to_string(), "12.50");
    assert_eq!(parsed.amounts[7].to_string(), "123456789.123456789");
}

#[wasm_bindgen_test]
async fn bad_arguments_reject_with_invalid_arguments_and_send_nothing() {
    let fake = Fake::new();
    let long = "X".repeat(17);
    for (from, to) in [
        (JsValue::from(42), JsValue::from("EUR")),
        (JsValue::from("USD"), JsValue::UNDEFINED),
        (JsValue::NULL, JsValue::NULL),
        (JsValue::from(""), JsValue::from("EUR")),
        (JsValue::from("USD"), JsValue::from(long.as_str())),
        (opts(json!({"code": "USD"})), JsValue::from("EUR")),
    ] {
        assert_eq!(code_of(rate(transport(&fake), from, to)).await, "invalid_arguments");
    }
    for options in [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from("USD"),
        opts(json!([[1], "USD", "EUR"])),
        opts(json!({"amounts": "9.99", "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": 9.99, "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": [true], "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": [{"value": 1}], "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": ["nine"], "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": [null], "from": "USD", "to": "EUR"})),
        opts(json!({"amounts": [1], "to": "EUR"})),
        opts(json!({"amounts": [1], "from": "USD", "to": 978})),
        opts(json!({"amounts": [1], "from": "", "to": "EUR"})),
        opts(json!({"amount": [1], "from": "USD", "to": "EUR"})),
        // Unknown keys are refused, as the server refuses them.
        opts(json!({"amounts": [1], "from": "USD", "to": "EUR", "ignored": true})),
        js(r#"return {amounts: [NaN], from: "USD", to: "EUR"};"#),
        js(r#"return {amounts: [Infinity], from: "USD", to: "EUR"};"#),
        js(r#"return {amounts: [1e300], from: "USD", to: "EUR"};"#),
    ] {
        let shown = format!("{options:?}");
        assert_eq!(
            code_of(convert(transport(&fake), options)).await,
            "invalid_arguments",
            "{shown}"
        );
    }
    assert!(fake.requests.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn server_errors_reject_with_the_server_code_and_message() {
    let fake = Fake::new();
    let cases = [
        (422, "unknown_currency", "unknown currency code `XYZ`"),
        (422, "rate_unavailable", "no rate for XOF"),
        (422, "invalid_amount", "amounts must not be empty"),
        (400, "invalid_json", "amounts: not a decimal number"),
        (429, "rate_limited", "slow down"),
    ];
    for (status, code, message) in cases {
        let reply = || Reply::Status(status, json!({"code": code, "message": message}));
        fake.script(reply());
        assert_eq!(
            outcome(rate(transport(&fake), "USD".into(), "XYZ".into())).await,
            Err((code.to_owned(), message.to_owned()))
        );
        fake.script(reply());
        let options = opts(json!({"amounts": [], "from": "USD", "to": "EUR"}));
        assert_eq!(
            outcome(convert(transport(&fake), options)).await,
            Err((code.to_owned(), message.to_owned()))
        );
        fake.script(reply());
        assert_eq!(outcome(all(transport(&fake))).await.unwrap_err().0, code);
        fake.script(reply());
        assert_eq!(outcome(site(transport(&fake))).await.unwrap_err().0, code);
    }
    // The empty list goes to the server, which decides (`invalid_amount`).
    assert_eq!(
        request(&fake, 1).body.as_deref(),
        Some(r#"{"amounts":[],"from":"USD","to":"EUR"}"#)
    );
}

#[wasm_bindgen_test]
async fn no_usable_answer_rejects_with_network_error() {
    let fake = Fake::new();
    let calls: [fn(&Rc<Fake>) -> Promise; 4] = [
        |f| all(transport(f)),
        |f| site(transport(f)),
        |f| rate(transport(f), "USD".into(), "EUR".into()),
        |f| convert(transport(f), opts(json!({"amounts": [1], "from": "USD", "to": "EUR"}))),
    ];
    for call in calls {
        for reply in [
            Reply::Network,
            Reply::Raw(502, "<html>Bad gateway</html>"),
            Reply::Status(500, json!({"code": "internal_error", "message": "internal error"})),
            Reply::Raw(200, "not json"),
            Reply::Status(200, json!({"unexpected": true})),
            Reply::Status(200, json!([{"code": 1}])),
            Reply::Status(200, json!({"rate": "x", "amounts": ["x"], "timestamp": STAMP})),
        ] {
            fake.script(reply);
            assert_eq!(code_of(call(&fake)).await, "network_error");
        }
    }
}

#[wasm_bindgen_test]
async fn configure_points_the_currencies_at_another_origin() {
    pay_frontend::configure(opts(json!({"baseUrl": "https://pay.example/shop/"}))).unwrap();
    let fake = Fake::new();
    fake.script(Reply::Status(200, list()));
    fake.script(Reply::Raw(200, r#"{"rate":2,"timestamp":"t"}"#));
    let first = outcome(all(transport(&fake))).await;
    let second = outcome(rate(transport(&fake), "EUR".into(), "USD".into())).await;
    pay_frontend::configure(opts(json!({}))).unwrap();
    first.unwrap();
    assert_eq!(second.unwrap(), r#"{"rate":2,"timestamp":"t"}"#);
    assert_eq!(request(&fake, 0).url, "https://pay.example/shop/pay/v1/currencies");
    assert_eq!(
        request(&fake, 1).url,
        "https://pay.example/shop/pay/v1/currencies/rate?from=EUR&to=USD"
    );
}

#[wasm_bindgen_test]
async fn the_exports_use_the_real_transport() {
    // Port 9 (discard) is closed here: fetch fails and every export rejects network_error.
    pay_frontend::configure(opts(json!({"baseUrl": "http://127.0.0.1:9"}))).unwrap();
    let codes = [
        code_of(pay_frontend::get_all_currencies()).await,
        code_of(pay_frontend::get_site_currencies()).await,
        code_of(pay_frontend::get_conversion_rate("USD".into(), "EUR".into())).await,
        code_of(pay_frontend::convert_amounts(opts(
            json!({"amounts": [1], "from": "USD", "to": "EUR"}),
        )))
        .await,
        // Argument checks come first, without a request.
        code_of(pay_frontend::get_conversion_rate(JsValue::NULL, "EUR".into())).await,
    ];
    pay_frontend::configure(opts(json!({"baseUrl": ""}))).unwrap();
    assert_eq!(
        codes,
        [
            "network_error",
            "network_error",
            "network_error",
            "network_error",
            "invalid_arguments"
        ]
    );
}
