"""All of the hub's SQL (asyncpg), one module per table group; each function takes the caller's
`DbConnection` first, so it runs in the caller's transaction. Also reading the practice directory file."""
