//! pay-types values into JS objects and JSON text, with `Reflect.set` and `JSON.stringify`
//! rather than serde_json's serializer (size budget). Amounts become JS numbers parsed from
//! the decimal's own digits, the closest a JS number can be.
//!
//! Drift is guarded by a browser test that reads the output back with pay-types' own
//! `Deserialize` (`tests/decode.rs`).

use pay_types::{
    Amount, AttemptRequest, BrowserPayment, BrowserUserInfo, ConversionRate, ConvertAmountsRequest, ConvertedAmounts,
    CurrencyInfo, PaymentMethod, PaymentResult,
};
use wasm_bindgen::JsValue;

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

fn opt_str(v: &Option<String>) -> JsValue {
    v.as_deref().map_or(JsValue::NULL, JsValue::from)
}

fn number(a: Amount) -> JsValue {
    js_sys::Number::parse_float(&crate::decimal::text(a.value())).into()
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

/// `getAllCurrencies()` and `siteSettings.getCurrencies()`: `[{code, symbol}]`.
pub fn currency_list(list: &[CurrencyInfo]) -> JsValue {
    let out = js_sys::Array::new();
    for c in list {
        let o = js_sys::Object::new();
        set(&o, "code", &c.code.as_str().into());
        set(&o, "symbol", &c.symbol.as_str().into());
        out.push(&o);
    }
    out.into()
}

/// `getConversionRate(from, to)`: `{rate, timestamp}`.
pub fn conversion_rate(r: &ConversionRate) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "rate", &number(r.rate));
    set(&o, "timestamp", &r.timestamp.as_str().into());
    o.into()
}

/// `convertAmounts(...)`: `{amounts, timestamp}`.
pub fn converted_amounts(c: &ConvertedAmounts) -> JsValue {
    let o = js_sys::Object::new();
    let amounts = js_sys::Array::new();
    for a in &c.amounts {
        amounts.push(&number(*a));
    }
    set(&o, "amounts", &amounts);
    set(&o, "timestamp", &c.timestamp.as_str().into());
    o.into()
}

/// The JSON body of `POST /pay/v1/currencies/convert`, written by hand so every amount is a
/// JSON number made of its decimal's own digits (`JSON.stringify` would go through a float).
pub fn convert_request(r: &ConvertAmountsRequest) -> String {
    let mut out = String::from("{\"amounts\":[");
    for (i, a) in r.amounts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&crate::decimal::text(a.value()));
    }
    out.push_str("],\"from\":");
    out.push_str(&json_string(&r.from));
    out.push_str(",\"to\":");
    out.push_str(&json_string(&r.to));
    out.push('}');
    out
}

fn json_string(s: &str) -> String {
    js_sys::JSON::stringify(&s.into())
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
