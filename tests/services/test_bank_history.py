"""An attempt keeps a copy of what it showed: publishing a new bank version changes no history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from assessor.errors import InvalidInput
from assessor.models import Attempt, Bank
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from tests.conftest import BANKS
from tests.web.forms import csrf_from


def test_a_new_bank_version_leaves_started_attempts_as_they_were(client, db_session, org, invite):
    _, token = invite()
    csrf = csrf_from(client.get(f"/t/{token}"))
    client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf})

    v1 = load_bank(BANKS / "support-en.toml")
    v2 = replace(v1, version=v1.version + 1, title="Customer support, revised")
    import_bank(db_session, org, v2)
    db_session.commit()

    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert v1.title in page and "revised" not in page
    attempt = db_session.scalar(select(Attempt))
    assert attempt.bank_snapshot["title"] == v1.title and attempt.bank_snapshot["version"] == 1
    active = db_session.scalars(select(Bank.version).where(Bank.active.is_(True))).all()
    assert active == [2]
    with pytest.raises(InvalidInput, match="question banks"):
        invite()  # the fixture offers v1, which new invitations can no longer use
