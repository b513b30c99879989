//! Unknown routes, methods, ids and media types get JSON errors, never a 5xx.

use crate::helpers::{assert_error, spawn_app, SECRET_KEY};

#[actix_web::test]
async fn unknown_and_malformed_ids_are_the_same_404() {
    let app = spawn_app().await;
    for id in ["0f8fad5b-d9cb-469f-a165-70867728950e", "nope", "%00", "..%2F..%2Fetc"] {
        let view = app.get(&format!("/pay/v1/checkout/{id}")).await;
        assert_error(view, 404, "payment_not_found").await;
        let merchant = app
            .client
            .get(app.url(&format!("/pay/v1/payments/{id}")))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        assert_error(merchant, 404, "payment_not_found").await;
    }
}

#[actix_web::test]
async fn unknown_routes_and_methods() {
    let app = spawn_app().await;
    assert_error(app.get("/pay/v1/nothing").await, 404, "not_found").await;
    assert_error(app.get("/elsewhere").await, 404, "not_found").await;
    let id = app.create_payment().await;
    let delete = app
        .client
        .delete(app.url(&format!("/pay/v1/checkout/{id}")))
        .send()
        .await
        .unwrap();
    assert_error(delete, 405, "method_not_allowed").await;
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/pay/v1/payments"))
        .bearer_auth(SECRET_KEY)
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(resp, 415, "unsupported_media_type").await;
}
