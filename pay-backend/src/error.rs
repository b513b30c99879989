//! `PayError`: what every operation of the crate can fail with, and how it answers over HTTP.
//! Client errors carry a stable code and a message; internal causes are logged, never echoed.

use crate::store::StoreError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use pay_types::{ApiError, ClaimRefusal, ErrorCode, IllegalTransition, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// The caller's input or the payment's state refuses the request.
    #[error("{}: {}", .0.code, .0.message)]
    Rejected(ApiError),
    /// Too many attempts from one client address: answered with `Retry-After`.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Our side failed (database, I/O). Logged with its cause; the client sees `internal_error`.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PayError {
    pub fn rejected(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Rejected(ApiError {
            code,
            message: message.into(),
        })
    }

    /// A request body that cannot be read, `invalid_json`, with the reader's message less the
    /// values it quotes: a body may hold a card number or a CVC (in the wrong type, say), and
    /// the message goes to the log and back to the client.
    pub fn invalid_json(message: impl std::fmt::Display) -> Self {
        Self::rejected(ErrorCode::InvalidJson, without_values(&message.to_string()))
    }

    pub fn payment_not_found() -> Self {
        Self::rejected(ErrorCode::PaymentNotFound, "no such payment")
    }

    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(e.into())
    }

    /// The request was refused for what it is (4xx), not for a failure on our side.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Internal(_))
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Rejected(e) => e.code,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }
}

impl From<ValidationError> for PayError {
    fn from(e: ValidationError) -> Self {
        Self::Rejected(e.into())
    }
}

impl From<IllegalTransition> for PayError {
    fn from(e: IllegalTransition) -> Self {
        Self::rejected(
            ErrorCode::IllegalTransition,
            format!("a {} payment cannot become {}", e.from, e.to),
        )
    }
}

/// The one place the store's refusals become error codes; its failures are internal.
impl From<StoreError> for PayError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::PaymentNotFound => return Self::payment_not_found(),
            StoreError::IllegalTransition(t) => return (*t).into(),
            StoreError::Claim(refusal) => match refusal {
                ClaimRefusal::AttemptConflict => ErrorCode::AttemptConflict,
                ClaimRefusal::ThisAttemptInProgress | ClaimRefusal::OtherAttemptInProgress => {
                    ErrorCode::AttemptInProgress
                }
                ClaimRefusal::NotPayable(_) => ErrorCode::PaymentNotPayable,
                ClaimRefusal::TooManyDeclines => ErrorCode::TooManyAttempts,
                ClaimRefusal::Expired => ErrorCode::PaymentExpired,
            },
            StoreError::IdempotencyConflict => ErrorCode::IdempotencyConflict,
            StoreError::NotRefundable(_) | StoreError::NothingScheduled => ErrorCode::IllegalTransition,
            StoreError::RefundExceedsAmount { .. } => ErrorCode::RefundExceedsAmount,
            StoreError::NoDeliveries | StoreError::NoSuchRefund => ErrorCode::NotFound,
            StoreError::AttemptNotInFlight
            | StoreError::UnsupportedUrl
            | StoreError::Corrupt(_)
            | StoreError::Writer(_)
            | StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Json(_) => return Self::internal(e),
        };
        Self::rejected(code, e.to_string())
    }
}

impl From<serde_json::Error> for PayError {
    fn from(e: serde_json::Error) -> Self {
        Self::internal(e)
    }
}

impl ResponseError for PayError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            Self::Rejected(e) => e.clone(),
            Self::RateLimited { retry_after_secs } => {
                return HttpResponse::build(self.status_code())
                    .insert_header(("Retry-After", retry_after_secs.to_string()))
                    .json(ApiError {
                        code: ErrorCode::RateLimited,
                        message: format!("too many payment attempts from this address; retry in {retry_after_secs} s"),
                    });
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                ApiError {
                    code: ErrorCode::InternalError,
                    message: "internal error".into(),
                }
            }
        };
        HttpResponse::build(self.status_code()).json(body)
    }
}

/// serde's messages quote the value they could not take: `invalid type: integer `4242…`,
/// expected a string`, `invalid value: string "…"`, `unknown variant `…``. This keeps the kind
/// of value and what was expected, and drops the value.
pub(crate) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    for prefix in ["invalid type: ", "invalid value: ", "unknown variant "] {
        let Some(at) = rest.find(prefix) else { continue };
        let start = at + prefix.len();
        let Some(end) = rest[start..].find(", expected").map(|e| start + e) else {
            continue;
        };
        let kind = rest[start..end].split(['`', '"']).next().unwrap_or_default().trim_end();
        if kind.is_empty() {
            out.push_str(rest[..start].trim_end());
        } else {
            out.push_str(&rest[..start]);
            out.push_str(kind);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod value_tests {
    use super::without_values;

    #[test]
    fn messages_keep_the_kind_and_drop_the_value() {
        let cases = [
            (
                "invalid type: integer `4000000000009995`, expected a string at line 1 column 102",
                "invalid type: integer, expected a string at line 1 column 102",
            ),
            (
                r#"invalid type: string "4242 4242", expected u32 at line 1 column 9"#,
                "invalid type: string, expected u32 at line 1 column 9",
            ),
            (
                "invalid value: floating point `1.5`, expected a whole number",
                "invalid value: floating point, expected a whole number",
            ),
            (
                "unknown variant `4242424242424242`, expected `card` or `offline`",
                "unknown variant, expected `card` or `offline`",
            ),
            (
                "unknown field `cardz`, expected one of `number`",
                "unknown field `cardz`, expected one of `number`",
            ),
            (
                "EOF while parsing a value at line 1 column 0",
                "EOF while parsing a value at line 1 column 0",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(without_values(message), want);
        }
    }
}
