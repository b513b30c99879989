//! A webhook receiver for tests: records every request, answers as told (ok, fail, hang).

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long [`Mode::Slow`] takes to answer.
pub const SLOW: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ok,
    Fail,
    /// Answers only after a minute (the sender times out first).
    Hang,
    /// Answers 204 after 1.5 s.
    Slow,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub mode: Arc<Mutex<Mode>>,
}

impl Receiver {
    pub fn start(mode: Mode) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(Mutex::new(mode));
        let state = (received.clone(), mode.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            received,
            mode,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits up to `secs` for `n` requests.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        for _ in 0..secs * 20 {
            if self.received.lock().unwrap().len() >= n {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        self.all()
    }
}

type State = (Arc<Mutex<Vec<Received>>>, Arc<Mutex<Mode>>);

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    state.0.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mode = *state.1.lock().unwrap();
    match mode {
        Mode::Ok => HttpResponse::NoContent().finish(),
        Mode::Fail => HttpResponse::ServiceUnavailable().finish(),
        Mode::Hang => {
            actix_web::rt::time::sleep(Duration::from_secs(60)).await;
            HttpResponse::NoContent().finish()
        }
        Mode::Slow => {
            actix_web::rt::time::sleep(SLOW).await;
            HttpResponse::NoContent().finish()
        }
    }
}
