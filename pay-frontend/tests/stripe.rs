//! Stripe's card fields (`cardFields.kind = "stripe"`, issue 25), against a small fake of
//! Stripe.js installed as `window.Stripe` (or loaded as a script from a `blob:` URL) and the
//! scripted checkout API: the Card Element mounted in a light-DOM node slotted into the popup,
//! the attempt with `paymentMethod` and no card, Stripe's errors, 3-D Secure by
//! `handleNextAction` then `POST …/complete`, the focus trap, cleanup, and Stripe.js loaded
//! once (or not at all).

mod support;

use serde_json::{json, Value};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The fake: every call recorded in `window.__fake` (fresh for each test); its methods look
/// the record up when called, so an instance the SDK cached in an earlier test still reports
/// to this one. Like Stripe.js, `mount` refuses a node inside a shadow root.
const FAKE_STRIPE: &str = r#"
    window.__fakeStripeFactory = window.__fakeStripeFactory || function (key, options) {
        window.__fake.instances.push({ key, options });
        return {
            elements(elementsOptions) {
                window.__fake.elementsOptions = elementsOptions;
                return {
                    create(kind, createOptions) {
                        const F = window.__fake, handlers = {};
                        F.created.push({ kind, options: createOptions });
                        const card = {
                            mount(el) {
                                if (el.getRootNode() !== document) {
                                    throw new Error("Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
                                }
                                const frame = document.createElement("iframe");
                                frame.title = "Secure card payment input frame";
                                el.appendChild(frame);
                                F.mountedIn = el;
                                F.frame = frame;
                                Promise.resolve().then(() => handlers.ready && handlers.ready({ elementType: "card" }));
                            },
                            on(type, handler) { handlers[type] = handler; return card; },
                            focus() { window.__fake.focused++; },
                            destroy() { window.__fake.destroyed++; if (F.frame) F.frame.remove(); },
                        };
                        F.card = card;
                        F.handlers = handlers;
                        return card;
                    },
                };
            },
            createPaymentMethod(data) {
                window.__fake.paymentMethods.push(data);
                return Promise.resolve(window.__fake.paymentMethodResult);
            },
            handleNextAction(options) {
                window.__fake.nextActions.push(options);
                return new Promise((resolve) => { window.__fake.finishNextAction = resolve; });
            },
        };
    };
    window.__fake = { instances: [], created: [], paymentMethods: [], nextActions: [], focused: 0,
        destroyed: 0, paymentMethodResult: { paymentMethod: { id: "pm_test_1" } } };
    window.Stripe = window.__fakeStripeFactory;
"#;

fn install_fake() {
    js(FAKE_STRIPE);
}

/// `window.__fake[path]` as JSON.
fn fake_state(path: &str) -> Value {
    let text = js(&format!("return JSON.stringify(window.__fake.{path}) ?? 'null'"));
    serde_json::from_str(&text.as_string().unwrap()).unwrap()
}

/// The checkout view's card fields: Stripe's, with this key (one per test: the SDK keeps a
/// Stripe.js instance per key for the page's life).
fn stripe_view(fake: &Fake, key: &str, js_url: &str) {
    fake.set_view(
        "cardFields",
        json!({"kind": "stripe", "publishableKey": key, "jsUrl": js_url}),
    );
}

fn en() -> JsValue {
    opts(json!({"locale": "en", "theme": {"textColor": "#123456"}}))
}

/// Waits (in real time: a script may load meanwhile) until the fake's Card Element is
/// mounted.
async fn wait_mounted() {
    for _ in 0..300 {
        if js("return !!(window.__fake && window.__fake.mountedIn && window.__fake.focused)")
            .as_bool()
            .unwrap()
        {
            return;
        }
        sleep(10).await;
    }
    panic!("the Card Element was never mounted");
}

/// The popup on the card step with the Element mounted.
async fn reach_stripe_card(fake: &std::rc::Rc<Fake>) -> js_sys::Promise {
    let run = start(fake, en());
    reach_card_step().await;
    wait_mounted().await;
    run
}

/// The Element's `change` event, as Stripe.js sends it.
async fn change(event: Value) {
    js(&format!("window.__fake.handlers.change({event})"));
    let_ui_react().await;
}

async fn wait_until(condition: &str) {
    for _ in 0..500 {
        if js(&format!("return !!({condition})")).as_bool().unwrap() {
            return;
        }
        tick().await;
    }
    panic!("never true: {condition}");
}

fn mounted_in() -> Element {
    js("return window.__fake.mountedIn").unchecked_into()
}

#[wasm_bindgen_test]
async fn the_element_is_mounted_in_a_light_dom_node_slotted_into_the_popup_and_goes_with_it() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_mount", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;

    // A light-DOM child of the host, not a node of the shadow root, shown by the step's slot.
    let node = mounted_in();
    let popup_host = host().unwrap();
    assert!(node.parent_element().is_some_and(|p| p.is_same_node(Some(&popup_host))));
    assert_eq!(node.get_attribute("slot").as_deref(), Some("pay-card"));
    assert!(!root().contains(Some(&node)));
    assert!(find("form slot[name=pay-card]").is_some());
    assert!(
        js(
            "const h = document.querySelector('[data-pay-popup]');\
            return h.shadowRoot.querySelector('slot[name=pay-card]').assignedElements()[0] === window.__fake.mountedIn"
        )
        .as_bool()
        .unwrap(),
        "the node is not assigned to the card step's slot"
    );
    assert!(find("input[name=cardNumber]").is_none(), "Pay's own form is not shown");

    // Once per key, in the popup's language and theme: the Card Element, no postal code.
    assert_eq!(
        fake_state("instances"),
        json!([{"key": "pk_test_mount", "options": {"locale": "en"}}])
    );
    assert_eq!(fake_state("elementsOptions"), json!({"locale": "en"}));
    let created = fake_state("created");
    assert_eq!(created[0]["kind"], "card");
    let options = &created[0]["options"];
    assert_eq!(options["hidePostalCode"], true);
    assert_eq!(options["style"]["base"]["color"], "#123456");
    assert_eq!(options["style"]["base"]["fontSize"], "15px");
    assert!(options["style"]["base"]["fontFamily"]
        .as_str()
        .unwrap()
        .contains("system-ui"));
    assert!(options["style"]["base"]["::placeholder"]["color"].is_string());
    assert_eq!(options["style"]["invalid"]["color"], "#b00020");
    // Focused when ready.
    assert_eq!(fake_state("focused"), json!(1));

    // Focus in Stripe's iframe (slotted light DOM) is inside the dialog: the trap leaves it.
    let frame: HtmlElement = js("return window.__fake.frame").unchecked_into();
    frame.focus().unwrap();
    let_ui_react().await;
    assert!(document()
        .active_element()
        .is_some_and(|a| a.is_same_node(Some(&frame))));
    // Focus on the page still comes back.
    let outside: HtmlElement = document().create_element("button").unwrap().unchecked_into();
    document().body().unwrap().append_child(&outside).unwrap();
    outside.focus().unwrap();
    let_ui_react().await;
    assert!(active().is_some_and(|a| a.class_list().contains("close")));
    outside.remove();

    click("button.close").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Cancelled");
    assert_eq!(fake_state("destroyed"), json!(1));
    assert!(
        !document().contains(Some(&node)),
        "the Element's node is left in the page"
    );
    assert!(host().is_none());
}

