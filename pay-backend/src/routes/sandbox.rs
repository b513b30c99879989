//! Test mode only: settle a pending payment (or an announced chargeback) at once, or raise a
//! chargeback on a paid payment.

use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/test")
        .service(resource("/payments/{id}/settle").route(web::post().to(settle)))
        .service(resource("/payments/{id}/chargeback").route(web::post().to(chargeback)))
}

async fn settle(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let status = pay.settle_now(&id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status })))
}

async fn chargeback(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    let row = pay.chargeback(&id).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": row.status })))
}
