//! listPayments: pages by key, and each filter alone and combined, with `invalid_query` for
//! every malformed one.

use crate::helpers::{sample_info, spawn_app, TestApp};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The ids of the page `GET /pay/v1/payments?{query}` answers (asserted 200).
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let (status, page) = app.get_json(&format!("/pay/v1/payments?{query}")).await;
    assert_eq!(status, 200, "{query}: {page}");
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payment"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each query is 400 `invalid_query`, its message naming `parameter` first.
async fn assert_invalid(app: &TestApp, parameter: &str, queries: &[&str]) {
    for query in queries {
        let (status, body) = app.get_json(&format!("/pay/v1/payments?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "invalid_query", "{query}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{parameter}:")), "{query}: {body}");
    }
}

/// Creates the sample payment with `changes` merged into its JSON; returns its id.
async fn create_with(app: &TestApp, changes: Value) -> String {
    let mut info = sample_info();
    for (key, value) in changes.as_object().unwrap() {
        info[key] = value.clone();
    }
    let resp = app.create_payment_raw(&info, None).await;
    assert_eq!(resp.status(), 201, "{info}");
    let body: Value = resp.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn list_pages_newest_first() {
    let app = spawn_app().await;
    let ids = [
        app.create_payment().await,
        app.create_payment().await,
        app.create_payment().await,
    ];

    let (_, first) = app.get_json("/pay/v1/payments?limit=2").await;
    assert_eq!(listed(&app, "limit=2").await, [ids[2].clone(), ids[1].clone()]);
    assert_eq!(first["hasMore"], true);
    let second = listed(&app, &format!("limit=2&startingAfter={}", ids[1])).await;
    assert_eq!(second, [ids[0].clone()]);

    let (_, previous) = app
        .get_json(&format!("/pay/v1/payments?limit=1&endingBefore={}", ids[0]))
        .await;
    assert_eq!(
        previous["data"][0]["payment"]["id"],
        ids[1].as_str(),
        "the page next to the key"
    );
    assert_eq!(previous["hasMore"], true);
    let back = listed(&app, &format!("limit=2&endingBefore={}", ids[0])).await;
    assert_eq!(back, [ids[2].clone(), ids[1].clone()], "newest first both ways");
    assert_eq!(
        listed(&app, &format!("endingBefore={}", ids[2])).await,
        Vec::<String>::new()
    );

    let (status, _) = app.get_json("/pay/v1/payments?limit=0").await;
    assert_eq!(status, 400);
    let (status, _) = app.get_json("/pay/v1/payments?limit=abc").await;
    assert_eq!(status, 400);
    let both = format!("startingAfter={}&endingBefore={}", ids[2], ids[0]);
    assert_invalid(
        &app,
        "endingBefore",
        &[&both, "endingBefore=", "endingBefore=not-an-id"],
    )
    .await;
    assert_invalid(&app, "startingAfter", &["startingAfter=12345678"]).await;
}

#[actix_web::test]
async fn list_filters_by_status() {
    let app = spawn_app().await;
    let ids = [
        app.create_payment().await,
        app.create_payment().await,
        app.create_payment().await,
    ];
    app.attempt_ok(&ids[1], &json!({"attemptId": "attempt-0001", "method": "offline"}))
        .await;

    assert_eq!(listed(&app, "status=Offline").await, [ids[1].clone()]);
    let either = listed(&app, "status=Undefined,Offline&limit=2").await;
    assert_eq!(either, [ids[2].clone(), ids[1].clone()]);
    let rest = listed(&app, &format!("status=Undefined,Offline&startingAfter={}", ids[1])).await;
    assert_eq!(rest, [ids[0].clone()]);
    let back = listed(&app, &format!("status=Undefined,Offline&endingBefore={}", ids[0])).await;
    assert_eq!(back, [ids[2].clone(), ids[1].clone()], "filtered pages both ways");
    let back = listed(&app, &format!("status=Offline&endingBefore={}", ids[0])).await;
    assert_eq!(back, vec![ids[1].clone()]);
    assert_eq!(listed(&app, "status=Refunded").await, Vec::<String>::new());

    let bad = ["status=Paid", "status=", "status=Offline,,Undefined", "status=offline"];
    assert_invalid(&app, "status", &bad).await;
}

#[actix_web::test]
async fn list_finds_by_a_prefix_of_the_payment_or_transaction_id() {
    let app = spawn_app().await;
    let ids = [app.create_payment().await, app.create_payment().await];
    let result = app
        .attempt_ok(&ids[1], &json!({"attemptId": "attempt-0001", "method": "offline"}))
        .await;
    let transaction = result["transactionId"].as_str().unwrap().to_owned();
    let found = |q: String| {
        let app = &app;
        async move { listed(app, &format!("q={q}")).await }
    };
    assert_eq!(found(ids[0].clone()).await, [ids[0].clone()]);
    assert_eq!(found(ids[0][..8].to_owned()).await, [ids[0].clone()]);
    assert_eq!(found(transaction.clone()).await, [ids[1].clone()]);
    assert_eq!(found(transaction[..10].to_owned()).await, [ids[1].clone()]);
    assert_eq!(found("00000000-no-such".into()).await, Vec::<String>::new());
    let both = listed(&app, &format!("q={transaction}&status=Undefined")).await;
    assert_eq!(both, Vec::<String>::new(), "the filters combine");

    let bad = ["q=", "q=1234567", "q=12345678%25", "q=txn_%20abcdef"];
    assert_invalid(&app, "q", &bad).await;
    let (status, body) = app.get_json("/pay/v1/payments?query=12345678").await;
    assert_eq!((status, &body["code"]), (400, &json!("invalid_query")));
    assert!(
        body["message"].as_str().unwrap().contains("`query`"),
        "names it: {body}"
    );
}

#[actix_web::test]
async fn list_finds_a_buyer_by_email_whatever_the_case() {
    let app = spawn_app().await;
    let ada = app.create_payment().await; // ada@example.com, given at creation
    let grace = create_with(&app, json!({"userInfo": {"email": "Grace@Example.com"}})).await;
    let typed = app.create_payment().await;
    let contact = json!({"email": "Charles@Example.ORG"});
    let attempt = json!({"attemptId": "attempt-0001", "method": "offline", "userInfo": contact});
    app.attempt_ok(&typed, &attempt).await;

    assert_eq!(listed(&app, "email=ADA@example.COM").await, vec![ada.clone()]);
    assert_eq!(listed(&app, "email=grace@example.com").await, vec![grace.clone()]);
    let charles = listed(&app, "email=charles@example.org").await;
    assert_eq!(
        charles,
        vec![typed.clone()],
        "the contact details typed at the attempt come first"
    );
    assert_eq!(
        listed(&app, "email=ada@example.co").await,
        Vec::<String>::new(),
        "exact"
    );
    assert_eq!(listed(&app, "email=grace@example.com&status=Undefined").await, [grace]);
    let both = listed(&app, "email=charles@example.org&status=Undefined").await;
    assert_eq!(both, Vec::<String>::new(), "the filters combine");

    let bad = [
        "email=",
        "email=ada",
        "email=ada@example",
        "email=%20ada@example.com",
        "email=a%20da@example.com",
        "email=ada@ex@ample.com",
        "email=ada@example..com",
    ];
    assert_invalid(&app, "email", &bad).await;
}

#[actix_web::test]
async fn list_filters_by_a_range_of_amounts_in_a_currency() {
    let app = spawn_app().await;
    let one = |price: &str| json!({"items": [{"name": "Mug", "price": price}], "amount": price});
    let cheap = create_with(&app, one("9.99")).await;
    let sample = app.create_payment().await; // 20.00 USD
    let dear = create_with(&app, one("100")).await;
    let yen = create_with(
        &app,
        json!({"currency": "JPY", "items": [{"name": "Mug", "price": 500}], "amount": 500}),
    )
    .await;
    let dinar = create_with(
        &app,
        json!({"currency": "KWD", "items": [{"name": "Mug", "price": 1.234}], "amount": 1.234}),
    )
    .await;

    let usd = |range: &str| format!("currency=USD&{range}");
    assert_eq!(listed(&app, &usd("amountMin=10")).await, [dear.clone(), sample.clone()]);
    assert_eq!(
        listed(&app, &usd("amountMax=20")).await,
        [sample.clone(), cheap.clone()]
    );
    assert_eq!(
        listed(&app, &usd("amountMin=9.99&amountMax=9.99")).await,
        vec![cheap.clone()]
    );
    let zeros = listed(&app, &usd("amountMin=20.0000&amountMax=20")).await;
    assert_eq!(zeros, vec![sample.clone()], "trailing zeros are no decimals");
    assert_eq!(listed(&app, &usd("amountMin=100.01")).await, Vec::<String>::new());
    assert_eq!(listed(&app, "currency=JPY").await, vec![yen.clone()]);
    assert_eq!(
        listed(&app, "currency=JPY&amountMin=500&amountMax=500").await,
        vec![yen]
    );
    assert_eq!(listed(&app, "currency=KWD&amountMax=1.234").await, vec![dinar]);
    assert_eq!(
        listed(&app, &usd("amountMin=10&status=Undefined&limit=1")).await,
        vec![dear.clone()]
    );
    let next = listed(
        &app,
        &usd(&format!("amountMin=10&status=Undefined&startingAfter={dear}")),
    )
    .await;
    assert_eq!(next, vec![sample], "the filters combine and page");
    assert_eq!(
        listed(&app, &usd("amountMin=10&status=Offline")).await,
        Vec::<String>::new()
    );

    let bad_min = [
        "amountMin=10",
        "currency=USD&amountMin=9.999",
        "currency=USD&amountMin=",
        "currency=USD&amountMin=abc",
        "currency=USD&amountMin=-1",
        "currency=USD&amountMin=1e3",
        "currency=USD&amountMin=1.",
        "currency=USD&amountMin=.5",
        "currency=USD&amountMin=%2B5",
        "currency=USD&amountMin=1.00000",
        "currency=USD&amountMin=12345678901234",
    ];
    assert_invalid(&app, "amountMin", &bad_min).await;
    let bad_max = [
        "amountMax=10",
        "currency=JPY&amountMax=1.5",
        "currency=KWD&amountMax=0.0001",
    ];
    assert_invalid(&app, "amountMax", &bad_max).await;
    let bad_currency = ["currency=usd", "currency=ZZZ", "currency=", "currency=US&amountMin=1"];
    assert_invalid(&app, "currency", &bad_currency).await;
}

#[actix_web::test]
async fn list_filters_by_a_span_of_creation_times() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    let mut created = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let id = app.create_payment().await;
        let (_, details) = app.get_json(&format!("/pay/v1/payments/{id}")).await;
        let at = OffsetDateTime::parse(details["createdAt"].as_str().unwrap(), &Rfc3339).unwrap();
        created.push(at.replace_millisecond(at.millisecond()).unwrap());
        ids.push(id);
    }
    // As a query parameter: `+` of an offset is written %2B.
    let text = |at: OffsetDateTime| at.format(&Rfc3339).unwrap().replace('+', "%2B");
    let ms = time::Duration::milliseconds(1);

    let since = |at: OffsetDateTime| format!("createdFrom={}", text(at));
    assert_eq!(listed(&app, &since(created[1])).await, [ids[2].clone(), ids[1].clone()]);
    assert_eq!(listed(&app, &since(created[1] + ms)).await, vec![ids[2].clone()]);
    let east = created[1].to_offset(time::macros::offset!(+05:30));
    assert_eq!(
        listed(&app, &since(east)).await,
        [ids[2].clone(), ids[1].clone()],
        "any offset"
    );
    let before = |at: OffsetDateTime| format!("createdTo={}", text(at));
    assert_eq!(
        listed(&app, &before(created[1])).await,
        vec![ids[0].clone()],
        "exclusive"
    );
    assert_eq!(
        listed(&app, &before(created[1] + ms)).await,
        [ids[1].clone(), ids[0].clone()]
    );
    let span = format!("{}&{}", since(created[0]), before(created[2]));
    assert_eq!(listed(&app, &span).await, [ids[1].clone(), ids[0].clone()]);
    let first = listed(&app, &format!("{span}&status=Undefined&limit=1")).await;
    assert_eq!(first, vec![ids[1].clone()]);
    let next = listed(&app, &format!("{span}&status=Undefined&startingAfter={}", ids[1])).await;
    assert_eq!(next, vec![ids[0].clone()], "the filters combine and page");
    assert_eq!(
        listed(&app, &format!("{span}&status=Offline")).await,
        Vec::<String>::new()
    );

    let bad = [
        "createdFrom=",
        "createdFrom=2026-01-01",
        "createdFrom=2026-01-01T00:00:00",
        "createdFrom=2026-01-01%2000:00:00Z",
        "createdFrom=2026-01-01T00:00:00.0001Z",
        "createdFrom=2026-01-01T00:00:00.0000000001Z",
        "createdFrom=2026-02-30T00:00:00Z",
        "createdFrom=2026-12-31T23:59:60Z",
        "createdFrom=2026-01-01T00:00:00%2B24:00",
        "createdFrom=2026-01-01T00:00:00%2B05:60",
    ];
    assert_invalid(&app, "createdFrom", &bad).await;
    assert_invalid(&app, "createdTo", &["createdTo=yesterday", "createdTo=1767225600000"]).await;
    let lower_case = listed(&app, "createdFrom=2026-01-01t00:00:00.5z").await;
    assert_eq!(lower_case.len(), 3, "RFC 3339 allows t and z");
}

#[actix_web::test]
async fn every_filter_combines_with_the_others() {
    let app = spawn_app().await;
    let earlier = app.create_payment().await;
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let (_, details) = app.get_json(&format!("/pay/v1/payments/{earlier}")).await;
    let created = OffsetDateTime::parse(details["createdAt"].as_str().unwrap(), &Rfc3339).unwrap();
    let after_earlier = (created.replace_millisecond(created.millisecond()).unwrap() + time::Duration::milliseconds(1))
        .format(&Rfc3339)
        .unwrap();
    let wanted = app.create_payment().await;
    let grace = create_with(&app, json!({"userInfo": {"email": "grace@example.com"}})).await;

    let filters = [
        ("status", "Undefined", "Offline"),
        ("q", &wanted[..8], &grace[..8]),
        ("email", "ADA@example.com", "grace@example.com"),
        ("currency", "USD", "EUR"),
        ("amountMin", "20", "20.01"),
        ("amountMax", "20.00", "19.99"),
        ("createdFrom", &after_earlier, "2999-01-01T00:00:00Z"),
    ];
    let query = |changed: Option<&str>| -> String {
        let pairs: Vec<String> = filters
            .iter()
            .map(|(name, keeps, drops)| format!("{name}={}", if changed == Some(*name) { drops } else { keeps }))
            .collect();
        pairs.join("&")
    };
    assert_eq!(
        listed(&app, &query(None)).await,
        vec![wanted.clone()],
        "{}",
        query(None)
    );
    for (name, _, _) in filters {
        let narrowed = query(Some(name));
        assert_eq!(listed(&app, &narrowed).await, Vec::<String>::new(), "{narrowed}");
    }
    let (_, both_ways) = app
        .get_json(&format!("/pay/v1/payments?{}&endingBefore={earlier}", query(None)))
        .await;
    assert_eq!(
        both_ways["data"][0]["payment"]["id"],
        wanted.as_str(),
        "with a page key too"
    );
}

/// A row says who pays: the buyer's contact details from the popup, else createPayment's, so
/// the dashboard builds its list from one request.
#[actix_web::test]
async fn rows_carry_the_buyer() {
    let app = spawn_app().await;
    let paid = create_with(&app, json!({"userInfo": null})).await;
    let mut attempt = crate::helpers::card_attempt("attempt-0001", "4242424242424242");
    attempt["userInfo"] = json!({"firstName": "Grace", "lastName": "Hopper", "email": "Grace@Example.com"});
    app.attempt_ok(&paid, &attempt).await;
    let prefilled = create_with(
        &app,
        json!({"userInfo": {"firstName": "Ada", "email": "ada@example.com"}}),
    )
    .await;
    let nobody = create_with(&app, json!({"userInfo": null})).await;
    let (_, page) = app.get_json("/pay/v1/payments").await;
    let row = |id: &str| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["payment"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(row(&paid)["buyer"]["firstName"], "Grace", "{page}");
    assert_eq!(row(&paid)["buyer"]["lastName"], "Hopper");
    assert_eq!(
        row(&paid)["buyer"]["email"].as_str().unwrap().to_lowercase(),
        "grace@example.com"
    );
    assert_eq!(row(&prefilled)["buyer"]["email"], "ada@example.com");
    assert_eq!(row(&nobody)["buyer"], Value::Null);
    assert_eq!(row(&paid)["status"], "Successful");
    assert_eq!(row(&paid)["refundedAmount"].to_string(), "0");
}