#[wasm_bindgen_test]
async fn the_attempt_carries_the_payment_method_and_no_card() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_pay", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    submit().await;
    wait_step("Thank you!").await;

    let made = fake_state("paymentMethods");
    assert_eq!(made.as_array().unwrap().len(), 1);
    assert_eq!(made[0]["type"], "card");
    assert!(js("return window.__fake.paymentMethods[0].card === window.__fake.card")
        .as_bool()
        .unwrap());
    assert_eq!(
        made[0]["billing_details"],
        json!({"name": "Ada Lovelace", "email": "ada@example.com", "address": {"country": "GB"}})
    );
    let attempts = fake.attempts();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].payment_method.as_deref(), Some("pm_test_1"));
    assert_eq!(attempts[0].card, None);
    let body: Value = serde_json::from_str(
        fake.requests
            .borrow()
            .iter()
            .find(|r| r.url.ends_with("/attempts"))
            .unwrap()
            .body
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["paymentMethod"], "pm_test_1");
    assert!(body["card"].is_null(), "{body}");

    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
    assert_eq!(fake_state("destroyed"), json!(1));
}

#[wasm_bindgen_test]
async fn stripe_errors_show_in_the_popup_and_send_no_attempt() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_errors", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    let error_line = find("#pay-card-error").unwrap();
    assert_eq!(error_line.get_attribute("aria-live").as_deref(), Some("polite"));

    // Not complete: the Element's message under the field, and Pay refuses.
    change(json!({"elementType": "card", "empty": false, "complete": false,
        "error": {"type": "validation_error", "code": "incomplete_number",
                  "message": "Your card number is incomplete."}}))
    .await;
    assert_eq!(text("#pay-card-error"), "Your card number is incomplete.");
    submit().await;
    assert_eq!(fake_state("paymentMethods"), json!([]));
    // An empty Element: Pay's own message.
    change(json!({"elementType": "card", "empty": true, "complete": false})).await;
    assert_eq!(text("#pay-card-error"), "");
    submit().await;
    assert_eq!(text("#pay-card-error"), "This field is required.");
    assert_eq!(fake_state("paymentMethods"), json!([]));

    // createPaymentMethod's validation error: Stripe's message on the field.
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    assert_eq!(text("#pay-card-error"), "");
    js("window.__fake.paymentMethodResult = {error: {type: 'validation_error', code: 'invalid_number', message: 'Your card number is invalid.'}}");
    submit().await;
    assert_eq!(text("#pay-card-error"), "Your card number is invalid.");
    // Any other error in Pay's words, not Stripe's.
    js("window.__fake.paymentMethodResult = {error: {type: 'api_connection_error', message: 'Stripe says: no network'}}");
    submit().await;
    assert_eq!(
        text("[role=alert]"),
        "The payment service could not be reached. Check your connection and try again."
    );
    js("window.__fake.paymentMethodResult = {error: {type: 'invalid_request_error', code: 'x', message: 'Stripe internals'}}");
    submit().await;
    assert_eq!(text("[role=alert]"), "Something went wrong. Try again.");
    assert_eq!(fake_state("paymentMethods").as_array().unwrap().len(), 3);
    assert!(fake.attempts().is_empty(), "an attempt was sent");
    assert!(!find("button.pay").unwrap().has_attribute("disabled"));

    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
}

