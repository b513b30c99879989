//! `onPaymentUpdate`: every status change's event, from the outbox to in-process hooks and
//! signed HTTP webhooks, at least once, in `sequence` order per payment and target.

mod backoff;
mod dispatcher;
mod signature;
mod webhook;

pub use backoff::{next_wait, MAX_TRIES};
/// Starts the delivery loop of one target.
pub(crate) use dispatcher::spawn as spawn_delivery_loop;
pub use signature::{verify_webhook, verify_webhook_at, VerifyError, WebhookSecret};
pub use webhook::WebhookEndpoint;

use futures_util::future::BoxFuture;
use pay_types::PaymentUpdateEvent;
use std::sync::Arc;

/// What a hook returns: an error makes the event come again later, with backoff.
pub type HookResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub(crate) type HookFn = dyn Fn(PaymentUpdateEvent) -> BoxFuture<'static, HookResult> + Send + Sync;

/// Where a target's events go.
#[derive(Clone)]
pub(crate) enum Sink {
    Hook(Arc<HookFn>),
    Webhook(Arc<WebhookEndpoint>),
}
