//! Caller and infrastructure problems reject with a JS `Error` and a stable `code`;
//! a payment that cannot be paid any more resolves as it is without a popup.

mod support;

use pay_frontend::testing::HttpMethod;
use serde_json::json;
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn code_of(p: js_sys::Promise) -> String {
    let e = settle(p).await.expect_err("should reject");
    assert_eq!(e["error"], true, "{e}");
    e["code"].as_str().unwrap().to_owned()
}

#[wasm_bindgen_test]
async fn invalid_arguments() {
    let fake = Fake::new();
    let long = "a".repeat(257);
    for id in [
        JsValue::from(42),
        JsValue::from(""),
        JsValue::from(long.as_str()),
        JsValue::NULL,
        JsValue::UNDEFINED,
    ] {
        assert_eq!(
            code_of(start_id(&fake, id, JsValue::UNDEFINED)).await,
            "invalid_arguments"
        );
    }
    for options in [
        JsValue::from("fast"),
        JsValue::from(1),
        opts(json!([])),
        opts(json!({"showThankYouPage": "yes"})),
        opts(json!({"termsAndConditionsLink": "javascript:alert(1)"})),
        opts(json!({"termsAndConditionsLink": "data:text/html,hi"})),
        opts(json!({"termsAndConditionsLink": "/terms"})),
        opts(json!({"userInfo": {"nickname": "x"}})),
        opts(json!({"theme": {"font": "x"}})),
    ] {
        assert_eq!(code_of(start(&fake, options)).await, "invalid_arguments");
    }
    assert!(fake.requests.borrow().is_empty());
    assert!(host().is_none());
}

/// The message names the option and what it expects.
#[wasm_bindgen_test]
async fn invalid_options_are_named() {
    let fake = Fake::new();
    for (options, message) in [
        (JsValue::from("fast"), "options: a PaymentOptions object"),
        (
            opts(json!({"termsAndConditionsLink": "javascript:alert(1)"})),
            "options.termsAndConditionsLink: an absolute http(s) URL",
        ),
        (opts(json!({"locale": ""})), "options.locale: a BCP 47 language tag"),
        (
            opts(json!({"showThankYouPage": "yes"})),
            "options.showThankYouPage: invalid type: string \"yes\", expected a boolean",
        ),
        (
            opts(json!({"theme": {"accentColor": 7}})),
            "options.theme.accentColor: invalid type: ",
        ),
        (
            opts(json!({"theme": {"font": "x"}})),
            "options.theme: unknown field `font`",
        ),
        (
            opts(json!({"userInfo": {"nickname": "x"}})),
            "options.userInfo: unknown field `nickname`",
        ),
    ] {
        let e = settle(start(&fake, options)).await.expect_err("should reject");
        let got = e["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{got} / {message}");
    }
    assert!(fake.requests.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn payment_not_found() {
    // Malformed ids never reach the network.
    let fake = Fake::new();
    for id in ["nope", "../../etc/passwd", "0F8FAD5B-D9CB-469F-A165-70867728950E"] {
        assert_eq!(
            code_of(start_id(&fake, id.into(), JsValue::UNDEFINED)).await,
            "payment_not_found"
        );
    }
    assert!(fake.requests.borrow().is_empty());
    // An unknown id is the server's 404.
    fake.script(Reply::Status(
        404,
        json!({"code": "payment_not_found", "message": "no such payment"}),
    ));
    assert_eq!(code_of(start(&fake, JsValue::UNDEFINED)).await, "payment_not_found");
    assert_eq!(fake.requests.borrow()[0].method, HttpMethod::Get);
}

#[wasm_bindgen_test]
async fn network_error() {
    let fake = Fake::new();
    fake.script(Reply::Network);
    assert_eq!(code_of(start(&fake, JsValue::UNDEFINED)).await, "network_error");
    fake.script(Reply::Raw(502, "<html>Bad gateway</html>"));
    assert_eq!(code_of(start(&fake, JsValue::UNDEFINED)).await, "network_error");
    fake.script(Reply::Raw(200, "{\"not\":\"a view\"}"));
    assert_eq!(code_of(start(&fake, JsValue::UNDEFINED)).await, "network_error");
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn the_real_transport_reports_an_unreachable_backend() {
    // Port 9 (discard) is closed here: fetch fails, the SDK rejects with network_error.
    pay_frontend::configure(opts(json!({"baseUrl": "http://127.0.0.1:9"}))).unwrap();
    let p = pay_frontend::start_payment(PAYMENT_ID.into(), JsValue::UNDEFINED);
    let code = code_of(p).await;
    pay_frontend::configure(opts(json!({"baseUrl": ""}))).unwrap();
    assert_eq!(code, "network_error");
}

#[wasm_bindgen_test]
async fn popup_already_open() {
    let fake = Fake::new();
    let first = start(&fake, opts(json!({"locale": "en"})));
    wait_step("Contact details").await;
    let second = start_while_open(&fake, PAYMENT_ID.into(), JsValue::UNDEFINED);
    assert_eq!(code_of(second).await, "popup_already_open");
    assert_eq!(document().query_selector_all("[data-pay-popup]").unwrap().length(), 1);
    press("Escape", false).await;
    assert_eq!(settle(first).await.unwrap()["status"], "Cancelled");
    // Closed: the same payment can be started again.
    let again = start(&fake, opts(json!({"locale": "en"})));
    wait_step("Contact details").await;
    press("Escape", false).await;
    assert_eq!(settle(again).await.unwrap()["status"], "Cancelled");
}

#[wasm_bindgen_test]
async fn a_paid_payment_resolves_as_it_is() {
    let fake = Fake::new();
    fake.set_view("status", json!("Successful"));
    fake.set_view("transactionId", json!("txn_9"));
    fake.set_view("payable", json!(false));
    let result = settle(start(&fake, JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(result["status"], "Successful");
    assert_eq!(result["transactionId"], "txn_9");
    assert!(host().is_none());
}

#[wasm_bindgen_test]
fn configure_checks_its_argument() {
    for bad in [
        json!({"baseUrl": "javascript:alert(1)"}),
        json!({"baseUrl": 5}),
        json!("x"),
        json!({"baseUrl": "//evil.example"}),
    ] {
        let e = pay_frontend::configure(opts(bad)).unwrap_err();
        let code = js_sys::Reflect::get(&e, &"code".into()).unwrap();
        assert_eq!(code.as_string().as_deref(), Some("invalid_arguments"));
        let message = e.unchecked_ref::<js_sys::Error>().message().as_string().unwrap();
        assert!(message.starts_with("config"), "{message}");
    }
}

#[wasm_bindgen_test]
async fn configure_points_the_sdk_at_another_origin() {
    pay_frontend::configure(opts(json!({"baseUrl": "https://pay.example/"}))).unwrap();
    let fake = Fake::new();
    fake.set_view("payable", json!(false));
    let _ = settle(start(&fake, JsValue::UNDEFINED)).await;
    pay_frontend::configure(opts(json!({}))).unwrap();
    assert_eq!(
        fake.requests.borrow()[0].url,
        format!("https://pay.example/pay/v1/checkout/{PAYMENT_ID}")
    );
}
