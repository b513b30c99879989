//! The store suite: every test runs twice, on SQLite and on PostgreSQL (see
//! `tests/common/databases.rs` for how the PostgreSQL half finds its server).
//!
//! "Two processes" are two `Store`s opened on one database: on PostgreSQL they are as separate
//! as two servers (own pools, own owner lock). SQLite is one process by design, so there both
//! names are the same `Store`.

#[path = "../common/databases.rs"]
mod databases;

use futures_util::future::join_all;
use pay_backend::store::{
    amount_e4, Change, Claim, Dialect, EventAction, EventEffect, NewAttempt, Page, PaymentFilter, RefundEnd,
    RefundState, Store, StoreError, Try,
};
use pay_backend::PayError;
use pay_types::{
    Amount, AttemptResolution, Currency, DeliveryOutcome, ErrorCode, NewPayment, PaymentId, PaymentInfo, PaymentMethod,
    TransactionStatus, UserInfo,
};
use std::time::Duration;
use time::OffsetDateTime;

/// Each listed test, as `name::sqlite` and `name::postgres`.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$name(&crate::databases::fresh_sqlite(&dir)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(url) = crate::databases::fresh_postgres().await {
                    super::$name(&url).await;
                }
            }
        }
    )*};
}

on_both_databases!(
    payments_are_stored_exactly_and_listed_newest_first,
    the_list_filters_read_their_indexes,
    an_idempotency_key_names_one_payment_across_processes,
    concurrent_attempts_on_one_payment_are_granted_once,
    a_replayed_attempt_id_gets_the_recorded_answer,
    status_changes_write_gapless_events_and_one_delivery_per_target,
    concurrent_refunds_never_exceed_the_amount,
    a_delivery_is_claimed_by_one_process_at_a_time,
    a_payments_events_are_delivered_in_sequence_order,
    the_claims_of_a_stopped_process_are_taken_over_at_once,
    the_event_feed_pages_through_every_event_once,
    the_last_failed_try_parks_a_delivery_as_dead_and_redelivery_revives_it,
    a_provider_event_applies_once,
    a_refund_counts_once_the_provider_confirms_it,
    settings_and_the_rate_cache_are_replaced_in_place,
    migrations_run_once,
);

const TARGET: &str = "webhook:orders";

async fn open(url: &str) -> Store {
    Store::open(url).await.unwrap()
}

/// Two handles that behave like two processes (see the module comment).
async fn two_processes(url: &str) -> (Store, Store) {
    let a = open(url).await;
    let b = match a.dialect() {
        Dialect::Sqlite => a.clone(),
        Dialect::Postgres => open(url).await,
    };
    (a, b)
}

fn new_payment(amount: &str) -> NewPayment {
    new_payment_in(amount, "USD")
}

fn new_payment_in(amount: &str, currency: &str) -> NewPayment {
    let json = format!(r#"{{"items":[{{"name":"mug","price":{amount}}}],"amount":{amount}}}"#);
    let info: PaymentInfo = serde_json::from_str(&json).unwrap();
    info.validate(Currency::parse(currency).unwrap()).unwrap()
}

async fn insert(store: &Store, amount: &str) -> PaymentId {
    store.insert_payment(&new_payment(amount), None).await.unwrap().0.id
}

fn attempt(payment: &PaymentId, id: &str) -> NewAttempt {
    NewAttempt {
        payment_id: payment.clone(),
        attempt_id: id.into(),
        request_hash: format!("hash-of-{id}"),
        method: PaymentMethod::Card,
        card_brand: Some("visa".into()),
        card_last4: Some("4242".into()),
        user_info: None,
    }
}

/// The code the API answers a store refusal with.
fn code(result: Result<impl std::fmt::Debug, StoreError>) -> ErrorCode {
    match result {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(e) => PayError::from(e).code(),
    }
}

/// A payment that went through one attempt to `status`.
async fn paid(store: &Store, amount: &str, status: TransactionStatus) -> PaymentId {
    let id = insert(store, amount).await;
    let claim = store
        .claim_attempt(&attempt(&id, "first-attempt"), 5, Duration::ZERO)
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Granted(_)));
    let change = Change {
        transaction_id: Some(format!("txn-{id}")),
        ..Change::to(status)
    };
    store
        .finish_attempt(&id, "first-attempt", change, AttemptResolution::Answer)
        .await
        .unwrap();
    id
}

