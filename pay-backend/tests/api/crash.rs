//! The crash test: a mixed load (payments created, paid with sandbox cards including pending
//! ones, refunded) runs against real `pay-backend` processes while one of them is killed with
//! SIGKILL at random moments and started again on the same database. At the end, the database
//! and the webhook receiver are checked against the load generator's own record of what was
//! acknowledged: no lost payment or status, no undelivered event, no double charge, no gap in
//! any payment's event sequence.
//!
//! `PAY_CRASH_KILLS` sets the number of kills (10 by default, the short form in the suite);
//! `scripts/crash.sh [kills]` runs both tests with PostgreSQL and prints their summaries.

use crate::databases::{fresh_postgres, fresh_sqlite};
use crate::helpers::{card_attempt, sample_info, SECRET_KEY};
use crate::receiver::{Mode, Receiver};
use crate::server::Server;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Concurrent load tasks.
const TASKS: usize = 8;
/// How long a request whose outcome is unknown is retried before it is given up.
const RETRY_FOR: Duration = Duration::from_secs(20);
/// How long the processes get, after the load stops, to settle and deliver everything.
const QUIESCENCE: Duration = Duration::from_secs(90);

/// How long a sandbox charge takes (half before the sandbox records it, half after).
const CHARGE_LATENCY_MS: u64 = 80;

/// Cards and how often the load uses them: successes, declines, pending (settling either way)
/// and a success followed by a chargeback.
const CARDS: &[(&str, u32)] = &[
    ("4242424242424242", 4),
    ("5555555555554444", 1),
    ("4000000000000002", 2),
    ("4000000000009995", 1),
    ("4000000000003220", 3),
    ("4000000000000341", 2),
    ("4000000000000259", 1),
];

#[actix_web::test]
async fn crash_sqlite_one_process() {
    let dir = tempfile::tempdir().unwrap();
    run("sqlite", &fresh_sqlite(&dir), 1).await;
}

#[actix_web::test]
async fn crash_postgres_two_processes() {
    let Some(url) = fresh_postgres().await else { return };
    run("postgres", &url, 2).await;
}

