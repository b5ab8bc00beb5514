"""Scheduling's event handlers."""

from .referral import handlers

__all__ = ["handlers"]
