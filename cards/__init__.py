"""Adaptive Card builders: plain data in, card JSON out, user text made inert."""
