"""The recruiters' list of attempts: one organisation's invitations with their attempt, score and
integrity counts, filtered, sorted and paged in SQL; plus the chart's score distribution.

Scores are as judged (a recruiter's override, else the machine's, as whole numbers; the overall
score and the level follow the overrides: see ``effective_scores`` and ``scoring/judged.py``) for
filters, sorting, pass marks and the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import asc, case, desc, exists, func, literal, or_, select
from sqlalchemy.orm import Session, defer

from assessor.models import Attempt, AttemptEvent, Bank, BankPassMarks, Invitation, Score
from assessor.recruiter.services.attempt_filters import (
    FLAGGED_FOCUS_LOSSES,
    PAGE_SIZE,
    SCORE_FIELDS,
    AttemptFilters,
)
from assessor.recruiter.services.effective_scores import (
    at_least,
    at_most,
    effective,
    effective_level,
    machine_value,
    override_table,
)
from assessor.scoring.judged import whole
from assessor.scoring.pass_marks import Verdict, verdict


@dataclass(frozen=True)
class AttemptRow:
    invitation: Invitation
    bank: Bank
    attempt: Attempt | None
    score: Score | None
    pastes: int = 0
    focus_losses: int = 0
    verdict: Verdict | None = None  # against the bank's pass marks; None without a score
    overrides: Mapping[str, float] = field(default_factory=dict)  # field -> a recruiter's value

    @property
    def result(self) -> str | None:
        """pass | review | fail | None (no score)."""
        return self.verdict.result if self.verdict is not None else None

    @property
    def level(self) -> str | None:
        """The level as judged (it follows the overall score)."""
        if self.score is None:
            return None
        return self.score.level_as_judged

    @property
    def state(self) -> str:
        if self.invitation.revoked_at is not None and self.attempt is None:
            return "revoked"
        return self.attempt.state if self.attempt is not None else "invited"

    @property
    def flagged(self) -> bool:
        return self.pastes > 0 or self.focus_losses >= FLAGGED_FOCUS_LOSSES

    def subscore(self, name: str) -> int | None:
        """The overall score or a sub-score as judged, a whole number."""
        if name == "overall" and self.score is not None and self.score.judged_overall is not None:
            return self.score.judged_overall
        return whole(self.overrides[name] if name in self.overrides else self.machine(name))

    def machine(self, name: str) -> float | None:
        return machine_value(self.score, name)

    def overridden(self, name: str) -> bool:
        """The recruiter's value stands here (or, for the overall score, an overridden sub-score
        moved it)."""
        if name == "overall" and self.overrides:
            return True
        return name in self.overrides


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


def _bin(overrides):
    """0-9, 10-19, ..., 90-100; -1 for no score. A CASE, because CAST(x AS INTEGER) rounds on
    PostgreSQL and truncates on SQLite."""
    overall = effective(overrides, "overall")
    return case(
        (Score.id.is_(None), -1),
        *[(overall >= 10 * n, n) for n in range(9, 0, -1)],
        else_=0,
    )


def _sort_key(name: str, overrides):
    keys = {
        "name": func.lower(Invitation.candidate_name),
        "bank": func.lower(Bank.title),
        "state": _STATE,
        "level": effective_level(),
        "invited": Invitation.created_at,
        "submitted": Attempt.submitted_at,
    }
    return keys[name] if name in keys else effective(overrides, name)


def _joined(stmt, overrides):
    return (
        stmt.select_from(Invitation)
        .join(Bank, Bank.id == Invitation.bank_id)
        .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .outerjoin(overrides, overrides.c.attempt_id == Attempt.id)
    )


def _conditions(organisation_id: int, f: AttemptFilters, overrides) -> list:
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
        where.append(effective_level() == f.level)
    if f.flagged:
        where.append(_flagged())
    for name, bound, value in f.ranges:
        column = effective(overrides, name)
        where.append(at_least(column, value) if bound == "min" else at_most(column, value))
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
    pass_marks: Mapping[str, Mapping[str, Any]] | None = None,
) -> AttemptPage:
    """One page of the organisation's invitations with their attempt, score, verdict and
    integrity counts, filtered and sorted; plus the distribution of overall scores of the whole
    set. ``pass_marks`` are the configured ones (per bank slug); an admin's set on the banks page
    come first."""
    overrides = override_table()
    where = _conditions(organisation_id, filters, overrides)
    distribution, total = _distribution(session, organisation_id, where, overrides)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    order = desc if filters.descending else asc
    ids = list(
        session.scalars(
            _joined(select(Invitation.id), overrides)
            .where(*where)
            .order_by(order(_sort_key(filters.sort, overrides)).nulls_last(), order(Invitation.id))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    marks = BankPassMarks.for_banks(session, organisation_id, pass_marks)
    rows = _rows(session, ids, marks)
    return AttemptPage(rows, total, page, pages, distribution)


def filtered_ids(session: Session, organisation_id: int, filters: AttemptFilters) -> list[int]:
    """Every invitation id of the list as filtered and sorted, without paging (downloads)."""
    overrides = override_table()
    order = desc if filters.descending else asc
    return list(
        session.scalars(
            _joined(select(Invitation.id), overrides)
            .where(*_conditions(organisation_id, filters, overrides))
            .order_by(order(_sort_key(filters.sort, overrides)).nulls_last(), order(Invitation.id))
        )
    )


def _rows(session: Session, ids: list[int], pass_marks: Mapping[str, Any]) -> list[AttemptRow]:
    overrides = override_table()
    columns = [overrides.c[name] for name in SCORE_FIELDS]
    stmt = _joined(select(Invitation, Bank, Attempt, Score, *columns), overrides)
    stmt = stmt.where(Invitation.id.in_(ids)).options(defer(Bank.definition))
    found = {row[0].id: row for row in session.execute(stmt)}
    counts = integrity_counts(session, [r[2].id for r in found.values() if r[2] is not None])
    rows = []
    for invitation, bank, attempt, score, *values in (found[i] for i in ids if i in found):
        mine = {n: v for n, v in zip(SCORE_FIELDS, values, strict=True) if v is not None}
        pastes, blurs = counts.get(attempt.id, (0, 0)) if attempt is not None else (0, 0)
        given = None
        if score is not None:
            marks = pass_marks.get(bank.slug)
            titles = lambda attempt=attempt: attempt.task_titles  # noqa: E731 - read when needed
            given = verdict(score.score_card, marks, overrides=mine, titles=titles)
        rows.append(AttemptRow(invitation, bank, attempt, score, pastes, blurs, given, mine))
    return rows


def integrity_counts(session: Session, attempt_ids: list[int]) -> dict[int, tuple[int, int]]:
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


def _distribution(session: Session, organisation_id: int, where: list, overrides):
    """Per bank: how many attempts of the filtered set fall in each 10-point bin of overall."""
    bin_ = _bin(overrides)
    stmt = _joined(select(Bank.slug, bin_, func.count()), overrides)
    stmt = stmt.where(*where).group_by(Bank.slug, bin_)
    titles = bank_choices(session, organisation_id)
    banks: dict[str, dict[str, Any]] = {}
    total = 0
    for slug, bin_value, count in session.execute(stmt):
        total += count
        entry = banks.setdefault(
            slug, {"bank": slug, "title": titles.get(slug, slug), "bins": [0] * 10, "unscored": 0}
        )
        if bin_value < 0:
            entry["unscored"] += count
        else:
            entry["bins"][bin_value] += count
    return sorted(banks.values(), key=lambda b: b["title"].lower()), total
