"""The clinical lead's triage rules: their values (`values`), their shape (`model`) and how a rules
file's text is checked (`parse`)."""
