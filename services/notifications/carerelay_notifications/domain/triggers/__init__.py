"""Who is told what, for each event notifications consumes (the table in the README): pure functions
of the event and the facts the service keeps, returning the messages to request."""
