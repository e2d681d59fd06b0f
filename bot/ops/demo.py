"""Load the demonstration data (fictional schools, a role for every playground identity)."""

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
    schools = {}
    for school in data.get("school", []):
        info = await store.schools.add(school["urn"], school["name"], data["authority"], actor=actor,
                                       reminders_channel_id=school.get("reminders_channel"))
        schools[school["urn"]] = info
        done.append(f"school {info.urn} {info.name}")
    if data.get("authority_channel"):
        await store.schools.set_authority_channel(data["authority_channel"], actor=actor)
    for person in data.get("person", []):
        role = Role(person["role"])
        school = schools[person["school"]] if person.get("school") else None
        await store.people.grant(person["aad_object_id"], role, actor=actor, name=person["name"],
                                 school_id=school.id if school else None)
        done.append(f"{person['name']}: {role.label}" + (f" at {school.name}" if school else ""))
    return done
