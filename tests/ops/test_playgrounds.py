"""`make run` gives every demonstration person a playground config of their own, from demo/playground.yml,
and the README's "Try it as each person" table says who is where."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import ROOT
from bot.ops.demo import read_demo
from bot.ops.playgrounds import choose, config_for, demo_people, main, read_playground


def test_sams_config_is_the_repository_playground_so_make_run_is_as_before():
    playground = read_playground()
    people = demo_people(playground)
    assert people[0].name == "Sam Staff" and people[0].offset == 0
    assert config_for(playground, people[0]) == playground


def test_every_demo_person_is_the_current_user_of_one_config_in_the_same_team(tmp_path):
    assert main(["--dir", str(tmp_path)]) == 0
    playground = read_playground()
    demo_names = {person["name"] for person in read_demo()["person"]}
    configs = {path.stem: yaml.safe_load(path.read_text()) for path in tmp_path.glob("*.yml")}
    assert {config["currentUser"]["name"] for config in configs.values()} == demo_names
    six = {p["aadObjectId"] for p in [playground["currentUser"], *playground["users"]]}
    for config in configs.values():
        assert len(config["users"]) == 5, "the playground takes exactly five other users"
        users = {p["aadObjectId"] for p in config["users"]}
        assert config["currentUser"]["aadObjectId"] not in users and users <= six
        for same in ("tenantId", "bot", "groupChat"):
            assert config[same] == playground[same], same
        if config["currentUser"]["name"] != "Nadia North":  # a card posted in the team is in the same channel
            assert config["team"] == playground["team"]
    assert len({config["personalChat"]["id"] for config in configs.values()}) == len(configs)


def test_nadias_playground_holds_northfields_own_team_whose_general_is_its_channel(tmp_path, capsys):
    """A playground holds one team with General and at most one more channel: Example Borough's team has its
    General and CME reminders, so Northfield's channel is the General of a team of its own, in Nadia's playground,
    and `make run` installs the bot there from hers (the last column)."""
    north = next(other["channel"] for other in read_demo()["other_authority"])
    assert main(["--dir", str(tmp_path), "--as", "tara,nadia"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(line[1], line[5]) for line in lines] == [("tara", "-"), ("nadia", "19%3Acme-northfield%40thread.tacv2")]
    team = yaml.safe_load((tmp_path / "nadia.yml").read_text())["team"]
    assert team["id"] == north and team["channels"] == [] and "Northfield" in team["name"]
    assert yaml.safe_load((tmp_path / "tara.yml").read_text())["team"] == read_playground()["team"]


def test_as_picks_people_by_given_name_in_the_order_given_and_refuses_others(tmp_path, capsys):
    people = demo_people()
    assert [p.name for p in choose(people, "Tara, sam")] == ["Tara Tracker", "Sam Staff"]
    assert choose(people, "") == people
    with pytest.raises(ValueError, match="no demonstration person bob: choose from sam, riya, ewan, tara"):
        choose(people, "tara,bob")
    assert main(["--dir", str(tmp_path), "--as", "ewan"]) == 0
    assert capsys.readouterr().out.split("\t")[:4] == ["2", "ewan", "Ewan Welfare", "Education Welfare Service officer"]
    assert [p.name for p in tmp_path.iterdir()] == ["ewan.yml"]


def test_the_readme_lists_each_person_with_their_role_and_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Try it as each person", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\w+ \w+) \| (.+?) \| http://localhost:(\d+) \|", section, re.M)
    people = demo_people()
    assert [(name, port) for name, _, port in rows] == [(p.name, str(56150 + p.offset)) for p in people], (
        f"the README should list {[(p.name, p.role, 56150 + p.offset) for p in people]}")
    for (name, role, _), person in zip(rows, people, strict=True):
        assert person.role.split(",")[0].lower() in role.lower(), (name, role, person.role)
