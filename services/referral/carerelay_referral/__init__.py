"""The referral hub service."""
