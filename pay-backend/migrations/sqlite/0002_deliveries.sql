-- Delivery of outbox events to hooks and webhooks, refunds.

-- A target (an in-process hook or a webhook endpoint) receives every event recorded after it
-- was first registered: each status change inserts one delivery per target, in the same
-- transaction as the change.
CREATE TABLE delivery_targets (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE deliveries (
    event_id        TEXT NOT NULL REFERENCES payment_events (event_id),
    target          TEXT NOT NULL REFERENCES delivery_targets (name),
    payment_id      TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,         -- unix milliseconds
    locked_until    INTEGER,                  -- lease of the process delivering it
    last_error      TEXT,
    delivered_at    TEXT,
    PRIMARY KEY (event_id, target)
);
CREATE INDEX deliveries_due ON deliveries (target, state, next_attempt_at);
CREATE INDEX deliveries_order ON deliveries (target, payment_id, sequence);

CREATE TABLE delivery_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL,
    target      TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    outcome     TEXT NOT NULL,                -- delivered | failed | dead
    status_code INTEGER,
    error       TEXT,
    duration_ms INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX delivery_log_target ON delivery_log (target, id);

ALTER TABLE payments ADD COLUMN refunded_amount TEXT NOT NULL DEFAULT '0';

CREATE TABLE refunds (
    id         TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    amount     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
