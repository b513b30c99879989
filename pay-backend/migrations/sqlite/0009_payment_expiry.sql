-- `expiresAt` of `createPayment`: when the payment stops taking attempts, as unix milliseconds;
-- NULL: never. Read with the payment's row when an attempt is claimed, so no index.
ALTER TABLE payments ADD COLUMN expires_ms INTEGER;
