//! The server without its provider: the real binary, configured with Stripe at an address that
//! refuses connections, starts at once, serves the dashboard, the merchant API and payment
//! creation, and says so in `/readyz`'s details and the metrics (readiness is the database's
//! only). An attempt a killed server left at Stripe is resolved in the background once Stripe
//! answers again, without a restart. On PostgreSQL with `PAY_TEST_API_ON_POSTGRES=1`.

use crate::databases::{fresh_postgres, fresh_sqlite};
use crate::helpers::{sample_info, SECRET_KEY};
use crate::server::Server;
use crate::stripe::{fake, killed_while_stripe_answers, seen, serve_fake, stripe_env};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A fresh database: PostgreSQL with `PAY_TEST_API_ON_POSTGRES=1`, else SQLite in `dir`.
async fn database(dir: &tempfile::TempDir) -> String {
    if std::env::var("PAY_TEST_API_ON_POSTGRES").as_deref() == Ok("1") {
        return fresh_postgres()
            .await
            .expect("PAY_TEST_API_ON_POSTGRES=1 needs PAY_TEST_POSTGRES_URL");
    }
    fresh_sqlite(dir)
}

/// A loopback port nothing listens on (it was free a moment ago).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the server; prints and answers how long it took to listen.
async fn start(url: &str, env: Vec<(&'static str, String)>, what: &str) -> (Server, Duration) {
    let url = url.to_owned();
    let started = Instant::now();
    let server = tokio::task::spawn_blocking(move || Server::start_on(&url, "info", &env))
        .await
        .unwrap();
    let took = started.elapsed();
    println!("{what}: listening after {} ms", took.as_millis());
    (server, took)
}

async fn get(server: &Server, path: &str) -> (u16, String) {
    let resp = reqwest::get(format!("{}{path}", server.address)).await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// `/readyz` once the provider's state is `state` (within 10 s): always 200, as the database
/// answers.
async fn ready_with_provider(server: &Server, state: &str) -> Value {
    let asked = Instant::now();
    loop {
        let (status, body) = get(server, "/readyz").await;
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["status"], "ready", "{body}");
        if body["provider"]["state"] == state {
            return body;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(10),
            "the provider never {state}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn provider_up(server: &Server) -> String {
    let (_, metrics) = get(server, "/metrics").await;
    metrics
        .lines()
        .find(|l| l.starts_with(r#"pay_provider_up{provider="stripe"}"#))
        .unwrap_or_else(|| panic!("no pay_provider_up: {metrics}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned()
}

async fn create_payment(server: &Server) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/pay/v1/payments", server.address))
        .bearer_auth(SECRET_KEY)
        .json(&sample_info())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_server_whose_provider_refuses_connections_starts_serves_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(&dir).await;
    let base = format!("http://127.0.0.1:{}", closed_port());
    let (server, took) = start(&url, stripe_env(&base), "stripe unreachable").await;
    assert!(took < Duration::from_secs(5), "{took:?}");

    assert_eq!(get(&server, "/healthz").await.0, 200);
    let ready = ready_with_provider(&server, "unreachable").await;
    let provider = &ready["provider"];
    assert_eq!(provider["name"], "stripe", "{ready}");
    assert_eq!(provider["lastError"], "could not connect", "{ready}");
    assert!(
        provider["since"].is_string() && provider["lastFailureAt"].is_string(),
        "{ready}"
    );
    assert!(provider.get("lastAnswerAt").is_none(), "{ready}");
    assert_eq!(provider_up(&server).await, "0");

    assert_eq!(create_payment(&server).await, 201);
    let (status, _) = server.merchant_get("/pay/v1/payments").await;
    assert_eq!(status, 200);
    let (status, page) = get(&server, "/dashboard/").await;
    assert_eq!(status, 200);
    assert!(page.contains("<html"), "{page}");
    server.kill();
}

/// The server is killed while Stripe's answer to a confirmation is on its way (Stripe
/// charged), and restarted while Stripe refuses connections: it listens at once and the attempt
/// stays processing; once Stripe answers again the attempt takes Stripe's outcome, charged once.
#[actix_web::test]
async fn an_attempt_left_at_stripe_while_it_is_down_resolves_in_the_background_when_it_is_back() {
    let fake = fake(|f| f.hold_confirms = Duration::from_secs(120));
    let (port, stripe) = serve_fake(&fake, 0);
    let base = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let url = database(&dir).await;
    let (server, _) = start(&url, stripe_env(&base), "stripe reachable").await;
    let id = killed_while_stripe_answers(server, &fake).await;

    // Stripe goes away: its port refuses connections.
    stripe.stop(false).await;
    let (server, took) = start(&url, stripe_env(&base), "stripe down, an attempt to resolve").await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    ready_with_provider(&server, "unreachable").await;
    assert_eq!(provider_up(&server).await, "0");
    let (_, details) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
    assert_ne!(details["status"], "Successful", "{details}");
    assert_eq!(create_payment(&server).await, 201);

    // Stripe is back on the same address: the attempt is looked up without a restart.
    let (_, stripe) = serve_fake(&fake, port);
    let back = Instant::now();
    let details = loop {
        let (_, details) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
        if details["status"] == "Successful" {
            break details;
        }
        assert!(
            back.elapsed() < Duration::from_secs(40),
            "not resolved 40 s after Stripe came back: {details}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!("stripe back to resolution {} ms", back.elapsed().as_millis());
    assert_eq!(details["transactionId"], "pi_fake1", "{details}");
    assert_eq!(details["attempts"][0]["resolvedBy"], "lookup", "{details}");
    assert_eq!(fake.lock().unwrap().intents.len(), 1, "charged once");
    assert_eq!(seen(&fake, "POST /v1/payment_intents/pi_fake1/confirm").len(), 1);
    let ready = ready_with_provider(&server, "reachable").await;
    assert!(ready["provider"]["lastAnswerAt"].is_string(), "{ready}");
    assert_eq!(provider_up(&server).await, "1");
    server.kill();
    stripe.stop(false).await;
}
