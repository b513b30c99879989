//! Every step of the popup with the scripted checkout API: summary, contact, card form with
//! live validation, processing, decline and retry, outcome, and how closing resolves.

mod support;

use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn en() -> wasm_bindgen::JsValue {
    opts(json!({"locale": "en-US"}))
}

#[wasm_bindgen_test]
async fn a_card_payment_goes_through_every_step() {
    let fake = Fake::new();
    let run = start(&fake, en());

    wait_step("Contact details").await;
    assert_eq!(text(".item-name"), "Mug");
    assert_eq!(text(".item-qty"), "2 ×");
    assert_eq!(text(".item-price"), "$9.99");
    assert_eq!(text(".total-amount"), "$20.00");

    fill_contact().await;
    submit().await;
    wait_step("Card details").await;
    assert_eq!(text("button.pay"), "Pay $20.00");
    fill_card("4242 4242 4242 4242").await;
    assert_eq!(text(".brand"), "Card type: Visa");
    submit().await;

    wait_step("Thank you!").await;
    assert_eq!(text(".note"), "Your payment was successful.");
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();

    assert_eq!(result["status"], "Successful");
    assert_eq!(result["transactionId"], "txn_1");
    assert_eq!(result["payment"]["id"], PAYMENT_ID);
    assert_eq!(result["payment"]["amount"].as_f64(), Some(20.0));
    assert!(result["payment"].get("userInfo").is_none());
    assert_eq!(result["userInfo"]["country"], "GBR");
    assert_eq!(result["userInfo"]["email"], "ada@example.com");
    assert!(host().is_none());

    let attempts = fake.attempts();
    assert_eq!(attempts.len(), 1);
    let card = attempts[0].card.as_ref().unwrap();
    assert_eq!(card.number, "4242424242424242");
    assert_eq!((card.exp_month, card.exp_year, card.cvc.as_str()), (12, 2039, "123"));
    let id = &attempts[0].attempt_id;
    assert!(id.len() >= 8 && id.len() <= 64, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    let urls: Vec<String> = fake.requests.borrow().iter().map(|r| r.url.clone()).collect();
    assert_eq!(
        urls,
        [
            format!("/pay/v1/checkout/{PAYMENT_ID}"),
            format!("/pay/v1/checkout/{PAYMENT_ID}/attempts")
        ]
    );
}

#[wasm_bindgen_test]
async fn a_decline_shows_the_reason_and_a_retry_is_a_new_attempt() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4000 0000 0000 0002").await;
    submit().await;
    for _ in 0..50 {
        tick().await;
    }
    assert!(
        text("[role=alert]").starts_with("Your card was declined."),
        "{}",
        text("[role=alert]")
    );
    assert_eq!(text("#pay-step-title"), "Card details");

    assert_eq!(retry_and_finish(run).await["status"], "Successful");
    let attempts = fake.attempts();
    assert_eq!(attempts.len(), 2);
    assert_ne!(attempts[0].attempt_id, attempts[1].attempt_id);
}

#[wasm_bindgen_test]
async fn closing_after_a_decline_resolves_failed() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4000000000009995").await;
    submit().await;
    for _ in 0..50 {
        tick().await;
    }
    assert!(text("[role=alert]").starts_with("Your card has insufficient funds."));
    click("[data-action=close]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Failed");
    assert_eq!(result["transactionId"], "txn_1");
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn closing_without_a_transaction_resolves_cancelled() {
    let fake = Fake::new();
    let run = start(&fake, en());
    wait_step("Contact details").await;
    click("button.close").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Cancelled");
    assert_eq!(result["transactionId"], json!(null));
    assert_eq!(result["payment"]["id"], PAYMENT_ID);
    assert!(fake.attempts().is_empty());
}

#[wasm_bindgen_test]
async fn escape_cancels() {
    let fake = Fake::new();
    let run = start(&fake, en());
    wait_step("Contact details").await;
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
}

#[wasm_bindgen_test]
async fn a_pending_payment_says_so() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4000 0000 0000 3220").await;
    submit().await;
    wait_step("Thank you!").await;
    assert!(text(".note").starts_with("Your payment is being processed."));
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Pending");
}

