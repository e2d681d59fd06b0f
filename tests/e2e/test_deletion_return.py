"""The deletion return end to end with `make run AS=tara,sam`: once Tara Tracker agrees a removal, Sam Staff presses
**Make the deletion return** on the school's card in his playground, first leaves the parent's telephone number out
(named on the card, what he typed kept), then sends it; Tara acknowledges it in hers, and Sam's copy shows when it
was sent and acknowledged, and by whom."""

from __future__ import annotations

import pytest

from tests.e2e.playground import card_text, find_action
from tests.e2e.reporting import card_of, saying
from tests.e2e.test_each_person import tara_and_sam  # noqa: F401 - the fixture
from tests.e2e.test_register import agreed, in_personal_chat

pytestmark = [pytest.mark.e2e]


async def test_sam_sends_the_deletion_return_and_tara_acknowledges_it(tara_and_sam):  # noqa: F811
    tara, sam = tara_and_sam
    reference, steps = await agreed(tara, sam, "Dara")

    make = find_action(card_of(steps), title="Make the deletion return")
    mark = sam.mark()
    await sam.submit(sam.personal_chat_id, steps["message"]["messageId"], make["data"])
    form = await in_personal_chat(sam, mark, f"Deletion return for {reference}", "the return, filled in")
    assert "Dara" in str(card_of(form)) and "07700 900222" in str(card_of(form))

    send = find_action(card_of(form), title="Send to the local authority")
    filled = {item["id"]: item["value"] for item in card_of(form)["body"]
              if item.get("type", "").startswith("Input.") and item.get("value")}
    mark = sam.mark()
    await sam.submit(sam.personal_chat_id, form["message"]["messageId"],
                     {**send["data"], **{k: v for k, v in filled.items() if k != "parent1_phone"},
                      "surname": "Fictional-Typed"})
    refused = await sam.expect(lambda ev: ev["message"]["messageId"] == form["message"]["messageId"]
                               and saying("Missing: the parent's emergency telephone number.")(ev), since=mark,
                               what="the form again, the missing number named")
    assert "Fictional-Typed" in str(card_of(refused))

    mark, tara_mark = sam.mark(), tara.mark()
    await sam.submit(sam.personal_chat_id, form["message"]["messageId"],
                     {**send["data"], **filled, "surname": "Fictional-Typed"})
    sent = await sam.expect(lambda ev: ev["message"]["messageId"] == form["message"]["messageId"]
                            and saying("Not acknowledged yet")(ev), since=mark, what="Sam's return, sent")
    assert "by Sam Staff." in card_text(card_of(sent))
    to_tara = await in_personal_chat(tara, tara_mark, "Deletion return DR-", "the return in Tara's chat")
    assert "Dara Fictional-Typed" in card_text(card_of(to_tara))

    acknowledge = find_action(card_of(to_tara), title="Acknowledge")
    mark = sam.mark()
    answer = await tara.invoke(tara.personal_chat_id, to_tara["message"]["messageId"], acknowledge["verb"],
                               acknowledge["data"], title="Acknowledge")
    assert "by Tara Tracker." in card_text(answer["value"]) and "Acknowledged on " in card_text(answer["value"])
    seen = await sam.expect(lambda ev: ev["message"]["messageId"] == form["message"]["messageId"]
                            and saying("by Tara Tracker.")(ev), since=mark, what="Sam's copy, acknowledged")
    assert "Acknowledged on " in card_text(card_of(seen))
