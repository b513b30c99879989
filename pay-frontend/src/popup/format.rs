//! Money for display: `Intl.NumberFormat` with the currency, in the popup's locale.
//! The amount goes in as its decimal text, which Intl formats exactly (no float round trip).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;

    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, value: &str) -> String;
}

pub struct MoneyFormat {
    intl: Option<NumberFormat>,
    currency: &'static str,
}

impl MoneyFormat {
    pub fn new(locale_tag: &str, currency: &'static str) -> MoneyFormat {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
        let intl = NumberFormat::new(locale_tag, &options)
            .or_else(|_| NumberFormat::new("en", &options))
            .ok();
        MoneyFormat { intl, currency }
    }

    /// `decimal` is a plain decimal text such as `"19.98"`.
    pub fn format(&self, decimal: &str) -> String {
        match &self.intl {
            Some(intl) => intl.format(decimal),
            None => {
                let mut s = String::with_capacity(decimal.len() + 4);
                s.push_str(decimal);
                s.push(' ');
                s.push_str(self.currency);
                s
            }
        }
    }
}
