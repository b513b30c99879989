//! The currencies API: public reads (the SDK calls them from the page) and the merchant's
//! choice of display currencies.

use super::auth::Merchant;
use super::resource;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use pay_types::ConvertAmountsRequest;
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, ConversionRate, ConvertedAmounts, CurrencyInfo};
use serde::Deserialize;

pub(super) fn scope() -> actix_web::Scope {
    web::scope("/currencies")
        .service(resource("").route(web::get().to(all)))
        .service(resource("/rate").route(web::get().to(rate)))
        .service(resource("/convert").route(web::post().to(convert)))
}

pub(super) fn site_scope() -> actix_web::Scope {
    web::scope("/site").service(
        resource("/currencies")
            .route(web::get().to(site))
            .route(web::put().to(set_site)),
    )
}

/// `getAllCurrencies()`: every ISO 4217 currency with its symbol.
#[utoipa::path(get, path = "/pay/v1/currencies", tag = "currencies",
    responses((status = 200, body = Vec<CurrencyInfo>)))]
async fn all(pay: web::Data<Pay>) -> HttpResponse {
    HttpResponse::Ok().json(pay.all_currencies())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateQuery {
    from: String,
    to: String,
}

/// `currencyConverter.getConversionRate(from, to)`.
#[utoipa::path(get, path = "/pay/v1/currencies/rate", tag = "currencies",
    params(("from" = String, Query, description = "ISO 4217"), ("to" = String, Query, description = "ISO 4217")),
    responses((status = 200, body = ConversionRate), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
async fn rate(pay: web::Data<Pay>, query: web::Query<RateQuery>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.conversion_rate(&query.from, &query.to).await?))
}

/// `currencyConverter.convertAmounts({amounts, from, to})`: results are not rounded.
#[utoipa::path(post, path = "/pay/v1/currencies/convert", tag = "currencies",
    request_body = ConvertAmountsRequest,
    responses((status = 200, body = ConvertedAmounts), (status = 400, body = ApiError), (status = 422, body = ApiError)))]
async fn convert(pay: web::Data<Pay>, body: web::Json<ConvertAmountsRequest>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.convert_amounts(&body).await?))
}

/// `siteSettings.getCurrencies()`.
#[utoipa::path(get, path = "/pay/v1/site/currencies", tag = "currencies",
    responses((status = 200, body = Vec<CurrencyInfo>)))]
async fn site(pay: web::Data<Pay>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.site_currencies().await?))
}

/// `siteSettings.setCurrencies(codes)`: server side only (secret key).
#[utoipa::path(put, path = "/pay/v1/site/currencies", tag = "currencies", security(("secret_key" = [])),
    request_body = Vec<String>,
    responses((status = 200, body = Vec<CurrencyInfo>), (status = 401, body = ApiError), (status = 422, body = ApiError)))]
async fn set_site(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    body: web::Json<Vec<String>>,
) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.set_site_currencies(&body).await?))
}
