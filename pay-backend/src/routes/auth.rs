//! The merchant API's guard: `Authorization: Bearer <secret key>`, compared in constant time;
//! or, where the server mounts the dashboard, its session cookie with the session's CSRF token
//! from the dashboard's own pages (`crate::dashboard::session`).

use crate::error::PayError;
use crate::pay::Pay;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use pay_types::ErrorCode;
use secrecy::ExposeSecret;
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

/// Extracting it proves the request carries the secret key.
pub struct Merchant;

impl FromRequest for Merchant {
    type Error = PayError;
    type Future = Ready<Result<Self, PayError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req))
    }
}

fn authorize(req: &HttpRequest) -> Result<Merchant, PayError> {
    let bearer = req.headers().contains_key(actix_web::http::header::AUTHORIZATION);
    if !bearer && crate::dashboard::session::has_cookie(req) {
        if let Some(dashboard) = req.app_data::<web::Data<crate::dashboard::Dashboard>>() {
            return dashboard.sessions().authorize(req).map(|_| Merchant);
        }
    }
    let pay = req.app_data::<web::Data<Pay>>();
    let expected = pay.and_then(|pay| pay.secret_key()).map(ExposeSecret::expose_secret);
    let Some(expected) = expected else {
        return Err(PayError::rejected(
            ErrorCode::Unauthorized,
            "the merchant API is disabled: no secret key is configured",
        ));
    };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(Merchant)
    } else {
        Err(PayError::rejected(
            ErrorCode::Unauthorized,
            "missing or wrong secret key",
        ))
    }
}
