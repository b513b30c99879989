//! Prometheus metrics: counted as things happen (requests, payments, attempts) or read at
//! scrape time (from the database: deliveries, outbox age, pool use; whether the provider
//! answers).

use crate::error::PayError;
use crate::pay::Pay;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub payments_created: IntCounter,
    pub attempts: IntCounterVec,
    deliveries: IntGaugeVec,
    outbox_age: IntGaugeVec,
    pool: IntGaugeVec,
    provider_up: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("pay_http_requests_total", "HTTP requests by route, method and status"),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("pay_http_request_duration_seconds", "HTTP request latency by route").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let payments_created = IntCounter::new("pay_payments_created_total", "Payments created").expect("valid metric");
        let attempts = IntCounterVec::new(
            Opts::new("pay_attempts_total", "Payment attempts by outcome status"),
            &["outcome"],
        )
        .expect("valid metric");
        let deliveries = IntGaugeVec::new(
            Opts::new(
                "pay_event_deliveries",
                "Event deliveries by target and state (pending, delivered, dead)",
            ),
            &["target", "state"],
        )
        .expect("valid metric");
        let outbox_age = IntGaugeVec::new(
            Opts::new(
                "pay_outbox_oldest_pending_seconds",
                "Age of the oldest undelivered event, per target",
            ),
            &["target"],
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("pay_db_pool_connections", "Database pool connections by pool and state"),
            &["pool", "state"],
        )
        .expect("valid metric");
        let provider_up = IntGaugeVec::new(
            Opts::new(
                "pay_provider_up",
                "Whether the payment provider answers Pay's calls (1) or not, or not yet (0)",
            ),
            &["provider"],
        )
        .expect("valid metric");
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(payments_created.clone()),
            Box::new(attempts.clone()),
            Box::new(deliveries.clone()),
            Box::new(outbox_age.clone()),
            Box::new(pool.clone()),
            Box::new(provider_up.clone()),
        ] {
            registry.register(m).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            payments_created,
            attempts,
            deliveries,
            outbox_age,
            pool,
            provider_up,
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads the database-backed gauges and renders everything in the text format.
pub async fn render(pay: &Pay) -> Result<String, PayError> {
    let m = pay.metrics();
    let store = pay.db();
    m.deliveries.reset();
    for (target, state, n) in store.delivery_states().await? {
        m.deliveries.with_label_values(&[&target, &state]).set(n);
    }
    m.outbox_age.reset();
    for (target, age) in store.oldest_pending_ages().await? {
        m.outbox_age.with_label_values(&[&target]).set(age);
    }
    for (pool, size, idle) in store.pool_stats() {
        m.pool.with_label_values(&[pool, "open"]).set(size);
        m.pool.with_label_values(&[pool, "idle"]).set(idle);
    }
    let (provider, reachability) = pay.provider_reachability();
    let up = reachability.state == crate::providers::ProviderState::Reachable;
    m.provider_up.with_label_values(&[provider]).set(i64::from(up));
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&m.registry.gather(), &mut out)
        .map_err(PayError::internal)?;
    String::from_utf8(out).map_err(PayError::internal)
}
