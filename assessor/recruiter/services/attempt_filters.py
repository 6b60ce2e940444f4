"""The dashboard's filters and sort: read from the query string, validated, never trusted."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from assessor.models import SUBSCORES
from assessor.scoring.aggregate import LEVELS

SCORE_FIELDS = ("overall", *SUBSCORES)
STATE_FILTERS = ("invited", "in_progress", "submitted", "scored", "failed", "revoked")
SORTS = ("name", "bank", "state", "overall", *SUBSCORES, "level", "invited", "submitted")
ASCENDING_FIRST = ("name", "bank", "state")  # text columns start A-Z; numbers and dates high-first
DATE_FIELDS = ("invited_from", "invited_to", "submitted_from", "submitted_to")
PAGE_SIZE = 50
MAX_PAGE = 100_000
FLAGGED_FOCUS_LOSSES = 3  # this many focus losses, or any paste, asks for a closer look
_NUMBER_RE = re.compile(r"\d{1,3}(?:[.,]\d{1,2})?")


@dataclass(frozen=True)
class AttemptFilters:
    """What the recruiter asked to see, already validated."""

    search: str = ""
    bank: str | None = None  # a bank's slug: all its versions
    state: str | None = None
    level: str | None = None
    flagged: bool = False
    ranges: tuple[tuple[str, str, float], ...] = ()  # (score field, "min" | "max", 0..100)
    dates: tuple[tuple[str, date], ...] = ()  # (one of DATE_FIELDS, a UTC day, inclusive)
    sort: str = "invited"
    descending: bool = True
    page: int = 1


def parse_attempt_filters(
    args: Mapping[str, str], *, banks: Collection[str]
) -> tuple[AttemptFilters, list[str]]:
    """Read the list's query parameters. Returns the filters and the names of the parameters
    that were not understood (they are left out; empty ones are simply unset)."""
    ignored: list[str] = []

    def pick(name: str, allowed: Collection[str]) -> str | None:
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            ignored.append(name)
        return value if value in allowed else None

    search = " ".join((args.get("q") or "").split())
    if len(search) > 200:
        ignored.append("q")
        search = ""
    ranges, dates = [], []
    for name, raw in ((n, (args.get(n) or "").strip()) for n in _range_names()):
        if raw and _NUMBER_RE.fullmatch(raw) and float(raw.replace(",", ".")) <= 100:
            bound, score_field = name.split("_", 1)
            ranges.append((score_field, bound, float(raw.replace(",", "."))))
        elif raw:
            ignored.append(name)
    for name in DATE_FIELDS:
        if day := _day((args.get(name) or "").strip(), name, ignored):
            dates.append((name, day))
    sort = pick("sort", SORTS) or "invited"
    order = pick("order", ("asc", "desc")) or ("asc" if sort in ASCENDING_FIRST else "desc")
    raw_page = (args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) <= MAX_PAGE else 0
    if not page:
        ignored.append("page")
    filters = AttemptFilters(
        search=search,
        bank=pick("bank", banks),
        state=pick("state", STATE_FILTERS),
        level=pick("level", LEVELS),
        flagged=pick("flags", ("1",)) == "1",
        ranges=tuple(ranges),
        dates=tuple(dates),
        sort=sort,
        descending=order == "desc",
        page=page or 1,
    )
    return filters, ignored


def _range_names() -> list[str]:
    return [f"{bound}_{name}" for name in SCORE_FIELDS for bound in ("min", "max")]


def _day(raw: str, name: str, ignored: list[str]) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:  # far dates overflow the day arithmetic
        ignored.append(name)
        return None
    return day
