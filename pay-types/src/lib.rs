//! The Pay contract, shared by the backend and the WebAssembly SDK.
//!
//! Wire types keep the exact JSON names of the public API (SPEC §2). Values with a rule
//! (money, currency, names, e-mail, card numbers …) are newtypes built by a `parse`
//! constructor, so a value that exists is a valid one. No I/O lives here.

pub mod card;
pub mod checkout;
pub mod claim;
pub mod country;
pub mod currencies;
pub mod currency;
pub mod error;
pub mod event;
pub mod ids;
pub mod merchant;
pub mod money;
pub mod payment;
pub mod status;
pub mod user_info;

mod country_table;
mod currency_table;
#[cfg(feature = "openapi")]
mod openapi;

pub use card::{CardBrand, CardNumber, Cvc, Expiry};
pub use checkout::{
    is_provider_id, AttemptRequest, AttemptResult, CardFields, CardFieldsKind, CardInput, Challenge, CheckoutView,
    Decline, DeclineCode, PaymentMethod,
};
pub use claim::{ClaimDecision, ClaimRefusal, ClaimState, KnownAttempt};
pub use country::CountryCode;
pub use currencies::{ConversionRate, ConvertAmountsRequest, ConvertedAmounts, CurrencyInfo};
pub use currency::Currency;
pub use error::{ApiError, ErrorCode, ValidationError};
pub use event::{PaymentResult, PaymentUpdateEvent};
pub use ids::{AttemptId, PaymentId};
pub use merchant::{
    AttemptDetails, AttemptResolution, AttemptState, Deliveries, DeliveryCounts, DeliveryLogEntry, DeliveryOutcome,
    EventPage, PaymentDetails, PaymentEvents, PaymentPage, Redelivered, Refund, RefundRequest, RefundState,
};
pub use money::Amount;
pub use payment::{
    BrowserPayment, ItemName, NewPayment, Payment, PaymentInfo, PaymentItem, Quantity, ValidItem, MAX_ITEMS,
};
pub use status::{IllegalTransition, TransactionStatus};
pub use user_info::{BrowserUserInfo, Email, PersonName, Phone, UserInfo};
