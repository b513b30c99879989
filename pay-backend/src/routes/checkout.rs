//! The checkout API the SDK calls. Public: no secret, and no amount, price or item accepted.

use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use pay_types::AttemptRequest;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/checkout")
        .service(resource("/{id}").route(web::get().to(view)))
        .service(resource("/{id}/attempts").route(web::post().to(attempt)))
        .service(resource("/{id}/result").route(web::get().to(result)))
}

async fn view(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.checkout_view(&id).await?))
}

#[tracing::instrument(skip_all, fields(payment_id = %id))]
async fn attempt(
    pay: web::Data<Pay>,
    id: web::Path<String>,
    body: web::Json<AttemptRequest>,
) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.submit_attempt(&id, body.into_inner()).await?))
}

async fn result(pay: web::Data<Pay>, id: web::Path<String>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.latest_result(&id).await?))
}
