//! The checkout API client (`/pay/v1/checkout/...`) behind a small transport trait.
//!
//! Why a trait: the browser tests drive every step, option and error of the popup without a
//! server by injecting a scripted fake (see `tests/`), while the SDK itself always uses
//! [`FetchTransport`] (the browser's `fetch`, through gloo-net). The end-to-end tests of the
//! `tests` package cover the real backend. The trait is one method over plain text bodies, so
//! the fake stays tiny.

use crate::values;
use gloo_net::http::Request;
use pay_types::{AttemptRequest, AttemptResult};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: String,
    /// A JSON body (`POST` only).
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// The request did not get an HTTP answer (offline, DNS, CORS refusal, server down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkError;

pub type ResponseFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, NetworkError>>>>;

/// Sends one HTTP request and returns the status and the body text.
pub trait Transport {
    fn send(&self, request: HttpRequest) -> ResponseFuture;
}

/// The real transport: gloo-net's `Request::send` (the global `fetch`, window or worker) and
/// `Response::text`, with `accept` and, for a body, `content-type` set to JSON.
///
/// The `web_sys::Request` is built here from a plain init object (`new Request(url, init)`)
/// rather than with gloo-net's `RequestBuilder`: the builder re-parses the URL to append its
/// query (`web_sys::Url`, `Headers`, `format!`, and a trailing `&`), about 2.5 KB gzipped that
/// the size budget cannot hold. The URL goes out exactly as written.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> ResponseFuture {
        Box::pin(async move {
            let init = js_sys::Object::new();
            let headers = js_sys::Object::new();
            set(&headers, "accept", &"application/json".into());
            let method = match request.method {
                HttpMethod::Get => "GET",
                HttpMethod::Post => "POST",
            };
            set(&init, "method", &method.into());
            if let Some(body) = &request.body {
                set(&headers, "content-type", &"application/json".into());
                set(&init, "body", &body.into());
            }
            set(&init, "headers", &headers);
            // Throws (a URL that does not parse) like `fetch` would reject: no HTTP answer.
            let raw = web_sys::Request::new_with_str_and_init(&request.url, init.unchecked_ref())
                .map_err(|_| NetworkError)?;
            let response = Request::from(raw).send().await.map_err(|_| NetworkError)?;
            let status = response.status();
            let body = response.text().await.map_err(|_| NetworkError)?;
            Ok(HttpResponse { status, body })
        })
    }
}

thread_local! {
    static BASE_URL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Sets the origin (and optional path prefix) of the backend; `""` means the page's origin.
pub fn set_base_url(base: &str) {
    BASE_URL.with(|b| *b.borrow_mut() = crate::options::without_trailing_slashes(base).to_owned());
}

pub fn base_url() -> String {
    BASE_URL.with(|b| b.borrow().clone())
}

/// Why a call to the Pay API failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// No HTTP answer.
    Network,
    /// A `{code, message}` error answer.
    Api { status: u16, code: String, message: String },
    /// An answer that is not the documented JSON (a proxy page, a 5xx without body …).
    Unexpected { status: u16 },
}

/// A `{code, message}` error answer (the message may be missing).
#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: Option<String>,
}

/// Sends one request; a 2xx answer is its parsed JSON, anything else a [`ClientError`].
/// Not generic, so there is one copy of it for every route.
pub async fn fetch_json(
    transport: &dyn Transport,
    method: HttpMethod,
    url: String,
    body: Option<String>,
) -> Result<JsValue, ClientError> {
    let response = transport
        .send(HttpRequest { method, url, body })
        .await
        .map_err(|_| ClientError::Network)?;
    let status = response.status;
    let json = values::parse(&response.body).ok_or(ClientError::Unexpected { status })?;
    if (200..300).contains(&status) {
        return Ok(json);
    }
    match values::read::<ErrorBody>(json) {
        Ok(ErrorBody { code, message }) => Err(ClientError::Api {
            status,
            code,
            message: message.unwrap_or_default(),
        }),
        Err(_) => Err(ClientError::Unexpected { status }),
    }
}

