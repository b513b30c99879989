//! Durability: the real server binary is killed with SIGKILL and started again on the same
//! database file; everything it acknowledged is still there.

use crate::helpers::card_attempt;
use crate::server::Server;

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let server = Server::start(&db, "info");

    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(server.create_payment().await);
    }
    let paid = server
        .attempt(&ids[0], &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    assert_eq!(paid.status(), 200);
    server.kill();

    let server = Server::start(&db, "info");
    for id in &ids {
        let (status, _) = server.merchant_get(&format!("/pay/v1/payments/{id}")).await;
        assert_eq!(status, 200, "payment {id} lost");
    }
    let (_, paid) = server.merchant_get(&format!("/pay/v1/payments/{}", ids[0])).await;
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
    let server = Server::start_with(&db, "info", &env);

    let mut ids = Vec::new();
    for i in 0..3 {
        let id = server.create_payment().await;
        let resp = server
            .attempt(&id, &card_attempt(&format!("attempt-{i:04}"), "4242424242424242"))
            .await;
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
