//! Bad input at scale: generated malformed, oversized, wrongly typed, unicode-edge and boundary
//! requests to every route, in-process. Zero 5xx, every error a JSON `{code, message}`, and a
//! rejected request changes nothing in the database.

use crate::helpers::{card_attempt, sample_info, spawn_app, SECRET_KEY};
use actix_web::{test, web, App};
use pay_backend::routes;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

/// Strings that break naive code: empty, huge, control characters, bidi overrides, zero-width,
/// emoji, lone escapes, markup, SQL.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\u{202E}gnp.exe".to_owned()),
        Just("\u{200B}\u{FEFF}".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("'; DROP TABLE payments; --".to_owned()),
        Just("👩‍👩‍👧‍👦".repeat(60)),
        Just("a\u{0000}b".to_owned()),
        Just("x".repeat(70_000)),
        Just("../../etc/passwd".to_owned()),
        "\\PC{0,40}",
        ".{0,300}",
    ]
}

/// Numbers at and past every boundary, as JSON text.
fn nasty_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-0".to_owned()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        Just("-1e400".to_owned()),
        Just("1e-400".to_owned()),
        Just("0.0000000000000000000000000001".to_owned()),
        Just("79228162514264337593543950336".to_owned()),
        Just("99999999999999999999999999999999999999".to_owned()),
        Just("1000000000000.01".to_owned()),
        Just("10001".to_owned()),
        Just("4294967296".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
    ]
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        nasty_number().prop_map(|n| serde_json::from_str(&n).unwrap_or(Value::Null)),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid body with one field replaced, removed or added.
fn mutated(base: Value) -> impl Strategy<Value = Value> {
    let paths: Vec<Vec<String>> = collect_paths(&base, Vec::new());
    (0..paths.len(), 0..3u8, any_json(), "[a-z]{1,10}").prop_map(move |(i, how, value, extra)| {
        let mut body = base.clone();
        let path = &paths[i];
        if let Some(slot) = pointer(&mut body, path) {
            match how {
                0 => *slot = value,
                1 => *slot = Value::Null,
                _ => {
                    if let Value::Object(map) = slot {
                        map.insert(extra, value);
                    } else {
                        *slot = json!({ extra: value });
                    }
                }
            }
        }
        body
    })
}

fn collect_paths(v: &Value, at: Vec<String>) -> Vec<Vec<String>> {
    let mut out = vec![at.clone()];
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| out.extend(collect_paths(c, [at.clone(), vec![k.clone()]].concat()))),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| out.extend(collect_paths(c, [at.clone(), vec![i.to_string()]].concat()))),
        _ => {}
    }
    out
}

fn pointer<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let p: String = path.iter().map(|s| format!("/{s}")).collect();
    v.pointer_mut(&p)
}

