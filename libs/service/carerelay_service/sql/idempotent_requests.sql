-- Requests made once: an Idempotency-Key (or BaRS X-Request-ID) and the first result, so a retry of
-- the same request gets that result and changes nothing (libs/service carerelay_service.idempotency).

CREATE TABLE IF NOT EXISTS idempotent_requests (
    idempotency_key  text        PRIMARY KEY,
    made_by          text        NOT NULL,
    action           text        NOT NULL,
    target           text        NOT NULL,
    result           jsonb       NOT NULL,
    made_at          timestamptz NOT NULL DEFAULT now()
);
