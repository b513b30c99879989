//! What comes from the provider on its own: signed events (`POST /pay/v1/providers/{name}/events`)
//! and, in test mode, the sandbox's test hooks (settle a pending payment or raise a dispute
//! now, answer a challenge), which go through the same event path.

use super::Pay;
use crate::error::PayError;
use crate::providers::{AttemptKey, ProviderEventKind, SandboxProvider};
use crate::store::{Change, EventAction, EventEffect, RefundEnd, StoreError};
use actix_web::http::header::HeaderMap;
use pay_types::{AttemptId, ErrorCode, PaymentId, TransactionStatus};

impl Pay {
    /// A provider event: verified by the provider, applied once, through the transition table.
    /// An event that no longer fits changes nothing and is still accepted (`Ok`), so the
    /// provider stops sending it; a bad signature is `invalid_signature` (400).
    pub async fn receive_provider_event(
        &self,
        provider: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<EventEffect, PayError> {
        let ours = &self.inner.provider;
        if provider != ours.name() {
            return Err(PayError::rejected(ErrorCode::NotFound, "no such provider"));
        }
        let event = ours.verify_event(headers, body).await.map_err(|refusal| {
            tracing::warn!(provider, %refusal, "provider event refused");
            PayError::rejected(ErrorCode::InvalidSignature, refusal.to_string())
        })?;
        let kind = event.kind.name().to_owned();
        let charge = |key: AttemptKey, change: Change| EventAction::Charge {
            payment_id: key.payment_id,
            attempt_id: key.attempt_id.as_str().to_owned(),
            change,
        };
        let action = match event.kind {
            ProviderEventKind::ChargeSucceeded { key } => charge(key, Change::to(TransactionStatus::Successful)),
            ProviderEventKind::ChargeFailed { key, decline } => charge(
                key,
                Change {
                    decline: Some(decline),
                    ..Change::to(TransactionStatus::Failed)
                },
            ),
            ProviderEventKind::DisputeOpened { key } => EventAction::Dispute {
                payment_id: key.payment_id,
                attempt_id: key.attempt_id.as_str().to_owned(),
            },
            ProviderEventKind::RefundSucceeded { refund } => EventAction::Refund {
                refund_id: refund,
                end: RefundEnd::Succeeded,
            },
            ProviderEventKind::RefundFailed { refund, reason } => EventAction::Refund {
                refund_id: refund,
                end: RefundEnd::Refused(reason),
            },
            ProviderEventKind::Other { .. } => EventAction::Nothing,
        };
        let effect = self
            .inner
            .store
            .apply_provider_event(provider, &event.id, &kind, action)
            .await?;
        tracing::info!(provider, event_id = %event.id, kind, effect = effect.as_str(), "provider event");
        Ok(effect)
    }

    /// The sandbox, in test mode only.
    pub fn sandbox(&self) -> Option<&SandboxProvider> {
        self.inner.provider.as_sandbox().filter(|_| self.inner.test_mode)
    }

    fn test_sandbox(&self) -> Result<&SandboxProvider, PayError> {
        self.sandbox()
            .ok_or_else(|| PayError::rejected(ErrorCode::NotFound, "no such route"))
    }

    /// Takes the due events of a provider that runs in the process (the sandbox's) through the
    /// provider events route's handler, as if they had come over HTTP. An event Pay could not
    /// take (a failing database) is taken again on the next round; one it refused is not.
    pub(crate) async fn take_outgoing_events(&self) -> Result<u64, PayError> {
        let provider = &self.inner.provider;
        let mut taken = 0;
        for event in provider.outgoing_events().await? {
            match self
                .receive_provider_event(provider.name(), &event.headers, &event.body)
                .await
            {
                Ok(_) => {
                    provider.event_delivered(&event.id).await?;
                    taken += 1;
                }
                Err(e) if e.is_client_error() => {
                    tracing::error!(event_id = %event.id, error = %e, "Pay refused a provider's event; not taking it again");
                    provider.event_delivered(&event.id).await?;
                }
                Err(e) => tracing::warn!(event_id = %event.id, error = %e, "a provider's event will be taken again"),
            }
        }
        Ok(taken)
    }

    /// Test mode: the sandbox sends the payment's waiting events now (a pending charge
    /// settling, a dispute, a pending refund). Returns the payment's status after them.
    pub async fn settle_now(&self, id: &str) -> Result<TransactionStatus, PayError> {
        let sandbox = self.test_sandbox()?;
        let row = self.payment(id).await?;
        if sandbox.make_due_now(row.payment.id.as_str()).await? == 0 {
            return Err(StoreError::NothingScheduled.into());
        }
        self.take_outgoing_events().await?;
        Ok(self.payment(id).await?.status)
    }

    /// Test mode: the sandbox opens a dispute on the payment's charge now.
    pub async fn chargeback(&self, id: &str) -> Result<TransactionStatus, PayError> {
        let sandbox = self.test_sandbox()?;
        let row = self.payment(id).await?;
        let charged = AttemptKey::of_last_attempt(&row);
        let disputed = match &charged {
            Some(key) => sandbox.dispute_now(key).await? && self.take_outgoing_events().await? > 0,
            None => false,
        };
        let now = self.payment(id).await?.status;
        if !disputed || now != TransactionStatus::Chargeback {
            return Err(PayError::rejected(
                ErrorCode::IllegalTransition,
                format!("only a charged Successful or PartiallyRefunded payment can be disputed; this one is {now}"),
            ));
        }
        Ok(now)
    }

    /// Test mode: the buyer's answer on the sandbox's challenge page. `None`: no challenge.
    pub async fn sandbox_answer(&self, id: &str, attempt_id: &str, complete: bool) -> Result<AttemptKey, PayError> {
        let sandbox = self.test_sandbox()?;
        let no_challenge = || PayError::rejected(ErrorCode::NotFound, "no such challenge");
        let key = AttemptKey::new(
            PaymentId::parse(id).map_err(|_| no_challenge())?,
            AttemptId::parse(attempt_id).map_err(|_| no_challenge())?,
        );
        sandbox.answer(&key, complete).await?.ok_or_else(no_challenge)?;
        Ok(key)
    }
}
