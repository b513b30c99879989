//! The payment popup: a modal dialog in a shadow root of the page (styles isolated, strict-CSP
//! safe through a constructed stylesheet). [`Popup`] owns every node and listener it adds;
//! dropping it removes them and gives focus back to where it was.

mod attempt;
mod card;
mod challenge;
mod checkout;
mod contact;
mod country;
mod events;
pub mod flow;
mod format;
mod method;
mod offline;
mod outcome;
mod summary;
mod view;

use crate::i18n::{Locale, Msg};
use crate::options::Theme;
use events::{EventQueue, Listener, UiEvent};
use std::cell::Cell;
use std::rc::Rc;
use view::{child, set, text_child};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Element, Event, HtmlElement, HtmlFormElement, KeyboardEvent, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

/// `styles.css` without its line breaks (one rule a line there), at compile time.
static STYLES: &str = match std::str::from_utf8(&STYLES_BYTES) {
    Ok(s) => s,
    Err(_) => panic!("the stylesheet is UTF-8"),
};

const STYLES_SOURCE: &[u8] = include_bytes!("styles.css");

const STYLES_BYTES: [u8; styles_len()] = without_line_breaks();

const fn styles_len() -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < STYLES_SOURCE.len() {
        if STYLES_SOURCE[i] != b'\n' {
            len += 1;
        }
        i += 1;
    }
    len
}

const fn without_line_breaks<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < STYLES_SOURCE.len() {
        if STYLES_SOURCE[i] != b'\n' {
            out[at] = STYLES_SOURCE[i];
            at += 1;
        }
        i += 1;
    }
    out
}

/// The attribute that marks the popup's host element in the page.
pub const HOST_ATTRIBUTE: &str = "data-pay-popup";

/// What Tab cycles through (the focus trap); the 3-D Secure step's iframe is one stop, the
/// browser tabs through its page and back out to the dialog.
const FOCUSABLE: &str = "button:not([disabled]),input:not([disabled]),a[href],iframe";

/// The Tab stops of the trap: [`FOCUSABLE`] and the `<slot>` of a provider's card fields
/// (light-DOM content shown in the dialog), which the browser's own Tab enters.
const TAB_STOPS: &str = "button:not([disabled]),input:not([disabled]),a[href],iframe,slot";

/// What [`Popup::pay_footer`] made.
pub struct PayFooter {
    pub terms: Option<view::TermsBox>,
    pub alert: Element,
    pub actions: Element,
}

pub struct Popup {
    host: HtmlElement,
    dialog: Element,
    /// The order summary, shown above every step.
    pub summary: Element,
    /// The current step's content.
    pub step: Element,
    /// A polite live region for announcements (processing …).
    status: Element,
    pub events: EventQueue,
    pub locale: Locale,
    listeners: Vec<Listener>,
    return_focus: Option<HtmlElement>,
    /// While set, focus outside the popup stays there (Stripe's 3-D Secure modal).
    trap_paused: Rc<Cell<bool>>,
}

impl Popup {
    pub fn open(locale: Locale, theme: &Theme) -> Result<Popup, JsValue> {
        let doc = view::document();
        let body = doc.body().ok_or(JsValue::NULL)?;
        let return_focus = doc.active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());

