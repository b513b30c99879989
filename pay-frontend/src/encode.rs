//! pay-types values into JS objects and JSON text, with `Reflect.set` and `JSON.stringify`
//! rather than serde_json's serializer (size budget). Amounts become JS numbers parsed from
//! the decimal's own digits, the closest a JS number can be.
//!
//! Drift is guarded by a browser test that reads the output back with pay-types' own
//! `Deserialize` (`tests/decode.rs`).

use pay_types::{Amount, AttemptRequest, BrowserPayment, BrowserUserInfo, PaymentMethod, PaymentResult};
use wasm_bindgen::JsValue;

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

fn opt_str(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::NULL, JsValue::from)
}

fn number(a: Amount) -> JsValue {
    js_sys::Number::parse_float(&a.to_string()).into()
}

fn user_info(u: &BrowserUserInfo) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "firstName", &opt_str(&u.first_name));
    set(&o, "lastName", &opt_str(&u.last_name));
    set(&o, "email", &opt_str(&u.email));
    set(&o, "phone", &opt_str(&u.phone));
    set(&o, "country", &opt_str(&u.country));
    o.into()
}

fn payment(p: &BrowserPayment) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "id", &p.id.as_str().into());
    set(&o, "amount", &number(p.amount));
    set(&o, "currency", &p.currency.code().into());
    let items = js_sys::Array::new();
    for item in &p.items {
        let i = js_sys::Object::new();
        set(&i, "name", &item.name.as_str().into());
        set(&i, "price", &number(item.price));
        set(&i, "quantity", &item.quantity.get().into());
        items.push(&i);
    }
    set(&o, "items", &items);
    o.into()
}

/// The resolution value of `startPayment`.
pub fn payment_result(r: &PaymentResult) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "payment", &payment(&r.payment));
    set(&o, "status", &r.status.as_str().into());
    set(&o, "transactionId", &opt_str(&r.transaction_id));
    set(&o, "userInfo", &r.user_info.as_ref().map_or(JsValue::NULL, user_info));
    o.into()
}

/// The JSON body of `POST …/attempts`.
pub fn attempt_request(r: &AttemptRequest) -> String {
    let o = js_sys::Object::new();
    set(&o, "attemptId", &r.attempt_id.as_str().into());
    let method = match r.method {
        PaymentMethod::Card => "card",
        PaymentMethod::Offline => "offline",
    };
    set(&o, "method", &method.into());
    set(&o, "userInfo", &r.user_info.as_ref().map_or(JsValue::NULL, user_info));
    let card = match &r.card {
        None => JsValue::NULL,
        Some(c) => {
            let card = js_sys::Object::new();
            set(&card, "number", &c.number.as_str().into());
            set(&card, "expMonth", &c.exp_month.into());
            set(&card, "expYear", &c.exp_year.into());
            set(&card, "cvc", &c.cvc.as_str().into());
            card.into()
        }
    };
    set(&o, "card", &card);
    js_sys::JSON::stringify(&o)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
