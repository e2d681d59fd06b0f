"""`make run AS=tara,sam`: each demonstration person in a playground of their own, in front of one bot and
one database. Sam Staff asks for a removal from roll in his; Tara Tracker, in hers, sees her card and the
line in the team's General channel, and agrees there as the browser would (as the playground's own user)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess

import pytest

from bot.ops.playgrounds import port_free
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.removal import LEGAL_TESTS
from tests.e2e.bot_process import ROOT
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import Playground, card_text, find_action, free_port
from tests.e2e.reporting import PUPIL, action_with_verb, card_of, reference_of, report_case, saying

pytestmark = [pytest.mark.e2e]

# Day 21 of an absence on E2E_TODAY, so removal may be agreed today.
ABSENCE = {"first_day_absent": "2026-10-12", "last_day_attended": "2026-10-09", "known_so_far": "Flat empty"}
ROW = re.compile(r"^\s+(\S.*?)\s+http://localhost:(\d+)\s+(\S.*)$")


def base_port() -> int:
    """A first person's port with the next five free too."""
    while True:
        base = free_port()
        if base + 5 < 65536 and all(port_free(base + n) for n in range(6)):
            return base


class RunDemo:
    """scripts/run-demo.sh (what `make run` runs) in a process group of its own, until its banner is out."""

    def __init__(self, tmp_path, people: str) -> None:
        self.dir = tmp_path
        self.env = dict(os.environ, AS=people, PORT=str(free_port()), PLAYGROUND_PORT=str(base_port()),
                        DEMO_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
                        CME_TODAY=E2E_TODAY, CME_SCHEDULER="off")
        self.banner: list[str] = []
        self.proc: subprocess.Popen | None = None

    def start(self) -> dict[str, tuple[str, str]]:
        """{name: (address, role)} as the banner prints them."""
        self.proc = subprocess.Popen(["bash", "scripts/run-demo.sh"], cwd=ROOT, env=self.env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        for line in self.proc.stdout:  # the script ends its banner once everything is up
            self.banner.append(line.rstrip("\n"))
            if "Press Ctrl-C to stop." in line:
                break
        else:
            raise AssertionError("run-demo.sh ended before its banner:\n" + "\n".join(self.banner))
        return {m[1]: (f"http://127.0.0.1:{m[2]}", m[3]) for line in self.banner if (m := ROW.match(line))}

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture
async def tara_and_sam(tmp_path):
    run = RunDemo(tmp_path, "tara,sam")
    try:
        people = await asyncio.wait_for(asyncio.to_thread(run.start), PATIENCE_S)
        assert set(people) == {"Tara Tracker", "Sam Staff"}, "\n".join(run.banner)
        assert people["Tara Tracker"][1] == "CME Pupil Tracking Officer"
        tara = await Playground.attach(people["Tara Tracker"][0], tmp_path / "playgrounds" / "tara.log")
        sam = await Playground.attach(people["Sam Staff"][0], tmp_path / "playgrounds" / "sam.log")
    except BaseException:
        run.stop()
        raise
    yield tara, sam
    await tara.stop()
    await sam.stop()
    run.stop()


async def act(playground, event, verb: str, expect: str, **typed):
    """Press the case card's button with this verb (inputs typed), and wait for the card to say `expect`."""
    action = action_with_verb(card_of(event), verb)
    assert action is not None, f"no {verb} on {card_text(card_of(event))}"
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, event["message"]["messageId"], {**action["data"], **typed})
    this_card = event["message"]["messageId"]
    return await playground.expect(lambda ev: ev["message"]["messageId"] == this_card and saying(expect)(ev),
                                   since=mark, what=verb)


async def ready_for_removal(sam, case):
    """Sam does what removal needs, up to the request."""
    for verb, said, typed in (("case.enquiry", "Phone call logged", {"kind": "phone_call", "outcome": "No answer"}),
                              ("case.enquiry", "Home visit logged", {"kind": "home_visit", "outcome": "Flat empty"}),
                              ("case.ews", "Education Welfare Service contacted", {"note": "Spoke to EWS"})):
        case = await act(sam, case, verb, said, **typed)
    mark = sam.mark()
    await sam.submit(sam.personal_chat_id, case["message"]["messageId"],
                     action_with_verb(card_of(case), "case.checklist.open")["data"])
    checklist = await sam.expect(saying("checklist"), since=mark, what="checklist card")
    mark = sam.mark()
    await sam.submit(sam.personal_chat_id, checklist["message"]["messageId"],
                     {**action_with_verb(card_of(checklist), "case.checklist")["data"],
                      **{f"check_{item}": "true" for item, _ in MISSING_PUPIL_CHECKLIST}})
    await sam.expect(saying("checklist completed"), since=mark, what="checklist done")
    case = await act(sam, case, "case.day20", "Day 20 review with EWS recorded", note="Still missing")
    return await act(sam, case, "case.referral", "CME referral completed", note="Please track")


async def test_tara_in_her_own_playground_decides_the_removal_sam_asked_for_in_his(tara_and_sam):
    tara, sam = tara_and_sam
    assert tara.me["name"] == "Tara Tracker" and sam.me["name"] == "Sam Staff"
    assert tara.personal_chat_id != sam.personal_chat_id and tara.team_id == sam.team_id

    case = await ready_for_removal(sam, await report_case(sam, pupil={**PUPIL, "forename": "Nell"}, absence=ABSENCE))
    reference = reference_of(case)
    mark = tara.mark()
    case = await act(sam, case, "case.removal.request", "waiting for the CME Pupil Tracking Officer",
                     **{key: "true" for key, _, _ in LEGAL_TESTS})

    asked = f"Removal from roll requested: {reference}"
    hers = await tara.expect(lambda ev: ev["actionConversationId"] == tara.personal_chat_id and saying(asked)(ev),
                             since=mark, what="the officer's card in Tara's personal chat")
    assert find_action(card_of(hers), title="Agree removal") is not None
    line = await tara.expect(saying(f"Removal from roll requested: **{reference}**"), since=mark,
                             what="the line in General, in Tara's playground (the first started)")
    assert line["actionConversationId"].startswith(tara.channel_id("General")) and "Nell" not in str(line)

    agree = find_action(card_of(line), title="Agree removal")
    mark = sam.mark()
    answer = await tara.invoke(line["message"]["postConversationId"], line["message"]["messageId"], agree["verb"],
                               agree["data"], title="Agree removal")  # as the playground's own user: a click
    assert "Agreed by Tara Tracker" in card_text(answer["value"])
    agreed = await sam.expect(lambda ev: ev["message"]["messageId"] == case["message"]["messageId"]
                              and "Removal from roll agreed" in card_text(card_of(ev)), since=mark,
                              what="Sam's case card, in his playground, updated")
    assert "Off-roll date: 16 November 2026" in card_text(card_of(agreed))