#[wasm_bindgen_test]
async fn the_card_form_validates_live() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;

    // Nothing typed: every field says it is required, nothing is sent, focus on the first.
    submit().await;
    assert_eq!(text("#pay-cardNumber-error"), "This field is required.");
    assert_eq!(text("#pay-cardExpiry-error"), "This field is required.");
    assert_eq!(
        input("cardNumber").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(active().unwrap().get_attribute("name").as_deref(), Some("cardNumber"));

    // A wrong check digit shows as soon as the number is complete, and clears when fixed.
    type_into("cardNumber", "4242 4242 4242 4241").await;
    assert_eq!(text("#pay-cardNumber-error"), "Enter a valid card number.");
    type_into("cardNumber", "4242 4242 4242 4242").await;
    assert_eq!(text("#pay-cardNumber-error"), "");
    assert!(input("cardNumber").get_attribute("aria-invalid").is_none());

    // Brand as typed.
    for (digits, brand) in [("5555", "Mastercard"), ("3782", "American Express"), ("4", "Visa")] {
        type_into("cardNumber", digits).await;
        assert_eq!(text(".brand"), format!("Card type: {brand}"));
    }

    // Expired, malformed, and an Amex needs four CVC digits.
    fill(&[("cardExpiry", "01/20")]).await;
    assert_eq!(text("#pay-cardExpiry-error"), "Enter a future expiry date as MM/YY.");
    fill(&[("cardExpiry", "13/40")]).await;
    assert_eq!(text("#pay-cardExpiry-error"), "Enter a future expiry date as MM/YY.");
    fill(&[("cardNumber", "378282246310005"), ("cardCvc", "123")]).await;
    assert_eq!(text("#pay-cardCvc-error"), "Enter the card’s security code.");
    fill(&[("cardCvc", "1234"), ("cardExpiry", "12/39")]).await;
    assert_eq!(text("#pay-cardCvc-error"), "");
    assert!(fake.attempts().is_empty());

    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
}

#[wasm_bindgen_test]
async fn the_contact_step_validates_and_can_be_returned_to() {
    let fake = Fake::new();
    let run = start(&fake, en());
    wait_step("Contact details").await;
    submit().await;
    assert_eq!(text("#pay-firstName-error"), "This field is required.");
    assert_eq!(text("#pay-phone-error"), "");
    fill(&[
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@example"),
        ("phone", "call me"),
    ])
    .await;
    assert_eq!(text("#pay-email-error"), "Enter a valid email address.");
    assert_eq!(text("#pay-phone-error"), "Enter a valid phone number.");
    submit().await;
    assert_eq!(step_title().await, "Contact details");
    fill(&[
        ("email", "ada@example.com"),
        ("phone", "+44 20 7946 0000"),
        ("country", ""),
    ])
    .await;
    submit().await;
    wait_step("Card details").await;
    click("[data-action=back]").await;
    wait_step("Contact details").await;
    assert_eq!(input("email").value(), "ada@example.com");
    submit().await;
    wait_step("Card details").await;
    fill_card("4242424242424242").await;
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["userInfo"]["phone"], "+44 20 7946 0000");
    assert_eq!(result["userInfo"]["country"], json!(null));
}

#[wasm_bindgen_test]
async fn processing_disables_the_form_and_ignores_escape() {
    let fake = Fake::new();
    let (gate, open_gate) = gate();
    *fake.gate.borrow_mut() = Some(gate);
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4242424242424242").await;
    submit().await;
    for _ in 0..20 {
        tick().await;
    }
    assert_eq!(text("[role=status]"), "Processing your payment…");
    assert_eq!(
        find("[role=dialog]").unwrap().get_attribute("aria-busy").as_deref(),
        Some("true")
    );
    assert!(find("button.pay").unwrap().has_attribute("disabled"));
    assert!(find("button.close").unwrap().has_attribute("disabled"));
    assert!(input("cardNumber").has_attribute("disabled"));
    press("Escape", false).await;
    open_gate.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
}

#[wasm_bindgen_test]
async fn a_lost_answer_is_resent_with_the_same_attempt_id() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4242424242424242").await;
    fake.script(Reply::Network);
    submit().await;
    for _ in 0..50 {
        tick().await;
    }
    assert!(text("[role=alert]").starts_with("The payment service could not be reached."));
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    settle(run).await.unwrap();
    let ids: Vec<String> = fake.requests.borrow().iter().filter_map(|r| r.body.clone()).collect();
    assert_eq!(ids.len(), 2);
    let a: pay_types::AttemptRequest = serde_json::from_str(&ids[0]).unwrap();
    let b: pay_types::AttemptRequest = serde_json::from_str(&ids[1]).unwrap();
    assert_eq!(a.attempt_id, b.attempt_id);
}

#[wasm_bindgen_test]
async fn already_paid_elsewhere_shows_the_payment_as_it_is() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({"locale": "en", "showThankYouPage": false})));
    reach_card_step().await;
    fill_card("4242424242424242").await;
    fake.script(Reply::Status(
        409,
        json!({"code": "payment_not_payable", "message": "paid"}),
    ));
    fake.script(Reply::Status(
        200,
        json!({"attemptId": "att_other_tab", "status": "Successful",
        "transactionId": "txn_other", "decline": null, "payment": payment_json(),
        "userInfo": null, "attemptsLeft": 3}),
    ));
    submit().await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Successful");
    assert_eq!(result["transactionId"], "txn_other");
    assert_eq!(result["userInfo"]["firstName"], "Ada");
}

