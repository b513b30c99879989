//! Durability: the real server binary is killed with SIGKILL and started again on the same
//! database file; everything it acknowledged is still there.

use crate::helpers::{card_attempt, sample_info, SECRET_KEY};
use crate::server::Server;
use serde_json::Value;

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let client = reqwest::Client::new();
    let server = Server::start(&db, "info");

    let mut ids = Vec::new();
    for _ in 0..5 {
        let resp = client
            .post(format!("{}/pay/v1/payments", server.address))
            .bearer_auth(SECRET_KEY)
            .json(&sample_info())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        ids.push(resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    let paid = client
        .post(format!("{}/pay/v1/checkout/{}/attempts", server.address, ids[0]))
        .json(&card_attempt("attempt-0001", "4242424242424242"))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    server.kill();

    let server = Server::start(&db, "info");
    for id in &ids {
        let resp = client
            .get(format!("{}/pay/v1/payments/{id}", server.address))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "payment {id} lost");
    }
    let paid: Value = client
        .get(format!("{}/pay/v1/payments/{}", server.address, ids[0]))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "Successful");
    server.kill();
}

/// kill -9 with deliveries in flight and undelivered: after a restart every event arrives,
/// the interrupted ones again with the same `webhook-id`.
#[actix_web::test]
async fn undelivered_and_in_flight_events_survive_kill_9() {
    use crate::receiver::{Mode, Receiver};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let receiver = Receiver::start(Mode::Hang);
    let secret = pay_backend::WebhookSecret::generate();
    let hooks = format!(
        r#"[{{ name = "orders", url = "{}", secret = "{secret}" }}]"#,
        receiver.url
    );
    let env = [("PAY_WEBHOOKS", hooks)];
    let client = reqwest::Client::new();
    let server = Server::start_with(&db, "info", &env);

    let mut ids = Vec::new();
    for i in 0..3 {
        let created: Value = client
            .post(format!("{}/pay/v1/payments", server.address))
            .bearer_auth(SECRET_KEY)
            .json(&sample_info())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        let resp = client
            .post(format!("{}/pay/v1/checkout/{id}/attempts", server.address))
            .json(&card_attempt(&format!("attempt-{i:04}"), "4242424242424242"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        ids.push(id);
    }
    let in_flight = receiver.wait_for(3, 5).await;
    assert_eq!(in_flight.len(), 3, "all three deliveries are hanging at the receiver");
    server.kill();

    receiver.set_mode(Mode::Ok);
    let server = Server::start_with(&db, "info", &env);
    let all = receiver.wait_for(6, 10).await;
    server.kill();

    for r in &in_flight {
        let id = r.header("webhook-id");
        let times = all.iter().filter(|x| x.header("webhook-id") == id).count();
        assert!(times >= 2, "{id} was not delivered again after the restart");
    }
    let paid: std::collections::HashSet<String> = all
        .iter()
        .map(|r| r.json()["payment"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paid.len(), ids.len());
}
