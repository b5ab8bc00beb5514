-- The case's correlation id (BaRS X-Correlation-ID), kept with its trace context, so the events a clock
-- (or an override) publishes later carry it like every other event about the case.
ALTER TABLE response_clocks ADD COLUMN correlation_id text;
