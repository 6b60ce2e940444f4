"""`assessor.db.use_case`: a use case owns its transaction, once, however deep the calls go."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import AttemptClosed, InvalidInput


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
    with Session(engine) as session:
        session.info["ends"] = []
        event.listen(session, "after_commit", lambda s: s.info["ends"].append("commit"))
        event.listen(session, "after_rollback", lambda s: s.info["ends"].append("rollback"))
        yield session
    engine.dispose()


def notes(session) -> list[str]:
    return list(session.scalars(text("SELECT body FROM note")))


@use_case
def write(session, body: str, fail: Exception | None = None) -> str:
    session.execute(text("INSERT INTO note VALUES (:b)"), {"b": body})
    if fail is not None:
        raise fail
    return body


@use_case
def write_two(session, fail: Exception | None = None) -> None:
    write(session, "first")
    write(session, "second", fail)


def test_a_use_case_commits_what_it_did(session):
    assert write(session, "hello") == "hello"
    assert session.info["ends"] == ["commit"] and notes(session) == ["hello"]


def test_one_that_calls_others_commits_once_at_the_end(session):
    write_two(session)
    assert session.info["ends"] == ["commit"] and notes(session) == ["first", "second"]


def test_a_refusal_changes_nothing_even_deep_inside(session):
    with pytest.raises(InvalidInput):
        write_two(session, InvalidInput("no"))
    assert session.info["ends"] == ["rollback"] and notes(session) == []


def test_an_exception_that_keeps_changes_commits_them_first(session):
    """An overdue attempt is finalised by its last save, which is then refused: the
    finalisation stays."""
    with pytest.raises(AttemptClosed):
        write(session, "finalised", AttemptClosed("over"))
    assert session.info["ends"] == ["commit"] and notes(session) == ["finalised"]
