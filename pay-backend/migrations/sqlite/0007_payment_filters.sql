-- The merchant API's list filters are answered by an index each. SQLite keys every index by
-- rowid too, so one status reads newest first from the index without sorting.
CREATE INDEX payments_status ON payments (status);
-- `q` reads a prefix of the id from the primary key's index and one of the transaction id
-- from this one.
CREATE INDEX payments_transaction ON payments (transaction_id);
