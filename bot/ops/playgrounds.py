"""One Agents Playground config per demonstration person, generated from demo/playground.yml.

The playground lets its `currentUser` alone write in the personal chat and type messages, so `make run`
starts one playground per person with a role in demo/demo.toml: the same bot, tenant, team, channels and
group chat as demo/playground.yml in each, that person as `currentUser`, five others as its users, and a
personal chat of their own.

    python -m bot.ops.playgrounds --dir var/playgrounds [--as tara,sam]

writes `<key>.yml` for each person asked for (everyone by default, in the file's order) and prints one
line per person, tab-separated: port offset, key, name, role, personal chat id (URL-quoted), and the team to install
the bot in from their playground (URL-quoted; "-" for the shared team). A person's port offset is their place in
demo/demo.toml, so each keeps the same address whoever else is started.

A person of another authority with a channel of its own (Nadia North, Northfield Council (fictional)) gets that
authority's team in their playground instead: a playground holds one team with General and at most one more channel,
and the shared team's are Example Borough's General and CME reminders. Northfield's channel is its team's General, so
the bot, installed in it from Nadia's playground, posts Northfield's nameless lines (a hand-off to accept) there.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from bot.config import ROOT
from bot.ops.demo import read_demo
from cme.roles import Role

PLAYGROUND_FILE = ROOT / "demo" / "playground.yml"


@dataclass(frozen=True)
class DemoPerson:
    offset: int
    key: str  # the given name in lower case: what `make run AS=...` takes
    name: str
    role: str
    identity: dict
    team: dict | None = None  # their authority's own team, when it has a channel of its own (another authority)

    @property
    def personal_chat_id(self) -> str:
        return "a:personal-chat-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def read_playground(path: Path = PLAYGROUND_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _role(person: dict, demo: dict) -> str:
    schools = {school["urn"]: school["name"] for school in demo.get("school", [])}
    where = schools.get(person.get("school", "")) or person.get("authority")
    return f"{Role(person['role']).label}, {where}" if where else Role(person["role"]).label


def _identity(person: dict, known: dict[str, dict]) -> dict:
    """The person's playground identity: theirs in demo/playground.yml, else one made like those."""
    if person["aad_object_id"] in known:
        return known[person["aad_object_id"]]
    given, _, surname = person["name"].partition(" ")
    handle = f"{given}.{surname}".lower().replace(" ", "")
    return {"id": "29:" + handle.replace(".", "-"), "name": person["name"], "userPrincipleName": f"{handle}@demo.example",
            "aadObjectId": person["aad_object_id"], "givenName": given, "surname": surname,
            "email": f"{handle}@demo.example"}


def _own_team(person: dict, demo: dict, playground: dict) -> dict | None:
    """The team of the person's authority, when it is another than the shared team's and has a channel: its
    General channel is that channel (the team id), with no other."""
    channels = {other["name"]: other.get("channel") for other in demo.get("other_authority", [])}
    channel = channels.get(person.get("authority", ""))
    if not channel or channel == playground["team"]["id"]:
        return None
    number = sum(map(ord, channel)) % 0xFFFFFFFFFFFF
    return {"id": channel, "name": f"{person['authority']} CME", "aadGroupId": f"00000000-0000-4000-8000-{number:012x}",
            "channels": []}


def demo_people(playground: dict | None = None, demo: dict | None = None) -> list[DemoPerson]:
    """Everyone with a role in demo/demo.toml, in its order (their port offset)."""
    playground = playground or read_playground()
    demo = demo or read_demo()
    known = {who["aadObjectId"]: who for who in [playground["currentUser"], *playground["users"]]}
    return [DemoPerson(n, person["name"].split(" ")[0].lower(), person["name"], _role(person, demo),
                       _identity(person, known), _own_team(person, demo, playground))
            for n, person in enumerate(demo.get("person", []))]


def choose(people: list[DemoPerson], wanted: str) -> list[DemoPerson]:
    """The people named in `wanted` ('tara,sam': given names, any case), in that order; empty means all."""
    keys = [key.strip().lower() for key in wanted.split(",") if key.strip()]
    by_key = {person.key: person for person in people}
    unknown = [key for key in keys if key not in by_key]
    if unknown:
        raise ValueError(f"no demonstration person {', '.join(unknown)}: choose from {', '.join(by_key)}")
    return [by_key[key] for key in dict.fromkeys(keys)] or people


def config_for(playground: dict, person: DemoPerson) -> dict:
    """The playground config in which `person` is the current user and everyone else a member."""
    config = copy.deepcopy(playground)
    config["currentUser"] = copy.deepcopy(person.identity)
    # the playground takes exactly five users: the file's six people, less this one (or its last)
    members = [who for who in [playground["currentUser"], *playground["users"]]
               if who["aadObjectId"] != person.identity["aadObjectId"]]
    config["users"] = copy.deepcopy(members[:5])
    config["personalChat"] = {"id": person.personal_chat_id}
    if person.team:
        config["team"] = copy.deepcopy(person.team)
    return config


def port_free(port: int) -> bool:
    """Whether the port can be listened on; binding, since a connect to a free port can connect to itself."""
    with socket.socket(socket.AF_INET6) as probe:
        probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # as node listens: IPv6 and IPv4,
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past connections' TIME_WAIT
        try:
            probe.bind(("::", port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ops.playgrounds", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=Path, help="where to write <key>.yml")
    parser.add_argument("--as", dest="wanted", default="", help="given names, comma-separated (default: all)")
    parser.add_argument("--port", type=int, help="the first person's port: refuse if a chosen person's is taken")
    parser.add_argument("--team-id", action="store_true", help="only print the team's id, URL-quoted")
    args = parser.parse_args(argv)
    playground = read_playground()
    if args.team_id:
        print(quote(playground["team"]["id"], safe=""))
        return 0
    people = demo_people(playground)
    try:
        chosen = choose(people, args.wanted)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    taken = [f"{person.name}'s port {args.port + person.offset}" for person in chosen
             if args.port is not None and not port_free(args.port + person.offset)]
    if taken:
        print(f"in use: {', '.join(taken)}: stop what runs there, or set PLAYGROUND_PORT", file=sys.stderr)
        return 1
    args.dir.mkdir(parents=True, exist_ok=True)
    for person in chosen:
        # JSON is YAML, and needs no YAML writer's choices about quoting the ids' colons
        (args.dir / f"{person.key}.yml").write_text(json.dumps(config_for(playground, person), indent=1))
        print("\t".join((str(person.offset), person.key, person.name, person.role,
                         quote(person.personal_chat_id, safe=""), quote(person.team["id"], safe="") if person.team
                         else "-")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
