//! Each `PaymentOptions` field: skipUserInfoPage, userInfo (deprecated), allowManualPayment,
//! termsAndConditionsLink, showThankYouPage, locale (with right-to-left), theme.

mod support;

use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn server_user_info() -> serde_json::Value {
    json!({"firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com",
           "phone": null, "country": "USA"})
}

#[wasm_bindgen_test]
async fn skip_user_info_page_is_honoured_when_the_payment_has_user_info() {
    let fake = Fake::new();
    fake.set_view("userInfo", server_user_info());
    let run = start(&fake, opts(json!({"locale": "en", "skipUserInfoPage": true})));
    wait_step("Card details").await;
    assert!(find("[data-action=back]").is_none());
    fill_card("4242424242424242").await;
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["userInfo"]["email"], "grace@example.com");
    let sent = fake.attempts()[0].user_info.clone().unwrap();
    assert_eq!(sent.first_name.as_deref(), Some("Grace"));
    assert_eq!(sent.country.as_deref(), Some("USA"));
}

#[wasm_bindgen_test]
async fn skip_user_info_page_is_ignored_without_user_info() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({"locale": "en", "skipUserInfoPage": true})));
    wait_step("Contact details").await;
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_contact_step_is_prefilled_and_options_user_info_warns() {
    let warnings = js("window.__payWarnings = []; const w = console.warn; \
        console.warn = (...a) => { window.__payWarnings.push(String(a[0])); }; \
        window.__payRestoreWarn = () => { console.warn = w; }; return null;");
    let _ = warnings;
    let fake = Fake::new();
    fake.set_view(
        "userInfo",
        json!({"firstName": "Grace", "lastName": null, "email": null,
        "phone": null, "country": null}),
    );
    let run = start(
        &fake,
        opts(
            json!({"locale": "en", "userInfo": {"lastName": "Hopper", "firstName": "Ignored",
            "countryCode": "USA"}}),
        ),
    );
    wait_step("Contact details").await;
    assert_eq!(input("firstName").value(), "Grace");
    assert_eq!(input("lastName").value(), "Hopper");
    assert_eq!(input("country").value(), "USA");
    let warned = js("const w = window.__payWarnings; window.__payRestoreWarn(); return w.join('|');");
    assert!(warned.as_string().unwrap().contains("deprecated"), "{warned:?}");
    click("button.close").await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn offline_is_offered_only_when_allowed_and_enabled() {
    // Allowed and enabled: a method step, and "pay later" resolves Offline.
    let fake = Fake::new();
    fake.set_view("methods", json!(["card", "offline"]));
    let run = start(&fake, opts(json!({"locale": "en", "allowManualPayment": true})));
    wait_step("Contact details").await;
    fill_contact().await;
    submit().await;
    wait_step("Payment method").await;
    assert_eq!(text("[data-action=card]"), "Credit or debit card");
    click("[data-action=offline]").await;
    wait_step("Pay later (offline)").await;
    click("[data-action=back]").await;
    wait_step("Payment method").await;
    click("[data-action=offline]").await;
    wait_step("Pay later (offline)").await;
    submit().await;
    wait_step("Thank you!").await;
    assert_eq!(text(".note"), "Your order is placed. Pay as agreed with the seller.");
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Offline");
    assert_eq!(fake.attempts()[0].method, pay_types::PaymentMethod::Offline);
    assert!(fake.attempts()[0].card.is_none());

    // Enabled on the server but not allowed by the page, and the reverse: card only.
    for (methods, allow) in [(json!(["card", "offline"]), false), (json!(["card"]), true)] {
        let fake = Fake::new();
        fake.set_view("methods", methods);
        let run = start(&fake, opts(json!({"locale": "en", "allowManualPayment": allow})));
        reach_card_step().await;
        press("Escape", false).await;
        settle(run).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn terms_must_be_accepted_before_paying() {
    let fake = Fake::new();
    let link = "https://shop.example/terms?x=1";
    let run = start(&fake, opts(json!({"locale": "en", "termsAndConditionsLink": link})));
    reach_card_step().await;
    let a = find(".terms a").unwrap();
    assert_eq!(a.get_attribute("href").as_deref(), Some(link));
    assert_eq!(a.text_content().as_deref(), Some("terms and conditions"));
    assert_eq!(text(".terms label"), "I agree to the ");
    fill_card("4242424242424242").await;
    submit().await;
    assert_eq!(text("#pay-terms-error"), "Accept the terms and conditions to continue.");
    assert_eq!(active().unwrap().id(), "pay-terms");
    assert!(fake.attempts().is_empty());
    click("#pay-terms").await;
    // Checking the box clears its error at once, before the next submit.
    assert_eq!(text("#pay-terms-error"), "");
    assert!(find("#pay-terms[aria-invalid]").is_none());
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
}

#[wasm_bindgen_test]
async fn without_the_thank_you_page_the_popup_closes_at_once() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({"locale": "en", "showThankYouPage": false})));
    reach_card_step().await;
    fill_card("4242424242424242").await;
    submit().await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Successful");
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn hebrew_is_right_to_left_and_french_formats_money_the_french_way() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({"locale": "he-IL"})));
    wait_step("פרטי התקשרות").await;
    let dialog = find("[role=dialog]").unwrap();
    assert_eq!(dialog.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(dialog.get_attribute("lang").as_deref(), Some("he"));
    assert_eq!(text("#pay-title"), "תשלום");
    assert_eq!(
        find("button.close").unwrap().get_attribute("aria-label").as_deref(),
        Some("סגירה")
    );
    press("Escape", false).await;
    settle(run).await.unwrap();

    let run = start(&fake, opts(json!({"locale": "fr-FR"})));
    wait_step("Coordonnées").await;
    let dialog = find("[role=dialog]").unwrap();
    assert_eq!(dialog.get_attribute("dir").as_deref(), Some("ltr"));
    // fr-FR: "20,00 $US" with narrow no-break spaces.
    let total = text(".total-amount");
    assert!(total.starts_with("20,00") && total.contains("$"), "{total}");
    press("Escape", false).await;
    settle(run).await.unwrap();

    // An unsupported language falls back to English.
    let run = start(&fake, opts(json!({"locale": "de-DE"})));
    wait_step("Contact details").await;
    assert_eq!(text(".total-amount"), "$20.00");
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_locale_defaults_to_the_browser_language() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({})));
    wait_step("Contact details").await; // headless Chromium is en-US
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_theme_sets_css_custom_properties_without_style_elements() {
    let fake = Fake::new();
    let run = start(
        &fake,
        opts(json!({"locale": "en", "theme": {"accentColor": "#0a7", "borderRadius": "4px"}})),
    );
    wait_step("Contact details").await;
    let style = js("return document.querySelector('[data-pay-popup]').style.getPropertyValue('--pay-accent');");
    assert_eq!(style.as_string().unwrap().trim(), "#0a7");
    let sheets = js("return document.querySelector('[data-pay-popup]').shadowRoot.adoptedStyleSheets.length;");
    assert_eq!(sheets.as_f64(), Some(1.0));
    assert!(find("style").is_none());
    assert!(find("[style]").is_none());
    press("Escape", false).await;
    settle(run).await.unwrap();
}
