//! Operations: liveness, readiness and Prometheus metrics.

use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "getHealth",
    responses((status = 200, body = Health, description = "the process is up")))]
pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "getReadiness",
    responses((status = 200, body = Health, description = "ready"),
              (status = 503, body = Health, description = "the database does not answer, or migrations are pending")))]
pub(super) async fn readyz(pay: web::Data<Pay>) -> HttpResponse {
    match pay.ready().await {
        Ok(true) => HttpResponse::Ok().json(Health { status: "ready" }),
        Ok(false) => HttpResponse::ServiceUnavailable().json(Health {
            status: "migrations pending",
        }),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "database unreachable",
            })
        }
    }
}

/// Prometheus metrics, text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "getMetrics",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub(super) async fn metrics(pay: web::Data<Pay>) -> Result<HttpResponse, PayError> {
    let text = crate::metrics::render(&pay).await?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text))
}
