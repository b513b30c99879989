//! What the buyer's page and the merchant's server receive.

use crate::payment::{BrowserPayment, Payment};
use crate::status::TransactionStatus;
use crate::user_info::{BrowserUserInfo, UserInfo};
use serde::{Deserialize, Serialize};

/// The resolution of `startPayment` in the browser. For display only.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResult {
    pub payment: BrowserPayment,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    pub user_info: Option<BrowserUserInfo>,
}

/// The argument of `onPaymentUpdate` hooks and the body of webhooks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentUpdateEvent {
    pub payment: Payment,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    pub user_info: Option<UserInfo>,
    /// Unique, stable across redeliveries.
    pub event_id: String,
    /// Per payment, strictly increasing from 1.
    pub sequence: u64,
    /// RFC 3339.
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_result_browser_shape() {
        let json = r#"{"payment":{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","amount":10.00,"currency":"USD","items":[{"name":"Mug","price":10.00,"quantity":1}]},"status":"Cancelled","transactionId":null,"userInfo":{"firstName":"Ada","lastName":null,"email":null,"phone":null,"country":"GBR"}}"#;
        let r: PaymentResult = serde_json::from_str(json).unwrap();
        assert_eq!(r.status, TransactionStatus::Cancelled);
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
    }

    #[test]
    fn update_event_server_shape() {
        let json = r#"{"payment":{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","amount":10.00,"currency":"USD","items":[{"name":"Mug","price":10.00,"quantity":1}],"userInfo":null,"expiresAt":null},"status":"Successful","transactionId":"txn_1","userInfo":{"firstName":null,"lastName":null,"email":"a@b.co","phone":null,"countryCode":"USA"},"eventId":"evt_1","sequence":1,"createdAt":"2026-11-27T12:00:00Z"}"#;
        let e: PaymentUpdateEvent = serde_json::from_str(json).unwrap();
        assert_eq!(e.sequence, 1);
        assert_eq!(serde_json::to_string(&e).unwrap(), json);
    }
}
