//! The merchant dashboard's session rules against a real server: the cookie's flags, the CSRF
//! token on every cookie request, this origin only, wrong keys limited, sign-out, and the
//! embedded pages.

use crate::helpers::{assert_error, card_attempt, spawn_app, spawn_app_with, TestApp, SECRET_KEY};
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{json, Value};

const CSRF: &str = "X-Pay-CSRF";

async fn post_session(app: &TestApp, key: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/dashboard/session"))
        .json(&json!({ "key": key }));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

fn set_cookie(headers: &HeaderMap) -> String {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("pay_dashboard="))
        .expect("a pay_dashboard cookie")
}

/// Signs in; returns the `Cookie` header to send back and the CSRF token.
async fn sign_in(app: &TestApp) -> (String, String) {
    let resp = post_session(app, SECRET_KEY, &[]).await;
    assert_eq!(resp.status(), 200);
    let cookie = set_cookie(resp.headers());
    let pair = cookie.split(';').next().unwrap().to_owned();
    let body: Value = resp.json().await.unwrap();
    (pair, body["csrfToken"].as_str().unwrap().to_owned())
}

/// A request with the session cookie and, if given, a CSRF token and more headers.
async fn with_session(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).header("Cookie", cookie);
    if let Some(token) = token {
        req = req.header(CSRF, token);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if path.ends_with("/refunds") {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap()
}

async fn paid_payment(app: &TestApp) -> String {
    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("att_dashboard_1", "4242424242424242"))
        .await;
    id
}

#[actix_web::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_answers_a_token() {
    let app = spawn_app().await;

    let resp = post_session(&app, SECRET_KEY, &[("Sec-Fetch-Site", "same-origin")]).await;

    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let cookie = set_cookie(resp.headers());
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(!cookie.contains(SECRET_KEY), "{cookie}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["signedIn"], true);
    assert_eq!(body["csrfToken"].as_str().unwrap().len(), 64);
    assert!(!body.to_string().contains(SECRET_KEY));
}

#[actix_web::test]
async fn the_cookie_is_secure_over_https_or_when_configured() {
    let app = spawn_app().await;
    let resp = post_session(&app, SECRET_KEY, &[("X-Forwarded-Proto", "https")]).await;
    assert!(set_cookie(resp.headers()).contains("Secure"));

    let always = spawn_app_with(|s| s.dashboard_secure_cookie = true).await;
    let resp = post_session(&always, SECRET_KEY, &[]).await;
    assert!(set_cookie(resp.headers()).contains("Secure"));

    let short = spawn_app_with(|s| s.dashboard_session = std::time::Duration::from_secs(90)).await;
    let resp = post_session(&short, SECRET_KEY, &[]).await;
    assert!(set_cookie(resp.headers()).contains("Max-Age=90"));
}

#[actix_web::test]
async fn the_merchant_api_takes_the_cookie_only_with_its_token() {
    let app = spawn_app().await;
    let (cookie, token) = sign_in(&app).await;
    let get = reqwest::Method::GET;

    let both = with_session(&app, get.clone(), "/pay/v1/payments", &cookie, Some(&token), &[]).await;
    let no_token = with_session(&app, get.clone(), "/pay/v1/payments", &cookie, None, &[]).await;
    let wrong_token = with_session(
        &app,
        get.clone(),
        "/pay/v1/payments",
        &cookie,
        Some(&"0".repeat(64)),
        &[],
    )
    .await;
    let token_only = app
        .client
        .get(app.url("/pay/v1/payments"))
        .header(CSRF, &token)
        .send()
        .await
        .unwrap();

    assert_eq!(both.status(), 200);
    assert_error(no_token, 401, "unauthorized").await;
    assert_error(wrong_token, 401, "unauthorized").await;
    assert_error(token_only, 401, "unauthorized").await;
}

