"""One flat row per candidate (invitation), streamed in batches, for spreadsheets and feeds.

The main query selects columns, never whole objects, and is read with ``yield_per``: rows come
from the cursor a batch at a time and nothing is kept in the session's identity map. The
integrity counts of a batch come from one grouped query over its attempts. A score card is read,
flattened and dropped row by row, so memory stays flat however many candidates are exported.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from assessor.errors import InvalidInput
from assessor.models import (
    OVERRIDABLE,
    Attempt,
    AttemptEvent,
    Bank,
    BankPassMarks,
    Invitation,
    Organisation,
    Score,
)
from assessor.recruiter.services.attempt_filters import FLAGGED_FOCUS_LOSSES
from assessor.recruiter.services.effective_scores import override_table
from assessor.scoring.card import ScoreCard, read_card
from assessor.scoring.judged import judge, whole
from assessor.scoring.pass_marks import PassMarks, typing_measures, verdict
from assessor.scoring.typing import accuracy_percent

BATCH_SIZE = 200  # rows (and score cards, tens of kB each) held at once
SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
COLUMNS = (
    "organisation",
    "invitation_id",
    "attempt_id",
    "candidate_name",
    "candidate_email",
    "bank_id",
    "bank_version",
    "bank_title",
    "language",
    "state",
    "invited_at",
    "started_at",
    "submitted_at",
    "submitted_by",
    "time_used_minutes",
    *SUBSCORES,
    "typing_wpm",
    "typing_accuracy_percent",
    "overall",
    "level",
    "level_is_estimate",
    "model_version",
    "pass_mark",  # pass, review or fail against the bank's pass marks, on the scores as judged
    "pass_mark_reasons",  # the rules that did not pass, one per line
    "pastes",
    "pasted_characters",
    "focus_losses",
    "integrity_flagged",  # as the dashboard flags: any paste, or repeated focus losses
    # Scores above are as judged, whole numbers (scoring/judged.py); where a recruiter overrode
    # one, the machine's value and the reason given (both empty when not overridden). The
    # overall score's machine value is also given when an overridden sub-score recomputed it.
    *(f"{name}_{suffix}" for name in OVERRIDABLE for suffix in ("machine", "override_reason")),
    "level_machine",  # the machine's level, where the level as judged differs from it
)
STATES = ("invited", "revoked", "in_progress", "submitted", "scored", "failed")


@dataclass(frozen=True)
class ExportFilters:
    """Which candidates to export; every field optional. Dates compare with the invitation's."""

    state: str | None = None
    bank_id: str | None = None  # the bank's slug, any version
    invited_from: datetime | None = None
    invited_until: datetime | None = None

    @classmethod
    def coerce(cls, value: ExportFilters | Mapping[str, Any] | None) -> ExportFilters:
        if value is None or isinstance(value, cls):
            return value or cls()
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise InvalidInput(f"Unknown export filter(s): {', '.join(sorted(unknown))}.")
        filters = cls(**value)
        if filters.state is not None and filters.state not in STATES:
            raise InvalidInput(f"The state must be one of: {', '.join(STATES)}.")
        return filters


