//! Logs through `tracing`: human-readable by default, JSON when configured.

use std::fmt;
use tracing_subscriber::EnvFilter;

/// How log lines are written: `text` (human-readable) or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("PAY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == LogFormat::Json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The root span of every request: tracing-actix-web's fields plus the payment id of the
/// route (recorded once the route is matched). Never the body, so never a card number.
pub struct PaySpans;

impl tracing_actix_web::RootSpanBuilder for PaySpans {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        tracing_actix_web::root_span!(request, payment_id = tracing::field::Empty)
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(response) = outcome {
            if let Some(id) = response.request().match_info().get("id") {
                span.record("payment_id", id);
            }
        }
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        // One line per request, inside its span: route, status and payment id travel with it.
        span.in_scope(|| tracing::info!("request finished"));
    }
}
