"""Alembic environment: runs on a connection handed over by storage.migrate, or on its own URL."""

import asyncio

from alembic import context
from sqlalchemy import pool, text

from storage.engine.db import async_url, create_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several instances may start at once: one migrates, the others wait and find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_engine(async_url(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run_migrations(config.attributes["connection"])
else:
    asyncio.run(run_async_migrations())
