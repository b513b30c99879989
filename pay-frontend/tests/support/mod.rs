//! Shared by the browser tests: a scripted fake of the checkout API (injected through the
//! SDK's transport trait, so no server is needed) and helpers that drive the popup's DOM.
#![allow(dead_code)]

use js_sys::{Function, Promise};
use pay_frontend::testing::{
    start_payment_with, HttpMethod, HttpRequest, HttpResponse, NetworkError, ResponseFuture, Transport, HOST_ATTRIBUTE,
};
use pay_types::AttemptRequest;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit, ShadowRoot};

pub const PAYMENT_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// A scripted answer that overrides the sandbox emulation for one request.
pub enum Reply {
    Status(u16, Value),
    Raw(u16, &'static str),
    Network,
}

/// The card of a 3-D Secure challenge (SPEC §6): the attempt stays `processing` with a
/// challenge until the test says how the buyer answered ([`Fake::finish`]) or the popup
/// abandons it.
pub const CHALLENGE_CARD: &str = "4000002500003155";
/// The Fake's own card for a provider that did not answer clearly (a timeout): the attempt
/// stays `processing`, without a challenge, until [`Fake::finish`].
pub const TIMEOUT_CARD: &str = "4000000000000119";
/// The Fake's PaymentMethod id (Stripe's card fields) whose attempt needs 3-D Secure by
/// Stripe.js: `processing`, with a challenge that has a client secret and no URL.
pub const STRIPE_3DS_PM: &str = "pm_3ds";
/// The client secret of that challenge.
pub const STRIPE_CLIENT_SECRET: &str = "pi_3ds_secret_1";

/// The checkout API with the sandbox cards of SPEC §6, in memory.
pub struct Fake {
    pub view: RefCell<Value>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub scripted: RefCell<VecDeque<Reply>>,
    /// When set, attempt answers wait for this promise.
    pub gate: RefCell<Option<Promise>>,
    /// When set, `GET …/result` answers wait for this promise.
    pub result_gate: RefCell<Option<Promise>>,
    attempts_left: Cell<u32>,
    latest: RefCell<Option<Value>>,
    serial: Cell<u32>,
}

pub fn payment_json() -> Value {
    json!({
        "id": PAYMENT_ID,
        "amount": 20.00,
        "currency": "USD",
        "items": [
            {"name": "Mug", "price": 9.99, "quantity": 2},
            {"name": "Tea", "price": 0.02, "quantity": 1}
        ]
    })
}

impl Fake {
    pub fn new() -> Rc<Fake> {
        Rc::new(Fake {
            view: RefCell::new(json!({
                "payment": payment_json(),
                "status": "Undefined",
                "transactionId": null,
                "userInfo": null,
                "methods": ["card"],
                "payable": true,
                "attemptsLeft": 3
            })),
            requests: RefCell::default(),
            scripted: RefCell::default(),
            gate: RefCell::default(),
            result_gate: RefCell::default(),
            attempts_left: Cell::new(3),
            latest: RefCell::default(),
            serial: Cell::new(0),
        })
    }

    pub fn set_view(&self, key: &str, value: Value) {
        self.view.borrow_mut()[key] = value;
    }

    pub fn script(&self, reply: Reply) {
        self.scripted.borrow_mut().push_back(reply);
    }

    /// The attempt requests received, parsed.
    pub fn attempts(&self) -> Vec<AttemptRequest> {
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.method == HttpMethod::Post && r.url.ends_with("/attempts"))
            .map(|r| serde_json::from_str(r.body.as_deref().unwrap()).unwrap())
            .collect()
    }