async fn payments_are_stored_exactly_and_listed_newest_first(url: &str) {
    let store = open(url).await;
    let mut ids = Vec::new();
    for amount in ["19.99", "0.10", "1234567.89"] {
        ids.push(insert(&store, amount).await);
    }
    let row = store.payment(&ids[2]).await.unwrap().unwrap();
    assert_eq!(row.payment.amount.to_string(), "1234567.89");
    assert_eq!(row.status, TransactionStatus::Undefined);
    assert_eq!(row.refunded_amount.to_string(), "0");

    let first_page: Vec<PaymentId> = store
        .list_payments(2, Page::Newest, &PaymentFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.payment.id)
        .collect();
    assert_eq!(first_page, [ids[2].clone(), ids[1].clone()]);
    let second_page = store
        .list_payments(2, Page::After(&ids[1]), &PaymentFilter::default())
        .await
        .unwrap();
    assert_eq!(second_page.len(), 1);
    assert_eq!(second_page[0].payment.id, ids[0]);

    // The previous page: the payments newer than a key, still newest first.
    let all = PaymentFilter::default();
    let before = |rows: Vec<pay_backend::store::PaymentRow>| -> Vec<PaymentId> {
        rows.into_iter().map(|r| r.payment.id).collect()
    };
    let page = store.list_payments(2, Page::Before(&ids[0]), &all).await.unwrap();
    assert_eq!(before(page), [ids[2].clone(), ids[1].clone()]);
    let page = store.list_payments(1, Page::Before(&ids[0]), &all).await.unwrap();
    assert_eq!(before(page), vec![ids[1].clone()], "the page next to the key");
    let page = store.list_payments(5, Page::Before(&ids[2]), &all).await.unwrap();
    assert!(page.is_empty());
}

/// `status` keeps the payments in one of the statuses, newest first, paged by key; one status
/// is read from the index `payments_status`, never by scanning the table.
async fn the_list_filters_read_their_indexes(url: &str) {
    let store = open(url).await;
    let failed = paid(&store, "1.00", TransactionStatus::Failed).await;
    let paid_first = paid(&store, "2.00", TransactionStatus::Successful).await;
    let undefined = insert(&store, "3.00").await;
    let paid_last = paid(&store, "4.00", TransactionStatus::Successful).await;
    let ids = |rows: Vec<pay_backend::store::PaymentRow>| -> Vec<PaymentId> {
        rows.into_iter().map(|r| r.payment.id).collect()
    };
    let by_status = |statuses: &[TransactionStatus]| PaymentFilter {
        statuses: statuses.to_vec(),
        ..PaymentFilter::default()
    };
    let successful = by_status(&[TransactionStatus::Successful]);
    let page = store.list_payments(1, Page::Newest, &successful).await.unwrap();
    assert_eq!(ids(page), vec![paid_last.clone()]);
    let page = store
        .list_payments(5, Page::After(&paid_last), &successful)
        .await
        .unwrap();
    assert_eq!(ids(page), vec![paid_first.clone()]);
    let page = store
        .list_payments(5, Page::Before(&paid_first), &successful)
        .await
        .unwrap();
    assert_eq!(ids(page), vec![paid_last.clone()], "pages both ways");
    let either = by_status(&[TransactionStatus::Failed, TransactionStatus::Undefined]);
    let page = store.list_payments(5, Page::Newest, &either).await.unwrap();
    assert_eq!(ids(page), [undefined.clone(), failed.clone()]);
    let refunded = by_status(&[TransactionStatus::Refunded]);
    assert!(store
        .list_payments(5, Page::Newest, &refunded)
        .await
        .unwrap()
        .is_empty());

    let plan = store.list_plan(&successful).await.unwrap();
    assert!(plan.contains("payments_status"), "the status filter scans: {plan}");
    let plan = store.list_plan(&either).await.unwrap();
    assert!(plan.contains("payments_status"), "the status filter scans: {plan}");

    // `q`: a prefix of the id or of the transaction id (`txn-<id>` here), whole or in part.
    let by_prefix = |prefix: &str| PaymentFilter {
        id_prefix: Some(prefix.to_owned()),
        ..PaymentFilter::default()
    };
    let page = store
        .list_payments(5, Page::Newest, &by_prefix(&undefined.as_str()[..8]))
        .await
        .unwrap();
    assert_eq!(ids(page), vec![undefined.clone()]);
    let page = store
        .list_payments(5, Page::Newest, &by_prefix(undefined.as_str()))
        .await
        .unwrap();
    assert_eq!(ids(page), vec![undefined.clone()]);
    let transaction = format!("txn-{paid_first}");
    let page = store
        .list_payments(5, Page::Newest, &by_prefix(&transaction[..12]))
        .await
        .unwrap();
    assert_eq!(ids(page), vec![paid_first.clone()]);
    let page = store
        .list_payments(5, Page::Newest, &by_prefix(&transaction))
        .await
        .unwrap();
    assert_eq!(ids(page), vec![paid_first.clone()]);
    let page = store.list_payments(5, Page::Newest, &by_prefix("txn-")).await.unwrap();
    assert_eq!(
        ids(page),
        [paid_last.clone(), paid_first.clone(), failed.clone()],
        "every transaction id starts so"
    );
    assert!(store
        .list_payments(5, Page::Newest, &by_prefix("zzzzzzzz"))
        .await
        .unwrap()
        .is_empty());
    let both = PaymentFilter {
        statuses: vec![TransactionStatus::Failed],
        id_prefix: Some(transaction.clone()),
        ..PaymentFilter::default()
    };
    assert!(
        store.list_payments(5, Page::Newest, &both).await.unwrap().is_empty(),
        "filters combine"
    );

    let plan = store.list_plan(&by_prefix(&transaction)).await.unwrap();
    assert!(
        plan.contains("payments_transaction"),
        "q scans the transaction ids: {plan}"
    );
    let key = match url.starts_with("postgres") {
        true => "payments_id_bytes",
        false => "sqlite_autoindex_payments_1",
    };
    assert!(plan.contains(key), "q scans the ids: {plan}");

    lists_by_email(&store).await;
    lists_by_amount(&store).await;
    lists_by_creation(&store).await;
}