/// The shared driver: `processes` servers on the database at `url`, the load, the kills, the
/// check. Prints the summary and asserts the zero conditions.
async fn run(name: &str, url: &str, processes: usize) {
    let kills: usize = std::env::var("PAY_CRASH_KILLS").map_or(10, |k| k.parse().expect("PAY_CRASH_KILLS: a number"));
    let started = Instant::now();
    let receiver = Receiver::start(Mode::Ok);
    let mut cluster = Cluster::start(url, processes, &receiver).await;
    let load = Load::start(cluster.addresses.clone());

    for _ in 0..kills {
        actix_web::rt::time::sleep(Duration::from_millis(fastrand::u64(200..=800))).await;
        cluster.kill_and_restart(fastrand::usize(..processes)).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let record = load.stop().await;

    let client = Client::new(cluster.addresses.clone());
    let snapshot = wait_for_quiescence(&client, &receiver).await;
    let verdict = Verdict::of(&record, &snapshot, &receiver.all());
    drop(cluster);
    println!(
        "crash {name}: {processes} process(es), kills {kills}, {:.1} s; {}",
        started.elapsed().as_secs_f64(),
        verdict.summary(&record)
    );
    verdict.assert_clean();
}

// ---------------------------------------------------------------------------------------------
// The processes

/// Each process's current address; `None` while it is down.
type Addresses = Arc<RwLock<Vec<Option<String>>>>;

/// The server processes over one database, restarted in place.
struct Cluster {
    url: String,
    env: Vec<(&'static str, String)>,
    servers: Vec<Option<Server>>,
    addresses: Addresses,
}

impl Cluster {
    async fn start(url: &str, processes: usize, receiver: &Receiver) -> Cluster {
        let secret = pay_backend::WebhookSecret::generate();
        let env = vec![
            ("PAY_ATTEMPTS_PER_MINUTE_PER_IP", "0".to_owned()),
            // Charges take a while at the provider, so kills land during them.
            ("PAY_SANDBOX_LATENCY_MS", CHARGE_LATENCY_MS.to_string()),
            (
                "PAY_WEBHOOKS",
                format!(
                    r#"[{{ name = "orders", url = "{}", secret = "{secret}" }}]"#,
                    receiver.url
                ),
            ),
        ];
        let mut cluster = Cluster {
            url: url.to_owned(),
            env,
            servers: (0..processes).map(|_| None).collect(),
            addresses: Arc::new(RwLock::new(vec![None; processes])),
        };
        for slot in 0..processes {
            cluster.restart(slot).await;
        }
        cluster
    }

    /// Starts process `slot` (off the async threads: starting blocks until it listens).
    async fn restart(&mut self, slot: usize) {
        let (url, env) = (self.url.clone(), self.env.clone());
        let server = tokio::task::spawn_blocking(move || Server::start_on(&url, "info", &env))
            .await
            .unwrap();
        self.addresses.write().unwrap()[slot] = Some(server.address.clone());
        self.servers[slot] = Some(server);
    }

    /// `kill -9` process `slot` (whatever it is doing), then starts it again.
    async fn kill_and_restart(&mut self, slot: usize) {
        if let Some(server) = self.servers[slot].take() {
            tokio::task::spawn_blocking(move || server.kill()).await.unwrap();
        }
        self.addresses.write().unwrap()[slot] = None;
        self.restart(slot).await;
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for server in self.servers.iter_mut().flatten() {
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A client that spreads requests over the processes and survives their deaths

/// An HTTP answer, or `None` when the request was cut (connection refused or reset, timeout):
/// its outcome is unknown.
type Answer = Option<(u16, Value)>;

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    addresses: Addresses,
    next: Arc<AtomicUsize>,
}

impl Client {
    fn new(addresses: Addresses) -> Client {
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            addresses,
            next: Arc::new(AtomicUsize::new(fastrand::usize(..100))),
        }
    }

    /// The next live process, round robin; waits while every process is down.
    async fn address(&self) -> String {
        loop {
            let addresses = self.addresses.read().unwrap().clone();
            let start = self.next.fetch_add(1, Ordering::Relaxed);
            let live = (0..addresses.len()).find_map(|i| addresses[(start + i) % addresses.len()].clone());
            if let Some(address) = live {
                return address;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// One request to the next process, with the secret key (which the checkout ignores).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.address().await))
            .bearer_auth(SECRET_KEY);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let body = response.bytes().await.ok()?;
        Some((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }

    /// A GET that must be answered 200 (used by the check, when every process is up).
    async fn get_ok(&self, path: &str) -> Value {
        for _ in 0..50 {
            if let Some((200, body)) = self.get(path).await {
                return body;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("GET {path} never answered 200");
    }
}

// ---------------------------------------------------------------------------------------------
// The load and its record

/// What the load generator was told. Only answers count: a request cut by a kill is unknown,
/// not lost (and is retried with the same attempt id or idempotency key when that is safe).
#[derive(Default, Debug)]
struct Record {
    /// Acknowledged payments (201, or 200 for an idempotent replay), by id.
    payments: BTreeMap<String, Acked>,
    /// Creates never answered within [`RETRY_FOR`]: such a payment may or may not exist.
    unresolved_creates: usize,
    /// Attempts never answered within [`RETRY_FOR`].
    unresolved_attempts: usize,
    /// Refunds cut by a kill (not retried: a refund has no idempotency key).
    unknown_refunds: usize,
    /// Requests cut by a kill (connection refused or reset).
    cut: usize,
    /// 5xx answers (retried like cut requests).
    server_errors: usize,
    /// 4xx answers the load expects: another attempt in flight, not payable, refund races.
    rejections: usize,
    /// Attempts answered only when retried with the same attempt id (on the next process, when
    /// there are two) after a cut.
    attempts_retried: usize,
}

/// What was acknowledged of one payment.
#[derive(Default, Debug, Clone)]
struct Acked {
    /// One status per answered attempt and per answered refund.
    statuses: Vec<String>,
    /// Refunded amount acknowledged, in cents.
    refunded_cents: i64,
}

impl Record {
    fn statuses(&self) -> usize {
        self.payments.values().map(|p| p.statuses.len()).sum()
    }

    fn refunds(&self) -> usize {
        self.payments
            .values()
            .flat_map(|p| &p.statuses)
            .filter(|s| s.contains("Refunded"))
            .count()
    }
}

/// The load tasks and their shared record.
struct Load {
    stop: Arc<AtomicBool>,
    record: Arc<Mutex<Record>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(addresses: Addresses) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let record = Arc::new(Mutex::new(Record::default()));
        let tasks = (0..TASKS)
            .map(|_| {
                let shopper = Shopper {
                    client: Client::new(addresses.clone()),
                    record: record.clone(),
                    rng: fastrand::Rng::new(),
                };
                let stop = stop.clone();
                actix_web::rt::spawn(async move {
                    let mut shopper = shopper;
                    while !stop.load(Ordering::Relaxed) {
                        shopper.one_payment().await;
                    }
                })
            })
            .collect();
        Load { stop, record, tasks }
    }

    /// Lets each task finish the payment it is on, then hands over the record.
    async fn stop(self) -> Record {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        std::mem::take(&mut *self.record.lock().unwrap())
    }
}

/// One load task: creates a payment, pays it, maybe refunds it, and records the answers.
struct Shopper {
    client: Client,
    record: Arc<Mutex<Record>>,
    rng: fastrand::Rng,
}

impl Shopper {
    async fn one_payment(&mut self) {
        let Some(id) = self.create().await else { return };
        let card = self.card();
        let status = if self.rng.u8(..5) == 0 {
            self.double_submit(&id, card).await
        } else {
            self.attempt(&id, card).await
        };
        match status.as_deref() {
            Some("Failed") if self.rng.bool() => self.pay_again(&id).await,
            // Pending, then declined: the buyer pays again once it has settled.
            Some("Pending") if card == "4000000000000341" => {
                actix_web::rt::time::sleep(Duration::from_millis(400)).await;
                self.pay_again(&id).await;
            }
            Some("Successful") => self.refunds(&id).await,
            _ => {}
        }
    }

    async fn pay_again(&mut self, id: &str) {
        if self.attempt(id, "4242424242424242").await.as_deref() == Some("Successful") {
            self.refunds(id).await;
        }
    }

    fn card(&mut self) -> &'static str {
        let total: u32 = CARDS.iter().map(|(_, w)| w).sum();
        let mut pick = self.rng.u32(..total);
        for (card, weight) in CARDS {
            if pick < *weight {
                return card;
            }
            pick -= weight;
        }
        unreachable!()
    }

    fn note(&self, f: impl FnOnce(&mut Record)) {
        f(&mut self.record.lock().unwrap());
    }

    /// Creates the sample payment with an idempotency key, retrying an unknown outcome with the
    /// same key (on the next process): a real client's way, and at most one payment per key.
    async fn create(&mut self) -> Option<String> {
        let key = format!("crash-{}", uuid::Uuid::new_v4().simple());
        let body = sample_info();
        let deadline = Instant::now() + RETRY_FOR;
        while Instant::now() < deadline {
            let answer = self
                .client
                .send(
                    reqwest::Method::POST,
                    "/pay/v1/payments",
                    Some(&body),
                    &[("Idempotency-Key", &key)],
                )
                .await;
            match answer {
                Some((200 | 201, created)) => {
                    let id = created["id"].as_str().expect("a payment id").to_owned();
                    self.note(|r| {
                        r.payments.insert(id.clone(), Acked::default());
                    });
                    return Some(id);
                }
                other => self.unknown(other).await,
            }
        }
        self.note(|r| r.unresolved_creates += 1);
        None
    }

    /// A cut request or a 5xx: counted, then retried after a short pause.
    async fn unknown(&self, answer: Answer) {
        match answer {
            None => self.note(|r| r.cut += 1),
            Some((status, body)) if status >= 500 => {
                eprintln!("crash: {status} {body}");
                self.note(|r| r.server_errors += 1);
            }
            Some((status, body)) => panic!("unexpected answer {status} {body}"),
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }

    /// One attempt with a fresh attempt id, retried with the same id until answered. Returns
    /// the acknowledged status (`None`: rejected or never answered).
    async fn attempt(&mut self, id: &str, card: &str) -> Option<String> {
        let attempt_id = format!("att-{}", uuid::Uuid::new_v4().simple());
        let body = card_attempt(&attempt_id, card);
        let path = format!("/pay/v1/checkout/{id}/attempts");
        let deadline = Instant::now() + RETRY_FOR;
        let mut was_cut = false;
        while Instant::now() < deadline {
            let answer = self.client.send(reqwest::Method::POST, &path, Some(&body), &[]).await;
            match answer {
                Some((200, result)) => {
                    let status = result["status"].as_str().expect("a status").to_owned();
                    self.note(|r| {
                        r.payments.get_mut(id).unwrap().statuses.push(status.clone());
                        r.attempts_retried += usize::from(was_cut);
                    });
                    return Some(status);
                }
                // Our own attempt, cut on a process that died, is still `processing` until it
                // is closed (as Failed): ask again.
                Some((409, ref e)) if was_cut && e["code"] == "attempt_in_progress" => {
                    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                }
                Some((409 | 422, _)) => {
                    self.note(|r| r.rejections += 1);
                    return None;
                }
                other => {
                    was_cut = true;
                    self.unknown(other).await;
                }
            }
        }
        self.note(|r| r.unresolved_attempts += 1);
        None
    }

    /// Two attempts with different attempt ids at once (a double click, two tabs), sent to
    /// different processes when there are two: at most one may charge.
    async fn double_submit(&mut self, id: &str, card: &'static str) -> Option<String> {
        let mut other = Shopper {
            client: self.client.clone(),
            record: self.record.clone(),
            rng: fastrand::Rng::new(),
        };
        let (a, b) = futures_util::join!(self.attempt(id, card), other.attempt(id, card));
        a.or(b)
    }

    /// A partial refund, then maybe the rest. A refund cut by a kill is not retried.
    async fn refunds(&mut self, id: &str) {
        if self.rng.bool() {
            return;
        }
        if !self.refund(id, json!({"amount": 5}), 500).await || self.rng.bool() {
            return;
        }
        self.refund(id, json!({}), 1500).await;
    }

    async fn refund(&mut self, id: &str, body: Value, cents: i64) -> bool {
        let path = format!("/pay/v1/payments/{id}/refunds");
        match self.client.send(reqwest::Method::POST, &path, Some(&body), &[]).await {
            Some((201, refund)) => {
                let status = refund["status"].as_str().expect("a status").to_owned();
                self.note(|r| {
                    let acked = r.payments.get_mut(id).unwrap();
                    acked.statuses.push(status);
                    acked.refunded_cents += cents;
                });
                true
            }
            // A refund right after a chargeback arrived, for example.
            Some((409, _)) => {
                self.note(|r| r.rejections += 1);
                false
            }
            None => {
                self.note(|r| {
                    r.cut += 1;
                    r.unknown_refunds += 1;
                });
                false
            }
            Some((status, body)) => {
                if status >= 500 {
                    self.note(|r| r.server_errors += 1);
                }
                eprintln!("crash: refund answered {status} {body}");
                self.note(|r| r.unknown_refunds += 1);
                false
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The check

/// The database as the merchant API shows it: every payment (with attempts) and every event.
struct Snapshot {
    payments: HashMap<String, Value>,
    events: Vec<Value>,
    /// The sandbox provider's own books, per payment: what it charged.
    charges: HashMap<String, Vec<Value>>,
}

impl Snapshot {
    async fn take(client: &Client) -> Snapshot {
        let ids = all_payment_ids(client).await;
        let payments: HashMap<String, Value> = futures_util::stream::iter(ids)
            .map(|id| async move {
                let details = client.get_ok(&format!("/pay/v1/payments/{id}")).await;
                (id, details)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let ids: Vec<String> = payments.keys().cloned().collect();
        let charges = futures_util::stream::iter(ids)
            .map(|id| async move {
                let books = client.get_ok(&format!("/pay/v1/test/payments/{id}/charges")).await;
                (id, books.as_array().cloned().unwrap_or_default())
            })
            .buffer_unordered(8)
            .collect()
            .await;
        Snapshot {
            payments,
            events: all_events(client).await,
            charges,
        }
    }

    /// Nothing left to happen: no attempt in flight, no pending charge waiting to settle.
    fn settled(&self) -> bool {
        self.payments.values().all(|p| {
            p["status"] != "Pending"
                && p["attempts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["state"] != "processing")
        })
    }

    fn event_ids(&self) -> HashSet<&str> {
        self.events.iter().map(|e| e["eventId"].as_str().unwrap()).collect()
    }
}

async fn all_payment_ids(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let after = ids.last().map(|id| format!("&startingAfter={id}")).unwrap_or_default();
        let page = client.get_ok(&format!("/pay/v1/payments?limit=100{after}")).await;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["payment"]["id"].as_str().unwrap().to_owned()),
        );
        if page["hasMore"] != true {
            return ids;
        }
    }
}

async fn all_events(client: &Client) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let after = cursor.map(|c| format!("&after={c}")).unwrap_or_default();
        let page = client.get_ok(&format!("/pay/v1/events?limit=500{after}")).await;
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            return events;
        }
        events.extend(data.iter().cloned());
        cursor = page["nextCursor"].as_i64();
    }
}

/// After the last restart: waits until every attempt is closed, every pending charge settled
/// and every event received, or [`QUIESCENCE`] has passed; returns the last snapshot.
async fn wait_for_quiescence(client: &Client, receiver: &Receiver) -> Snapshot {
    let deadline = Instant::now() + QUIESCENCE;
    loop {
        let snapshot = Snapshot::take(client).await;
        let received = received_ids(&receiver.all());
        let delivered = snapshot.event_ids().iter().all(|id| received.contains(*id));
        if (snapshot.settled() && delivered) || Instant::now() > deadline {
            return snapshot;
        }
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    }
}

fn received_ids(received: &[crate::receiver::Received]) -> HashSet<String> {
    received.iter().map(|r| r.header("webhook-id").to_owned()).collect()
}

/// The counts the test prints, and the zeros it asserts.
#[derive(Debug, Default)]
struct Verdict {
    payments_in_db: usize,
    /// Attempts a killed process left at the provider, resolved by look-up after the restart:
    /// charged there, or never reached.
    resolved_by_lookup: usize,
    charged_when_killed: usize,
    /// Money the provider's books say moved that Pay's records do not show, and payments the
    /// provider charged more than once.
    lost_charges: Vec<String>,
    provider_double_charges: Vec<String>,
    events: usize,
    webhooks: usize,
    duplicate_webhooks: usize,
    lost_payments: Vec<String>,
    lost_statuses: Vec<String>,
    lost_refunds: Vec<String>,
    duplicate_payments: usize,
    undelivered: Vec<String>,
    double_charges: Vec<String>,
    sequence_gaps: Vec<String>,
    unsettled: Vec<String>,
}

impl Verdict {
    fn of(record: &Record, snapshot: &Snapshot, received: &[crate::receiver::Received]) -> Verdict {
        let by_payment = events_by_payment(&snapshot.events);
        let received_ids = received_ids(received);
        let mut verdict = Verdict {
            payments_in_db: snapshot.payments.len(),
            events: snapshot.events.len(),
            webhooks: received.len(),
            duplicate_webhooks: received.len() - received_ids.len(),
            // Creates never answered may have made a payment; any other extra one is a
            // duplicate of an idempotency key.
            duplicate_payments: snapshot
                .payments
                .len()
                .saturating_sub(record.payments.len() + record.unresolved_creates),
            ..Verdict::default()
        };
        for (id, acked) in &record.payments {
            let Some(details) = snapshot.payments.get(id) else {
                verdict.lost_payments.push(id.clone());
                continue;
            };
            let statuses: Vec<&str> = by_payment
                .get(id.as_str())
                .map(|events| events.iter().map(|e| e["status"].as_str().unwrap()).collect())
                .unwrap_or_default();
            if let Some(missing) = missing_statuses(&acked.statuses, &statuses) {
                verdict
                    .lost_statuses
                    .push(format!("{id}: {missing:?} not in {statuses:?}"));
            }
            if cents(&details["refundedAmount"]) < acked.refunded_cents {
                verdict.lost_refunds.push(format!(
                    "{id}: {} refunded, {} acknowledged",
                    details["refundedAmount"], acked.refunded_cents
                ));
            }
        }
        for (id, details) in &snapshot.payments {
            let attempts = details["attempts"].as_array().unwrap();
            if charges(attempts, by_payment.get(id.as_str()).map_or(&[][..], Vec::as_slice)) > 1 {
                verdict.double_charges.push(format!("{id}: {attempts:?}"));
            }
            if details["status"] == "Pending" || attempts.iter().any(|a| a["state"] == "processing") {
                verdict.unsettled.push(id.clone());
            }
            let books = snapshot.charges.get(id).map_or(&[][..], Vec::as_slice);
            let moved: Vec<&Value> = books.iter().filter(|c| money_moved(c)).collect();
            if moved.len() > 1 {
                verdict.provider_double_charges.push(format!("{id}: {moved:?}"));
            }
            let charged_status = ["Successful", "PartiallyRefunded", "Refunded", "Chargeback"];
            if !moved.is_empty() && !charged_status.contains(&details["status"].as_str().unwrap_or("")) {
                verdict
                    .lost_charges
                    .push(format!("{id}: {} with {moved:?}", details["status"]));
            }
            for attempt in attempts.iter().filter(|a| a["resolvedBy"] == "lookup") {
                verdict.resolved_by_lookup += 1;
                let key = format!("{id}:{}", attempt["attemptId"].as_str().unwrap_or(""));
                if books.iter().any(|c| c["key"] == key.as_str()) {
                    verdict.charged_when_killed += 1;
                }
            }
        }
        for (id, events) in &by_payment {
            let sequences: Vec<u64> = events.iter().map(|e| e["sequence"].as_u64().unwrap()).collect();
            if sequences != (1..=sequences.len() as u64).collect::<Vec<_>>() {
                verdict.sequence_gaps.push(format!("{id}: {sequences:?}"));
            }
        }
        verdict.undelivered = snapshot
            .event_ids()
            .into_iter()
            .filter(|id| !received_ids.contains(*id))
            .map(str::to_owned)
            .collect();
        verdict
    }

    fn summary(&self, record: &Record) -> String {
        format!(
            "payments acked {} (in db {}), statuses acked {}, refunds acked {}, requests cut {}, 5xx {}, \
             rejections {}, attempts retried after a cut {}, kills during a charge (resolved by look-up) {} \
             (charged at the provider {}, never reached it {}), unresolved creates {} attempts {}, \
             refunds cut {}; events {}, webhooks received {} \
             (duplicates {}); lost payments {}, lost statuses {}, lost refunds {}, duplicate payments {}, \
             undelivered events {}, double charges {}, provider double charges {}, lost charges {}, \
             sequence gaps {}, unsettled {}",
            record.payments.len(),
            self.payments_in_db,
            record.statuses(),
            record.refunds(),
            record.cut,
            record.server_errors,
            record.rejections,
            record.attempts_retried,
            self.resolved_by_lookup,
            self.charged_when_killed,
            self.resolved_by_lookup - self.charged_when_killed,
            record.unresolved_creates,
            record.unresolved_attempts,
            record.unknown_refunds,
            self.events,
            self.webhooks,
            self.duplicate_webhooks,
            self.lost_payments.len(),
            self.lost_statuses.len(),
            self.lost_refunds.len(),
            self.duplicate_payments,
            self.undelivered.len(),
            self.double_charges.len(),
            self.provider_double_charges.len(),
            self.lost_charges.len(),
            self.sequence_gaps.len(),
            self.unsettled.len(),
        )
    }

    fn assert_clean(&self) {
        assert!(self.lost_payments.is_empty(), "lost payments: {:?}", self.lost_payments);
        assert!(
            self.lost_statuses.is_empty(),
            "lost statuses: {:#?}",
            self.lost_statuses
        );
        assert!(self.lost_refunds.is_empty(), "lost refunds: {:#?}", self.lost_refunds);
        assert_eq!(
            self.duplicate_payments, 0,
            "payments created twice for one idempotency key"
        );
        assert!(
            self.undelivered.is_empty(),
            "events never delivered: {:?}",
            self.undelivered
        );
        assert!(
            self.double_charges.is_empty(),
            "double charges: {:#?}",
            self.double_charges
        );
        assert!(
            self.provider_double_charges.is_empty(),
            "charged twice at the provider: {:#?}",
            self.provider_double_charges
        );
        assert!(
            self.lost_charges.is_empty(),
            "charged at the provider, not in Pay: {:#?}",
            self.lost_charges
        );
        assert!(
            self.sequence_gaps.is_empty(),
            "sequence gaps: {:#?}",
            self.sequence_gaps
        );
        assert!(
            self.unsettled.is_empty(),
            "still in flight at the end: {:?}",
            self.unsettled
        );
    }
}

/// Whether a charge in the sandbox's books moved money: charged, or pending and settling as
/// charged (a declined pending charge and a declined or failed challenge did not).
fn money_moved(charge: &Value) -> bool {
    match charge["outcome"].as_str() {
        Some("successful") => true,
        Some("pending") => charge["card"] == "settles_successful",
        Some("challenge") => charge["card"] == "challenge" && charge["answer"] == "complete",
        _ => false,
    }
}

/// How many times a payment was charged: its attempts answered `Successful` or `Pending`, less
/// the pending charges that settled as declined (an attempt keeps the status it was answered
/// with; the settlement is the event that follows a `Pending` one).
fn charges(attempts: &[Value], events: &[&Value]) -> usize {
    let charged = attempts
        .iter()
        .filter(|a| a["status"] == "Successful" || a["status"] == "Pending")
        .count();
    let declined_later = events
        .windows(2)
        .filter(|w| w[0]["status"] == "Pending" && w[1]["status"] == "Failed")
        .count();
    charged.saturating_sub(declined_later)
}

/// Each payment's events, in sequence order.
fn events_by_payment(events: &[Value]) -> BTreeMap<&str, Vec<&Value>> {
    let mut by_payment: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for event in events {
        by_payment
            .entry(event["payment"]["id"].as_str().unwrap())
            .or_default()
            .push(event);
    }
    for events in by_payment.values_mut() {
        events.sort_by_key(|e| e["sequence"].as_u64());
    }
    by_payment
}

/// The acknowledged statuses that have no event of their own: each answered attempt and each
/// answered refund made exactly one status change, so the acknowledged statuses must be a
/// sub-multiset of the event statuses. `None` when none is missing.
fn missing_statuses(acked: &[String], events: &[&str]) -> Option<Vec<String>> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for status in events {
        *left.entry(status).or_default() += 1;
    }
    let missing: Vec<String> = acked
        .iter()
        .filter(|status| match left.get_mut(status.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect();
    (!missing.is_empty()).then_some(missing)
}

/// A JSON amount (`20.00` or `"20.00"`) in cents.
fn cents(amount: &Value) -> i64 {
    let text = amount.to_string().trim_matches('"').to_owned();
    (text.parse::<f64>().expect("an amount") * 100.0).round() as i64
}

#[test]
fn acknowledged_statuses_are_matched_one_event_each() {
    let acked = [
        "Successful".to_owned(),
        "PartiallyRefunded".to_owned(),
        "PartiallyRefunded".to_owned(),
    ];
    assert_eq!(
        missing_statuses(&acked, &["Successful", "PartiallyRefunded", "Refunded"]),
        Some(vec!["PartiallyRefunded".to_owned()])
    );
    assert_eq!(
        missing_statuses(&acked[..2], &["Failed", "Successful", "PartiallyRefunded"]),
        None
    );
}

#[test]
fn a_pending_charge_declined_later_is_no_charge() {
    let attempt = |status: &str| json!({"status": status});
    let event = |status: &str| json!({"status": status});
    let (pending, failed, successful) = (event("Pending"), event("Failed"), event("Successful"));
    let attempts = [attempt("Pending"), attempt("Successful")];
    assert_eq!(charges(&attempts, &[&pending, &failed, &successful]), 1);
    assert_eq!(
        charges(&attempts, &[&pending, &successful]),
        2,
        "two charges, whatever the events"
    );
}
