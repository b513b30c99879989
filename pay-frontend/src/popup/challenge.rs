//! While a card attempt is `processing` (SPEC §8): the 3-D Secure step when the result has a
//! challenge (the provider's page in a titled iframe, focus moved onto it, Cancel beside it),
//! otherwise a screen that says the payment is being confirmed and not to pay again. Either
//! way the result is asked for every 2 s, and at once when the challenge's return page posts
//! `{type: "pay:challenge-returned", paymentId, attemptId}` from the Pay server's origin; the
//! step ends when the result is no longer `processing`.
//!
//! With Stripe's card fields the challenge has no URL but the PaymentIntent's client secret:
//! Stripe.js's `handleNextAction` shows 3-D Secure in Stripe's own modal (outside the popup,
//! which lets focus go there meanwhile) over the processing screen, then the popup asks Pay
//! to complete the attempt (`POST …/complete`), asked again at each tick until answered, and
//! goes on as above. Pay asks Stripe for the outcome; what Stripe.js answered is not used.
//!
//! The step parks the card form (its nodes, detached) and puts it back when the visitor may
//! try again. What it adds (its nodes, the `message` listener, the timer) is gone when it
//! returns or when its future is dropped with the popup.

use super::card::Stripe;
use super::events::{Interval, Listener, Pending, UiEvent};
use super::{view, Popup};
use crate::client::{base_url, result, CheckoutClient};
use crate::i18n::Msg;
use crate::values::get;
use pay_types::{AttemptResult, TransactionStatus};
use wasm_bindgen::{JsValue, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

/// How often the result is asked for while nothing says it changed.
const POLL_MS: i32 = 2000;

/// The `type` of the return page's message.
const RETURNED: &str = "pay:challenge-returned";

/// What the step holds while it runs: the parked card form, the poll timer and the
/// `message` listener. Dropping it (the step returns, or the popup goes) stops both, puts
/// the form back and clears the live region. An expiry meanwhile waits for the card step.
struct Waiting<'a> {
    popup: &'a Popup,
    parked: Element,
    expired: bool,
    _timer: Interval,
    _message: Listener,
}

