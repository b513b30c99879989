//! The contact step's country: a list of names in the popup's locale (`Intl.DisplayNames`,
//! no name table shipped), sorted for that locale, preselected from the prefilled `userInfo`
//! or the browser's region, and sending the ISO 3166-1 alpha-3 code.

mod support;

use pay_types::CountryCode;
use serde_json::json;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlSelectElement;

wasm_bindgen_test_configure!(run_in_browser);

fn country_select() -> HtmlSelectElement {
    find("select[name=country]")
        .expect("the country is a <select>")
        .unchecked_into()
}

/// Every option as `(value, text)`, in order.
fn options() -> Vec<(String, String)> {
    let options = country_select().options();
    (0..options.length())
        .map(|i| {
            let o = options.item(i).unwrap();
            (
                o.get_attribute("value").unwrap_or_default(),
                o.text_content().unwrap_or_default(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn countries_are_named_and_sorted_in_the_popup_locale() {
    for (locale, title, gbr) in [
        ("en", "Contact details", Some("United Kingdom")),
        ("fr", "Coordonnées", Some("Royaume-Uni")),
        ("he", "פרטי התקשרות", None),
    ] {
        let fake = Fake::new();
        let run = start(&fake, opts(json!({ "locale": locale })));
        wait_step(title).await;
        let label = find("label[for=pay-country]").unwrap().text_content().unwrap();
        assert!(!label.contains("3-letter"), "{label}");
        let all = options();
        // "Choose a country" (no country), then every ISO 3166-1 code once.
        assert_eq!(all[0].0, "");
        assert_eq!(all.len(), 1 + CountryCode::all().count(), "{locale}");
        for (code, name) in &all[1..] {
            let country = CountryCode::parse(code).unwrap_or_else(|_| panic!("{code} is not alpha-3"));
            let expected = js(&format!(
                "return new Intl.DisplayNames([{locale:?}], {{type: 'region'}}).of({:?});",
                country.alpha2()
            ));
            assert_eq!(Some(name.clone()), expected.as_string(), "{locale} {code}");
        }
        let name_of = |code: &str| all.iter().find(|(c, _)| c == code).unwrap().1.clone();
        if let Some(gbr) = gbr {
            assert_eq!(name_of("GBR"), gbr);
        }
        // Sorted by the locale's collation.
        let names: Vec<&str> = all[1..].iter().map(|(_, n)| n.as_str()).collect();
        let sorted = js(&format!(
            "const n = {}; return n.every((s, i) => i === 0 || n[i - 1].localeCompare(s, {locale:?}) <= 0);",
            serde_json::to_string(&names).unwrap()
        ));
        assert_eq!(sorted.as_bool(), Some(true), "{locale}");
        press("Escape", false).await;
        settle(run).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_prefilled_country_is_selected_and_the_alpha3_code_is_sent() {
    let fake = Fake::new();
    fake.set_view(
        "userInfo",
        json!({"firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com",
               "phone": null, "country": "CAN"}),
    );
    let run = start(&fake, opts(json!({"locale": "en"})));
    wait_step("Contact details").await;
    assert_eq!(country_select().value(), "CAN");
    // The visitor picks another one, as a keyboard or a pointer does: value, then `input`.
    type_into("country", "DEU").await;
    submit().await;
    wait_step("Card details").await;
    fill_card("4242424242424242").await;
    submit().await;
    wait_step("Thank you!").await;
    click("[data-action=done]").await;
    let result = settle(run).await.unwrap();
    assert_eq!(result["userInfo"]["country"], "DEU");
    assert_eq!(
        fake.attempts()[0].user_info.as_ref().unwrap().country.as_deref(),
        Some("DEU")
    );
}

#[wasm_bindgen_test]
async fn without_a_prefilled_country_the_browser_region_is_selected() {
    let fake = Fake::new();
    let run = start(&fake, opts(json!({"locale": "fr"})));
    wait_step("Coordonnées").await;
    let region = js("return new Intl.Locale(navigator.language).maximize().region ?? '';")
        .as_string()
        .unwrap();
    let expected = CountryCode::from_alpha2(&region).map_or("", CountryCode::as_str);
    assert!(!expected.is_empty(), "navigator.language has no region: {region:?}");
    assert_eq!(country_select().value(), expected);
    // "No country" stays possible: the field is optional.
    type_into("country", "").await;
    fill(&[
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@example.com"),
    ])
    .await;
    submit().await;
    wait_step("Carte bancaire").await;
    press("Escape", false).await;
    settle(run).await.unwrap();
}
