//! Stripe's Card Element: the card is typed into Stripe's iframe, Pay's server only sees the
//! PaymentMethod's id (PCI DSS SAQ A). Stripe.js is loaded from the checkout view's
//! `cardFields.jsUrl` (never bundled), once per page; `Stripe(publishableKey, {locale})` is
//! made once per key.
//!
//! Stripe.js refuses to mount inside a shadow root, so the Element is mounted in a light-DOM
//! child of the popup's host (`<div slot="pay-card">`) and shown in the card step through
//! `<slot name="pay-card">`. Dropping the step destroys the Element and removes that node.
//!
//! Only calls of Stripe.js's reference (`@stripe/stripe-js`' declarations): `Stripe()`,
//! `stripe.elements({locale})`, `elements.create("card", {style, hidePostalCode})`,
//! `card.mount`, `card.on("change" | "ready")`, `card.focus`, `card.destroy`,
//! `stripe.createPaymentMethod` and `stripe.handleNextAction`.

use super::super::{view, Popup};
use crate::i18n::Msg;
use crate::options::Theme;
use crate::values::{get, write};
use js_sys::{Function, Promise};
use pay_types::{BrowserUserInfo, CardFields, CountryCode};
use serde::Serialize;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event, HtmlElement};

#[wasm_bindgen]
extern "C" {
    /// A Stripe.js instance.
    #[derive(Clone)]
    pub type Stripe;

    /// `Stripe(publishableKey, options)`, the global of Stripe.js, looked up when called.
    #[wasm_bindgen(catch, js_name = Stripe)]
    fn new_stripe(publishable_key: &str, options: &JsValue) -> Result<Stripe, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn elements(this: &Stripe, options: &JsValue) -> Result<Elements, JsValue>;

    #[wasm_bindgen(method, js_name = createPaymentMethod)]
    fn create_payment_method(this: &Stripe, data: &JsValue) -> Promise;

    #[wasm_bindgen(method, js_name = handleNextAction)]
    fn handle_next_action(this: &Stripe, options: &JsValue) -> Promise;

    type Elements;

    #[wasm_bindgen(method, catch)]
    fn create(this: &Elements, kind: &str, options: &JsValue) -> Result<CardElement, JsValue>;

    #[derive(Clone)]
    type CardElement;

    #[wasm_bindgen(method, catch)]
    fn mount(this: &CardElement, el: &Element) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    fn on(this: &CardElement, event: &str, handler: &Function);

    #[wasm_bindgen(method)]
    fn focus(this: &CardElement);

    #[wasm_bindgen(method)]
    fn destroy(this: &CardElement);
}

/// The `{locale}` of `Stripe()` and `stripe.elements()`: the popup's language.
#[derive(Serialize)]
struct LocaleOption<'a> {
    locale: &'a str,
}

/// `elements.create("card", …)`'s options: the popup's theme (the iframe cannot read the
/// popup's CSS), no postal code (the contact step has the country).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CardOptions<'a> {
    style: Style<'a>,
    hide_postal_code: bool,
}

#[derive(Serialize)]
struct Style<'a> {
    base: Base<'a>,
    invalid: Color<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Base<'a> {
    color: &'a str,
    font_family: &'a str,
    font_size: &'a str,
    #[serde(rename = "::placeholder")]
    placeholder: Color<'a>,
}

#[derive(Serialize)]
struct Color<'a> {
    color: &'a str,
}

/// `stripe.createPaymentMethod`'s data: the Element and the contact step's details.
#[derive(Serialize)]
struct PaymentMethodData<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    card: JsValue,
    billing_details: BillingDetails<'a>,
}

#[derive(Serialize)]
struct BillingDetails<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
}

#[derive(Serialize)]
struct Address {
    /// ISO 3166-1 alpha-2, as Stripe takes it.
    country: &'static str,
}

/// `stripe.handleNextAction`'s options.
#[derive(Serialize)]
struct NextAction<'a> {
    #[serde(rename = "clientSecret")]
    client_secret: &'a str,
}

/// The popup's colors and font, as the Element's `style` (its defaults are the stylesheet's).
const FONT: &str = "system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif";
const ERROR_COLOR: &str = "#b00020";

thread_local! {
    /// The Stripe.js script while it loads: a second payment meanwhile waits for the same one.
    static LOADING: RefCell<Option<(Promise, Element)>> = const { RefCell::new(None) };
    /// One Stripe.js instance per publishable key, for the page's life.
    static INSTANCES: RefCell<Vec<(String, Stripe)>> = const { RefCell::new(Vec::new()) };
}

impl Stripe {
    /// Runs the PaymentIntent's next action (3-D Secure in Stripe's own modal); its outcome
    /// is asked of Pay afterwards, never taken from this answer.
    pub fn next_action(&self, client_secret: &str) -> Promise {
        self.handle_next_action(&write(&NextAction { client_secret }))
    }
}

