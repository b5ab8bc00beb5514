"""All of triage's SQL (asyncpg), one module per table group; every function takes the caller's
connection (and so its transaction) first."""
