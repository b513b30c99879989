//! A fault proxy between Pay and localstripe, in the test binary. First it adds what
//! localstripe lacks and Stripe has: a repeated `Idempotency-Key` is answered with the first
//! answer without being forwarded, a key reused with other parameters is a 400
//! `idempotency_error`, and a key whose first request is still running a 409
//! `idempotency_key_in_use` (localstripe ignores the header). Then, per kind of call Pay makes, it
//! puts a fault on the next calls of that kind: the answer lost after localstripe acted (a 500
//! instead of the answer, the answer kept for the key as Stripe keeps it), the answer held
//! past Pay's timeout after localstripe acted (kept for the key the same way), a 500 before
//! anything was done, or a 429 with `Stripe-Should-Retry`. Or, as Stripe's rate limiter does
//! under a burst, a 429 on one call in every few of any kind. And, as Stripe has them and
//! localstripe does not, refunds that answer `pending` (succeeded at localstripe), so that Pay
//! looks them up.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Faults for a test case: each on the next calls of a kind, that many times.
pub type Faults = [(Call, Fault, u32)];

/// The calls Pay makes to Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    CreateIntent,
    Confirm,
    Retrieve,
    Cancel,
    Refund,
    RefundLookup,
}

impl Call {
    fn of(method: &str, path: &str) -> Option<Self> {
        let intent = path.strip_prefix("/v1/payment_intents/");
        Some(match (method, path) {
            ("POST", "/v1/payment_intents") => Self::CreateIntent,
            ("POST", p) if intent.is_some() && p.ends_with("/confirm") => Self::Confirm,
            ("POST", p) if intent.is_some() && p.ends_with("/cancel") => Self::Cancel,
            ("GET", _) if intent.is_some() => Self::Retrieve,
            ("POST", "/v1/refunds") => Self::Refund,
            ("GET", "/v1/refunds") => Self::RefundLookup,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded and carried out; the answer is lost on its way back.
    LostAnswer,
    /// Forwarded and carried out; the answer comes after [`FaultProxy::hold_answers_for`],
    /// past Pay's timeout, when Pay has given up on it.
    Held,
    /// A 500 before anything was done.
    ServerError,
    /// A 429 with `Stripe-Should-Retry: true`: nothing was done.
    RateLimited,
}

#[derive(Default)]
struct State {
    /// Faults still to put on calls of each kind.
    faults: BTreeMap<Call, (Fault, u32)>,
    /// Answers by Idempotency-Key: the parameters they came with, status and body.
    replays: BTreeMap<String, (String, u16, Value)>,
    /// Keys of requests forwarded and not answered yet.
    in_flight: std::collections::BTreeSet<String>,
    /// Calls forwarded to localstripe, by kind.
    forwarded: BTreeMap<Call, u32>,
    /// A 429 on every n-th call of any kind (0: none); the calls counted, and those refused.
    rate_limit_every: u32,
    calls: u32,
    rate_limited: u32,
    /// How long a [`Fault::Held`] answer is held.
    hold: std::time::Duration,
    /// A new refund answers `pending`, whatever localstripe did.
    refunds_pending: bool,
    /// The ids of the PaymentIntents localstripe created through the proxy.
    created_intents: Vec<String>,
}

#[derive(Clone)]
pub struct FaultProxy {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// Starts the proxy in front of localstripe at `upstream`.
    pub fn start(upstream: &str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let data = web::Data::new((state.clone(), upstream.to_owned(), reqwest::Client::new()));
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(proxy)))
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
        let url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
        actix_web::rt::spawn(server.run());
        Self { url, state }
    }

    /// Puts `fault` on the next `times` calls of kind `call`.
    pub fn fail(&self, call: Call, fault: Fault, times: u32) {
        self.state.lock().unwrap().faults.insert(call, (fault, times));
    }

    /// How long a [`Fault::Held`] answer is held: longer than Pay's `stripe_timeout_secs`.
    pub fn hold_answers_for(&self, hold: std::time::Duration) {
        self.state.lock().unwrap().hold = hold;
    }

    /// From now on a new refund answers `pending` (as Stripe's may, to be looked up later),
    /// though localstripe refunded it at once: its look-up finds it succeeded.
    pub fn refunds_pending(&self) {
        self.state.lock().unwrap().refunds_pending = true;
    }

    /// From now on, every `n`-th call (of any kind) is a 429 with `Stripe-Should-Retry: true`.
    pub fn rate_limit_every(&self, n: u32) {
        self.state.lock().unwrap().rate_limit_every = n;
    }

    /// (calls seen, calls answered 429 by [`FaultProxy::rate_limit_every`]).
    pub fn rate_limited(&self) -> (u32, u32) {
        let state = self.state.lock().unwrap();
        (state.calls, state.rate_limited)
    }

    /// Faults put on calls of kind `call` that no call has met yet.
    pub fn unmet(&self, call: Call) -> u32 {
        self.state
            .lock()
            .unwrap()
            .faults
            .get(&call)
            .map_or(0, |&(_, left)| left)
    }

    /// The ids of the PaymentIntents localstripe created through the proxy, answers lost or not
    /// (the tests read them by id: listing all of localstripe's intents is slow, and slows
    /// its other answers).
    pub fn created_intents(&self) -> Vec<String> {
        self.state.lock().unwrap().created_intents.clone()
    }

    /// Calls of kind `call` that reached localstripe.
    pub fn forwarded(&self, call: Call) -> u32 {
        self.state.lock().unwrap().forwarded.get(&call).copied().unwrap_or(0)
    }
}

type Data = web::Data<(Arc<Mutex<State>>, String, reqwest::Client)>;

async fn proxy(req: HttpRequest, body: web::Bytes, data: Data) -> HttpResponse {
    let (state, upstream, client) = (&data.0, &data.1, &data.2);
    let method = req.method().as_str().to_owned();
    let call = Call::of(&method, req.path());
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let params = format!("{method} {} {}", req.path(), String::from_utf8_lossy(&body));
    let (fault, replay, hold) = {
        let mut state = state.lock().unwrap();
        let mut fault = call.and_then(|c| match state.faults.get_mut(&c) {
            Some((fault, left)) if *left > 0 => {
                *left -= 1;
                Some(*fault)
            }
            _ => None,
        });
        if call.is_some() {
            state.calls += 1;
            if state.rate_limit_every > 0 && state.calls % state.rate_limit_every == 0 {
                state.rate_limited += 1;
                fault = Some(Fault::RateLimited);
            }
        }
        match fault {
            Some(Fault::ServerError) => return respond(500, json!({"error": {"type": "api_error"}}), &[]),
            Some(Fault::RateLimited) => {
                return respond(
                    429,
                    json!({"error": {"type": "invalid_request_error", "code": "rate_limit"}}),
                    &[("Stripe-Should-Retry", "true")],
                )
            }
            _ => {}
        }
        let replay = match key.as_ref().and_then(|k| state.replays.get(k)) {
            Some((first, status, answer)) if *first == params => Some((*status, answer.clone())),
            Some(_) => Some((
                400,
                json!({"error": {"type": "idempotency_error",
                    "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}}),
            )),
            // Stripe refuses a key while a request under it is still running.
            None if key.as_ref().is_some_and(|k| state.in_flight.contains(k)) => Some((
                409,
                json!({"error": {"type": "idempotency_error", "code": "idempotency_key_in_use",
                    "message": "There is currently another in-progress request using this Idempotent Key."}}),
            )),
            None => {
                if let Some(k) = &key {
                    state.in_flight.insert(k.clone());
                }
                None
            }
        };
        (fault, replay, state.hold)
    };
    if let Some((status, answer)) = replay {
        return after(fault, hold, status, answer, &[("Idempotent-Replayed", "true")]).await;
    }
    let url = format!("{upstream}{}", req.uri().path_and_query().map_or("", |p| p.as_str()));
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut forward = client.request(method, url).body(body.to_vec());
    for name in ["authorization", "content-type"] {
        if let Some(value) = req.headers().get(name) {
            forward = forward.header(name, value.as_bytes());
        }
    }
    let answered = forward.send().await.unwrap();
    let status = answered.status().as_u16();
    let mut answer: Value = answered.json().await.unwrap_or(Value::Null);
    {
        let mut state = state.lock().unwrap();
        if state.refunds_pending && call == Some(Call::Refund) && status == 200 {
            answer["status"] = json!("pending");
        }
        if let Some(k) = &key {
            state.in_flight.remove(k);
        }
        if let Some(call) = call {
            *state.forwarded.entry(call).or_default() += 1;
        }
        if let (Some(Call::CreateIntent), Some(id)) = (call, answer["id"].as_str()) {
            state.created_intents.push(id.to_owned());
        }
        // Stripe keeps the answer of any request it ran under a key (not of a 5xx of its own).
        if let Some(key) = key.filter(|_| status < 500) {
            state.replays.insert(key, (params, status, answer.clone()));
        }
    }
    after(fault, hold, status, answer, &[]).await
}

/// The answer as the fault lets it reach Pay: lost, held for `hold`, or at once.
async fn after(
    fault: Option<Fault>,
    hold: std::time::Duration,
    status: u16,
    answer: Value,
    headers: &[(&str, &str)],
) -> HttpResponse {
    match fault {
        Some(Fault::LostAnswer) => lost(),
        Some(Fault::Held) => {
            actix_web::rt::time::sleep(hold).await;
            respond(status, answer, headers)
        }
        _ => respond(status, answer, headers),
    }
}

/// What Pay sees of an answer lost on its way: a failed exchange it cannot read.
fn lost() -> HttpResponse {
    respond(
        502,
        json!({"error": {"type": "api_error", "message": "the connection broke"}}),
        &[],
    )
}

fn respond(status: u16, body: Value, headers: &[(&str, &str)]) -> HttpResponse {
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    for header in headers {
        response.insert_header(*header);
    }
    response.json(body)
}
