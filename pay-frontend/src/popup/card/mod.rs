//! The card step: the card fields of the checkout view's `cardFields.kind`, the terms
//! checkbox, and the Pay button with the amount. A decline shows its reason here and the
//! visitor may try again.
//!
//! The card fields are one implementation per kind behind [`Fields`], which the step drives:
//! `render` (its nodes in the step's form), `load` (what it waits for before it can take a
//! card, awaited beside the visitor's events), `check` (the fields show why not), `read`
//! (the [`CardSource`] the attempt sends), and drop (its nodes, listeners and provider
//! objects go with the step).
//! - [`pay_form`]: Pay's own form, for the sandbox; the attempt carries `card`.
//! - [`stripe`]: Stripe's Card Element, typed into Stripe's iframe (PCI DSS SAQ A); the
//!   attempt carries the PaymentMethod's id as `paymentMethod`.

mod pay_form;
mod stripe;

pub use stripe::Stripe;

use super::attempt::{self, Answer};
use super::checkout::{Checkout, Exit};
use super::events::{Pending, UiEvent};
use super::{view, PayFooter, Popup};
use crate::client::CheckoutClient;
use crate::i18n::Msg;
use crate::options::Theme;
use pay_form::PayForm;
use pay_types::{CardFields, CardFieldsKind, CardInput, ErrorCode, PaymentMethod};
use stripe::StripeCard;

/// What an attempt pays with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardSource {
    /// The card as typed into Pay's own form (`card`).
    Card(CardInput),
    /// The provider's token for the card its own fields collected (`paymentMethod`).
    Token(String),
}

/// The card fields of one kind.
enum Fields<'a> {
    Pay(PayForm),
    Stripe(StripeCard<'a>),
}

impl<'a> Fields<'a> {
    fn render(popup: &Popup, form: &web_sys::Element, kind: &'a CardFields, theme: &'a Theme) -> Self {
        match kind.kind {
            CardFieldsKind::Pay => Fields::Pay(PayForm::render(popup, form)),
            CardFieldsKind::Stripe => Fields::Stripe(StripeCard::render(popup, form, kind, theme)),
        }
    }

    /// What the fields wait for before they can take a card (Stripe.js, then its Element
    /// mounted); `Err`: the message for the step's alert line.
    fn load<'f>(&'f self, popup: &'f Popup) -> Option<Pending<'f, Result<(), Msg>>> {
        match self {
            Fields::Pay(_) => None,
            Fields::Stripe(s) => Some(Box::pin(s.load(popup))),
        }
    }

    fn on_event(&self, popup: &Popup, event: &UiEvent) {
        if let Fields::Pay(f) = self {
            f.on_event(popup, event);
        }
    }

    /// Whether the card is complete; if not, the fields say why.
    fn check(&self, popup: &Popup) -> bool {
        match self {
            Fields::Pay(f) => f.check(popup),
            Fields::Stripe(s) => s.check(popup),
        }
    }

    /// The source to pay with. `reuse`: the token of the request that got no definite
    /// answer, sent again if the card is unchanged since (same data, same `attemptId`).
    /// `Err(None)`: the fields show why; `Err(Some(msg))`: the step's alert line says it.
    async fn read(&self, popup: &Popup, checkout: &Checkout) -> Result<CardSource, Option<Msg>> {
        match self {
            Fields::Pay(f) => Ok(CardSource::Card(f.read())),
            Fields::Stripe(s) => {
                let reuse = checkout.unanswered.as_ref().and_then(|r| r.payment_method.as_deref());
                s.read(popup, &checkout.user_info, reuse).await.map(CardSource::Token)
            }
        }
    }

    /// A card field the server refused, shown on it (`false`: the alert line says it).
    fn refused(&self, popup: &Popup, code: ErrorCode) -> bool {
        match self {
            Fields::Pay(f) => f.refused(popup, code),
            Fields::Stripe(_) => false,
        }
    }

    fn focus(&self, popup: &Popup) {
        match self {
            Fields::Pay(f) => f.focus(popup),
            Fields::Stripe(s) => s.focus(),
        }
    }

    /// The provider's browser library, for a 3-D Secure challenge it runs itself.
    fn stripe(&self) -> Option<&Stripe> {
        match self {
            Fields::Pay(_) => None,
            Fields::Stripe(s) => s.stripe(),
        }
    }
}

pub async fn run(
    popup: &Popup,
    client: &CheckoutClient,
    checkout: &mut Checkout,
    card_fields: &CardFields,
    theme: &Theme,
    can_go_back: bool,
) -> Exit {
    view::clear(&popup.step);
    view::heading(&popup.step, popup.t(Msg::CardTitle));
    let form = view::form(&popup.step);
    let fields = Fields::render(popup, &form, card_fields, theme);
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

    let mut loading = fields.load(popup);
    loop {
        let event = match popup.events.next_or(&mut loading).await {
            Ok(event) => event,
            Err(Ok(())) => continue,
            Err(Err(msg)) => {
                // The fields cannot take a card (Stripe.js did not load): closing, or Back
                // to another method, is what is left.
                alert.set_text_content(Some(popup.t(msg)));
                view::set(&pay, "disabled", "");
                continue;
            }
        };
        match event {
            UiEvent::Close => return Exit::Close,
            UiEvent::Expired => return Exit::Expired,
            UiEvent::Action(a) if a == "back" => return Exit::Back,
            UiEvent::Input(name) if name == "terms" => {
                if let Some(t) = &terms {
                    t.recheck(popup.t(Msg::ErrTerms));
                }
            }
            UiEvent::Submit => {
                let card_ok = fields.check(popup);
                let terms_ok = terms.as_ref().is_none_or(|t| t.check(popup.t(Msg::ErrTerms)));
                if !card_ok {
                    fields.focus(popup);
                    continue;
                }
                if !terms_ok {
                    if let Some(t) = &terms {
                        popup.focus(&t.checkbox);
                    }
                    continue;
                }
                alert.set_text_content(None);
                let source = match fields.read(popup, checkout).await {
                    Ok(source) => source,
                    Err(msg) => {
                        if let Some(msg) = msg {
                            alert.set_text_content(Some(popup.t(msg)));
                        }
                        fields.focus(popup);
                        continue;
                    }
                };
                match attempt::submit(
                    popup,
                    client,
                    checkout,
                    PaymentMethod::Card,
                    Some(source),
                    fields.stripe(),
                )
                .await
                {
                    Answer::Done(result, outcome) => return Exit::Finished(result, outcome),
                    Answer::Expired => return Exit::Expired,
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
                        fields.focus(popup);
                    }
                    Answer::Field(code) => {
                        if !fields.refused(popup, code) {
                            // A contact field the server refused: say so here.
                            alert.set_text_content(Some(popup.t(popup.locale.field_error(code))));
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
            event => fields.on_event(popup, &event),
        }
    }
}
