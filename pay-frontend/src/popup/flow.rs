//! The order of the steps (SPEC §4) and what the Promise resolves with when the popup ends.

use super::checkout::{Checkout, Exit};
use super::events::{Interval, UiEvent};
use super::format::MoneyFormat;
use super::{card, contact, method, offline, outcome, summary, Popup};
use crate::client::CheckoutClient;
use crate::options::Options;
use pay_types::{AttemptResult, BrowserUserInfo, CheckoutView, PaymentMethod, PaymentResult, TransactionStatus};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Contact,
    Method,
    Card,
    Offline,
}

/// Runs the popup until the visitor finishes or closes it.
pub async fn run(popup: &Popup, client: &CheckoutClient, view: CheckoutView, opts: &Options) -> PaymentResult {
    let money = MoneyFormat::new(&popup.locale.tag, view.payment.currency.code());
    summary::render(popup, &view.payment, &money);
    let created_with_user_info = view
        .user_info
        .as_ref()
        .is_some_and(|u| *u != BrowserUserInfo::default());
    let card_fields = view.card_fields;
    // The payment's expiry, by this browser's clock: the server refuses a late attempt by its
    // own (`payment_expired`), which ends the popup the same way. Beyond setTimeout's range
    // (about 24.8 days) no popup stays open.
    let _expiry = view.expires_at.as_deref().and_then(|at| {
        let left = js_sys::Date::parse(at) - js_sys::Date::now();
        let q = popup.events.clone();
        (left < f64::from(i32::MAX)).then(|| Interval::once(left.max(0.0) as i32, move |_| q.push(UiEvent::Expired)))
    });
    let mut checkout = Checkout {
        user_info: prefill(view.user_info, opts.prefill.clone()),
        payment: view.payment,
        declined: None,
        attempts_left: view.attempts_left,
        unanswered: None,
        money,
        terms_link: opts.terms_link.clone(),
    };
    let offers_offline = opts.allow_manual_payment && view.methods.contains(&PaymentMethod::Offline);
    let show_contact = !(opts.skip_user_info_page && created_with_user_info);
    // The contact step offers the browser's region on its first showing only: a visitor who
    // chose "no country" keeps that choice when coming back.
    let mut first_contact = true;
    let first_payment_step = if offers_offline { Step::Method } else { Step::Card };
    let mut step = if show_contact {
        Step::Contact
    } else {
        first_payment_step
    };
    loop {
        let previous = match step {
            Step::Contact => None,
            Step::Method => show_contact.then_some(Step::Contact),
            Step::Card | Step::Offline if offers_offline => Some(Step::Method),
            Step::Card | Step::Offline => show_contact.then_some(Step::Contact),
        };
        let can_go_back = previous.is_some();
        let exit = match step {
            Step::Contact => contact::run(popup, &mut checkout.user_info, std::mem::take(&mut first_contact)).await,
            Step::Method => method::run(popup, can_go_back).await,
            Step::Card => card::run(popup, client, &mut checkout, &card_fields, &opts.theme, can_go_back).await,
            Step::Offline => offline::run(popup, client, &mut checkout, can_go_back).await,
        };
        step = match exit {
            Exit::Continue => first_payment_step,
            Exit::Chose(PaymentMethod::Card) => Step::Card,
            Exit::Chose(PaymentMethod::Offline) => Step::Offline,
            Exit::Back => previous.unwrap_or(step),
            Exit::Close => return closed(checkout),
            Exit::Expired => {
                outcome::expired(popup).await;
                return closed(checkout);
            }
            Exit::Finished(result, outcome) => {
                if outcome && opts.show_thank_you_page {
                    outcome::run(popup, result.status).await;
                }
                return finished(result, checkout.user_info);
            }
        };
    }
}

/// The server's prefill wins (it comes from `createPayment`); the deprecated
/// `options.userInfo` fills what it left empty.
fn prefill(server: Option<BrowserUserInfo>, option: Option<BrowserUserInfo>) -> BrowserUserInfo {
    let server = server.unwrap_or_default();
    let option = option.unwrap_or_default();
    let pick = |a: Option<String>, b: Option<String>| a.filter(|s| !s.is_empty()).or(b);
    BrowserUserInfo {
        first_name: pick(server.first_name, option.first_name),
        last_name: pick(server.last_name, option.last_name),
        email: pick(server.email, option.email),
        phone: pick(server.phone, option.phone),
        country: pick(server.country, option.country),
    }
}

fn non_empty(u: BrowserUserInfo) -> Option<BrowserUserInfo> {
    (u != BrowserUserInfo::default()).then_some(u)
}

/// Closed without paying: `Failed` after a decline, otherwise `Cancelled` without transaction.
fn closed(c: Checkout) -> PaymentResult {
    match c.declined {
        Some(d) => PaymentResult {
            payment: d.payment,
            status: TransactionStatus::Failed,
            transaction_id: d.transaction_id,
            user_info: d.user_info.or_else(|| non_empty(c.user_info)),
        },
        None => PaymentResult {
            payment: c.payment,
            status: TransactionStatus::Cancelled,
            transaction_id: None,
            user_info: non_empty(c.user_info),
        },
    }
}

fn finished(r: AttemptResult, entered: BrowserUserInfo) -> PaymentResult {
    PaymentResult {
        payment: r.payment,
        status: r.status,
        transaction_id: r.transaction_id,
        user_info: r.user_info.or_else(|| non_empty(entered)),
    }
}

/// What a payment that cannot be paid any more resolves with, without opening the popup. Not
/// payable and still `Undefined`: expired, `Cancelled` (nothing was paid, nothing can be);
/// otherwise an attempt is processing (a challenge open in another tab, a provider that has
/// not answered), whose outcome is not known yet: `Pending`, as when the popup is closed
/// meanwhile.
pub fn not_payable(view: CheckoutView) -> PaymentResult {
    PaymentResult {
        payment: view.payment,
        status: match view.status {
            TransactionStatus::Undefined if view.expired => TransactionStatus::Cancelled,
            TransactionStatus::Undefined => TransactionStatus::Pending,
            status => status,
        },
        transaction_id: view.transaction_id,
        user_info: view.user_info,
    }
}
