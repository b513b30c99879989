//! A card attempt that is `processing` (SPEC §8): the 3-D Secure step (the challenge in a
//! titled iframe, Cancel, the return page's `postMessage`, polling as the fallback, closing
//! abandons) and the processing screen of a provider that did not answer (polling to the
//! outcome, closing resolves `Pending`); nothing of either is left behind.

mod support;

use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The Pay server of these tests: another origin than the page's, so the SDK's own origin
/// is not what the message check passes by accident.
const PAY: &str = "https://pay.example";

fn en() -> wasm_bindgen::JsValue {
    opts(json!({"locale": "en"}))
}

fn configure(base: &str) {
    pay_frontend::configure(opts(json!({ "baseUrl": base }))).unwrap();
}

/// The popup on the 3-D Secure step of a first attempt with the challenge card; returns
/// the promise and the attempt's id.
async fn reach_challenge(fake: &std::rc::Rc<Fake>) -> (js_sys::Promise, String) {
    let run = start(fake, en());
    reach_card_step().await;
    fill_card(CHALLENGE_CARD).await;
    submit().await;
    wait_step("Card authentication").await;
    let attempt = fake.attempts().last().unwrap().attempt_id.clone();
    (run, attempt)
}

/// The popup on the processing screen of a first attempt with the timeout card.
async fn reach_processing(fake: &std::rc::Rc<Fake>) -> js_sys::Promise {
    let run = start(fake, en());
    reach_card_step().await;
    fill_card(TIMEOUT_CARD).await;
    submit().await;
    wait_step("Processing your payment…").await;
    run
}

fn returned(attempt: &str) -> serde_json::Value {
    json!({"type": "pay:challenge-returned", "paymentId": PAYMENT_ID, "attemptId": attempt})
}

#[wasm_bindgen_test]
async fn the_challenge_is_a_titled_iframe_with_focus_in_it_and_cancel_lets_the_buyer_retry() {
    configure(PAY);
    let leaks = Leaks::watch();
    let fake = Fake::new();
    let (run, attempt) = reach_challenge(&fake).await;

    let frame = find("iframe").expect("the challenge's iframe");
    assert_eq!(frame.get_attribute("title").as_deref(), Some("Card authentication"));
    // A path on the Pay server, resolved against the base URL.
    assert_eq!(
        frame.get_attribute("src"),
        Some(format!("{PAY}{}", challenge_path(&attempt)))
    );
    assert!(!text(".note").is_empty());
    assert!(
        active().is_some_and(|a| a.is_same_node(Some(&frame))),
        "focus is not in the iframe"
    );
    assert!(find("form").is_none(), "the card form is not parked");

    // The trap cycles close → iframe → Cancel → close: Cancel is reachable by keyboard.
    press("Tab", false).await;
    assert_eq!(active().unwrap().text_content().as_deref(), Some("Cancel"));
    press("Tab", false).await;
    assert!(active().unwrap().class_list().contains("close"));
    press("Tab", false).await;
    assert!(active().is_some_and(|a| a.is_same_node(Some(&frame))));
    assert_eq!(leaks.intervals(), 1.0);
    assert_eq!(leaks.message_listeners(), 1.0);

    click("[data-action=cancel]").await;
    wait_step("Card details").await;
    assert_eq!(
        fake.urls().last().unwrap(),
        &format!("{PAY}/pay/v1/checkout/{PAYMENT_ID}/attempts/{attempt}/abandon")
    );
    let alert = text("[role=alert]");
    assert!(
        alert.starts_with("Your card’s authentication did not succeed.")
            && alert.ends_with("Check your details or use another card, then try again."),
        "{alert}"
    );
    assert!(find("iframe").is_none());
    // The step is gone with its timer and listener; the card form is back as it was typed.
    assert_eq!((leaks.intervals(), leaks.message_listeners()), (0.0, 0.0));
    assert_eq!(input("cardNumber").value(), CHALLENGE_CARD);
    assert!(!find("button.pay").unwrap().has_attribute("disabled"));

    assert_eq!(retry_and_finish(run).await["status"], "Successful");
    let attempts = fake.attempts();
    assert_eq!(attempts.len(), 2);
    assert_ne!(attempts[0].attempt_id, attempts[1].attempt_id);
    leaks.assert_none_left();
    configure("");
}

