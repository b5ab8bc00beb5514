"""Getting messages to people: requesting one (its row and `notification.requested`), the delivery
worker that sends what is due through the channels, and the watch that tells the hub of dead letters."""
