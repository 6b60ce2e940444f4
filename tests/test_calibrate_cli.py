"""``assessor calibrate``: the comparison table, adoption only when asked, the version list."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessor.models import ScoringModel
from tests.services.test_calibration import rate  # noqa: F401 - the fixture

pytestmark = [pytest.mark.languagetool, pytest.mark.slow]
ORG = "Northwind Outsourcing"


def test_calibrate_prints_both_models_and_changes_nothing_without_adopt(
    runner,
    db_session,
    rate,  # noqa: F811
):
    rate(40)
    result = runner.invoke(args=["calibrate", "--organisation", ORG, "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Rated attempts: 30 to refit, 10 held out" in result.output
    current = re.search(
        r"current writing-v5 +(-?[\d.]+|n/a) +(-?[\d.]+|n/a) +(-?[\d.]+)", result.output
    )
    refitted = re.search(
        r"refitted writing-v5\+northwind-outsourcing-1 +([\d.]+) +([\d.]+) +([\d.]+)",
        result.output,
    )
    assert current and refitted, result.output
    assert float(refitted.group(3)) > float(current.group(3))  # QWK on the held-out part
    assert "Nothing was changed" in result.output
    assert db_session.scalar(select(ScoringModel.id)) is None

    adopted = runner.invoke(args=["calibrate", "--organisation", ORG, "--seed", "3", "--adopt"])
    assert adopted.exit_code == 0, adopted.output
    assert "Adopted writing-v5+northwind-outsourcing-1" in adopted.output
    listed = runner.invoke(args=["calibrate", "--organisation", ORG, "--list"])
    assert re.search(r"writing-v5\+northwind-outsourcing-1 .* in use +n=30\+10", listed.output)


def test_calibrate_refuses_plainly(runner, org, other_org):
    unknown = runner.invoke(args=["calibrate", "--organisation", "Nobody Ltd"])
    assert unknown.exit_code == 1
    assert "No organisation is named Nobody Ltd." in unknown.output
    few = runner.invoke(args=["calibrate", "--organisation", other_org.name])
    assert few.exit_code == 1
    assert "Contoso Back Office has 0 rated attempt(s) that can be used" in few.output
    assert "Traceback" not in few.output
    listed = runner.invoke(args=["calibrate", "--organisation", other_org.name, "--list"])
    assert "uses the shipped model" in listed.output
