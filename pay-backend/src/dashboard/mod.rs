//! The merchant dashboard at `/dashboard/`: static pages (embedded, [`assets`]) that call the
//! merchant API from the operator's browser with a session cookie instead of the secret key.
//! It has no data routes of its own; its only routes are the pages and the session:
//!
//! - `POST /dashboard/session` `{"key": "<secret key>"}`: signs in (sets the cookie, answers
//!   the CSRF token); wrong keys are limited per client address ([`wrong_keys`]);
//! - `GET /dashboard/session`: the session's CSRF token, its expiry and what the pages need
//!   to know of the settings (webhook endpoint names, test mode), or `{"signedIn": false}`;
//! - `DELETE /dashboard/session`: signs out (CSRF token required).
//!
//! The server mounts it (`dashboard = true`, with a `secret_key`); the library's
//! `routes::scope` accepts the cookie only where the server put [`Dashboard`] in the app data.

mod assets;
pub mod session;
pub mod wrong_keys;

use crate::error::PayError;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use pay_types::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use session::{from_own_origin, Sessions};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use wrong_keys::WrongKeys;

pub use assets::paths as asset_paths;

/// The dashboard's state: one per server, shared by its workers.
pub struct Dashboard {
    secret_key: SecretString,
    sessions: Sessions,
    wrong_keys: WrongKeys,
    webhooks: Vec<String>,
    test_mode: bool,
}

impl Dashboard {
    pub fn new(
        secret_key: SecretString,
        session_lifetime: Duration,
        always_secure: bool,
        webhooks: Vec<String>,
        test_mode: bool,
    ) -> Self {
        let sessions = Sessions::new(secret_key.expose_secret(), session_lifetime, always_secure);
        Self {
            secret_key,
            sessions,
            wrong_keys: WrongKeys::default(),
            webhooks,
            test_mode,
        }
    }

    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }
}

/// Mounts the dashboard's pages and session routes; `dashboard` must also be in the app data
/// (for the merchant API's guard).
pub fn configure(dashboard: web::Data<Dashboard>) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |cfg| {
        cfg.service(
            web::scope("/dashboard")
                .app_data(dashboard.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(4096)
                        .error_handler(|err, _| PayError::invalid_json(err).into()),
                )
                .service(
                    web::resource("/session")
                        .route(web::get().to(current))
                        .route(web::post().to(sign_in))
                        .route(web::delete().to(sign_out))
                        .default_service(web::route().to(crate::routes::not_found)),
                )
                .service(web::resource("").route(web::get().to(to_index)))
                .service(web::resource("/{path:.*}").route(web::get().to(page))),
        );
    }
}

async fn to_index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/dashboard/"))
        .finish()
}

async fn page(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, PayError> {
    assets::file(&req, &path).ok_or_else(|| PayError::rejected(ErrorCode::NotFound, "no such page"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    key: String,
}

/// What the pages learn of their session.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo {
    signed_in: bool,
    csrf_token: String,
    /// RFC 3339.
    expires_at: String,
    /// The configured webhook endpoints' names (their deliveries are read from the merchant API).
    webhooks: Vec<String>,
    test_mode: bool,
}

impl Dashboard {
    fn info(&self, session: &session::Session) -> SessionInfo {
        let expires_at = i64::try_from(session.expires_unix())
            .ok()
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        SessionInfo {
            signed_in: true,
            csrf_token: self.sessions.csrf_token(session),
            expires_at,
            webhooks: self.webhooks.clone(),
            test_mode: self.test_mode,
        }
    }
}

fn not_from_here() -> PayError {
    PayError::rejected(
        ErrorCode::Unauthorized,
        "the dashboard's session routes answer only its own pages",
    )
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// `POST /dashboard/session`: the secret key in, a session cookie and its CSRF token out.
async fn sign_in(
    req: HttpRequest,
    dashboard: web::Data<Dashboard>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, PayError> {
    if !from_own_origin(&req) {
        return Err(not_from_here());
    }
    let ip = req.peer_addr().map(|a| a.ip());
    let now = Instant::now();
    dashboard
        .wrong_keys
        .check(ip, now)
        .map_err(|retry_after_secs| PayError::RateLimited { retry_after_secs })?;
    let right = body
        .key
        .as_bytes()
        .ct_eq(dashboard.secret_key.expose_secret().as_bytes());
    if !bool::from(right) {
        dashboard.wrong_keys.record(ip, now);
        tracing::warn!(client = ?ip, "dashboard sign-in with a wrong key");
        return Err(PayError::rejected(ErrorCode::Unauthorized, "wrong key"));
    }
    let (session, cookie) = dashboard.sessions.start(&req);
    tracing::info!(client = ?ip, "dashboard sign-in");
    Ok(no_store(
        HttpResponse::Ok().cookie(cookie).json(dashboard.info(&session)),
    ))
}

/// `GET /dashboard/session`: the current session, or `{"signedIn": false}` (a 200: the sign-in
/// page asks it first, and a page's console shows every 4xx as an error).
async fn current(req: HttpRequest, dashboard: web::Data<Dashboard>) -> Result<HttpResponse, PayError> {
    if !from_own_origin(&req) {
        return Err(not_from_here());
    }
    let answer = match dashboard.sessions.read(&req) {
        Some(session) => HttpResponse::Ok().json(dashboard.info(&session)),
        None => HttpResponse::Ok().json(serde_json::json!({ "signedIn": false })),
    };
    Ok(no_store(answer))
}

/// `DELETE /dashboard/session`: signs out; the cookie goes, and this server refuses it from now
/// on.
async fn sign_out(req: HttpRequest, dashboard: web::Data<Dashboard>) -> Result<HttpResponse, PayError> {
    let session = dashboard.sessions.authorize(&req)?;
    let removal = dashboard.sessions.end(&session, &req);
    Ok(no_store(HttpResponse::NoContent().cookie(removal).finish()))
}
