//! One delivery loop per target: claim due deliveries (under a lease), deliver them
//! concurrently across payments, record each try. A slow or failing target only slows itself.

use super::backoff::next_wait;
use super::webhook::Sent;
use super::Sink;
use crate::pay::Pay;
use crate::store::{DueDelivery, Try};
use pay_types::PaymentUpdateEvent;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// A claimed delivery is someone else's again after this long.
const LEASE: Duration = Duration::from_secs(60);
/// Deliveries of one target in flight at once.
const BATCH: u32 = 16;
/// How often an idle loop looks again when nothing wakes it.
const IDLE: Duration = Duration::from_millis(500);

pub(crate) fn spawn(pay: Pay, target: String, sink: Sink) {
    let background = pay.clone();
    background.spawn_background(async move {
        let client = reqwest::Client::new();
        // Each delivery is a task of its own, so it makes progress (and releases the database)
        // while this loop waits on the database or on new events.
        let mut in_flight = JoinSet::new();
        while !pay.is_stopping() {
            let woken = pay.db().changes().notified();
            let room = BATCH.saturating_sub(in_flight.len() as u32);
            if room > 0 {
                match pay.db().claim_due(&target, room, LEASE).await {
                    Ok(due) => {
                        for d in due {
                            let (pay, target, sink, client) =
                                (pay.clone(), target.clone(), sink.clone(), client.clone());
                            in_flight.spawn(async move { deliver(&pay, &target, &sink, &client, d).await });
                        }
                    }
                    Err(e) => tracing::error!(%target, error = %e, "claiming deliveries failed"),
                }
            }
            // Wait for a delivery to finish, a new event, or the idle tick; whichever is first.
            tokio::select! {
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                _ = tokio::time::timeout(IDLE, woken) => {}
                () = pay.stopping() => {}
            }
        }
        // Stopping: no new claims; what is in flight finishes (the stop has a deadline).
        while in_flight.join_next().await.is_some() {}
    });
}

async fn deliver(pay: &Pay, target: &str, sink: &Sink, client: &reqwest::Client, d: DueDelivery) {
    let started = Instant::now();
    let failed = |status_code, error: String| Try::Failed {
        status_code,
        error,
        retry_in: next_wait(u32::try_from(d.attempts + 1).unwrap_or(u32::MAX)),
    };
    let outcome = match sink {
        Sink::Webhook(endpoint) => match endpoint.send(client, &d.event_id, &d.payload).await {
            Sent::Ok(code) => Try::Delivered {
                status_code: Some(code),
            },
            Sent::Rejected(code) => failed(Some(code), format!("endpoint answered {code}")),
            Sent::Unreachable(e) => failed(None, e),
        },
        Sink::Hook(hook) => match serde_json::from_str::<PaymentUpdateEvent>(&d.payload) {
            Ok(event) => match tokio::time::timeout(super::webhook::TIMEOUT, hook(event)).await {
                Ok(Ok(())) => Try::Delivered { status_code: None },
                Ok(Err(e)) => failed(None, e.to_string()),
                Err(_) => failed(None, "hook timed out".into()),
            },
            Err(e) => failed(None, format!("stored event does not parse: {e}")),
        },
    };
    if let Try::Failed { retry_in: None, .. } = &outcome {
        tracing::warn!(%target, event_id = %d.event_id, "delivery is dead after its last try");
    }
    if let Err(e) = pay.db().record_try(target, &d, outcome, started.elapsed()).await {
        // The lease runs out and the delivery is tried again: at least once.
        tracing::error!(%target, event_id = %d.event_id, error = %e, "recording a delivery failed");
    }
}
