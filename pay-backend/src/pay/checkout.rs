//! The checkout: what the popup shows and how an attempt is charged, at most once.
//!
//! An attempt first claims the payment in one write transaction (the payment must accept
//! attempts and have none in flight), then goes to the provider under its key, then records
//! the outcome and its event in a second transaction. Double submits, replayed attempt ids and
//! concurrent tabs all meet the claim: none of them reaches the provider twice. An attempt
//! whose outcome is not known (a challenge for the buyer, a provider that did not answer, a
//! process that died during the call) keeps the payment reserved until the provider's answer
//! to a look-up, the buyer's return or a provider event resolves it.

use super::{lookup_id, Pay};
use crate::error::PayError;
use crate::providers::{
    AttemptKey, Card, CardSource, ChargeOutcome, ChargeRequest, ClientSecret, CompleteRequest, Lookup, NextAction,
};
use crate::store::{now_ms, rfc3339, AttemptRow, Change, Claim, NewAttempt, PaymentRow, StoreError, Wait};
use pay_types::{
    AttemptId, AttemptRequest, AttemptResolution, AttemptResult, AttemptState, BrowserUserInfo, CardFieldsKind,
    CardNumber, Challenge, CheckoutView, ClaimRefusal, Cvc, Decline, DeclineCode, ErrorCode, Expiry, PaymentId,
    PaymentMethod, TransactionStatus, UserInfo,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

/// How long, by default, the buyer has to answer a 3-D Secure challenge before the attempt
/// fails with `authentication_failed` (docs/providers.md says so).
pub const CHALLENGE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The wait before the `n`th question about an attempt or a refund whose answer is unknown:
/// 1 s, doubling, at most 5 minutes.
pub(crate) fn check_backoff(n: i64) -> Duration {
    Duration::from_secs(1u64 << n.clamp(0, 9)).min(Duration::from_secs(300))
}

/// Where the provider sends the buyer back after a challenge.
fn return_path(key: &AttemptKey) -> String {
    format!(
        "/pay/v1/checkout/{}/attempts/{}/return",
        key.payment_id,
        key.attempt_id.as_str()
    )
}

impl Pay {
    /// What the popup needs: `GET /pay/v1/checkout/{id}`.
    pub async fn checkout_view(&self, id: &str) -> Result<CheckoutView, PayError> {
        let row = self.payment(id).await?;
        let mut methods = vec![PaymentMethod::Card];
        if self.inner.offline_payments {
            methods.push(PaymentMethod::Offline);
        }
        let claim = row.claim_state(self.inner.max_declined_attempts, now_ms());
        Ok(CheckoutView {
            // Expiry is why no attempt is taken (not a charge, not one in flight).
            expired: claim.decide(None) == Err(ClaimRefusal::Expired),
            expires_at: row.payment.expires_at.clone(),
            payable: claim.payable(),
            attempts_left: claim.attempts_left(),
            status: row.status,
            transaction_id: row.transaction_id.clone(),
            user_info: row
                .buyer_info
                .clone()
                .or_else(|| row.payment.user_info.clone())
                .map(BrowserUserInfo::from),
            payment: row.payment.into(),
            methods,
            card_fields: self.inner.provider.card_fields(),
        })
    }

    /// The latest result of a payment: `GET /pay/v1/checkout/{id}/result`.
    pub async fn latest_result(&self, id: &str) -> Result<AttemptResult, PayError> {
        let row = self.payment(id).await?;
        if let Some(attempt_id) = row.processing_attempt.clone() {
            if let Some(attempt) = self.inner.store.attempt(&row.payment.id, &attempt_id).await? {
                return Ok(self.replayed(row, attempt));
            }
        }
        Ok(self.result_of(
            row.last_attempt_id.clone(),
            row.status,
            row.transaction_id.clone(),
            row.decline,
            row,
        ))
    }

    /// Submits a payment attempt: `POST /pay/v1/checkout/{id}/attempts`.
    pub async fn submit_attempt(&self, id: &str, request: AttemptRequest) -> Result<AttemptResult, PayError> {
        // Unknown and malformed ids both end at the claim, which finds no payment.
        let payment_id = lookup_id(id);
        let attempt_id = AttemptId::parse(&request.attempt_id)?;
        let user_info = match request.user_info {
            Some(u) => Some(UserInfo::from(u).validate()?).filter(|u| !u.is_empty()),
            None => None,
        };
        let source = match request.method {
            PaymentMethod::Card => Some(self.card_source(request.card.as_ref(), request.payment_method)?),
            PaymentMethod::Offline if !self.inner.offline_payments => {
                return Err(PayError::rejected(
                    ErrorCode::OfflineNotEnabled,
                    "offline payments are not enabled",
                ));
            }
            PaymentMethod::Offline => None,
        };
        let card = match &source {
            Some(Source::Card(card)) => Some(card),
            _ => None,
        };
        let new = NewAttempt {
            request_hash: attempt_hash(request.method, source.as_ref(), user_info.as_ref())?,
            payment_id: payment_id.clone(),
            attempt_id: attempt_id.as_str().to_owned(),
            method: request.method,
            card_brand: card.map(|c| c.number.brand().as_str().to_owned()),
            card_last4: card.map(|c| c.number.last4().to_owned()),
            user_info,
        };
        let grace = self.inner.provider.in_flight_grace();
        let claim = match self
            .inner
            .store
            .claim_attempt(&new, self.inner.max_declined_attempts, grace)
            .await
        {
            // The same attempt, sent again while it waits at the provider: its state so far.
            Err(StoreError::Claim(ClaimRefusal::ThisAttemptInProgress)) => {
                let key = AttemptKey::new(payment_id.clone(), attempt_id.clone());
                let (result, attempt) = self.attempt_result_and_row(&key).await?;
                return match &result.challenge {
                    // The browser library's challenge: its secret again, from the provider.
                    Some(challenge) if challenge.url.is_none() => {
                        let lookup = self.inner.provider.lookup(&key, attempt.provider_ref.as_deref()).await;
                        Ok(with_client_secret(result, client_secret_of(&lookup)))
                    }
                    Some(_) => Ok(result),
                    None => Err(StoreError::Claim(ClaimRefusal::ThisAttemptInProgress).into()),
                };
            }
            claim => claim?,
        };
        match claim {
            Claim::Replay(row, attempt) => Ok(self.replayed(row, *attempt)),
            Claim::Granted(row) => {
                // The charge and its record run to the end even if the client goes away.
                let pay = self.clone();
                let task = actix_web::rt::spawn(async move { pay.charge(row, new, source).await });
                task.await
                    .map_err(|e| PayError::internal(format!("attempt task failed: {e}")))?
            }
        }
    }

    /// How the card comes, as this server's card fields collect it: Pay's own form (the
    /// sandbox) takes `card`; a provider's hosted fields give `paymentMethod`, and a card
    /// number is refused before anything is stored, logged or sent.
    fn card_source(&self, card: Option<&pay_types::CardInput>, token: Option<String>) -> Result<Source, PayError> {
        let kind = self.inner.provider.card_fields().kind;
        match (kind, card, token) {
            (CardFieldsKind::Pay, Some(_), Some(_)) => Err(PayError::rejected(
                ErrorCode::InvalidPaymentMethod,
                "paymentMethod: not with card; this server's card form is Pay's own",
            )),
            (CardFieldsKind::Pay, Some(input), None) => {
                let number = CardNumber::parse(&input.number)?;
                let now = time::OffsetDateTime::now_utc();
                let expiry = Expiry::parse(input.exp_month, input.exp_year, (now.year() as u16, now.month() as u8))?;
                let cvc = Cvc::parse(&input.cvc, number.brand())?;
                Ok(Source::Card(Card { number, expiry, cvc }))
            }
            (CardFieldsKind::Pay, None, Some(_)) => Err(PayError::rejected(
                ErrorCode::InvalidPaymentMethod,
                "paymentMethod: this server's card form is Pay's own; send card",
            )),
            (CardFieldsKind::Pay, None, None) => Err(PayError::rejected(
                ErrorCode::MissingCard,
                "card: required for the card method",
            )),
            (_, Some(_), _) => Err(PayError::rejected(
                ErrorCode::CardDataNotAccepted,
                "card: this server takes no card numbers; the card is typed into the provider's own fields and the attempt carries paymentMethod",
            )),
            (kind, None, Some(token)) => {
                let prefix = kind.token_prefix().unwrap_or_default();
                if !pay_types::is_provider_id(&token, prefix) {
                    return Err(PayError::rejected(
                        ErrorCode::InvalidPaymentMethod,
                        format!("paymentMethod: the provider's token, {prefix}… (letters, digits and _, at most 255)"),
                    ));
                }
                Ok(Source::Token(token))
            }
            (_, None, None) => Err(PayError::rejected(
                ErrorCode::MissingCard,
                "paymentMethod: required for the card method",
            )),
        }
    }

    async fn charge(
        &self,
        row: PaymentRow,
        attempt: NewAttempt,
        source: Option<Source>,
    ) -> Result<AttemptResult, PayError> {
        let key = AttemptKey::new(attempt.payment_id.clone(), AttemptId::parse(&attempt.attempt_id)?);
        let Some(source) = source else {
            let offline = Change {
                transaction_id: Some(format!("txn_{}", uuid::Uuid::new_v4().simple())),
                ..Change::to(TransactionStatus::Offline)
            };
            return self.finish(&key, offline, AttemptResolution::Answer).await;
        };
        let provider = &self.inner.provider;
        let mut request = ChargeRequest {
            key: &key,
            amount: row.payment.amount,
            currency: row.payment.currency,
            source: source.as_card_source(),
            provider_ref: None,
            buyer: attempt.user_info.as_ref(),
            return_path: return_path(&key),
        };
        // The provider's object first, its id stored before anything can charge: a look-up
        // after a crash finds it by that id, and an attempt without one never charged.
        let prepared = match provider.prepare(&request).await {
            Ok(prepared) => prepared,
            Err(decline) => {
                let failed = Change {
                    decline: Some(decline),
                    ..Change::to(TransactionStatus::Failed)
                };
                return self.finish(&key, failed, AttemptResolution::Answer).await;
            }
        };
        if let Some(provider_ref) = &prepared {
            self.inner
                .store
                .set_provider_ref(&key.payment_id, key.attempt_id.as_str(), provider_ref)
                .await?;
        }
        request.provider_ref = prepared.as_deref();
        let outcome = provider.charge(request).await;
        drop(source);
        let secret = match &outcome {
            ChargeOutcome::RequiresAction {
                action: NextAction::BrowserLibrary { client_secret },
                ..
            } => Some(client_secret.clone()),
            _ => None,
        };
        let result = self.take_outcome(&key, outcome, AttemptResolution::Answer).await?;
        Ok(with_client_secret(result, secret))
    }

    /// Records what the provider said of an attempt: an outcome ends it; a challenge or an
    /// unknown answer leaves it waiting at the provider (the payment stays reserved).
    async fn take_outcome(
        &self,
        key: &AttemptKey,
        outcome: ChargeOutcome,
        resolution: AttemptResolution,
    ) -> Result<AttemptResult, PayError> {
        let change = match outcome {
            ChargeOutcome::Successful { transaction_id } => Change {
                transaction_id: Some(transaction_id),
                ..Change::to(TransactionStatus::Successful)
            },
            ChargeOutcome::Pending { transaction_id } => Change {
                transaction_id: Some(transaction_id),
                ..Change::to(TransactionStatus::Pending)
            },
            ChargeOutcome::Failed {
                transaction_id,
                decline,
            } => Change {
                transaction_id,
                decline: Some(decline),
                ..Change::to(TransactionStatus::Failed)
            },
            ChargeOutcome::RequiresAction { transaction_id, action } => {
                let wait = Wait::Challenge {
                    provider_ref: transaction_id,
                    url: match action {
                        NextAction::Page { url } => Some(url),
                        NextAction::BrowserLibrary { .. } => None,
                    },
                    expires_at: now_ms() + self.inner.challenge_timeout.as_millis() as i64,
                };
                return self.wait(key, wait).await;
            }
            ChargeOutcome::Unknown { reason } => {
                tracing::warn!(payment_id = %key.payment_id, reason, "the provider's answer is unknown; asking again later");
                self.inner.metrics.attempts.with_label_values(&["unknown"]).inc();
                let wait = Wait::Unknown {
                    next_check_at: now_ms() + check_backoff(0).as_millis() as i64,
                };
                return self.wait(key, wait).await;
            }
        };
        self.finish(key, change, resolution).await
    }

    async fn finish(
        &self,
        key: &AttemptKey,
        change: Change,
        resolution: AttemptResolution,
    ) -> Result<AttemptResult, PayError> {
        let store = &self.inner.store;
        match store
            .finish_attempt(&key.payment_id, key.attempt_id.as_str(), change, resolution)
            .await
        {
            Ok((row, done)) => {
                tracing::info!(payment_id = %key.payment_id, status = %row.status, resolved_by = resolution.as_str(), "attempt finished");
                self.inner
                    .metrics
                    .attempts
                    .with_label_values(&[row.status.as_str()])
                    .inc();
                Ok(self.replayed(row, done))
            }
            // An event (or another process) resolved it first: its outcome stands.
            Err(StoreError::AttemptNotInFlight) => self.attempt_result(key).await,
            Err(e) => Err(e.into()),
        }
    }

    async fn wait(&self, key: &AttemptKey, wait: Wait) -> Result<AttemptResult, PayError> {
        match self
            .inner
            .store
            .park_attempt(&key.payment_id, key.attempt_id.as_str(), wait)
            .await
        {
            Ok(_) | Err(StoreError::AttemptNotInFlight) => self.attempt_result(key).await,
            Err(e) => Err(e.into()),
        }
    }

    /// An attempt's result as recorded now.
    async fn attempt_result(&self, key: &AttemptKey) -> Result<AttemptResult, PayError> {
        Ok(self.attempt_result_and_row(key).await?.0)
    }

    async fn attempt_result_and_row(&self, key: &AttemptKey) -> Result<(AttemptResult, AttemptRow), PayError> {
        let row = self.payment(key.payment_id.as_str()).await?;
        let attempt = self
            .inner
            .store
            .attempt(&key.payment_id, key.attempt_id.as_str())
            .await?
            .ok_or_else(|| PayError::rejected(ErrorCode::NotFound, "no such attempt"))?;
        Ok((self.replayed(row, attempt.clone()), attempt))
    }

    /// The buyer is back from the challenge: `GET …/attempts/{attemptId}/return`. Asks the
    /// provider to complete the attempt, with what it sent the browser back with.
    pub async fn challenge_returned(
        &self,
        id: &str,
        attempt_id: &str,
        returned: &BTreeMap<String, String>,
    ) -> Result<AttemptResult, PayError> {
        let (key, attempt) = self.open_challenge(id, attempt_id).await?;
        let Some(attempt) = attempt else {
            return self.attempt_result(&key).await;
        };
        let provider_ref = attempt.provider_ref.clone().unwrap_or_default();
        let outcome = self
            .inner
            .provider
            .complete(CompleteRequest {
                key: &key,
                provider_ref: &provider_ref,
                returned,
            })
            .await;
        match outcome {
            // Still waiting for the buyer: nothing changes.
            ChargeOutcome::RequiresAction { .. } => self.attempt_result(&key).await,
            outcome => self.take_outcome(&key, outcome, AttemptResolution::Answer).await,
        }
    }

    /// The provider's browser library is done with the challenge (Stripe.js
    /// `handleNextAction` resolved): `POST …/attempts/{attemptId}/complete`. Pay asks the
    /// provider for the outcome; the browser's word is never it.
    pub async fn complete_challenge(&self, id: &str, attempt_id: &str) -> Result<AttemptResult, PayError> {
        self.challenge_returned(id, attempt_id, &BTreeMap::new()).await
    }

    /// The buyer left the challenge (the popup's Cancel): `POST …/attempts/{attemptId}/abandon`.
    /// The provider cancels the attempt unless the buyer finished just now; an attempt still
    /// waiting for the buyer fails with `authentication_failed`.
    pub async fn abandon_challenge(&self, id: &str, attempt_id: &str) -> Result<AttemptResult, PayError> {
        let (key, attempt) = self.open_challenge(id, attempt_id).await?;
        let Some(attempt) = attempt else {
            return self.attempt_result(&key).await;
        };
        self.abandon(&key, attempt.provider_ref.as_deref()).await
    }

    async fn abandon(&self, key: &AttemptKey, provider_ref: Option<&str>) -> Result<AttemptResult, PayError> {
        match self.inner.provider.cancel(key, provider_ref).await {
            Lookup::Found(
                outcome @ (ChargeOutcome::Successful { .. }
                | ChargeOutcome::Pending { .. }
                | ChargeOutcome::Failed { .. }),
            ) => self.take_outcome(key, outcome, AttemptResolution::Lookup).await,
            // The cancel's answer was lost: the outcome is not known, so the attempt waits and
            // is asked about again (it might have been paid meanwhile).
            Lookup::Found(outcome @ ChargeOutcome::Unknown { .. }) => {
                self.take_outcome(key, outcome, AttemptResolution::Lookup).await
            }
            _ => {
                let failed = Change {
                    decline: Some(DeclineCode::AuthenticationFailed),
                    ..Change::to(TransactionStatus::Failed)
                };
                self.finish(key, failed, AttemptResolution::Abandoned).await
            }
        }
    }

    /// The attempt `attempt_id` of payment `id`, and whether it waits for a challenge (`None`:
    /// it does not, or no longer).
    async fn open_challenge(&self, id: &str, attempt_id: &str) -> Result<(AttemptKey, Option<AttemptRow>), PayError> {
        let payment_id = PaymentId::parse(id).map_err(|_| PayError::payment_not_found())?;
        let attempt_id =
            AttemptId::parse(attempt_id).map_err(|_| PayError::rejected(ErrorCode::NotFound, "no such attempt"))?;
        let attempt = self
            .inner
            .store
            .attempt(&payment_id, attempt_id.as_str())
            .await?
            .ok_or_else(|| PayError::rejected(ErrorCode::NotFound, "no such attempt"))?;
        let key = AttemptKey::new(payment_id, attempt_id);
        let waiting = attempt.state == AttemptState::Processing && attempt.challenge.is_some();
        Ok((key, waiting.then_some(attempt)))
    }

    /// Asks the provider about the attempts that wait at it: those whose answer was unknown
    /// (with backoff), those a dead process left there, and challenges past their deadline.
    /// Nothing is guessed: an attempt the provider never received failed without a charge; one
    /// it holds takes the provider's outcome.
    pub(crate) async fn check_open_attempts(&self) -> Result<usize, PayError> {
        let store = &self.inner.store;
        let mut resolved = 0;
        for open in store.attempts_to_check(50).await? {
            let now = now_ms();
            let expired = open.challenge_expires_at.is_some_and(|at| at <= now);
            let next = now + check_backoff(open.checks + 1).as_millis() as i64;
            if !store.take_check(&open, next).await? {
                continue; // another process asks
            }
            let Ok(attempt_id) = AttemptId::parse(&open.attempt_id) else {
                continue;
            };
            let key = AttemptKey::new(open.payment_id.clone(), attempt_id);
            let provider_ref = open.provider_ref.as_deref();
            let outcome = match self.inner.provider.lookup(&key, provider_ref).await {
                Lookup::NeverReached => ChargeOutcome::Failed {
                    transaction_id: None,
                    decline: DeclineCode::ProcessingError,
                },
                Lookup::Found(outcome) => outcome,
            };
            match outcome {
                ChargeOutcome::RequiresAction { .. } if expired => {
                    self.abandon(&key, provider_ref).await?;
                }
                // A challenge recorded only at the provider (its process died): now it is ours too.
                ChargeOutcome::RequiresAction { .. } if open.challenge_expires_at.is_none() => {
                    self.take_outcome(&key, outcome, AttemptResolution::Lookup).await?;
                    continue;
                }
                ChargeOutcome::RequiresAction { .. } => continue,
                ChargeOutcome::Unknown { reason } => {
                    tracing::warn!(payment_id = %key.payment_id, reason, checks = open.checks + 1, "the provider still cannot tell");
                    continue;
                }
                outcome => {
                    self.take_outcome(&key, outcome, AttemptResolution::Lookup).await?;
                }
            }
            resolved += 1;
        }
        Ok(resolved)
    }

    fn replayed(&self, row: PaymentRow, attempt: AttemptRow) -> AttemptResult {
        let status = attempt.status.unwrap_or(row.status);
        let decline = attempt.decline;
        let waiting = (attempt.state == AttemptState::Processing).then(|| {
            attempt.challenge.map(|(url, expires_at)| Challenge {
                url,
                client_secret: None,
                expires_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
                    .map_or_else(|_| String::new(), rfc3339),
            })
        });
        let mut result = self.result_of(Some(attempt.attempt_id), status, attempt.transaction_id, decline, row);
        if let Some(challenge) = waiting {
            result.processing = true;
            result.challenge = challenge;
        }
        result
    }

    fn result_of(
        &self,
        attempt_id: Option<String>,
        status: TransactionStatus,
        transaction_id: Option<String>,
        decline: Option<DeclineCode>,
        row: PaymentRow,
    ) -> AttemptResult {
        AttemptResult {
            processing: false,
            challenge: None,
            attempts_left: self.attempts_left(&row),
            attempt_id,
            status,
            transaction_id,
            decline: decline
                .filter(|_| status == TransactionStatus::Failed)
                .map(Decline::from),
            user_info: row
                .buyer_info
                .or(row.payment.user_info.clone())
                .map(BrowserUserInfo::from),
            payment: row.payment.into(),
        }
    }

    fn attempts_left(&self, row: &PaymentRow) -> u32 {
        row.claim_state(self.inner.max_declined_attempts, now_ms())
            .attempts_left()
    }
}

/// What the attempt pays with, as checked: the card from Pay's own form, or the provider's
/// token. The card lives in memory for the call only.
enum Source {
    Card(Card),
    Token(String),
}

impl Source {
    fn as_card_source(&self) -> CardSource<'_> {
        match self {
            Self::Card(card) => CardSource::Card(card),
            Self::Token(token) => CardSource::Token(token),
        }
    }
}

