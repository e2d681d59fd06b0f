"""Drive the Agents Playground UI in headless Chromium (Python playwright + Debian /usr/bin/chromium).

    async with open_playground_page(pg.url) as page:
        await open_conversation(page, "Personal Chat")
        await send_text(page, "card")
        card = await last_card(page, has_text="Hello card")
        await fill_by_label(card, "Your note", "hi")
        await click_card_button(card, "Submit")
        await wait_for_bot_message(page, "got submit:")

How the playground (0.2.28) renders Adaptive Card inputs (Fluent UI v9, not native widgets):
- every input's label is ``<label class="ac-richTextBlock" for="<input id>">Text</label>``; a required input's
  label ends with an aria-hidden " *" run, so Playwright's get_by_label("X", exact=True) misses it and
  compact choice sets match twice (input + chevron). `fill_by_label` therefore follows label[for].
- Input.Text: input/textarea; Input.Number: input role=spinbutton; Input.Date: a Fluent DatePicker, i.e.
  input type=text role=combobox aria-haspopup=dialog (no type=date) that parses typed text: typing
  "2025-03-14" + Enter shows "March 14, 2025" and submits "2025-03-14".
- Input.ChoiceSet compact: input role=combobox; the popup is portalled to <body>: role=option items
  (single) or role=menuitemcheckbox items (multi-select). style=expanded: a role=radiogroup of radios, or
  (multi-select) a div of checkboxes with aria-label = choice title. Input.Toggle: a checkbox.
- Bot messages sit in ``.fai-OutputCard``; the conversation list (role=treeitem, e.g. 'Personal Chat',
  'Ops Group Chat', '<Team> - General') also shows a preview of the last message, so page.get_by_text()
  can match the sidebar: use `wait_for_bot_message`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Locator, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.patience import PATIENCE_MS

MESSAGE_BOX = '[data-lexical-editor="true"][role="textbox"]'
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = re.compile(r"^(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?(/|$)")


def chromium_path() -> str:
    path = os.environ.get("CME_CHROMIUM") or "/usr/bin/chromium"
    if not Path(path).is_file():
        raise RuntimeError(f"Chromium not found at {path}: run `make test-deps`")
    return path


def artifacts_dir() -> Path:
    d = Path(os.environ.get("CME_E2E_ARTIFACTS") or Path(tempfile.gettempdir()) / "cme-e2e-artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


async def screenshot(page: Page, name: str) -> Path:
    """Full-page PNG `<artifacts>/<name>.png` (CME_E2E_ARTIFACTS or <tmp>/cme-e2e-artifacts)."""
    path = artifacts_dir() / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


@asynccontextmanager
async def open_playground_page(url: str, timeout_ms: int = PATIENCE_MS) -> AsyncIterator[Page]:
    """A fresh headless Chromium (own user-data-dir, only localhost traffic) on the playground UI, ready to type.
    On an exception inside the block a screenshot 'failure-<time>' is saved first."""
    exe = chromium_path()
    udd = tempfile.mkdtemp(prefix="cme-chromium-")
    try:
        async with async_playwright() as p:
            ctx = await p.chromium.launch_persistent_context(
                udd,
                executable_path=exe,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 900},
            )
            try:
                await ctx.route(lambda u: not LOCAL.match(u), lambda route: route.abort())
                ctx.set_default_timeout(timeout_ms)
                page = ctx.pages[0] if ctx.pages else await ctx.new_page()
                await page.goto(url, wait_until="domcontentloaded")
                await page.locator(MESSAGE_BOX).first.wait_for()
                try:
                    yield page
                except Exception:
                    await screenshot(page, f"failure-{dt.datetime.now():%H%M%S}")
                    raise
            finally:
                await ctx.close()
    finally:
        shutil.rmtree(udd, ignore_errors=True)


async def open_conversation(page: Page, name: str) -> None:
    """Select a conversation in the left tree ('Personal Chat', 'Ops Group Chat', 'Ops Team - General')."""
    await page.get_by_role("treeitem", name=name, exact=True).click()
    await page.locator(MESSAGE_BOX).first.wait_for()


async def send_text(page: Page, text: str) -> None:
    """Type `text` in the chat's message box and press Enter (chats; channels need a post + @mention)."""
    box = page.locator(MESSAGE_BOX).first
    await box.click()
    await page.keyboard.type(text)
    await page.keyboard.press("Enter")


async def card_count(page: Page) -> int:
    """How many Adaptive Cards the open conversation shows (take it before acting, pass to `last_card`)."""
    return await page.locator(".ac-adaptiveCard").count()


