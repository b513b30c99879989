//! The demo shop: the seed tutorial's merchant app, on Pay's public API only. Its server is
//! the Pay server (the same settings: `PAY_*` variables or `PAY_CONFIG`) with the shop's own
//! routes beside Pay's (`shop.rs`). `scripts/demo.sh` runs it with the shop's page, `www/`.
//!
//! ```sh
//! cargo run -p pay-backend --example demo_shop
//! ```

mod shop;

use pay_backend::{shutdown, telemetry, Application, Pay, Settings};
use std::path::PathBuf;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    let config = std::env::var_os("PAY_CONFIG").map(PathBuf::from);
    let settings = match Settings::load(config.as_deref(), std::env::vars()) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    telemetry::init(&settings.log_format);
    let app = match start(&settings).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    tracing::info!("listening on http://{}:{}", settings.host, app.port());
    match app.run_until(shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("server error: {e}")),
    }
}

async fn start(settings: &Settings) -> Result<Application, pay_backend::PayError> {
    let pay = Pay::new(settings.pay_config(settings.processor()?)).await?;
    let log = shop::register_hook(&pay).await?;
    Application::serve(settings, pay, move |cfg| shop::configure(cfg, log.clone()))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("demo_shop: {message}");
    ExitCode::FAILURE
}
