//! `Application`: builds the server from settings, binds (port 0 picks a free port), runs the
//! background worker that applies announced changes, and stops gracefully.

use crate::config::Settings;
use crate::error::PayError;
use crate::pay::Pay;
use crate::processor::{Processor, SandboxProcessor};
use crate::routes::{self, MerchantKey};
use crate::telemetry::PaySpans;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing_actix_web::TracingLogger;

pub struct Application {
    port: u16,
    server: Server,
    pay: Pay,
    shutdown_timeout: Duration,
}

impl Application {
    /// The server with the sandbox processor. Outside test mode a live processor is needed:
    /// see [`Application::build_with_processor`].
    pub async fn build(settings: Settings) -> Result<Self, PayError> {
        if !settings.test_mode {
            return Err(PayError::internal(
                "test_mode = false needs a live card processor; this build only has the sandbox",
            ));
        }
        let sandbox = SandboxProcessor {
            settle_delay: settings.sandbox_settle_delay,
        };
        Self::build_with_processor(settings, Arc::new(sandbox)).await
    }

    pub async fn build_with_processor(settings: Settings, processor: Arc<dyn Processor>) -> Result<Self, PayError> {
        let pay = Pay::with_processor(&settings, processor).await?;
        for endpoint in &settings.webhooks {
            pay.add_webhook(endpoint.clone()).await?;
        }
        let listener = TcpListener::bind((settings.host.as_str(), settings.port)).map_err(PayError::internal)?;
        let port = listener.local_addr().map_err(PayError::internal)?.port();
        let demo = match settings.demo {
            true => Some(crate::demo::register_hook(&pay).await?),
            false => None,
        };
        let server = serve(listener, pay.clone(), &settings, demo)?;
        spawn_due_changes(pay.clone());
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

fn serve(
    listener: TcpListener,
    pay: Pay,
    settings: &Settings,
    demo: Option<web::Data<crate::demo::HookLog>>,
) -> Result<Server, PayError> {
    let key = web::Data::new(MerchantKey(settings.secret_key.clone()));
    let pay_data = web::Data::new(pay.clone());
    let origins = settings.allowed_origins.clone();
    let www = settings.www_dir.clone();
    let sdk = settings.sdk_dir.clone();
    let server = HttpServer::new(move || {
        let mut app = App::new()
            .wrap(security_headers())
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let method = req.method().to_string();
                let response = actix_web::dev::Service::call(srv, req);
                async move {
                    let response = response.await?;
                    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                    if let Some(pay) = response.request().app_data::<web::Data<Pay>>() {
                        pay.record_request(&route, &method, response.status().as_u16(), started.elapsed());
                    }
                    Ok(response)
                }
            })
            .wrap(TracingLogger::<PaySpans>::new())
            .app_data(pay_data.clone())
            .app_data(key.clone())
            .configure(|cfg| routes::configure(cfg, &pay, &origins));
        if let Some(hook_log) = &demo {
            app = app.app_data(hook_log.clone()).configure(crate::demo::configure);
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

/// Headers every response carries: the strict Content-Security-Policy the SDK works under,
/// no MIME sniffing, no referrer leaks, no framing.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// Every 250 ms, applies announced changes that are due; every second, closes attempts whose
/// process died (another process sharing the database). Errors are logged and retried.
fn spawn_due_changes(pay: Pay) {
    let background = pay.clone();
    background.spawn_background(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut ticks = 0u64;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = pay.stopping() => break,
            }
            if let Err(e) = pay.run_due_changes().await {
                tracing::error!(error = %e, "applying due changes failed");
            }
            ticks += 1;
            if ticks.is_multiple_of(4) {
                if let Err(e) = pay.recover_interrupted_attempts().await {
                    tracing::error!(error = %e, "closing interrupted attempts failed");
                }
            }
        }
    });
}
