//! `Application`: builds the server from settings, binds (port 0 picks a free port), and stops
//! gracefully.

use crate::config::{Cli, Settings};
use crate::error::PayError;
use crate::pay::Pay;
use crate::providers::Provider;
use crate::routes;
use crate::telemetry;
use crate::telemetry::PaySpans;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use clap::Parser;
use std::future::Future;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing_actix_web::TracingLogger;

pub struct Application {
    port: u16,
    server: Server,
    pay: Pay,
    shutdown_timeout: Duration,
}

/// A server's `main`: settings from `--config FILE`, `PAY_CONFIG` and `PAY_*` variables (see
/// `--help`), logs, then `build` the application and serve it until SIGTERM or Ctrl-C. The
/// `pay-backend` binary is this with [`Application::build`]; the demo shop adds its routes.
pub async fn main_with<F, Fut>(name: &str, build: F) -> ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: Future<Output = Result<Application, PayError>>,
{
    let fail = |message: String| {
        eprintln!("{name}: {message}");
        ExitCode::FAILURE
    };
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e.to_string()),
    };
    telemetry::init(settings.log_format);
    let host = settings.host.clone();
    let app = match build(settings).await {
        Ok(app) => app,
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    tracing::info!("listening on http://{host}:{}", app.port());
    match app.run_until(crate::shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("server error: {e}")),
    }
}

impl Application {
    /// The server, with the provider the settings ask for ([`Settings::provider`]).
    pub async fn build(settings: Settings) -> Result<Self, PayError> {
        let provider = settings.provider()?;
        Self::build_with_provider(settings, provider).await
    }

    pub async fn build_with_provider(settings: Settings, provider: Arc<dyn Provider>) -> Result<Self, PayError> {
        let pay = Pay::new(settings.pay_config(provider)).await?;
        Self::serve(&settings, pay, |_| {})
    }

    /// Serves `pay` as the server does (its security headers, request metrics and logs, the
    /// operations routes, the `www_dir` and `sdk_dir` files) with the host's own `routes`
    /// beside Pay's: how the demo shop adds its routes.
    pub fn serve<R>(settings: &Settings, pay: Pay, host_routes: R) -> Result<Self, PayError>
    where
        R: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port)).map_err(PayError::internal)?;
        let port = listener.local_addr().map_err(PayError::internal)?.port();
        let server = serve(listener, pay.clone(), settings, host_routes)?;
        Ok(Self {
            port,
            server,
            pay,
            shutdown_timeout: settings.shutdown_timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pay(&self) -> &Pay {
        &self.pay
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `stop` resolves (the server passes [`crate::shutdown::signal`]), then stops
    /// gracefully: no new connections; requests and deliveries in flight get until the
    /// shutdown deadline; what is left is for another process or the next start.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let Self {
            server,
            pay,
            shutdown_timeout,
            ..
        } = self;
        let handle = server.handle();
        let mut serving = actix_web::rt::spawn(server);
        tokio::select! {
            ended = &mut serving => {
                pay.stop(Instant::now()).await;
                return ended.map_err(std::io::Error::other)?;
            }
            () = stop => {}
        }
        tracing::info!(
            deadline_secs = shutdown_timeout.as_secs(),
            "stopping: finishing what is in flight"
        );
        let deadline = Instant::now() + shutdown_timeout;
        // Requests first: an attempt that finishes records a change whose delivery is then due.
        handle.stop(true).await;
        pay.stop(deadline).await;
        serving.await.map_err(std::io::Error::other)?
    }
}

