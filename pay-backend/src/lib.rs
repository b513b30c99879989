//! Pay backend: the Rust API (`Pay::create_payment` …), mountable actix-web routes, and the
//! pieces of the `pay-backend` server.

pub mod config;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod metrics;
pub mod pay;
pub mod providers;
pub mod rate_limit;
pub mod rates;
pub mod routes;
pub mod shutdown;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use config::Settings;
pub use error::PayError;
pub use events::{verify_webhook, HookResult, WebhookEndpoint, WebhookSecret};
pub use pay::{IdempotencyKey, Pay, PayConfig, RatesSource};
pub use startup::Application;
