"""The retention schedule applied: closed cases past retention erased down to their tombstone (docs/retention.md).

`run_retention(services, today)` is one coroutine: `cme-bot retention run [--dry-run]` calls it by hand, and the
scheduler of `cme-bot serve` each day through `monthly_retention`, which runs it once a calendar month whatever the
number of instances (a claim per month, taken as the overdue digest's is: storage/reminders.py). Which case is due is
cme/retention.py's; the erasure is storage/retention.py's, the one change the history's append-only rule allows.
Each card the bot posted about an erased case is replaced by a line saying it was erased, so its details leave the
chats too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.daily.reminders import _running
from bot.sending.errors import DeliveryError
from bot.services import Services
from bot.turn import Message
from cards.notice import notice_card
from cme.retention import RetentionRules, add_years, verdict
from storage.retention import ClosedCase

log = logging.getLogger(__name__)

MONTHLY_CLAIM = "retention:monthly"
ERASED_CARD = ("Case {reference} was erased at the end of its retention period: the child's details are no longer "
               "kept (UK GDPR and the Data Protection Act 2018).")


@dataclass
class RetentionReport:
    on_date: date
    rules: RetentionRules
    dry_run: bool = False
    erased: list[str] = field(default_factory=list)  # or, in a dry run, would be
    kept_without_birth_date: list[str] = field(default_factory=list)
    cards_replaced: int = 0
    cards_not_replaced: int = 0

    @property
    def all_posted(self) -> bool:
        return True

    def lines(self) -> list[str]:
        what = "due for erasure (dry run: nothing erased)" if self.dry_run else "erased"
        out = [f"{self.on_date}: retention ({self.rules.describe()}): {len(self.erased)} {what}"]
        out += [f"  {'due' if self.dry_run else 'erased'}: {reference}" for reference in self.erased]
        out += [f"  kept: {reference}: child protection information and no date of birth to count the "
                f"{self.rules.child_protection_age} years from" for reference in self.kept_without_birth_date]
        if self.cards_replaced or self.cards_not_replaced:
            out.append(f"  cards in Teams replaced by a line: {self.cards_replaced}, not reached: "
                       f"{self.cards_not_replaced}")
        return out


def rules_of(services: Services) -> RetentionRules:
    settings = services.settings
    return RetentionRules(settings.retention_years, settings.retention_child_protection_age)


async def due_cases(services: Services, today: date, authority_ids: list[int] | None = None
                    ) -> tuple[list[tuple[ClosedCase, object]], list[ClosedCase]]:
    """The closed cases past retention on `today` with their verdict, and those kept for want of a date of birth."""
    rules = rules_of(services)
    # Nothing closed since this cut-off can be due: the shortest retention is the years after closing.
    cutoff = datetime.combine(add_years(today, -rules.years) + timedelta(days=2), time(), tzinfo=UTC)
    zone = services.settings.zone
    due, no_birth_date = [], []
    for case in await services.store.retention.closed_before(cutoff, authority_ids):
        kept = verdict(rules, case.closed_at.astimezone(zone).date(), case.date_of_birth, case.at_risk)
        if kept.keep_until is None:
            no_birth_date.append(case)
        elif kept.due(today):
            due.append((case, kept))
    return due, no_birth_date


async def run_retention(services: Services, today: date | None = None, *, dry_run: bool = False,
                        actor: str = "cme-bot retention run") -> RetentionReport:
    today = today or services.today()
    report = RetentionReport(today, rules_of(services), dry_run)
    due, no_birth_date = await due_cases(services, today)
    report.kept_without_birth_date = [case.reference for case in no_birth_date]
    for case, kept in due:
        if dry_run:
            report.erased.append(case.reference)
        elif await services.store.retention.erase(case.case_id, actor=actor, rule=kept.rule,
                                                  retained_until=kept.keep_until):
            report.erased.append(case.reference)
            await _replace_cards(services, case, report)
    for line in report.lines():
        log.info("retention %s", line)
    return report


async def _replace_cards(services: Services, case: ClosedCase, report: RetentionReport) -> None:
    """Every card posted about the case, in chats and channels, becomes a line saying it was erased."""
    if services.messenger is None:
        return
    message = Message(card=notice_card(ERASED_CARD.format(reference=case.reference)))
    for conversation_id, activity_id in await services.store.retention.posted_cards(case.case_id):
        conversation = await services.store.conversations.get(conversation_id)
        if conversation is None or not conversation.alive:
            report.cards_not_replaced += 1
            continue
        try:
            await services.messenger.update(conversation.reference, activity_id, message)
            report.cards_replaced += 1
        except DeliveryError as error:
            report.cards_not_replaced += 1
            log.warning("a card about erased case %s was not replaced: %s", case.reference, error)


async def monthly_retention(services: Services, today: date | None = None) -> RetentionReport | None:
    """The run of this calendar month, by the first instance to claim it; None when it was claimed already."""
    today = today or services.today()
    store = services.store
    async with _running(store, services.settings.instance) as run_id:
        taken = await store.reminders.claim_digest(MONTHLY_CLAIM, today.replace(day=1), run_id)
        if taken is None:
            return None
        await store.reminders.digest_attempt(taken.id)
        report = await run_retention(services, today, actor="cme-bot serve (monthly retention)")
        await store.reminders.digest_done(taken.id, "retention", f"erased {len(report.erased)}")
    return report
