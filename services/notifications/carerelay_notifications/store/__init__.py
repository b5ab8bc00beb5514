"""All of the service's SQL (asyncpg), one module per group of tables. Functions take the caller's
connection first, so they run in its transaction (a handler's, the delivery worker's, a route's)."""
