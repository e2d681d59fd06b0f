"""Everything Teams: the app, the dispatcher and its routes, handlers, views, sending, the daily job, operations."""