    fn sandbox(&self, request: &HttpRequest) -> HttpResponse {
        let ok = |v: &Value| HttpResponse {
            status: 200,
            body: v.to_string(),
        };
        if request.method == HttpMethod::Get {
            if request.url.ends_with("/result") {
                let undefined = json!({"attemptId": null, "status": "Undefined", "transactionId": null,
                    "decline": null, "payment": payment_json(), "userInfo": null,
                    "attemptsLeft": self.attempts_left.get()});
                return ok(self.latest.borrow().as_ref().unwrap_or(&undefined));
            }
            return ok(&self.view.borrow());
        }
        if request.url.ends_with("/abandon") {
            return ok(&self.abandon(request));
        }
        if request.url.ends_with("/complete") {
            // An empty object, as the server's route takes; the outcome as the provider has it
            // now ([`Fake::finish`]).
            assert_eq!(request.body.as_deref(), Some("{}"));
            return ok(self.latest.borrow().as_ref().expect("an attempt to complete"));
        }
        let req: AttemptRequest = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        let card = req.card.as_ref().map(|c| c.number.as_str()).unwrap_or("");
        let (status, decline) = match (req.method, card) {
            (pay_types::PaymentMethod::Offline, _) => ("Offline", None),
            (_, "4000000000000002") => ("Failed", Some("card_declined")),
            (_, "4000000000009995") => ("Failed", Some("insufficient_funds")),
            (_, "4000000000003220") => ("Pending", None),
            (_, CHALLENGE_CARD | TIMEOUT_CARD) => ("Undefined", None),
            _ if req.payment_method.as_deref() == Some(STRIPE_3DS_PM) => ("Undefined", None),
            _ => ("Successful", None),
        };
        if decline.is_some() {
            self.attempts_left.set(self.attempts_left.get().saturating_sub(1));
        }
        self.serial.set(self.serial.get() + 1);
        let result = json!({
            "attemptId": req.attempt_id,
            "status": status,
            "transactionId": format!("txn_{}", self.serial.get()),
            "decline": decline.map(|c| json!({"code": c, "message": "declined"})),
            "payment": payment_json(),
            "userInfo": req.user_info,
            "attemptsLeft": self.attempts_left.get(),
        });
        let mut result = result;
        if status == "Undefined" {
            result["transactionId"] = Value::Null;
            result["processing"] = json!(true);
            if req.payment_method.as_deref() == Some(STRIPE_3DS_PM) {
                result["challenge"] = json!({
                    "clientSecret": STRIPE_CLIENT_SECRET,
                    "expiresAt": "2099-01-01T00:00:00Z",
                });
            }
            if card == CHALLENGE_CARD {
                result["challenge"] = json!({
                    "url": challenge_path(&req.attempt_id),
                    "expiresAt": "2099-01-01T00:00:00Z",
                });
            }
        }
        *self.latest.borrow_mut() = Some(result.clone());
        ok(&result)
    }

    /// `POST …/attempts/{attemptId}/abandon`: a challenge still open fails with
    /// `authentication_failed`; otherwise the outcome as it is.
    fn abandon(&self, request: &HttpRequest) -> Value {
        assert_eq!(request.body.as_deref(), Some("{}"));
        let mut latest = self.latest.borrow_mut();
        let result = latest.as_mut().expect("an attempt to abandon");
        assert!(
            request
                .url
                .ends_with(&format!("/attempts/{}/abandon", result["attemptId"].as_str().unwrap())),
            "{}",
            request.url
        );
        if result["challenge"].is_object() && result["processing"] == json!(true) {
            self.attempts_left.set(self.attempts_left.get().saturating_sub(1));
            self.serial.set(self.serial.get() + 1);
            *result = self.settled(result, "Failed", Some("authentication_failed"));
        }
        result.clone()
    }

    /// The provider answered (or the buyer finished the challenge): the processing attempt
    /// becomes `status` (with a decline code for `Failed`); `GET …/result` says so from now on.
    pub fn finish(&self, status: &str, decline: Option<&str>) {
        if decline.is_some() {
            self.attempts_left.set(self.attempts_left.get().saturating_sub(1));
        }
        self.serial.set(self.serial.get() + 1);
        let mut latest = self.latest.borrow_mut();
        let result = latest.as_mut().expect("an attempt to finish");
        *result = self.settled(result, status, decline);
    }

    fn settled(&self, processing: &Value, status: &str, decline: Option<&str>) -> Value {
        let mut result = processing.clone();
        result["status"] = json!(status);
        result["transactionId"] = json!(format!("txn_{}", self.serial.get()));
        result["decline"] = json!(decline.map(|c| json!({"code": c, "message": "declined"})));
        result["attemptsLeft"] = json!(self.attempts_left.get());
        result["processing"] = json!(false);
        result["challenge"] = Value::Null;
        result
    }

    /// The provider asks for a 3-D Secure challenge after all (the processing attempt gets
    /// one; `GET …/result` says so from now on).
    pub fn challenge_now(&self) {
        let mut latest = self.latest.borrow_mut();
        let result = latest.as_mut().expect("an attempt in progress");
        result["challenge"] = json!({
            "url": challenge_path(result["attemptId"].as_str().unwrap()),
            "expiresAt": "2099-01-01T00:00:00Z",
        });
    }

    /// The URLs requested, in order.
    pub fn urls(&self) -> Vec<String> {
        self.requests.borrow().iter().map(|r| r.url.clone()).collect()
    }

    /// How many times `GET …/result` was asked.
    pub fn result_requests(&self) -> usize {
        self.urls().iter().filter(|u| u.ends_with("/result")).count()
    }
}

/// The challenge page of an attempt, as a path on the Pay server.
pub fn challenge_path(attempt_id: &str) -> String {
    format!("/pay/v1/checkout/{PAYMENT_ID}/attempts/{attempt_id}/challenge")
}

