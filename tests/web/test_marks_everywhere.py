"""The review page, the PDF report and the API mark the same text for the same answer: one
placement (scoring/marks.py) for all three, shown here on an answer with CRLF line ends, emoji
and overlapping matches."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader

from assessor.scoring.task import clean_text
from tests.web.test_review import EMAIL, issue, store_card, submit

RAW = "Hello Dana,\r\nThanks 😀👍🏽 you was right, we has send it.\r\nRegards 🙂"
GROUP_KEYS = {
    "grammar": "grammar",
    "spelling": "spelling",
    "punctuation / casing": "punctuation_casing",
    "style": "style",
}


def _issues():
    cleaned, _ = clean_text(RAW)
    at = cleaned.index
    return [
        issue(at("you was"), len("you was"), message="Use 'were'."),
        issue(at("was right"), len("was"), message="Subject and verb disagree."),  # overlaps
        issue(at("has send"), len("has send"), message="Use 'have sent'."),
        issue(at("send it"), len("send"), group="spelling", message="Did you mean 'sent'?"),
    ]


def _html_marks(body: str) -> list[tuple[int, str, str, str]]:
    found = re.findall(
        r'<li id="issue-' + EMAIL + r'-(\d+)"><span class="issue-detail"><span class="issue-group '
        r'group-(\w+)">[^<]*</span>\s*<span class="issue-text">“([^<]*)”</span> '
        r'<span class="issue-message">([^<]*)</span>',
        body,
    )
    return [
        (int(n) + 1, group, html.unescape(text), html.unescape(msg))
        for n, group, text, msg in found
    ]


def _pdf_marks(data: bytes) -> list[tuple[int, str, str, str]]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    found = re.findall(r"\[(\d+)\] ([a-z /]+) “([^”]*)”: ([^\n]*)", text)
    return [(int(n), GROUP_KEYS[group], covered, msg.strip()) for n, group, covered, msg in found]


def test_the_page_the_pdf_and_the_api_mark_the_same_text(
    app, db_session, invite, clock, recruiter_client, admin
):
    attempt_id = submit(db_session, invite, clock, {EMAIL: RAW})
    store_card(db_session, attempt_id, RAW, _issues())
    body = recruiter_client.get(f"/dashboard/attempts/{attempt_id}").get_data(as_text=True)
    pdf = recruiter_client.get(f"/dashboard/attempts/{attempt_id}/report.pdf").data

    on_page, in_pdf = _html_marks(body), _pdf_marks(pdf)
    assert on_page == [
        (1, "grammar", "you was", "Use 'were'."),
        (2, "grammar", "was", "Subject and verb disagree."),
        (3, "grammar", "has send", "Use 'have sent'."),
        (4, "spelling", "send", "Did you mean 'sent'?"),
    ]
    assert in_pdf == on_page
    # the page shades the text as written: CRLF kept, emoji in place, overlaps cut into pieces
    marked = re.findall(r'<mark class="issue issue-(\w+)"[^>]*>([^<]*)</mark>', body)
    assert marked == [
        ("grammar", "you "),
        ("grammar", "was"),
        ("grammar", "has "),
        ("grammar", "send"),
    ]
    assert "Hello Dana,\r\nThanks 😀👍🏽 " in body

    # the API gives the same marks as positions in the answer as written (never its text)
    from assessor.recruiter.services.api_tokens import create_token

    _, secret = create_token(db_session, admin, name="ats", now=clock())
    db_session.commit()
    response = app.test_client().get(
        f"/api/v1/results/{attempt_id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    (task,) = [t for t in response.get_json()["tasks"] if t["id"] == EMAIL]
    api = [(i["number"], i["group"], RAW[i["start"] : i["end"]]) for i in task["issues"]]
    assert api == [mark[:3] for mark in on_page]
    assert {i["rule_id"] for i in task["issues"]} == {"TEST_RULE"}
    assert "you was" not in response.get_data(as_text=True)