#[wasm_bindgen_test]
async fn a_network_error_resends_the_same_payment_method_with_the_same_attempt_id() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_replay", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    fake.script(Reply::Network);
    submit().await;
    js("window.__fake.paymentMethodResult = {paymentMethod: {id: 'pm_test_2'}}");
    submit().await;
    wait_step("Thank you!").await;
    let attempts = fake.attempts();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].attempt_id, attempts[1].attempt_id);
    assert_eq!(attempts[1].payment_method.as_deref(), Some("pm_test_1"));
    assert_eq!(fake_state("paymentMethods").as_array().unwrap().len(), 1);
    click("[data-action=done]").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
}

#[wasm_bindgen_test]
async fn three_d_secure_runs_in_stripe_js_then_the_attempt_is_completed() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_3ds", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    js("window.__fake.paymentMethodResult = {paymentMethod: {id: 'pm_3ds'}}");
    submit().await;
    wait_until("window.__fake.nextActions.length === 1").await;
    assert_eq!(
        fake_state("nextActions"),
        json!([{ "clientSecret": STRIPE_CLIENT_SECRET }])
    );
    // The processing screen meanwhile, no iframe of Pay's own.
    assert_eq!(text("#pay-step-title"), "Processing your payment…");
    assert!(find("iframe").is_none());

    // Stripe's modal (outside the popup) may have focus while it is open.
    let modal: HtmlElement = document().create_element("button").unwrap().unchecked_into();
    document().body().unwrap().append_child(&modal).unwrap();
    modal.focus().unwrap();
    let_ui_react().await;
    assert!(document()
        .active_element()
        .is_some_and(|a| a.is_same_node(Some(&modal))));
    assert!(!fake.urls().iter().any(|u| u.ends_with("/complete")));

    // Done in Stripe.js: Pay is asked for the outcome, whatever Stripe.js answered.
    fake.finish("Successful", None);
    js("window.__fake.finishNextAction({error: {type: 'card_error', message: 'ignored'}})");
    modal.remove();
    wait_step("Thank you!").await;
    let attempt = fake.attempts()[0].attempt_id.clone();
    assert!(fake
        .requests
        .borrow()
        .iter()
        .any(|r| r.method == pay_frontend::testing::HttpMethod::Post
            && r.url == format!("/pay/v1/checkout/{PAYMENT_ID}/attempts/{attempt}/complete")
            && r.body.as_deref() == Some("{}")));
    // Focus is back in the popup.
    assert!(active().is_some());
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Successful");
}

