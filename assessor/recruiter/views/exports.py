"""Downloads for hiring files: the dashboard's filtered list (CSV, XLSX) and a candidate's PDF."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user, login_required

from assessor.clock import now
from assessor.db import database, get_session
from assessor.recruiter.services import attempt_filters, attempt_list
from assessor.recruiter.services.exports import downloads

bp = Blueprint("exports", __name__, template_folder="../templates")


@bp.get("/dashboard/export.csv")
@login_required
def results_csv():
    return _results("csv", downloads.csv_download)


@bp.get("/dashboard/export.xlsx")
@login_required
def results_xlsx():
    return _results("xlsx", downloads.xlsx_download)


@bp.get("/dashboard/attempts/<int:attempt_id>/report.pdf")
@login_required
def report_pdf(attempt_id: int):
    session, today = get_session(), now()
    marks = current_app.config.get("PASS_MARKS") or {}
    body = downloads.pdf_download(session, current_user.organisation_id, attempt_id, today, marks)
    return _attachment(body, "pdf", downloads.download_name(f"report-{attempt_id}", "pdf", today))


def _results(extension: str, encode) -> Response:
    """Same filters as the dashboard (parameters it does not understand are left out, as there);
    the rows are read and sent while the response streams."""
    session = get_session()
    organisation_id = current_user.organisation_id
    banks = attempt_list.bank_choices(session, organisation_id)
    filters, _ignored = attempt_filters.parse_attempt_filters(request.args, banks=banks)
    marks = current_app.config.get("PASS_MARKS") or {}
    Session = database().Session

    def body():
        # The stream outlives the request's own session (closed at the request's teardown):
        # it reads with a session of its own, closed when the stream ends or is abandoned.
        with Session() as stream_session:
            yield from encode(
                downloads.filtered_rows(stream_session, organisation_id, filters, marks)
            )

    return _attachment(body(), extension, downloads.download_name("results", extension, now()))


def _attachment(body, extension: str, filename: str) -> Response:
    response = Response(body, content_type=downloads.MEDIA_TYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # candidates' personal data
    return response