/// The ids of the newest 5 payments `filter` keeps.
async fn listed(store: &Store, filter: &PaymentFilter) -> Vec<PaymentId> {
    let rows = store.list_payments(5, Page::Newest, filter).await.unwrap();
    rows.into_iter().map(|r| r.payment.id).collect()
}

/// `filter`, keeping only payments in `status` too.
fn with_status(status: TransactionStatus, filter: &PaymentFilter) -> PaymentFilter {
    PaymentFilter {
        statuses: vec![status],
        ..filter.clone()
    }
}

/// `filter`'s query reads one of `indexes` (EXPLAIN), on either database: a combination of
/// filters reads the index of one of them, whichever the planner prefers.
async fn assert_reads(store: &Store, filter: &PaymentFilter, indexes: &[&str]) {
    let plan = store.list_plan(filter).await.unwrap();
    assert!(
        indexes.iter().any(|index| plan.contains(index)),
        "{filter:?} reads none of {indexes:?}: {plan}"
    );
}

/// `email`: the buyer's, whatever the case of its ASCII letters; the contact details typed at
/// the last attempt come before those given at creation.
async fn lists_by_email(store: &Store) {
    let with_email = |email: &str| NewPayment {
        user_info: Some(UserInfo {
            email: Some(email.to_owned()),
            ..UserInfo::default()
        }),
        ..new_payment("5.00")
    };
    let given = store
        .insert_payment(&with_email("Given@Example.com"), None)
        .await
        .unwrap()
        .0
        .id;
    let typed = store
        .insert_payment(&with_email("given@example.com"), None)
        .await
        .unwrap()
        .0
        .id;
    let contact = NewAttempt {
        user_info: with_email("TYPED@example.com").user_info,
        ..attempt(&typed, "first-attempt")
    };
    let claim = store.claim_attempt(&contact, 5, Duration::ZERO).await.unwrap();
    assert!(matches!(claim, Claim::Granted(_)));
    let change = Change::to(TransactionStatus::Offline);
    store
        .finish_attempt(&typed, "first-attempt", change, AttemptResolution::Answer)
        .await
        .unwrap();

    let by_email = |email: &str| PaymentFilter {
        email: Some(email.to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(listed(store, &by_email("given@EXAMPLE.com")).await, vec![given.clone()]);
    assert_eq!(listed(store, &by_email("Typed@Example.com")).await, vec![typed.clone()]);
    assert!(listed(store, &by_email("given@example.co")).await.is_empty());
    let offline = with_status(TransactionStatus::Offline, &by_email("typed@example.com"));
    assert_eq!(listed(store, &offline).await, vec![typed.clone()], "filters combine");
    let undefined = with_status(TransactionStatus::Undefined, &by_email("typed@example.com"));
    assert!(listed(store, &undefined).await.is_empty(), "filters combine");

    assert_reads(store, &by_email("given@example.com"), &["payments_email"]).await;
    assert_reads(store, &offline, &["payments_email", "payments_status"]).await;
}

/// `currency` with `amountMin`/`amountMax`: amounts compare as numbers (12.5 is more than
/// 1.235, which text would put first), within one currency, bounds included.
async fn lists_by_amount(store: &Store) {
    let mut kwd = Vec::new();
    for amount in ["1.234", "1.235", "12.5"] {
        let new = new_payment_in(amount, "KWD");
        kwd.push(store.insert_payment(&new, None).await.unwrap().0.id);
    }
    let jpy = store
        .insert_payment(&new_payment_in("1235", "JPY"), None)
        .await
        .unwrap()
        .0
        .id;
    let in_kwd = |min: Option<&str>, max: Option<&str>| PaymentFilter {
        currency: Some(Currency::parse("KWD").unwrap()),
        amount_min: min.map(|a| amount_e4(Amount::parse_str(a).unwrap()).unwrap()),
        amount_max: max.map(|a| amount_e4(Amount::parse_str(a).unwrap()).unwrap()),
        ..PaymentFilter::default()
    };
    let at_least = in_kwd(Some("1.235"), None);
    assert_eq!(listed(store, &at_least).await, [kwd[2].clone(), kwd[1].clone()]);
    let at_most = in_kwd(None, Some("1.235"));
    assert_eq!(listed(store, &at_most).await, [kwd[1].clone(), kwd[0].clone()]);
    let between = in_kwd(Some("1.2341"), Some("12.4999"));
    assert_eq!(listed(store, &between).await, vec![kwd[1].clone()]);
    let all = in_kwd(None, None);
    assert_eq!(
        listed(store, &all).await,
        [kwd[2].clone(), kwd[1].clone(), kwd[0].clone()]
    );
    let yen = PaymentFilter {
        currency: Some(Currency::parse("JPY").unwrap()),
        ..in_kwd(Some("1000"), None)
    };
    assert_eq!(listed(store, &yen).await, vec![jpy.clone()]);
    let undefined = with_status(TransactionStatus::Undefined, &at_least);
    assert_eq!(
        listed(store, &undefined).await,
        [kwd[2].clone(), kwd[1].clone()],
        "filters combine"
    );
    let failed = with_status(TransactionStatus::Failed, &at_least);
    assert!(listed(store, &failed).await.is_empty(), "filters combine");

    assert_reads(store, &at_least, &["payments_amount"]).await;
    assert_reads(store, &between, &["payments_amount"]).await;
    assert_reads(store, &all, &["payments_amount"]).await;
    assert_reads(store, &undefined, &["payments_amount", "payments_status"]).await;
}

/// `createdFrom` (inclusive) and `createdTo` (exclusive): compared in whole milliseconds, not
/// as text, whatever the offset they are given in.
async fn lists_by_creation(store: &Store) {
    let mut ids = Vec::new();
    let mut created = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(3)).await;
        let id = insert(store, "6.00").await;
        let at = store.payment(&id).await.unwrap().unwrap().created_at;
        created.push(at.replace_millisecond(at.millisecond()).unwrap());
        ids.push(id);
    }
    let span = |from: Option<OffsetDateTime>, to: Option<OffsetDateTime>| PaymentFilter {
        created_from: from,
        created_to: to,
        ..PaymentFilter::default()
    };
    let since_second = span(Some(created[1]), None);
    assert_eq!(listed(store, &since_second).await, [ids[2].clone(), ids[1].clone()]);
    let just_after = span(Some(created[1] + time::Duration::milliseconds(1)), None);
    assert_eq!(listed(store, &just_after).await, vec![ids[2].clone()]);
    let elsewhere = span(Some(created[1].to_offset(time::macros::offset!(-09:30))), None);
    assert_eq!(listed(store, &elsewhere).await, [ids[2].clone(), ids[1].clone()]);
    let before_third = span(Some(created[0]), Some(created[2]));
    assert_eq!(listed(store, &before_third).await, [ids[1].clone(), ids[0].clone()]);
    let first_only = span(Some(created[0]), Some(created[0] + time::Duration::milliseconds(1)));
    assert_eq!(listed(store, &first_only).await, vec![ids[0].clone()]);
    let before = span(None, Some(created[1]));
    assert_eq!(listed(store, &before).await.first(), Some(&ids[0]));
    let undefined = with_status(TransactionStatus::Undefined, &since_second);
    assert_eq!(
        listed(store, &undefined).await,
        [ids[2].clone(), ids[1].clone()],
        "filters combine"
    );
    let failed = with_status(TransactionStatus::Failed, &since_second);
    assert!(listed(store, &failed).await.is_empty(), "filters combine");

    assert_reads(store, &since_second, &["payments_created"]).await;
    assert_reads(store, &before, &["payments_created"]).await;
    assert_reads(store, &before_third, &["payments_created"]).await;
    assert_reads(store, &undefined, &["payments_created", "payments_status"]).await;

    // Every filter at once: one of their indexes answers.
    let usd = Currency::parse("USD").unwrap();
    let six = amount_e4(Amount::parse_str("6.00").unwrap());
    let everything = PaymentFilter {
        id_prefix: Some(ids[1].as_str().to_owned()),
        currency: Some(usd),
        amount_min: six,
        amount_max: six,
        ..undefined.clone()
    };
    assert_eq!(listed(store, &everything).await, vec![ids[1].clone()]);
    let indexes = [
        "payments_email",
        "payments_status",
        "payments_transaction",
        "payments_amount",
        "payments_created",
        "payments_id_bytes",
        "sqlite_autoindex_payments_1",
    ];
    assert_reads(store, &everything, &indexes).await;
    let with_email = PaymentFilter {
        email: Some("nobody@example.com".into()),
        ..everything
    };
    assert!(listed(store, &with_email).await.is_empty());
    assert_reads(store, &with_email, &indexes).await;
}

