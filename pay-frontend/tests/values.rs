//! The SDK reads and writes JS values with serde-wasm-bindgen over the pay-types types; these
//! tests pin what it reads to what the server writes (pay-types' serde_json output, parsed by
//! the browser), and what it writes to the shapes pages and the server expect.

use pay_frontend::testing::{json_text, read, read_at_path, unknown_key, write};
use pay_types::{
    AttemptRequest, AttemptResult, BrowserPayment, BrowserUserInfo, CardInput, Challenge, CheckoutView, PaymentMethod,
    PaymentResult, TransactionStatus,
};
use serde_json::json;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn payment() -> BrowserPayment {
    serde_json::from_value(json!({
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "amount": 1234567.89,
        "currency": "USD",
        "items": [{"name": "Mug", "price": 1234567.87, "quantity": 1},
                  {"name": "Tea", "price": 0.01, "quantity": 2}]
    }))
    .unwrap()
}

fn user() -> BrowserUserInfo {
    BrowserUserInfo {
        first_name: Some("Ada".into()),
        last_name: None,
        email: Some("ada@example.com".into()),
        phone: None,
        country: Some("GBR".into()),
    }
}

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn checkout_view(v: &JsValue) -> Result<CheckoutView, String> {
    read(v.clone()).map_err(|e| e.to_string())
}

fn attempt_result(v: &JsValue) -> Result<AttemptResult, String> {
    read(v.clone()).map_err(|e| e.to_string())
}

