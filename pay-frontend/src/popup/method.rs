//! The payment method choice: card, or offline when the merchant and the server allow it.

use super::checkout::Exit;
use super::events::UiEvent;
use super::view;
use super::Popup;
use crate::i18n::Msg;
use pay_types::PaymentMethod;

pub async fn run(popup: &Popup, can_go_back: bool) -> Exit {
    view::clear(&popup.step);
    view::heading(&popup.step, popup.t(Msg::MethodTitle));
    let group = view::child(&popup.step, "div", "methods");
    view::set(&group, "role", "group");
    view::set(&group, "aria-labelledby", "pay-step-title");
    view::button(&group, "method", "button", "card", popup.t(Msg::MethodCard));
    view::button(&group, "method", "button", "offline", popup.t(Msg::MethodOffline));
    if can_go_back {
        let actions = view::child(&popup.step, "div", "actions");
        view::button(&actions, "secondary", "button", "back", popup.t(Msg::Back));
    }
    popup.focus_step();
    loop {
        match popup.events.next().await {
            UiEvent::Close => return Exit::Close,
            UiEvent::Expired => return Exit::Expired,
            UiEvent::Action(a) if a == "card" => return Exit::Chose(PaymentMethod::Card),
            UiEvent::Action(a) if a == "offline" => return Exit::Chose(PaymentMethod::Offline),
            UiEvent::Action(a) if a == "back" => return Exit::Back,
            _ => {}
        }
    }
}