        let host: HtmlElement = doc.create_element("div")?.unchecked_into();
        set(&host, HOST_ATTRIBUTE, "");
        for (name, value) in theme.properties() {
            // CSSOM, not a style attribute: allowed under `style-src 'self'`.
            host.style().set_property(name, value)?;
        }
        let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(STYLES)?;
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));

        let backdrop = doc.create_element("div")?;
        backdrop.set_class_name("backdrop");
        root.append_child(&backdrop)?;
        let dialog = child(&backdrop, "div", "dialog");
        set(&dialog, "role", "dialog");
        set(&dialog, "aria-modal", "true");
        set(&dialog, "aria-labelledby", "pay-title");
        set(&dialog, "lang", locale.code());
        set(&dialog, "dir", if locale.is_rtl() { "rtl" } else { "ltr" });
        let header = child(&dialog, "div", "header");
        let title = text_child(&header, "h2", "", locale.t(Msg::Title));
        set(&title, "id", "pay-title");
        let close_button = view::button(&header, "close", "button", "close", "×");
        set(&close_button, "aria-label", locale.t(Msg::Close));
        let summary = child(&dialog, "section", "summary");
        set(&summary, "aria-label", locale.t(Msg::OrderSummary));
        let step = child(&dialog, "div", "step");
        let status = child(&dialog, "p", "status");
        set(&status, "role", "status");
        set(&status, "aria-live", "polite");

        let events = EventQueue::default();
        let mut listeners = listen(&root, &events);
        // Focus that escapes to the page (a click on the backdrop, a screen reader's virtual
        // cursor) comes back into the dialog: the trap holds for more than the Tab key.
        // Inside is the host and what it holds: the shadow root's nodes (their events reach the
        // document retargeted to the host) and the light-DOM node of a provider's card fields
        // (Stripe's iframe, slotted into the card step).
        let trap_host = host.clone();
        let trap_root = root.clone();
        let trap_paused = Rc::new(Cell::new(false));
        let paused = trap_paused.clone();
        listeners.push(Listener::new(&doc, "focusin", move |e| {
            let outside = e
                .target()
                .is_some_and(|t| !trap_host.contains(t.dyn_ref::<web_sys::Node>()));
            if outside && !paused.get() {
                if let Some(el) = trap_root
                    .query_selector(FOCUSABLE)
                    .ok()
                    .flatten()
                    .and_then(|el| el.dyn_into::<HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
        }));
        body.append_child(&host)?;
        Ok(Popup {
            host,
            dialog,
            summary,
            step,
            status,
            events,
            locale,
            listeners,
            return_focus,
            trap_paused,
        })
    }

    /// A new light-DOM child of the host, `<div slot="{name}">`, shown where the shadow root
    /// has `<slot name="{name}">`: for what refuses to live in a shadow root (Stripe's
    /// Elements). Removed with the host; the caller removes it earlier if it is done sooner.
    pub fn slotted(&self, name: &str) -> Element {
        let el = child(&self.host, "div", "");
        set(&el, "slot", name);
        el
    }

    /// Lets focus leave the popup (`true`: a provider's own dialog, outside the popup's DOM,
    /// takes it), or holds it in again (`false`).
    pub fn pause_trap(&self, paused: bool) {
        self.trap_paused.set(paused);
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        self.locale.t(msg)
    }

    /// Says `text` through the live region (or clears it).
    pub fn announce(&self, text: Option<&str>) {
        self.status.set_text_content(text);
    }

    /// Disables the step and the close button while a request is in flight: the dialog's
    /// buttons and inputs are the close button's and the step's (the summary has none).
    pub fn set_busy(&self, busy: bool) {
        set(&self.dialog, "aria-busy", if busy { "true" } else { "false" });
        if let Ok(list) = self.dialog.query_selector_all("button,input") {
            for i in 0..list.length() {
                if let Some(el) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    if busy {
                        set(&el, "disabled", "");
                    } else {
                        let _ = el.remove_attribute("disabled");
                    }
                }
            }
        }
        self.announce(busy.then(|| self.t(Msg::Processing)));
    }

    /// The bottom of a paying step: the terms box (when a link was given), the alert line and
    /// the actions row, with Back when the visitor can go back.
    pub fn pay_footer(&self, form: &Element, terms_link: Option<&str>, can_go_back: bool) -> PayFooter {
        let terms = terms_link.map(|link| view::TermsBox::new(form, link, self.t(Msg::Agree), self.t(Msg::TermsLink)));
        let alert = child(form, "div", "alert");
        set(&alert, "role", "alert");
        let actions = child(form, "div", "actions");
        if can_go_back {
            view::button(&actions, "secondary", "button", "back", self.t(Msg::Back));
        }
        PayFooter { terms, alert, actions }
    }

    /// Focuses the first invalid field of the step, else its first control.
    pub fn focus_step(&self) {
        let target = self
            .step
            .query_selector("[aria-invalid=true]")
            .ok()
            .flatten()
            .or_else(|| self.step.query_selector(FOCUSABLE).ok().flatten());
        if let Some(el) = target.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    }

    pub fn focus(&self, el: &Element) {
        if let Some(el) = el.dyn_ref::<HtmlElement>() {
            let _ = el.focus();
        }
    }
}

