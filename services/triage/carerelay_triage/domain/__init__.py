"""Triage's rules, pure: the clinical lead's rules file as a model, the decision it makes, a
referral's triage as it stands (and what an override changes), and the response clock."""
