//! Durability: the real server binary is killed with SIGKILL and started again on the same
//! database file; everything it acknowledged is still there.

use crate::helpers::{card_attempt, sample_info, SECRET_KEY};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    address: String,
}

fn start(db: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pay-backend"))
        .env("PAY_PORT", "0")
        .env("PAY_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("PAY_SECRET_KEY", SECRET_KEY)
        .env("PAY_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, address }
}

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pay.db");
    let client = reqwest::Client::new();
    let mut server = start(&db);

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
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();

    let mut server = start(&db);
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
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
