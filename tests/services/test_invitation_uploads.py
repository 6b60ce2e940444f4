"""The CSV of invitations: every bad file and every bad row is named, nothing bad is imported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessor.candidate.invitations import find_invitation
from assessor.errors import InvalidInput
from assessor.models import Invitation, InvitationUpload
from assessor.recruiter.services import invitation_uploads as uploads
from tests.conftest import T0

HEADER = "name,email,bank,extra_minutes\n"
GOOD = "Asha Rao,asha@example.com,support-en,0\n"
TITLE = "Customer support by e-mail and chat (US English)"


def said(problems) -> list[str]:
    """Problems as shown (in English): message filled with its params."""
    return [message % params if params else message for message, params in problems]


def file_problems(data: bytes, banks) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        uploads.parse_csv(data, banks)
    return said(caught.value.details["problems"])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ["The file is empty."]),
        (b"\xef\xbb\xbf  \r\n", ["The file is empty."]),
        (HEADER.encode(), ["The file has a header row but no candidates."]),
        (
            (HEADER + "Zoë,zoe@example.com,support-en,0\n").encode("latin-1"),
            [
                "The file is not UTF-8 text (first bad byte at position 33): save it as "
                "'CSV UTF-8' and upload it again."
            ],
        ),
        (b"x" * (1024 * 1024 + 1), ["The file is larger than 1 MB."]),
        (
            b"name,email\nAsha,asha@example.com\n",
            [
                "Missing columns: bank. The first row must name the columns: "
                "name, email, bank, extra_minutes."
            ],
        ),
        (
            (HEADER.strip() + ",phone\n" + GOOD).encode(),
            ["Unexpected columns: phone. The columns are: name, email, bank, extra_minutes."],
        ),
        (
            b"name,email,bank,email\n",
            ["Columns given twice: email."],
        ),
        (
            GOOD.encode(),  # no header row: the first candidate is read as one
            [
                "Missing columns: name, email, bank. The first row must name the columns: "
                "name, email, bank, extra_minutes.",
                "Unexpected columns: asha rao, asha@example.com, support-en, 0. "
                "The columns are: name, email, bank, extra_minutes.",
            ],
        ),
        (
            (HEADER + GOOD * 2000 + "Last One,last@example.com,support-en,0\n").encode(),
            ["The file has more than 2000 rows: split it."],
        ),
        (
            (HEADER + 'Asha,"asha@example.com,support-en\n').encode(),
            ["Line 2 cannot be read as CSV (a stray quote, or a cell far too long)."],
        ),
    ],
    ids=[
        "empty",
        "only-bom",
        "no-rows",
        "latin-1",
        "too-large",
        "missing-column",
        "unexpected-column",
        "repeated-column",
        "no-header",
        "too-many-rows",
        "stray-quote",
    ],
)
def test_a_bad_file_is_refused_with_its_problems_named(data, expected, bank):
    assert file_problems(data, [bank]) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",bo@example.com,support-en,0", ["The name is missing."]),
        ("Bo,,support-en,0", ["The e-mail address is missing."]),
        (
            "Asha,asha.example.com,support-en,0",
            ["'asha.example.com' is not a valid e-mail address."],
        ),
        ("Bo,bo@example.com,,0", ["The test (bank) is missing."]),
        (
            "Bo,bo@example.com,support-de,0",
            ["'support-de' is not one of your tests (id or title)."],
        ),
        (
            "Bo,bo@example.com,support-en,abc",
            ["Extra time 'abc' is not a whole number of minutes from 0 to 600."],
        ),
        (
            "Bo,bo@example.com,support-en,601",
            ["Extra time '601' is not a whole number of minutes from 0 to 600."],
        ),
        (
            "Bo,bo@example.com,support-en,-5",
            ["Extra time '-5' is not a whole number of minutes from 0 to 600."],
        ),
        (
            "Bo,bo@example.com,support-en,1.5",
            ["Extra time '1.5' is not a whole number of minutes from 0 to 600."],
        ),
        ("Bo,bo@example.com,support-en,0,oops", ["5 values for 4 columns."]),
        (
            ",not-an-address,nowhere,many",
            [
                "The name is missing.",
                "'not-an-address' is not a valid e-mail address.",
                "'nowhere' is not one of your tests (id or title).",
                "Extra time 'many' is not a whole number of minutes from 0 to 600.",
            ],
        ),
    ],
)
def test_every_problem_of_a_bad_row_is_named(row, expected, bank):
    rows = uploads.parse_csv((HEADER + GOOD + row + "\n").encode(), [bank])
    assert said(rows[0]["problems"]) == []
    assert rows[1]["line"] == 3
    assert said(rows[1]["problems"]) == expected


def test_the_same_email_twice_names_the_first_line(bank):
    data = (
        HEADER
        + GOOD
        + "Bruno,bruno@example.com,support-en,0\nAsha R,ASHA@example.com,support-en,\n"
    )
    rows = uploads.parse_csv(data.encode(), [bank])
    assert [said(r["problems"]) for r in rows] == [
        [],
        [],
        ["The same e-mail address is already on line 2."],
    ]


def test_excel_in_a_french_locale_semicolons_bom_crlf_and_titles(bank):
    """Excel (fr) writes ';', a BOM and CRLF; banks may be named by title, in any case."""
    data = (
        "\ufeffName;Email;Bank;Extra_Minutes;\r\n"
        f"Élodie Martin;elodie@example.fr;{TITLE.upper()};15;\r\n"
        ";;;;\r\n"
        "Jean Dupont;jean@example.fr;support-en;;\r\n"
    ).encode()
    rows = uploads.parse_csv(data, [bank])
    assert [(r["line"], r["name"], r["bank_id"], r["extra_minutes"]) for r in rows] == [
        (2, "Élodie Martin", bank.id, 15),
        (4, "Jean Dupont", bank.id, 0),
    ]
    assert all(r["problems"] == [] for r in rows)


def test_the_extra_minutes_column_is_optional(bank):
    rows = uploads.parse_csv(b"email,name,bank\nasha@example.com,Asha,support-en\n", [bank])
    assert (rows[0]["name"], rows[0]["extra_minutes"], rows[0]["problems"]) == ("Asha", 0, [])


def test_a_title_shared_by_two_tests_must_be_given_by_id(db_session, org, bank):
    from assessor.models import Bank

    twin = Bank(
        organisation_id=org.id,
        slug="support-en-2",
        version=1,
        title=bank.title,
        language="en-US",
        time_limit_minutes=30,
        definition={},
    )
    db_session.add(twin)
    db_session.commit()
    rows = uploads.parse_csv((HEADER + f"Bo,bo@example.com,{TITLE},0\n").encode(), [bank, twin])
    assert said(rows[0]["problems"]) == [f"'{TITLE}' names several tests: give its id instead."]


def _upload(db_session, org, recruiter, bank, text: str) -> InvitationUpload:
    upload = uploads.create_upload(
        db_session,
        organisation_id=org.id,
        user_id=recruiter.id,
        filename="C:\\Users\\rita\\candidates.csv",
        data=text.encode(),
        banks=[bank],
        now=T0,
    )
    db_session.commit()
    return upload


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_an_upload_with_a_bad_row_imports_nothing(db_session, org, recruiter, bank):
    upload = _upload(db_session, org, recruiter, bank, HEADER + GOOD + "Bruno,bruno@,x,0\n")
    assert upload.filename == "candidates.csv"
    with pytest.raises(InvalidInput, match=r"Some rows have problems \(1\)"):
        uploads.import_upload(db_session, upload, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.rollback()
    assert _count(db_session, Invitation) == 0
    assert _count(db_session, InvitationUpload) == 1


def test_a_clean_upload_imports_every_row_and_goes_away(db_session, org, recruiter, bank):
    text = HEADER + GOOD + "Bruno Silva,bruno@example.com,support-en,30\n"
    upload = _upload(db_session, org, recruiter, bank, text)
    created = uploads.import_upload(db_session, upload, user_id=recruiter.id, now=T0, valid_days=3)
    db_session.commit()
    assert [(i.candidate_name, i.extra_minutes) for i, _ in created] == [
        ("Asha Rao", 0),
        ("Bruno Silva", 30),
    ]
    assert all(i.expires_at == T0 + timedelta(days=3) for i, _ in created)
    assert find_invitation(db_session, created[1][1]).candidate_email == "bruno@example.com"
    assert _count(db_session, InvitationUpload) == 0


def test_an_import_is_all_or_nothing(db_session, org, recruiter, bank):
    """A bank retired between the preview and the import: the first rows are not kept."""
    text = HEADER + GOOD + "Bruno Silva,bruno@example.com,support-en,30\n"
    upload = _upload(db_session, org, recruiter, bank, text)
    upload.rows = [*upload.rows[:1], {**upload.rows[1], "bank_id": bank.id + 99}]
    db_session.commit()
    with pytest.raises(InvalidInput):
        uploads.import_upload(db_session, upload, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.rollback()
    assert _count(db_session, Invitation) == 0
    assert _count(db_session, InvitationUpload) == 1


def test_an_upload_left_for_a_day_is_deleted(db_session, org, recruiter, bank):
    _upload(db_session, org, recruiter, bank, HEADER + GOOD)
    assert uploads.delete_stale_uploads(db_session, T0 + timedelta(hours=23)) == 0
    assert uploads.delete_stale_uploads(db_session, T0 + timedelta(hours=25)) == 1
    db_session.commit()
    assert _count(db_session, InvitationUpload) == 0


def test_a_wrong_extra_time_is_shown_as_typed_not_as_zero(bank):
    (row,) = uploads.parse_csv((HEADER + "Bo,bo@example.com,support-en,abc\n").encode(), [bank])
    assert row["extra_minutes"] == "abc" and row["problems"]


def test_a_candidate_with_an_open_invitation_to_the_test_is_named_not_invited_twice(
    db_session, org, recruiter, bank
):
    text = HEADER + GOOD + "Bruno Silva,bruno@example.com,support-en,0\n"
    first = _upload(db_session, org, recruiter, bank, text)
    uploads.import_upload(db_session, first, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.commit()
    # the same file again, with Bruno's address in capitals and a new candidate
    again = (
        text.replace("bruno@example.com", "Bruno@Example.com")
        + "Chiara,chiara@example.com,support-en,0\n"
    )
    second = _upload(db_session, org, recruiter, bank, again)
    problems = {row["email"]: said(row["problems"]) for row in second.rows}
    assert problems["Bruno@Example.com"] == [
        "Bruno@Example.com already has an open invitation to this test (made "
        f"{T0.date().isoformat()}): remove the row, or revoke that invitation first."
    ]
    assert problems["chiara@example.com"] == []
    with pytest.raises(InvalidInput, match=r"Some rows have problems \(2\)"):
        uploads.import_upload(db_session, second, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.rollback()
    assert _count(db_session, Invitation) == 2


def test_a_revoked_or_expired_invitation_does_not_block_a_new_one(db_session, org, recruiter, bank):
    first = _upload(db_session, org, recruiter, bank, HEADER + GOOD)
    ((invitation, _),) = uploads.import_upload(
        db_session, first, user_id=recruiter.id, now=T0, valid_days=1
    )
    db_session.commit()
    later = T0 + timedelta(days=2)  # expired
    assert uploads.open_invitations(db_session, org.id, first.rows, later) == {}
    assert uploads.open_invitations(db_session, org.id, first.rows, T0) != {}
    invitation.revoked_at = T0
    db_session.commit()
    assert uploads.open_invitations(db_session, org.id, first.rows, T0) == {}


def test_an_invitation_made_after_the_preview_stops_the_import(db_session, org, recruiter, bank):
    upload = _upload(db_session, org, recruiter, bank, HEADER + GOOD)
    other = _upload(db_session, org, recruiter, bank, HEADER + GOOD)
    uploads.import_upload(db_session, other, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.commit()
    with pytest.raises(InvalidInput, match="invited to the same test since its preview"):
        uploads.import_upload(db_session, upload, user_id=recruiter.id, now=T0, valid_days=14)
    db_session.rollback()
    assert _count(db_session, Invitation) == 1
