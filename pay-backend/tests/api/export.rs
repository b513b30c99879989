//! exportPayments: the list's filters as CSV, every page of them, cells safe for spreadsheets.

use crate::helpers::{assert_error, card_attempt, sample_info, spawn_app, TestApp, SECRET_KEY};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const HEADER: &str = "id,created_at,updated_at,status,amount,currency,refunded_amount,transaction_id,\
                      buyer_first_name,buyer_last_name,buyer_email,buyer_country,expires_at";

async fn export_raw(app: &TestApp, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/pay/v1/payments/export?{query}")))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
}

/// The export's records (header first), read back with a CSV reader.
async fn export(app: &TestApp, query: &str) -> Vec<Vec<String>> {
    let resp = export_raw(app, query).await;
    assert_eq!(resp.status(), 200, "{query}");
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = resp.text().await.unwrap();
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Creates the sample payment with these contact details (a few milliseconds after the one
/// before, so that the newest-first order is the order of creation).
async fn create(app: &TestApp, user_info: Value) -> String {
    actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut info = sample_info();
    info["userInfo"] = user_info;
    let resp = app.create_payment_raw(&info, None).await;
    assert_eq!(resp.status(), 201);
    resp.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_export_is_csv_with_a_row_a_payment_newest_first() {
    let app = spawn_app().await;
    let plain = create(
        &app,
        serde_json::json!({"firstName": "Ada", "email": "ada@example.com"}),
    )
    .await;
    let hostile = create(
        &app,
        serde_json::json!({"firstName": "=HYPERLINK(\"http://evil.example\",\"x\")", "lastName": "Lovelace, \"Ada\"",
            "email": "grace@example.com", "countryCode": "GBR"}),
    )
    .await;
    let paid = create(&app, serde_json::json!({"firstName": "@SUM(A1)"})).await;
    let answer = app
        .attempt_ok(&paid, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let rows = export(&app, "").await;

    assert_eq!(rows[0].join(","), HEADER);
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, [paid.as_str(), hostile.as_str(), plain.as_str()], "newest first");
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{paid}")).await;
    let row = &rows[1];
    assert_eq!(row[1], details["createdAt"].as_str().unwrap());
    assert!(
        row[1].ends_with('Z') && OffsetDateTime::parse(&row[1], &Rfc3339).is_ok(),
        "{}",
        row[1]
    );
    assert_eq!(row[2], details["updatedAt"].as_str().unwrap());
    assert_eq!(
        row[3..8],
        [
            "Successful",
            "20.00",
            "USD",
            "0",
            answer["transactionId"].as_str().unwrap()
        ]
    );
    // The buyer as the popup gave them (the attempt's contact details), over createPayment's.
    assert_eq!(row[8..12], ["Ada", "", "ada@example.com", "GBR"]);
    // Formula-looking cells start with ' (OWASP "CSV injection"); quotes and commas survive.
    let row = &rows[2];
    assert_eq!(row[3], "Undefined");
    assert_eq!(row[7], "");
    assert_eq!(row[8], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(row[9], "Lovelace, \"Ada\"");
    assert_eq!(row[10..12], ["grace@example.com", "GBR"]);
    assert_eq!(rows.len(), 4);
}

#[actix_web::test]
async fn the_export_takes_the_lists_filters_and_refuses_pages() {
    let app = spawn_app().await;
    let unpaid = create(&app, serde_json::json!({"email": "ada@example.com"})).await;
    let paid = create(&app, serde_json::json!({"email": "grace@example.com"})).await;
    app.attempt_ok(&paid, &card_attempt("attempt-0001", "4242424242424242"))
        .await;

    let ids = |rows: Vec<Vec<String>>| rows[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(export(&app, "status=Successful").await),
        std::slice::from_ref(&paid)
    );
    assert_eq!(
        ids(export(&app, "status=Undefined,Failed").await),
        std::slice::from_ref(&unpaid)
    );
    // The paid one's buyer is who paid in the popup (ada@example.com, card_attempt's).
    assert_eq!(
        ids(export(&app, "email=ADA@example.com").await),
        [paid.clone(), unpaid.clone()]
    );
    assert!(ids(export(&app, "email=grace@example.com").await).is_empty());
    assert_eq!(
        ids(export(&app, &format!("q={}", &paid[..8])).await),
        std::slice::from_ref(&paid)
    );
    assert_eq!(
        ids(export(&app, "currency=USD&amountMin=20&amountMax=20").await).len(),
        2
    );
    // None kept: the header alone.
    assert_eq!(
        export(&app, "status=Refunded").await,
        [HEADER.split(',').map(String::from).collect::<Vec<_>>()]
    );

    for bad in [
        "limit=10",
        &format!("startingAfter={paid}"),
        "endingBefore=x",
        "status=Paid",
        "amountMin=5",
        "sort=amount",
    ] {
        assert_error(export_raw(&app, bad).await, 400, "invalid_query").await;
    }
    let anonymous = app.get("/pay/v1/payments/export").await;
    assert_error(anonymous, 401, "unauthorized").await;
}

/// More payments than one read from the database holds (500): every one, once, in order.
#[actix_web::test]
async fn the_export_reads_every_page() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for _ in 0..1003 {
        created.push(app.create_payment().await);
    }

    let rows = export(&app, "").await;

    let ids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    let (mut sorted, mut want) = (ids.clone(), created);
    sorted.sort();
    want.sort();
    assert_eq!(sorted, want, "each payment once");
    // In the list's order (newest first, then by id), across the export's reads.
    let mut listed = Vec::new();
    let mut after = String::new();
    while listed.len() < ids.len() {
        let key = if after.is_empty() {
            String::new()
        } else {
            format!("&startingAfter={after}")
        };
        let (_, page) = app.get_json(&format!("/pay/v1/payments?limit=100{key}")).await;
        for p in page["data"].as_array().unwrap() {
            listed.push(p["payment"]["id"].as_str().unwrap().to_owned());
        }
        after = listed.last().unwrap().clone();
    }
    assert_eq!(ids, listed);
}
