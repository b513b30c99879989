//! Stopping cleanly. The background work of a `Pay` (delivery loops, the checks that ask the
//! provider about open attempts and refunds, the sandbox's events) runs under one tracker. On stop it claims nothing new, the deliveries in
//! flight get until the deadline, and the leases of whatever is left are handed back, so
//! another process (or the next start) takes it over at once.

use crate::pay::Pay;
use std::future::Future;
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Default)]
pub(crate) struct Background {
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Pay {
    /// Runs `work` in the background until it ends; it should end soon after
    /// [`Pay::stopping`] resolves.
    pub(crate) fn spawn_background(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.background().tasks.spawn(work);
    }

    /// Runs `round` every `period` in the background until a stop begins.
    pub(crate) fn spawn_every<F, Fut>(&self, period: std::time::Duration, round: F)
    where
        F: Fn(Pay) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let pay = self.clone();
        self.spawn_background(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = pay.stopping() => break,
                }
                round(pay.clone()).await;
            }
        });
    }

    /// Resolves once a stop has begun: background loops take no new work after it.
    pub(crate) async fn stopping(&self) {
        self.background().stop.cancelled().await;
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.background().stop.is_cancelled()
    }

    /// Stops the background work, waiting for what is in flight until `deadline`, then hands
    /// back this process's delivery leases and closes the database. Returns whether everything
    /// in flight ended in time.
    pub async fn stop(&self, deadline: Instant) -> bool {
        let background = self.background();
        background.stop.cancel();
        background.tasks.close();
        let in_time = tokio::time::timeout_at(deadline.into(), background.tasks.wait())
            .await
            .is_ok();
        if !in_time {
            tracing::warn!(
                "deliveries still in flight at the shutdown deadline are left to another process or a restart"
            );
        }
        match self.db().release_leases().await {
            Ok(released) => tracing::info!(released, in_time, "background work stopped"),
            Err(e) => tracing::error!(error = %e, "handing back delivery leases failed; they expire on their own"),
        }
        self.db().close().await;
        in_time
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops cleanly");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