async fn an_idempotency_key_names_one_payment_across_processes(url: &str) {
    let (a, b) = two_processes(url).await;
    let new = new_payment("25.00");
    let tries = (0..8).map(|i| {
        let (store, new) = (if i % 2 == 0 { a.clone() } else { b.clone() }, new.clone());
        async move { store.insert_payment(&new, Some(("order-1001", "body-hash"))).await }
    });
    let outcomes: Vec<_> = join_all(tries).await.into_iter().map(Result::unwrap).collect();
    let first = &outcomes[0].0.id;
    assert!(outcomes.iter().all(|(p, _)| &p.id == first), "one payment for one key");
    assert_eq!(outcomes.iter().filter(|(_, replayed)| !replayed).count(), 1);
    assert_eq!(store_count(&a, "payments").await, 1);

    let other_body = b.insert_payment(&new, Some(("order-1001", "another-hash"))).await;
    assert_eq!(code(other_body), ErrorCode::IdempotencyConflict);
}

async fn store_count(store: &Store, table: &str) -> i64 {
    let counts = store.row_counts().await.unwrap();
    counts.into_iter().find(|(t, _)| *t == table).unwrap().1
}

async fn concurrent_attempts_on_one_payment_are_granted_once(url: &str) {
    let (a, b) = two_processes(url).await;
    let id = insert(&a, "10.00").await;
    let claims = (0..12).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let new = attempt(&id, &format!("attempt-{i:02}"));
        async move { store.claim_attempt(&new, 5, Duration::ZERO).await }
    });
    let mut granted = Vec::new();
    for (i, outcome) in join_all(claims).await.into_iter().enumerate() {
        match outcome {
            Ok(Claim::Granted(_)) => granted.push(i),
            Ok(Claim::Replay(..)) => panic!("no attempt id was used twice"),
            Err(e) => assert_eq!(PayError::from(e).code(), ErrorCode::AttemptInProgress),
        }
    }
    assert_eq!(granted.len(), 1, "exactly one attempt reaches the provider");

    let winner = format!("attempt-{:02}", granted[0]);
    a.finish_attempt(
        &id,
        &winner,
        Change::to(TransactionStatus::Successful),
        AttemptResolution::Answer,
    )
    .await
    .unwrap();
    let late = b.claim_attempt(&attempt(&id, "attempt-late"), 5, Duration::ZERO).await;
    assert_eq!(code(late), ErrorCode::PaymentNotPayable);
    assert_eq!(a.attempts_of(&id).await.unwrap().len(), 1);
}

