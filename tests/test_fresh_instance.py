"""A new or unmigrated database gets a plain answer: `assessor demo` migrates it and says so;
the other commands that use the database stop with one line naming the command to run;
/healthz says "not migrated" with 503. On SQLite and, with ASSESSOR_TEST_DATABASE_URL, on a new
PostgreSQL database."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from assessor import create_app, migrate
from assessor.db import database
from assessor.models import Organisation
from tests.conftest import BANKS

MIGRATE_FIRST = "is not migrated: run `assessor db upgrade` first."


def _app(url, tmp_path):
    instance = tmp_path / "fresh-instance"
    instance.mkdir(exist_ok=True)
    saved = os.environ["ASSESSOR_INSTANCE_PATH"]
    os.environ["ASSESSOR_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "DATABASE_URL": url,
                "LANGUAGETOOL_URLS": ["http://127.0.0.1:9"],
            }
        )
    finally:
        os.environ["ASSESSOR_INSTANCE_PATH"] = saved


@pytest.fixture
def fresh_app(fresh_url, tmp_path):
    app = _app(fresh_url, tmp_path)
    yield app
    database(app).dispose()


COMMANDS = {
    "run": ["run", "--port", "1"],
    "worker": ["worker", "--burst"],
    "sweep": ["sweep"],
    "export": ["export", "results", "--format", "csv", "--output", "{tmp}/out.csv"],
    "recruiters create": [
        "recruiters",
        "create",
        "--email",
        "ana@acme.example",
        "--name",
        "Ana",
        "--organisation",
        "Acme",
        "--password",
        "correct horse battery staple",
    ],
    "banks load": ["banks", "load", "--organisation", "Acme", str(BANKS / "support-en.toml")],
    "calibrate": ["calibrate", "--organisation", "Acme", "--list"],
    "scoring rescore": ["scoring", "rescore"],
    "webhooks deliver": ["webhooks", "deliver", "--once"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_on_an_unmigrated_database_stops_with_one_line_naming_the_fix(
    fresh_app, tmp_path, name
):
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[name]]
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: The database "), result.output
    assert lines[0].endswith(MIGRATE_FIRST)
    assert "Traceback" not in result.output and "sqlalche" not in result.output.lower()
    assert not (tmp_path / "out.csv").exists()
    with database(fresh_app).engine.connect() as connection:  # and nothing was created
        assert migrate.schema_state(connection).state == "not migrated"


def test_the_message_names_the_database_without_its_password(tmp_path):
    url = "postgresql+psycopg://assessor:s3cret-pass@127.0.0.1:9/nowhere"
    app = _app(url, tmp_path)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "cannot be reached (OperationalError)" in result.output
    assert "check ASSESSOR_DATABASE_URL" in result.output
    assert "s3cret-pass" not in result.output and "***" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_demo_migrates_a_new_database_says_so_and_loads_its_content(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(
        "The database was not migrated: migrated it (`assessor db upgrade`)."
    )
    assert "Assessor demo is ready." in first.output
    with database(fresh_app).Session() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) >= 1
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "migrated it" not in again.output
    assert runner.invoke(args=["sweep"]).exit_code == 0  # migrated: the others run now


def test_a_database_behind_the_code_names_both_migrations(fresh_app):
    scripts = migrate._scripts()
    first = next(s.revision for s in scripts.walk_revisions() if s.down_revision is None)
    migrate.upgrade(fresh_app, first)
    result = fresh_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    head = scripts.get_current_head()
    assert f"is at migration {first}, older than this version's {head}" in result.output
    assert "run `assessor db upgrade` first." in result.output


def test_healthz_says_not_migrated_with_503(fresh_app):
    response = fresh_app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False
    assert body["database"]["ok"] is False and body["database"]["state"] == "not migrated"
    assert body["queue"] == {"ok": False}
    migrate.upgrade(fresh_app)
    body = fresh_app.test_client().get("/healthz").get_json()
    assert body["database"]["ok"] is True and body["database"]["state"] == "current"
    assert body["queue"]["ok"] is True


def test_run_forks_gunicorn_with_none_of_the_masters_database_connections(app, monkeypatch):
    """The schema check connects in the master; its workers must not inherit that connection
    (two processes reading one socket get each other's rows: seen as HTTP 500s under load)."""
    from gunicorn.app.base import BaseApplication

    seen = {}

    def serve(server):  # instead of forking: what the workers would start from
        seen["pooled"] = database(app).engine.pool.checkedin()
        seen["post_fork"] = server.cfg.post_fork

    monkeypatch.setattr(BaseApplication, "run", serve)
    result = app.test_cli_runner().invoke(args=["run", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen["pooled"] == 0
    with database(app).engine.connect() as connection:  # as a forked worker's inherited pool
        raw = connection.connection.dbapi_connection
    assert database(app).engine.pool.checkedin() == 1
    seen["post_fork"](None, None)
    assert database(app).engine.pool.checkedin() == 0
    cursor = raw.cursor()  # dropped from the pool, not closed: the master's session goes on
    cursor.execute("SELECT 1")
    assert cursor.fetchone()[0] == 1
    raw.close()
