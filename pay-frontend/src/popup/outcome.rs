//! The screens that end the popup: the thank-you screen (unless `showThankYouPage: false`:
//! paid, pending or offline), and the expiry screen.

use super::events::UiEvent;
use super::view;
use super::Popup;
use crate::i18n::Msg;
use pay_types::TransactionStatus;

pub async fn run(popup: &Popup, status: TransactionStatus) {
    let note = match status {
        TransactionStatus::Pending => Msg::PendingNote,
        TransactionStatus::Offline => Msg::OfflineDoneNote,
        _ => Msg::PaidNote,
    };
    screen(popup, Msg::ThankYou, note, Msg::Done).await
}

/// The payment expired while the popup was open: nothing more can be paid here.
pub async fn expired(popup: &Popup) {
    screen(popup, Msg::ExpiredTitle, Msg::ExpiredNote, Msg::Close).await
}

async fn screen(popup: &Popup, title: Msg, note: Msg, button: Msg) {
    view::clear(&popup.step);
    let box_ = view::child(&popup.step, "div", "outcome");
    view::heading(&box_, popup.t(title));
    view::text_child(&box_, "p", "note", popup.t(note));
    let actions = view::child(&box_, "div", "actions");
    view::button(&actions, "primary", "button", "done", popup.t(button));
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