/// Stripe.js's instance for `key`: the script added to the page's head unless `window.Stripe`
/// is there already (or the script is loading), then `Stripe(key, {locale})` once per key.
pub async fn instance(js_url: &str, key: &str, locale: &str) -> Result<Stripe, JsValue> {
    if let Some(stripe) = INSTANCES.with(|i| i.borrow().iter().find(|(k, _)| k == key).map(|(_, s)| s.clone())) {
        return Ok(stripe);
    }
    let window = web_sys::window().unwrap_throw();
    if !get(&window, "Stripe").is_function() {
        let loading = LOADING.with(|l| l.borrow_mut().get_or_insert_with(|| add_script(js_url)).0.clone());
        let loaded = JsFuture::from(loading).await;
        if let Some((_, script)) = LOADING.with(|l| l.borrow_mut().take()) {
            if loaded.is_err() {
                // Another payment may try again.
                script.remove();
            }
        }
        if loaded.is_err() || !get(&window, "Stripe").is_function() {
            let mut why = String::from("Pay: Stripe.js could not be loaded from ");
            why.push_str(js_url);
            return Err(js_sys::Error::new(&why).into());
        }
    }
    let stripe = new_stripe(key, &write(&LocaleOption { locale }))?;
    INSTANCES.with(|i| i.borrow_mut().push((key.to_owned(), stripe.clone())));
    Ok(stripe)
}

/// `<script src>` in the head, and the Promise of its `load` (rejected on `error`).
fn add_script(src: &str) -> (Promise, Element) {
    let doc = view::document();
    let script: HtmlElement = doc.create_element("script").unwrap_throw().unchecked_into();
    view::set(&script, "src", src);
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    if let Some(head) = doc
        .query_selector("head")
        .ok()
        .flatten()
        .or_else(|| doc.document_element())
    {
        let _ = head.append_child(&script);
    }
    (loaded, script.into())
}

/// The Element once mounted, with its listeners (dropped after `destroy`).
struct Mounted {
    card: CardElement,
    _change: Closure<dyn FnMut(Event)>,
    _ready: Closure<dyn FnMut(Event)>,
}

pub struct StripeCard<'a> {
    fields: &'a CardFields,
    theme: &'a Theme,
    /// The light-DOM node the Element is mounted in (a child of the host).
    node: Element,
    /// The field's error line in the shadow root (`aria-live`): Stripe's validation message.
    error: Element,
    complete: Rc<Cell<bool>>,
    /// The last token made, while the card is unchanged since (a change clears it).
    token: Rc<RefCell<Option<String>>>,
    mounted: RefCell<Option<Mounted>>,
    stripe: OnceCell<Stripe>,
}

impl<'a> StripeCard<'a> {
    /// The field in the step's form: its label, the slot, its error line; the light-DOM
    /// node for the Element.
    pub fn render(popup: &Popup, form: &Element, fields: &'a CardFields, theme: &'a Theme) -> Self {
        let wrap = view::child(form, "div", "field");
        let label = view::text_child(&wrap, "p", "label", popup.t(Msg::MethodCard));
        view::set(&label, "id", "pay-card-label");
        let slot = view::child(&wrap, "slot", "");
        view::set(&slot, "name", "pay-card");
        let error = view::child(&wrap, "p", "error");
        view::set(&error, "id", "pay-card-error");
        view::set(&error, "aria-live", "polite");
        StripeCard {
            fields,
            theme,
            node: popup.slotted("pay-card"),
            error,
            complete: Rc::default(),
            token: Rc::default(),
            mounted: RefCell::default(),
            stripe: OnceCell::new(),
        }
    }