/// The client secret of a browser library's challenge, in the answer to the attempt's own
/// browser only (never stored, so never in `GET …/result`).
fn with_client_secret(mut result: AttemptResult, secret: Option<ClientSecret>) -> AttemptResult {
    if let (Some(challenge), Some(secret), true) = (result.challenge.as_mut(), secret, result.processing) {
        if challenge.url.is_none() {
            challenge.client_secret = Some(secret.expose().to_owned());
        }
    }
    result
}

fn client_secret_of(lookup: &Lookup) -> Option<ClientSecret> {
    match lookup {
        Lookup::Found(ChargeOutcome::RequiresAction {
            action: NextAction::BrowserLibrary { client_secret },
            ..
        }) => Some(client_secret.clone()),
        _ => None,
    }
}

/// Fingerprint of an attempt's details, to tell a replay from a different request under the
/// same attempt id. Made of brand, last four and expiry only (never the full number or CVC),
/// or the provider's token.
fn attempt_hash(method: PaymentMethod, source: Option<&Source>, user: Option<&UserInfo>) -> Result<String, PayError> {
    let mut h = Sha256::new();
    h.update(format!("{method:?}|"));
    match source {
        Some(Source::Card(c)) => h.update(format!(
            "{}|{}|{}/{}|",
            c.number.brand().as_str(),
            c.number.last4(),
            c.expiry.month,
            c.expiry.year
        )),
        Some(Source::Token(token)) => h.update(format!("token|{token}|")),
        None => {}
    }
    h.update(serde_json::to_vec(&user)?);
    Ok(hex::encode(h.finalize()))
}
