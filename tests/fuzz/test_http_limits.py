"""The HTTP server refuses what no Teams activity looks like before it costs anything: a body too big is
refused unread, a body that does not arrive is abandoned."""

from __future__ import annotations

import asyncio

import pytest

from bot.teams import gateway

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# How long the bot may take beyond its own bounds to answer and close (a loaded machine).
SLACK = 3.0


async def _open(teams) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    server = teams.client.server
    return await asyncio.open_connection(server.host, server.port)


def _headers(length: int | None, *, chunked: bool = False) -> bytes:
    lines = ["POST /api/messages HTTP/1.1", "Host: localhost", "Content-Type: application/json"]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _answer_and_close(reader: asyncio.StreamReader, within: float) -> tuple[int, float]:
    """The status the server answered with, and how long until it also closed the connection."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    received = await asyncio.wait_for(reader.read(), within)  # read() returns once the server has closed
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/1.1 ") else 0
    return status, loop.time() - started


async def test_a_huge_content_length_is_refused_at_once_unread(teams):
    reader, writer = await _open(teams)
    writer.write(_headers(10 ** 12) + b'{"type": "message", "text": "')
    await writer.drain()
    loop = asyncio.get_running_loop()
    started = loop.time()
    status_line = await asyncio.wait_for(reader.readline(), gateway.BODY_SECONDS)
    assert status_line.split()[1] == b"413"
    assert loop.time() - started < 1.0, "the 413 waited for the body"
    await _answer_and_close(reader, gateway.LINGER_SECONDS + SLACK)  # and the connection is closed
    writer.close()


async def test_a_body_over_the_limit_without_a_length_is_refused(teams):
    reader, writer = await _open(teams)
    chunk = b"x" * 65536
    writer.write(_headers(None, chunked=True))
    for _ in range(gateway.MAX_BODY_BYTES // len(chunk) + 1):
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    await writer.drain()
    status, _ = await _answer_and_close(reader, gateway.BODY_SECONDS)
    writer.close()
    assert status == 413


async def test_slow_bodies_are_abandoned_and_their_connections_closed(teams, monkeypatch):
    monkeypatch.setattr(gateway, "BODY_SECONDS", 0.5)
    connections = [await _open(teams) for _ in range(100)]
    for _, writer in connections:
        writer.write(_headers(1000) + b'{"type": "message", ')
    bound = gateway.BODY_SECONDS + gateway.LINGER_SECONDS + SLACK
    answers = await asyncio.gather(*(_answer_and_close(reader, bound) for reader, _ in connections))
    for _, writer in connections:
        writer.close()
    assert {status for status, _ in answers} == {408}
    assert max(took for _, took in answers) < bound


async def test_an_activity_of_ordinary_size_is_still_answered(teams):
    from tests.scenario.teams import SAM

    activity = teams.activity(SAM, text="help " + "x" * 100_000)
    status, _ = await teams.post(activity)
    assert status in (200, 201)
