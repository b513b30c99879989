-- Which running process holds a claim. A claim whose owner is no longer running is void:
-- its attempt is closed and its delivery is taken over, at once rather than when it expires.
ALTER TABLE payments ADD COLUMN processing_by INTEGER;
ALTER TABLE deliveries ADD COLUMN locked_by INTEGER;

-- Order of a payment's attempts, without relying on SQLite's rowid.
ALTER TABLE attempts ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE attempts SET position = rowid;
