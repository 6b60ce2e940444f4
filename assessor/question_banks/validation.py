"""Turn one bank's parsed TOML into the model, collecting every problem, not just the first.

Builders construct objects even from bad values (None stands in); `parse_bank` throws them away
whenever a problem was recorded, so only a clean bank ever leaves this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from assessor.question_banks.checker import MAX_SHORT, MISSING, Checker, describe, show
from assessor.question_banks.model import (
    FIELD_TYPES,
    LANGUAGES,
    TASK_KINDS,
    TASK_TYPES,
    TONES,
    Bank,
    BankProblem,
    CorrectionItem,
    FormField,
    Point,
    Readability,
    Task,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")

BANK_KEYS = ("id", "version", "title", "language", "time_limit_minutes", "description")
BANK_KEYS += ("readability", "tasks")
COMMON_TASK_KEYS = ("id", "kind", "title", "instructions")
_EMAIL_KEYS = ("customer_message", "min_words", "max_words", "tone", "points")
KIND_KEYS = {
    "email": _EMAIL_KEYS,
    "chat": _EMAIL_KEYS,
    "form": ("document", "fields"),
    "correction": ("items",),
    "typing": ("passage",),
}
_ANY_TASK_KEYS = COMMON_TASK_KEYS + tuple(
    dict.fromkeys(k for keys in KIND_KEYS.values() for k in keys)
)


def parse_bank(data: Any, file: str) -> tuple[Bank | None, list[BankProblem]]:
    """Validate parsed TOML; return the bank, or None and every problem found."""
    check = Checker(file)
    if not isinstance(data, dict):
        check.problem(None, f"must be a table of bank settings, not {describe(data)}")
        return None, check.problems
    check.unknown_keys(data, BANK_KEYS)
    bank = Bank(
        id=check.slug(data),
        version=check.integer(data, "version", 1),
        title=check.text(data, "title", limit=MAX_SHORT),
        language=check.one_of(data, "language", LANGUAGES),
        time_limit_minutes=check.integer(data, "time_limit_minutes", 1, 240),
        description=check.text(data, "description"),
        readability=_readability(check, data),
        tasks=check.entries(data, "tasks", _task, limit=50),
    )
    return (None, check.problems) if check.problems else (bank, [])


def _readability(check: Checker, data: dict) -> Readability | None:
    value = data.get("readability")
    if value is None:
        return None
    if not isinstance(value, dict):
        check.problem(
            "readability",
            f"must be a table like {{ min_grade = 5.0, max_grade = 10.0 }}, not {describe(value)}",
        )
        return None
    check.unknown_keys(value, ("min_grade", "max_grade"), "readability.")
    grades = []
    for key in ("min_grade", "max_grade"):
        grade = check.get(value, key, "readability.", required=True)
        ok = isinstance(grade, int | float) and not isinstance(grade, bool) and math.isfinite(grade)
        if grade is not MISSING and not (ok and 0 <= grade <= 30):
            check.problem(
                f"readability.{key}", f"must be a number from 0 to 30 (got {show(grade)})"
            )
        grades.append(float(grade) if ok else None)
    if None not in grades and grades[0] > grades[1]:
        check.problem("readability.max_grade", "must be at least min_grade")
    return Readability(*grades)


def _task(check: Checker, raw: dict, name: str, _prefix: str) -> Task | None:
    check.task = name
    kind = check.one_of(raw, "kind", TASK_KINDS)
    check.unknown_keys(raw, COMMON_TASK_KEYS + KIND_KEYS[kind] if kind else _ANY_TASK_KEYS)
    common = {
        "id": check.slug(raw),
        "kind": kind,
        "title": check.text(raw, "title", limit=MAX_SHORT),
        "instructions": check.text(raw, "instructions"),
    }
    if kind is None:
        return None
    return TASK_TYPES[kind](**common, **_BODIES[kind](check, raw))


def _email_body(check: Checker, raw: dict) -> dict:
    low = check.integer(raw, "min_words", 1, 5000)
    high = check.integer(raw, "max_words", 1, 5000)
    if low is not None and high is not None and low > high:
        check.problem("max_words", f"must be at least min_words ({low})")
    return {
        "customer_message": check.text(raw, "customer_message"),
        "min_words": low,
        "max_words": high,
        "tone": check.one_of(raw, "tone", TONES),
        "points": check.entries(raw, "points", _point, limit=30),
    }


def _point(check: Checker, raw: dict, _name: str, prefix: str) -> Point:
    check.unknown_keys(raw, ("id", "description", "cues"), prefix)
    return Point(
        id=check.slug(raw, prefix=prefix),
        description=check.text(raw, "description", prefix, limit=MAX_SHORT * 5),
        cues=check.strings(raw, "cues", prefix),
    )


def _form_body(check: Checker, raw: dict) -> dict:
    return {
        "document": check.text(raw, "document"),
        "fields": check.entries(raw, "fields", _field, limit=50),
    }


def _field(check: Checker, raw: dict, _name: str, prefix: str) -> FormField:
    check.unknown_keys(raw, ("id", "label", "type", "accepted", "choices"), prefix)
    kind = check.one_of(raw, "type", FIELD_TYPES, prefix)
    accepted = check.strings(raw, "accepted", prefix)
    choices = check.strings(raw, "choices", prefix, required=kind == "choice")
    if choices and kind not in ("choice", None):
        check.problem(prefix + "choices", 'is only allowed when type = "choice"')
    for value in accepted if isinstance(kind, str) else ():
        complaint = _accepted_complaint(kind, value, choices)
        if isinstance(value, str) and complaint:
            check.problem(prefix + "accepted", f"{show(value)} {complaint}")
    return FormField(
        id=check.slug(raw, prefix=prefix),
        label=check.text(raw, "label", prefix, limit=MAX_SHORT),
        type=kind,
        accepted=accepted,
        choices=choices,
    )


def _accepted_complaint(kind: str, value: str, choices: tuple[str, ...]) -> str | None:
    if kind == "choice" and choices and value not in choices:
        return "is not one of the choices"
    if kind == "email" and not _EMAIL.match(value.strip()):
        return "is not an e-mail address"
    if kind in ("date", "amount", "number") and not any(c.isdigit() for c in value):
        return f"has no digits, so it cannot be a {kind}"
    return None


def _correction_body(check: Checker, raw: dict) -> dict:
    return {"items": check.entries(raw, "items", _item, limit=50)}


def _item(check: Checker, raw: dict, _name: str, prefix: str) -> CorrectionItem:
    check.unknown_keys(raw, ("id", "sentence", "accepted"), prefix)
    return CorrectionItem(
        id=check.slug(raw, prefix=prefix),
        sentence=check.text(raw, "sentence", prefix, limit=MAX_SHORT * 5),
        accepted=check.strings(raw, "accepted", prefix),
    )


def _typing_body(check: Checker, raw: dict) -> dict:
    return {"passage": check.text(raw, "passage")}


_BODIES: dict[str, Callable[[Checker, dict], dict]] = {
    "email": _email_body,
    "chat": _email_body,
    "form": _form_body,
    "correction": _correction_body,
    "typing": _typing_body,
}