async fn a_replayed_attempt_id_gets_the_recorded_answer(url: &str) {
    let store = open(url).await;
    let id = paid(&store, "5.00", TransactionStatus::Failed).await;
    match store
        .claim_attempt(&attempt(&id, "first-attempt"), 5, Duration::ZERO)
        .await
        .unwrap()
    {
        Claim::Replay(row, recorded) => {
            assert_eq!(recorded.status, Some(TransactionStatus::Failed));
            assert_eq!(row.failed_attempts, 1);
        }
        Claim::Granted(_) => panic!("a replay must not reach the provider"),
    }
    let mut changed = attempt(&id, "first-attempt");
    changed.request_hash = "other details".into();
    assert_eq!(
        code(store.claim_attempt(&changed, 5, Duration::ZERO).await),
        ErrorCode::AttemptConflict
    );

    // A new attempt after a decline is allowed, and is the latest.
    assert!(matches!(
        store
            .claim_attempt(&attempt(&id, "second-attempt"), 5, Duration::ZERO)
            .await
            .unwrap(),
        Claim::Granted(_)
    ));
    let attempts = store.attempts_of(&id).await.unwrap();
    assert_eq!(attempts.last().unwrap().attempt_id, "second-attempt");
}

async fn status_changes_write_gapless_events_and_one_delivery_per_target(url: &str) {
    let store = open(url).await;
    store.register_target(TARGET).await.unwrap();
    store.register_target("hook:default").await.unwrap();
    let id = paid(&store, "30.00", TransactionStatus::Successful).await;
    refund(&store, &id, Some("10")).await.unwrap();
    let (row, refund) = refund(&store, &id, None).await.unwrap();
    assert_eq!(refund.amount.to_string(), "20.00");
    assert_eq!(row.status, TransactionStatus::Refunded);
    assert_eq!(row.refunded_amount.to_string(), "30.00");

    let events = store.events_of(&id).await.unwrap();
    let seen: Vec<(u64, &str)> = events.iter().map(|e| (e.sequence, e.status.as_str())).collect();
    assert_eq!(seen, [(1, "Successful"), (2, "PartiallyRefunded"), (3, "Refunded")]);
    for target in [TARGET, "hook:default"] {
        assert_eq!(store.delivery_counts(target).await.unwrap().pending, 3);
    }

    let illegal = store.change_status(&id, TransactionStatus::Pending).await;
    assert_eq!(code(illegal), ErrorCode::IllegalTransition);
    assert_eq!(
        store.events_of(&id).await.unwrap().len(),
        3,
        "a refused change writes no event"
    );
}

