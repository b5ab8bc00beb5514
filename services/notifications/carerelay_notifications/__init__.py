"""Notifications: live sync to screens and messages to people."""
