//! JS values in and out of the pay-types types, by serde-wasm-bindgen: the arguments pages
//! pass, the values the SDK resolves with, and the checkout API's JSON, which the browser
//! parses (`JSON.parse`) and writes (`JSON.stringify`): nothing in the wasm reads or writes
//! JSON text itself.
//!
//! Amounts are JS numbers both ways (pay-types without its `json` feature): written as the JS
//! number nearest the decimal, read from the shortest decimal text of the JS number, which is
//! the text the server wrote for any amount a JS number holds.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// An object that is not an array: what an argument of the shape of a struct must be (serde
/// would read an array positionally into a struct).
pub fn is_object(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value)
}

/// A JS value as `T`; the error says what was expected.
pub fn read<T: DeserializeOwned>(value: JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(value)
}

/// The message of a serde-wasm-bindgen error (a JS `Error`, whose text would start with
/// `Error: `).
pub fn message(error: serde_wasm_bindgen::Error) -> String {
    let error = JsValue::from(error);
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => e.message().into(),
        None => error.as_string().unwrap_or_default(),
    }
}

/// A JS value as `T`, or the path of the first key that is not what `T` expects, with why
/// (`theme.accentColor: invalid type: …`).
pub fn read_at_path<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let why = message(e.into_inner());
        if path == "." {
            why
        } else {
            format!("{path}: {why}")
        }
    })
}

/// `value` as plain JS objects and arrays with the wire's key names, and `null` (never a
/// missing key) for what is absent, as the JSON answers have it. The types the SDK writes hold
/// nothing a JS value cannot (no integer above 2^53), so this cannot fail.
pub fn write<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
        .unwrap_or(JsValue::NULL)
}

/// The JSON text of a request body: [`write`], then `JSON.stringify`.
pub fn json_text<T: Serialize>(value: &T) -> String {
    js_sys::JSON::stringify(&write(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The browser's `JSON.parse`; `None` for text that is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// `value[key]`, or `undefined` (a JS object the SDK only looks into: a `message` event).
pub fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The first own key of the object `value` that `T` does not read, if any. serde-wasm-bindgen
/// looks up a struct's fields by name and never sees other keys, so `deny_unknown_fields`
/// does not hold for JS values: an argument whose typos should be refused (`theme`, `userInfo`,
/// `convertAmounts`' argument) is checked with this.
pub fn unknown_key<T: DeserializeOwned>(value: &JsValue) -> Option<String> {
    let fields = fields::of::<T>();
    js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .find(|k| !fields.contains(&k.as_str()))
}

/// The keys (aliases included) a derived `Deserialize` of a struct reads: the `fields` it hands
/// to `deserialize_struct`, caught by a deserializer that stops there.
mod fields {
    use serde::de::{self, DeserializeOwned, Visitor};
    use std::fmt;

    pub fn of<T: DeserializeOwned>() -> &'static [&'static str] {
        match T::deserialize(Catch) {
            Err(Caught(fields)) => fields,
            Ok(_) => &[],
        }
    }

    struct Catch;

    #[derive(Debug)]
    struct Caught(&'static [&'static str]);

    impl fmt::Display for Caught {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("not a struct")
        }
    }

    impl std::error::Error for Caught {}

    impl de::Error for Caught {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Caught(&[])
        }
    }

    impl<'de> de::Deserializer<'de> for Catch {
        type Error = Caught;

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Caught> {
            Err(Caught(fields))
        }

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Caught> {
            Err(Caught(&[]))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
}