    /// Stripe.js, then the Card Element mounted in the light-DOM node, with the popup's
    /// language and theme.
    pub async fn load(&self, popup: &Popup) -> Result<(), Msg> {
        let locale = popup.locale.code();
        let (Some(js_url), Some(key)) = (&self.fields.js_url, &self.fields.publishable_key) else {
            web_sys::console::warn_1(&"Pay: the checkout view has no Stripe.js URL or key".into());
            return Err(Msg::ErrGeneric);
        };
        let stripe = instance(js_url, key, locale).await.map_err(|e| {
            web_sys::console::warn_1(&e);
            Msg::ErrNetwork
        })?;
        let theme = self.theme;
        let options = CardOptions {
            style: Style {
                base: Base {
                    color: theme.text_color.as_deref().unwrap_or("#1a1a1a"),
                    font_family: FONT,
                    font_size: "15px",
                    placeholder: Color { color: "#757575" },
                },
                invalid: Color { color: ERROR_COLOR },
            },
            hide_postal_code: true,
        };
        let card = stripe
            .elements(&write(&LocaleOption { locale }))
            .and_then(|elements| elements.create("card", &write(&options)))
            .and_then(|card| card.mount(&self.node).map(|()| card))
            .map_err(|e| {
                web_sys::console::warn_1(&e);
                Msg::ErrGeneric
            })?;
        let (error, complete, token) = (self.error.clone(), self.complete.clone(), self.token.clone());
        let change = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            let e: &JsValue = e.as_ref();
            complete.set(get(e, "complete").is_truthy());
            token.borrow_mut().take();
            error.set_text_content(get(&get(e, "error"), "message").as_string().as_deref());
        });
        card.on("change", change.as_ref().unchecked_ref());
        let focused = card.clone();
        let ready = Closure::<dyn FnMut(Event)>::new(move |_| focused.focus());
        card.on("ready", ready.as_ref().unchecked_ref());
        let _ = self.stripe.set(stripe);
        *self.mounted.borrow_mut() = Some(Mounted {
            card,
            _change: change,
            _ready: ready,
        });
        Ok(())
    }

    /// The Pay button refuses until Stripe says the card is complete.
    pub fn check(&self, popup: &Popup) -> bool {
        let complete = self.complete.get() && self.mounted.borrow().is_some();
        if !complete && self.error.text_content().is_none_or(|t| t.is_empty()) {
            self.error.set_text_content(Some(popup.t(Msg::ErrRequired)));
        }
        complete
    }

    /// The PaymentMethod's id for the card typed; `reuse` (the unanswered request's) while
    /// the card is unchanged since it was made.
    pub async fn read(
        &self,
        popup: &Popup,
        user: &BrowserUserInfo,
        reuse: Option<&str>,
    ) -> Result<String, Option<Msg>> {
        if let Some(token) = self.token.borrow().as_deref().filter(|t| Some(*t) == reuse) {
            return Ok(token.to_owned());
        }
        let (Some(stripe), Some(card)) = (
            self.stripe.get(),
            self.mounted.borrow().as_ref().map(|m| m.card.clone()),
        ) else {
            return Err(None);
        };
        popup.set_busy(true);
        let made = token(stripe, &card, user).await;
        popup.set_busy(false);
        match made {
            Ok(id) => {
                *self.token.borrow_mut() = Some(id.clone());
                Ok(id)
            }
            // Stripe's own words only for what is wrong with the card as typed (its Element
            // shows the same); anything else in Pay's words.
            Err(error) if get(&error, "type").as_string().as_deref() == Some("validation_error") => {
                self.error
                    .set_text_content(get(&error, "message").as_string().as_deref());
                Err(None)
            }
            Err(error) if get(&error, "type").as_string().as_deref() == Some("api_connection_error") => {
                Err(Some(Msg::ErrNetwork))
            }
            Err(_) => Err(Some(Msg::ErrGeneric)),
        }
    }

    pub fn focus(&self) {
        if let Some(m) = &*self.mounted.borrow() {
            m.card.focus();
        }
    }

    pub fn stripe(&self) -> Option<&Stripe> {
        self.stripe.get()
    }
}

impl Drop for StripeCard<'_> {
    fn drop(&mut self) {
        if let Some(m) = self.mounted.borrow_mut().take() {
            m.card.destroy();
        }
        self.node.remove();
    }
}

/// The one place a token is made for the attempt: a PaymentMethod (`createPaymentMethod`)
/// with the contact step's details; its `id` goes out as `paymentMethod`. A ConfirmationToken
/// (`createConfirmationToken`) would replace it here. `Err`: Stripe's `error` object
/// (`{type, code, message}`), or what the call threw.
async fn token(stripe: &Stripe, card: &CardElement, user: &BrowserUserInfo) -> Result<String, JsValue> {
    let name = match (user.first_name.as_deref(), user.last_name.as_deref()) {
        (Some(f), Some(l)) => Some(f.to_owned() + " " + l),
        (f, l) => f.or(l).map(str::to_owned),
    };
    let country = user
        .country
        .as_deref()
        .and_then(|c| CountryCode::parse(c).ok())
        .map(|c| Address { country: c.alpha2() });
    let data = PaymentMethodData {
        kind: "card",
        card: card.into(),
        billing_details: BillingDetails {
            name,
            email: user.email.as_deref().filter(|s| !s.is_empty()),
            phone: user.phone.as_deref().filter(|s| !s.is_empty()),
            address: country,
        },
    };
    let result = JsFuture::from(stripe.create_payment_method(&write(&data))).await?;
    match get(&get(&result, "paymentMethod"), "id").as_string() {
        Some(id) => Ok(id),
        None => Err(get(&result, "error")),
    }
}
