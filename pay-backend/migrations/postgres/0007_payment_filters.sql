-- The merchant API's list filters are answered by an index each; with `seq` last, one status
-- reads newest first from the index without sorting.
CREATE INDEX payments_status ON payments (status, seq);
-- `q` reads a prefix of the id or of the transaction id as a range of bytes (collation "C"),
-- each from its index.
CREATE INDEX payments_id_bytes ON payments (id COLLATE "C");
CREATE INDEX payments_transaction ON payments (transaction_id COLLATE "C");