async fn concurrent_refunds_never_exceed_the_amount(url: &str) {
    let (a, b) = two_processes(url).await;
    let id = paid(&a, "10.00", TransactionStatus::Successful).await;
    let refunds = (0..10).map(|i| {
        let (store, id) = (if i % 2 == 0 { a.clone() } else { b.clone() }, id.clone());
        async move { refund(&store, &id, Some("3.00")).await }
    });
    let outcomes = join_all(refunds).await;
    let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(accepted, 3, "3 + 3 + 3 fit in 10.00, a fourth does not");
    for refused in outcomes.into_iter().filter(Result::is_err) {
        assert_eq!(code(refused), ErrorCode::RefundExceedsAmount);
    }
    let row = b.payment(&id).await.unwrap().unwrap();
    assert_eq!(row.refunded_amount.to_string(), "9.00");
    let sequences: Vec<u64> = a.events_of(&id).await.unwrap().iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4]);
}

async fn a_delivery_is_claimed_by_one_process_at_a_time(url: &str) {
    let (a, b) = two_processes(url).await;
    a.register_target(TARGET).await.unwrap();
    for _ in 0..20 {
        paid(&a, "1.00", TransactionStatus::Offline).await;
    }
    let lease = Duration::from_secs(60);
    let (from_a, from_b) = tokio::join!(a.claim_due(TARGET, 50, lease), b.claim_due(TARGET, 50, lease));
    let mut claimed: Vec<String> = from_a.unwrap().into_iter().map(|d| d.event_id).collect();
    let by_a = claimed.len();
    claimed.extend(from_b.unwrap().into_iter().map(|d| d.event_id));
    let total = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(
        (total, claimed.len()),
        (20, 20),
        "every due delivery once, none twice (a took {by_a})"
    );
    assert!(a.claim_due(TARGET, 50, lease).await.unwrap().is_empty());
}

async fn a_payments_events_are_delivered_in_sequence_order(url: &str) {
    let store = open(url).await;
    store.register_target(TARGET).await.unwrap();
    let id = paid(&store, "8.00", TransactionStatus::Successful).await;
    refund(&store, &id, None).await.unwrap();
    let lease = Duration::from_secs(60);
    let first = store.claim_due(TARGET, 10, lease).await.unwrap();
    assert_eq!(first.iter().map(|d| d.sequence).collect::<Vec<_>>(), [1]);
    assert!(
        store.claim_due(TARGET, 10, lease).await.unwrap().is_empty(),
        "2 waits for 1"
    );
    let delivered = Try::Delivered { status_code: Some(200) };
    store
        .record_try(TARGET, &first[0], delivered, Duration::ZERO)
        .await
        .unwrap();
    let second = store.claim_due(TARGET, 10, lease).await.unwrap();
    assert_eq!(second.iter().map(|d| d.sequence).collect::<Vec<_>>(), [2]);
}