#[wasm_bindgen_test]
async fn a_failed_stripe_js_challenge_shows_the_popup_s_own_decline() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_3ds_failed", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    js("window.__fake.paymentMethodResult = {paymentMethod: {id: 'pm_3ds'}}");
    submit().await;
    wait_until("window.__fake.nextActions.length === 1").await;
    fake.finish("Failed", Some("authentication_failed"));
    js("window.__fake.finishNextAction({paymentIntent: {status: 'requires_payment_method'}})");
    wait_step("Card details").await;
    assert!(text("[role=alert]").starts_with("Your card’s authentication did not succeed."));
    // The Element is back in the step (the same one, not mounted again).
    assert!(find("form slot[name=pay-card]").is_some());
    assert_eq!(fake_state("created").as_array().unwrap().len(), 1);
    press("Escape", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Failed");
}

#[wasm_bindgen_test]
async fn closing_during_stripe_js_s_challenge_abandons_it() {
    install_fake();
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_3ds_close", "https://js.stripe.com/v3/");
    let run = reach_stripe_card(&fake).await;
    change(json!({"elementType": "card", "empty": false, "complete": true})).await;
    js("window.__fake.paymentMethodResult = {paymentMethod: {id: 'pm_3ds'}}");
    submit().await;
    wait_until("window.__fake.nextActions.length === 1").await;
    click("button.close").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["status"], "Failed");
    assert!(fake.urls().last().unwrap().ends_with("/abandon"));
    assert_eq!(fake_state("destroyed"), json!(1));
}

/// A `blob:` URL of a script that counts its loads and defines the fake as `window.Stripe`.
fn script_url() -> String {
    js("const src = 'window.__stripeLoads = (window.__stripeLoads || 0) + 1; window.Stripe = window.__fakeStripeFactory;';\
        return URL.createObjectURL(new Blob([src], {type: 'text/javascript'}))")
    .as_string()
    .unwrap()
}

fn scripts_with(src: &str) -> f64 {
    js(&format!(
        "return document.head.querySelectorAll('script[src=\"{src}\"]').length"
    ))
    .as_f64()
    .unwrap()
}

#[wasm_bindgen_test]
async fn stripe_js_is_added_once_for_two_payments_in_a_row() {
    install_fake();
    js("delete window.Stripe; window.__stripeLoads = 0");
    let url = script_url();
    for _ in 0..2 {
        let fake = Fake::new();
        stripe_view(&fake, "pk_test_script", &url);
        let run = reach_stripe_card(&fake).await;
        assert_eq!(scripts_with(&url), 1.0);
        click("button.close").await;
        assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
        js("window.__fake.mountedIn = null");
    }
    assert_eq!(js("return window.__stripeLoads").as_f64(), Some(1.0));
    // `Stripe(key)` once for the page.
    assert_eq!(fake_state("instances").as_array().unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn a_stripe_js_that_does_not_load_shows_an_error_and_is_tried_again_next_time() {
    install_fake();
    js("delete window.Stripe");
    let url = script_url();
    js(&format!("URL.revokeObjectURL('{url}')"));
    let fake = Fake::new();
    stripe_view(&fake, "pk_test_unloadable", &url);
    let run = start(&fake, en());
    reach_card_step().await;
    for _ in 0..500 {
        if !text("[role=alert]").is_empty() {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(
        text("[role=alert]"),
        "The payment service could not be reached. Check your connection and try again."
    );
    assert!(find("button.pay").unwrap().has_attribute("disabled"));
    // The failed script is gone, so that the next payment adds it again.
    assert_eq!(scripts_with(&url), 0.0);
    submit().await;
    assert!(fake.attempts().is_empty());
    click("button.close").await;
    assert_eq!(settle(run).await.unwrap()["status"], "Cancelled");
    assert!(host().is_none());
    js("window.Stripe = window.__fakeStripeFactory");
}
