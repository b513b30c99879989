//! `Pay`: the Rust API a merchant's code calls (`create_payment`, get, list, …), and what the
//! HTTP routes are built on.

use crate::config::Settings;
use crate::error::PayError;
use crate::processor::Processor;
use crate::store::{PaymentRow, Store};
use pay_types::{Amount, Currency, ErrorCode, NewPayment, Payment, PaymentId, PaymentInfo, TransactionStatus};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// A handle on the payment service. Cheap to clone; every clone shares one store.
#[derive(Clone)]
pub struct Pay {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub store: Store,
    pub processor: Arc<dyn Processor>,
    pub site_currency: Currency,
    pub offline_payments: bool,
    pub max_declined_attempts: u32,
    pub test_mode: bool,
    pub metrics: crate::metrics::Metrics,
    pub attempt_limiter: crate::rate_limit::AttemptLimiter,
    pub rates: Arc<dyn crate::rates::RatesProvider>,
    pub background: crate::shutdown::Background,
}

/// Well-formed and never issued: issued ids are UUID v4 from the RNG, this one is all zeros
/// but for the version bits.
const NEVER_ISSUED: &str = "00000000-0000-4000-8000-000000000000";

/// The id to look up for `raw`: a malformed id becomes one that is never issued, so missing
/// and malformed ids take the same path and the same time, and nothing tells them apart.
pub(crate) fn lookup_id(raw: &str) -> PaymentId {
    PaymentId::parse(raw).unwrap_or_else(|_| PaymentId::parse(NEVER_ISSUED).expect("a valid shape"))
}

/// A refund that was recorded.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub refund_id: String,
    pub amount: Amount,
    pub status: TransactionStatus,
    pub refunded_amount: Amount,
}

/// An `Idempotency-Key`: 1..=255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, PayError> {
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PayError::rejected(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key: 1 to 255 visible ASCII characters",
            ))
        }
    }
}

impl Pay {
    /// Opens the database named in the settings (running migrations) with `processor`, and
    /// closes attempts a crash interrupted.
    pub async fn with_processor(settings: &Settings, processor: Arc<dyn Processor>) -> Result<Self, PayError> {
        let store = Store::open(&settings.database_url).await?;
        let rates: Arc<dyn crate::rates::RatesProvider> = match &settings.rates_url {
            Some(url) => crate::rates::FeedRates::start(url.to_string(), store.clone(), settings.rates_refresh).await?,
            None => Arc::new(crate::rates::ConfiguredRates(settings.rates_table())),
        };
        let pay = Pay {
            inner: Arc::new(Inner {
                store,
                processor,
                site_currency: settings.site_currency,
                offline_payments: settings.offline_payments,
                max_declined_attempts: settings.max_declined_attempts,
                test_mode: settings.test_mode,
                metrics: crate::metrics::Metrics::new(),
                attempt_limiter: crate::rate_limit::AttemptLimiter::new(settings.attempts_per_minute_per_ip),
                rates,
                background: Default::default(),
            }),
        };
        pay.recover_interrupted_attempts().await?;
        Ok(pay)
    }

    /// Validates `info` (SPEC §7) and stores the payment durably. Returns it with a new,
    /// unguessable id.
    pub async fn create_payment(&self, info: PaymentInfo) -> Result<Payment, PayError> {
        let new = info.validate(self.inner.site_currency)?;
        let payment = self.inner.store.insert_payment(&new, None).await?.0;
        self.inner.metrics.payments_created.inc();
        Ok(payment)
    }

    /// Like [`Pay::create_payment`], once per key: the same key and body return the first
    /// payment (`true` = replayed), the same key with another body is `idempotency_conflict`.
    pub async fn create_payment_once(
        &self,
        key: &IdempotencyKey,
        info: PaymentInfo,
    ) -> Result<(Payment, bool), PayError> {
        let new: NewPayment = info.validate(self.inner.site_currency)?;
        let hash = hex::encode(Sha256::digest(serde_json::to_vec(&info)?));
        let (payment, replayed) = self.inner.store.insert_payment(&new, Some((&key.0, &hash))).await?;
        if !replayed {
            self.inner.metrics.payments_created.inc();
        }
        Ok((payment, replayed))
    }