async fn the_claims_of_a_stopped_process_are_taken_over_at_once(url: &str) {
    let first = open(url).await;
    first.register_target(TARGET).await.unwrap();
    paid(&first, "2.00", TransactionStatus::Offline).await;
    let in_flight = insert(&first, "3.00").await;
    assert!(matches!(
        first
            .claim_attempt(&attempt(&in_flight, "cut-short"), 5, Duration::ZERO)
            .await
            .unwrap(),
        Claim::Granted(_)
    ));
    let leased = first.claim_due(TARGET, 10, Duration::from_secs(3600)).await.unwrap();
    assert_eq!(leased.len(), 1);

    if first.dialect() == Dialect::Postgres {
        // While the first process runs, its claims hold for everyone else.
        let other = open(url).await;
        assert!(other
            .claim_due(TARGET, 10, Duration::from_secs(60))
            .await
            .unwrap()
            .is_empty());
        assert!(other.attempts_to_check(10).await.unwrap().is_empty());
        other.close().await;
    }

    // It stops without handing anything back, as after a kill -9.
    first.close().await;
    let next = open(url).await;
    let taken = next.claim_due(TARGET, 10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(taken.len(), 1, "the hour-long lease of a stopped process is void");
    assert_eq!(taken[0].event_id, leased[0].event_id);
    let interrupted = next.attempts_to_check(10).await.unwrap();
    let found: Vec<(&PaymentId, &str)> = interrupted
        .iter()
        .map(|o| (&o.payment_id, o.attempt_id.as_str()))
        .collect();
    assert_eq!(found, [(&in_flight, "cut-short")], "asked of the provider, not closed");
    assert!(next.take_check(&interrupted[0], i64::MAX).await.unwrap());
    assert!(
        !next.take_check(&interrupted[0], i64::MAX).await.unwrap(),
        "one process asks at a time"
    );
    assert!(
        next.attempts_to_check(10).await.unwrap().is_empty(),
        "the next check is later"
    );
}

async fn the_event_feed_pages_through_every_event_once(url: &str) {
    let store = open(url).await;
    let mut expected = Vec::new();
    for _ in 0..3 {
        let id = paid(&store, "4.00", TransactionStatus::Successful).await;
        refund(&store, &id, None).await.unwrap();
        expected.extend(store.events_of(&id).await.unwrap());
    }
    // On PostgreSQL an event shows once every transaction older than it has ended, in any
    // database of the server (other tests run beside this one): read on until all are seen.
    let mut seen = Vec::new();
    let mut position = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < expected.len() && std::time::Instant::now() < deadline {
        let page = store.events_after(position, 2).await.unwrap();
        match page.last() {
            Some((last, _)) => position = *last,
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
        seen.extend(page.into_iter().map(|(_, event)| event));
    }
    assert!(store.events_after(position, 2).await.unwrap().is_empty());
    assert_eq!(seen, expected, "every event once, in the order recorded");
}

async fn the_last_failed_try_parks_a_delivery_as_dead_and_redelivery_revives_it(url: &str) {
    let store = open(url).await;
    store.register_target(TARGET).await.unwrap();
    paid(&store, "1.00", TransactionStatus::Offline).await;
    let lease = Duration::from_secs(60);
    let due = store.claim_due(TARGET, 10, lease).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(store.claim_due(TARGET, 10, lease).await.unwrap().is_empty(), "leased");

    let retry = Try::Failed {
        status_code: Some(500),
        error: "endpoint answered 500".into(),
        retry_in: Some(Duration::ZERO),
    };
    store
        .record_try(TARGET, &due[0], retry, Duration::from_millis(3))
        .await
        .unwrap();
    let again = store.claim_due(TARGET, 10, lease).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);

    let out_of_tries = pay_backend::events::next_wait(pay_backend::events::MAX_TRIES);
    assert!(out_of_tries.is_none());
    let last = Try::Failed {
        status_code: Some(500),
        error: "endpoint answered 500".into(),
        retry_in: out_of_tries,
    };
    store
        .record_try(TARGET, &again[0], last, Duration::from_millis(3))
        .await
        .unwrap();
    let counts = store.delivery_counts(TARGET).await.unwrap();
    assert_eq!((counts.pending, counts.dead), (0, 1));
    let log: Vec<DeliveryOutcome> = store
        .delivery_log(TARGET, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.outcome)
        .collect();
    assert_eq!(log, [DeliveryOutcome::Dead, DeliveryOutcome::Failed]);
    assert!(store.claim_due(TARGET, 10, lease).await.unwrap().is_empty());

    store.redeliver(&due[0].event_id, None).await.unwrap();
    assert_eq!(store.claim_due(TARGET, 10, lease).await.unwrap().len(), 1);
}

async fn a_provider_event_applies_once(url: &str) {
    let (a, b) = two_processes(url).await;
    let id = insert(&a, "12.00").await;
    a.claim_attempt(&attempt(&id, "pending-card"), 5, Duration::ZERO)
        .await
        .unwrap();
    a.finish_attempt(
        &id,
        "pending-card",
        Change::to(TransactionStatus::Pending),
        AttemptResolution::Answer,
    )
    .await
    .unwrap();
    let settles = |status| EventAction::Charge {
        payment_id: id.clone(),
        attempt_id: "pending-card".into(),
        change: Change::to(status),
    };

    let (x, y) = tokio::join!(
        a.apply_provider_event(
            "sandbox",
            "evt_1",
            "charge.succeeded",
            settles(TransactionStatus::Successful)
        ),
        b.apply_provider_event(
            "sandbox",
            "evt_1",
            "charge.succeeded",
            settles(TransactionStatus::Successful)
        )
    );
    let mut effects = [x.unwrap(), y.unwrap()];
    effects.sort_by_key(|e| e.as_str());
    assert_eq!(effects, [EventEffect::Applied, EventEffect::Duplicate]);
    // A late `Failed` for the same charge, under a new id: stale, nothing changes.
    let late = a
        .apply_provider_event("sandbox", "evt_2", "charge.failed", settles(TransactionStatus::Failed))
        .await
        .unwrap();
    assert_eq!(late, EventEffect::Stale);
    let statuses: Vec<TransactionStatus> = a.events_of(&id).await.unwrap().into_iter().map(|e| e.status).collect();
    assert_eq!(statuses, [TransactionStatus::Pending, TransactionStatus::Successful]);
}

async fn a_refund_counts_once_the_provider_confirms_it(url: &str) {
    let store = open(url).await;
    let id = paid(&store, "10.00", TransactionStatus::Successful).await;
    let (_, held) = store
        .begin_refund(&id, Some(Amount::parse_str("6").unwrap()), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(held.state, RefundState::Processing);
    // Held: only 4.00 is left to ask for meanwhile, and nothing is refunded yet.
    let over = store
        .begin_refund(&id, Some(Amount::parse_str("5").unwrap()), Duration::ZERO)
        .await;
    assert_eq!(code(over), ErrorCode::RefundExceedsAmount);
    let row = store.payment(&id).await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.refunded_amount.to_string()),
        (TransactionStatus::Successful, "0".into())
    );

    // Refused: nothing changes, and the held amount is free again.
    let (row, refused) = store
        .end_refund(&held.id, RefundEnd::Refused("no".into()))
        .await
        .unwrap();
    assert_eq!(
        (refused.state, row.status),
        (RefundState::Refused, TransactionStatus::Successful)
    );
    assert_eq!(
        store.events_of(&id).await.unwrap().len(),
        1,
        "a refused refund writes no event"
    );
    // Pending, then succeeded (by the provider's event): counted once.
    let (_, pending) = store.begin_refund(&id, None, Duration::ZERO).await.unwrap();
    assert_eq!(pending.amount.to_string(), "10.00");
    store.end_refund(&pending.id, RefundEnd::Pending).await.unwrap();
    let done = EventAction::Refund {
        refund_id: pending.id.clone(),
        end: RefundEnd::Succeeded,
    };
    let effect = store
        .apply_provider_event("sandbox", "evt_r", "refund.succeeded", done)
        .await
        .unwrap();
    assert_eq!(effect, EventEffect::Applied);
    let (row, again) = store.end_refund(&pending.id, RefundEnd::Succeeded).await.unwrap();
    assert_eq!(again.state, RefundState::Succeeded);
    assert_eq!(
        (row.status, row.refunded_amount.to_string()),
        (TransactionStatus::Refunded, "10.00".into())
    );
    let statuses: Vec<TransactionStatus> = store
        .events_of(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [TransactionStatus::Successful, TransactionStatus::Refunded]);
}