#[actix_web::test]
async fn a_state_changing_request_without_the_token_changes_nothing() {
    let app = spawn_app().await;
    let (cookie, token) = sign_in(&app).await;
    let id = paid_payment(&app).await;
    let refunds = format!("/pay/v1/payments/{id}/refunds");
    let post = reqwest::Method::POST;

    let refused = with_session(&app, post.clone(), &refunds, &cookie, None, &[]).await;
    assert_error(refused, 401, "unauthorized").await;
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(
        (
            details["status"].as_str(),
            details["refundedAmount"].to_string().as_str()
        ),
        (Some("Successful"), "0")
    );

    let done = with_session(
        &app,
        post,
        &refunds,
        &cookie,
        Some(&token),
        &[("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(done.status(), 201);
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(details["status"], "Refunded");
}

#[actix_web::test]
async fn the_cookie_is_refused_from_other_origins() {
    let app = spawn_app().await;
    let (cookie, token) = sign_in(&app).await;
    let own = app.address.clone();
    let cases: [(&[(&str, &str)], u16); 5] = [
        (&[("Sec-Fetch-Site", "same-origin")], 200),
        (&[("Origin", own.as_str())], 200),
        (&[("Sec-Fetch-Site", "cross-site")], 401),
        (&[("Sec-Fetch-Site", "same-site")], 401),
        (&[("Origin", "https://evil.example")], 401),
    ];
    for (headers, status) in cases {
        let resp = with_session(
            &app,
            reqwest::Method::GET,
            "/pay/v1/events",
            &cookie,
            Some(&token),
            headers,
        )
        .await;
        assert_eq!(resp.status(), status, "{headers:?}");
    }
    // Signing in from another origin (a login CSRF) is refused too.
    let resp = post_session(&app, SECRET_KEY, &[("Origin", "https://evil.example")]).await;
    assert_error(resp, 401, "unauthorized").await;
}

#[actix_web::test]
async fn a_tampered_cookie_is_refused() {
    let app = spawn_app().await;
    let (cookie, token) = sign_in(&app).await;
    // The signed value is `<signature><v1.id.expiry>`: move the expiry a year on.
    let (name, value) = cookie.split_once('=').unwrap();
    let expiry: u64 = value.rsplit('.').next().unwrap().parse().unwrap();
    let forged = format!(
        "{name}={}",
        value.replace(&expiry.to_string(), &(expiry + 31_536_000).to_string())
    );

    let resp = with_session(
        &app,
        reqwest::Method::GET,
        "/pay/v1/payments",
        &forged,
        Some(&token),
        &[],
    )
    .await;

    assert_error(resp, 401, "unauthorized").await;
}

#[actix_web::test]
async fn the_bearer_key_still_works_beside_a_cookie() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/pay/v1/payments"))
        .bearer_auth(SECRET_KEY)
        .header("Cookie", "pay_dashboard=garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[actix_web::test]
async fn wrong_keys_are_rate_limited_per_address() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let resp = post_session(&app, "sk_test_wrong_key_00000000", &[]).await;
        assert!(resp.headers().get(SET_COOKIE).is_none());
        assert_error(resp, 401, "unauthorized").await;
    }

    let sixth = post_session(&app, "sk_test_wrong_key_00000000", &[]).await;
    let retry_after: u64 = sixth.headers()["Retry-After"].to_str().unwrap().parse().unwrap();
    assert!((1..=61).contains(&retry_after), "{retry_after}");
    assert_error(sixth, 429, "rate_limited").await;
    // Even the right key: a limited address learns nothing about the key.
    let right = post_session(&app, SECRET_KEY, &[]).await;
    assert!(right.headers().get(SET_COOKIE).is_none());
    assert_error(right, 429, "rate_limited").await;
}

#[actix_web::test]
async fn right_keys_are_not_counted() {
    let app = spawn_app().await;
    for _ in 0..8 {
        assert_eq!(post_session(&app, SECRET_KEY, &[]).await.status(), 200);
    }
}

#[actix_web::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let (cookie, token) = sign_in(&app).await;
    let delete = reqwest::Method::DELETE;

    let without_token = with_session(&app, delete.clone(), "/dashboard/session", &cookie, None, &[]).await;
    assert_error(without_token, 401, "unauthorized").await;
    let out = with_session(&app, delete, "/dashboard/session", &cookie, Some(&token), &[]).await;
    assert_eq!(out.status(), 204);
    assert!(set_cookie(out.headers()).contains("Max-Age=0"));

    let after = with_session(
        &app,
        reqwest::Method::GET,
        "/pay/v1/payments",
        &cookie,
        Some(&token),
        &[],
    )
    .await;
    assert_error(after, 401, "unauthorized").await;
    let session = with_session(&app, reqwest::Method::GET, "/dashboard/session", &cookie, None, &[]).await;
    let body: Value = session.json().await.unwrap();
    assert_eq!(body, json!({ "signedIn": false }));
}

#[actix_web::test]
async fn the_session_tells_the_pages_what_they_need() {
    let app = spawn_app_with(|s| {
        s.webhooks = vec![serde_json::from_value(json!({
            "name": "orders", "url": "https://shop.example/hook", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        }))
        .unwrap()];
    })
    .await;
    let (cookie, token) = sign_in(&app).await;

    let resp = with_session(&app, reqwest::Method::GET, "/dashboard/session", &cookie, None, &[]).await;

    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["signedIn"], true);
    assert_eq!(body["csrfToken"], token.as_str());
    assert_eq!(body["webhooks"], json!(["orders"]));
    assert_eq!(body["testMode"], true);
    assert!(body["expiresAt"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn the_pages_are_embedded_in_the_server() {
    // No www_dir: the pages come from the binary.
    let app = spawn_app().await;
    for (path, kind) in [
        ("/dashboard/", "text/html"),
        ("/dashboard/sign-in.html", "text/html"),
        ("/dashboard/app.js", "javascript"),
        ("/dashboard/dashboard.css", "text/css"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.contains(kind), "{path}: {content_type}");
        assert!(resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
        let etag = resp.headers()["etag"].clone();
        let again = app
            .client
            .get(app.url(path))
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (bare.status().as_u16(), bare.headers()["location"].to_str().unwrap()),
        (308, "/dashboard/")
    );
    assert_error(app.get("/dashboard/no-such-page.js").await, 404, "not_found").await;
}

#[actix_web::test]
async fn no_dashboard_when_turned_off_or_without_a_secret_key() {
    let off = spawn_app_with(|s| s.dashboard = false).await;
    let keyless = spawn_app_with(|s| s.secret_key = None).await;
    for app in [&off, &keyless] {
        assert_error(app.get("/dashboard/").await, 404, "not_found").await;
        assert_error(post_session(app, SECRET_KEY, &[]).await, 404, "not_found").await;
    }
}

#[actix_web::test]
async fn hostile_cookies_and_sign_in_bodies_are_4xx_never_5xx() {
    let app = spawn_app().await;
    let huge = "x".repeat(8000);
    let cookies = [
        "pay_dashboard=".to_owned(),
        "pay_dashboard=v1..".to_owned(),
        "pay_dashboard=v1.a.b.c.d".to_owned(),
        "pay_dashboard=%00%ff".to_owned(),
        format!("pay_dashboard={huge}"),
        "pay_dashboard=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAv1.00.18446744073709551616".to_owned(),
        "pay_dashboard=a; pay_dashboard=b".to_owned(),
    ];
    for cookie in &cookies {
        for (method, path) in [
            (reqwest::Method::GET, "/pay/v1/payments"),
            (reqwest::Method::DELETE, "/dashboard/session"),
            (reqwest::Method::GET, "/dashboard/session"),
        ] {
            let resp = with_session(&app, method.clone(), path, cookie, Some("x"), &[]).await;
            let status = resp.status().as_u16();
            assert!(
                (200..500).contains(&status),
                "{method} {path} with {cookie:.40}: {status}"
            );
            if path == "/pay/v1/payments" || method == reqwest::Method::DELETE {
                assert_eq!(status, 401, "{method} {path} with {cookie:.40}");
            }
        }
    }
    let bodies = [
        "not json".to_owned(),
        "{}".to_owned(),
        r#"{"key": 1234567890123456}"#.to_owned(),
        r#"{"key": null}"#.to_owned(),
        format!(r#"{{"key": "{huge}"}}"#),
        format!(r#"{{"key": "{SECRET_KEY}", "admin": true}}"#),
        r#"["sk_test_not_the_key_0000"]"#.to_owned(),
    ];
    for body in &bodies {
        let resp = app.post_raw("/dashboard/session", body.clone(), None).await;
        let status = resp.status().as_u16();
        assert!(resp.headers().get(SET_COOKIE).is_none(), "{body:.40}");
        let error: Value = resp.json().await.unwrap();
        assert!((400..500).contains(&status), "{body:.40}: {status}");
        assert!(error["code"].is_string(), "{body:.40}: {error}");
    }
}
