//! The demo shop's route: prices come from the server's catalog, never from the page.

use crate::helpers::{assert_error, spawn_app_with};
use serde_json::{json, Value};

#[actix_web::test]
async fn the_catalog_sets_the_price() {
    let app = spawn_app_with(|s| s.demo = true).await;

    let resp = app
        .post_raw(
            "/api/create-my-payment",
            json!({"productId": "mug", "quantity": 2}).to_string(),
            None,
        )
        .await;

    assert_eq!(resp.status(), 200);
    let payment: Value = resp.json().await.unwrap();
    assert_eq!(payment["amount"].to_string(), "25.00");
    assert_eq!(payment["items"][0]["price"].to_string(), "12.50");
}

#[actix_web::test]
async fn a_page_cannot_send_a_price() {
    let app = spawn_app_with(|s| s.demo = true).await;
    for body in [
        json!({"productId": "mug", "price": 0.01}),
        json!({"productId": "mug", "amount": 0.01}),
        json!({"productId": "mug", "items": [{"name": "mug", "price": 0.01}]}),
    ] {
        assert_error(
            app.post_raw("/api/create-my-payment", body.to_string(), None).await,
            400,
            "invalid_json",
        )
        .await;
    }
    let unknown = app
        .post_raw(
            "/api/create-my-payment",
            json!({"productId": "yacht"}).to_string(),
            None,
        )
        .await;
    assert_error(unknown, 404, "not_found").await;
    let (_, list) = app.get_json("/pay/v1/payments").await;
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn responses_carry_the_security_headers() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let resp = app.get("/pay/v1/payments").await;
    let csp = resp.headers()["Content-Security-Policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(resp.headers()["X-Content-Type-Options"], "nosniff");
    assert_eq!(resp.headers()["Referrer-Policy"], "no-referrer");
}

#[actix_web::test]
async fn the_route_is_off_unless_the_demo_is_on() {
    let app = spawn_app_with(|_| {}).await;
    let resp = app
        .post_raw("/api/create-my-payment", json!({"productId": "mug"}).to_string(), None)
        .await;
    assert_error(resp, 404, "not_found").await;
}
