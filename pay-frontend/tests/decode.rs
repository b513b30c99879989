//! The SDK reads and writes the wire types without serde (size budget); these tests pin its
//! decoders and encoders to what pay-types' own serde impls write and accept.

use pay_frontend::testing::decode::{attempt_request, attempt_result, checkout_view, payment_options, payment_result};
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
    };
    let text = serde_json::to_string(&view).unwrap();
    assert_eq!(checkout_view(&js(&text)), Ok(view.clone()));
    let without = CheckoutView {
        user_info: None,
        transaction_id: None,
        ..view
    };
    let text = serde_json::to_string(&without).unwrap();
    assert_eq!(checkout_view(&js(&text)), Ok(without));
    assert!(checkout_view(&js(r#"{"payment":null}"#)).is_err());
}

#[wasm_bindgen_test]
fn attempt_result_reads_what_pay_types_writes() {
    let challenge = || Challenge {
        url: "/pay/v1/checkout/0f8fad5b-d9cb-469f-a165-70867728950e/attempts/att_12345678/challenge".into(),
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
                url: "https://acs.example/challenge?id=1".into(),
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
/// has no challenge; `null` reads the same; a challenge of the wrong shape is refused.
#[wasm_bindgen_test]
fn attempt_result_without_the_new_fields_is_not_processing() {
    let mut answer = json!({"attemptId": "att_12345678", "status": "Successful", "transactionId": "txn_4",
        "decline": null, "payment": serde_json::to_value(payment()).unwrap(), "userInfo": null,
        "attemptsLeft": 2});
    let read = attempt_result(&js(&answer.to_string())).unwrap();
    assert!(!read.processing);
    assert_eq!(read.challenge, None);
    assert_eq!(read, serde_json::from_value::<AttemptResult>(answer.clone()).unwrap());

    answer["processing"] = json!(null);
    answer["challenge"] = json!(null);
    let read = attempt_result(&js(&answer.to_string())).unwrap();
    assert_eq!((read.processing, read.challenge), (false, None));

    for (key, wrong) in [
        ("processing", json!("yes")),
        ("challenge", json!("/pay/v1/challenge")),
        ("challenge", json!({"url": "/c"})),
        ("challenge", json!({"url": 1, "expiresAt": "2026-12-02T01:00:00Z"})),
    ] {
        let mut bad = answer.clone();
        bad[key] = wrong;
        assert!(attempt_result(&js(&bad.to_string())).is_err(), "{bad}");
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
    let out = js_sys::JSON::stringify(&payment_result(&result))
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(serde_json::from_str::<PaymentResult>(&out).unwrap(), result);
    assert!(out.contains(r#""amount":1234567.89"#), "{out}");
    assert!(!out.contains("countryCode"));
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
    };
    let offline = AttemptRequest {
        method: PaymentMethod::Offline,
        card: None,
        user_info: None,
        ..card.clone()
    };
    for request in [card, offline] {
        let text = attempt_request(&request);
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
    assert_eq!(payment_options(&js(&text)), Ok(options));
}

#[wasm_bindgen_test]
fn currency_answers_read_what_pay_types_writes() {
    use pay_frontend::testing::decode::{conversion_rate, converted_amounts, currency_list, encode};
    use pay_types::{Amount, ConversionRate, ConvertedAmounts, Currency, CurrencyInfo};

    let list: Vec<CurrencyInfo> = ["EUR", "JPY", "XOF"]
        .iter()
        .map(|c| Currency::parse(c).unwrap().into())
        .collect();
    let text = serde_json::to_string(&list).unwrap();
    assert_eq!(currency_list(&js(&text)), Ok(list.clone()));
    let out = js_sys::JSON::stringify(&encode::currency_list(&list)).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<CurrencyInfo>>(&out.as_string().unwrap()).unwrap(),
        list
    );

    // Amounts a JS number holds exactly (as the page gets them) come back unchanged.
    let amount = |s: &str| Amount::parse_str(s).unwrap();
    let rate = ConversionRate {
        rate: amount("0.925925925925926"),
        timestamp: "2026-11-27T00:00:00Z".into(),
    };
    let text = serde_json::to_string(&rate).unwrap();
    assert_eq!(conversion_rate(&js(&text)), Ok(rate.clone()));
    let out = js_sys::JSON::stringify(&encode::conversion_rate(&rate)).unwrap();
    assert_eq!(
        serde_json::from_str::<ConversionRate>(&out.as_string().unwrap()).unwrap(),
        rate
    );

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
    assert_eq!(converted_amounts(&js(&text)), Ok(converted.clone()));
    let out = js_sys::JSON::stringify(&encode::converted_amounts(&converted)).unwrap();
    assert_eq!(
        serde_json::from_str::<ConvertedAmounts>(&out.as_string().unwrap()).unwrap(),
        converted
    );
    // More digits than a JS number holds: the closest JS number, no error.
    let long = r#"{"amounts":[111.11111111111111111111111111],"timestamp":"t"}"#;
    assert_eq!(
        converted_amounts(&js(long)).unwrap().amounts,
        [amount("111.11111111111111")]
    );
    assert!(converted_amounts(&js(r#"{"amounts":[1],"timestamp":null}"#)).is_err());
}

#[wasm_bindgen_test]
fn the_convert_request_is_what_pay_types_accepts_digit_for_digit() {
    use pay_frontend::testing::decode::{convert_request, encode};
    use pay_types::{Amount, ConvertAmountsRequest};

    // Decimals no JS number holds exactly still travel exactly (Rust callers, decimal strings).
    let request = ConvertAmountsRequest {
        amounts: [
            "0.1",
            "12.50",
            "123456789.123456789",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|s| Amount::parse_str(s).unwrap())
        .collect(),
        from: "USD".into(),
        to: "E\"U\\R".into(),
    };
    let text = encode::convert_request(&request);
    let back: ConvertAmountsRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(back, request);
    let digits: Vec<String> = back.amounts.iter().map(|a| a.to_string()).collect();
    assert_eq!(digits[1], "12.50");
    assert_eq!(digits[2], "123456789.123456789");
    // And the page's argument reads into the same type, decimal strings kept as written.
    let page = js(r#"{"amounts":[0.1,"12.50","123456789.123456789"],"from":"USD","to":"EUR"}"#);
    let read = convert_request(&page).unwrap();
    assert_eq!(
        read.amounts.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        ["0.1", "12.50", "123456789.123456789"]
    );
}
