-- Attempts at the processor, found every second by the check for attempts whose process died:
-- an index of the few payments in flight rather than a scan of them all.
CREATE INDEX payments_in_flight ON payments (processing_attempt) WHERE processing_attempt IS NOT NULL;
