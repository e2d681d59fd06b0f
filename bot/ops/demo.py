"""Load the demonstration data (two fictional authorities and their schools, a role for every playground
identity, and the second authority's tracking officer)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config import ROOT
from cme.roles import Role
from storage.store import Store

DEMO_FILE = ROOT / "demo" / "demo.toml"


def read_demo(path: Path = DEMO_FILE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


async def load_demo(store: Store, data: dict | None = None) -> list[str]:
    data = data or read_demo()
    actor = "demo data"
    done = []
    authorities = {}
    for authority in [{"name": data["authority"], "channel": data.get("authority_channel")},
                      *data.get("other_authority", [])]:
        info = await store.schools.add_authority(authority["name"], actor=actor, channel_id=authority.get("channel"))
        authorities[info.name] = info
        done.append(f"local authority {info.name}")
    schools = {}
    for school in data.get("school", []):
        info = await store.schools.add(school["urn"], school["name"], school.get("authority", data["authority"]),
                                       actor=actor, reminders_channel_id=school.get("reminders_channel"))
        schools[school["urn"]] = info
        done.append(f"school {info.urn} {info.name} ({info.authority})")
    for person in data.get("person", []):
        role = Role(person["role"])
        school = schools[person["school"]] if person.get("school") else None
        authority = authorities[person.get("authority", data["authority"])]
        await store.people.grant(person["aad_object_id"], role, actor=actor, name=person["name"],
                                 school_id=school.id if school else None,
                                 authority_id=authority.id if role.needs_authority or person.get("authority") else None)
        scoped = role.needs_authority or person.get("authority")
        done.append(f"{person['name']}: {role.label}" + (f" at {school.name}" if school else
                                                         f" in {authority.name}" if scoped else ""))
    return done
