//! JSON into pay-types values, read from `JSON.parse` output with a few typed accessors
//! instead of a serde deserializer: the SDK's size budget has no room for serde_json's
//! parser and a deserializer per type. Amounts stay exact: a JSON number's shortest decimal
//! text (`String(n)`, what the server wrote for any money amount) is parsed by `Amount`.
//!
//! Drift is guarded by a browser test that decodes what pay-types' own `Serialize` writes
//! (`tests/decode.rs`). Unknown keys are ignored in answers and refused in options.

use crate::options::{PayConfig, PaymentOptions, Theme};
use pay_types::{
    Amount, AttemptResult, BrowserPayment, BrowserUserInfo, Challenge, CheckoutView, ConversionRate,
    ConvertAmountsRequest, ConvertedAmounts, Currency, CurrencyInfo, Decline, DeclineCode, ItemName, PaymentId,
    PaymentMethod, Quantity, TransactionStatus, ValidItem,
};
use wasm_bindgen::{JsCast, JsValue};

/// The JSON is not the documented shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError;

pub type Decoded<T> = Result<T, DecodeError>;

pub fn parse(text: &str) -> Decoded<JsValue> {
    js_sys::JSON::parse(text).map_err(|_| DecodeError)
}

fn object(v: &JsValue) -> Decoded<&JsValue> {
    if v.is_object() && !js_sys::Array::is_array(v) {
        Ok(v)
    } else {
        Err(DecodeError)
    }
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn string(v: &JsValue) -> Decoded<String> {
    v.as_string().ok_or(DecodeError)
}

fn opt<T>(v: JsValue, read: impl FnOnce(&JsValue) -> Decoded<T>) -> Decoded<Option<T>> {
    if absent(&v) {
        Ok(None)
    } else {
        read(&v).map(Some)
    }
}

fn boolean(v: &JsValue) -> Decoded<bool> {
    v.as_bool().ok_or(DecodeError)
}

fn u32_of(v: &JsValue) -> Decoded<u32> {
    match v.as_f64() {
        Some(n) if n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0 => Ok(n as u32),
        _ => Err(DecodeError),
    }
}

/// A JSON number's shortest decimal text (`String(n)`), or a string as it is.
fn number_text(v: &JsValue) -> Decoded<String> {
    match v.as_string() {
        Some(s) => Ok(s),
        None if v.as_f64().is_some() => Ok(v
            .unchecked_ref::<js_sys::Number>()
            .to_string_with_radix(10)
            .map_err(|_| DecodeError)?
            .into()),
        None => Err(DecodeError),
    }
}

/// A JSON number (or decimal string) as an exact `Amount`.
fn amount(v: &JsValue) -> Decoded<Amount> {
    // Plain decimal text only (what money is written as): exponent forms are refused.
    crate::decimal::parse(&number_text(v)?)
        .map(Amount::new)
        .ok_or(DecodeError)
}

/// A JSON number (or decimal string) as an exact `Amount`, exponent forms included: a rate or
/// a converted amount may be tiny or huge, and `String(1e-7)` is `"1e-7"`.
fn any_amount(v: &JsValue) -> Decoded<Amount> {
    let text = number_text(v)?;
    let read = match text.bytes().position(|b| b | 0x20 == b'e') {
        None => crate::decimal::parse(&text),
        Some(e) => crate::decimal::scientific(&text.as_bytes()[..e], &text.as_bytes()[e + 1..]),
    };
    read.map(Amount::new).ok_or(DecodeError)
}

fn amounts(v: &JsValue) -> Decoded<Vec<Amount>> {
    array(v)?.iter().map(|a| any_amount(&a)).collect()
}

fn array(v: &JsValue) -> Decoded<js_sys::Array> {
    if js_sys::Array::is_array(v) {
        Ok(v.clone().unchecked_into())
    } else {
        Err(DecodeError)
    }
}

fn status(v: &JsValue) -> Decoded<TransactionStatus> {
    TransactionStatus::parse(&string(v)?).ok_or(DecodeError)
}

fn item(v: &JsValue) -> Decoded<ValidItem> {
    object(v)?;
    let quantity = amount(&get(v, "quantity"))?;
    Ok(ValidItem {
        name: ItemName::parse(&string(&get(v, "name"))?).map_err(|_| DecodeError)?,
        price: amount(&get(v, "price"))?,
        quantity: Quantity::parse(quantity.value()).map_err(|_| DecodeError)?,
    })
}

fn payment(v: &JsValue) -> Decoded<BrowserPayment> {
    object(v)?;
    Ok(BrowserPayment {
        id: PaymentId::parse(&string(&get(v, "id"))?).map_err(|_| DecodeError)?,
        amount: amount(&get(v, "amount"))?,
        currency: Currency::parse(&string(&get(v, "currency"))?).map_err(|_| DecodeError)?,
        items: array(&get(v, "items"))?
            .iter()
            .map(|i| item(&i))
            .collect::<Decoded<_>>()?,
    })
}

const USER_INFO_KEYS: [&str; 6] = ["firstName", "lastName", "email", "phone", "country", "countryCode"];

/// The browser shape; `countryCode` is accepted for `country`. With `strict`, unknown keys
/// are refused (input from a page), otherwise ignored (answers from the server).
fn user_info(v: &JsValue, strict: bool) -> Decoded<BrowserUserInfo> {
    object(v)?;
    if strict && !keys_within(v, &USER_INFO_KEYS) {
        return Err(DecodeError);
    }
    let s = |key: &str| opt(get(v, key), string);
    Ok(BrowserUserInfo {
        first_name: s("firstName")?,
        last_name: s("lastName")?,
        email: s("email")?,
        phone: s("phone")?,
        country: match s("country")? {
            Some(c) => Some(c),
            None => s("countryCode")?,
        },
    })
}

fn keys_within(v: &JsValue, allowed: &[&str]) -> bool {
    js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>())
        .iter()
        .all(|k| k.as_string().is_some_and(|k| allowed.contains(&k.as_str())))
}