impl Transport for Fake {
    fn send(&self, request: HttpRequest) -> ResponseFuture {
        self.requests.borrow_mut().push(request.clone());
        let answer = match self.scripted.borrow_mut().pop_front() {
            Some(Reply::Status(status, body)) => Ok(HttpResponse {
                status,
                body: body.to_string(),
            }),
            Some(Reply::Raw(status, body)) => Ok(HttpResponse {
                status,
                body: body.into(),
            }),
            Some(Reply::Network) => Err(NetworkError),
            None => Ok(self.sandbox(&request)),
        };
        let gate = if request.method == HttpMethod::Post {
            self.gate.borrow().clone()
        } else if request.url.ends_with("/result") {
            self.result_gate.borrow().clone()
        } else {
            None
        };
        Box::pin(async move {
            if let Some(gate) = gate {
                let _ = JsFuture::from(gate).await;
            }
            answer
        })
    }
}

/// Starts `startPayment` with the fake; the returned promise settles like the export's.
pub fn start(fake: &Rc<Fake>, options: JsValue) -> Promise {
    start_id(fake, PAYMENT_ID.into(), options)
}

pub fn start_id(fake: &Rc<Fake>, id: JsValue, options: JsValue) -> Promise {
    // A test that failed earlier may have left its popup open: start clean.
    if let Some(h) = host() {
        h.remove();
        pay_frontend::testing::forget_open_popup();
    }
    start_while_open(fake, id, options)
}

/// Starts without cleaning up first (to start a second popup on purpose).
pub fn start_while_open(fake: &Rc<Fake>, id: JsValue, options: JsValue) -> Promise {
    let transport: Rc<dyn Transport> = fake.clone();
    future_to_promise(async move { start_payment_with(transport, id, options).await })
}

pub fn opts(v: Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap()
}

pub async fn settle(p: Promise) -> Result<Value, Value> {
    let to_value = |v: JsValue| -> Value {
        if v.is_instance_of::<js_sys::Error>() {
            let code = js_sys::Reflect::get(&v, &"code".into()).unwrap();
            json!({"error": true, "code": code.as_string(), "message": v.unchecked_ref::<js_sys::Error>().message().as_string()})
        } else {
            serde_json::from_str(&js_sys::JSON::stringify(&v).unwrap().as_string().unwrap()).unwrap()
        }
    };
    JsFuture::from(p).await.map(to_value).map_err(to_value)
}

