"""Who is told what, and how: pure rules (no database, HTTP or Kafka); the rest of the service feeds them facts."""
