"""Triage: urgency, lead discipline, pathway and response clocks."""
