//! The demo shop: the seed tutorial's merchant app, on Pay's public API only. Its server is
//! the Pay server (the same settings: `PAY_*` variables or `PAY_CONFIG`) with the shop's own
//! routes beside Pay's (`shop.rs`). `scripts/demo.sh` runs it with the shop's page, `www/`.
//!
//! ```sh
//! cargo run -p pay-backend --example demo_shop
//! ```

mod shop;

use pay_backend::startup::main_with;
use pay_backend::{Application, Pay, PayError, Settings};
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    main_with("demo_shop", start).await
}

/// The Pay server's application with the shop's hook and routes.
async fn start(settings: Settings) -> Result<Application, PayError> {
    let pay = Pay::new(settings.pay_config(settings.provider()?)).await?;
    let log = shop::register_hook(&pay).await?;
    Application::serve(&settings, pay, move |cfg| shop::configure(cfg, log.clone()))
}