#[wasm_bindgen_test]
async fn only_the_return_message_of_this_attempt_from_the_pay_origin_asks_for_the_result() {
    configure(PAY);
    let fake = Fake::new();
    let (run, attempt) = reach_challenge(&fake).await;
    fake.finish("Successful", None);

    // `tick`s are microtasks: the 2 s poll timer cannot fire while they run, so only a
    // message can make the popup ask for the result here.
    let page = js("return location.origin").as_string().unwrap();
    let mut wrong_payment = returned(&attempt);
    wrong_payment["paymentId"] = json!("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    for (origin, data) in [
        ("https://evil.example", returned(&attempt)),
        (page.as_str(), returned(&attempt)),
        (PAY, returned("att_someoneelse00000000000000000000")),
        (PAY, wrong_payment),
        (
            PAY,
            json!({"type": "something-else", "paymentId": PAYMENT_ID, "attemptId": attempt}),
        ),
        (PAY, json!("pay:challenge-returned")),
    ] {
        post_message(origin, data);
        let_ui_react().await;
        assert_eq!(fake.result_requests(), 0, "asked after a message from {origin}");
        assert_eq!(text("#pay-step-title"), "Card authentication");
    }

    post_message(PAY, returned(&attempt));
    wait_step("Thank you!").await;
    assert_eq!(fake.result_requests(), 1);
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Successful");
    assert_eq!(result["transactionId"], "txn_2");
    configure("");
}

#[wasm_bindgen_test]
async fn with_the_default_base_url_the_message_must_come_from_the_page_origin() {
    let fake = Fake::new();
    let (run, attempt) = reach_challenge(&fake).await;
    assert_eq!(
        find("iframe").unwrap().get_attribute("src"),
        Some(challenge_path(&attempt))
    );
    fake.finish("Failed", Some("card_declined"));
    post_message(PAY, returned(&attempt));
    let_ui_react().await;
    assert_eq!(fake.result_requests(), 0);
    let page = js("return location.origin").as_string().unwrap();
    post_message(&page, returned(&attempt));
    wait_step("Card details").await;
    assert!(text("[role=alert]").starts_with("Your card was declined."));
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Failed");
}

#[wasm_bindgen_test]
async fn polling_alone_finishes_the_challenge() {
    let leaks = Leaks::watch();
    let fake = Fake::new();
    let (run, _) = reach_challenge(&fake).await;
    // Still open at the first poll: the step stays.
    sleep(2300).await;
    assert_eq!(fake.result_requests(), 1);
    assert_eq!(text("#pay-step-title"), "Card authentication");
    fake.finish("Successful", None);
    wait_step_within("Thank you!", 3000).await;
    assert_eq!(fake.result_requests(), 2);
    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
    leaks.assert_none_left();
}

#[wasm_bindgen_test]
async fn closing_during_the_challenge_abandons_it_and_resolves_failed() {
    let leaks = Leaks::watch();
    let fake = Fake::new();
    let (run, attempt) = reach_challenge(&fake).await;
    press("Escape", false).await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Failed");
    assert_eq!(result["transactionId"], "txn_2");
    assert_eq!(result["userInfo"]["email"], "ada@example.com");
    assert!(fake
        .urls()
        .last()
        .unwrap()
        .ends_with(&format!("/attempts/{attempt}/abandon")));
    leaks.assert_none_left();
    // No poll after the Promise settled.
    let asked = fake.urls().len();
    sleep(2300).await;
    assert_eq!(fake.urls().len(), asked);
}

#[wasm_bindgen_test]
async fn a_challenge_finished_before_the_close_resolves_with_its_outcome() {
    let fake = Fake::new();
    let (run, _) = reach_challenge(&fake).await;
    fake.finish("Successful", None);
    click("button.close").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Successful");
    assert_eq!(result["transactionId"], "txn_2");
}

#[wasm_bindgen_test]
async fn the_processing_screen_says_not_to_pay_again_and_polls_to_the_outcome() {
    let leaks = Leaks::watch();
    let fake = Fake::new();
    let run = reach_processing(&fake).await;
    let status = find("[role=status]").unwrap();
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        status.text_content().unwrap(),
        "Your payment is being confirmed with the card provider. Do not pay again."
    );
    assert!(find("iframe").is_none() && find("form").is_none());
    assert!(active().is_some_and(|a| a.id() == "pay-step-title"));

    sleep(2300).await;
    assert_eq!(fake.result_requests(), 1);
    assert_eq!(text("#pay-step-title"), "Processing your payment…");
    fake.finish("Failed", Some("insufficient_funds"));
    wait_step_within("Card details", 3000).await;
    assert!(text("[role=alert]").starts_with("Your card has insufficient funds."));
    assert_eq!(text("[role=status]"), "");
    assert_eq!((leaks.intervals(), leaks.message_listeners()), (0.0, 0.0));

    assert_eq!(retry_and_finish(run).await["status"], "Successful");
    leaks.assert_none_left();
}

#[wasm_bindgen_test]
async fn closing_during_processing_resolves_pending_without_a_transaction() {
    let leaks = Leaks::watch();
    let fake = Fake::new();
    let run = reach_processing(&fake).await;
    click("button.close").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Pending");
    assert_eq!(result["transactionId"], json!(null));
    assert_eq!(result["payment"]["id"], PAYMENT_ID);
    assert!(!fake.urls().iter().any(|u| u.ends_with("/abandon")));
    leaks.assert_none_left();
}

