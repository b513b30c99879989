//! The contact step's country list: every ISO 3166-1 country of pay-types' table (codes
//! only), named in the popup's locale by `Intl.DisplayNames` and sorted by the locale's
//! `Intl.Collator` (the browser's `Array.prototype.sort`), so no name table ships. Each
//! option's value is the alpha-3 code the server takes.

use js_sys::{Array, Intl, JsString, Object, Reflect};
use pay_types::CountryCode;
use wasm_bindgen::JsValue;

/// `(alpha-3 code, name)` of every country, sorted by name in the locale `tag`.
pub fn named(tag: &str) -> Vec<(&'static str, String)> {
    let locales = Array::of1(&tag.into());
    let options = Object::new();
    let _ = Reflect::set(&options, &"type".into(), &"region".into());
    let names = Intl::DisplayNames::new(&locales, &options);
    let countries: Vec<(&'static str, JsString)> = CountryCode::all()
        .map(|c| (c.as_str(), names.of(c.alpha2()).unwrap_or_else(|| c.as_str().into())))
        .collect();
    // Indices sorted in JS by the collator (no sort code of our own in the wasm).
    let compare = Intl::Collator::new(&locales, &Object::new()).compare();
    let index = |v: &JsValue| v.as_f64().unwrap_or(0.0) as usize;
    let order: Array = (0..countries.len()).map(|i| JsValue::from(i as u32)).collect();
    order.sort_by(&mut |a: JsValue, b: JsValue| {
        compare
            .call2(&JsValue::NULL, &countries[index(&a)].1, &countries[index(&b)].1)
            .ok()
            .and_then(|r| r.as_f64())
            .unwrap_or(0.0) as i32
    });
    order
        .iter()
        .map(|i| {
            let (code, name) = &countries[index(&i)];
            (*code, String::from(name))
        })
        .collect()
}

/// The code of `prefilled` when it is a known country (in any case), `""` (no country)
/// otherwise.
pub fn known(prefilled: Option<&str>) -> &'static str {
    prefilled
        .and_then(|p| CountryCode::all().find(|c| c.as_str().eq_ignore_ascii_case(p)))
        .map_or("", CountryCode::as_str)
}

/// The region of the browser's language (`en-GB` is the United Kingdom; a bare `fr` is
/// France, as `Intl.Locale`'s likely subtags have it): the country the contact step offers
/// when none was prefilled.
pub fn of_browser() -> Option<&'static str> {
    let language = web_sys::window()?.navigator().language()?;
    let region = Intl::Locale::new(&language).ok()?.maximize().region()?;
    CountryCode::from_alpha2(&String::from(region)).map(CountryCode::as_str)
}
