//! Stable, machine-readable error codes and the `{code, message}` body every error carries.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every error the API can answer with. The wire string (`as_str`) never changes once published.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Malformed requests.
    InvalidJson,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidQuery,
    // Input rules (SPEC §7).
    InvalidItems,
    InvalidItemName,
    InvalidPrice,
    InvalidQuantity,
    InvalidAmount,
    AmountMismatch,
    UnknownCurrency,
    TooManyDecimals,
    InvalidEmail,
    InvalidPhone,
    InvalidName,
    InvalidCountry,
    InvalidCardNumber,
    InvalidExpiry,
    InvalidCvc,
    InvalidAttemptId,
    InvalidIdempotencyKey,
    MissingCard,
    /// A card number sent to a provider whose own fields collect the card.
    CardDataNotAccepted,
    /// A provider token that is malformed, or sent where Pay's own form collects the card.
    InvalidPaymentMethod,
    /// `expiresAt` is not an RFC 3339 instant, or not between now and 90 days ahead.
    InvalidExpiresAt,
    RateUnavailable,
    // Who and what.
    Unauthorized,
    NotFound,
    PaymentNotFound,
    MethodNotAllowed,
    // State conflicts.
    IdempotencyConflict,
    AttemptConflict,
    AttemptInProgress,
    PaymentNotPayable,
    /// The payment's `expiresAt` has passed: it takes no more attempts.
    PaymentExpired,
    OfflineNotEnabled,
    TooManyAttempts,
    RateLimited,
    IllegalTransition,
    RefundExceedsAmount,
    /// The provider refused the refund; the message says why.
    RefundRefused,
    /// A provider event whose signature does not verify (or that cannot be read).
    InvalidSignature,
    // Ours.
    InternalError,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidItems => "invalid_items",
            Self::InvalidItemName => "invalid_item_name",
            Self::InvalidPrice => "invalid_price",
            Self::InvalidQuantity => "invalid_quantity",
            Self::InvalidAmount => "invalid_amount",
            Self::AmountMismatch => "amount_mismatch",
            Self::UnknownCurrency => "unknown_currency",
            Self::TooManyDecimals => "too_many_decimals",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidPhone => "invalid_phone",
            Self::InvalidName => "invalid_name",
            Self::InvalidCountry => "invalid_country",
            Self::InvalidCardNumber => "invalid_card_number",
            Self::InvalidExpiry => "invalid_expiry",
            Self::InvalidCvc => "invalid_cvc",
            Self::InvalidAttemptId => "invalid_attempt_id",
            Self::InvalidIdempotencyKey => "invalid_idempotency_key",
            Self::MissingCard => "missing_card",
            Self::CardDataNotAccepted => "card_data_not_accepted",
            Self::InvalidPaymentMethod => "invalid_payment_method",
            Self::InvalidExpiresAt => "invalid_expires_at",
            Self::RateUnavailable => "rate_unavailable",
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not_found",
            Self::PaymentNotFound => "payment_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::AttemptConflict => "attempt_conflict",
            Self::AttemptInProgress => "attempt_in_progress",
            Self::PaymentNotPayable => "payment_not_payable",
            Self::PaymentExpired => "payment_expired",
            Self::OfflineNotEnabled => "offline_not_enabled",
            Self::TooManyAttempts => "too_many_attempts",
            Self::RateLimited => "rate_limited",
            Self::IllegalTransition => "illegal_transition",
            Self::RefundExceedsAmount => "refund_exceeds_amount",
            Self::RefundRefused => "refund_refused",
            Self::InvalidSignature => "invalid_signature",
            Self::InternalError => "internal_error",
        }
    }

    /// The HTTP status this code is answered with.
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidJson | Self::InvalidQuery | Self::InvalidIdempotencyKey | Self::InvalidSignature => 400,
            Self::Unauthorized => 401,
            Self::NotFound | Self::PaymentNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::IdempotencyConflict
            | Self::AttemptConflict
            | Self::AttemptInProgress
            | Self::PaymentNotPayable
            | Self::PaymentExpired
            | Self::IllegalTransition
            | Self::RefundExceedsAmount
            | Self::RefundRefused => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidItems
            | Self::InvalidItemName
            | Self::InvalidPrice
            | Self::InvalidQuantity
            | Self::InvalidAmount
            | Self::AmountMismatch
            | Self::UnknownCurrency
            | Self::TooManyDecimals
            | Self::InvalidEmail
            | Self::InvalidPhone
            | Self::InvalidName
            | Self::InvalidCountry
            | Self::InvalidCardNumber
            | Self::InvalidExpiry
            | Self::InvalidCvc
            | Self::InvalidAttemptId
            | Self::MissingCard
            | Self::CardDataNotAccepted
            | Self::InvalidPaymentMethod
            | Self::InvalidExpiresAt
            | Self::RateUnavailable
            | Self::OfflineNotEnabled => 422,
            Self::TooManyAttempts | Self::RateLimited => 429,
            Self::InternalError => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value broke an input rule. `message` names the field and the rule, never echoing secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub code: ErrorCode,
    pub message: String,
}

impl ValidationError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Prefixes the message with the path of the field, e.g. `items[2].price`.
    pub fn at(mut self, field: &str) -> Self {
        self.message = format!("{field}: {}", self.message);
        self
    }
}

/// The JSON body of every error response: `{ "code": "...", "message": "..." }`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self {
            code: e.code,
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_string_matches_serde() {
        for code in [
            ErrorCode::InvalidJson,
            ErrorCode::AmountMismatch,
            ErrorCode::TooManyAttempts,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn client_errors_are_4xx() {
        assert_eq!(ErrorCode::PayloadTooLarge.http_status(), 413);
        assert_eq!(ErrorCode::IdempotencyConflict.http_status(), 409);
        assert_eq!(ErrorCode::InvalidJson.http_status(), 400);
        assert_eq!(ErrorCode::Unauthorized.http_status(), 401);
    }
}
