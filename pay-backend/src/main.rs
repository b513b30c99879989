//! The `pay-backend` server: `--config FILE` / `PAY_CONFIG` and `PAY_*` variables (see `--help`).

use clap::Parser;
use pay_backend::config::Cli;
use pay_backend::{telemetry, Application, Settings};
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    telemetry::init(settings.log_format);
    let app = match Application::build(settings.clone()).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    tracing::info!("listening on http://{}:{}", settings.host, app.port());
    match app.run_until(pay_backend::shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("server error: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("pay-backend: {message}");
    ExitCode::FAILURE
}
