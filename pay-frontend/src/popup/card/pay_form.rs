//! Pay's own card form (the sandbox: test cards only): card number, expiry and CVC with live
//! validation (Luhn, expiry in the future, CVC length for the brand, brand shown as typed).
//! The attempt carries the card as typed (`card`).

use super::super::events::UiEvent;
use super::super::view::{self, Field, FieldSpec};
use super::super::Popup;
use crate::i18n::Msg;
use pay_types::card::card_digits;
use pay_types::{CardBrand, CardInput, CardNumber, Cvc, ErrorCode, Expiry};
use web_sys::Element;

const NUMBER: usize = 0;
const EXPIRY: usize = 1;
const CVC: usize = 2;
const NAMES: [&str; 3] = ["cardNumber", "cardExpiry", "cardCvc"];

pub struct PayForm {
    fields: Vec<Field>,
    brand_line: Element,
}

impl PayForm {
    pub fn render(popup: &Popup, form: &Element) -> PayForm {
        let specs = [
            (Msg::CardNumber, "cc-number", "1234 1234 1234 1234"),
            (Msg::Expiry, "cc-exp", "MM/YY"),
            (Msg::Cvc, "cc-csc", "123"),
        ];
        let fields: Vec<Field> = NAMES
            .iter()
            .zip(specs)
            .map(|(name, (label, autocomplete, placeholder))| {
                let f = Field::new(
                    form,
                    FieldSpec {
                        name,
                        label: popup.t(label),
                        kind: "text",
                        autocomplete,
                        required: true,
                        value: "",
                    },
                    "",
                );
                view::set(&f.input, "inputmode", "numeric");
                view::set(&f.input, "placeholder", placeholder);
                f
            })
            .collect();
        let brand_line = view::child(form, "p", "brand");
        view::set(&brand_line, "aria-live", "polite");
        // Right under the card number it belongs to.
        let _ = form.insert_before(&brand_line, fields[EXPIRY].input.parent_node().as_ref());
        PayForm { fields, brand_line }
    }

    fn brand(&self) -> CardBrand {
        CardBrand::detect(&card_digits(&self.fields[NUMBER].value()).unwrap_or_default())
    }

    fn check_field(&self, popup: &Popup, i: usize) -> bool {
        let msg = validate(i, &self.fields[i].value(), self.brand(), today());
        self.fields[i].show_error(msg.map(|m| popup.t(m)));
        msg.is_none()
    }