/// Yields to the microtask queue (the fake answers without timers).
pub async fn tick() {
    let _ = JsFuture::from(Promise::resolve(&JsValue::NULL)).await;
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn host() -> Option<Element> {
    let mut selector = String::from("[");
    selector.push_str(HOST_ATTRIBUTE);
    selector.push(']');
    document().query_selector(&selector).unwrap()
}

pub fn root() -> ShadowRoot {
    host().expect("popup is open").shadow_root().unwrap()
}

pub fn find(selector: &str) -> Option<Element> {
    host()?.shadow_root()?.query_selector(selector).unwrap()
}

/// Waits (microtasks) until `selector` matches inside the popup.
pub async fn wait_for(selector: &str) -> Element {
    for _ in 0..500 {
        if let Some(el) = find(selector) {
            return el;
        }
        tick().await;
    }
    panic!("never appeared: {selector}");
}

pub async fn wait_closed() {
    for _ in 0..500 {
        if host().is_none() {
            return;
        }
        tick().await;
    }
    panic!("popup never closed");
}

pub async fn step_title() -> String {
    wait_for("#pay-step-title").await.text_content().unwrap()
}

/// Waits for the step with this heading.
pub async fn wait_step(title: &str) {
    for _ in 0..500 {
        if find("#pay-step-title").and_then(|e| e.text_content()).as_deref() == Some(title) {
            return;
        }
        tick().await;
    }
    panic!(
        "step {title:?} never shown; now {:?}",
        find("#pay-step-title").and_then(|e| e.text_content())
    );
}

/// The field named `name`: an `<input>`, or the country's `<select>` (whose `value` reads and
/// writes the same way).
pub fn input(name: &str) -> HtmlInputElement {
    let mut sel = String::from("[name=");
    sel.push_str(name);
    sel.push(']');
    find(&sel).unwrap_or_else(|| panic!("no input {name}")).unchecked_into()
}

fn bubbling(kind: &str) -> Event {
    let init = EventInit::new();
    init.set_bubbles(true);
    Event::new_with_event_init_dict(kind, &init).unwrap()
}

/// Types a value: sets it and fires `input`, as typing does.
pub async fn type_into(name: &str, value: &str) {
    let el = input(name);
    el.set_value(value);
    el.dispatch_event(&bubbling("input")).unwrap();
    let_ui_react().await;
}

/// Lets the popup's flow handle what was just dispatched.
pub async fn let_ui_react() {
    for _ in 0..20 {
        tick().await;
    }
}

/// Fills several fields and leaves each (`focusout`).
pub async fn fill(fields: &[(&str, &str)]) {
    for (name, value) in fields {
        type_into(name, value).await;
        input(name).dispatch_event(&bubbling("focusout")).unwrap();
        let_ui_react().await;
    }
}

pub async fn fill_contact() {
    fill(&[
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@example.com"),
        ("country", "GBR"),
    ])
    .await;
}

/// From the contact step to the card step: the contact details filled in, then Continue.
pub async fn reach_card_step() {
    wait_step("Contact details").await;
    fill_contact().await;
    submit().await;
    wait_step("Card details").await;
}

pub async fn fill_card(number: &str) {
    fill(&[("cardNumber", number), ("cardExpiry", "12/39"), ("cardCvc", "123")]).await;
}

pub async fn click(selector: &str) {
    find(selector)
        .unwrap_or_else(|| panic!("nothing to click: {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
    let_ui_react().await;
}

pub async fn submit() {
    click("button[type=submit]").await;
}

pub fn text(selector: &str) -> String {
    find(selector).and_then(|e| e.text_content()).unwrap_or_default()
}

pub fn active() -> Option<Element> {
    root().active_element()
}

/// Presses a key on the focused element of the popup.
pub async fn press(key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let target: web_sys::EventTarget = active().map(Into::into).unwrap_or_else(|| root().into());
    target.dispatch_event(&event).unwrap();
    let_ui_react().await;
}

/// A promise and the function that resolves it.
pub fn gate() -> (Promise, Function) {
    let mut resolve = None;
    let promise = Promise::new(&mut |res, _| resolve = Some(res));
    (promise, resolve.unwrap())
}

/// Runs JS source (test instrumentation only).
pub fn js(source: &str) -> JsValue {
    Function::new_no_args(source).call0(&JsValue::NULL).unwrap()
}

/// Waits `ms` milliseconds of real time (timers run meanwhile, unlike [`tick`]).
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits, in real time (the popup's poll timer runs), up to `ms` for the step with this
/// heading.
pub async fn wait_step_within(title: &str, ms: i32) {
    for _ in 0..ms / 50 {
        if find("#pay-step-title").and_then(|e| e.text_content()).as_deref() == Some(title) {
            return;
        }
        sleep(50).await;
    }
    panic!(
        "step {title:?} not shown within {ms} ms; now {:?}",
        find("#pay-step-title").and_then(|e| e.text_content())
    );
}

/// Posts a `message` to the page's window as if from `origin` (a `MessageEvent` with that
/// `origin`: what the browser gives a listener for a frame's `postMessage`).
pub fn post_message(origin: &str, data: Value) {
    js(&format!(
        "window.dispatchEvent(new MessageEvent('message', {{origin: {}, data: {}}}))",
        json!(origin),
        data
    ));
}

/// Counts the page's live `setInterval` timers and `message` listeners from now on, by
/// wrapping `window`'s own methods (the SDK calls them through `window`).
pub struct Leaks;

impl Leaks {
    pub fn watch() -> Leaks {
        js(r#"
            if (!window.__payLeaks) {
                const w = window, leaks = { intervals: new Set(), messages: 0 };
                const si = w.setInterval, ci = w.clearInterval, ae = w.addEventListener, re = w.removeEventListener;
                w.setInterval = function (...a) { const id = si.apply(w, a); leaks.intervals.add(id); return id; };
                w.clearInterval = function (id) { leaks.intervals.delete(id); return ci.call(w, id); };
                w.addEventListener = function (t, ...a) { if (t === "message") leaks.messages++; return ae.call(this, t, ...a); };
                w.removeEventListener = function (t, ...a) { if (t === "message") leaks.messages--; return re.call(this, t, ...a); };
                w.__payLeaks = leaks;
            }
        "#);
        Leaks
    }

    pub fn intervals(&self) -> f64 {
        js("return window.__payLeaks.intervals.size").as_f64().unwrap()
    }

    pub fn message_listeners(&self) -> f64 {
        js("return window.__payLeaks.messages").as_f64().unwrap()
    }

    /// No timer, no `message` listener, no popup node and no iframe left in the page.
    pub fn assert_none_left(&self) {
        assert_eq!(self.intervals(), 0.0, "a poll timer is still running");
        assert_eq!(self.message_listeners(), 0.0, "a message listener is still there");
        assert!(host().is_none(), "the popup is still in the page");
        assert!(document().query_selector("iframe").unwrap().is_none());
    }
}

/// After a decline, on the card step: pays with a good card and leaves the thank-you screen;
/// the Promise's value.
pub async fn retry_and_finish(run: Promise) -> Value {
    type_into("cardNumber", "4242 4242 4242 4242").await;
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    settle(run).await.unwrap()
}
