//! Sends a payment attempt with the processing state, waits out a `processing` answer (the
//! 3-D Secure step, or the provider's late answer), and sorts the outcome for the step.
//!
//! Idempotency: a request that got no definite answer (network error, 5xx, attempt in
//! progress) is re-sent with the same `attemptId` when the visitor submits the same data
//! again; anything else gets a new id, so a retry after a decline is a new attempt.

use super::card::{CardSource, Stripe};
use super::challenge;
use super::checkout::Checkout;
use super::Popup;
use crate::client::{result, CheckoutClient, ClientError};
use crate::i18n::Msg;
use pay_types::{AttemptRequest, AttemptResult, DeclineCode, ErrorCode, PaymentMethod, TransactionStatus};

// One answer at a time, moved once from `submit` to its step: boxing the large variant would
// only add an allocation (and its code in the wasm). The lint fires on 64-bit targets only.
#[allow(clippy::large_enum_variant)]
pub enum Answer {
    /// Successful, Pending or Offline: the popup goes to its outcome (its screen unless
    /// `false`: closed while the attempt was processing, the popup resolves with this).
    Done(AttemptResult, bool),
    /// Declined (the result is kept in `Checkout::declined`): show the reason; retry allowed
    /// while `attempts_left > 0`.
    Declined {
        code: Option<DeclineCode>,
        attempts_left: u32,
    },
    /// The server refused a field.
    Field(ErrorCode),
    /// Show this message; the visitor may try again.
    Problem(Msg),
    /// Show this message; no more attempts are possible.
    Exhausted(Msg),
    /// The payment expired before this attempt reached it.
    Expired,
}

pub async fn submit(
    popup: &Popup,
    client: &CheckoutClient,
    checkout: &mut Checkout,
    method: PaymentMethod,
    source: Option<CardSource>,
    stripe: Option<&Stripe>,
) -> Answer {
    // `card` or `paymentMethod`, by the card fields that collected it.
    let (card, payment_method) = match source {
        Some(CardSource::Card(card)) => (Some(card), None),
        Some(CardSource::Token(token)) => (None, Some(token)),
        None => (None, None),
    };
    let mut request = AttemptRequest {
        attempt_id: String::new(),
        method,
        user_info: Some(checkout.user_info.clone()),
        card,
        payment_method,
    };
    // Field by field: no clone of the request to compare it.
    request.attempt_id = match checkout.unanswered.take() {
        Some(previous)
            if previous.method == request.method
                && previous.user_info == request.user_info
                && previous.card == request.card
                && previous.payment_method == request.payment_method =>
        {
            previous.attempt_id
        }
        _ => new_attempt_id(),
    };
    popup.set_busy(true);
    let answer = result(client.attempt(&request).await);
    popup.set_busy(false);
    popup.events.clear();
    match answer {
        Ok(mut result) => {
            // A 3-D Secure challenge, or a provider that did not answer clearly: wait for
            // the outcome (the card form is put back if the visitor may retry).
            if result.processing {
                match challenge::run(popup, client, result, &request.attempt_id, stripe).await {
                    Ok(r) => result = r,
                    Err(left) => return Answer::Done(left, false),
                }
            }
            checkout.attempts_left = result.attempts_left;
            sort(result, checkout)
        }
        Err(ClientError::Network) => {
            checkout.unanswered = Some(request);
            Answer::Problem(Msg::ErrNetwork)
        }
        Err(ClientError::Unexpected { status }) => {
            if status >= 500 {
                checkout.unanswered = Some(request);
            }
            Answer::Problem(Msg::ErrGeneric)
        }
        Err(ClientError::Api { code, .. }) => match known_code(&code) {
            Some(ErrorCode::AttemptInProgress) => {
                checkout.unanswered = Some(request);
                Answer::Problem(Msg::ErrInProgress)
            }
            Some(ErrorCode::TooManyAttempts) => Answer::Exhausted(Msg::ErrTooMany),
            Some(ErrorCode::PaymentExpired) => Answer::Expired,
            // Paid meanwhile (another tab, a replay): show what the payment became.
            Some(ErrorCode::PaymentNotPayable) => match result(client.latest_result().await) {
                Ok(result) => sort(result, checkout),
                Err(_) => Answer::Problem(Msg::ErrGeneric),
            },
            Some(code) => Answer::Field(code),
            None => Answer::Problem(Msg::ErrGeneric),
        },
    }
}

/// The error codes the popup reacts to; others are shown as a generic problem.
fn known_code(code: &str) -> Option<ErrorCode> {
    // Literal wire strings: `ErrorCode::as_str` would bring every code's string along.
    Some(match code {
        "attempt_in_progress" => ErrorCode::AttemptInProgress,
        "too_many_attempts" => ErrorCode::TooManyAttempts,
        "payment_not_payable" => ErrorCode::PaymentNotPayable,
        "payment_expired" => ErrorCode::PaymentExpired,
        "invalid_card_number" => ErrorCode::InvalidCardNumber,
        "invalid_expiry" => ErrorCode::InvalidExpiry,
        "invalid_cvc" => ErrorCode::InvalidCvc,
        "invalid_email" => ErrorCode::InvalidEmail,
        "invalid_phone" => ErrorCode::InvalidPhone,
        "invalid_name" => ErrorCode::InvalidName,
        "invalid_country" => ErrorCode::InvalidCountry,
        _ => return None,
    })
}

fn sort(result: AttemptResult, checkout: &mut Checkout) -> Answer {
    match result.status {
        TransactionStatus::Successful | TransactionStatus::Pending | TransactionStatus::Offline => {
            Answer::Done(result, true)
        }
        TransactionStatus::Failed => {
            let answer = Answer::Declined {
                code: result.decline.as_ref().map(|d| d.code),
                attempts_left: result.attempts_left,
            };
            checkout.declined = Some(result);
            answer
        }
        _ => Answer::Problem(Msg::ErrGeneric),
    }
}

/// `att_` and 32 hex digits from the browser's CSPRNG.
fn new_attempt_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    id.push_str("att_");
    for b in bytes {
        id.push(HEX[usize::from(b >> 4)] as char);
        id.push(HEX[usize::from(b & 15)] as char);
    }
    id
}
