//! The offline ("pay later") method: a note, the terms when required, and "Place order".

use super::attempt::{self, Answer};
use super::checkout::{Checkout, Exit};
use super::events::UiEvent;
use super::view;
use super::{PayFooter, Popup};
use crate::client::CheckoutClient;
use crate::i18n::Msg;
use pay_types::PaymentMethod;

pub async fn run(popup: &Popup, client: &CheckoutClient, checkout: &mut Checkout, can_go_back: bool) -> Exit {
    view::clear(&popup.step);
    view::heading(&popup.step, popup.t(Msg::MethodOffline));
    let form = view::form(&popup.step);
    view::text_child(&form, "p", "note", popup.t(Msg::OfflineNote));
    let PayFooter { terms, alert, actions } = popup.pay_footer(&form, checkout.terms_link.as_deref(), can_go_back);
    let place = view::button(&actions, "primary", "submit", "", popup.t(Msg::PlaceOrder));
    popup.focus_step();
    loop {
        match popup.events.next().await {
            UiEvent::Close => return Exit::Close,
            UiEvent::Expired => return Exit::Expired,
            UiEvent::Action(a) if a == "back" => return Exit::Back,
            UiEvent::Input(name) if name == "terms" => {
                if let Some(t) = &terms {
                    t.recheck(popup.t(Msg::ErrTerms));
                }
            }
            UiEvent::Submit => {
                if let Some(t) = &terms {
                    if !t.check(popup.t(Msg::ErrTerms)) {
                        popup.focus(&t.checkbox);
                        continue;
                    }
                }
                alert.set_text_content(None);
                match attempt::submit(popup, client, checkout, PaymentMethod::Offline, None, None).await {
                    Answer::Done(result, outcome) => return Exit::Finished(result, outcome),
                    Answer::Expired => return Exit::Expired,
                    Answer::Declined { .. } | Answer::Field(_) => {
                        alert.set_text_content(Some(popup.t(Msg::ErrGeneric)))
                    }
                    Answer::Problem(msg) => alert.set_text_content(Some(popup.t(msg))),
                    Answer::Exhausted(msg) => {
                        alert.set_text_content(Some(popup.t(msg)));
                        view::set(&place, "disabled", "");
                    }
                }
                popup.focus(&place);
            }
            _ => {}
        }
    }
}
