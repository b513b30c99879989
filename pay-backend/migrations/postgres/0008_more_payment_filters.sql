-- The rest of the merchant API's list filters, an index each; with `seq` last, an equality
-- reads newest first from the index without sorting.

-- `email`: the buyer's email (of the contact details entered at the last attempt, else of those
-- given at creation), in lower case; under collation "C" lower() changes ASCII letters only, as
-- SQLite's does. The list's query writes the same expression (Dialect::buyer_email).
CREATE INDEX payments_email ON payments ((lower((coalesce(buyer_info, user_info)::jsonb ->> 'email') COLLATE "C")), seq);
