-- Payment providers (SPEC §8): an attempt can wait at the provider (an unknown outcome, a
-- 3-D Secure challenge), refunds count only once the provider confirms them, provider events
-- are applied once each, and the sandbox keeps a ledger of its own, as a real provider would.

-- An attempt at the provider. The provider's reference, the challenge the buyer answers, and
-- when Pay next asks the provider about it (after a crash, an unknown outcome, a challenge's
-- deadline); how it was resolved: answer | lookup | event | abandoned.
ALTER TABLE attempts ADD COLUMN provider_ref TEXT;
ALTER TABLE attempts ADD COLUMN challenge_url TEXT;
ALTER TABLE attempts ADD COLUMN challenge_expires_at BIGINT;
ALTER TABLE attempts ADD COLUMN next_check_at BIGINT;
ALTER TABLE attempts ADD COLUMN checks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN resolved_by TEXT;

-- Announced changes were timers inside Pay; they are provider events now.
DROP INDEX payments_scheduled;
ALTER TABLE payments DROP COLUMN scheduled_status;
ALTER TABLE payments DROP COLUMN scheduled_at;

-- A refund is asked of the provider under its id (the idempotency key) before it counts:
-- processing (at the provider, or its answer unknown) | pending (the provider confirms later)
-- | succeeded | refused. Processing and pending refunds hold their amount against the payment.
ALTER TABLE refunds ADD COLUMN state TEXT NOT NULL DEFAULT 'succeeded';
ALTER TABLE refunds ADD COLUMN reason TEXT;
ALTER TABLE refunds ADD COLUMN processing_by BIGINT;
ALTER TABLE refunds ADD COLUMN next_check_at BIGINT;
ALTER TABLE refunds ADD COLUMN checks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN updated_at TEXT;
CREATE INDEX refunds_open ON refunds (state) WHERE state IN ('processing', 'pending');

-- Each provider event is applied once.
CREATE TABLE provider_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL,                -- applied | stale | ignored
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The sandbox provider's own books: what it charged and refunded under which key, and the
-- signed events it has still to send (a pending charge settling, a chargeback, a refund).
CREATE TABLE sandbox_charges (
    key            TEXT PRIMARY KEY,          -- Pay's attempt key
    transaction_id TEXT NOT NULL,
    amount         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    outcome        TEXT NOT NULL,             -- successful | pending | failed | challenge
    decline_code   TEXT,
    card           TEXT NOT NULL,             -- the sandbox card's behaviour, never its number
    answer         TEXT,                      -- the buyer's answer to a challenge
    created_at     TEXT NOT NULL
);
CREATE TABLE sandbox_refunds (
    key        TEXT PRIMARY KEY,              -- Pay's refund id
    charge_key TEXT NOT NULL REFERENCES sandbox_charges (key),
    amount     TEXT NOT NULL,
    outcome    TEXT NOT NULL,                 -- succeeded | pending | refused
    created_at TEXT NOT NULL
);
CREATE TABLE sandbox_events (
    id         TEXT PRIMARY KEY,
    charge_key TEXT NOT NULL,
    body       TEXT NOT NULL,                 -- the event as the sandbox signs and sends it
    due_at     BIGINT NOT NULL,               -- unix milliseconds
    sent_at    TEXT
);
CREATE INDEX sandbox_events_due ON sandbox_events (due_at) WHERE sent_at IS NULL;
