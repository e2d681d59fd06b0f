"""The export kinds: each a name, who may ask for it, the options it takes, and how its Table is built."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cme.lifecycle import ProcedureError
from cme.roles import Role

if TYPE_CHECKING:
    from bot.exports.table import Table
    from bot.services import Services
    from storage.people import PersonRoles

Params = Mapping[str, str]
Builder = Callable[["Services", "PersonRoles", Params], Awaitable["Table"]]


class ExportRefused(ProcedureError):
    """This person may not have this export, or its options are wrong: said in words, on the card, on the page
    or by the CLI."""


@dataclass(frozen=True)
class ExportOption:
    """A parameter of a kind: a card button's data field and a CLI option (`min_weeks` is `--min-weeks`)."""

    name: str
    help: str = ""
    flag: bool = False  # "true"/"false" on a card; a bare --option on the CLI


@dataclass(frozen=True)
class ExportKind:
    name: str  # "register", "census", ...: the CLI's `cme-bot export <name>`, a card button's `kind`
    title: str  # "The authority's register": for help and the download card
    roles: frozenset[Role]  # who may ask for it (checked when the link is offered and again when it is used)
    build: Builder
    options: tuple[ExportOption, ...] = ()
    check: Callable[[Params], None] | None = None  # raise ExportRefused for bad options before a link is offered

    def params_from(self, values: Mapping[str, object]) -> dict[str, str]:
        """Only this kind's options, as text ("" left out): what a link stores."""
        params = {}
        for option in self.options:
            value = values.get(option.name)
            if option.flag:
                value = "true" if value in (True, "true") else ""
            if value not in (None, ""):
                params[option.name] = str(value)
        return params


_KINDS: dict[str, ExportKind] = {}
RESERVED = {"kind", "verb", "authority", "as_school", "format", "out"}  # the card's and the CLI's own fields


def export_kind(name: str, *, title: str, roles: frozenset[Role] | set[Role], options: tuple[ExportOption, ...] = (),
                check: Callable[[Params], None] | None = None) -> Callable[[Builder], Builder]:
    """Register the decorated `async def build(services, person, params) -> Table` as the export `name`."""
    def register(build: Builder) -> Builder:
        if RESERVED & {option.name for option in options}:
            raise ValueError(f"export kind {name!r}: options may not be named {sorted(RESERVED)}")
        if name in _KINDS and _KINDS[name].build is not build:
            raise ValueError(f"export kind {name!r} registered twice")
        _KINDS[name] = ExportKind(name, title, frozenset(roles), build, options, check)
        return build
    return register


def all_kinds() -> dict[str, ExportKind]:
    """Every kind: each module of bot/exports/kinds/ is imported, and registers its own."""
    package = importlib.import_module("bot.exports.kinds")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(_KINDS.items()))


def find_kind(name: str) -> ExportKind:
    kind = all_kinds().get(name)
    if kind is None:
        raise ExportRefused("There is no such export.")
    return kind


def allowed(kind: ExportKind, person: PersonRoles) -> bool:
    return bool(kind.roles & person.roles)
