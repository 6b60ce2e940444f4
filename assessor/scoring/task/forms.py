"""Forms: each field right or wrong once its value is read into a canonical form."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from assessor.scoring.task.text import clean_text
from assessor.scoring.task.values import email_key, parse_amount, parse_date, text_key

if TYPE_CHECKING:
    from assessor.question_banks import FormTask


@dataclasses.dataclass(frozen=True)
class FieldResult:
    field_id: str
    label: str
    type: str
    status: str  # "right" | "wrong" | "missing"
    given: str
    # how we read the answer ("2024-03-05", "1234.50 EUR"), None if unreadable
    normalised: str | None
    expected: tuple[str, ...]
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class FormCompletion:
    fields: tuple[FieldResult, ...]
    right: int
    wrong: int
    missing: int
    total: int
    score: float  # share of fields right, 0..100
    flags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Verdict:
    right: bool
    normalised: str | None
    reason: str | None = None


def assess_form(task: FormTask, values: Mapping[str, str], language: str) -> FormCompletion:
    """Each field right or wrong after normalising its type (dates, amounts, e-mails, ...)."""
    values = values if isinstance(values, Mapping) else {}
    results = tuple(_check_field(field, values.get(field.id), language) for field in task.fields)
    known = {field.id for field in task.fields}
    flags = ("unknown_fields",) if any(key not in known for key in values) else ()
    right = sum(r.status == "right" for r in results)
    wrong = sum(r.status == "wrong" for r in results)
    missing = sum(r.status == "missing" for r in results)
    total = len(results)
    score = round(100.0 * right / total, 1) if total else 0.0
    return FormCompletion(results, right, wrong, missing, total, score, flags)


def _check_field(field: Any, value: object, language: str) -> FieldResult:
    given, _ = clean_text(value, strip_html=False)
    given = given[:1000]
    accepted = tuple(field.accepted)
    if not given.strip():
        return FieldResult(field.id, field.label, field.type, "missing", given, None, accepted)
    compare = _COMPARE.get(field.type, _compare_text)
    verdict = compare(given, accepted, tuple(field.choices), language, field.type)
    status = "right" if verdict.right else "wrong"
    return FieldResult(
        field.id,
        field.label,
        field.type,
        status,
        given,
        verdict.normalised,
        accepted,
        verdict.reason,
    )


def _compare_date(
    given: str, accepted: tuple[str, ...], choices: tuple[str, ...], language: str, kind: str
) -> _Verdict:
    read = parse_date(given, language)
    if read is None:
        return _Verdict(False, None, "not a date we can read")
    ok = any(parse_date(a, language) == read for a in accepted)
    return _Verdict(ok, read.isoformat(), None if ok else "a different date")


def _compare_amount(
    given: str, accepted: tuple[str, ...], choices: tuple[str, ...], language: str, kind: str
) -> _Verdict:
    money = kind == "amount"
    read = parse_amount(given, language, money)
    if read is None:
        return _Verdict(False, None, f"not {'an amount' if money else 'a number'} we can read")
    value, currency = read
    shown = f"{value:.2f} {currency}" if money and currency else f"{value.normalize():f}"
    for a in accepted:
        expected = parse_amount(a, language, money) or parse_amount(a, "en-GB", money)
        if expected and expected[0] == value:
            if currency and expected[1] and currency != expected[1]:
                return _Verdict(False, shown, f"wrong currency (expected {expected[1]})")
            return _Verdict(True, shown)
    return _Verdict(False, shown, "a different value")


def _compare_email(
    given: str, accepted: tuple[str, ...], choices: tuple[str, ...], language: str, kind: str
) -> _Verdict:
    key = email_key(given)
    if key is None:
        return _Verdict(False, None, "not an e-mail address")
    ok = key in {email_key(a) for a in accepted}
    return _Verdict(ok, key, None if ok else "a different address")


def _compare_text(
    given: str, accepted: tuple[str, ...], choices: tuple[str, ...], language: str, kind: str
) -> _Verdict:
    key = text_key(given)
    if kind == "choice" and choices and key not in {text_key(c) for c in choices}:
        return _Verdict(False, given.strip(), "not one of the choices")
    if key in {text_key(a) for a in accepted}:
        return _Verdict(True, given.strip())
    if text_key(given, fold_accents=True) in {text_key(a, fold_accents=True) for a in accepted}:
        return _Verdict(False, given.strip(), "accents differ")
    return _Verdict(False, given.strip(), "a different value")


_COMPARE: dict[str, Callable[..., _Verdict]] = {
    "date": _compare_date,
    "amount": _compare_amount,
    "number": _compare_amount,
    "email": _compare_email,
}
