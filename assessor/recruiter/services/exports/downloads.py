"""Exports as browser downloads: the dashboard's filtered list as CSV or XLSX, streamed, and one
candidate's PDF report.

The rows are exactly the dashboard's list: its own filter conditions and sort order pick and order
the invitations, scoped to the recruiter's organisation. CSV goes out as it is written; XLSX is a
zip that can only be finished at the end, so xlsxwriter (in constant-memory mode) writes it to an
anonymous temporary file that is then sent in pieces and vanishes when closed.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from assessor.models import Invitation
from assessor.recruiter.services.attempt_filters import AttemptFilters
from assessor.recruiter.services.attempt_list import (
    filtered_ids,  # the dashboard's own filters and order, not a copy
)
from assessor.recruiter.services.exports.report import write_pdf_report
from assessor.recruiter.services.exports.rows import BATCH_SIZE, export_rows
from assessor.recruiter.services.exports.writers import csv_chunks, write_xlsx

CHUNK_BYTES = 64 * 1024
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filtered_rows(
    session: Session,
    organisation_id: int,
    filters: AttemptFilters,
    pass_marks: Mapping[str, Mapping] | None = None,
) -> Iterator[dict]:
    """The export rows of the organisation's list as filtered and sorted on the dashboard.

    The filtered, sorted ids come first (one narrow query, like the dashboard's page), then the
    rows a batch of ids at a time: sorting the wide rows themselves, score cards and all, would
    make the database sort megabytes of JSON."""
    ids = filtered_ids(session, organisation_id, filters)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        found = export_rows(
            session, organisation_id, where=[Invitation.id.in_(batch)], pass_marks=pass_marks
        )
        by_id = {row["invitation_id"]: row for row in found}
        yield from (by_id[i] for i in batch if i in by_id)


def csv_download(rows) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which Excel needs to read accents, in pieces."""
    yield "\ufeff".encode()
    for chunk in csv_chunks(rows, size=CHUNK_BYTES):
        yield chunk.encode()


def xlsx_download(rows) -> Iterator[bytes]:
    with tempfile.TemporaryFile(prefix="assessor-export-") as handle:
        write_xlsx(rows, handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def pdf_download(
    session: Session, organisation_id: int, attempt_id: int, now, pass_marks=None
) -> bytes:
    """One candidate's report (a few pages: built in memory). Another organisation's attempt
    is not found."""
    buffer = io.BytesIO()
    write_pdf_report(
        session,
        attempt_id,
        buffer,
        organisation_id=organisation_id,
        now=now,
        pass_marks=pass_marks,
    )
    return buffer.getvalue()


def download_name(what: str, extension: str, now: datetime) -> str:
    """``assessor-results-2026-03-02.csv``: ASCII only, so that every browser keeps it."""
    return f"assessor-{what}-{now:%Y-%m-%d}.{extension}"
