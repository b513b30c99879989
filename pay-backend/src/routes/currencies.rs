//! The currencies API: public reads (the SDK calls them from the page) and the merchant's
//! choice of display currencies.

use super::auth::Merchant;
use super::resource;
#[allow(unused_imports)] // named by the OpenAPI attributes
use super::responses::*;
use crate::error::PayError;
use crate::pay::Pay;
use actix_web::{web, HttpResponse};
use pay_types::ConvertAmountsRequest;
#[allow(unused_imports)] // named by the OpenAPI attributes
use pay_types::{ApiError, ConversionRate, ConvertedAmounts, Currency, CurrencyInfo};
use serde::Deserialize;
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::RefOr;

/// The body of `setSiteCurrencies`: 1 to 50 ISO 4217 codes (schema only; the handler reads
/// a list of strings and checks each code).
struct SiteCurrencies;

impl utoipa::PartialSchema for SiteCurrencies {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(<Currency as utoipa::PartialSchema>::schema())
            .min_items(Some(1))
            .max_items(Some(50))
            .into()
    }
}

impl utoipa::ToSchema for SiteCurrencies {}

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
#[utoipa::path(get, path = "/pay/v1/currencies", tag = "currencies", operation_id = "getAllCurrencies",
    responses((status = 200, body = Vec<CurrencyInfo>, description = "every ISO 4217 currency with its symbol")))]
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
#[utoipa::path(get, path = "/pay/v1/currencies/rate", tag = "currencies", operation_id = "getConversionRate",
    params(("from" = Currency, Query, description = "ISO 4217 code"),
           ("to" = Currency, Query, description = "ISO 4217 code")),
    responses((status = 200, body = ConversionRate, description = "how many `to` one `from` buys, not rounded"),
              (status = 400, body = ApiError, description = "invalid_query: a parameter missing or unknown"),
              (status = 422, body = ApiError, description = "rate_unavailable: no rate for the currency")))]
async fn rate(pay: web::Data<Pay>, query: web::Query<RateQuery>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.conversion_rate(&query.from, &query.to).await?))
}

/// `currencyConverter.convertAmounts({amounts, from, to})`: results are not rounded.
#[utoipa::path(post, path = "/pay/v1/currencies/convert", tag = "currencies", operation_id = "convertAmounts",
    request_body = ConvertAmountsRequest,
    responses((status = 200, body = ConvertedAmounts, description = "the amounts in `to`, not rounded"),
              (status = 400, response = inline(InvalidJson)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
              (status = 422, body = ApiError, description = "unknown_currency; rate_unavailable; invalid_amount: 1 to 1000 amounts, each in range")))]
async fn convert(pay: web::Data<Pay>, body: web::Json<ConvertAmountsRequest>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.convert_amounts(&body).await?))
}

/// `siteSettings.getCurrencies()`.
#[utoipa::path(get, path = "/pay/v1/site/currencies", tag = "currencies", operation_id = "getSiteCurrencies",
    responses((status = 200, body = Vec<CurrencyInfo>, description = "the site's display currencies (default: the site currency)")))]
async fn site(pay: web::Data<Pay>) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.site_currencies().await?))
}

/// `siteSettings.setCurrencies(codes)`: server side only (secret key).
#[utoipa::path(put, path = "/pay/v1/site/currencies", tag = "currencies", operation_id = "setSiteCurrencies", security(("secret_key" = [])),
    request_body = SiteCurrencies,
    responses((status = 200, body = Vec<CurrencyInfo>, description = "the site's display currencies, as stored (duplicates dropped)"),
              (status = 400, response = inline(InvalidJson)),
        (status = 413, response = inline(PayloadTooLarge)),
        (status = 415, response = inline(UnsupportedMediaType)),
              (status = 401, response = inline(Unauthorized)),
              (status = 422, body = ApiError, description = "unknown_currency: a code that is not ISO 4217, or not 1 to 50 codes")))]
async fn set_site(
    _merchant: Merchant,
    pay: web::Data<Pay>,
    body: web::Json<Vec<String>>,
) -> Result<HttpResponse, PayError> {
    Ok(HttpResponse::Ok().json(pay.set_site_currencies(&body).await?))
}
