"""An organisation's pass marks per bank, as admins set them on the banks page.

Stored per (organisation, bank slug): one set for every version of a bank. Without one, the
configured ``PASS_MARKS`` of the slug apply, else the defaults of ``scoring/pass_marks.py``.
Every change is audited (old and new rules). The form's input is checked whole before anything
changes: a wrong field names itself and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import AuditEntry, Bank, BankPassMarks, User
from assessor.scoring.card import SUBSCORE_NAMES
from assessor.scoring.pass_marks import PassMarks

_WHOLE = re.compile(r"\d{1,3}")
# The form's labels, to name a wrong field (translated where shown).
SUBSCORE_LABELS = {
    "grammar": N_("Minimum grammar"),
    "readability": N_("Minimum readability"),
    "vocabulary": N_("Minimum vocabulary"),
    "task_completion": N_("Minimum task completion"),
    "typing": N_("Minimum typing score"),
}
_PERCENT = re.compile(r"\d{1,3}(?:[.,]\d)?")


@dataclass(frozen=True)
class BankMarks:
    """One bank's pass marks as the banks page shows them."""

    slug: str
    title: str
    marks: PassMarks
    stored: BankPassMarks | None  # None: the configured marks or the defaults apply
    by: str | None = None  # who set them


def bank_marks(
    session: Session, organisation_id: int, configured: Mapping[str, Any] | None = None
) -> list[BankMarks]:
    """Every bank of the organisation (by slug, the newest version's title), with its marks."""
    marks = BankPassMarks.for_banks(session, organisation_id, configured)
    titles: dict[str, str] = {}
    stmt = select(Bank.slug, Bank.title).where(Bank.organisation_id == organisation_id)
    for slug, title in session.execute(stmt.order_by(Bank.slug, Bank.version)):
        titles[slug] = title
    stored = {
        row.bank_slug: row
        for row in session.scalars(
            select(BankPassMarks).where(BankPassMarks.organisation_id == organisation_id)
        )
    }
    ids = {row.updated_by_id for row in stored.values() if row.updated_by_id is not None}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    return [
        BankMarks(
            slug,
            titles[slug],
            marks[slug],
            stored.get(slug),
            names.get(stored[slug].updated_by_id) if slug in stored else None,
        )
        for slug in sorted(titles, key=lambda s: titles[s].lower())
    ]


def parse_pass_marks(form: Mapping[str, Any]) -> PassMarks:
    """The marks typed in the banks page's form, or InvalidInput naming the first wrong field.

    ``overall`` and ``review_margin`` are required whole numbers from 0 to 100; each
    ``min_<sub-score>`` and ``typing_wpm`` an optional whole number (``typing_wpm`` up to 300);
    ``typing_accuracy`` an optional percentage with at most one decimal; ``every_task_answered``
    a checkbox."""
    overall = _whole(form, "overall", N_("Overall pass mark"), required=True)
    margin = _whole(form, "review_margin", N_("Review margin"), required=True)
    subscores = {}
    for name in SUBSCORE_NAMES:
        value = _whole(form, f"min_{name}", SUBSCORE_LABELS[name])
        if value is not None:
            subscores[name] = value
    wpm = _whole(form, "typing_wpm", N_("Minimum typing speed"), maximum=300)
    accuracy = _percent(form, "typing_accuracy", N_("Minimum typing accuracy"))
    return PassMarks(
        overall=overall,
        review_margin=margin,
        subscores=subscores,
        typing_wpm=wpm,
        typing_accuracy=accuracy,
        every_task_answered=_text(form, "every_task_answered") in ("1", "on", "true"),
    )


@use_case
def set_pass_marks(
    session: Session,
    organisation_id: int,
    slug: str,
    marks: PassMarks,
    *,
    user_id: int,
    now: datetime,
    configured: Mapping[str, Any] | None = None,
) -> BankPassMarks:
    """Store the bank's marks (for all its versions); audited with the marks they replace."""
    known_slug(session, organisation_id, slug)
    row = _stored(session, organisation_id, slug)
    old = BankPassMarks.for_banks(session, organisation_id, configured)[slug].to_json()
    if row is None:
        row = BankPassMarks(organisation_id=organisation_id, bank_slug=slug, rules={})
        session.add(row)
    row.rules, row.updated_by_id, row.updated_at = marks.to_json(), user_id, now
    _audit(session, organisation_id, user_id, now, "pass_marks_set", slug, old, row.rules)
    session.flush()
    return row


@use_case
def reset_pass_marks(
    session: Session,
    organisation_id: int,
    slug: str,
    *,
    user_id: int,
    now: datetime,
    configured: Mapping[str, Any] | None = None,
) -> None:
    """Go back to the configured marks (or the defaults); audited."""
    known_slug(session, organisation_id, slug)
    row = _stored(session, organisation_id, slug)
    if row is None:
        raise InvalidInput(N_("These pass marks are already the defaults."))
    old = row.rules
    session.delete(row)
    session.flush()
    new = BankPassMarks.for_banks(session, organisation_id, configured)[slug].to_json()
    _audit(session, organisation_id, user_id, now, "pass_marks_reset", slug, old, new)
    session.flush()


def known_slug(session: Session, organisation_id: int, slug: str) -> str:
    """The title of the organisation's bank with this slug (its newest version), or NotFound."""
    stmt = select(Bank.title).where(Bank.organisation_id == organisation_id, Bank.slug == slug)
    title = session.scalar(stmt.order_by(Bank.version.desc()).limit(1))
    if title is None:
        raise NotFound(N_("No such question bank."))
    return title


def _stored(session: Session, organisation_id: int, slug: str) -> BankPassMarks | None:
    return session.scalar(
        select(BankPassMarks).where(
            BankPassMarks.organisation_id == organisation_id, BankPassMarks.bank_slug == slug
        )
    )


def _audit(session, organisation_id, user_id, now, action, slug, old, new) -> None:
    session.add(
        AuditEntry(
            organisation_id=organisation_id,
            user_id=user_id,
            action=action,
            old_value={"bank": slug, "rules": old},
            new_value={"bank": slug, "rules": new},
            created_at=now,
        )
    )


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _whole(form, key, label, *, required=False, maximum=100) -> int | None:
    text = _text(form, key)
    if not text:
        if required:
            raise InvalidInput(N_("%(field)s: give a whole number."), {"field": label})
        return None
    if not _WHOLE.fullmatch(text) or int(text) > maximum:
        raise InvalidInput(
            N_("%(field)s: give a whole number from 0 to %(max)s."),
            {"field": label, "max": maximum},
        )
    return int(text)


def _percent(form, key, label) -> float | None:
    text = _text(form, key)
    if not text:
        return None
    if not _PERCENT.fullmatch(text) or float(text.replace(",", ".")) > 100:
        raise InvalidInput(
            N_("%(field)s: give a percentage from 0 to 100, with at most one decimal."),
            {"field": label},
        )
    return float(text.replace(",", "."))
