//! The dashboard's pages, scripts and styles (`pay-backend/dashboard/`), embedded in the binary
//! by `rust-embed` (in debug builds too), so the server needs no folder to serve them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "dashboard/"]
struct Files;

/// The embedded file at `path` (`""` is `index.html`), with its type and an `ETag`; `None`
/// when there is none.
pub fn file(req: &HttpRequest, path: &str) -> Option<HttpResponse> {
    let path = if path.is_empty() { "index.html" } else { path };
    let file = Files::get(path)?;
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CONTENT_TYPE, file.metadata.mimetype()))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    Some(if cached {
        response.finish()
    } else {
        response.body(file.data.into_owned())
    })
}

/// Every embedded file's path.
pub fn paths() -> Vec<String> {
    Files::iter().map(|p| p.into_owned()).collect()
}
