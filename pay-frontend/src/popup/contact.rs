//! Contact details: names and e-mail required, phone and country optional; prefilled. The
//! country is a list of names in the popup's locale (`country.rs`), sending the alpha-3 code.

use super::checkout::Exit;
use super::country;
use super::events::UiEvent;
use super::view::{self, Field, FieldSpec};
use super::Popup;
use crate::i18n::Msg;
use pay_types::{BrowserUserInfo, Email, PersonName, Phone};

const FIELDS: [&str; 5] = ["firstName", "lastName", "email", "phone", "country"];

/// `first`: the step's first showing, when a missing country is the browser's region.
pub async fn run(popup: &Popup, info: &mut BrowserUserInfo, first: bool) -> Exit {
    view::clear(&popup.step);
    view::heading(&popup.step, popup.t(Msg::ContactTitle));
    let form = view::form(&popup.step);
    let values = [&info.first_name, &info.last_name, &info.email, &info.phone];
    let specs: [(Msg, &str, &str, bool); 4] = [
        (Msg::FirstName, "text", "given-name", true),
        (Msg::LastName, "text", "family-name", true),
        (Msg::Email, "email", "email", true),
        (Msg::Phone, "tel", "tel", false),
    ];
    let mut fields: Vec<Field> = FIELDS
        .iter()
        .zip(specs)
        .zip(values)
        .map(|((name, (label, kind, autocomplete, required)), value)| {
            Field::new(
                &form,
                FieldSpec {
                    name,
                    label: popup.t(label),
                    kind,
                    autocomplete,
                    required,
                    value: value.as_deref().unwrap_or(""),
                },
                popup.t(Msg::Optional),
            )
        })
        .collect();
    let countries = country::named(&popup.locale.tag);
    let no_country = [("", popup.t(Msg::ChooseCountry))];
    fields.push(Field::select(
        &form,
        FieldSpec {
            name: FIELDS[4],
            label: popup.t(Msg::Country),
            kind: "",
            autocomplete: "country",
            required: false,
            // Prefilled, or (first showing) the browser's region; "" is "Choose a country".
            value: match country::known(info.country.as_deref()) {
                "" if first => country::of_browser().unwrap_or(""),
                code => code,
            },
        },
        popup.t(Msg::Optional),
        no_country
            .into_iter()
            .chain(countries.iter().map(|(code, name)| (*code, name.as_str()))),
    ));
    let buttons = view::child(&form, "div", "actions");
    view::button(&buttons, "primary", "submit", "", popup.t(Msg::Continue));
    popup.focus_step();

    let check = |i: usize| {
        let msg = validate(i, &fields[i].value());
        fields[i].show_error(msg.map(|m| popup.t(m)));
        msg.is_none()
    };
    loop {
        match popup.events.next().await {
            UiEvent::Close => return Exit::Close,
            UiEvent::Expired => return Exit::Expired,
            UiEvent::Input(name) | UiEvent::Blur(name) => {
                if let Some(i) = FIELDS.iter().position(|f| *f == name) {
                    // Live: a shown error clears as soon as the value is fixed; a new error
                    // appears when the visitor leaves a non-empty field.
                    if fields[i].has_error() || !fields[i].value().trim().is_empty() {
                        check(i);
                    }
                }
            }
            UiEvent::Submit => {
                // Every field is checked (each shows its own error), not just up to the first.
                let all_ok = (0..FIELDS.len()).filter(|&i| !check(i)).count() == 0;
                if !all_ok {
                    popup.focus_step();
                    continue;
                }
                let value = |i: usize| Some(fields[i].value().trim().to_owned()).filter(|v| !v.is_empty());
                *info = BrowserUserInfo {
                    first_name: value(0),
                    last_name: value(1),
                    email: value(2),
                    phone: value(3),
                    country: value(4),
                };
                return Exit::Continue;
            }
            UiEvent::Action(_) | UiEvent::Tick => {}
        }
    }
}

/// The message for the value of field `i` of [`FIELDS`], `None` when it is fine. By index,
/// not by name: no string comparisons.
pub fn validate(i: usize, raw: &str) -> Option<Msg> {
    let v = raw.trim();
    if v.is_empty() {
        // firstName, lastName and email are required.
        return (i < 3).then_some(Msg::ErrRequired);
    }
    let (ok, msg) = match i {
        0 | 1 => (PersonName::parse(v).is_ok(), Msg::ErrName),
        2 => (Email::parse(v).is_ok(), Msg::ErrEmail),
        3 => (Phone::parse(v).is_ok(), Msg::ErrPhone),
        // The list only holds ISO 3166 codes; the server checks again (`invalid_country`,
        // shown like this message).
        _ => (
            v.len() == 3 && v.bytes().all(|b| b.is_ascii_alphabetic()),
            Msg::ErrCountry,
        ),
    };
    (!ok).then_some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_rules() {
        assert_eq!(validate(0, " "), Some(Msg::ErrRequired));
        assert_eq!(validate(3, ""), None);
        assert_eq!(validate(2, "ada@example"), Some(Msg::ErrEmail));
        assert_eq!(validate(2, "ada@example.com"), None);
        assert_eq!(validate(4, "usa"), None);
        assert_eq!(validate(4, "US"), Some(Msg::ErrCountry));
        assert_eq!(validate(4, "U5A"), Some(Msg::ErrCountry));
        assert_eq!(validate(3, "call me"), Some(Msg::ErrPhone));
    }
}
