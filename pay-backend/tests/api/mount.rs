//! Pay mounted in a merchant's own app (`examples/mount.rs`, included as it is): Pay's scope
//! brings its own extractor settings and errors, the host's stay the host's, and the
//! operations routes are where the host put them.

#[allow(dead_code)]
#[path = "../../examples/mount.rs"]
mod example;

use crate::helpers::sample_info;
use actix_web::{test, App};
use pay_backend::Pay;
use serde_json::{json, Value};

#[actix_web::test]
async fn the_shop_and_pay_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shop.db").display());
    let pay = Pay::new(example::pay_config(&url)).await.unwrap();
    let app = test::init_service(App::new().configure(|cfg| example::shop(cfg, &pay))).await;
    let key = ("Authorization", "Bearer sk_test_mount_example_0123");

    // The host's routes.
    let home = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(test::read_body(home).await, "the shop's home page");

    // Pay's API under /pay/v1, with Pay's 64 KiB limit although the host's is 256 bytes.
    let mut info = sample_info();
    info["items"][0]["name"] = json!("M".repeat(190));
    let body = info.to_string();
    assert!(body.len() > example::SHOP_BODY_LIMIT);
    let created = test::TestRequest::post()
        .uri("/pay/v1/payments")
        .insert_header(key)
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body)
        .to_request();
    let created = test::call_service(&app, created).await;
    assert_eq!(created.status(), 201);
    let payment: Value = test::read_body_json(created).await;
    assert_eq!(payment["amount"].to_string(), "20.00");

    // Pay's errors are Pay's JSON, not the host's handler.
    let malformed = test::TestRequest::post()
        .uri("/pay/v1/payments")
        .insert_header(key)
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{not json")
        .to_request();
    let malformed = test::call_service(&app, malformed).await;
    assert_eq!(malformed.status(), 400);
    let error: Value = test::read_body_json(malformed).await;
    assert_eq!(error["code"], "invalid_json");

    // The host's JSON settings still hold for the host's routes.
    let long = json!({"text": "x".repeat(400)}).to_string();
    let refused = test::TestRequest::post()
        .uri("/contact")
        .insert_header(("Content-Type", "application/json"))
        .set_payload(long)
        .to_request();
    let refused = test::call_service(&app, refused).await;
    assert_eq!(refused.status(), 413);
    assert_eq!(test::read_body(refused).await, "the shop says: too large");

    // Operations where the host mounted them, and nowhere else.
    let health = test::call_service(&app, test::TestRequest::get().uri("/internal/healthz").to_request()).await;
    assert_eq!(health.status(), 200);
    let ready = test::call_service(&app, test::TestRequest::get().uri("/internal/readyz").to_request()).await;
    assert_eq!(ready.status(), 200);
    let metrics = test::call_service(&app, test::TestRequest::get().uri("/internal/metrics").to_request()).await;
    assert!(String::from_utf8(test::read_body(metrics).await.to_vec())
        .unwrap()
        .contains("pay_payments_created_total 1"));
    let root = test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(root.status(), 404);

    // Unknown paths under Pay's scope answer Pay's JSON 404.
    let unknown = test::call_service(&app, test::TestRequest::get().uri("/pay/v1/nope").to_request()).await;
    assert_eq!(unknown.status(), 404);
    let error: Value = test::read_body_json(unknown).await;
    assert_eq!(error["code"], "not_found");
}
