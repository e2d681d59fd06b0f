"""Importing this package registers every handler with bot.routes.ROUTES."""

from bot.handlers import help  # noqa: F401
