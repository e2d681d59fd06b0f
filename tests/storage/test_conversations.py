"""A person's first messages arriving together save their personal chat once, and no turn fails for it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHATS = 20

# Waits for "go" on standard input, then saves the same new personal chats as the other processes.
SAVER = f"""
import asyncio, sys
from storage.store import Store

async def main():
    store = Store.from_url(sys.argv[1])
    await store.ping()
    print("ready", flush=True)
    sys.stdin.readline()
    fresh = 0
    for n in range({CHATS}):
        chat = f"a:personal-{{n}}"
        fresh += await store.conversations.save(chat, "personal", {{"conversation": {{"id": chat}}}},
                                                aad_object_id=f"aad-{{n}}")
    await store.close()
    print(fresh)

asyncio.run(main())
"""


def reference(conversation_id: str) -> dict:
    return {"conversation": {"id": conversation_id}, "serviceUrl": "http://localhost/_connector"}


async def test_many_first_saves_of_one_personal_chat_at_once_all_succeed(store):
    saves = [store.conversations.save("a:personal-new", "personal", reference("a:personal-new"),
                                      aad_object_id="aad-new-staff") for _ in range(30)]
    fresh = await asyncio.gather(*saves, return_exceptions=True)
    assert [f for f in fresh if isinstance(f, BaseException)] == []
    assert fresh.count(True) == 1, "exactly one save found the chat new (one welcome)"
    chat = await store.conversations.personal_chat("aad-new-staff")
    assert chat.conversation_id == "a:personal-new" and chat.alive


async def test_a_save_keeps_what_it_is_not_told_and_brings_a_dead_chat_back_once(store):
    await store.conversations.save("19:channel", "channel", reference("19:channel"), team_id="19:team")
    assert not await store.conversations.save("19:channel", "channel", reference("19:channel"))
    assert (await store.conversations.get("19:channel")).team_id == "19:team"
    await store.conversations.mark_dead("19:channel", "the app was removed")
    back = await asyncio.gather(*(store.conversations.save("19:channel", "channel", reference("19:channel"))
                                  for _ in range(10)))
    assert back.count(True) == 1
    assert (await store.conversations.get("19:channel")).alive


async def test_first_saves_from_several_processes_at_once_never_fail(database_url):
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, database_url], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        for saver in savers:
            assert saver.stdout.readline().strip() == "ready", saver.stderr.read()
        for saver in savers:
            saver.stdin.write("go\n")
            saver.stdin.flush()
        done = [await asyncio.to_thread(saver.communicate, timeout=120) for saver in savers]
    finally:
        for saver in savers:
            if saver.poll() is None:
                saver.kill()
    assert [saver.returncode for saver in savers] == [0] * len(savers), [err[-2000:] for _out, err in done]
    assert sum(int(out.split()[-1]) for out, _err in done) == CHATS, "each chat was new to exactly one save"
    store = Store.from_url(database_url)
    try:
        assert [(await store.conversations.personal_chat(f"aad-{n}")).conversation_id for n in range(CHATS)] == [
            f"a:personal-{n}" for n in range(CHATS)]
    finally:
        await store.close()
