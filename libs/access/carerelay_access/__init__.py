"""Who may see what. See libs/access/README.md and docs/security.md."""
