//! The `pay-backend` server: `--config FILE` / `PAY_CONFIG` and `PAY_*` variables (see `--help`).

use pay_backend::startup::main_with;
use pay_backend::Application;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    main_with("pay-backend", Application::build).await
}
