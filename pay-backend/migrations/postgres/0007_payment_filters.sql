-- The merchant API's list filters are answered by an index each; with `seq` last, one status
-- reads newest first from the index without sorting.
CREATE INDEX payments_status ON payments (status, seq);
