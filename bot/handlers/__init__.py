"""Handlers by command word and card verb; all_routes() is the one table of them."""

from bot.handlers import (
    admin,
    cases,
    casework,
    census,
    copp,
    deletion_return,
    expected_starters,
    exports,
    handoff,
    help,
    law,
    records,
    refer,
    register,
    reminders,
    removal,
    report,
    stats,
    tracking,
)
from bot.routes import Routes


def all_routes() -> Routes:
    """Every command and card verb the bot answers, for the dispatcher (and `help`)."""
    routes = Routes()
    for handlers in (admin, cases, casework, help, refer, reminders, removal, report, copp, register,
                     expected_starters, tracking, handoff, stats, deletion_return, census, law, exports, records):  # help lists in this order
        routes.include(handlers.routes)
    return routes
