//! The checkout: what the popup shows and how an attempt is charged, at most once.
//!
//! An attempt first claims the payment in one write transaction (the payment must accept
//! attempts and have none in flight), then goes to the processor, then records the outcome
//! and its event in a second transaction. Double submits, replayed attempt ids and concurrent
//! tabs all meet the claim: none of them reaches the processor twice.

use super::{lookup_id, Pay};
use crate::error::PayError;
use crate::processor::{Card, ChargeRequest};
use crate::store::{AttemptRow, Change, Claim, NewAttempt, PaymentRow};
use pay_types::{
    AttemptId, AttemptRequest, AttemptResult, BrowserUserInfo, CardNumber, CheckoutView, Cvc, Decline, DeclineCode,
    ErrorCode, Expiry, PaymentMethod, TransactionStatus, UserInfo,
};
use sha2::{Digest, Sha256};

impl Pay {
    /// What the popup needs: `GET /pay/v1/checkout/{id}`.
    pub async fn checkout_view(&self, id: &str) -> Result<CheckoutView, PayError> {
        let row = self.payment(id).await?;
        let mut methods = vec![PaymentMethod::Card];
        if self.inner.offline_payments {
            methods.push(PaymentMethod::Offline);
        }
        let claim = row.claim_state(self.inner.max_declined_attempts);
        Ok(CheckoutView {
            payable: claim.payable(),
            attempts_left: claim.attempts_left(),
            status: row.status,
            transaction_id: row.transaction_id.clone(),
            user_info: row
                .buyer_info
                .clone()
                .or_else(|| row.payment.user_info.clone())
                .map(BrowserUserInfo::from),
            payment: row.payment.into(),
            methods,
        })
    }

    /// The latest result of a payment: `GET /pay/v1/checkout/{id}/result`.
    pub async fn latest_result(&self, id: &str) -> Result<AttemptResult, PayError> {
        let row = self.payment(id).await?;
        Ok(self.result_of(
            row.last_attempt_id.clone(),
            row.status,
            row.transaction_id.clone(),
            row.decline,
            row,
        ))
    }

    /// Submits a payment attempt: `POST /pay/v1/checkout/{id}/attempts`.
    pub async fn submit_attempt(&self, id: &str, request: AttemptRequest) -> Result<AttemptResult, PayError> {
        // Unknown and malformed ids both end at the claim, which finds no payment.
        let payment_id = lookup_id(id);
        let attempt_id = AttemptId::parse(&request.attempt_id)?;
        let user_info = match request.user_info {
            Some(u) => Some(UserInfo::from(u).validate()?).filter(|u| !u.is_empty()),
            None => None,
        };
        let card = match request.method {
            PaymentMethod::Card => {
                let input = request
                    .card
                    .as_ref()
                    .ok_or_else(|| PayError::rejected(ErrorCode::MissingCard, "card: required for the card method"))?;
                let number = CardNumber::parse(&input.number)?;
                let now = time::OffsetDateTime::now_utc();
                let expiry = Expiry::parse(input.exp_month, input.exp_year, (now.year() as u16, now.month() as u8))?;
                let cvc = Cvc::parse(&input.cvc, number.brand())?;
                Some(Card { number, expiry, cvc })
            }
            PaymentMethod::Offline if !self.inner.offline_payments => {
                return Err(PayError::rejected(
                    ErrorCode::OfflineNotEnabled,
                    "offline payments are not enabled",
                ));
            }
            PaymentMethod::Offline => None,
        };
        let new = NewAttempt {
            request_hash: attempt_hash(request.method, card.as_ref(), user_info.as_ref())?,
            payment_id: payment_id.clone(),
            attempt_id: attempt_id.as_str().to_owned(),
            method: request.method,
            card_brand: card.as_ref().map(|c| c.number.brand().as_str().to_owned()),
            card_last4: card.as_ref().map(|c| c.number.last4().to_owned()),
            user_info,
        };
        match self
            .inner
            .store
            .claim_attempt(&new, self.inner.max_declined_attempts)
            .await?
        {
            Claim::Replay(row, attempt) => Ok(self.replayed(row, *attempt)),
            Claim::Granted(row) => {
                // The charge and its record run to the end even if the client goes away.
                let pay = self.clone();
                let task = actix_web::rt::spawn(async move { pay.charge(row, new, card).await });
                task.await
                    .map_err(|e| PayError::internal(format!("attempt task failed: {e}")))?
            }
        }
    }

