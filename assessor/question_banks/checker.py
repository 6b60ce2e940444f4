"""Read values out of parsed TOML, recording a problem for each one that is missing or wrong."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from typing import Any

from assessor.question_banks.model import BankProblem

MAX_TEXT = 20_000
MAX_SHORT = 200  # titles, labels, cues, accepted values, choices
MAX_ID = 64
SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MISSING = object()


def describe(value: Any) -> str:
    """Name a TOML value's type the way a bank author thinks of it."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date | datetime.time):
        return "a date or time"
    return type(value).__name__


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Checker:
    """Reads values out of TOML tables, recording a problem for each missing or wrong one."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.task: str | None = None
        self.problems: list[BankProblem] = []

    def problem(self, field: str | None, message: str) -> None:
        self.problems.append(BankProblem(self.file, self.task, field, message))

    def unknown_keys(self, table: dict, allowed: tuple[str, ...], prefix: str = "") -> None:
        for key in map(str, table):
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            advice = (
                f"did you mean '{hint[0]}'?" if hint else f"expected one of: {', '.join(allowed)}"
            )
            self.problem(prefix + key, f"unknown key; {advice}")

    def get(self, table: dict, key: str, prefix: str, required: bool) -> Any:
        if key in table:
            return table[key]
        if required:
            self.problem(prefix + key, "is required")
        return MISSING

    def text(self, table: dict, key: str, prefix: str = "", *, limit: int = MAX_TEXT) -> str | None:
        value = self.get(table, key, prefix, required=True)
        return None if value is MISSING else self.check_text(value, prefix + key, limit)

    def check_text(self, value: Any, field: str, limit: int) -> str | None:
        if not isinstance(value, str):
            self.problem(field, f"must be text, not {describe(value)}")
        elif not value.strip():
            self.problem(field, "must not be empty")
        elif len(value) > limit:
            self.problem(field, f"is too long: {len(value):,} characters, at most {limit:,}")
        elif CONTROL.search(value):
            self.problem(field, "must not contain control characters")
        else:
            return value.strip()
        return None

    def slug(self, table: dict, key: str = "id", prefix: str = "") -> str | None:
        value = self.get(table, key, prefix, required=True)
        if value is MISSING:
            return None
        if isinstance(value, str) and SLUG.match(value) and len(value) <= MAX_ID:
            return value
        self.problem(
            prefix + key,
            f"must be a slug of at most {MAX_ID} characters: lower-case letters and digits "
            f"joined by '-' or '_' (got {show(value)})",
        )
        return None

    def integer(self, table: dict, key: str, low: int, high: int | None = None) -> int | None:
        value = self.get(table, key, "", required=True)
        if value is MISSING:
            return None
        is_int = isinstance(value, int) and not isinstance(value, bool)
        if is_int and value >= low and (high is None or value <= high):
            return value
        band = f"of at least {low}" if high is None else f"from {low} to {high}"
        self.problem(key, f"must be a whole number {band} (got {show(value)})")
        return None

    def one_of(
        self, table: dict, key: str, options: tuple[str, ...], prefix: str = ""
    ) -> str | None:
        value = self.get(table, key, prefix, required=True)
        if value is MISSING:
            return None
        if isinstance(value, str) and value in options:
            return value
        self.problem(prefix + key, f"must be one of {', '.join(options)} (got {show(value)})")
        return None

    def strings(
        self, table: dict, key: str, prefix: str, *, required: bool = True
    ) -> tuple[str, ...]:
        """A non-empty list of short, distinct strings (cues, accepted values, choices)."""
        field, value = prefix + key, self.get(table, key, prefix, required)
        if value is MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(field, f"must be a list of text values, not {describe(value)}")
            return ()
        if not value or len(value) > 100:
            self.problem(field, f"must list from 1 to 100 values (got {len(value)})")
            return ()
        seen: set[str] = set()
        for number, item in enumerate(value, start=1):
            text = self.check_text(item, f"{field}[{number}]", MAX_SHORT)
            if text is not None and text.casefold() in seen:
                self.problem(field, f"lists {show(text)} twice")
            seen.add(text.casefold() if text else "")
        return tuple(item.strip() if isinstance(item, str) else item for item in value)

    def entries(
        self, table: dict, key: str, build: Callable, *, limit: int, prefix: str = ""
    ) -> tuple:
        """Build each entry of an array of tables (`[[tasks]]`, `[[tasks.points]]`); check ids."""
        field, value = prefix + key, self.get(table, key, prefix, required=True)
        if value is MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(
                field, f"must be a list of tables ([[{key}]] sections), not {describe(value)}"
            )
            return ()
        if not value or len(value) > limit:
            self.problem(field, f"must have from 1 to {limit} entries (got {len(value)})")
            return ()
        built, first_seen, outer = [], {}, self.task
        for number, entry in enumerate(value, start=1):
            if not isinstance(entry, dict):
                self.problem(f"{field}[#{number}]", f"must be a table, not {describe(entry)}")
                continue
            entry_id = entry.get("id")
            name = entry_id if isinstance(entry_id, str) and SLUG.match(entry_id) else ""
            name = name if name and name not in first_seen else f"#{number}"
            built.append(build(self, entry, name, f"{field}[{name}]."))
            self.task = outer
            if isinstance(entry_id, str) and entry_id in first_seen:
                # Reported on the later entry, named by position: the id no longer tells them apart.
                where = "id" if key == "tasks" else f"{field}[#{number}].id"
                self.task = f"#{number}" if key == "tasks" else outer
                self.problem(
                    where,
                    f"duplicate id {entry_id!r}: entry #{first_seen[entry_id]} uses it already",
                )
                self.task = outer
            first_seen.setdefault(name, number)
        return tuple(built)
