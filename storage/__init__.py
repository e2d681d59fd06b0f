"""The case store: one repository per concept over SQLAlchemy 2 async, the engine layer, Alembic migrations."""
