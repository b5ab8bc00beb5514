"""Scheduling: rosters, visit plans and the optimiser."""
