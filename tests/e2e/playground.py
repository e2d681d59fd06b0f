"""Drive the Microsoft 365 Agents Playground (a local Teams + Bot Connector emulator) from pytest.

One `Playground` per test session: a fresh node process on a free port with its own config, log and
working directory, plus a WebSocket listener that records every bot output event::

    pg = Playground("http://127.0.0.1:3978/api/messages", "path/to/m365agentsplayground.yml")  # or a dict
    await pg.start()                      # start the bot first: the playground waits for it
    mark = pg.mark()
    await pg.say(pg.personal_chat_id, "hello")
    ev = await pg.expect(lambda e: "hello" in text_of(e), since=mark, what="echo")
    await pg.stop()

Events are the WebSocket messages as sent: ``{"action": "createMessage" | "updateMessage" | "typing",
"actionConversationId": ..., "message": {"messageId", "text", "attachments", "postConversationId"?, ...}}``.
See /work/shared/teams/PLAYGROUND.md for the protocol.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from tests.e2e.patience import PATIENCE_S

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CLI = REPO / ".tools/playground/node_modules/@microsoft/m365agentsplayground/cli.js"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

Event = dict[str, Any]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_cli() -> Path:
    cli = Path(os.environ.get("CME_PLAYGROUND_CLI") or DEFAULT_CLI)
    if not cli.is_file():
        raise RuntimeError(f"Agents Playground not found at {cli}: run `make test-deps`")
    if shutil.which("node") is None:
        raise RuntimeError("node is not on PATH: run `make test-deps`")
    return cli


# ---------------------------------------------------------------- event helpers


def text_of(ev: Event) -> str:
    """The text of a message event ('' for typing events and card-only messages)."""
    return (ev.get("message") or {}).get("text") or ""


def cards_of(ev: Event) -> list[dict]:
    """The Adaptive Card contents attached to a message event."""
    atts = (ev.get("message") or {}).get("attachments") or []
    return [
        a["content"] for a in atts if a.get("contentType") == ADAPTIVE and isinstance(a.get("content"), dict)
    ]


def card_text(card: dict) -> str:
    """All TextBlock / RichTextBlock / FactSet text in a card, one piece per line, in document order.

    Walks every nested element (containers, column sets, tables, action sets, show-cards)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "TextBlock" and node.get("text"):
            out.append(str(node["text"]))
        elif kind == "RichTextBlock":
            runs = node.get("inlines") or []
            out.append("".join(r if isinstance(r, str) else str(r.get("text", "")) for r in runs))
            return
        elif kind == "FactSet":
            out.extend(f"{f.get('title', '')} {f.get('value', '')}".strip() for f in node.get("facts") or [])
            return
        for key, value in node.items():
            if isinstance(value, dict | list) and key not in ("fallback", "selectAction"):
                walk(value)

    walk(card)
    return "\n".join(out)


def find_action(card: dict, title: str | None = None, verb: str | None = None) -> dict | None:
    """The first Action.* (anywhere in the card, incl. ActionSets and ShowCards) with this title/verb."""
    if isinstance(card, list):
        return next((a for c in card if (a := find_action(c, title, verb))), None)
    if not isinstance(card, dict):
        return None
    if (
        str(card.get("type", "")).startswith("Action.")
        and (title is None or card.get("title") == title)
        and (verb is None or card.get("verb") == verb)
    ):
        return card
    return next(
        (a for v in card.values() if isinstance(v, dict | list) and (a := find_action(v, title, verb))), None
    )


def describe(ev: Event) -> str:
    msg = ev.get("message") or {}
    what = text_of(ev) or " | ".join(card_text(c).replace("\n", " / ") for c in cards_of(ev))
    return (
        f"{ev.get('action')} conv={ev.get('actionConversationId')} id={msg.get('messageId')}: {what[:300]!r}"
    )


def _short_log_line(line: str, width: int = 300) -> str:
    """Playground log lines carry whole activities as JSON ('... buffering message: {"log": {...}}')."""
    head, sep, payload = line.partition("buffering message: ")
    try:
        log = json.loads(payload)["log"] if sep else None
    except (ValueError, KeyError, TypeError):
        log = None
    if not isinstance(log, dict):
        return line[:width]
    level, text = head.split(" ", 1)[0], str(log.get("displayText", ""))
    if "activityName" not in log:
        return f"{level} {text}"[:width]
    status = (log.get("response") or {}).get("statusCode", "")
    return (
        f"{level} {log.get('from', '')} -> {log.get('to', '')}: {log.get('activityName', '')} "
        f"{status} conv={log.get('conversationId', '')} {text[:120]!r}"
    )[:width]


