-- The rest of the merchant API's list filters, an index each.

-- `email`: the buyer's email (of the contact details entered at the last attempt, else of those
-- given at creation), in lower case; SQLite's lower() changes ASCII letters only. The list's
-- query writes the same expression (Dialect::buyer_email).
CREATE INDEX payments_email ON payments (lower(json_extract(coalesce(buyer_info, user_info), '$.email')));
