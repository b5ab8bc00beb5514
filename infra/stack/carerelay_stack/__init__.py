"""The local stack: provisioning, the service processes and demo data."""
