//! A merchant's own actix-web app with Pay mounted in it: the shop's routes (with JSON settings
//! of its own), Pay's API under `/pay/v1`, and Pay's health and metrics routes under
//! `/internal`. Only the public API is used, as a merchant's code would.
//!
//! ```sh
//! cargo run -p pay-backend --example mount    # http://127.0.0.1:8090/
//! ```

use actix_web::{web, App, HttpResponse, HttpServer};
use pay_backend::providers::SandboxProvider;
use pay_backend::WebhookSecret;
use pay_backend::{routes, Pay, PayConfig};
use std::sync::Arc;
use std::time::Duration;

/// The shop's own request bodies are small: its JSON limit and errors are its own, and do not
/// reach Pay's routes (Pay's scope brings its own).
pub const SHOP_BODY_LIMIT: usize = 256;

/// Mounts the shop's routes and Pay's beside them.
pub fn shop(cfg: &mut web::ServiceConfig, pay: &Pay) {
    let shop_json = web::JsonConfig::default()
        .limit(SHOP_BODY_LIMIT)
        .error_handler(|err, _| {
            actix_web::error::InternalError::from_response(
                err,
                HttpResponse::PayloadTooLarge().body("the shop says: too large"),
            )
            .into()
        });
    cfg.app_data(shop_json)
        .service(web::resource("/").route(web::get().to(home)))
        .service(web::resource("/contact").route(web::post().to(contact)))
        .service(web::scope("/internal").configure(routes::operations(pay)))
        .service(routes::scope(pay));
}

async fn home() -> HttpResponse {
    HttpResponse::Ok().body("the shop's home page")
}

#[derive(serde::Deserialize)]
struct Message {
    text: String,
}

async fn contact(message: web::Json<Message>) -> HttpResponse {
    HttpResponse::Ok().body(format!("thanks for {} characters", message.text.len()))
}

/// Pay for this shop: the sandbox, a merchant key, a file of its own.
pub fn pay_config(database_url: &str) -> PayConfig {
    let sandbox = SandboxProvider::new(Duration::from_secs(5), WebhookSecret::random());
    let mut config = PayConfig::new(database_url, Arc::new(sandbox));
    config.secret_key = Some("sk_test_mount_example_0123".into());
    config
}

#[allow(dead_code)] // the test that includes this file has its own entry point
#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let pay = Pay::new(pay_config("sqlite://mount-example.db"))
        .await
        .map_err(std::io::Error::other)?;
    pay.on_payment_update(|event| async move {
        println!("payment {} is {}", event.payment.id, event.status);
        Ok(())
    })
    .await
    .map_err(std::io::Error::other)?;
    println!("the shop: http://127.0.0.1:8090/  Pay: http://127.0.0.1:8090/pay/v1/openapi.json");
    let app_pay = pay.clone();
    HttpServer::new(move || App::new().configure(|cfg| shop(cfg, &app_pay)))
        .bind(("127.0.0.1", 8090))?
        .run()
        .await?;
    pay.stop(std::time::Instant::now() + Duration::from_secs(10)).await;
    Ok(())
}
