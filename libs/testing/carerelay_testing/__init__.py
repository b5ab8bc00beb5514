"""CareRelay's test factories and fixtures, shared by every package's tests (a pytest plugin).
See libs/testing/README.md."""