impl Drop for Popup {
    fn drop(&mut self) {
        self.listeners.clear();
        self.host.remove();
        if let Some(el) = &self.return_focus {
            let _ = el.focus();
        }
    }
}

/// The delegated listeners of the shadow root. Events inside it reach the root with their
/// real target (no retargeting within the same tree).
fn listen(root: &ShadowRoot, events: &EventQueue) -> Vec<Listener> {
    let target_name = |e: &Event| {
        e.target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.get_attribute("name"))
    };
    let q = events.clone();
    let click = Listener::new(root, "click", move |e| {
        let action = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("[data-action]").ok().flatten())
            .and_then(|el| el.get_attribute("data-action"));
        match action.as_deref() {
            None => {}
            Some("close") => q.push(UiEvent::Close),
            Some(a) => q.push(UiEvent::Action(a.to_owned())),
        }
    });
    let q = events.clone();
    let submit = Listener::new(root, "submit", move |e| {
        e.prevent_default();
        q.push(UiEvent::Submit);
    });
    let q = events.clone();
    let input = Listener::new(root, "input", move |e| {
        if let Some(name) = target_name(&e) {
            q.push(UiEvent::Input(name));
        }
    });
    let q = events.clone();
    let blur = Listener::new(root, "focusout", move |e| {
        if let Some(name) = target_name(&e) {
            q.push(UiEvent::Blur(name));
        }
    });
    let q = events.clone();
    let shadow = root.clone();
    let keydown = Listener::new(root, "keydown", move |e| {
        if let Some(key) = e.dyn_ref::<KeyboardEvent>() {
            on_key(&shadow, key, &q);
        }
    });
    vec![click, submit, input, blur, keydown]
}

/// Escape cancels; Tab and Shift+Tab cycle inside the dialog (the focus trap); Enter submits
/// from a text field and activates a focused button.
fn on_key(root: &ShadowRoot, e: &KeyboardEvent, q: &EventQueue) {
    let active = root.active_element();
    match e.key().as_str() {
        "Escape" => {
            e.prevent_default();
            q.push(UiEvent::Close);
        }
        "Tab" => {
            let Ok(list) = root.query_selector_all(TAB_STOPS) else {
                return;
            };
            let n = list.length();
            if n == 0 {
                return;
            }
            let current = (0..n).find(|&i| {
                list.get(i)
                    .zip(active.as_ref())
                    .is_some_and(|(node, a)| node.is_same_node(Some(a)))
            });
            let next = match (current, e.shift_key()) {
                (None, false) => 0,
                (None, true) => n - 1,
                (Some(i), false) => (i + 1) % n,
                (Some(i), true) => (i + n - 1) % n,
            };
            if let Some(el) = list.get(next).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                // A slot: the browser's own Tab moves into its light-DOM content (a
                // provider's iframe), which the trap cannot focus itself.
                if el.tag_name() == "SLOT" && current.is_some() {
                    return;
                }
                e.prevent_default();
                let _ = el.focus();
            }
        }
        "Enter" => {
            let Some(el) = active else { return };
            if el.tag_name() == "BUTTON" {
                e.prevent_default();
                if let Some(b) = el.dyn_ref::<HtmlElement>() {
                    b.click();
                }
            } else if el.tag_name() == "INPUT" && el.get_attribute("type").as_deref() != Some("checkbox") {
                e.prevent_default();
                if let Some(form) = el
                    .closest("form")
                    .ok()
                    .flatten()
                    .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
                {
                    let _ = form.request_submit();
                }
            }
        }
        _ => {}
    }
}
