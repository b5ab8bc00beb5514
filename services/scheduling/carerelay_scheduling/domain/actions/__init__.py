"""What each clinician action means."""
