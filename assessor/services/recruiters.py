"""Organisations, recruiters and what they see: always scoped to one organisation."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import asc, case, desc, exists, func, literal, or_, select
from sqlalchemy.orm import Session, defer

from ..errors import InvalidInput
from ..models import ROLES, Attempt, AttemptEvent, Bank, Invitation, Organisation, Score, User
from ..scoring.aggregate import LEVELS
from ..security import hash_password, password_problem, verify_password
from .invitations import _EMAIL_RE

_DUMMY_HASH = None


def get_or_create_organisation(session: Session, name: str) -> Organisation:
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise InvalidInput("Give the organisation a name of 1 to 200 characters.")
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org


def create_user(session, *, organisation: Organisation, email, name, password, role) -> User:
    email = (email or "").strip().lower()
    problems = []
    if not _EMAIL_RE.match(email):
        problems.append("Give a valid e-mail address.")
    elif session.scalar(select(User).where(User.email == email)) is not None:
        problems.append("A user with this e-mail address already exists.")
    if role not in ROLES:
        problems.append(f"The role must be one of: {', '.join(ROLES)}.")
    if not (name or "").strip():
        problems.append("Give the user's name.")
    if problem := password_problem(password or ""):
        problems.append(problem)
    if problems:
        raise InvalidInput(" ".join(problems), problems=problems)
    user = User(
        organisation_id=organisation.id,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    global _DUMMY_HASH
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
        verify_password(_DUMMY_HASH, password or "")  # same work whether or not the user exists
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    user.last_login_at = now
    return user


def organisation_banks(session: Session, organisation_id: int) -> list[Bank]:
    stmt = select(Bank).where(Bank.organisation_id == organisation_id, Bank.active.is_(True))
    return list(session.scalars(stmt.order_by(Bank.title, Bank.version.desc())))


# --- the list of attempts ---------------------------------------------------------------------

SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
SCORE_FIELDS = ("overall", *SUBSCORES)
STATE_FILTERS = ("invited", "in_progress", "submitted", "scored", "failed", "revoked")
SORTS = ("name", "bank", "state", "overall", *SUBSCORES, "level", "invited", "submitted")
ASCENDING_FIRST = ("name", "bank", "state")  # text columns start A-Z; numbers and dates high-first
DATE_FIELDS = ("invited_from", "invited_to", "submitted_from", "submitted_to")
PAGE_SIZE = 50
MAX_PAGE = 100_000
FLAGGED_FOCUS_LOSSES = 3  # this many focus losses, or any paste, asks for a closer look
DEFAULT_PASS_MARK = {"overall": 60.0, "review_margin": 5.0}
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


@dataclass(frozen=True)
class AttemptRow:
    invitation: Invitation
    bank: Bank
    attempt: Attempt | None
    score: Score | None
    pastes: int = 0
    focus_losses: int = 0
    result: str | None = None  # pass mark: pass | review | fail | None (no score)

    @property
    def state(self) -> str:
        if self.invitation.revoked_at is not None and self.attempt is None:
            return "revoked"
        return self.attempt.state if self.attempt is not None else "invited"

    @property
    def flagged(self) -> bool:
        return self.pastes > 0 or self.focus_losses >= FLAGGED_FOCUS_LOSSES

    def subscore(self, name: str) -> float | None:
        card = self.score.card if self.score is not None else None
        subscores = card.get("subscores") if isinstance(card, Mapping) else None
        return _finite(subscores.get(name)) if isinstance(subscores, Mapping) else None


@dataclass(frozen=True)
class AttemptPage:
    rows: list[AttemptRow]
    total: int
    page: int  # the page shown: the one asked for, or the last one
    pages: int
    distribution: list[dict[str, Any]] = field(default_factory=list)


_STATE = case(
    (Attempt.id.is_not(None), Attempt.state),
    (Invitation.revoked_at.is_not(None), literal("revoked")),
    else_=literal("invited"),
)
# 0-9, 10-19, ..., 90-100; -1 for no score. A CASE, because CAST(x AS INTEGER) rounds on
# PostgreSQL and truncates on SQLite.
_BIN = case(
    (Score.id.is_(None), -1),
    *[(Score.overall >= 10 * n, n) for n in range(9, 0, -1)],
    else_=0,
)


def _score_column(name: str):
    return getattr(Score, name)  # overall and the sub-scores are columns (copied from the card)


def _sort_key(name: str):
    keys = {
        "name": func.lower(Invitation.candidate_name),
        "bank": func.lower(Bank.title),
        "state": _STATE,
        "level": Score.level,
        "invited": Invitation.created_at,
        "submitted": Attempt.submitted_at,
    }
    return keys[name] if name in keys else _score_column(name)


def _joined(stmt):
    return (
        stmt.select_from(Invitation)
        .join(Bank, Bank.id == Invitation.bank_id)
        .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
    )


def _conditions(organisation_id: int, f: AttemptFilters) -> list:
    where = [Invitation.organisation_id == organisation_id]
    if f.search:
        pattern = "%" + escape_like(f.search) + "%"
        where.append(
            or_(
                Invitation.candidate_name.ilike(pattern, escape="\\"),
                Invitation.candidate_email.ilike(pattern, escape="\\"),
            )
        )
    if f.bank:
        where.append(Bank.slug == f.bank)
    if f.state in ("invited", "revoked"):
        revoked = Invitation.revoked_at.is_not(None)
        where += [Attempt.id.is_(None), revoked if f.state == "revoked" else ~revoked]
    elif f.state:
        where.append(Attempt.state == f.state)
    if f.level:
        where.append(Score.level == f.level)
    if f.flagged:
        where.append(_flagged())
    for name, bound, value in f.ranges:
        column = _score_column(name)
        where.append(column >= value if bound == "min" else column <= value)
    for name, day in f.dates:
        column = Invitation.created_at if name.startswith("invited") else Attempt.submitted_at
        start = datetime.combine(day, time(), tzinfo=UTC)
        where.append(column >= start if name.endswith("_from") else column < start + timedelta(1))
    return where


def _flagged():
    events = select(AttemptEvent.id).where(AttemptEvent.attempt_id == Attempt.id)
    blurs = (
        select(func.count())
        .select_from(AttemptEvent)
        .where(AttemptEvent.attempt_id == Attempt.id, AttemptEvent.kind == "blur")
        .scalar_subquery()
    )
    return or_(exists(events.where(AttemptEvent.kind == "paste")), blurs >= FLAGGED_FOCUS_LOSSES)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bank_choices(session: Session, organisation_id: int) -> dict[str, str]:
    """slug -> title of the latest version, for every bank the organisation ever adopted."""
    stmt = select(Bank.slug, Bank.title).where(Bank.organisation_id == organisation_id)
    latest = {slug: title for slug, title in session.execute(stmt.order_by(Bank.version))}
    return dict(sorted(latest.items(), key=lambda item: item[1].lower()))


def attempt_rows(
    session: Session,
    organisation_id: int,
    filters: AttemptFilters,
    *,
    pass_marks: Mapping[str, Mapping[str, float]] | None = None,
) -> AttemptPage:
    """One page of the organisation's invitations with their attempt, score and integrity
    counts, filtered and sorted; plus the distribution of overall scores of the whole set."""
    where = _conditions(organisation_id, filters)
    distribution, total = _distribution(session, organisation_id, where)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    order = desc if filters.descending else asc
    ids = list(
        session.scalars(
            _joined(select(Invitation.id))
            .where(*where)
            .order_by(order(_sort_key(filters.sort)).nulls_last(), order(Invitation.id))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    rows = _rows(session, ids, pass_marks or {})
    return AttemptPage(rows, total, page, pages, distribution)


def _rows(session: Session, ids: list[int], pass_marks: Mapping[str, Any]) -> list[AttemptRow]:
    stmt = _joined(select(Invitation, Bank, Attempt, Score)).where(Invitation.id.in_(ids))
    found = {row[0].id: row for row in session.execute(stmt.options(defer(Bank.definition)))}
    counts = _integrity_counts(session, [a.id for _, _, a, _ in found.values() if a is not None])
    rows = []
    for invitation, bank, attempt, score in (found[i] for i in ids if i in found):
        pastes, blurs = counts.get(attempt.id, (0, 0)) if attempt is not None else (0, 0)
        result = None
        if score is not None:
            result = pass_mark_result(score.card, pass_marks.get(bank.slug))
        rows.append(AttemptRow(invitation, bank, attempt, score, pastes, blurs, result))
    return rows


def _integrity_counts(session: Session, attempt_ids: list[int]) -> dict[int, tuple[int, int]]:
    """attempt id -> (pastes, focus losses), for one page of attempts."""
    if not attempt_ids:
        return {}
    stmt = (
        select(
            AttemptEvent.attempt_id,
            func.sum(case((AttemptEvent.kind == "paste", 1), else_=0)),
            func.sum(case((AttemptEvent.kind == "blur", 1), else_=0)),
        )
        .where(AttemptEvent.attempt_id.in_(attempt_ids), AttemptEvent.kind.in_(("paste", "blur")))
        .group_by(AttemptEvent.attempt_id)
    )
    return {a: (int(p or 0), int(b or 0)) for a, p, b in session.execute(stmt)}


def _distribution(session: Session, organisation_id: int, where: list) -> tuple[list, int]:
    """Per bank: how many attempts of the filtered set fall in each 10-point bin of overall."""
    stmt = _joined(select(Bank.slug, _BIN, func.count())).where(*where).group_by(Bank.slug, _BIN)
    titles = bank_choices(session, organisation_id)
    banks: dict[str, dict[str, Any]] = {}
    total = 0
    for slug, bin_, count in session.execute(stmt):
        total += count
        entry = banks.setdefault(
            slug, {"bank": slug, "title": titles.get(slug, slug), "bins": [0] * 10, "unscored": 0}
        )
        if bin_ < 0:
            entry["unscored"] += count
        else:
            entry["bins"][bin_] += count
    return sorted(banks.values(), key=lambda b: b["title"].lower()), total


# --- pass marks -------------------------------------------------------------------------------


def pass_mark_result(score_card: Any, marks: Mapping[str, Any] | None) -> str | None:
    """pass, review or fail against a bank's pass marks; None without a usable score.

    Overall at or above the mark passes, within `review_margin` points below it asks for a
    review, lower fails. `typing_wpm` and `typing_accuracy` (0..1) are minimums on the mean of
    the card's typing tasks, checked only where the card measured typing; below one fails. The
    result is the worst of the checks.
    """
    card = score_card if isinstance(score_card, Mapping) else {}
    overall = _finite(card.get("overall"))
    if overall is None:
        return None
    marks = {**DEFAULT_PASS_MARK, **(marks or {})}
    mark = _finite(marks.get("overall"))
    mark = DEFAULT_PASS_MARK["overall"] if mark is None else mark
    margin = _finite(marks.get("review_margin")) or 0.0
    results = ["pass" if overall >= mark else "review" if overall >= mark - margin else "fail"]
    wpm, accuracy = typing_measures(card)
    for measured, minimum in (
        (wpm, marks.get("typing_wpm")),
        (accuracy, marks.get("typing_accuracy")),
    ):
        minimum = _finite(minimum)
        if measured is not None and minimum is not None:
            results.append("pass" if measured >= minimum else "fail")
    return max(results, key=("pass", "review", "fail").index)


def typing_measures(card: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Mean net WPM and mean accuracy (0..1) over the card's typing tasks, where measured."""
    wpms, accuracies = [], []
    for task in card.get("tasks") or ():
        typing = task.get("typing") if isinstance(task, Mapping) else None
        if isinstance(typing, Mapping):
            if (wpm := _finite(typing.get("net_wpm"))) is not None:
                wpms.append(wpm)
            if (accuracy := _finite(typing.get("accuracy"))) is not None:
                accuracies.append(accuracy)
    return _mean(wpms), _mean(accuracies)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