/// A route's answer: its JSON, or why there is none.
pub type Answer = Result<JsValue, ClientError>;

/// A 2xx answer's JSON read as `T` (a JSON of another shape is [`ClientError::Unexpected`]).
pub fn read<T: DeserializeOwned>(answer: Answer) -> Result<T, ClientError> {
    answer.and_then(|json| values::read(json).map_err(|_| ClientError::Unexpected { status: 200 }))
}

/// An `AttemptResult` answer (`…/attempts`, `…/result`, `…/abandon`, `…/complete`).
pub fn result(answer: Answer) -> Result<AttemptResult, ClientError> {
    read(answer)
}

/// The checkout routes of one payment.
pub struct CheckoutClient {
    transport: Rc<dyn Transport>,
    /// `{base}/pay/v1/checkout/{paymentId}`.
    root: String,
}

impl CheckoutClient {
    /// `payment_id` must already be a canonical payment id (it goes into the path as is).
    pub fn new(transport: Rc<dyn Transport>, base: &str, payment_id: &str) -> Self {
        let mut root = String::with_capacity(base.len() + 54);
        root.push_str(base);
        root.push_str("/pay/v1/checkout/");
        root.push_str(payment_id);
        Self { transport, root }
    }

    // The routes are plain functions returning `fetch_json`'s future, and the caller reads the
    // JSON with [`read`] or [`result`]: no state machine of their own each (size budget).
    pub fn view(&self) -> impl Future<Output = Answer> + '_ {
        self.send(HttpMethod::Get, self.url(""), None)
    }

    /// `POST …/attempts`: read the answer with [`result`].
    pub fn attempt(&self, request: &AttemptRequest) -> impl Future<Output = Answer> + '_ {
        let body = values::json_text(request);
        self.send(HttpMethod::Post, self.url("/attempts"), Some(body))
    }

    /// `GET …/result`, the payment's latest result: read it with [`result`].
    pub fn latest_result(&self) -> impl Future<Output = Answer> + '_ {
        self.result_or_abandon(None)
    }

    /// The latest result, or with `Some(attempt_id)` (ours: `att_` and hex digits, safe in a
    /// path) `POST …/attempts/{attemptId}/abandon`, which gives up the attempt's 3-D Secure
    /// challenge and answers its outcome: normally `Failed` (`authentication_failed`), or the
    /// real one if the buyer finished meanwhile. Read it with [`result`].
    pub fn result_or_abandon(&self, abandon: Option<&str>) -> impl Future<Output = Answer> + '_ {
        match abandon {
            None => self.send(HttpMethod::Get, self.url("/result"), None),
            Some(id) => self.send(HttpMethod::Post, self.attempt_url(id, "/abandon"), Some("{}".into())),
        }
    }

    /// `POST …/attempts/{attemptId}/complete` (no body), once the provider's browser library
    /// (Stripe.js `handleNextAction`) is done with the challenge: Pay asks the provider for
    /// the outcome and answers it (still `processing` if the provider is not final yet).
    /// Read it with [`result`].
    pub fn complete(&self, attempt_id: &str) -> impl Future<Output = Answer> + '_ {
        self.send(
            HttpMethod::Post,
            self.attempt_url(attempt_id, "/complete"),
            Some("{}".into()),
        )
    }

    /// `…/attempts/{attemptId}{action}`: the id is ours (`att_` and hex digits, safe in a path).
    fn attempt_url(&self, attempt_id: &str, action: &str) -> String {
        let mut url = self.url("/attempts/");
        url.push_str(attempt_id);
        url.push_str(action);
        url
    }

    fn url(&self, suffix: &str) -> String {
        let mut url = self.root.clone();
        url.push_str(suffix);
        url
    }

    fn send(&self, method: HttpMethod, url: String, body: Option<String>) -> impl Future<Output = Answer> + '_ {
        fetch_json(&*self.transport, method, url, body)
    }
}
