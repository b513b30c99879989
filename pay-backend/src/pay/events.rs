//! Events: `onPaymentUpdate` hooks and webhooks fed from the outbox, the event feed, a
//! payment's events, redelivery and delivery logs, and the background checks that ask the
//! provider about open attempts and refunds.

use super::checkout::check_backoff;
use super::Pay;
use crate::error::PayError;
use crate::events::{self, HookFn, HookResult, Sink, WebhookEndpoint};
use crate::providers::ProviderState;
use crate::store::rfc3339;
use pay_types::{Deliveries, DeliveryLogEntry, ErrorCode, EventPage, PaymentUpdateEvent};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Tries listed by [`Pay::deliveries`].
const DELIVERY_LOG_LINES: u32 = 100;

/// The longest wait between two probes of an unreachable provider.
const PROBE_AT_MOST_EVERY: Duration = Duration::from_secs(30);

/// How long a reachable provider may go without a call before a probe asks it again.
const PROBE_WHEN_QUIET_FOR: Duration = Duration::from_secs(60);

impl Pay {
    /// Registers an async handler for every payment status change (the seed's
    /// `wixPay_onPaymentUpdate`), under the durable name `hook:default`. It receives every event
    /// recorded from its first registration on, at least once, in `sequence` order per payment;
    /// returning an error retries the event with backoff. Register it at start-up, every time:
    /// events recorded while the process was down are delivered when it is registered again.
    pub async fn on_payment_update<F, Fut>(&self, handler: F) -> Result<(), PayError>
    where
        F: Fn(PaymentUpdateEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HookResult> + Send + 'static,
    {
        self.on_payment_update_named("default", handler).await
    }

    /// Like [`Pay::on_payment_update`] for several hooks: each name keeps its own deliveries.
    pub async fn on_payment_update_named<F, Fut>(&self, name: &str, handler: F) -> Result<(), PayError>
    where
        F: Fn(PaymentUpdateEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HookResult> + Send + 'static,
    {
        let hook: Arc<HookFn> = Arc::new(move |event| Box::pin(handler(event)));
        self.start_target(format!("hook:{name}"), Sink::Hook(hook)).await
    }

    /// Starts delivering to a webhook endpoint (the configured ones start with [`Pay::new`]).
    pub async fn add_webhook(&self, endpoint: WebhookEndpoint) -> Result<(), PayError> {
        self.start_target(format!("webhook:{}", endpoint.name), Sink::Webhook(Arc::new(endpoint)))
            .await
    }

    async fn start_target(&self, target: String, sink: Sink) -> Result<(), PayError> {
        self.inner.store.register_target(&target).await?;
        events::spawn_delivery_loop(self.clone(), target, sink);
        Ok(())
    }

    /// A payment's events in `sequence` order.
    pub async fn payment_events(&self, id: &str) -> Result<Vec<PaymentUpdateEvent>, PayError> {
        let row = self.payment(id).await?;
        Ok(self.inner.store.events_of(&row.payment.id).await?)
    }

    /// Events in the order they were recorded, after `after` (the `nextCursor` of the previous
    /// page; none to start), at most `limit` (1..=500).
    pub async fn events_after(&self, after: Option<i64>, limit: u32) -> Result<EventPage, PayError> {
        if !(1..=500).contains(&limit) {
            return Err(PayError::rejected(ErrorCode::InvalidQuery, "limit: 1 to 500"));
        }
        let rows = self.inner.store.events_after(after.unwrap_or(0).max(0), limit).await?;
        let next_cursor = rows.last().map(|(position, _)| *position).or(after);
        Ok(EventPage {
            data: rows.into_iter().map(|(_, event)| event).collect(),
            next_cursor,
        })
    }

    /// Queues an event again for every target, or only `target` (e.g. `webhook:orders`).
    /// Returns how many deliveries were queued.
    pub async fn redeliver(&self, event_id: &str, target: Option<&str>) -> Result<u64, PayError> {
        printable(event_id, "event")?;
        if let Some(target) = target {
            printable(target, "target")?;
        }
        Ok(self.inner.store.redeliver(event_id, target).await?)
    }

    /// A webhook endpoint's delivery counts and its latest tries, newest first.
    pub async fn deliveries(&self, webhook: &str) -> Result<Deliveries, PayError> {
        printable(webhook, "webhook")?;
        let target = format!("webhook:{webhook}");
        let counts = self.inner.store.delivery_counts(&target).await?;
        let log = self.inner.store.delivery_log(&target, DELIVERY_LOG_LINES).await?;
        let log = log
            .into_iter()
            .map(|line| DeliveryLogEntry {
                event_id: line.event_id,
                attempt: line.attempt,
                outcome: line.outcome,
                status_code: line.status_code,
                error: line.error,
                duration_ms: line.duration_ms,
                at: rfc3339(line.at),
            })
            .collect();
        Ok(Deliveries { counts, log })
    }
}

impl Pay {
    /// Probes the provider when its state is unknown, when it is unreachable and the checks'
    /// backoff after its last failure (at most [`PROBE_AT_MOST_EVERY`]) is over, or when it was
    /// quiet for [`PROBE_WHEN_QUIET_FOR`]. Answers its state then.
    async fn probe_provider(&self) -> ProviderState {
        let provider = &self.inner.provider;
        let report = provider.reachability();
        let quiet_for = |wait: Duration| report.quiet_for.is_none_or(|quiet| quiet >= wait);
        let due = match report.state {
            ProviderState::Unknown => true,
            ProviderState::Unreachable => quiet_for(check_backoff(i64::from(report.failures)).min(PROBE_AT_MOST_EVERY)),
            ProviderState::Reachable => report.quiet_for.is_some() && quiet_for(PROBE_WHEN_QUIET_FOR),
        };
        if !due {
            return report.state;
        }
        provider.probe().await;
        provider.reachability().state
    }
}

/// Names and ids are printable text: one with control characters names nothing (and
/// PostgreSQL cannot even compare text holding a NUL).
fn printable(raw: &str, what: &str) -> Result<(), PayError> {
    match raw.chars().any(char::is_control) {
        true => Err(PayError::rejected(ErrorCode::NotFound, format!("no such {what}"))),
        false => Ok(()),
    }
}

/// Every 250 ms, asks the provider about the attempts and refunds whose answer is due (unknown
/// answers, with backoff; those of dead processes; challenges past their deadline). Errors are
/// logged and retried. While the provider is unreachable they wait, each keeping its place
/// and its backoff, and only a probe asks it; the first answer lets them through.
pub(super) fn spawn_provider_checks(pay: &Pay) {
    pay.spawn_every(Duration::from_millis(250), |pay| async move {
        if pay.probe_provider().await == ProviderState::Unreachable {
            return;
        }
        if let Err(e) = pay.check_open_attempts().await {
            tracing::error!(error = %e, "checking open attempts failed");
        }
        if let Err(e) = pay.check_open_refunds().await {
            tracing::error!(error = %e, "checking open refunds failed");
        }
    });
}