#[wasm_bindgen_test]
async fn closing_during_a_challenge_without_an_answer_to_abandon_resolves_pending() {
    let fake = Fake::new();
    let (run, _) = reach_challenge(&fake).await;
    fake.script(Reply::Network);
    click("button.close").await;
    let result = settle(run).await.unwrap();
    // Nobody knows whether the challenge was given up: the webhook tells.
    assert_eq!(result["status"], "Pending");
    assert_eq!(result["transactionId"], json!(null));
    assert!(fake.urls().last().unwrap().ends_with("/abandon"));
}

#[wasm_bindgen_test]
async fn a_cancel_without_an_answer_stays_on_the_challenge_and_can_be_pressed_again() {
    let fake = Fake::new();
    let (run, _) = reach_challenge(&fake).await;
    fake.script(Reply::Network);
    click("[data-action=cancel]").await;
    assert_eq!(text("#pay-step-title"), "Card authentication");
    assert!(find("iframe").is_some());
    click("[data-action=cancel]").await;
    wait_step("Card details").await;
    assert!(text("[role=alert]").starts_with("Your card’s authentication did not succeed."));
    assert_eq!(fake.urls().iter().filter(|u| u.ends_with("/abandon")).count(), 2);
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Failed");
}

/// The attempt's answer with a challenge at `url` (scripted: the Fake's own is a path).
fn challenged(url: &str) -> serde_json::Value {
    json!({"attemptId": "att_scripted0000000000000000000000", "status": "Undefined",
        "transactionId": null, "decline": null, "payment": payment_json(), "userInfo": null,
        "attemptsLeft": 3, "processing": true,
        "challenge": {"url": url, "expiresAt": "2099-01-01T00:00:00Z"}})
}

#[wasm_bindgen_test]
async fn an_absolute_challenge_url_is_loaded_as_it_is_and_another_scheme_not_at_all() {
    for (url, src) in [
        (
            "https://acs.example/3ds?session=1",
            Some("https://acs.example/3ds?session=1"),
        ),
        ("javascript:alert(1)", None),
        ("//evil.example/3ds", None),
    ] {
        let fake = Fake::new();
        let run = start(&fake, en());
        reach_card_step().await;
        fill_card(CHALLENGE_CARD).await;
        fake.script(Reply::Status(200, challenged(url)));
        submit().await;
        wait_step("Card authentication").await;
        assert_eq!(find("iframe").unwrap().get_attribute("src").as_deref(), src, "{url}");
        let mut failed = challenged(url);
        failed["status"] = json!("Failed");
        failed["processing"] = json!(false);
        failed["challenge"] = json!(null);
        failed["decline"] = json!({"code": "authentication_failed", "message": "declined"});
        fake.script(Reply::Status(200, failed));
        press("Escape", false).await;
        assert_eq!(settle(run).await.unwrap()["status"], "Failed");
    }
}

#[wasm_bindgen_test]
async fn a_payment_whose_attempt_is_still_processing_resolves_pending_at_once() {
    let fake = Fake::new();
    fake.set_view("payable", json!(false));
    let result = settle(start(&fake, en())).await.unwrap();
    assert_eq!(result["status"], "Pending");
    assert_eq!(result["transactionId"], json!(null));
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn a_challenge_that_comes_after_the_processing_screen_is_shown() {
    let fake = Fake::new();
    let run = reach_processing(&fake).await;
    let attempt = fake.attempts()[0].attempt_id.clone();
    fake.challenge_now();
    wait_step_within("Card authentication", 3000).await;
    assert_eq!(
        find("iframe").unwrap().get_attribute("src"),
        Some(challenge_path(&attempt))
    );
    assert_eq!(text("[role=status]"), "");
    click("[data-action=cancel]").await;
    wait_step("Card details").await;
    assert!(text("[role=alert]").starts_with("Your card’s authentication did not succeed."));
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Failed");
}

#[wasm_bindgen_test]
async fn a_slow_result_does_not_pile_up_polls_behind_it() {
    let fake = Fake::new();
    let (run, _) = reach_challenge(&fake).await;
    let (slow, answer) = gate();
    *fake.result_gate.borrow_mut() = Some(slow);
    // The first poll (at 2 s) waits; the timer fires twice more meanwhile.
    sleep(6500).await;
    assert_eq!(fake.result_requests(), 1);
    *fake.result_gate.borrow_mut() = None;
    answer.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let_ui_react().await;
    // One more request for both ticks, not two.
    assert_eq!(fake.result_requests(), 2);
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Failed");
}
