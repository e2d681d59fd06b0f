"""Canaries: each private internal of a library that a speed-up relies on is still there and still behaves.

One test per internal, listed in docs/ARCHITECTURE.md "Private internals we rely on". When an upgrade
fails one, the message names the library, what changed and the module that relies on it: change that
module (or drop the speed-up) before taking the upgrade.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
from datetime import datetime
from importlib.metadata import version

import adaptive_cards.card as ac
import pydantic
import pytest
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ChannelAccount, ConversationAccount
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.serialization import Deserializer, Serializer
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.sql.compiler import SQLCompiler

from cards.base import as_json
from storage.engine.fair_pool import FairPool, FairQueue
from storage.engine.inline_sqlite import inline_sqlite

DIALECTS = [sqlite.dialect(), postgresql.asyncpg.dialect()]
TABLE = Table("canary", MetaData(), Column("id", Integer, primary_key=True), Column("at", DateTime),
              Column("data", JSON), Column("name", String))


def changed(distribution: str, what: str, where: str) -> str:
    return (f"{distribution} {version(distribution)} changed {what}: {where} relies on it; "
            "see docs/ARCHITECTURE.md 'Private internals we rely on'")


# SQLAlchemy: storage/engine/prepared.py, fair_pool.py, db.py


@pytest.mark.parametrize("dialect", DIALECTS, ids=["SQLite", "PostgreSQL"])
def test_sqlalchemy_compiled_bind_processors(dialect):
    compiled = insert(TABLE).values(at=bindparam("at"), data=bindparam("data")).compile(dialect=dialect)
    processors = getattr(compiled, "_bind_processors", None)
    why = changed("SQLAlchemy", "SQLCompiler._bind_processors (bind name -> the type's processor)",
                  "storage/engine/prepared.py")
    assert isinstance(processors, dict), why
    assert set(processors) <= set(compiled.binds), why
    if dialect.name == "sqlite":  # SQLite stores a DATETIME as text, converted by the processor
        assert processors["at"](datetime(2026, 11, 16, 8, 0)) == "2026-11-16 08:00:00.000000", why


@pytest.mark.parametrize("dialect", DIALECTS, ids=["SQLite", "PostgreSQL"])
def test_sqlalchemy_compiled_result_columns(dialect):
    compiled = select(TABLE.c.id, TABLE.c.at).compile(dialect=dialect)
    columns = getattr(compiled, "_result_columns", None)
    why = changed("SQLAlchemy", "SQLCompiler._result_columns (entries of keyname, name, objects, type)",
                  "storage/engine/prepared.py")
    assert isinstance(columns, list) and len(columns) == 2, why
    assert [column[0] for column in columns] == ["id", "at"], why
    assert isinstance(columns[1][3], DateTime), why


def test_sqlalchemy_type_cached_result_processor():
    method = getattr(DateTime(), "_cached_result_processor", None)
    why = changed("SQLAlchemy", "TypeEngine._cached_result_processor(dialect, coltype)", "storage/engine/prepared.py")
    assert method is not None and list(inspect.signature(method).parameters) == ["dialect", "coltype"], why
    process = method(sqlite.dialect(), None)
    assert process("2026-11-16 08:00:00.000000") == datetime(2026, 11, 16, 8, 0), why


@pytest.mark.parametrize("dialect", DIALECTS, ids=["SQLite", "PostgreSQL"])
def test_sqlalchemy_compiled_positions_and_binds(dialect):
    why = changed("SQLAlchemy", "SQLCompiler.positiontup, .binds, .literal_execute_params or .post_compile_params",
                  "storage/engine/prepared.py")
    compiled = select(TABLE.c.id).where(TABLE.c.name == bindparam("name"), TABLE.c.id == 1).compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler), why
    assert compiled.positiontup[0] == "name" and len(compiled.positiontup) == 2, why
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required and bind.callable is None}
    assert compiled.binds["name"].required and set(fixed.values()) == {1}, why
    assert not compiled.literal_execute_params and not compiled.post_compile_params, why
    expanding = select(TABLE.c.id).where(TABLE.c.id.in_(bindparam("ids", expanding=True))).compile(dialect=dialect)
    assert expanding.literal_execute_params or expanding.post_compile_params, why


async def test_sqlalchemy_greenlet_spawn_and_await():
    try:
        from sqlalchemy.util import await_, greenlet_spawn
    except ImportError:
        pytest.fail(changed("SQLAlchemy", "sqlalchemy.util.greenlet_spawn or await_",
                            "storage/engine/prepared.py and storage/engine/fair_pool.py"))

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert await greenlet_spawn(lambda: await_(answer())) == 42, changed(
        "SQLAlchemy", "greenlet_spawn (runs a function in which await_ awaits)",
        "storage/engine/prepared.py and storage/engine/fair_pool.py")


async def test_sqlalchemy_async_adapted_queue():
    why = changed("SQLAlchemy", "AsyncAdaptedQueuePool._queue_class or AsyncAdaptedQueue (get, _queue)",
                  "storage/engine/fair_pool.py")
    try:
        from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty  # noqa: F401
    except ImportError:
        pytest.fail(why)
    assert AsyncAdaptedQueuePool._queue_class is AsyncAdaptedQueue, why
    assert list(inspect.signature(AsyncAdaptedQueue.get).parameters) == ["self", "block", "timeout"], why
    pool = FairPool(lambda: sqlite3.connect(":memory:"), pool_size=1, max_overflow=0)
    assert isinstance(pool._pool, FairQueue), why
    assert isinstance(pool._pool._queue, asyncio.Queue), why
    pool.dispose()


async def test_sqlalchemy_pool_queue_and_connection_record(tmp_path):
    why = changed("SQLAlchemy", "the pool's queue (_pool) of _ConnectionRecord (dbapi_connection, driver_connection, "
                  "starttime, _soft_invalidate_time, invalidate) and the pool's _invalidate_time, _recycle",
                  "storage/engine/prepared.py (_idle_sqlite)")
    from sqlalchemy.pool.base import _ConnectionRecord

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'canary.db'}", poolclass=FairPool,
                                 pool_size=1, max_overflow=0)
    try:
        async with engine.connect():
            pass  # connected once, then back in the queue
        pool = engine.sync_engine.pool
        queue = pool._pool
        assert isinstance(queue, FairQueue) and not queue.empty() and not queue.waiting(), why
        record = queue.get_nowait()
        assert isinstance(record, _ConnectionRecord), why
        assert record.dbapi_connection is not None and record.driver_connection is not None, why
        assert isinstance(record.starttime, float) and isinstance(record._soft_invalidate_time, (int, float)), why
        assert isinstance(pool._invalidate_time, (int, float)) and pool._recycle == -1, why
        assert callable(record.invalidate), why
        queue.put_nowait(record)
        async with engine.connect() as connection:  # the record put back is the pool's again
            assert (await connection.exec_driver_sql("SELECT 1")).scalar() == 1, why
    finally:
        await engine.dispose()


async def test_sqlalchemy_aiosqlite_async_creator_fn(tmp_path):
    made: list[str] = []

    def creator(database, **kwargs):
        made.append(str(database))
        return inline_sqlite(database, **kwargs)

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'canary.db'}",
                                 connect_args={"async_creator_fn": creator})
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()
    assert made, changed("SQLAlchemy", "the aiosqlite dialect's async_creator_fn connect argument",
                         "storage/engine/db.py")


def test_sqlalchemy_async_sessionmaker_kw_bind():
    engine = create_async_engine("sqlite+aiosqlite://")
    assert async_sessionmaker(engine).kw.get("bind") is engine, changed(
        "SQLAlchemy", "async_sessionmaker.kw['bind']", "storage/engine/db.py (engine_of)")


# aiosqlite: storage/engine/inline_sqlite.py, prepared.py


def test_aiosqlite_connection_internals():
    import aiosqlite

    why = changed("aiosqlite", "Connection(connector, iter_chunk_size), ._execute(fn, ...), ._thread, ._running "
                  "or ._connection", "storage/engine/inline_sqlite.py")
    assert list(inspect.signature(aiosqlite.Connection._execute).parameters) == ["self", "fn", "args", "kwargs"], why
    parameters = inspect.signature(aiosqlite.Connection.__init__).parameters
    assert list(parameters)[1:3] == ["connector", "iter_chunk_size"], why
    connection = inline_sqlite(":memory:")
    assert isinstance(connection._thread, threading.Thread), why
    assert connection._running is True and connection._connection is None, why


async def test_aiosqlite_calls_run_inline_on_the_loop_thread():
    connection = await inline_sqlite(":memory:")
    try:
        await connection.create_function("thread", 0, threading.get_ident)
        async with connection.execute("SELECT thread()") as cursor:
            (ran_on,) = await cursor.fetchone()
        driver = connection._conn
    finally:
        await connection.close()
    assert ran_on == threading.get_ident(), changed(
        "aiosqlite", "Connection._execute (every call passes through it)", "storage/engine/inline_sqlite.py")
    assert isinstance(driver, sqlite3.Connection), changed(
        "aiosqlite", "Connection._conn (the sqlite3 connection)", "storage/engine/prepared.py")


# msrest and botbuilder (botframework-connector): bot/teams/


def test_msrest_model_attribute_map():
    from bot.teams.handler import _InvokeAnswer

    why = changed("msrest", "Model._attribute_map", "bot/teams/handler.py (_InvokeAnswer)")
    assert AdaptiveCardInvokeResponse._attribute_map.get("value", {}).get("key") == "value", why
    answer = _InvokeAnswer(status_code=200, type="application/vnd.microsoft.activity.message", value="Done.")
    assert serializer_helper(answer) == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                                         "value": "Done."}, why


def test_msrest_model_infer_class_models():
    why = changed("msrest", "Model._infer_class_models()", "bot/teams/gateway.py (_Adapter)")
    models = Activity._infer_class_models()
    assert {"Activity", "ChannelAccount", "ConversationAccount"} <= set(models), why
    activity = Deserializer(models)("Activity", {"type": "message", "id": "1", "from": {"id": "29:a", "name": "A"}})
    assert activity.from_property.name == "A", why


def _connector_client() -> ConnectorClient:
    return ConnectorClient(MicrosoftAppCredentials("", ""), base_url="http://127.0.0.1/")


def test_msrest_client_serializers():
    client = _connector_client()
    why = changed("botframework-connector", "ConnectorClient._serialize, shared by its operation groups "
                  "(conversations, attachments)", "bot/teams/connector.py (ConnectorClients._adopt)")
    serializing = {name for name, value in vars(client).items() if not name.startswith("_") and hasattr(value, "_serialize")}
    assert serializing == {"conversations", "attachments"}, why
    assert isinstance(client._serialize, Serializer) and isinstance(client._serialize.dependencies, dict), why
    assert client.conversations._serialize is client._serialize is client.attachments._serialize, why


def test_msrest_service_client_inside_the_connector_client():
    inner = getattr(_connector_client(), "_client", None)
    why = changed("botframework-connector", "ConnectorClient._client (msrest's ServiceClientAsync: get, async_send)",
                  "bot/teams/proactive.py (team_channels, members)")
    assert inner is not None and inspect.iscoroutinefunction(inner.async_send), why
    assert inner.get("http://127.0.0.1/v3/teams/x/conversations").method == "GET", why


def test_msrest_configuration_pipeline_parts():
    config = _connector_client().config
    why = changed("msrest", "the Configuration's pipeline parts (user_agent_policy, http_logger_policy, headers, "
                  "connection.timeout, user_agent, credentials)", "bot/teams/connector.py (ConnectorClients._adopt)")
    for name in ("pipeline", "user_agent_policy", "http_logger_policy", "headers", "user_agent", "credentials"):
        assert hasattr(config, name), why
    assert isinstance(config.connection.timeout, int | float), why


def test_msrest_serializer_validation_and_object_passes():
    from bot.teams.transport import BodySerializer

    why = changed("msrest", "Serializer.client_side_validation, body(data, data_type) or serialize_object(attr)",
                  "bot/teams/transport.py (BodySerializer)")
    assert isinstance(Serializer().client_side_validation, bool), why
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Canary"}]}
    activity = Activity(type="message", text="hi", attachments=[{"contentType": "x", "content": card}],
                        from_property=ChannelAccount(id="28:bot"), conversation=ConversationAccount(id="a:1"))
    models = Activity._infer_class_models()
    assert BodySerializer(models).body(activity, "Activity") == Serializer(models).body(activity, "Activity"), why


def test_botbuilder_turn_context_on_send_activities():
    context = TurnContext(object(), Activity(type="message"))
    why = changed("botbuilder-core", "TurnContext._on_send_activities (the on_send_activities handlers)",
                  "bot/teams/outbox.py (TurnOutbox._botbuilder_only)")
    assert getattr(context, "_on_send_activities", None) == [], why

    async def handler(_context, _activities, next_send):
        return await next_send()

    context.on_send_activities(handler)
    assert context._on_send_activities == [handler], why


# pydantic and adaptive-cards-py: cards/base.py


def test_pydantic_model_rebuild_types_namespace():
    why = changed("pydantic", "BaseModel.model_rebuild(_types_namespace=...) or __pydantic_complete__",
                  "cards/base.py (_complete_the_models)")
    assert "_types_namespace" in inspect.signature(pydantic.BaseModel.model_rebuild).parameters, why
    models = [m for m in vars(ac).values()
              if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m is not pydantic.BaseModel]
    assert models and all(m.__pydantic_complete__ for m in models), why


def test_adaptive_cards_models_walked_as_pydantic_dumps_them():
    why = changed("adaptive-cards-py", "its models (a serializer of their own, or fields outside __dict__)",
                  "cards/base.py (as_json)")
    models = [m for m in vars(ac).values()
              if isinstance(m, type) and issubclass(m, pydantic.BaseModel) and m is not pydantic.BaseModel]
    for model in models:
        decorators = model.__pydantic_decorators__
        assert not decorators.field_serializers and not decorators.model_serializers, f"{model.__name__}: {why}"
    submit = ac.ActionSubmit(title="Save", data={"verb": "canary"}, style="positive")
    built = (ac.AdaptiveCard.new().version("1.5")
             .add_items([ac.TextBlock(text="Fictional Pupil", wrap=True, weight="bolder"),
                         ac.FactSet(facts=[ac.Fact(title="Day", value="5")]),
                         ac.Container(items=[ac.TextBlock(text="line", is_subtle=True)], style="emphasis"),
                         ac.ActionSet(actions=[ac.ActionExecute(title="Go", verb="canary", fallback=submit)])])
             .add_actions([submit]).create())
    assert as_json(built) == built.model_dump(mode="json", exclude_none=True, by_alias=True, warnings=False), why


# holidays: cme/calendar.py


def test_holidays_united_kingdom_module_loads_alone():
    """cme/calendar.py loads holidays/countries/united_kingdom.py by its path (holidays.countries would import all
    279 countries' modules, 8 MB of the daily job); if the file moved it falls back to the whole package, which is
    right but heavier: this says so before an upgrade is taken."""
    import holidays

    from cme.calendar import _united_kingdom

    why = changed("holidays", "the place of the United Kingdom's module (holidays/countries/united_kingdom.py)",
                  "cme/calendar.py (_united_kingdom)")
    loaded = _united_kingdom()
    assert loaded.__module__ == "united_kingdom", why  # the module alone, not the fallback through the package
    years = range(1990, 2061)
    assert set(loaded(subdiv="ENG", years=years)) == set(holidays.country_holidays("GB", subdiv="ENG", years=years)), why
