"""How records reach the processor and leave the outbox: the protocols (`base`), and the transports
that implement them: aiokafka (every service), faust (triage's worker) and memory (unit tests of
handlers, in milliseconds, with no broker)."""
