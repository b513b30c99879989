//! Operations: liveness, readiness and Prometheus metrics.

use crate::error::PayError;
use crate::pay::Pay;
use crate::store::rfc3339;
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Readiness (the database only), and whether the provider answers, for the operator.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ready`, `migrations pending` or `database unreachable`.
    pub status: &'static str,
    pub provider: ProviderDetails,
}

/// The provider as Pay's latest calls to it found it: any answer is `reachable`; a network
/// error, a timeout or a 5xx after the retries is `unreachable`; `unknown` before any call.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderDetails {
    /// `sandbox`, `stripe`…
    pub name: &'static str,
    #[schema(value_type = String, pattern = "^(unknown|reachable|unreachable)$")]
    pub state: &'static str,
    /// When the state last changed (RFC 3339); absent before the first call, and for a
    /// provider in the process (the sandbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The last answer from the provider (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_answer_at: Option<String>,
    /// The last call left unanswered (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure_at: Option<String>,
    /// How that call failed: `could not connect`, `timed out`, a server error…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<&'static str>,
}

impl ProviderDetails {
    fn of(pay: &Pay) -> Self {
        let (name, report) = pay.provider_reachability();
        Self {
            name,
            state: report.state.as_str(),
            since: report.since.map(rfc3339),
            last_answer_at: report.last_answer.map(rfc3339),
            last_failure_at: report.last_failure.map(rfc3339),
            last_error: report.last_error,
        }
    }
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "getHealth",
    responses((status = 200, body = Health, description = "the process is up")))]
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and every migration is applied. The provider's state is in the
/// details only: Pay serves (and takes payments) while the provider is unreachable.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "getReadiness",
    responses((status = 200, body = Readiness, description = "ready"),
              (status = 503, body = Readiness, description = "the database does not answer, or migrations are pending")))]
pub(super) async fn readyz(pay: web::Data<Pay>) -> HttpResponse {
    let (mut answer, status) = match pay.ready().await {
        Ok(true) => (HttpResponse::Ok(), "ready"),
        Ok(false) => (HttpResponse::ServiceUnavailable(), "migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (HttpResponse::ServiceUnavailable(), "database unreachable")
        }
    };
    answer.json(Readiness {
        status,
        provider: ProviderDetails::of(&pay),
    })
}

/// Prometheus metrics, text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "getMetrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub(super) async fn metrics(pay: web::Data<Pay>) -> Result<HttpResponse, PayError> {
    let text = crate::metrics::render(&pay).await?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text))
}