fn stringify(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn checkout_view_reads_what_pay_types_writes() {
    let view = CheckoutView {
        payment: payment(),
        status: TransactionStatus::Failed,
        transaction_id: Some("txn_1".into()),
        user_info: Some(user()),
        methods: vec![PaymentMethod::Card, PaymentMethod::Offline],
        payable: true,
        attempts_left: 2,
        card_fields: Default::default(),
        expires_at: Some("2026-12-24T18:00:00Z".into()),
        expired: false,
    };
    let text = serde_json::to_string(&view).unwrap();
    assert_eq!(checkout_view(&js(&text)), Ok(view.clone()));
    let without = CheckoutView {
        user_info: None,
        transaction_id: None,
        expires_at: None,
        ..view
    };
    let text = serde_json::to_string(&without).unwrap();
    assert_eq!(checkout_view(&js(&text)), Ok(without));
    assert!(checkout_view(&js(r#"{"payment":null}"#)).is_err());
}

/// A newer server's answer: a method this SDK does not know is not offered, and keys it does
/// not know are ignored (the page's own arguments are stricter: see the options tests).
#[wasm_bindgen_test]
fn answers_of_a_newer_server_still_read() {
    let mut answer = serde_json::to_value(CheckoutView {
        payment: payment(),
        status: TransactionStatus::Undefined,
        transaction_id: None,
        user_info: None,
        methods: vec![PaymentMethod::Card],
        payable: true,
        attempts_left: 3,
        card_fields: Default::default(),
        expires_at: None,
        expired: false,
    })
    .unwrap();
    answer["methods"] = json!(["wallet", "card", "offline"]);
    answer["newKey"] = json!({"x": 1});
    answer["payment"]["newKey"] = json!(true);
    let view = checkout_view(&js(&answer.to_string())).unwrap();
    assert_eq!(view.methods, [PaymentMethod::Card, PaymentMethod::Offline]);
    assert_eq!(view.payment, payment());
    answer["methods"] = json!("card");
    assert!(checkout_view(&js(&answer.to_string())).is_err());
}

#[wasm_bindgen_test]
fn attempt_result_reads_what_pay_types_writes() {
    let challenge = || Challenge {
        url: Some("/pay/v1/checkout/0f8fad5b-d9cb-469f-a165-70867728950e/attempts/att_12345678/challenge".into()),
        client_secret: None,
        expires_at: "2026-12-02T01:00:00Z".into(),
    };
    for (status, decline, processing, challenge) in [
        (TransactionStatus::Successful, None, false, None),
        (
            TransactionStatus::Failed,
            Some(pay_types::DeclineCode::InsufficientFunds.into()),
            false,
            None,
        ),
        (
            TransactionStatus::Failed,
            Some(pay_types::DeclineCode::AuthenticationFailed.into()),
            false,
            None,
        ),
        (TransactionStatus::Undefined, None, false, None),
        // The provider timed out; then a 3-D Secure challenge (an absolute URL too).
        (TransactionStatus::Undefined, None, true, None),
        (TransactionStatus::Undefined, None, true, Some(challenge())),
        (
            TransactionStatus::Undefined,
            None,
            true,
            Some(Challenge {
                url: Some("https://acs.example/challenge?id=1".into()),
                ..challenge()
            }),
        ),
    ] {
        let result = AttemptResult {
            attempt_id: Some("att_12345678".into()),
            status,
            transaction_id: Some("txn_2".into()),
            decline,
            payment: payment(),
            user_info: Some(user()),
            attempts_left: 0,
            processing,
            challenge,
        };
        let text = serde_json::to_string(&result).unwrap();
        assert_eq!(attempt_result(&js(&text)), Ok(result));
    }
}

/// An answer without the 3-D Secure fields (a server older than them) is not processing and
/// has no challenge; a `null` challenge reads the same; a challenge of the wrong shape, or a
/// `processing` that is not a boolean, is refused, as pay-types refuses them.
#[wasm_bindgen_test]
fn attempt_result_without_the_new_fields_is_not_processing() {
    let mut answer = json!({"attemptId": "att_12345678", "status": "Successful", "transactionId": "txn_4",
        "decline": null, "payment": serde_json::to_value(payment()).unwrap(), "userInfo": null,
        "attemptsLeft": 2});
    let read = attempt_result(&js(&answer.to_string())).unwrap();
    assert!(!read.processing);
    assert_eq!(read.challenge, None);
    assert_eq!(read, serde_json::from_value::<AttemptResult>(answer.clone()).unwrap());

    answer["challenge"] = json!(null);
    let read = attempt_result(&js(&answer.to_string())).unwrap();
    assert_eq!((read.processing, read.challenge), (false, None));

    for (key, wrong) in [
        ("processing", json!(null)),
        ("processing", json!("yes")),
        ("challenge", json!("/pay/v1/challenge")),
        ("challenge", json!({"url": "/c"})),
        ("challenge", json!({"url": 1, "expiresAt": "2026-12-02T01:00:00Z"})),
    ] {
        let mut bad = answer.clone();
        bad[key] = wrong;
        assert!(attempt_result(&js(&bad.to_string())).is_err(), "{bad}");
        assert!(serde_json::from_value::<AttemptResult>(bad.clone()).is_err(), "{bad}");
    }
}

#[wasm_bindgen_test]
fn the_payment_result_is_what_pay_types_reads() {
    let result = PaymentResult {
        payment: payment(),
        status: TransactionStatus::Successful,
        transaction_id: Some("txn_3".into()),
        user_info: Some(user()),
    };
    let out = stringify(&write(&result));
    assert_eq!(serde_json::from_str::<PaymentResult>(&out).unwrap(), result);
    // The exact keys, the amounts as numbers, and null (never a missing key) for what is absent.
    assert_eq!(
        out,
        r#"{"payment":{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","amount":1234567.89,"currency":"USD","items":[{"name":"Mug","price":1234567.87,"quantity":1},{"name":"Tea","price":0.01,"quantity":2}]},"status":"Successful","transactionId":"txn_3","userInfo":{"firstName":"Ada","lastName":null,"email":"ada@example.com","phone":null,"country":"GBR"}}"#
    );
    let bare = PaymentResult {
        transaction_id: None,
        user_info: None,
        ..result
    };
    let out = stringify(&write(&bare));
    assert!(
        out.ends_with(r#""status":"Successful","transactionId":null,"userInfo":null}"#),
        "{out}"
    );
    // Plain objects, which a page can spread and compare.
    let value = write(&bare);
    let plain = js_sys::Object::get_prototype_of(&js_sys::Object::new());
    assert!(JsValue::from(js_sys::Object::get_prototype_of(&value)) == JsValue::from(plain));
}

#[wasm_bindgen_test]
fn the_attempt_request_is_what_pay_types_accepts() {
    let card = AttemptRequest {
        attempt_id: "att_12345678".into(),
        method: PaymentMethod::Card,
        user_info: Some(user()),
        card: Some(CardInput {
            number: "4242424242424242".into(),
            exp_month: 12,
            exp_year: 2039,
            cvc: "123".into(),
        }),
        payment_method: None,
    };
    let stripe = AttemptRequest {
        card: None,
        payment_method: Some("pm_1PayTest".into()),
        ..card.clone()
    };
    let offline = AttemptRequest {
        method: PaymentMethod::Offline,
        card: None,
        user_info: None,
        ..card.clone()
    };
    for request in [card, stripe, offline] {
        let text = json_text(&request);
        assert_eq!(serde_json::from_str::<AttemptRequest>(&text).unwrap(), request);
    }
}

#[wasm_bindgen_test]
fn options_have_the_serde_names() {
    let options = pay_frontend::PaymentOptions {
        show_thank_you_page: Some(false),
        terms_and_conditions_link: Some("https://shop.example/t".into()),
        skip_user_info_page: Some(true),
        user_info: Some(user()),
        allow_manual_payment: Some(true),
        locale: Some("he".into()),
        theme: Some(pay_frontend::Theme {
            accent_color: Some("#000".into()),
            background_color: Some("#fff".into()),
            text_color: Some("#111".into()),
            border_radius: Some("2px".into()),
        }),
    };
    let text = serde_json::to_string(&options).unwrap();
    assert_eq!(read_at_path::<pay_frontend::PaymentOptions>(js(&text)), Ok(options));
    // A wrong option is named by its path.
    let wrong = read_at_path::<pay_frontend::PaymentOptions>(js(r##"{"theme":{"accentColor":7}}"##));
    assert!(
        wrong
            .as_ref()
            .is_err_and(|e| e.starts_with("theme.accentColor: invalid type")),
        "{wrong:?}"
    );
}

#[wasm_bindgen_test]
fn currency_answers_read_what_pay_types_writes() {
    use pay_types::{Amount, ConversionRate, ConvertedAmounts, Currency, CurrencyInfo};
    fn back<T: serde::de::DeserializeOwned>(v: &JsValue) -> T {
        serde_json::from_str(&stringify(v)).unwrap()
    }

    let list: Vec<CurrencyInfo> = ["EUR", "JPY", "XOF"]
        .iter()
        .map(|c| Currency::parse(c).unwrap().into())
        .collect();
    let text = serde_json::to_string(&list).unwrap();
    assert_eq!(read::<Vec<CurrencyInfo>>(js(&text)).ok(), Some(list.clone()));
    assert_eq!(back::<Vec<CurrencyInfo>>(&write(&list)), list);

    // Amounts a JS number holds exactly (as the page gets them) come back unchanged.
    let amount = |s: &str| Amount::parse_str(s).unwrap();
    let rate = ConversionRate {
        rate: amount("0.925925925925926"),
        timestamp: "2026-11-27T00:00:00Z".into(),
    };
    let text = serde_json::to_string(&rate).unwrap();
    assert_eq!(read::<ConversionRate>(js(&text)).ok(), Some(rate.clone()));
    assert_eq!(back::<ConversionRate>(&write(&rate)), rate);

    let converted = ConvertedAmounts {
        amounts: vec![
            amount("9.25"),
            amount("0.00000012"),
            amount("1000000000000"),
            amount("0"),
        ],
        timestamp: "2026-11-27T00:00:00Z".into(),
    };
    let text = serde_json::to_string(&converted).unwrap();
    assert_eq!(read::<ConvertedAmounts>(js(&text)).ok(), Some(converted.clone()));
    assert_eq!(back::<ConvertedAmounts>(&write(&converted)), converted);
    // More digits than a JS number holds: the closest JS number, no error.
    let long = r#"{"amounts":[111.11111111111111111111111111],"timestamp":"t"}"#;
    assert_eq!(
        read::<ConvertedAmounts>(js(long)).unwrap().amounts,
        [amount("111.11111111111111")]
    );
    // Exponent forms (what `String(n)` gives for tiny and huge numbers) read exactly.
    let tiny = read::<ConvertedAmounts>(js(r#"{"amounts":[1e-7,1.5e-10,1e21],"timestamp":"t"}"#)).unwrap();
    assert_eq!(
        tiny.amounts,
        [
            amount("0.0000001"),
            amount("0.00000000015"),
            amount("1000000000000000000000")
        ]
    );
    assert!(read::<ConvertedAmounts>(js(r#"{"amounts":[1],"timestamp":null}"#)).is_err());
}

/// serde-wasm-bindgen never sees keys a struct does not read, so the SDK looks for them itself:
/// the keys serde reads are the derived impl's own, aliases included.
#[wasm_bindgen_test]
fn unknown_keys_are_found_with_serde_s_own_field_names() {
    let ok = js(r#"{"firstName":"Ada","countryCode":"GBR","country":"GBR","email":null}"#);
    assert_eq!(unknown_key::<BrowserUserInfo>(&ok), None);
    let typo = js(r#"{"firstName":"Ada","nickname":"x"}"#);
    assert_eq!(unknown_key::<BrowserUserInfo>(&typo).as_deref(), Some("nickname"));
    let theme = js(r##"{"accentColor":"#000","accentColour":"#111"}"##);
    assert_eq!(
        unknown_key::<pay_frontend::Theme>(&theme).as_deref(),
        Some("accentColour")
    );
}