/// Percent-encodes everything but the unreserved characters of a URL path segment.
fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    path: String,
    auth: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn case(id: String) -> impl Strategy<Value = Case> {
    let ids = prop_oneof![
        3 => Just(id.clone()),
        1 => Just("00000000-0000-4000-8000-000000000000".to_owned()),
        1 => nasty_string().prop_map(|s| s.chars().take(80).collect::<String>()),
    ];
    let routes = prop_oneof![
        Just(("POST", "/pay/v1/payments")),
        Just(("GET", "/pay/v1/payments")),
        Just(("GET", "/pay/v1/payments/{id}")),
        Just(("GET", "/pay/v1/payments/{id}/events")),
        Just(("POST", "/pay/v1/payments/{id}/refunds")),
        Just(("POST", "/pay/v1/payments/{id}/mark-paid")),
        Just(("GET", "/pay/v1/checkout/{id}")),
        Just(("POST", "/pay/v1/checkout/{id}/attempts")),
        Just(("GET", "/pay/v1/checkout/{id}/result")),
        Just(("GET", "/pay/v1/events")),
        Just(("POST", "/pay/v1/events/{id}/redeliver")),
        Just(("GET", "/pay/v1/webhooks/{id}/deliveries")),
        Just(("POST", "/pay/v1/test/payments/{id}/settle")),
        Just(("POST", "/pay/v1/test/payments/{id}/chargeback")),
        Just(("GET", "/pay/v1/test/payments/{id}/charges")),
        Just(("POST", "/pay/v1/providers/sandbox/events")),
        Just(("POST", "/pay/v1/providers/{id}/events")),
        Just(("GET", "/pay/v1/checkout/{id}/attempts/attempt-0001/return")),
        Just(("POST", "/pay/v1/checkout/{id}/attempts/attempt-0001/abandon")),
        Just(("GET", "/pay/v1/sandbox/challenges/{id}/attempt-0001")),
        Just(("POST", "/pay/v1/sandbox/challenges/{id}/attempt-0001")),
        Just(("GET", "/pay/v1/openapi.json")),
        Just(("GET", "/readyz")),
        Just(("GET", "/pay/v1/currencies")),
        Just(("GET", "/pay/v1/currencies/rate")),
        Just(("POST", "/pay/v1/currencies/convert")),
        Just(("GET", "/pay/v1/site/currencies")),
        Just(("PUT", "/pay/v1/site/currencies")),
        Just(("DELETE", "/pay/v1/payments/{id}")),
        Just(("PUT", "/pay/v1/checkout/{id}/attempts")),
    ];
    let bodies = prop_oneof![
        4 => mutated(sample_info()),
        4 => mutated(card_attempt("attempt-0001", "4242424242424242")),
        2 => mutated(json!({"attemptId": "attempt-0002", "method": "offline"})),
        2 => mutated(json!({"amount": 1})),
        2 => mutated(json!({"amounts": [1.5, "2"], "from": "USD", "to": "EUR"})),
        1 => mutated(json!(["USD", "EUR"])),
        2 => any_json(),
    ]
    .prop_map(|v| v.to_string().into_bytes());
    let raw = prop_oneof![
        Just(b"{".to_vec()),
        Just(vec![0xff, 0xfe, 0x00]),
        Just(b"[]".to_vec()),
        Just(format!("[{}]", "[".repeat(5000)).into_bytes()),
        Just(vec![b' '; 70 * 1024]),
        nasty_string().prop_map(String::into_bytes),
    ];
    let query = prop_oneof![
        4 => Just(String::new()),
        1 => Just("?limit=0".to_owned()),
        1 => Just("?limit=-1".to_owned()),
        1 => Just("?limit=99999999999".to_owned()),
        1 => Just("?after=abc&limit=1".to_owned()),
        1 => Just("?startingAfter=nope".to_owned()),
        1 => Just("?target=%00".to_owned()),
        1 => Just("?unknown=1".to_owned()),
        1 => Just("?from=USD&to=EUR".to_owned()),
        1 => Just("?from=usd&to=".to_owned()),
    ];
    let auth = prop_oneof![
        4 => Just(Some(format!("Bearer {SECRET_KEY}"))),
        1 => Just(None),
        1 => Just(Some("Bearer sk_wrong".to_owned())),
        1 => Just(Some(SECRET_KEY.to_owned())),
    ];
    let content_type = prop_oneof![
        6 => Just(Some("application/json")),
        1 => Just(None),
        1 => Just(Some("text/plain")),
    ];
    (
        routes,
        ids,
        query,
        auth,
        content_type,
        prop_oneof![5 => bodies, 1 => raw],
    )
        .prop_map(|((method, template), id, query, auth, content_type, body)| Case {
            method,
            path: format!("{}{query}", template.replace("{id}", &encode(&id))),
            auth,
            content_type,
            body,
        })
}

#[actix_web::test]
async fn ten_thousand_hostile_requests() {
    let cases: usize = std::env::var("PAY_HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let app = spawn_app().await;
    let pay = app.pay.clone();
    let service = test::init_service(
        App::new()
            .configure(routes::operations(&pay))
            .service(routes::scope(&pay))
            .default_service(web::route().to(routes::not_found)),
    )
    .await;
    let existing = app.create_payment().await;
    let mut runner = TestRunner::deterministic();
    let strategy = case(existing);
    let (mut rejected, mut accepted) = (0, 0);

    for n in 0..cases {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        let before = pay.store().row_counts().await.unwrap();
        let mut req = test::TestRequest::default()
            .method(c.method.parse().unwrap())
            .uri(&c.path)
            .set_payload(c.body.clone());
        if let Some(a) = &c.auth {
            req = req.insert_header(("Authorization", a.as_str()));
        }
        if let Some(t) = c.content_type {
            req = req.insert_header(("Content-Type", t));
        }

        let resp = test::call_service(&service, req.to_request()).await;

        let status = resp.status().as_u16();
        let body = test::read_body(resp).await;
        assert!(status < 500, "case {n}: {status} for {c:?}: {body:?}");
        if status >= 400 {
            rejected += 1;
            let err: Value =
                serde_json::from_slice(&body).unwrap_or_else(|_| panic!("case {n}: not JSON: {body:?} for {c:?}"));
            assert!(err["code"].as_str().is_some_and(|s| !s.is_empty()), "case {n}: {err}");
            assert!(
                err["message"].as_str().is_some_and(|s| !s.is_empty()),
                "case {n}: {err}"
            );
            let after = pay.store().row_counts().await.unwrap();
            assert_eq!(
                before, after,
                "case {n}: a rejected request changed the database: {c:?}"
            );
        } else {
            accepted += 1;
        }
    }
    eprintln!("hostile requests: {cases} sent, {rejected} rejected (4xx), {accepted} accepted, 0 server errors");
    assert!(rejected > cases / 2, "the generator mostly produced valid requests");
}
