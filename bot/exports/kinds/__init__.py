"""One module per export kind; each registers itself with `@export_kind(...)` (see bot/exports/__init__.py)."""
