//! `onPaymentUpdate`: every status change's event, from the outbox to in-process hooks and
//! signed HTTP webhooks, at least once, in `sequence` order per payment and target.

mod backoff;
mod dispatcher;
mod signature;
mod webhook;

pub use backoff::{next_wait, MAX_TRIES};
pub use signature::{verify_webhook, verify_webhook_at, VerifyError, WebhookSecret};
pub use webhook::WebhookEndpoint;

use crate::error::PayError;
use crate::pay::Pay;
use futures_util::future::BoxFuture;
use pay_types::PaymentUpdateEvent;
use std::future::Future;
use std::sync::Arc;

/// What a hook returns: an error makes the event come again later, with backoff.
pub type HookResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

type HookFn = dyn Fn(PaymentUpdateEvent) -> BoxFuture<'static, HookResult> + Send + Sync;

/// Where a target's events go.
#[derive(Clone)]
pub(crate) enum Sink {
    Hook(Arc<HookFn>),
    Webhook(Arc<WebhookEndpoint>),
}

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

    /// Starts delivering to a webhook endpoint (the server does this for each configured one).
    pub async fn add_webhook(&self, endpoint: WebhookEndpoint) -> Result<(), PayError> {
        self.start_target(format!("webhook:{}", endpoint.name), Sink::Webhook(Arc::new(endpoint)))
            .await
    }

    async fn start_target(&self, target: String, sink: Sink) -> Result<(), PayError> {
        self.inner.store.register_target(&target).await?;
        dispatcher::spawn(self.clone(), target, sink);
        Ok(())
    }
}
