"""Property-based runs of schemathesis over the served OpenAPI document, against the app itself:
no 5xx, every status documented, every body and content type as documented; and without a
valid token, 401 on every operation that needs one."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assessor.candidate import attempts
from tests.services.test_exports import LAMP, LIMITS, score_card, scored_attempt
from tests.web.test_api import bearer, new_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def scored(db_session, invite, clock):
    """Two scored attempts and one in progress, so that responses carry real results."""
    card = score_card("support-en.toml", {"damaged-lamp-refund": LAMP})
    _, link = invite(name="Still Writing", email="w@example.com")
    started = attempts.start_attempt(db_session, link, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    return [started.id] + [
        scored_attempt(
            db_session,
            invite,
            clock,
            name=f"Candidate {i}",
            email=f"c{i}@example.com",
            texts={"damaged-lamp-refund": LAMP},
            card=card,
        )
        for i in range(2)
    ]


OPERATIONS = [
    "GET /results",
    "GET /results/{attempt_id}",
    "GET /banks",
    "POST /invitations",
]  # schemathesis leaves out the document's own path, GET /openapi.json (tested in test_api)
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def load(app):
    """The document as the app serves it; rate limits lifted (the run is about shapes)."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    app.config["API_AUTH_FAILURE_LIMIT"] = "100000 per minute"
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def cases(app, label: str, modes=MODES):
    operation = load(app).find_operation_by_label(label)
    assert operation is not None, label
    return st.one_of(*(operation.as_strategy(mode) for mode in modes))


def test_every_operation_is_exercised(app):
    labels = {op.ok().label for op in load(app).get_all_operations()}
    assert labels == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_the_api_conforms_to_its_document(app, scored, db_session, recruiter, clock, label):
    headers = bearer(new_token(db_session, recruiter, clock))

    @BOUNDED
    @given(case=cases(app, label))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("label", OPERATIONS)
def test_without_a_valid_token_every_operation_is_401(app, label):
    # Valid requests only: a path that matches no route (negative data) is a 404 for anyone.
    @BOUNDED
    @given(case=cases(app, label, [GenerationMode.POSITIVE]))
    def run(case):
        for headers in ({}, bearer("asr_" + "x" * 43), {"Authorization": "Basic YTpi"}):
            response = case.call(headers=headers)
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"][0].startswith("Bearer")
            case.validate_response(response, checks=CHECKS)

    run()


def test_a_real_result_conforms(app, scored, db_session, recruiter, clock):
    """The detail of a real attempt (random ids find nothing) against the document."""
    operation = load(app).find_operation_by_label("GET /results/{attempt_id}")
    headers = bearer(new_token(db_session, recruiter, clock))
    for attempt_id in scored:
        case = operation.Case(path_parameters={"attempt_id": attempt_id})
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == 200
        assert response.json()["tasks"]
        assert response.json()["state"] in ("in_progress", "scored")
