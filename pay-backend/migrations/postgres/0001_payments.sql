-- Payments, their attempts, idempotency keys and the event outbox.
-- Money is stored as decimal text, never as a floating-point number.
-- The same schema as the SQLite migrations of the same number, in PostgreSQL's types.

CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,
    seq                BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,  -- creation order, for listing
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    items              TEXT NOT NULL,
    user_info          TEXT,
    status             TEXT NOT NULL,
    transaction_id     TEXT,
    decline_code       TEXT,
    last_attempt_id    TEXT,
    buyer_info         TEXT,
    failed_attempts    BIGINT NOT NULL DEFAULT 0,
    processing_attempt TEXT,
    scheduled_status   TEXT,
    scheduled_at       BIGINT,
    event_sequence     BIGINT NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX payments_scheduled ON payments (scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE TABLE attempts (
    payment_id     TEXT NOT NULL REFERENCES payments (id),
    attempt_id     TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
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

-- `seq` orders the event feed; `tx` is the writing transaction, so the feed only shows an
-- event once every transaction that could still commit an earlier `seq` has ended.
CREATE TABLE payment_events (
    event_id   TEXT PRIMARY KEY,
    seq        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    tx         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    payment_id TEXT NOT NULL REFERENCES payments (id),
    sequence   BIGINT NOT NULL,
    status     TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (payment_id, sequence)
);
