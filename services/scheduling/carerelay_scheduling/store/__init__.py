"""All of scheduling's SQL (asyncpg): one module per table group; every function takes a connection first."""