# ---------------------------------------------------------------- the playground


class Playground:
    """A fresh Agents Playground process driven through its HTTP API and conversation WebSocket.

    `config` is a path to a playground yml (e.g. the repository's own) or a dict (written as JSON, which
    is valid YAML). The process runs in its own temp dir (`workdir`) with its log in `log_path`."""

    def __init__(
        self,
        bot_endpoint: str,
        config: str | Path | dict,
        *,
        port: int | None = None,
        cli: str | Path | None = None,
        start_timeout: float = PATIENCE_S,
    ):
        self.cli = Path(cli) if cli else find_cli()
        self.bot_endpoint = bot_endpoint
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="cme-playground-"))
        self.config_path = self.workdir / "m365agentsplayground.yml"
        if isinstance(config, dict):
            self.config_path.write_text(json.dumps(config, indent=1))
        else:
            self.config_path.write_text(Path(config).read_text())
        self.log_path = self.workdir / "playground.log"
        self.config: dict = {}
        self.events: list[Event] = []
        self._mark = 0
        self._arrived = asyncio.Event()
        self._proc: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._listener: asyncio.Task | None = None
        self._ws_error: str | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> Playground:
        """Start node, wait for GET /_internal/v1/config (which itself waits for the bot) and attach the WS."""
        env = dict(
            os.environ,
            TEAMSAPPTESTER_BROWSER="none",
            M365_AGENTS_PLAYGROUND_CONFIG_PATH=str(self.config_path),
            M365_AGENTS_PLAYGROUND_LOGFILE=str(self.log_path),
        )
        # stdout/stderr go straight into the log file (O_APPEND, shared with node's own logger): no pipe
        # that could fill up and block node
        log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                "node",
                str(self.cli),
                "start",
                "-e",
                self.bot_endpoint,
                "--disable-telemetry",
                "-p",
                str(self.port),
                cwd=self.workdir,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            os.close(log)
        return await self._connect()

    async def _connect(self) -> Playground:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        try:
            await self._wait_ready()
            self._ws = await self._session.ws_connect(f"{self.url}/_ws_conversation/v1/conversations/stream")
        except BaseException:
            await self.stop()
            raise
        self._listener = asyncio.create_task(self._listen())
        return self

    @classmethod
    async def attach(cls, url: str, log_path: str | Path) -> Playground:
        """Drive a playground something else started (e.g. scripts/run-demo.sh); `stop` leaves it running."""
        playground = cls.__new__(cls)
        playground.__dict__.update(
            url=url.rstrip("/"), port=int(url.rstrip("/").rsplit(":", 1)[1]), log_path=Path(log_path),
            start_timeout=PATIENCE_S, config={}, events=[], _mark=0, _arrived=asyncio.Event(), _proc=None,
            _session=None, _ws=None, _listener=None, _ws_error=None)
        return await playground._connect()

    async def _wait_ready(self) -> None:
        assert self._session is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc is not None and self._proc.returncode is not None:
                raise RuntimeError(f"playground exited with {self._proc.returncode}\n{self.log_tail()}")
            try:
                async with self._session.get(f"{self.url}/_internal/v1/config") as r:
                    if r.status == 200:
                        self.config = await r.json()
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"playground not ready after {self.start_timeout}s on {self.url}\n{self.log_tail()}"
                )
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """Close the WebSocket and HTTP session, terminate node (kill after 5 s). Idempotent."""
        if self._listener:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), 5)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()

    async def __aenter__(self) -> Playground:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _listen(self) -> None:
        assert self._ws is not None
        try:
            async for msg in self._ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.events.append(json.loads(msg.data))
                    done, self._arrived = self._arrived, asyncio.Event()
                    done.set()
            self._ws_error = f"websocket closed ({self._ws.close_code})"
        except Exception as e:  # noqa: BLE001 - recorded for the diagnostics of a failed expect
            self._ws_error = f"websocket listener died: {e!r}"

    # ------------------------------------------------------------ ids

    @property
    def cfg(self) -> dict:
        return self.config["config"]

    @property
    def personal_chat_id(self) -> str:
        return self.cfg["personalChat"]["id"]

    @property
    def group_chat_id(self) -> str:
        return self.cfg["groupChats"][0]["id"]

    @property
    def team_id(self) -> str:
        """The team id, which is also the General channel's conversation id."""
        return self.cfg["teams"][0]["id"]

    def channel_id(self, name: str = "General") -> str:
        for ch in self.cfg["teams"][0]["channels"]:
            if ch["name"] == name:
                return ch["id"]
        raise KeyError(f"no channel {name!r}")

    @property
    def bot_id(self) -> str:
        return self.cfg["bot"]["id"]

    @property
    def bot_name(self) -> str:
        return self.cfg["bot"]["name"]

    @property
    def me(self) -> dict:
        """The current user (the one the UI and `say` act as)."""
        return self.cfg["currentUser"]

    def user(self, key: str) -> dict:
        """A configured user (current user included) by id, name, given name, aadObjectId or UPN/email."""
        for u in [self.cfg["currentUser"], *self.cfg["users"]]:
            if key in (
                u.get("id"),
                u.get("name"),
                u.get("givenName"),
                u.get("aadObjectId"),
                u.get("userPrincipleName"),
                u.get("email"),
            ):
                return u
        raise KeyError(f"no user {key!r}")

    def user_id(self, key: str) -> str:
        return self.user(key)["id"]

    # ------------------------------------------------------------ events

    def mark(self) -> int:
        """Remember "now" in the event stream; take it BEFORE acting, then `expect(..., since=mark)`."""
        self._mark = len(self.events)
        return self._mark

    def events_since(self, mark: int, pred: Callable[[Event], bool] | None = None) -> list[Event]:
        """Events recorded after `mark` (optionally only those matching `pred`)."""
        return [e for e in self.events[mark:] if pred is None or pred(e)]

    async def expect(
        self,
        pred: Callable[[Event], bool],
        timeout: float = PATIENCE_S,  # noqa: ASYNC109 - the harness API takes a timeout on purpose
        what: str = "event",
        since: int | None = None,
    ) -> Event:
        """The first event after `since` (default: the last `mark()`) that matches `pred`, waiting up to
        `timeout` s. Raises TimeoutError with the recent events and the playground log tail."""
        start = self._mark if since is None else since
        i = start
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            while i < len(self.events):
                ev = self.events[i]
                i += 1
                if pred(ev):
                    return ev
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(self._diagnose(f"timed out after {timeout}s waiting for {what}", start))
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                pass

    def _diagnose(self, headline: str, start: int) -> str:
        lines = [headline, f"events since mark ({len(self.events) - start} of {len(self.events)}), last 8:"]
        lines += [f"  #{start + n}: {describe(e)}" for n, e in enumerate(self.events[start:])][-8:]
        if self._ws_error:
            lines.append(self._ws_error)
        if self._proc is not None and self._proc.returncode is not None:
            lines.append(f"playground process exited with {self._proc.returncode}")
        lines.append(self.log_tail())
        return "\n".join(lines)

    def log_tail(self, n: int = 15) -> str:
        """The last `n` lines of the playground log, activity records shortened to one line each."""
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-n:]
        except OSError:
            tail = []
        return f"--- tail of {self.log_path}:\n" + "\n".join(_short_log_line(line) for line in tail)

    # ------------------------------------------------------------ actions

    async def _post(self, path: str, body: dict) -> Any:
        """POST JSON; the parsed JSON answer (None if empty). RuntimeError on HTTP >= 400."""
        assert self._session is not None, "call start() first"
        async with self._session.post(self.url + path, json=body) as r:
            text = await r.text()
            if r.status >= 400:
                raise RuntimeError(f"POST {path} -> {r.status}: {text}\n{self.log_tail(5)}")
            return json.loads(text) if text.strip() else None

    def _mention(self, text: str) -> tuple[str, dict]:
        tag = f"<at>{self.bot_name}</at>"
        return f"{tag} {text}", {"mentioned": {"id": self.bot_id, "name": self.bot_name}, "text": tag}

    async def say(self, conv_id: str, text: str, mention: bool = False) -> dict:
        """Send text as the current user. In group chats and channels the bot only hears it with mention=True.
        Returns ``{"messageId", "timestamp", "postConversationId"?}``; a new channel post's replies go to
        ``postConversationId`` (``<channel>;messageid=<id>``), which is also how to reply in that thread."""
        body: dict = {"from": {"id": self.me["id"]}, "text": text, "textFormat": "plain"}
        if mention:
            body["text"], m = self._mention(text)
            body["mentions"] = [m]
        return await self._post(f"/_conversation/v1/conversations/{quote(conv_id, safe='')}/messages", body)

    async def say_as(self, user_id: str, conv_id: str, text: str, mention: bool = False) -> dict:
        """Send text as any configured user, by injecting a raw activity through /_internal/v1/customActivities.

        What the playground offers and what works (0.2.28):
        - template types: install, uninstall, userAdded, userRemoved, botAdded, botRemoved, channelCreated,
          channelRenamed, channelDeleted, teamRenamed, teamDeleted, sendEmail, mentionInWord; there is no
          "message" type. The ``install`` template carries the right envelope (serviceUrl, recipient, tenant,
          team/channel channelData), so it is turned into a message: type, text, from, entities (mention).
        - POST /_internal/v1/customActivities answers 200 at once and forwards the body verbatim to the bot;
          errors only show in the playground log. The injected message is NOT shown in the playground's UI.
        - Works for the personal chat (any user, unlike Teams), the group chat, a channel root (the bot sees
          the channel id without ``;messageid=`` and its reply becomes a new post) and an EXISTING thread
          (``postConversationId`` from an earlier `say`): the template endpoint rejects thread ids, so the
          channel's template is used with the thread id. A made-up ``;messageid=`` thread makes the bot's
          reply fail with ConversationNotFound.
        - Bot replies arrive over the WebSocket like any other. Returns the activity that was sent."""
        assert self._session is not None, "call start() first"
        base = conv_id.split(";", 1)[0]
        async with self._session.get(
            f"{self.url}/_internal/v1/customActivities/template",
            params={"conversationId": base, "type": "install"},
        ) as r:
            act = await r.json()
            if r.status != 200:
                raise RuntimeError(f"customActivities template for {base}: {r.status} {act}")
        user = self.user(user_id)
        chd = act.get("channelData") or {}
        for k in ("source", "settings", "eventType"):
            chd.pop(k, None)
        if "channel" in chd:
            chd.update(teamsChannelId=chd["channel"]["id"], teamsTeamId=chd["team"]["id"])
        act.pop("action", None)
        act["conversation"]["id"] = conv_id
        act["conversation"].pop("name", None)
        act.update(
            type="message",
            text=text,
            textFormat="plain",
            channelData=chd,
            entities=[{"type": "clientInfo", "locale": "en-US", "timezone": "UTC"}],
        )
        act["from"] = {"id": user["id"], "name": user.get("name"), "aadObjectId": user.get("aadObjectId")}
        if mention:
            act["text"], m = self._mention(text)
            act["entities"].append({"type": "mention", **m})
        await self._post("/_internal/v1/customActivities", act)
        return act

    async def submit(self, conv_id: str, reply_to_id: str, value: dict, from_id: str | None = None) -> None:
        """Action.Submit on the card message `reply_to_id` (as `from_id`, default the current user).
        A 200 only means the playground accepted it; the bot's answer comes over the WebSocket."""
        await self._post(
            "/_conversation/v1/submit",
            {
                "conversation": {"id": conv_id},
                "from": {"id": from_id or self.me["id"]},
                "replyToId": reply_to_id,
                "value": value,
            },
        )

    async def invoke(
        self,
        conv_id: str,
        reply_to_id: str,
        verb: str,
        data: dict,
        from_id: str | None = None,
        title: str = "",
    ) -> dict:
        """Action.Execute (adaptiveCard/action invoke) on card message `reply_to_id`; `data` = the action's data
        merged with the input values. Returns the bot's answer as the playground relays it: ``{"type", "value"}``
        (the AdaptiveCardInvokeResponse without its statusCode, e.g. type application/vnd.microsoft.card.adaptive
        with the refreshed card, or application/vnd.microsoft.error). Raises RuntimeError when the bot answered
        a non-2xx HTTP status (the playground then says 502 {"code": "UserBotError", "innerHttpError": ...})."""
        return await self._post(
            "/_conversation/v1/invoke",
            {
                "name": "adaptiveCard/action",
                "value": {"action": {"type": "Action.Execute", "title": title, "verb": verb, "data": data}},
                "from": {"id": from_id or self.me["id"]},
                "conversation": {"id": conv_id},
                "replyToId": reply_to_id,
            },
        )

    async def install(self, conv_id: str) -> None:
        """Send installationUpdate + conversationUpdate(membersAdded) for that conversation (team id = team)."""
        await self._post(f"/_debug/conversation/{quote(conv_id, safe='')}/installation", {})