def export_rows(
    session: Session,
    organisation_id: int | None,
    *,
    filters: ExportFilters | Mapping[str, Any] | None = None,
    where: Sequence[Any] = (),
    batch_size: int = BATCH_SIZE,
    pass_marks: Mapping[str, PassMarks | Mapping[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one row (keys: ``COLUMNS``) per invitation of the organisation, or of all of them
    when ``organisation_id`` is None, oldest first. Missing values are None. ``where`` (over
    invitation, bank, attempt and score) narrows the rows further. ``pass_marks`` are the
    marks per bank slug (``BankPassMarks.for_banks``; the defaults of ``pass_marks.py``
    otherwise)."""
    pass_marks = pass_marks or {}
    if organisation_id is not None:  # an admin's marks, set on the banks page, come first
        pass_marks = BankPassMarks.for_banks(session, organisation_id, pass_marks)
    stmt = _apply(_base_query(organisation_id), ExportFilters.coerce(filters)).where(*where)
    result = session.execute(stmt.execution_options(yield_per=batch_size))
    known: dict[int, dict[str, str]] = {}  # bank -> task id -> title, read once per bank
    for batch in result.partitions():
        attempt_ids = [row.attempt_id for row in batch if row.attempt_id is not None]
        integrity = _integrity_counts(session, attempt_ids)
        for row in batch:
            marks = pass_marks.get(row.bank_id)
            titles = _titles(session, row.bank_pk, known) if row.card is not None else None
            yield _flatten(row, integrity.get(row.attempt_id), marks, titles)


def _base_query(organisation_id: int | None) -> Select:
    overrides = override_table(with_reasons=True)
    stmt = (
        select(
            Organisation.name.label("organisation"),
            Invitation.id.label("invitation_id"),
            Invitation.candidate_name,
            Invitation.candidate_email,
            Invitation.created_at.label("invited_at"),
            Invitation.revoked_at,
            Bank.id.label("bank_pk"),
            Bank.slug.label("bank_id"),
            Bank.version.label("bank_version"),
            Bank.title.label("bank_title"),
            Bank.language,
            Attempt.id.label("attempt_id"),
            Attempt.state,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.submitted_by,
            Score.overall,
            Score.level,
            Score.model_version,
            Score.card,
            *(overrides.c[name].label(f"override_{name}") for name in OVERRIDABLE),
            *(
                overrides.c[f"{name}_reason"].label(f"override_{name}_reason")
                for name in OVERRIDABLE
            ),
        )
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .join(Bank, Bank.id == Invitation.bank_id)
        .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
        .outerjoin(Score, Score.attempt_id == Attempt.id)
        .outerjoin(overrides, overrides.c.attempt_id == Attempt.id)
        .order_by(Invitation.id)
    )
    if organisation_id is not None:
        stmt = stmt.where(Invitation.organisation_id == organisation_id)
    return stmt


def _apply(stmt: Select, filters: ExportFilters) -> Select:
    if filters.state == "invited":
        stmt = stmt.where(Attempt.id.is_(None), Invitation.revoked_at.is_(None))
    elif filters.state == "revoked":
        stmt = stmt.where(Attempt.id.is_(None), Invitation.revoked_at.is_not(None))
    elif filters.state is not None:
        stmt = stmt.where(Attempt.state == filters.state)
    if filters.bank_id:
        stmt = stmt.where(Bank.slug == filters.bank_id)
    if filters.invited_from:
        stmt = stmt.where(Invitation.created_at >= filters.invited_from)
    if filters.invited_until:
        stmt = stmt.where(Invitation.created_at < filters.invited_until)
    return stmt


def _integrity_counts(session: Session, attempt_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """attempt id -> (pastes, pasted characters, focus losses), for one batch of attempts."""
    if not attempt_ids:
        return {}
    is_paste = AttemptEvent.kind == "paste"
    stmt = (
        select(
            AttemptEvent.attempt_id,
            func.sum(case((is_paste, 1), else_=0)),
            func.sum(case((is_paste, AttemptEvent.data["length"].as_integer()), else_=0)),
            func.sum(case((AttemptEvent.kind == "blur", 1), else_=0)),
        )
        .where(AttemptEvent.attempt_id.in_(attempt_ids))
        .where(AttemptEvent.kind.in_(("paste", "blur")))
        .group_by(AttemptEvent.attempt_id)
    )
    return {
        attempt_id: (int(pastes or 0), int(chars or 0), int(blurs or 0))
        for attempt_id, pastes, chars, blurs in session.execute(stmt)
    }


def _titles(session: Session, bank_pk: int, known: dict[int, dict[str, str]]) -> dict[str, str]:
    """Task id -> title of one bank version (the verdict names the tasks not answered)."""
    if bank_pk not in known:
        definition = session.scalar(select(Bank.definition).where(Bank.id == bank_pk)) or {}
        tasks = definition.get("tasks") if isinstance(definition, dict) else None
        known[bank_pk] = {
            t["id"]: t["title"]
            for t in tasks or ()
            if isinstance(t, dict)
            and isinstance(t.get("id"), str)
            and isinstance(t.get("title"), str)
        }
    return known[bank_pk]


def _flatten(
    row: Any,
    integrity: tuple[int, int, int] | None,
    marks: Mapping[str, Any] | None = None,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    card = read_card(row.card) if row.card is not None else None
    wpm, accuracy = _typing(card) if card is not None else (None, None)
    attempted = row.attempt_id is not None
    pastes, pasted, blurs = integrity or ((0, 0, 0) if attempted else (None, None, None))
    out: dict[str, Any] = {
        "organisation": row.organisation,
        "invitation_id": row.invitation_id,
        "attempt_id": row.attempt_id,
        "candidate_name": row.candidate_name,
        "candidate_email": row.candidate_email,
        "bank_id": row.bank_id,
        "bank_version": row.bank_version,
        "bank_title": row.bank_title,
        "language": row.language,
        "state": row.state or ("revoked" if row.revoked_at is not None else "invited"),
        "invited_at": iso_utc(row.invited_at),
        "started_at": iso_utc(row.started_at),
        "submitted_at": iso_utc(row.submitted_at),
        "submitted_by": row.submitted_by,
        "time_used_minutes": minutes_used(row.started_at, row.submitted_at),
    }
    judged = judge(card, _overrides(row)) if card is not None else None
    out.update({name: whole(judged.subscores.get(name)) if judged else None for name in SUBSCORES})
    out.update(
        typing_wpm=wpm,
        typing_accuracy_percent=accuracy,
        overall=judged.overall if judged else None,
        level=judged.level if judged else None,
        level_is_estimate=card.level_is_estimate if card else None,
        model_version=row.model_version,
        pastes=pastes,
        pasted_characters=pasted,
        focus_losses=blurs,
        integrity_flagged=(pastes > 0 or blurs >= FLAGGED_FOCUS_LOSSES) if attempted else None,
    )
    _machine_values(out, row, card, judged)
    found = verdict(card, marks, judged=judged, titles=titles) if card and judged else None
    out["pass_mark"] = found.result if found else None
    out["pass_mark_reasons"] = "\n".join(found.texts()) if found else None
    return {name: out[name] for name in COLUMNS}


def _overrides(row: Any) -> dict[str, float]:
    found = {name: _number(getattr(row, f"override_{name}")) for name in OVERRIDABLE}
    return {name: value for name, value in found.items() if value is not None}


def _machine_values(out: dict[str, Any], row: Any, card: Any, judged: Any) -> None:
    """Beside the scores as judged: the machine's value and the reason where they differ."""
    overridden = _overrides(row)
    for name in OVERRIDABLE:
        if card is None:
            machine = None
        else:
            machine = card.overall if name == "overall" else getattr(card.subscores, name, None)
        moved = name in overridden or (name == "overall" and judged and judged.overall_recomputed)
        out[f"{name}_machine"] = whole(machine) if card is not None and moved else None
        out[f"{name}_override_reason"] = getattr(row, f"override_{name}_reason")
    level = row.level  # the machine's, as stored beside the card
    out["level_machine"] = level if judged and level and level != judged.level else None


def _typing(card: ScoreCard) -> tuple[float | None, float | None]:
    """Mean net WPM and accuracy (in %) of the typing tasks, as the pass marks read them."""
    wpm, accuracy = typing_measures(card)
    return whole(wpm), None if accuracy is None else accuracy_percent(accuracy)


def _number(value: Any) -> float | None:
    """A finite number or None: NaN and infinities have no place in CSV, XLSX or JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def minutes_used(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()) / 60, 1)


def iso_utc(value: datetime | None) -> str | None:
    """``2026-03-02T09:00:00Z``: ISO 8601, in UTC, to the second."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")