fn method(v: &JsValue) -> Decoded<PaymentMethod> {
    match string(v)?.as_str() {
        "card" => Ok(PaymentMethod::Card),
        "offline" => Ok(PaymentMethod::Offline),
        _ => Err(DecodeError),
    }
}

fn decline(v: &JsValue) -> Decoded<Decline> {
    object(v)?;
    Ok(Decline {
        code: DeclineCode::parse(&string(&get(v, "code"))?).ok_or(DecodeError)?,
        message: string(&get(v, "message"))?,
    })
}

/// `GET /pay/v1/checkout/{id}`.
pub fn checkout_view(v: &JsValue) -> Decoded<CheckoutView> {
    object(v)?;
    Ok(CheckoutView {
        payment: payment(&get(v, "payment"))?,
        status: status(&get(v, "status"))?,
        transaction_id: opt(get(v, "transactionId"), string)?,
        user_info: opt(get(v, "userInfo"), |u| user_info(u, false))?,
        // An unknown method (a newer server) is not offered rather than an error.
        methods: array(&get(v, "methods"))?
            .iter()
            .filter_map(|m| method(&m).ok())
            .collect(),
        payable: boolean(&get(v, "payable"))?,
        attempts_left: u32_of(&get(v, "attemptsLeft"))?,
    })
}

/// `POST …/attempts` and `GET …/result`.
pub fn attempt_result(v: &JsValue) -> Decoded<AttemptResult> {
    object(v)?;
    Ok(AttemptResult {
        attempt_id: opt(get(v, "attemptId"), string)?,
        status: status(&get(v, "status"))?,
        transaction_id: opt(get(v, "transactionId"), string)?,
        decline: opt(get(v, "decline"), decline)?,
        payment: payment(&get(v, "payment"))?,
        user_info: opt(get(v, "userInfo"), |u| user_info(u, false))?,
        attempts_left: u32_of(&get(v, "attemptsLeft"))?,
        // Both absent from the answers of a server older than the 3-D Secure step.
        processing: opt(get(v, "processing"), boolean)?.unwrap_or(false),
        challenge: opt(get(v, "challenge"), challenge)?,
    })
}