fn serve<R>(listener: TcpListener, pay: Pay, settings: &Settings, host_routes: R) -> Result<Server, PayError>
where
    R: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let www = settings.www_dir.clone();
    let sdk = settings.sdk_dir.clone();
    let dashboard = dashboard(settings);
    let csp = content_security_policy(settings);
    let server = HttpServer::new(move || {
        let metrics = pay.clone();
        let mut app = App::new()
            .wrap(security_headers(&csp))
            .wrap_fn(move |req, srv| {
                let started = std::time::Instant::now();
                let method = req.method().to_string();
                let response = actix_web::dev::Service::call(srv, req);
                let pay = metrics.clone();
                async move {
                    let response = response.await?;
                    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                    pay.record_request(&route, &method, response.status().as_u16(), started.elapsed());
                    Ok(response)
                }
            })
            .wrap(TracingLogger::<PaySpans>::new())
            // For the host's own routes: they call the Rust API as a merchant's code does.
            .app_data(web::Data::new(pay.clone()))
            .configure(routes::operations(&pay))
            .service(routes::scope(&pay))
            .configure(host_routes.clone());
        if let Some(dashboard) = &dashboard {
            // At the app's root: the merchant API's guard looks for it there.
            app = app
                .app_data(dashboard.clone())
                .configure(crate::dashboard::configure(dashboard.clone()));
        }
        if let Some(dir) = &sdk {
            app = app.service(actix_files::Files::new("/sdk", dir));
        }
        if let Some(dir) = &www {
            app = app.service(actix_files::Files::new("/", dir).index_file("index.html"));
        }
        app.default_service(web::route().to(routes::not_found))
    })
    .disable_signals()
    .shutdown_timeout(settings.shutdown_timeout.as_secs())
    .listen(listener)
    .map_err(PayError::internal)?
    .run();
    Ok(server)
}

/// The dashboard's state when it is on: `dashboard = true` and a secret key to sign in with.
fn dashboard(settings: &Settings) -> Option<web::Data<crate::dashboard::Dashboard>> {
    if !settings.dashboard {
        return None;
    }
    let Some(secret_key) = settings.secret_key.clone() else {
        tracing::warn!("dashboard = true but no secret_key is set: the dashboard is off");
        return None;
    };
    Some(web::Data::new(crate::dashboard::Dashboard::new(
        secret_key,
        settings.dashboard_session,
        settings.dashboard_secure_cookie,
        settings.webhooks.iter().map(|w| w.name.clone()).collect(),
        settings.test_mode,
    )))
}

/// Headers every response carries: the Content-Security-Policy the pages it serves (the demo
/// shop, the SDK's) work under, no MIME sniffing, no referrer leaks, no framing.
fn security_headers(csp: &str) -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// The strict policy the SDK works under (its own origin, the wasm compiled, no inline code), and
/// with Stripe what Stripe.js needs besides (docs/security.md): its script and frames from
/// `stripe_js_url`'s origin, and at Stripe's own address the other origins Stripe documents
/// (Stripe.js's frames, the 3-D Secure frames of hooks.stripe.com, its API).
pub(crate) fn content_security_policy(settings: &Settings) -> String {
    let mut script = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    let mut frame = vec!["'self'".to_owned()];
    let mut connect = vec!["'self'".to_owned()];
    if settings.provider == crate::config::ProviderName::Stripe {
        let origin = settings.stripe_js_url.origin().ascii_serialization();
        if origin == "https://js.stripe.com" {
            script.extend(["https://js.stripe.com", "https://*.js.stripe.com"].map(str::to_owned));
            frame.extend(
                [
                    "https://js.stripe.com",
                    "https://*.js.stripe.com",
                    "https://hooks.stripe.com",
                ]
                .map(str::to_owned),
            );
            connect.push("https://api.stripe.com".to_owned());
        } else {
            script.push(origin.clone());
            frame.push(origin.clone());
            connect.push(origin);
        }
    }
    format!(
        "default-src 'self'; script-src {}; frame-src {}; connect-src {}; style-src 'self'; frame-ancestors 'none'",
        script.join(" "),
        frame.join(" "),
        connect.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_adds_stripe_only_with_stripe() {
        let mut settings = Settings::default();
        let strict = content_security_policy(&settings);
        assert_eq!(
            strict,
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src 'self'; connect-src 'self'; style-src 'self'; frame-ancestors 'none'"
        );
        settings.provider = crate::config::ProviderName::Stripe;
        let stripe = content_security_policy(&settings);
        assert!(
            stripe.contains("script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com https://*.js.stripe.com;"),
            "{stripe}"
        );
        assert!(
            stripe.contains("frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;"),
            "{stripe}"
        );
        assert!(
            stripe.contains("connect-src 'self' https://api.stripe.com;"),
            "{stripe}"
        );
        settings.stripe_js_url = "http://127.0.0.1:4010/v3/".parse().unwrap();
        let double = content_security_policy(&settings);
        assert!(
            double.contains("script-src 'self' 'wasm-unsafe-eval' http://127.0.0.1:4010;"),
            "{double}"
        );
        assert!(!double.contains("stripe.com"), "{double}");
    }
}