    /// A payment with its current status, by id. Unknown and malformed ids are both not found.
    pub async fn payment(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.inner.store.payment(&lookup_id(id)).await?;
        row.ok_or_else(PayError::payment_not_found)
    }

    /// Newest first, at most `limit` (1..=100), after the payment `starting_after`.
    pub async fn list_payments(&self, limit: u32, starting_after: Option<&str>) -> Result<Vec<PaymentRow>, PayError> {
        if !(1..=100).contains(&limit) {
            return Err(PayError::rejected(ErrorCode::InvalidQuery, "limit: 1 to 100"));
        }
        let after = starting_after
            .map(PaymentId::parse)
            .transpose()
            .map_err(|_| PayError::rejected(ErrorCode::InvalidQuery, "startingAfter: not a payment id"))?;
        self.inner.store.list_payments(limit, after.as_ref()).await
    }

    /// Refunds a `Successful` or `PartiallyRefunded` payment: all that is left when `amount` is
    /// `None`, else that part. Over-refunding is `refund_exceeds_amount` (409).
    pub async fn refund(&self, id: &str, amount: Option<Amount>) -> Result<Refund, PayError> {
        let row = self.payment(id).await?;
        let amount = amount
            .map(|a| a.in_currency(row.payment.currency, ErrorCode::InvalidAmount))
            .transpose()
            .map_err(|e| e.at("amount"))?;
        if amount.is_some_and(|a| a.value().is_zero()) {
            return Err(PayError::rejected(
                ErrorCode::InvalidAmount,
                "amount: must be greater than 0",
            ));
        }
        let (row, refund_id, amount) = self.inner.store.refund(&row.payment.id, amount).await?;
        Ok(Refund {
            refund_id,
            amount,
            status: row.status,
            refunded_amount: row.refunded_amount,
        })
    }

    /// Marks an `Offline` payment as paid: it becomes `Successful`.
    pub async fn mark_paid(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.payment(id).await?;
        if row.status != TransactionStatus::Offline {
            return Err(PayError::rejected(
                ErrorCode::IllegalTransition,
                format!("only an Offline payment can be marked paid; this one is {}", row.status),
            ));
        }
        self.inner
            .store
            .change_status(&row.payment.id, TransactionStatus::Successful)
            .await
    }

    /// Test mode: raises a chargeback on a paid payment now.
    pub async fn chargeback(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.payment(id).await?;
        self.inner
            .store
            .change_status(&row.payment.id, TransactionStatus::Chargeback)
            .await
    }

    /// The store, for the crate's own routes and tests.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Applies announced changes that are due (pending charges settling, sandbox chargebacks).
    pub async fn run_due_changes(&self) -> Result<usize, PayError> {
        let due = self.inner.store.due_scheduled(100).await?;
        let mut applied = 0;
        for id in due {
            if self.inner.store.apply_scheduled(&id).await?.is_some() {
                applied += 1;
            }
        }
        Ok(applied)
    }

    /// Test mode only: applies a payment's announced change now.
    pub async fn settle_now(&self, id: &str) -> Result<TransactionStatus, PayError> {
        let id = PaymentId::parse(id).map_err(|_| PayError::payment_not_found())?;
        match self.inner.store.apply_scheduled(&id).await? {
            Some(row) => Ok(row.status),
            None => Err(PayError::rejected(
                ErrorCode::IllegalTransition,
                "this payment has no pending change",
            )),
        }
    }

    /// Counts one HTTP request in the metrics.
    pub fn record_request(&self, route: &str, method: &str, status: u16, took: std::time::Duration) {
        let m = &self.inner.metrics;
        m.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        m.latency.with_label_values(&[route]).observe(took.as_secs_f64());
    }

    pub(crate) fn test_mode(&self) -> bool {
        self.inner.test_mode
    }
}
