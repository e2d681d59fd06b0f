"""Hypothesis strategies for what a careless or hostile client may POST to /api/messages.

A valid Teams envelope with fuzzed fields, every command and card verb with fuzzed data (the report form's
steps with its own fields), activities with conversation, from, value or channelData missing or of the wrong
type, other invokes and activity types, and junk that is not an activity at all. Every string a person could
have typed may carry SENTINEL, so a test can tell whether a typed value reached the log.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from hypothesis import strategies as st

from bot.handlers import all_routes
from cards.report_form import STEPS
from cme.roles import Role
from fakes.teams import BOT, TENANT, User
from tests.scenario.teams import ADAM, AGGIE, EWAN, REMINDERS, RIYA, SAM, STRANGER, TARA, TEAM

SENTINEL = "Fuzzly"
ROUTES = all_routes()
VERBS = sorted(ROUTES.actions)
COMMANDS = sorted(word for word in ROUTES.commands if word)
REPORT_VERBS = sorted(verb for verb in VERBS if verb.startswith("report."))
REPORT_FIELDS = sorted({key for step in STEPS for key in step})
USERS = (SAM, RIYA, EWAN, TARA, AGGIE, ADAM, STRANGER)
DATE_KEYS = ("start_date", "break_on", "when", "off_roll_date", "return_sent_on", "ctf_sent_on", "date_of_birth",
             "first_day_absent", "last_day_attended")
# Keys the handlers read from card data, beyond the report form's inputs.
DATA_KEYS = ("case", "step", "form", "draft", "request", "why", "note", "outcome", "school", "school_id", "person",
             "role", "tenant", "team", "channel", "authority", "authority_channel", "urn", "name", "kind", "key",
             "milestone", "offset", "grant", "notified", "new_school", "forwarding_address", "details",
             "aad_object_id", "break_kind", "reminders_channel", "confirm", "tests", *DATE_KEYS)

typed = st.one_of(
    st.text(max_size=30),
    st.builds(lambda before, after: f"{before}{SENTINEL}{after}", st.text(max_size=12), st.text(max_size=12)),
    st.sampled_from(["", " ", "0", "-1", "1e309", "null", "true", "[click](http://example.invalid)",
                     "<at>CME Tracker</at>", "x" * 3000, f"Zed {SENTINEL}", "CME-2026-0001", "2026-02-30"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                    st.floats(allow_nan=False), typed)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(typed, inner, max_size=4), max_leaves=12)


@dataclass(frozen=True)
class Known:
    """What exists in the bot's database when the fuzzing starts, so fuzzed data can name it."""

    cases: tuple[str, ...] = ("CME-2026-0001",)
    requests: tuple[str, ...] = ("1",)


def _plausible(key: str, known: Known) -> st.SearchStrategy:
    if key == "case":
        return st.sampled_from([*known.cases, "CME-2026-9999", "CME-1-1"])
    if key == "request":
        return st.sampled_from([*known.requests, "0", "999999", "-5"])
    if key == "step":
        return st.sampled_from(["1", "2", "3", 1, 2, 3, "0", "4", "-1", 0, 99, "2.5"])
    if key in DATE_KEYS:
        return st.one_of(st.dates().map(lambda d: d.isoformat()),
                         st.sampled_from(["2026-11-16", "2026-11-11", "2026-11-10", "2026-13-01", "16/11/2026"]))
    if key == "role":
        return st.sampled_from([role.value for role in Role])
    if key in ("school", "school_id"):
        return st.sampled_from(["1", "2", "3", 1, 2, "999", "0"])
    if key == "draft":
        return st.dictionaries(st.sampled_from(REPORT_FIELDS), st.one_of(typed, json_values), max_size=8)
    if key.startswith("risk_") or key.startswith("confirm"):
        return st.sampled_from(["yes", "no", "true", "false", "unknown"])
    return typed


@st.composite
def card_data(draw, verb: str, known: Known, keys: tuple[str, ...] = DATA_KEYS) -> dict:
    """The verb with some of the keys handlers read, each plausible or any JSON at all."""
    chosen = draw(st.lists(st.sampled_from(keys), max_size=8, unique=True))
    data = {"verb": verb}
    for key in chosen:
        data[key] = draw(st.one_of(_plausible(key, known), _plausible(key, known), json_values))
    return data


@st.composite
def envelope(draw, kind: str = "message", **fields) -> dict:
    """A valid Teams activity from one of the scenarios' people in a personal chat, a channel or a group chat."""
    user: User = draw(st.sampled_from(USERS))
    where = draw(st.sampled_from(["personal", "personal", "channel", "groupChat"]))
    activity = {
        "type": kind, "id": f"act-{uuid.uuid4().hex}", "timestamp": "2026-11-16T09:00:00Z",
        "serviceUrl": "{service_url}", "channelId": "msteams",
        "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "recipient": dict(BOT), "locale": "en-GB", **fields,
    }
    if where == "channel":
        channel = draw(st.sampled_from([TEAM, REMINDERS]))
        activity["conversation"] = {"id": f"{channel};messageid=1", "conversationType": "channel", "isGroup": True,
                                    "tenantId": TENANT}
        activity["channelData"] = {"team": {"id": TEAM}, "channel": {"id": channel}, "tenant": {"id": TENANT}}
        if kind == "message":
            mention = f"<at>{BOT['name']}</at>"
            activity["text"] = f"{mention} {activity.get('text', '')}"
            activity["entities"] = [{"type": "mention", "text": mention, "mentioned": dict(BOT)}]
    elif where == "groupChat":
        activity["conversation"] = {"id": "19:group-fuzz@thread.v2", "conversationType": "groupChat",
                                    "isGroup": True, "tenantId": TENANT}
        activity["channelData"] = {"tenant": {"id": TENANT}}
    else:
        activity["conversation"] = {"id": user.personal_chat, "conversationType": "personal", "tenantId": TENANT}
        activity["channelData"] = {"tenant": {"id": TENANT}}
    return activity