/// A refund the provider accepts at once.
async fn refund(
    store: &Store,
    id: &PaymentId,
    amount: Option<&str>,
) -> Result<(pay_backend::store::PaymentRow, pay_backend::store::RefundRow), StoreError> {
    let amount = amount.map(|a| Amount::parse_str(a).unwrap());
    let (_, held) = store.begin_refund(id, amount, Duration::ZERO).await?;
    store.end_refund(&held.id, RefundEnd::Succeeded).await
}

async fn settings_and_the_rate_cache_are_replaced_in_place(url: &str) {
    let store = open(url).await;
    assert_eq!(store.site_currencies().await.unwrap(), None);
    store.set_site_currencies(&["USD".into(), "EUR".into()]).await.unwrap();
    store.set_site_currencies(&["JPY".into()]).await.unwrap();
    assert_eq!(store.site_currencies().await.unwrap(), Some(vec!["JPY".to_owned()]));

    let table = |rate: &str| pay_backend::rates::RatesTable {
        base: Currency::parse("EUR").unwrap(),
        rates: [("USD".to_owned(), rate.parse().unwrap())].into(),
        published: "2026-11-27T00:00:00Z".into(),
    };
    store.cache_rates("feed", &table("1.08")).await.unwrap();
    store.cache_rates("feed", &table("1.0842")).await.unwrap();
    let cached = store.cached_rates("feed").await.unwrap().unwrap();
    assert_eq!(cached.rates["USD"].to_string(), "1.0842");
}

async fn migrations_run_once(url: &str) {
    let store = open(url).await;
    assert!(store.ready().await.unwrap());
    insert(&store, "1.00").await;
    store.close().await;
    let reopened = open(url).await;
    assert!(reopened.ready().await.unwrap());
    assert_eq!(store_count(&reopened, "payments").await, 1);
}
