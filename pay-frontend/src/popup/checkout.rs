//! What the steps share: the checkout as entered and answered so far, and how a step ends.
//! The flow (flow.rs) drives the steps with these; the steps do not import the flow.

use super::format::MoneyFormat;
use pay_types::{AttemptRequest, AttemptResult, BrowserPayment, BrowserUserInfo, PaymentMethod};

/// What the visitor has entered and what the server answered so far.
pub struct Checkout {
    pub payment: BrowserPayment,
    pub user_info: BrowserUserInfo,
    /// The latest declined attempt: closing after it resolves `Failed`.
    pub declined: Option<AttemptResult>,
    pub attempts_left: u32,
    /// The last request sent without a definite answer: re-sent with the same `attemptId`.
    pub unanswered: Option<AttemptRequest>,
    pub money: MoneyFormat,
    pub terms_link: Option<String>,
}

/// How a step ends. Returned once per step: not worth boxing the large variant.
#[allow(clippy::large_enum_variant)]
pub enum Exit {
    Continue,
    Chose(PaymentMethod),
    Back,
    Close,
    /// With its outcome screen (unless `showThankYouPage: false`), or without when the
    /// visitor closed the popup while the attempt was processing.
    Finished(AttemptResult, bool),
    /// The payment's `expiresAt` came (or the server said it had): the expiry screen.
    Expired,
}
