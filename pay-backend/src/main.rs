//! The `pay-backend` server: settings from `--config FILE` / `PAY_CONFIG` and `PAY_*` variables.

use pay_backend::{telemetry, Application, Settings};
use std::path::PathBuf;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut config = std::env::var_os("PAY_CONFIG").map(PathBuf::from);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{}", Settings::help());
                return ExitCode::SUCCESS;
            }
            "--config" => match args.next() {
                Some(path) => config = Some(PathBuf::from(path)),
                None => return fail("--config needs a file"),
            },
            other => return fail(&format!("unknown argument `{other}` (see --help)")),
        }
    }
    let settings = match Settings::load(config.as_deref(), std::env::vars()) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    telemetry::init(&settings.log_format);
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
