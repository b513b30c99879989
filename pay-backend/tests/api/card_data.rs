//! Card numbers and CVCs never reach the database or a log: every sandbox card goes through
//! the real server at the most verbose log level (the sandbox provider's own books included),
//! then the database files and every log line are searched.

use crate::server::Server;
use serde_json::json;

const CARDS: [&str; 16] = [
    "4242424242424242",
    "5555555555554444",
    "4000000000000002",
    "4000000000009995",
    "4000000000000069",
    "4000000000000127",
    "4000000000003220",
    "4000000000000341",
    "4000000000000259",
    "4000002500003155",
    "4000002760003184",
    "4000008400001629",
    "4000000000000119",
    "4000000000000507",
    "4000000000007775",
    "4000000000008880",
];
const CVC: &str = "913";

#[actix_web::test]
async fn no_card_number_or_cvc_in_the_database_or_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    // 32 attempts from one address: more than the per-minute limit lets through at once.
    let server = Server::start_with(&db, "trace", &[("PAY_ATTEMPTS_PER_MINUTE_PER_IP", "0".to_owned())]);

    for (i, number) in CARDS.iter().enumerate() {
        let id = server.create_payment().await;
        let spaced = format!(
            "{} {} {} {}",
            &number[..4],
            &number[4..8],
            &number[8..12],
            &number[12..]
        );
        let body = json!({"attemptId": format!("attempt-{i:04}"), "method": "card",
                          "card": {"number": spaced, "expMonth": 12, "expYear": 2045, "cvc": CVC}});
        let resp = server.attempt(&id, &body).await;
        assert_eq!(resp.status(), 200);
        // A rejected attempt (bad expiry) carries a card number too.
        let bad = json!({"attemptId": format!("attempt-x{i:04}"), "method": "card",
                         "card": {"number": number, "expMonth": 13, "expYear": 2045, "cvc": CVC}});
        server.attempt(&id, &bad).await;
    }
    // Pending charges settle, unknown answers are looked up, the sandbox's events are sent.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
    let log = server.kill();

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(stored.contains("4242"), "the database keeps the last four digits");
    assert!(log.len() > 10, "the log was captured");
    let log = log.join("\n");
    for number in CARDS {
        let spaced = format!(
            "{} {} {} {}",
            &number[..4],
            &number[4..8],
            &number[8..12],
            &number[12..]
        );
        for needle in [number.to_owned(), spaced, number[..12].to_owned()] {
            assert!(!stored.contains(&needle), "card number {needle} found in the database");
            assert!(!log.contains(&needle), "card number {needle} found in the log");
        }
    }
    for needle in [format!("\"cvc\":\"{CVC}\""), format!("cvc={CVC}"), format!("\"{CVC}\"")] {
        assert!(!stored.contains(&needle), "CVC found in the database");
        assert!(!log.contains(&needle), "CVC found in the log");
    }
}
