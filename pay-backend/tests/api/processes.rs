//! Several `pay-backend` processes on one PostgreSQL database (skipped without one, see
//! `tests/common/databases.rs`), and stopping gracefully on SIGTERM.

use crate::databases::{fresh_postgres, fresh_sqlite};
use crate::helpers::{card_attempt, sample_info, SECRET_KEY};
use crate::receiver::{Mode, Receiver, SLOW};
use crate::server::Server;
use futures_util::future::join_all;
use pay_backend::store::Store;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const TARGET: &str = "webhook:orders";

/// The environment of a process delivering to `receiver`, without an attempt rate limit.
fn env_for(receiver: &Receiver) -> Vec<(&'static str, String)> {
    let secret = pay_backend::WebhookSecret::generate();
    vec![
        (
            "PAY_WEBHOOKS",
            format!(
                r#"[{{ name = "orders", url = "{}", secret = "{secret}" }}]"#,
                receiver.url
            ),
        ),
        ("PAY_ATTEMPTS_PER_MINUTE_PER_IP", "0".into()),
        ("PAY_OFFLINE_PAYMENTS", "true".into()),
    ]
}

async fn create_with_key(server: &Server, key: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/pay/v1/payments", server.address))
        .bearer_auth(SECRET_KEY)
        .header("Idempotency-Key", key)
        .json(&sample_info())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// `webhook-id` → how many times it arrived.
fn arrivals(receiver: &Receiver) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for r in receiver.all() {
        *seen.entry(r.header("webhook-id").to_owned()).or_default() += 1;
    }
    seen
}

#[actix_web::test]
async fn two_processes_charge_once_share_idempotency_keys_and_share_the_outbox() {
    let Some(url) = fresh_postgres().await else { return };
    let receiver = Receiver::start(Mode::Ok);
    let env = env_for(&receiver);
    let servers = [
        Server::start_on(&url, "info", &env),
        Server::start_on(&url, "info", &env),
    ];

    // One Idempotency-Key, 8 concurrent requests spread over both processes: one payment.
    let creates = (0..8).map(|i| create_with_key(&servers[i % 2], "order-2001"));
    let created = join_all(creates).await;
    assert!(
        created.iter().all(|(status, _)| *status == 201 || *status == 200),
        "{created:?}"
    );
    let id = created[0].1["id"].as_str().unwrap().to_owned();
    assert!(
        created.iter().all(|(_, body)| body["id"] == id.as_str()),
        "one payment for one key"
    );

    // 12 concurrent attempts with different attempt ids on both processes: one charge.
    let attempts = (0..12).map(|i| {
        let body = card_attempt(&format!("attempt-{i:04}"), "4242424242424242");
        let server = &servers[i % 2];
        let id = id.clone();
        async move {
            let resp = server.attempt(&id, &body).await;
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    });
    let answers = join_all(attempts).await;
    let charged = answers
        .iter()
        .filter(|(status, body)| *status == 200 && body["status"] == "Successful")
        .count();
    assert_eq!(charged, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 409, "{body}");
        assert!(
            ["attempt_in_progress", "payment_not_payable"].contains(&body["code"].as_str().unwrap()),
            "{body}"
        );
    }
    let (_, payment) = servers[1].merchant_get(&format!("/pay/v1/payments/{id}")).await;
    assert_eq!(payment["attempts"].as_array().unwrap().len(), 1, "{payment}");

    // More payments, paid through either process: every event reaches the endpoint once,
    // although both processes deliver to it.
    for i in 0..10 {
        let id = servers[i % 2].create_payment().await;
        let resp = servers[(i + 1) % 2]
            .attempt(&id, &card_attempt("attempt-0001", "4242424242424242"))
            .await;
        assert_eq!(resp.status(), 200);
    }
    receiver.wait_for(11, 20).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let seen = arrivals(&receiver);
    assert_eq!(seen.len(), 11, "every event arrived");
    assert!(seen.values().all(|&n| n == 1), "none twice: {seen:?}");
    for server in servers {
        server.kill();
    }
}

#[actix_web::test]
async fn a_process_takes_over_the_deliveries_of_one_that_was_killed() {
    let Some(url) = fresh_postgres().await else { return };
    let receiver = Receiver::start(Mode::Hang);
    let env = env_for(&receiver);
    let first = Server::start_on(&url, "info", &env);
    let id = first.create_payment().await;
    let resp = first
        .attempt(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        receiver.wait_for(1, 10).await.len(),
        1,
        "the first process is delivering"
    );

    receiver.set_mode(Mode::Ok);
    let second = Server::start_on(&url, "info", &env);
    first.kill();
    let killed_at = Instant::now();
    // Its lease would last a minute; a dead owner's lease is void at once.
    let received = receiver.wait_for(2, 10).await;
    assert_eq!(received.len(), 2, "delivered again by the second process");
    assert_eq!(received[0].header("webhook-id"), received[1].header("webhook-id"));
    assert!(killed_at.elapsed() < Duration::from_secs(10));
    second.kill();
}

/// SIGTERM while a delivery is in flight: the delivery ends (and is recorded), then the process
/// exits successfully. On SQLite, and on PostgreSQL when there is one.
#[actix_web::test]
async fn sigterm_lets_deliveries_in_flight_finish_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![fresh_sqlite(&dir)];
    urls.extend(fresh_postgres().await);
    for url in urls {
        let receiver = Receiver::start(Mode::Slow);
        let server = Server::start_on(&url, "info", &env_for(&receiver));
        let id = server.create_payment().await;
        let resp = server
            .attempt(&id, &card_attempt("attempt-0001", "4242424242424242"))
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(receiver.wait_for(1, 10).await.len(), 1);
        let asked = Instant::now();

        let (status, log) = server.terminate(Duration::from_secs(20));
        let status = status.unwrap_or_else(|| panic!("still running 20 s after SIGTERM: {log:#?}"));
        assert!(status.success(), "{status}: {log:#?}");
        assert!(
            asked.elapsed() >= SLOW - Duration::from_millis(200),
            "it waited for the delivery"
        );

        let store = Store::open(&url).await.unwrap();
        let counts = store.delivery_counts(TARGET).await.unwrap();
        assert_eq!((counts.delivered, counts.pending), (1, 0), "{url}");
        store.close().await;
    }
}

/// A delivery that outlasts the deadline is left for the next start, which sends it at once.
#[actix_web::test]
async fn sigterm_gives_up_at_the_deadline_and_the_next_start_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_sqlite(&dir);
    let receiver = Receiver::start(Mode::Hang);
    let mut env = env_for(&receiver);
    env.push(("PAY_SHUTDOWN_TIMEOUT_SECS", "1".into()));
    let server = Server::start_on(&url, "info", &env);
    let id = server.create_payment().await;
    server
        .attempt(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(receiver.wait_for(1, 10).await.len(), 1);

    let asked = Instant::now();
    let (status, log) = server.terminate(Duration::from_secs(15));
    assert!(status.is_some_and(|s| s.success()), "{log:#?}");
    assert!(asked.elapsed() < Duration::from_secs(5), "the 1 s deadline holds");

    receiver.set_mode(Mode::Ok);
    let restarted = Server::start_on(&url, "info", &env);
    let received = receiver.wait_for(2, 10).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].header("webhook-id"), received[1].header("webhook-id"));
    restarted.kill();
}
