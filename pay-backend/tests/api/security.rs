//! Hostile clients: card testing, CORS, unguessable ids.

use crate::helpers::{assert_error, card_attempt, spawn_app, spawn_app_with};
use serde_json::json;

#[actix_web::test]
async fn attempts_per_address_are_rate_limited() {
    let app = spawn_app_with(|s| s.attempts_per_minute_per_ip = 3).await;
    let mut last = None;
    for i in 0..4 {
        let id = app.create_payment().await;
        last = Some(
            app.attempt(&id, &card_attempt(&format!("attempt-{i:04}"), "4000000000000002"))
                .await,
        );
        if i < 3 {
            assert_eq!(last.as_ref().unwrap().status(), 200, "attempt {i}");
        }
    }
    let refused = last.unwrap();
    let retry_after: u64 = refused.headers()["Retry-After"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_error(refused, 429, "rate_limited").await;
}

#[actix_web::test]
async fn cors_only_for_configured_origins() {
    let app = spawn_app_with(|s| s.allowed_origins = vec!["https://shop.example".into()]).await;
    let id = app.create_payment().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                app.url(&format!("/pay/v1/checkout/{id}/attempts")),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };

    let allowed = preflight("https://shop.example").await.unwrap();
    let denied = preflight("https://evil.example").await.unwrap();

    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://shop.example");
    assert!(denied.headers().get("access-control-allow-origin").is_none());
    let get = app
        .client
        .get(app.url(&format!("/pay/v1/checkout/{id}")))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(get.headers().get("access-control-allow-origin").is_none());
    let merchant = app
        .client
        .get(app.url("/pay/v1/payments"))
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert!(
        merchant.headers().get("access-control-allow-origin").is_none(),
        "the merchant API is never open to pages"
    );
}

#[actix_web::test]
async fn ids_are_random_uuid_v4() {
    let app = spawn_app_with(|_| {}).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(app.create_payment().await);
    }
    for id in &ids {
        let parsed = uuid::Uuid::parse_str(id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }
    // No two share their first 32 bits: nothing sequential.
    let prefixes: std::collections::HashSet<_> = ids.iter().map(|i| &i[..8]).collect();
    assert_eq!(prefixes.len(), ids.len());
}

#[actix_web::test]
async fn responses_carry_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/pay/v1/payments", "/healthz", "/no/such/route"] {
        let resp = app.get(path).await;
        let csp = resp.headers()["Content-Security-Policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(resp.headers()["X-Content-Type-Options"], "nosniff", "{path}");
        assert_eq!(resp.headers()["Referrer-Policy"], "no-referrer", "{path}");
    }
}

#[actix_web::test]
async fn the_server_has_no_demo_routes() {
    // The demo shop is a merchant app of its own (`demo-shop/`), not part of the server.
    let app = spawn_app().await;
    for path in ["/api/create-my-payment", "/api/dashboard/payments/x/refund"] {
        let resp = app.post_raw(path, json!({"productId": "mug"}).to_string(), None).await;
        assert_error(resp, 404, "not_found").await;
    }
}
