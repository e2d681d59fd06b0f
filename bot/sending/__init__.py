"""Posting to channels and personal chats within Teams' limits, and why a delivery failed."""
