-- The rest of the merchant API's list filters, an index each.

-- `email`: the buyer's email (of the contact details entered at the last attempt, else of those
-- given at creation), in lower case; SQLite's lower() changes ASCII letters only. The list's
-- query writes the same expression (Dialect::buyer_email).
CREATE INDEX payments_email ON payments (lower(json_extract(coalesce(buyer_info, user_info), '$.email')));

-- `amountMin`/`amountMax` with `currency`: the amount as a whole number of ten-thousandths of
-- its unit (every currency's minor units divide it: ISO 4217's most are 4), so amounts of one
-- currency compare as integers, not as text. Filled on write; here from the decimal text of
-- the rows there are, digit by digit (no floating point): whole part × 10000 + the first four
-- decimals.
ALTER TABLE payments ADD COLUMN amount_e4 INTEGER NOT NULL DEFAULT 0;
UPDATE payments SET amount_e4 = CASE
    WHEN instr(amount, '.') = 0 THEN CAST(amount AS INTEGER) * 10000
    ELSE CAST(substr(amount, 1, instr(amount, '.') - 1) AS INTEGER) * 10000
        + CAST(substr(substr(amount, instr(amount, '.') + 1) || '0000', 1, 4) AS INTEGER)
END;
CREATE INDEX payments_amount ON payments (currency, amount_e4);

-- `createdFrom`/`createdTo`: the creation time as unix milliseconds (rounded down), as
-- `created_at`'s text has a varying number of decimals and does not sort within a second.
-- Filled on write; here from the text of the rows there are (always UTC, `…SS[.fraction]Z`):
-- the whole seconds, then the first three decimals.
ALTER TABLE payments ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
UPDATE payments SET created_ms = CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) * 1000
    + CASE WHEN substr(created_at, 20, 1) = '.'
        THEN CAST(substr(substr(created_at, 21, length(created_at) - 21) || '00', 1, 3) AS INTEGER)
        ELSE 0 END;
CREATE INDEX payments_created ON payments (created_ms);