#[wasm_bindgen_test]
async fn server_field_errors_and_too_many_attempts_are_shown() {
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4242424242424242").await;
    fake.script(Reply::Status(422, json!({"code": "invalid_cvc", "message": "cvc"})));
    submit().await;
    for _ in 0..50 {
        tick().await;
    }
    assert_eq!(text("#pay-cardCvc-error"), "Enter the card’s security code.");
    fake.script(Reply::Status(
        429,
        json!({"code": "too_many_attempts", "message": "no"}),
    ));
    submit().await;
    for _ in 0..50 {
        tick().await;
    }
    assert!(text("[role=alert]").starts_with("Too many attempts."));
    assert!(find("button.pay").unwrap().has_attribute("disabled"));
    click("button.close").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
}

#[wasm_bindgen_test]
async fn amounts_follow_the_currency_minor_units() {
    let fake = Fake::new();
    let mut view = fake.view.borrow().clone();
    view["payment"] = json!({"id": PAYMENT_ID, "amount": 1000, "currency": "JPY",
        "items": [{"name": "Tea", "price": 500, "quantity": 2}]});
    *fake.view.borrow_mut() = view;
    let run = start(&fake, en());
    wait_step("Contact details").await;
    assert_eq!(text(".item-price"), "¥500");
    assert_eq!(text(".total-amount"), "¥1,000");
    press("Escape", false).await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["payment"]["currency"], "JPY");
    assert_eq!(result["payment"]["amount"].as_f64(), Some(1000.0));

    let mut view = fake.view.borrow().clone();
    view["payment"] = json!({"id": PAYMENT_ID, "amount": 1.5, "currency": "KWD",
        "items": [{"name": "Tea", "price": 1.5, "quantity": 1}]});
    *fake.view.borrow_mut() = view;
    let run = start(&fake, en());
    wait_step("Contact details").await;
    assert_eq!(text(".total-amount"), "KWD\u{a0}1.500");
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn no_attempts_left_means_no_pay_button() {
    let fake = Fake::new();
    fake.set_view("attemptsLeft", json!(0));
    let run = start(&fake, en());
    reach_card_step().await;
    assert_eq!(text("[role=alert]"), "No attempts are left for this payment.");
    assert!(find("button.pay").unwrap().has_attribute("disabled"));
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
}

/// An RFC 3339 instant `ms` from now, by this browser's clock.
fn in_ms(ms: f64) -> String {
    js_sys::Date::new(&(js_sys::Date::now() + ms).into())
        .to_iso_string()
        .into()
}

#[wasm_bindgen_test]
async fn the_popup_says_so_when_the_payment_expires_while_open() {
    let fake = Fake::new();
    fake.set_view("expiresAt", json!(in_ms(600.0)));
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4242424242424242").await;
    wait_step_within("This payment has expired", 3000).await;
    assert!(text(".note").starts_with("Nothing was charged."));
    assert!(find("button.pay").is_none(), "no Pay button is left");
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Cancelled");
    assert!(fake.attempts().is_empty());
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn an_attempt_refused_as_expired_ends_on_the_expiry_screen() {
    let fake = Fake::new();
    // By this browser's clock the payment has hours left; by the server's it has expired.
    fake.set_view("expiresAt", json!(in_ms(3_600_000.0)));
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4242424242424242").await;
    fake.script(Reply::Status(
        409,
        json!({"code": "payment_expired", "message": "expired"}),
    ));
    submit().await;
    wait_step("This payment has expired").await;
    assert_eq!(fake.attempts().len(), 1, "a refused attempt is not sent again");
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
}

#[wasm_bindgen_test]
async fn an_expired_payment_resolves_cancelled_without_a_popup() {
    let fake = Fake::new();
    fake.set_view("expiresAt", json!(in_ms(-1000.0)));
    fake.set_view("expired", json!(true));
    fake.set_view("payable", json!(false));
    let result = settle(start(&fake, en())).await.unwrap();
    assert_eq!(result["status"], "Cancelled");
    assert_eq!(result["transactionId"], json!(null));
    assert!(host().is_none());
    // Declined before it expired: the last outcome stands.
    let fake = Fake::new();
    for (key, value) in [
        ("expired", json!(true)),
        ("payable", json!(false)),
        ("status", json!("Failed")),
    ] {
        fake.set_view(key, value);
    }
    assert_eq!(settle(start(&fake, en())).await.unwrap()["status"], "Failed");
}
