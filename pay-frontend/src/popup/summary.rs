//! The order summary above every step: items, quantities, line totals and the total.

use super::format::MoneyFormat;
use super::view::{child, text_child};
use super::Popup;
use crate::i18n::Msg;
use pay_types::BrowserPayment;

pub fn render(popup: &Popup, payment: &BrowserPayment, money: &MoneyFormat) {
    let list = child(&popup.summary, "ul", "items");
    for item in &payment.items {
        let li = child(&list, "li", "item");
        text_child(&li, "span", "item-name", item.name.as_str());
        // "2 × $9.99": the unit price (the line total would need decimal multiplication,
        // which the SDK's size budget leaves to the server's `amount`).
        let mut qty = item.quantity.get().to_string();
        qty.push_str(" ×");
        text_child(&li, "span", "item-qty", &qty);
        text_child(&li, "span", "item-price", &money.format(&item.price.to_string()));
    }
    let total = child(&popup.summary, "p", "total");
    text_child(&total, "span", "", popup.t(Msg::Total));
    text_child(
        &total,
        "span",
        "total-amount",
        &money.format(&payment.amount.to_string()),
    );
}