def said(known: Known) -> st.SearchStrategy:
    text = st.one_of(st.sampled_from(COMMANDS), st.builds(lambda c, rest: f"{c} {rest}", st.sampled_from(COMMANDS),
                                                          typed), typed)
    return text.flatmap(lambda words: envelope("message", text=words))


def submitted(known: Known, verbs: list[str] = VERBS, keys: tuple[str, ...] = DATA_KEYS) -> st.SearchStrategy:
    """An Action.Submit: a message whose value carries the verb and the inputs."""
    return st.sampled_from(verbs).flatmap(
        lambda verb: card_data(verb, known, keys).flatmap(
            lambda data: envelope("message", value=data, replyToId=f"m{uuid.uuid4().hex[:6]}")))


def executed(known: Known, verbs: list[str] = VERBS, keys: tuple[str, ...] = DATA_KEYS) -> st.SearchStrategy:
    """An Action.Execute: an adaptiveCard/action invoke."""
    def invoke(verb: str, data: dict) -> st.SearchStrategy:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        return envelope("invoke", name="adaptiveCard/action", value=value)
    return st.sampled_from(verbs).flatmap(lambda verb: card_data(verb, known, keys).flatmap(
        lambda data: invoke(verb, data)))


def report_steps(known: Known) -> st.SearchStrategy:
    """The report form's Next, Back, Cancel and Submit with its own fields fuzzed, by submit or invoke."""
    keys = (*REPORT_FIELDS, "step", "form", "draft")
    return st.one_of(submitted(known, REPORT_VERBS, keys), executed(known, REPORT_VERBS, keys))


@st.composite
def odd_invokes(draw) -> dict:
    """Invokes Teams may send that the bot has no use for, and adaptiveCard/action of the wrong shape."""
    name = draw(st.one_of(st.sampled_from(["adaptiveCard/action", "task/fetch", "task/submit", "composeExtension/query",
                                           "signin/verifyState", "healthCheck", "actionableMessage/executeAction",
                                           "fileConsent/invoke", "message/submitAction", ""]), typed))
    value = draw(st.one_of(json_values, st.fixed_dictionaries({"action": json_values}),
                           st.fixed_dictionaries({"action": st.fixed_dictionaries(
                               {"type": st.just("Action.Execute"), "verb": json_values, "data": json_values})})))
    return draw(envelope("invoke", name=name, value=value))


def other_types() -> st.SearchStrategy:
    kinds = st.sampled_from(["conversationUpdate", "installationUpdate", "messageReaction", "typing", "event",
                             "messageUpdate", "messageDelete", "endOfConversation", "trace", "handoff"])
    extra = st.dictionaries(st.sampled_from(["action", "membersAdded", "membersRemoved", "reactionsAdded", "name",
                                             "value", "text"]), json_values, max_size=3)
    return st.tuples(kinds, extra).flatmap(lambda pair: envelope(pair[0], **pair[1]))


ENVELOPE_KEYS = ("conversation", "from", "recipient", "channelData", "value", "serviceUrl", "id", "type", "text",
                 "entities", "replyToId", "timestamp", "locale", "name", "channelId", "attachments", "membersAdded")
NESTED = {"conversation": ("id", "conversationType", "tenantId", "isGroup"),
          "from": ("id", "name", "aadObjectId"), "recipient": ("id", "name"),
          "channelData": ("tenant", "team", "channel")}


@st.composite
def broken(draw, activity: dict) -> dict:
    """An activity with one to three fields missing or of the wrong type."""
    activity = json.loads(json.dumps(activity))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(ENVELOPE_KEYS))
        nested = NESTED.get(key)
        if nested and isinstance(activity.get(key), dict) and draw(st.booleans()):
            inner = draw(st.sampled_from(nested))
            if draw(st.booleans()):
                activity[key].pop(inner, None)
            else:
                activity[key][inner] = draw(json_values)
        elif draw(st.booleans()) or key == "serviceUrl":
            activity.pop(key, None)
        else:
            activity[key] = draw(json_values)
    return activity


def junk() -> st.SearchStrategy:
    """Bodies that are not an activity: other JSON, broken JSON, bytes."""
    return st.one_of(
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda text: ("{" + text).encode("utf-8", "surrogatepass")),
        st.dictionaries(typed, json_values, max_size=5).map(lambda value: json.dumps(value).encode()),
    )


def activities(known: Known) -> st.SearchStrategy:
    """Everything: as Teams would send it, broken, or not an activity at all. A body is bytes, else a dict."""
    valid = st.one_of(said(known), submitted(known), executed(known), report_steps(known), odd_invokes(),
                      other_types())
    return st.one_of(valid, valid, valid, valid.flatmap(broken), junk())


def label(body: dict | bytes) -> str:
    """What kind of request a body is, for the run's summary."""
    if not isinstance(body, dict):
        return "junk"
    value = body.get("value")
    if body.get("type") == "invoke" and isinstance(value, dict) and isinstance(value.get("action"), dict):
        verb = value["action"].get("verb")
        return f"invoke {verb}" if isinstance(verb, str) and verb in ROUTES.actions else "invoke (other)"
    if body.get("type") == "message" and isinstance(value, dict):
        verb = value.get("verb")
        return f"submit {verb}" if isinstance(verb, str) and verb in ROUTES.actions else "submit (other)"
    return str(body.get("type"))[:20] if isinstance(body.get("type"), str) else "no type"
