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
