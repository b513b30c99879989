//! Operations: health, readiness, metrics, the OpenAPI document, structured logs.

use crate::helpers::{card_attempt, spawn_app, spawn_app_with, SECRET_KEY};
use crate::receiver::{Mode, Receiver};
use crate::server::Server;
use pay_backend::{WebhookEndpoint, WebhookSecret};
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[actix_web::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    // The sandbox runs in the process: always reachable.
    assert_eq!(ready["provider"], json!({"name": "sandbox", "state": "reachable"}));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(metric(&metrics, r#"pay_provider_up{provider="sandbox"}"#), 1.0);

    app.pay.store().close().await;

    let down = app.get("/readyz").await;
    assert_eq!(down.status(), 503);
    let down: Value = down.json().await.unwrap();
    assert_eq!(down["status"], "database unreachable");
    assert_eq!(down["provider"]["state"], "reachable");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name_and_labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[actix_web::test]
async fn metrics_move_after_a_checkout() {
    let receiver = Receiver::start(Mode::Ok);
    let hook = WebhookEndpoint {
        name: "orders".into(),
        url: receiver.url.parse().unwrap(),
        secret: WebhookSecret::parse(&WebhookSecret::generate()).unwrap(),
    };
    let app = spawn_app_with(|s| s.webhooks = vec![hook]).await;
    let scrape = || async { app.get("/metrics").await.text().await.unwrap() };
    let before = scrape().await;

    let id = app.create_payment().await;
    app.attempt_ok(&id, &card_attempt("attempt-0001", "4000000000000002"))
        .await;
    app.attempt_ok(&id, &card_attempt("attempt-0002", "4242424242424242"))
        .await;
    receiver.wait_for(2, 5).await;
    // The receiver has both events; each delivery is recorded just after its answer arrives.
    let delivered = r#"pay_event_deliveries{state="delivered",target="webhook:orders"}"#;
    let mut after = scrape().await;
    for _ in 0..50 {
        if metric(&after, delivered) >= 2.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = scrape().await;
    }

    assert_eq!(metric(&before, "pay_payments_created_total"), 0.0);
    assert_eq!(metric(&after, "pay_payments_created_total"), 1.0);
    assert_eq!(metric(&after, r#"pay_attempts_total{outcome="Successful"}"#), 1.0);
    assert_eq!(metric(&after, r#"pay_attempts_total{outcome="Failed"}"#), 1.0);
    let attempts = r#"pay_http_requests_total{method="POST",route="/pay/v1/checkout/{id}/attempts",status="200"}"#;
    assert_eq!(metric(&after, attempts), 2.0, "{after}");
    assert!(after.contains(r#"pay_http_request_duration_seconds_bucket{route="/pay/v1/checkout/{id}/attempts""#));
    assert_eq!(
        metric(
            &after,
            r#"pay_event_deliveries{state="delivered",target="webhook:orders"}"#
        ),
        2.0,
        "{after}"
    );
    assert!(after.contains(r#"pay_db_pool_connections{pool="writer",state="open"}"#));
}

#[actix_web::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }

    let registered = registered_routes();

    assert!(registered.len() >= 15, "{registered:?}");
    let missing: Vec<_> = registered.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without documentation: {missing:?}");
    let stale: Vec<_> = documented.difference(&registered).collect();
    assert!(stale.is_empty(), "documented routes that do not exist: {stale:?}");
}

#[actix_web::test]
async fn the_documents_examples_parse_as_the_real_types() {
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    let example = |name: &str| -> String {
        let s = &schemas[name];
        let e = s
            .get("example")
            .or_else(|| s.get("examples").and_then(|e| e.get(0)))
            .unwrap_or_else(|| panic!("{name} has no example"));
        e.to_string()
    };
    let info: pay_types::PaymentInfo = serde_json::from_str(&example("PaymentInfo")).unwrap();
    let currency = pay_types::Currency::parse("USD").unwrap();
    info.validate(currency).expect("the PaymentInfo example is valid");
    let attempt: pay_types::AttemptRequest = serde_json::from_str(&example("AttemptRequest")).unwrap();
    assert!(pay_types::AttemptId::parse(&attempt.attempt_id).is_ok());
    let created: Value = app
        .create_payment_raw(&serde_json::from_str(&example("PaymentInfo")).unwrap(), None)
        .await
        .json()
        .await
        .unwrap();
    let result = app
        .attempt_ok(
            created["id"].as_str().unwrap(),
            &serde_json::from_str(&example("AttemptRequest")).unwrap(),
        )
        .await;
    assert_eq!(result["status"], "Successful");
}

/// Every `resource("…")` registration of the route files, with its methods and scope.
fn registered_routes() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let base = if file == "mod.rs" { "" } else { "/pay/v1" };
        let mut scope = String::new();
        let mut current: Option<String> = None;
        let mut rest = source.as_str();
        while let Some(at) = [
            "web::scope(\"",
            "resource(\"",
            "web::get()",
            "web::post()",
            "web::put()",
        ]
        .iter()
        .filter_map(|needle| rest.find(needle).map(|i| (i, *needle)))
        .min()
        {
            let (i, needle) = at;
            rest = &rest[i + needle.len()..];
            match needle {
                "web::scope(\"" => scope = rest[..rest.find('"').unwrap()].to_owned(),
                "resource(\"" => {
                    let p = &rest[..rest.find('"').unwrap()];
                    let full = if file == "mod.rs" && scope == "/pay/v1" {
                        format!("/pay/v1{p}")
                    } else {
                        format!("{base}{scope}{p}")
                    };
                    current = Some(full);
                }
                method => {
                    if let Some(path) = &current {
                        let m = method.trim_start_matches("web::").trim_end_matches("()").to_uppercase();
                        routes.insert(format!("{m} {path}"));
                    }
                }
            }
        }
    }
    routes
}

#[actix_web::test]
async fn logs_are_json_with_the_payment_id_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(&dir.path().join("pay.db"), "info", &[("PAY_LOG_FORMAT", "json".into())]);
    let id = server.create_payment().await;
    server
        .attempt(&id, &card_attempt("attempt-0001", "4242424242424242"))
        .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;

    let log = server.kill();

    let lines: Vec<Value> = log.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(lines.len() >= 3, "log lines are JSON: {log:?}");
    let request_line = lines.iter().find(|l| {
        l["span"]["payment_id"] == id.as_str() && l["span"]["http.route"] == "/pay/v1/checkout/{id}/attempts"
    });
    assert!(request_line.is_some(), "no request span with the payment id: {log:#?}");
    let all = log.join("\n");
    assert!(!all.contains(SECRET_KEY), "the secret key reached the log");
    assert!(!all.contains("4242424242424242"), "a card number reached the log");
}

#[test]
fn the_binary_names_a_bad_setting_and_stops() {
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pay-backend"))
            .env_clear()
            .envs(vars.iter().copied())
            .args(args)
            .output()
            .unwrap()
    };
    let unknown = run(&[("PAY_PROT", "1")], &[]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("PAY_PROT"));
    let invalid = run(&[("PAY_PORT", "eighty")], &[]);
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("PAY_PORT"));
    let help = run(&[], &["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for setting in pay_backend::config::SETTINGS {
        assert!(text.contains(&setting.variable()), "--help misses {}", setting.key);
    }
}

#[actix_web::test]
async fn the_document_shows_merchant_answers_with_their_enums() {
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    let attempt = &schemas["AttemptDetails"]["properties"];
    // A nullable enum is a oneOf of null and the enum's schema.
    let refers_to =
        |property: &Value, name: &str| property.to_string().contains(&format!("#/components/schemas/{name}"));
    assert!(
        refers_to(&attempt["status"], "TransactionStatus"),
        "{}",
        attempt["status"]
    );
    assert!(refers_to(&attempt["state"], "AttemptState"), "{}", attempt["state"]);
    assert!(refers_to(&attempt["method"], "PaymentMethod"), "{}", attempt["method"]);
    assert!(
        refers_to(&attempt["declineCode"], "DeclineCode"),
        "{}",
        attempt["declineCode"]
    );
    assert_eq!(schemas["AttemptState"]["enum"], json!(["processing", "done"]));
    assert_eq!(attempt["createdAt"]["format"], "date-time");
    let log_line = &schemas["DeliveryLogEntry"]["properties"];
    assert!(
        refers_to(&log_line["outcome"], "DeliveryOutcome"),
        "{}",
        log_line["outcome"]
    );
    assert_eq!(
        schemas["DeliveryOutcome"]["enum"],
        json!(["delivered", "failed", "dead"])
    );
}

#[actix_web::test]
async fn every_405_names_the_allowed_methods() {
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut allowed: Vec<String> = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        allowed.sort();
        let url = app.url(
            &path
                .replace("{id}", "0f8fad5b-d9cb-469f-a165-70867728950e")
                .replace("{event_id}", "evt_1")
                .replace("{name}", "orders"),
        );
        let resp = app.client.delete(&url).send().await.unwrap();
        assert_eq!(resp.status(), 405, "DELETE {path}");
        let allow = resp.headers()["Allow"].to_str().unwrap().to_owned();
        let mut named: Vec<String> = allow.split(", ").map(str::to_owned).collect();
        named.sort();
        assert_eq!(named, allowed, "Allow of {path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "method_not_allowed", "{path}");
        checked += 1;
    }
    assert!(checked >= 20, "{checked} routes");
}

#[actix_web::test]
async fn operation_ids_are_unique_and_responses_described() {
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap().to_owned();
            assert!(
                id.chars().next().unwrap().is_ascii_lowercase() && !id.contains('_'),
                "{method} {path}: {id}"
            );
            assert!(ids.insert(id.clone()), "{id} is used twice");
            for (status, response) in operation["responses"].as_object().unwrap() {
                let description = response["description"].as_str().unwrap_or("");
                assert!(!description.is_empty(), "{method} {path} {status} has no description");
            }
        }
    }
    for expected in [
        "createPayment",
        "getPayment",
        "listPayments",
        "refundPayment",
        "listEvents",
        "submitAttempt",
    ] {
        assert!(ids.contains(expected), "{expected} missing from {ids:?}");
    }
}

#[actix_web::test]
async fn the_documents_id_patterns_are_the_parsers_own() {
    // utoipa takes patterns as literals only: this holds them to the constants beside the parsers.
    let app = spawn_app().await;
    let doc: Value = app.get("/pay/v1/openapi.json").await.json().await.unwrap();
    let listing = doc["paths"]["/pay/v1/payments"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let starting_after = listing.iter().find(|p| p["name"] == "startingAfter").unwrap();
    assert_eq!(starting_after["schema"]["pattern"], pay_types::PaymentId::PATTERN);
    let ending_before = listing.iter().find(|p| p["name"] == "endingBefore").unwrap();
    assert_eq!(ending_before["schema"]["pattern"], pay_types::PaymentId::PATTERN);
    let names: Vec<&str> = pay_types::TransactionStatus::ALL.iter().map(|s| s.as_str()).collect();
    let one = format!("({})", names.join("|"));
    let status = listing.iter().find(|p| p["name"] == "status").unwrap();
    assert_eq!(status["schema"]["pattern"], format!("^{one}(,{one})*$"));
    let attempt = &doc["components"]["schemas"]["AttemptRequest"]["properties"]["attemptId"];
    assert_eq!(attempt["pattern"], pay_types::AttemptId::PATTERN);
}
