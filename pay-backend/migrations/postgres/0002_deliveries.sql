-- Delivery of outbox events to hooks and webhooks, refunds.

CREATE TABLE delivery_targets (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE deliveries (
    event_id        TEXT NOT NULL REFERENCES payment_events (event_id),
    target          TEXT NOT NULL REFERENCES delivery_targets (name),
    payment_id      TEXT NOT NULL,
    sequence        BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    delivered_at    TEXT,
    PRIMARY KEY (event_id, target)
);
CREATE INDEX deliveries_due ON deliveries (target, state, next_attempt_at);
CREATE INDEX deliveries_order ON deliveries (target, payment_id, sequence);

CREATE TABLE delivery_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    TEXT NOT NULL,
    target      TEXT NOT NULL,
    attempt     BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
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