    async fn charge(
        &self,
        row: PaymentRow,
        attempt: NewAttempt,
        card: Option<Card>,
    ) -> Result<AttemptResult, PayError> {
        let change = match &card {
            Some(card) => {
                let outcome = self
                    .inner
                    .processor
                    .charge(ChargeRequest {
                        attempt_key: &format!("{}:{}", attempt.payment_id, attempt.attempt_id),
                        amount: row.payment.amount,
                        currency: row.payment.currency,
                        card,
                    })
                    .await;
                Change {
                    status: outcome.status,
                    transaction_id: Some(outcome.transaction_id),
                    decline: outcome.decline,
                    buyer_info: None,
                    later: outcome.later,
                }
            }
            None => Change {
                transaction_id: Some(format!("txn_{}", uuid::Uuid::new_v4().simple())),
                ..Change::to(TransactionStatus::Offline)
            },
        };
        let (row, done) = self
            .inner
            .store
            .finish_attempt(&attempt.payment_id, &attempt.attempt_id, change)
            .await?;
        tracing::info!(payment_id = %attempt.payment_id, status = %row.status, "attempt finished");
        self.inner
            .metrics
            .attempts
            .with_label_values(&[row.status.as_str()])
            .inc();
        Ok(self.replayed(row, done))
    }

    /// Attempts a crash left between claim and outcome (their process is no longer running)
    /// are closed as `Failed` (`processing_error`): the sandbox never charged them. A real
    /// processor would be asked for the outcome of the attempt key instead.
    pub(crate) async fn recover_interrupted_attempts(&self) -> Result<(), PayError> {
        for (payment_id, attempt_id) in self.inner.store.interrupted_attempts().await? {
            let change = Change {
                decline: Some(DeclineCode::ProcessingError),
                ..Change::to(TransactionStatus::Failed)
            };
            match self.inner.store.finish_attempt(&payment_id, &attempt_id, change).await {
                Ok(_) => tracing::warn!(%payment_id, "interrupted attempt closed as failed"),
                // Another process sharing the database closed it first.
                Err(e) => tracing::debug!(%payment_id, error = %e, "interrupted attempt already closed"),
            }
        }
        Ok(())
    }

    fn replayed(&self, row: PaymentRow, attempt: AttemptRow) -> AttemptResult {
        let status = attempt.status.unwrap_or(row.status);
        let decline = attempt.decline;
        self.result_of(Some(attempt.attempt_id), status, attempt.transaction_id, decline, row)
    }

    fn result_of(
        &self,
        attempt_id: Option<String>,
        status: TransactionStatus,
        transaction_id: Option<String>,
        decline: Option<DeclineCode>,
        row: PaymentRow,
    ) -> AttemptResult {
        AttemptResult {
            attempts_left: self.attempts_left(&row),
            attempt_id,
            status,
            transaction_id,
            decline: decline
                .filter(|_| status == TransactionStatus::Failed)
                .map(Decline::from),
            user_info: row
                .buyer_info
                .or(row.payment.user_info.clone())
                .map(BrowserUserInfo::from),
            payment: row.payment.into(),
            processing: false,
            challenge: None,
        }
    }

    fn attempts_left(&self, row: &PaymentRow) -> u32 {
        row.claim_state(self.inner.max_declined_attempts).attempts_left()
    }
}

/// Fingerprint of an attempt's details, to tell a replay from a different request under the
/// same attempt id. Made of brand, last four and expiry only: never the full number or CVC.
fn attempt_hash(method: PaymentMethod, card: Option<&Card>, user: Option<&UserInfo>) -> Result<String, PayError> {
    let mut h = Sha256::new();
    h.update(format!("{method:?}|"));
    if let Some(c) = card {
        h.update(format!(
            "{}|{}|{}/{}|",
            c.number.brand().as_str(),
            c.number.last4(),
            c.expiry.month,
            c.expiry.year
        ));
    }
    h.update(serde_json::to_vec(&user)?);
    Ok(hex::encode(h.finalize()))
}
