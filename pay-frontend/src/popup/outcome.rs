//! The thank-you screen (unless `showThankYouPage: false`): paid, pending or offline.

use super::events::UiEvent;
use super::view;
use super::Popup;
use crate::i18n::Msg;
use pay_types::TransactionStatus;

pub async fn run(popup: &Popup, status: TransactionStatus) {
    view::clear(&popup.step);
    let note = match status {
        TransactionStatus::Pending => Msg::PendingNote,
        TransactionStatus::Offline => Msg::OfflineDoneNote,
        _ => Msg::PaidNote,
    };
    let box_ = view::child(&popup.step, "div", "outcome");
    view::heading(&box_, popup.t(Msg::ThankYou));
    view::text_child(&box_, "p", "note", popup.t(note));
    let actions = view::child(&box_, "div", "actions");
    view::button(&actions, "primary", "button", "done", popup.t(Msg::Done));
    popup.announce(Some(popup.t(note)));
    popup.focus_step();
    loop {
        match popup.events.next().await {
            UiEvent::Close => return,
            UiEvent::Action(a) if a == "done" => return,
            _ => {}
        }
    }
}