fn challenge(v: &JsValue) -> Decoded<Challenge> {
    object(v)?;
    Ok(Challenge {
        url: string(&get(v, "url"))?,
        expires_at: string(&get(v, "expiresAt"))?,
    })
}

/// `GET /pay/v1/currencies` and `GET /pay/v1/site/currencies`: `[{code, symbol}]`.
pub fn currency_list(v: &JsValue) -> Decoded<Vec<CurrencyInfo>> {
    array(v)?
        .iter()
        .map(|c| {
            object(&c)?;
            Ok(CurrencyInfo {
                code: string(&get(&c, "code"))?,
                symbol: string(&get(&c, "symbol"))?,
            })
        })
        .collect()
}

/// `GET /pay/v1/currencies/rate`: `{rate, timestamp}`.
pub fn conversion_rate(v: &JsValue) -> Decoded<ConversionRate> {
    object(v)?;
    Ok(ConversionRate {
        rate: any_amount(&get(v, "rate"))?,
        timestamp: string(&get(v, "timestamp"))?,
    })
}

/// `POST /pay/v1/currencies/convert`: `{amounts, timestamp}`.
pub fn converted_amounts(v: &JsValue) -> Decoded<ConvertedAmounts> {
    object(v)?;
    Ok(ConvertedAmounts {
        amounts: amounts(&get(v, "amounts"))?,
        timestamp: string(&get(v, "timestamp"))?,
    })
}

/// `convertAmounts`' argument: `{amounts, from, to}`, amounts as numbers or decimal strings.
/// Other keys are ignored, like `startPayment`'s options.
pub fn convert_request(v: &JsValue) -> Decoded<ConvertAmountsRequest> {
    object(v)?;
    Ok(ConvertAmountsRequest {
        amounts: amounts(&get(v, "amounts"))?,
        from: string(&get(v, "from"))?,
        to: string(&get(v, "to"))?,
    })
}

/// The `code` and `message` of a `{code, message}` error body (the message may be missing).
pub fn error_body(v: &JsValue) -> Decoded<(String, String)> {
    object(v)?;
    Ok((
        string(&get(v, "code"))?,
        opt(get(v, "message"), string)?.unwrap_or_default(),
    ))
}

const THEME_KEYS: [&str; 4] = ["accentColor", "backgroundColor", "textColor", "borderRadius"];

/// `startPayment`'s options: a plain object whose known keys have the right types. Unknown
/// top-level keys are ignored (pages written for the original API pass others).
pub fn payment_options(v: &JsValue) -> Decoded<PaymentOptions> {
    object(v)?;
    let b = |key: &str| opt(get(v, key), boolean);
    let s = |key: &str| opt(get(v, key), string);
    Ok(PaymentOptions {
        show_thank_you_page: b("showThankYouPage")?,
        terms_and_conditions_link: s("termsAndConditionsLink")?,
        skip_user_info_page: b("skipUserInfoPage")?,
        user_info: opt(get(v, "userInfo"), |u| user_info(u, true))?,
        allow_manual_payment: b("allowManualPayment")?,
        locale: s("locale")?,
        theme: opt(get(v, "theme"), theme)?,
    })
}

fn theme(v: &JsValue) -> Decoded<Theme> {
    object(v)?;
    if !keys_within(v, &THEME_KEYS) {
        return Err(DecodeError);
    }
    let s = |key: &str| opt(get(v, key), string);
    Ok(Theme {
        accent_color: s("accentColor")?,
        background_color: s("backgroundColor")?,
        text_color: s("textColor")?,
        border_radius: s("borderRadius")?,
    })
}

/// `configure`'s argument.
pub fn pay_config(v: &JsValue) -> Decoded<PayConfig> {
    object(v)?;
    Ok(PayConfig {
        base_url: opt(get(v, "baseUrl"), string)?,
    })
}