    /// Live validation as the visitor types and leaves a field.
    pub fn on_event(&self, popup: &Popup, event: &UiEvent) {
        match event {
            UiEvent::Input(name) => {
                let Some(i) = NAMES.iter().position(|n| n == name) else {
                    return;
                };
                if i == NUMBER {
                    show_brand(popup, &self.brand_line, self.brand());
                }
                if self.fields[i].has_error() || looks_complete(i, &self.fields[i].value()) {
                    self.check_field(popup, i);
                }
            }
            UiEvent::Blur(name) => {
                if let Some(i) = NAMES.iter().position(|n| n == name) {
                    if !self.fields[i].value().trim().is_empty() {
                        self.check_field(popup, i);
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks every field (each shows its own error, not just up to the first).
    pub fn check(&self, popup: &Popup) -> bool {
        (0..NAMES.len()).filter(|&i| !self.check_field(popup, i)).count() == 0
    }

    pub fn read(&self) -> CardInput {
        card_input(&self.fields)
    }

    /// A card field the server refused: shown on its field (`false`: not a card field).
    pub fn refused(&self, popup: &Popup, code: ErrorCode) -> bool {
        let i = match code {
            ErrorCode::InvalidCardNumber => NUMBER,
            ErrorCode::InvalidExpiry => EXPIRY,
            ErrorCode::InvalidCvc => CVC,
            _ => return false,
        };
        self.fields[i].show_error(Some(popup.t(popup.locale.field_error(code))));
        popup.focus(&self.fields[i].input);
        true
    }

    pub fn focus(&self, popup: &Popup) {
        popup.focus(&self.fields[NUMBER].input);
    }
}

/// While typing, a new error shows only once the value could be complete (16 digits of a
/// card number, 4 of an expiry); an error already shown clears as soon as it is fixed.
fn looks_complete(i: usize, value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    match i {
        NUMBER => digits >= 16,
        EXPIRY => digits >= 4,
        _ => false,
    }
}

fn show_brand(popup: &Popup, line: &web_sys::Element, brand: CardBrand) {
    let name = match brand {
        CardBrand::Visa => "Visa",
        CardBrand::Mastercard => "Mastercard",
        CardBrand::Amex => "American Express",
        CardBrand::Discover => "Discover",
        CardBrand::Jcb => "JCB",
        CardBrand::Diners => "Diners Club",
        CardBrand::Unionpay => "UnionPay",
        CardBrand::Unknown => {
            line.set_text_content(None);
            return;
        }
    };
    let mut text = String::from(popup.t(Msg::CardBrand));
    text.push_str(": ");
    text.push_str(name);
    line.set_text_content(Some(&text));
    view::set(line, "data-brand", brand.as_str());
}

/// `(year, month)` of today, in the visitor's clock.
fn today() -> (u16, u8) {
    let now = js_sys::Date::new_0();
    (now.get_full_year() as u16, now.get_month() as u8 + 1)
}

/// `MM/YY`, `MM / YY`, `MM/YYYY` or `MMYY`.
pub fn parse_expiry(raw: &str) -> Option<(u32, u32)> {
    let raw = raw.trim();
    // Byte positions (no char searcher); `get` answers `None` inside a multi-byte character.
    let (m, y) = match raw.bytes().position(|b| b == b'/') {
        Some(i) => (raw.get(..i)?.trim(), raw.get(i + 1..)?.trim()),
        None if raw.len() == 4 || raw.len() == 6 => (raw.get(..2)?, raw.get(2..)?),
        None => return None,
    };
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (m, y) = (number(m)?, number(y)?);
    (!(100..1000).contains(&y)).then_some((m, y))
}

/// The message for card field `i`, `None` when it is fine.
pub fn validate(i: usize, raw: &str, brand: CardBrand, today: (u16, u8)) -> Option<Msg> {
    let v = raw.trim();
    if v.is_empty() {
        return Some(Msg::ErrRequired);
    }
    match i {
        NUMBER => CardNumber::parse(v).err().map(|_| Msg::ErrCardNumber),
        EXPIRY => match parse_expiry(v) {
            Some((m, y)) if Expiry::parse(m, y, today).is_ok() => None,
            _ => Some(Msg::ErrExpiry),
        },
        _ => Cvc::parse(v, brand).err().map(|_| Msg::ErrCvc),
    }
}

fn card_input(fields: &[Field]) -> CardInput {
    let (exp_month, exp_year) = parse_expiry(&fields[EXPIRY].value()).unwrap_or_default();
    CardInput {
        number: card_digits(&fields[NUMBER].value()).unwrap_or_default(),
        exp_month,
        exp_year: if exp_year < 100 { 2000 + exp_year } else { exp_year },
        cvc: fields[CVC].value().trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (u16, u8) = (2026, 11);

    #[test]
    fn expiry_formats() {
        assert_eq!(parse_expiry("12/30"), Some((12, 30)));
        assert_eq!(parse_expiry(" 01 / 2031 "), Some((1, 2031)));
        assert_eq!(parse_expiry("0130"), Some((1, 30)));
        assert_eq!(parse_expiry("1/"), None);
        assert_eq!(parse_expiry("ab/cd"), None);
        assert_eq!(parse_expiry("12/300"), None);
        assert_eq!(parse_expiry("aéb"), None);
        assert_eq!(parse_expiry("12 / 30"), Some((12, 30)));
    }

    #[test]
    fn card_rules() {
        let visa = CardBrand::Visa;
        assert_eq!(validate(NUMBER, "4242 4242 4242 4242", visa, TODAY), None);
        assert_eq!(
            validate(NUMBER, "4242 4242 4242 4241", visa, TODAY),
            Some(Msg::ErrCardNumber)
        );
        assert_eq!(validate(NUMBER, "", visa, TODAY), Some(Msg::ErrRequired));
        assert_eq!(validate(EXPIRY, "11/26", visa, TODAY), None);
        assert_eq!(validate(EXPIRY, "10/26", visa, TODAY), Some(Msg::ErrExpiry));
        assert_eq!(validate(EXPIRY, "13/30", visa, TODAY), Some(Msg::ErrExpiry));
        assert_eq!(validate(CVC, "123", visa, TODAY), None);
        assert_eq!(validate(CVC, "1234", visa, TODAY), Some(Msg::ErrCvc));
        assert_eq!(validate(CVC, "1234", CardBrand::Amex, TODAY), None);
    }
}
