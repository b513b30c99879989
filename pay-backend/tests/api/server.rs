//! The real `pay-backend` binary as a child process, its log captured line by line.

use crate::helpers::SECRET_KEY;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub struct Server {
    pub child: Child,
    pub address: String,
    pub log: Arc<Mutex<Vec<String>>>,
    client: reqwest::Client,
}

impl Server {
    /// Starts the server on port 0 with the database file `db`; returns once it listens.
    pub fn start(db: &Path, log_filter: &str) -> Server {
        Self::start_with(db, log_filter, &[])
    }

    /// [`Server::start`] with more `PAY_*` variables.
    pub fn start_with(db: &Path, log_filter: &str, env: &[(&str, String)]) -> Server {
        Self::start_on(&format!("sqlite://{}", db.display()), log_filter, env)
    }

    /// Starts the server on the database at `url` (SQLite or PostgreSQL).
    pub fn start_on(url: &str, log_filter: &str, env: &[(&str, String)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pay-backend"));
        // Only the settings given here: the test run's own PAY_* variables (PAY_TEST_…) are not
        // settings, and the server refuses unknown ones.
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("PAY_")) {
            command.env_remove(name);
        }
        let mut child = command
            .env("PAY_PORT", "0")
            .env("PAY_DATABASE_URL", url)
            .env("PAY_SECRET_KEY", SECRET_KEY)
            .env("PAY_SANDBOX_SETTLE_DELAY_MS", "200")
            .env("PAY_LOG", log_filter)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .for_each(|l| sink.lock().unwrap().push(l))
        });
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("server printed its address").unwrap();
            log.lock().unwrap().push(line.clone());
            if let Some(at) = line.find("listening on ") {
                let rest = &line[at + "listening on ".len()..];
                break rest
                    .split(|c: char| c == '"' || c.is_whitespace())
                    .next()
                    .unwrap()
                    .to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| sink.lock().unwrap().push(l)));
        Server {
            child,
            address,
            log,
            client: reqwest::Client::new(),
        }
    }

    /// Creates the sample payment through the merchant API; returns its id.
    pub async fn create_payment(&self) -> String {
        let resp = self
            .client
            .post(format!("{}/pay/v1/payments", self.address))
            .bearer_auth(SECRET_KEY)
            .json(&crate::helpers::sample_info())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let created: serde_json::Value = resp.json().await.unwrap();
        created["id"].as_str().unwrap().to_owned()
    }

    /// Submits a checkout attempt.
    pub async fn attempt(&self, payment_id: &str, body: &serde_json::Value) -> reqwest::Response {
        let url = format!("{}/pay/v1/checkout/{payment_id}/attempts", self.address);
        self.client.post(url).json(body).send().await.unwrap()
    }

    /// A merchant API GET: (status, body).
    pub async fn merchant_get(&self, path: &str) -> (u16, serde_json::Value) {
        let resp = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// SIGTERM: the server stops gracefully. Waits up to `within` for it to exit; returns its
    /// exit status (`None`: still running, then killed) and its log.
    pub fn terminate(mut self, within: std::time::Duration) -> (Option<std::process::ExitStatus>, Vec<String>) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > within {
                self.child.kill().unwrap();
                self.child.wait().unwrap();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        let log = self.log.lock().unwrap().clone();
        (status, log)
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(mut self) -> Vec<String> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let log = self.log.lock().unwrap().clone();
        log
    }
}