impl<'a> Waiting<'a> {
    fn start(popup: &'a Popup, payment_id: &str, attempt_id: &str) -> Self {
        let parked = view::document().create_element("div").unwrap_throw();
        move_children(&popup.step, &parked);
        let q = popup.events.clone();
        let timer = Interval::new(POLL_MS, move |_| q.push(UiEvent::Tick));
        let q = popup.events.clone();
        // Compared as JS values (`===`): no string copies.
        let origin = backend_origin();
        let returned = JsValue::from(RETURNED);
        let payment = JsValue::from(payment_id);
        let attempt = JsValue::from(attempt_id);
        let message = Listener::new(&web_sys::window().unwrap_throw(), "message", move |e| {
            let data = get(&e, "data");
            if get(&e, "origin") == origin
                && get(&data, "type") == returned
                && get(&data, "attemptId") == attempt
                && get(&data, "paymentId") == payment
            {
                q.push(UiEvent::Tick);
            }
        });
        Waiting {
            popup,
            parked,
            expired: false,
            _timer: timer,
            _message: message,
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let step = &self.popup.step;
        view::clear(step);
        move_children(&self.parked, step);
        self.popup.announce(None);
        self.popup.pause_trap(false);
        if self.expired {
            self.popup.events.push(UiEvent::Expired);
        }
    }
}

/// `Ok`: the attempt's outcome (`processing` is false), for the card step to show. `Err`: the
/// visitor closed the popup meanwhile; it resolves with this result.
pub async fn run(
    popup: &Popup,
    client: &CheckoutClient,
    mut current: AttemptResult,
    attempt_id: &str,
    stripe: Option<&Stripe>,
) -> Result<AttemptResult, AttemptResult> {
    let mut waiting = Waiting::start(popup, current.payment.id.as_str(), attempt_id);
    // Stripe.js's 3-D Secure, while it runs; then Pay is asked to complete the attempt until
    // it answers.
    let secret = current.challenge.as_ref().and_then(|c| c.client_secret.as_deref());
    let mut next_action: Option<Pending<'_, _>> = match (stripe, secret) {
        (Some(stripe), Some(secret)) => {
            popup.pause_trap(true);
            Some(Box::pin(JsFuture::from(stripe.next_action(secret))))
        }
        _ => None,
    };
    let mut complete = false;
    // Whether the challenge is on screen (`Some(false)`: the processing screen).
    let mut shown = None;
    loop {
        let challenge = current.challenge.as_ref().and_then(|c| c.url.as_deref());
        if shown != Some(challenge.is_some()) {
            render(popup, challenge);
            shown = Some(challenge.is_some());
        }
        let event = match popup.events.next_or(&mut next_action).await {
            Ok(event) => event,
            Err(_) => {
                // Stripe's modal is gone: focus comes back to the popup.
                popup.pause_trap(false);
                popup.focus_step();
                complete = true;
                UiEvent::Tick
            }
        };
        let closing = matches!(event, UiEvent::Close);
        // Cancel gives the challenge up; so does closing the popup during one.
        let give_up = match event {
            UiEvent::Tick => false,
            // Cancel, the step's one action.
            UiEvent::Action(_) => true,
            UiEvent::Close => current.challenge.is_some(),
            // The attempt was made before: its outcome comes first.
            UiEvent::Expired => {
                waiting.expired = true;
                continue;
            }
            _ => continue,
        };
        // Closing without a challenge asks nothing: the outcome is not known yet.
        if give_up || !closing {
            // No answer: the next tick asks again (a Cancel without one can be pressed again).
            let asked = if complete && !give_up {
                client.complete(attempt_id).await
            } else {
                client.result_or_abandon(give_up.then_some(attempt_id)).await
            };
            if let Ok(r) = result(asked) {
                current = r;
                complete = false;
            }
        }
        if closing {
            // The popup resolves with the abandoned attempt's outcome (`Failed` after the
            // decline); without one the outcome is not known yet: `Pending`, and the
            // merchant's webhook tells the rest.
            if current.processing {
                current.status = TransactionStatus::Pending;
                current.transaction_id = None;
            }
            return Err(current);
        }
        if !current.processing {
            return Ok(current);
        }
    }
}

fn render(popup: &Popup, url: Option<&str>) {
    view::clear(&popup.step);
    let step = &popup.step;
    match url {
        Some(url) => {
            view::heading(step, popup.t(Msg::ChallengeTitle));
            view::text_child(step, "p", "note", popup.t(Msg::ChallengeNote));
            let frame = view::child(step, "iframe", "challenge");
            view::set(&frame, "title", popup.t(Msg::ChallengeTitle));
            // Anything but an http(s) URL or a path on the Pay server stays `about:blank`.
            let src = if url.starts_with('/') && !url.starts_with("//") {
                Some(base_url() + url)
            } else {
                crate::options::is_http_url(url).then(|| url.to_owned())
            };
            if let Some(src) = src {
                view::set(&frame, "src", &src);
            }
            let actions = view::child(step, "div", "actions");
            view::button(&actions, "secondary", "button", "cancel", popup.t(Msg::Cancel));
            popup.announce(None);
            popup.focus(&frame);
        }
        None => {
            // The live region says what is going on.
            let heading = view::heading(step, popup.t(Msg::Processing));
            popup.announce(Some(popup.t(Msg::ConfirmingNote)));
            popup.focus(&heading);
        }
    }
}

fn move_children(from: &Element, to: &Element) {
    while let Some(node) = from.first_child() {
        let _ = to.append_child(&node);
    }
}

/// The origin of the Pay server, as the browser writes it (`MessageEvent.origin`): the base
/// URL's, resolved by the browser's own URL parser (an `<a href>`'s `origin`), so a relative
/// base is the page's origin.
fn backend_origin() -> JsValue {
    let a = view::document().create_element("a").unwrap_throw();
    view::set(&a, "href", &(base_url() + "/"));
    get(&a, "origin")
}
