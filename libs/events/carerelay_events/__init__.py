"""CareRelay's Kafka plumbing: the transports (aiokafka, faust, in-memory) behind two protocols,
the processing of one inbound message (inbox, retries, dead letters), the transactional outbox,
the case's trace and correlation id, and tracing. See libs/events/README.md."""
