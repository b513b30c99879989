//! Test mode only: settle a pending payment or raise an announced chargeback at once.

use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/test").service(resource("/payments/{id}/settle").route(web::post().to(settle)))
}

async fn settle(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let status = pay.settle_now(&id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status })))
}
