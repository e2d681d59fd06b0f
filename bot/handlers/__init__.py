"""Importing this package registers every handler with bot.routes.ROUTES."""

from bot.handlers import admin, cases, casework, help, refer, reminders, removal, report  # noqa: F401
