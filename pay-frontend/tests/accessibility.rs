//! The dialog's semantics, the focus trap and return, keyboard-only completion, merchant
//! strings as text (XSS), and that nothing is left behind after the Promise settles.

mod support;

use serde_json::json;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn en() -> wasm_bindgen::JsValue {
    opts(json!({"locale": "en"}))
}

#[wasm_bindgen_test]
async fn the_dialog_is_labelled_and_every_input_has_a_label_and_an_error_slot() {
    let fake = Fake::new();
    let run = start(&fake, en());
    wait_step("Contact details").await;
    let dialog = find("[role=dialog]").unwrap();
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert_eq!(text(&format!("#{title_id}")), "Checkout");
    let root = root();
    let inputs = root.query_selector_all("input, select").unwrap();
    assert_eq!(inputs.length(), 5);
    assert!(root.query_selector("select#pay-country").unwrap().is_some());
    for i in 0..inputs.length() {
        let input: web_sys::Element = inputs.get(i).unwrap().unchecked_into();
        let id = input.id();
        let label = root.query_selector(&format!("label[for={id}]")).unwrap();
        assert!(label.is_some_and(|l| !l.text_content().unwrap().is_empty()), "{id}");
        let described = input.get_attribute("aria-describedby").unwrap();
        let error = root.get_element_by_id(&described).unwrap();
        assert_eq!(error.get_attribute("aria-live").as_deref(), Some("polite"));
    }
    assert_eq!(
        find("button.close").unwrap().get_attribute("aria-label").as_deref(),
        Some("Close")
    );
    assert!(find("section.summary[aria-label='Order summary']").is_some());
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn focus_moves_in_is_trapped_and_returns() {
    let opener = document().create_element("button").unwrap();
    opener.set_text_content(Some("Buy"));
    document().body().unwrap().append_child(&opener).unwrap();
    opener.unchecked_ref::<web_sys::HtmlElement>().focus().unwrap();

    let fake = Fake::new();
    let run = start(&fake, en());
    wait_step("Contact details").await;
    assert_eq!(active().unwrap().get_attribute("name").as_deref(), Some("firstName"));
    // Tab order: close, 5 inputs, Continue; it wraps both ways.
    press("Tab", true).await;
    assert!(active().unwrap().class_list().contains("close"));
    press("Tab", true).await;
    assert_eq!(active().unwrap().text_content().as_deref(), Some("Continue"));
    press("Tab", false).await;
    assert!(active().unwrap().class_list().contains("close"));
    press("Tab", false).await;
    assert_eq!(active().unwrap().get_attribute("name").as_deref(), Some("firstName"));

    // Focus that escapes to the page comes back into the dialog.
    opener.unchecked_ref::<web_sys::HtmlElement>().focus().unwrap();
    let_ui_react().await;
    assert!(active().is_some_and(|a| a.class_list().contains("close")));

    press("Escape", false).await;
    settle(run).await.unwrap();
    let focused = document().active_element().unwrap();
    assert!(focused.is_same_node(Some(&opener)));
    opener.remove();
}

/// Types into the focused field, as a keyboard does.
async fn type_here(value: &str) {
    let name = active().unwrap().get_attribute("name").unwrap();
    type_into(&name, value).await;
}

#[wasm_bindgen_test]
async fn a_payment_can_be_completed_with_the_keyboard_only() {
    let fake = Fake::new();
    let run = start(
        &fake,
        opts(json!({"locale": "en", "termsAndConditionsLink": "https://shop.example/t"})),
    );
    wait_step("Contact details").await;
    type_here("Ada").await;
    press("Tab", false).await;
    type_here("Lovelace").await;
    press("Tab", false).await;
    type_here("ada@example.com").await;
    press("Enter", false).await; // submits from a text field
    wait_step("Card details").await;
    assert_eq!(active().unwrap().get_attribute("name").as_deref(), Some("cardNumber"));
    type_here("4242 4242 4242 4242").await;
    press("Tab", false).await;
    type_here("12/39").await;
    press("Tab", false).await;
    type_here("123").await;
    press("Tab", false).await;
    assert_eq!(active().unwrap().id(), "pay-terms");
    // Space on a focused checkbox toggles it (the browser's own action).
    active().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    press("Tab", false).await; // the terms link
    press("Tab", false).await; // Back
    press("Tab", false).await; // Pay
    assert!(active().unwrap().class_list().contains("pay"));
    press("Enter", false).await;
    wait_step("Thank you!").await;
    assert_eq!(active().unwrap().text_content().as_deref(), Some("Done"));
    press("Enter", false).await;
    assert_eq!(settle(run).await.unwrap()["status"], "Successful");
}

#[wasm_bindgen_test]
async fn merchant_strings_are_text_not_html() {
    let fake = Fake::new();
    let evil = "<img src=x onerror=alert(1)>";
    let mut view = fake.view.borrow().clone();
    view["payment"]["items"][0]["name"] = json!(evil);
    *fake.view.borrow_mut() = view;
    fake.set_view(
        "userInfo",
        json!({"firstName": "<b>Ada</b>", "lastName": null, "email": null, "phone": null, "country": null}),
    );
    let run = start(&fake, en());
    wait_step("Contact details").await;
    assert_eq!(text(".item-name"), evil);
    assert!(find("img").is_none());
    assert!(find("b").is_none());
    assert_eq!(input("firstName").value(), "<b>Ada</b>");
    press("Escape", false).await;
    settle(run).await.unwrap();
}

#[wasm_bindgen_test]
async fn nothing_is_left_behind() {
    // Count listeners added and removed, and timers started, while the popup lives.
    js("const add = EventTarget.prototype.addEventListener, rm = EventTarget.prototype.removeEventListener;\
        const st = window.setTimeout, si = window.setInterval, raf = window.requestAnimationFrame;\
        window.__pay = {added: 0, removed: 0, timers: 0, restore() {\
          EventTarget.prototype.addEventListener = add; EventTarget.prototype.removeEventListener = rm;\
          window.setTimeout = st; window.setInterval = si; window.requestAnimationFrame = raf; }};\
        EventTarget.prototype.addEventListener = function (...a) { window.__pay.added++; return add.apply(this, a); };\
        EventTarget.prototype.removeEventListener = function (...a) { window.__pay.removed++; return rm.apply(this, a); };\
        window.setTimeout = function (...a) { window.__pay.timers++; return st.apply(this, a); };\
        window.setInterval = function (...a) { window.__pay.timers++; return si.apply(this, a); };\
        window.requestAnimationFrame = function (...a) { window.__pay.timers++; return raf.apply(this, a); };\
        return null;");
    let body_children = document().body().unwrap().child_element_count();
    let fake = Fake::new();
    let run = start(&fake, en());
    reach_card_step().await;
    fill_card("4000000000000002").await;
    submit().await;
    fill_card("4242424242424242").await;
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    settle(run).await.unwrap();
    let counts = js("const c = window.__pay; c.restore(); return [c.added, c.removed, c.timers];");
    let counts: Vec<f64> = js_sys::Array::from(&counts)
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();

    assert!(host().is_none());
    assert_eq!(document().body().unwrap().child_element_count(), body_children);
    assert!(counts[0] > 0.0, "{counts:?}");
    assert_eq!(counts[0], counts[1], "listeners added vs removed: {counts:?}");
    assert_eq!(counts[2], 0.0, "timers: {counts:?}");
}
