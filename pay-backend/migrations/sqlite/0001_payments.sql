-- Payments, their attempts, idempotency keys and the event outbox.
-- Money is stored as decimal text, never as a floating-point number.

CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    items              TEXT NOT NULL,             -- JSON array of validated items
    user_info          TEXT,                      -- JSON, server shape, from createPayment
    status             TEXT NOT NULL,
    transaction_id     TEXT,
    decline_code       TEXT,
    last_attempt_id    TEXT,
    buyer_info         TEXT,                      -- JSON, contact details of the last attempt
    failed_attempts    INTEGER NOT NULL DEFAULT 0,
    processing_attempt TEXT,                      -- set while an attempt is at the processor
    scheduled_status   TEXT,                      -- a change the processor announced for later
    scheduled_at       INTEGER,                   -- unix milliseconds
    event_sequence     INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX payments_scheduled ON payments (scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE TABLE attempts (
    payment_id     TEXT NOT NULL REFERENCES payments (id),
    attempt_id     TEXT NOT NULL,
    request_hash   TEXT NOT NULL,                 -- of method, brand, last four, expiry, contact
    method         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('processing', 'done')),
    status         TEXT,
    transaction_id TEXT,
    decline_code   TEXT,
    card_brand     TEXT,
    card_last4     TEXT,
    user_info      TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (payment_id, attempt_id)
);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    payment_id   TEXT NOT NULL REFERENCES payments (id),
    created_at   TEXT NOT NULL
);

CREATE TABLE payment_events (
    event_id   TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    sequence   INTEGER NOT NULL,
    status     TEXT NOT NULL,
    payload    TEXT NOT NULL,                     -- the PaymentUpdateEvent as JSON
    created_at TEXT NOT NULL,
    UNIQUE (payment_id, sequence)
);
