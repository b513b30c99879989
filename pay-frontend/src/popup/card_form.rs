//! Card details with live validation (Luhn, expiry in the future, CVC length for the brand,
//! brand shown as typed), the terms checkbox, and the Pay button with the amount.
//! A decline shows its reason here and the visitor may try again.

use super::attempt::{self, Answer};
use super::events::UiEvent;
use super::flow::{Checkout, Exit};
use super::view::{self, Field, FieldSpec};
use super::{PayFooter, Popup};
use crate::client::CheckoutClient;
use crate::i18n::Msg;
use pay_types::card::card_digits;
use pay_types::{CardBrand, CardInput, CardNumber, Cvc, ErrorCode, Expiry, PaymentMethod};

const NUMBER: usize = 0;
const EXPIRY: usize = 1;
const CVC: usize = 2;
const NAMES: [&str; 3] = ["cardNumber", "cardExpiry", "cardCvc"];

pub async fn run(popup: &Popup, client: &CheckoutClient, checkout: &mut Checkout, can_go_back: bool) -> Exit {
    view::clear(&popup.step);
    view::heading(&popup.step, popup.t(Msg::CardTitle));
    let form = view::form(&popup.step);
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
                &form,
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
    let brand_line = view::child(&form, "p", "brand");
    view::set(&brand_line, "aria-live", "polite");
    // Right under the card number it belongs to.
    let _ = form.insert_before(&brand_line, fields[EXPIRY].input.parent_node().as_ref());
    let PayFooter { terms, alert, actions } = popup.pay_footer(&form, checkout.terms_link.as_deref(), can_go_back);
    let mut pay_text = String::from(popup.t(Msg::Pay));
    pay_text.push(' ');
    pay_text.push_str(&checkout.money.format(&checkout.payment.amount.to_string()));
    let pay = view::button(&actions, "primary pay", "submit", "", &pay_text);
    if checkout.attempts_left == 0 {
        alert.set_text_content(Some(popup.t(Msg::NoAttemptsLeft)));
        view::set(&pay, "disabled", "");
    }
    popup.focus_step();

    let brand = |fields: &[Field]| CardBrand::detect(&card_digits(&fields[NUMBER].value()).unwrap_or_default());
    let check = |i: usize| {
        let msg = validate(i, &fields[i].value(), brand(&fields), today());
        fields[i].show_error(msg.map(|m| popup.t(m)));
        msg.is_none()
    };
    loop {
        match popup.events.next().await {
            UiEvent::Close => return Exit::Close,
            UiEvent::Action(a) if a == "back" => return Exit::Back,
            UiEvent::Input(name) if name == "terms" => {
                if let Some(t) = &terms {
                    t.recheck(popup.t(Msg::ErrTerms));
                }
            }
            UiEvent::Input(name) => {
                let Some(i) = NAMES.iter().position(|n| *n == name) else {
                    continue;
                };
                if i == NUMBER {
                    show_brand(popup, &brand_line, brand(&fields));
                }
                if fields[i].has_error() || looks_complete(i, &fields[i].value()) {
                    check(i);
                }
            }
            UiEvent::Blur(name) => {
                if let Some(i) = NAMES.iter().position(|n| *n == name) {
                    if !fields[i].value().trim().is_empty() {
                        check(i);
                    }
                }
            }
            UiEvent::Submit => {
                // Every field is checked (each shows its own error), not just up to the first.
                let all_ok = (0..NAMES.len()).filter(|&i| !check(i)).count() == 0;
                let terms_ok = terms.as_ref().is_none_or(|t| t.check(popup.t(Msg::ErrTerms)));
                if !all_ok {
                    popup.focus_step();
                    continue;
                }
                if !terms_ok {
                    if let Some(t) = &terms {
                        popup.focus(&t.checkbox);
                    }
                    continue;
                }
                let card = card_input(&fields);
                alert.set_text_content(None);
                match attempt::submit(popup, client, checkout, PaymentMethod::Card, Some(card)).await {
                    Answer::Done(result, outcome) => return Exit::Finished(result, outcome),
                    Answer::Declined { code, attempts_left } => {
                        let reason = code
                            .map(|c| popup.locale.decline(c))
                            .unwrap_or(popup.t(Msg::DeclineCard));
                        let next = if attempts_left == 0 {
                            Msg::NoAttemptsLeft
                        } else {
                            Msg::TryAgain
                        };
                        alert.set_text_content(Some(reason));
                        let _ = alert.append_with_str_2(" ", popup.t(next));
                        if attempts_left == 0 {
                            view::set(&pay, "disabled", "");
                        }
                        popup.focus(&fields[NUMBER].input);
                    }
                    Answer::Field(code) => {
                        let i = match code {
                            ErrorCode::InvalidExpiry => EXPIRY,
                            ErrorCode::InvalidCvc => CVC,
                            _ => NUMBER,
                        };
                        let msg = popup.locale.field_error(code);
                        if matches!(
                            code,
                            ErrorCode::InvalidCardNumber | ErrorCode::InvalidExpiry | ErrorCode::InvalidCvc
                        ) {
                            fields[i].show_error(Some(popup.t(msg)));
                            popup.focus(&fields[i].input);
                        } else {
                            // A contact field the server refused: say so here.
                            alert.set_text_content(Some(popup.t(msg)));
                            popup.focus(&pay);
                        }
                    }
                    Answer::Problem(msg) => {
                        alert.set_text_content(Some(popup.t(msg)));
                        popup.focus(&pay);
                    }
                    Answer::Exhausted(msg) => {
                        alert.set_text_content(Some(popup.t(msg)));
                        view::set(&pay, "disabled", "");
                        popup.focus_step();
                    }
                }
            }
            _ => {}
        }
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
