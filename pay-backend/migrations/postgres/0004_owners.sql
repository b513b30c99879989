-- Which running process holds a claim: the id under which it holds its advisory lock. A claim
-- whose owner no longer holds that lock (the process died) is void at once.
ALTER TABLE payments ADD COLUMN processing_by BIGINT;
ALTER TABLE deliveries ADD COLUMN locked_by BIGINT;
ALTER TABLE attempts ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
