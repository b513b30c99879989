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
        ids.push(
            resp.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let paid = client
        .post(format!(
            "{}/pay/v1/checkout/{}/attempts",
            server.address, ids[0]
        ))
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
