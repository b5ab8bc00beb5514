"""CareRelay's event contract: the v1 catalogue (by topic), the vocabulary, the topics, the
CloudEvents envelope and the schemas generated from them. See libs/contract/README.md."""
