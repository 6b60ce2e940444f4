"""Invitations from a CSV file: parse and check every row, keep it for a preview, import it whole.

Nothing is imported while any row has a problem: the recruiter fixes the file and uploads it
again. Problems are kept as ``(message, params)`` pairs, marked with N_() and translated when
shown, so that the preview speaks the recruiter's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from assessor.candidate.invitations import (
    _EMAIL_RE,
    MAX_EXTRA_MINUTES,
    check_valid_days,
    new_invitation,
)
from assessor.db import use_case
from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import Attempt, AttemptState, Bank, Invitation, InvitationUpload

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
KEEP_FOR = timedelta(days=1)  # an upload never imported is deleted after this
REQUIRED = ("name", "email", "bank")
COLUMNS = (*REQUIRED, "extra_minutes")

Problem = tuple[str, dict]


def parse_csv(data: bytes, banks: Iterable[Bank]) -> list[dict]:
    """The rows of a CSV file, each with its line number, values and problems.

    Problems with the file as a whole (encoding, size, columns) raise InvalidInput at once.
    """
    text = _decode(data)
    lines = text.splitlines()
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        while header and not header[-1]:
            header.pop()  # a spreadsheet's trailing separator
        _check_header(header)
        by_key = _bank_keys(banks)
        rows: list[dict] = []
        first_line: dict[str, int] = {}
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) == MAX_ROWS:
                raise _file_problem(N_("The file has more than %(n)s rows: split it."), n=MAX_ROWS)
            rows.append(_check_row(reader.line_num, header, record, by_key, first_line))
    except csv.Error:
        raise _file_problem(
            N_("Line %(line)s cannot be read as CSV (a stray quote, or a cell far too long)."),
            line=reader.line_num,
        ) from None
    if not rows:
        raise _file_problem(N_("The file has a header row but no candidates."))
    return rows


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _file_problem(N_("The file is larger than %(n)s MB."), n=MAX_BYTES // (1024 * 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem(
            N_(
                "The file is not UTF-8 text (first bad byte at position %(pos)s): save it as "
                "'CSV UTF-8' and upload it again."
            ),
            pos=exc.start + 1,
        ) from None
    if not text.strip():
        raise _file_problem(N_("The file is empty."))
    return text


def _check_header(header: list[str]) -> None:
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(
            (
                N_(
                    "Missing columns: %(columns)s. "
                    "The first row must name the columns: %(expected)s."
                ),
                {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
            )
        )
    unexpected = [c or '""' for c in header if c not in COLUMNS]
    if unexpected:
        problems.append(
            (
                N_("Unexpected columns: %(columns)s. The columns are: %(expected)s."),
                {"columns": ", ".join(unexpected), "expected": ", ".join(COLUMNS)},
            )
        )
    repeated = sorted({c for c in header if c in COLUMNS and header.count(c) > 1})
    if repeated:
        problems.append((N_("Columns given twice: %(columns)s."), {"columns": ", ".join(repeated)}))
    if problems:
        message, params = problems[0]
        raise InvalidInput(message, params, problems=problems)


def _bank_keys(banks: Iterable[Bank]) -> dict[str, Bank | None]:
    """slug and title (any case) -> the active bank; None where a title names two banks."""
    keys: dict[str, Bank | None] = {}
    for bank in banks:
        keys[bank.slug.lower()] = bank
    for bank in banks:
        title = " ".join(bank.title.split()).lower()
        if title not in keys:
            keys[title] = bank
        elif keys[title] is not None and keys[title].id != bank.id:
            keys[title] = None
    return keys


def _check_row(line, header, record, by_key, first_line) -> dict:
    values = {column: (record[i] if i < len(record) else "") for i, column in enumerate(header)}
    name = " ".join(values.get("name", "").split())
    email = values.get("email", "").strip()
    bank_key = " ".join(values.get("bank", "").split())
    extra = values.get("extra_minutes", "").strip()
    bank = by_key.get(bank_key.lower()) if bank_key else None
    minutes = _minutes(extra)
    problems: list[Problem] = []
    if any(cell.strip() for cell in record[len(header) :]):
        problems.append(
            (
                N_("%(n)s values for %(columns)s columns."),
                {"n": len(record), "columns": len(header)},
            )
        )
    if not name:
        problems.append((N_("The name is missing."), {}))
    elif len(name) > 200:
        problems.append((N_("The name is longer than 200 characters."), {}))
    problems += _email_problems(email, line, first_line)
    problems += _bank_problems(bank_key, bank, by_key)
    if minutes is None:
        problems.append(
            (
                N_("Extra time '%(value)s' is not a whole number of minutes from 0 to %(max)s."),
                {"value": extra[:20], "max": MAX_EXTRA_MINUTES},
            )
        )
    return {
        "line": line,
        "name": name[:200],
        "email": email[:320],
        "bank": bank_key[:300],
        "bank_id": bank.id if bank is not None else None,
        "bank_title": bank.title if bank is not None else None,
        "extra_minutes": minutes if minutes is not None else extra[:20],  # as typed when wrong
        "problems": [list(p) for p in problems],
    }


def _email_problems(email: str, line: int, first_line: dict[str, int]) -> list[Problem]:
    if not email:
        return [(N_("The e-mail address is missing."), {})]
    if not _EMAIL_RE.match(email):
        return [(N_("'%(value)s' is not a valid e-mail address."), {"value": email[:100]})]
    if email.lower() in first_line:
        return [
            (
                N_("The same e-mail address is already on line %(line)s."),
                {"line": first_line[email.lower()]},
            )
        ]
    first_line[email.lower()] = line
    return []


def _bank_problems(key: str, bank: Bank | None, by_key: dict) -> list[Problem]:
    if not key:
        return [(N_("The test (bank) is missing."), {})]
    if key.lower() in by_key and bank is None:
        return [(N_("'%(value)s' names several tests: give its id instead."), {"value": key[:100]})]
    if bank is None:
        return [(N_("'%(value)s' is not one of your tests (id or title)."), {"value": key[:100]})]
    return []


def _minutes(raw: str) -> int | None:
    if not raw:
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return None
    value = int(raw)
    return value if value <= MAX_EXTRA_MINUTES else None


def _file_problem(message: str, **params) -> InvalidInput:
    return InvalidInput(message, params, problems=[(message, params)])


@use_case
def create_upload(
    session: Session,
    *,
    organisation_id: int,
    user_id: int,
    filename: str,
    data: bytes,
    banks: Iterable[Bank],
    now: datetime,
) -> InvitationUpload:
    """Keep the parsed rows of a CSV file for its preview; raises InvalidInput for a bad file."""
    rows = parse_csv(data, list(banks))
    _mark_open_invitations(session, organisation_id, rows, now)
    upload = InvitationUpload(
        organisation_id=organisation_id,
        created_by_id=user_id,
        filename=(filename or "invitations.csv").replace("\\", "/").rsplit("/", 1)[-1][:300],
        rows=rows,
        created_at=now,
    )
    session.add(upload)
    session.flush()
    return upload


def open_invitations(
    session: Session, organisation_id: int, rows: list[dict], now: datetime
) -> dict[tuple[str, int], datetime]:
    """(e-mail, test) pairs of the rows that already have an open invitation (not revoked, not
    expired and not yet submitted), with the date it was made: a file uploaded twice must not
    invite everyone twice."""
    wanted = {(row["email"].lower(), row["bank_id"]) for row in rows if row.get("bank_id")}
    if not wanted:
        return {}
    found: dict[tuple[str, int], datetime] = {}
    emails = sorted({email for email, _bank in wanted})
    for start in range(0, len(emails), 500):  # bounded IN lists
        stmt = (
            select(Invitation.candidate_email, Invitation.bank_id, Invitation.created_at)
            .outerjoin(Attempt, Attempt.invitation_id == Invitation.id)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.revoked_at.is_(None),
                func.lower(Invitation.candidate_email).in_(emails[start : start + 500]),
                or_(
                    and_(Attempt.id.is_(None), Invitation.expires_at > now),
                    Attempt.state == AttemptState.IN_PROGRESS,
                ),
            )
        )
        for email, bank_id, created_at in session.execute(stmt):
            key = (email.lower(), bank_id)
            if key in wanted:
                found[key] = min(created_at, found.get(key, created_at))
    return found


def _mark_open_invitations(session, organisation_id, rows, now) -> None:
    found = open_invitations(session, organisation_id, rows, now)
    for row in rows:
        made = found.get((row["email"].lower(), row.get("bank_id")))
        if made is not None:
            row["problems"].append(
                [
                    N_(
                        "%(email)s already has an open invitation to this test (made "
                        "%(date)s): remove the row, or revoke that invitation first."
                    ),
                    {"email": row["email"][:100], "date": made.date().isoformat()},
                ]
            )


def scoped_upload(
    session: Session, organisation_id: int, upload_id: int, *, lock: bool = False
) -> InvitationUpload:
    """The organisation's upload; with ``lock``, a second import of it (a double click) waits
    for the first and then finds it gone."""
    upload = session.get(InvitationUpload, upload_id, with_for_update=lock or None)
    if upload is None or upload.organisation_id != organisation_id:
        raise NotFound(N_("No such upload: it was imported, or it is more than a day old."))
    return upload


def bad_rows(upload: InvitationUpload) -> list[dict]:
    return [row for row in upload.rows if row["problems"]]


@use_case
def import_upload(
    session: Session,
    upload: InvitationUpload,
    *,
    user_id: int,
    now: datetime,
    valid_days: int,
) -> list[tuple[Invitation, str]]:
    """Create every invitation of a clean upload and delete the upload, all or nothing.

    Any error rolls back, with nothing created.
    """
    check_valid_days(valid_days)
    if bad_rows(upload):
        raise InvalidInput(
            N_(
                "Some rows have problems (%(n)s): fix the file and upload it again. "
                "Nothing was imported."
            ),
            {"n": len(bad_rows(upload))},
        )
    # An invitation made between the preview and the import (another recruiter, a second tab)
    found = open_invitations(session, upload.organisation_id, upload.rows, now)
    if found:
        raise InvalidInput(
            N_(
                "%(n)s candidates of this file were invited to the same test since its preview: "
                "upload it again to see which. Nothing was imported."
            ),
            {"n": len(found)},
        )
    created = []
    for row in upload.rows:
        created.append(
            new_invitation(
                session,
                organisation_id=upload.organisation_id,
                bank_id=row["bank_id"],
                candidate_name=row["name"],
                candidate_email=row["email"],
                created_by_id=user_id,
                now=now,
                valid_days=valid_days,
                extra_minutes=row["extra_minutes"],
            )
        )
    # One flush for the lot: one multi-row INSERT rather than one round trip per candidate.
    session.add_all(invitation for invitation, _token in created)
    session.delete(upload)
    session.flush()
    return created


def delete_stale_uploads(session: Session, now: datetime) -> int:
    """Uploads never imported are dropped after a day: they hold candidates' names and e-mails."""
    stale = select(InvitationUpload.id).where(InvitationUpload.created_at < now - KEEP_FOR)
    ids = list(session.scalars(stale))
    if ids:
        session.execute(delete(InvitationUpload).where(InvitationUpload.id.in_(ids)))
    return len(ids)
