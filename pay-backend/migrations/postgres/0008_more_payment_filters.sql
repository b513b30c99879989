-- The rest of the merchant API's list filters, an index each; with `seq` last, an equality
-- reads newest first from the index without sorting.

-- `email`: the buyer's email (of the contact details entered at the last attempt, else of those
-- given at creation), in lower case; under collation "C" lower() changes ASCII letters only, as
-- SQLite's does. The list's query writes the same expression (Dialect::buyer_email).
CREATE INDEX payments_email ON payments ((lower((coalesce(buyer_info, user_info)::jsonb ->> 'email') COLLATE "C")), seq);

-- `amountMin`/`amountMax` with `currency`: the amount as a whole number of ten-thousandths of
-- its unit (every currency's minor units divide it: ISO 4217's most are 4), so amounts of one
-- currency compare as integers, not as text. Filled on write; here from the decimal text of
-- the rows there are, through `numeric` (exact decimal arithmetic).
ALTER TABLE payments ADD COLUMN amount_e4 BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET amount_e4 = (amount::numeric * 10000)::bigint;
CREATE INDEX payments_amount ON payments (currency, amount_e4);

-- `createdFrom`/`createdTo`: the creation time as unix milliseconds (rounded down), as
-- `created_at`'s text has a varying number of decimals and does not sort within a second.
-- Filled on write; here from the text of the rows there are (always UTC, `…SS[.fraction]Z`):
-- the whole seconds, then the first three decimals (timestamptz would round to microseconds).
ALTER TABLE payments ADD COLUMN created_ms BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET created_ms = extract(epoch FROM (substr(created_at, 1, 19) || 'Z')::timestamptz)::bigint * 1000
    + CASE WHEN substr(created_at, 20, 1) = '.'
        THEN substr(substr(created_at, 21, length(created_at) - 21) || '00', 1, 3)::bigint
        ELSE 0 END;
CREATE INDEX payments_created ON payments (created_ms);
