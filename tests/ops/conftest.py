from __future__ import annotations

import pytest

from tests.databases import postgres_required


@pytest.fixture
async def shared_database(databases):
    """A PostgreSQL database for several `cme-bot serve` processes (SQLite is one process's)."""
    if not postgres_required():
        pytest.skip("CME_TEST_POSTGRES=skip")
    url = await databases["postgresql"].new()
    yield url
    await databases["postgresql"].drop(url)
