//! `startPayment` from its JS arguments to the `PaymentResult`: argument checks, the one-popup
//! rule, loading the checkout view, and running the popup.

use crate::client::{base_url, read, CheckoutClient, ClientError, Transport};
use crate::errors::{RejectCode, Rejection};
use crate::options::{Options, PaymentOptions, Theme};
use crate::popup::{flow, Popup};
use crate::values;
use pay_types::{BrowserUserInfo, CheckoutView, PaymentId};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

thread_local! {
    static POPUP_OPEN: Cell<bool> = const { Cell::new(false) };
}

/// Held while a `startPayment` call is running; a second call meanwhile is refused.
struct OneAtATime;

impl OneAtATime {
    fn take() -> Result<Self, Rejection> {
        if POPUP_OPEN.with(|open| open.replace(true)) {
            Err(Rejection::new(
                RejectCode::PopupAlreadyOpen,
                "a payment popup is already open",
            ))
        } else {
            Ok(OneAtATime)
        }
    }
}

impl Drop for OneAtATime {
    fn drop(&mut self) {
        POPUP_OPEN.with(|open| open.set(false));
    }
}

#[cfg(feature = "testing")]
pub fn forget_open_popup() {
    POPUP_OPEN.with(|open| open.set(false));
}

/// `startPayment` itself: the Promise's value, or the `Error` it rejects with. (JS values out,
/// and no wrapper future around it: size budget.)
pub async fn start(transport: Rc<dyn Transport>, payment_id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let (id, options, _one) = prepare(payment_id, options).map_err(Rejection::into_js)?;
    let not_found = || Rejection::new(RejectCode::PaymentNotFound, "no such payment").into_js();
    let id = PaymentId::parse(&id).map_err(|_| not_found())?;
    let client = CheckoutClient::new(transport, &base_url(), id.as_str());
    let view = match read::<CheckoutView>(client.view().await) {
        Ok(view) => view,
        Err(ClientError::Api { status, code, .. }) if status == 404 || code == "payment_not_found" => {
            return Err(not_found())
        }
        Err(_) => {
            return Err(Rejection::new(
                RejectCode::NetworkError,
                "the payment server could not be reached or gave no usable answer",
            )
            .into_js())
        }
    };
    let result = if view.payable {
        let popup = Popup::open(options.locale.clone(), &options.theme)
            .map_err(|_| Rejection::invalid("the popup needs a document with a body").into_js())?;
        let result = flow::run(&popup, &client, view, &options).await;
        drop(popup);
        result
    } else {
        flow::not_payable(view)
    };
    Ok(values::write(&result))
}

/// The checks before anything is fetched or shown: the arguments, then the one-popup rule.
fn prepare(payment_id: JsValue, options: JsValue) -> Result<(String, Options, OneAtATime), Rejection> {
    let id = payment_id
        .as_string()
        .filter(|s| (1..=256).contains(&s.chars().count()))
        .ok_or(Rejection::invalid("paymentId must be a string of 1 to 256 characters"))?;
    let raw = read_options(options)?;
    if raw.user_info.is_some() {
        web_sys::console::warn_1(
            &"Pay: options.userInfo is deprecated; pass userInfo to createPayment on the server.".into(),
        );
    }
    let language = web_sys::window().and_then(|w| w.navigator().language());
    let options = Options::check(raw, language.as_deref())?;
    Ok((id, options, OneAtATime::take()?))
}

/// `undefined`/`null` mean no options; anything but a plain object is an invalid argument, and
/// so is a known option of the wrong type, named in the message.
fn read_options(options: JsValue) -> Result<PaymentOptions, Rejection> {
    if options.is_undefined() || options.is_null() {
        return Ok(PaymentOptions::default());
    }
    if !values::is_object(&options) {
        return Err(Rejection::invalid("options: a PaymentOptions object"));
    }
    // Unknown top-level keys are ignored (pages written for the original API pass others), but
    // a typo inside `theme` or `userInfo` is refused.
    type UnknownKey = fn(&JsValue) -> Option<String>;
    let strict: [(&str, UnknownKey); 2] = [
        ("theme", values::unknown_key::<Theme>),
        ("userInfo", values::unknown_key::<BrowserUserInfo>),
    ];
    for (key, unknown_key) in strict {
        let nested = values::get(&options, key);
        if let Some(field) = Some(&nested).filter(|v| values::is_object(v)).and_then(unknown_key) {
            return Err(Rejection::invalid(format!("options.{key}: unknown field `{field}`")));
        }
    }
    values::read_at_path(options).map_err(|why| Rejection::invalid(format!("options.{why}")))
}
