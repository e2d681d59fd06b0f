"""Importing this package registers every handler with bot.routes.ROUTES."""

from bot.handlers import cases, casework, help, refer, reminders, report  # noqa: F401