async def last_card(
    page: Page, has_text: str | None = None, newer_than: int | None = None, timeout_ms: int = PATIENCE_MS
) -> Locator:
    """The last rendered Adaptive Card (containing `has_text`, if given), once visible. With `newer_than`
    (a `card_count` taken before acting) it waits until more cards than that are shown, so an older
    card with the same text is never picked."""
    if newer_than is not None:
        await page.locator(".ac-adaptiveCard").nth(newer_than).wait_for(timeout=timeout_ms)
    cards = page.locator(".ac-adaptiveCard")
    if has_text is not None:
        cards = cards.filter(has_text=has_text)
    card = cards.last
    await card.wait_for(timeout=timeout_ms)
    return card


async def wait_for_bot_message(page: Page, text: str | re.Pattern, timeout_ms: int = PATIENCE_MS) -> Locator:
    """The last bot message (text or card) containing `text`, waiting for it to appear."""
    msg = page.locator(".fai-OutputCard").filter(has_text=text).last
    await msg.wait_for(timeout=timeout_ms)
    return msg


async def _labelled(scope: Locator, text: str) -> Locator | None:
    """The element a <label for=...> with exactly this text (ignoring a required-marker ' *') points to."""
    labels = scope.locator("label[for]").filter(has_text=re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$"))
    if not await labels.count():
        return None
    target = scope.page.locator(f'[id="{await labels.first.get_attribute("for")}"]')
    return target if await target.count() else None


async def _input_for(card: Locator, label: str) -> Locator:
    target = await _labelled(card, label)
    if target is not None:
        return target
    fallback = card.get_by_label(label, exact=True)  # e.g. an input with only aria-label / no label property
    if await fallback.count():
        return fallback.first
    seen = await card.locator("label[for]").all_inner_texts()
    raise LookupError(f"no input labelled {label!r} in card; labels: {seen}")


async def fill_by_label(card: Locator, label: str, value: str | bool | dt.date | Iterable[str]) -> None:
    """Set the Adaptive Card input whose visible label is `label`, the way a user would.

    Text/number: a str. Date: a date or 'YYYY-MM-DD'. Choice sets: the choice TITLE(s) as displayed
    (a list for multi-select, clicked in that order). Toggle: a bool."""
    target = await _input_for(card, label)
    tag = await target.evaluate("e => e.tagName.toLowerCase()")
    role = await target.get_attribute("role") or ""
    kind = await target.get_attribute("type") or ""
    page = card.page
    if isinstance(value, dt.date):
        value = value.isoformat()
    if kind in ("checkbox", "radio"):
        await target.set_checked(bool(value) and value != "false")
    elif tag == "select":
        await target.select_option(label=[value] if isinstance(value, str) else list(value))
    elif role == "combobox" and await target.get_attribute("aria-haspopup") == "dialog":  # DatePicker
        await target.fill(str(value))
        await target.press("Enter")
        await _close_date_popups(page)
    elif role == "combobox":  # compact choice set: options are portalled to <body>
        titles = [value] if isinstance(value, str) else list(value)
        await _open_popup(target, page.locator('[role="option"], [role="menuitemcheckbox"]').first)
        for title in titles:
            option = page.locator('[role="option"], [role="menuitemcheckbox"]').filter(
                has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")
            )
            await option.first.click()
        if await target.get_attribute("aria-expanded") == "true":
            await target.press("Escape")
    elif tag in ("input", "textarea"):
        await target.fill(str(value))
    else:  # expanded choice set: radiogroup or a group of checkboxes
        titles = [value] if isinstance(value, str) else list(value)
        for title in titles:
            choice = await _labelled(target, title)
            if choice is None:
                raise LookupError(f"no choice {title!r} for {label!r}: {await target.inner_text()!r}")
            await choice.check()


async def _close_date_popups(page: Page) -> None:
    """A date picker's calendar opens on its own when the date is typed, sometimes only after Enter on
    a busy machine, and while it is open the rest of the page is hidden from the accessibility tree
    (no button can be found by its role): close it as a user would, with Escape, until none is open."""
    popups = page.locator(".fui-DatePicker__popupSurface")
    for _ in range(8):
        if not await popups.count():
            return
        await page.keyboard.press("Escape")
        try:
            await popups.first.wait_for(state="detached", timeout=PATIENCE_MS // 8)
        except PlaywrightTimeoutError:
            continue
    await popups.first.wait_for(state="detached", timeout=PATIENCE_MS)


async def _open_popup(combobox: Locator, first_option: Locator) -> None:
    """Click the combobox until its options show: on a busy machine a click can land before the
    component listens, and the popup never opens."""
    for _ in range(4):
        if await combobox.get_attribute("aria-expanded") != "true":
            await combobox.click()
        try:
            await first_option.wait_for(state="visible", timeout=PATIENCE_MS // 8)
            return
        except PlaywrightTimeoutError:
            continue
    await first_option.wait_for(state="visible", timeout=PATIENCE_MS)


async def click_card_button(card: Locator, title: str) -> None:
    """Click the card's action button with this title (closing a date picker's calendar left open)."""
    await _close_date_popups(card.page)
    await card.get_by_role("button", name=title, exact=True).click()
