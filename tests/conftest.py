"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when
``ASSESSOR_TEST_DATABASE_URL`` is set), its clients, a controllable clock and sample data."""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assessor import create_app
from assessor.candidate.invitations import create_invitation
from assessor.db import Base, database
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from assessor.recruiter.services.recruiters import create_user, get_or_create_organisation

pytest_plugins = [
    "tests.plugins.languagetool_server",
    "tests.plugins.language_model",
    "tests.plugins.browser",
    "tests.plugins.redis_server",
]

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "question_banks"
PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: the fixed instant tests start from
IN_CI = os.environ.get("CI") == "true"


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = T0):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture(scope="session", autouse=True)
def isolated_instance(tmp_path_factory):
    """Never read the developer's instance/ folder (its config.py, secret key or database)."""
    saved = os.environ.get("ASSESSOR_INSTANCE_PATH")
    os.environ["ASSESSOR_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    yield
    if saved is None:
        os.environ.pop("ASSESSOR_INSTANCE_PATH", None)
    else:
        os.environ["ASSESSOR_INSTANCE_PATH"] = saved


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated empty database: a SQLite file to copy, or a PostgreSQL URL to truncate."""
    url = os.environ.get("ASSESSOR_TEST_DATABASE_URL")
    if url:
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


def _migrate(url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    from assessor import migrate

    if url.startswith("postgresql"):
        with database(app).engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(app)
    database(app).dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if isinstance(database_template, str):
        engine = create_engine(database_template)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            # A connection an earlier test left in a transaction would block this for ever:
            # fail within seconds, naming the cause, instead of hanging the run.
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return database_template
    path = tmp_path / "assessor.db"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def new_database(database_template, tmp_path):
    """Makes databases that exist and hold nothing: new SQLite files, or new PostgreSQL
    databases beside the test database (dropped afterwards)."""
    made: list[str] = []
    admin = None
    if isinstance(database_template, str):
        admin = create_engine(database_template, isolation_level="AUTOCOMMIT")

    def make() -> str:
        name = f"assessor_new_{secrets.token_hex(4)}"
        made.append(name)
        if admin is None:
            return f"sqlite:///{tmp_path / name}.db"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(database_template).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_url(new_database):
    return new_database()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(database_url, clock, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    saved = os.environ["ASSESSOR_INSTANCE_PATH"]
    os.environ["ASSESSOR_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "DATABASE_URL": database_url,
                "CLOCK": clock,
                "SESSION_COOKIE_SECURE": False,
                "REMEMBER_COOKIE_SECURE": False,
            }
        )
    finally:
        os.environ["ASSESSOR_INSTANCE_PATH"] = saved
    yield app
    database(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """A session for arranging and checking; deferred transactions, so it never holds the write
    lock while the code under test runs (commit or roll back before reading fresh state)."""
    with database(app).Session() as session:
        yield session


@pytest.fixture
def org(db_session):
    org = get_or_create_organisation(db_session, "Northwind Outsourcing")
    db_session.commit()
    return org


@pytest.fixture
def other_org(db_session):
    org = get_or_create_organisation(db_session, "Contoso Back Office")
    db_session.commit()
    return org


def make_user(session, organisation, email, role="recruiter"):
    user = create_user(
        session,
        organisation=organisation,
        email=email,
        name=email.split("@")[0],
        password=PASSWORD,
        role=role,
    )
    session.commit()
    return user


@pytest.fixture
def recruiter(db_session, org):
    return make_user(db_session, org, "rita@northwind.example")


@pytest.fixture
def admin(db_session, org):
    return make_user(db_session, org, "adam@northwind.example", role="admin")


def login(client, email, password=PASSWORD):
    """Log in through the real form, CSRF token included."""
    from tests.web.forms import csrf_from

    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def recruiter_client(client, recruiter):
    response = login(client, recruiter.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def bank(db_session, org):
    """The shipped English support bank, adopted by the organisation."""
    loaded = load_bank(BANKS / "support-en.toml")
    import_bank(db_session, org, loaded)
    db_session.commit()
    from sqlalchemy import select

    from assessor.models import Bank

    return db_session.scalar(
        select(Bank).where(Bank.slug == loaded.id, Bank.organisation_id == org.id)
    )


@pytest.fixture
def invite(db_session, org, bank, clock):
    """A factory of invitations; returns (invitation, token)."""

    def make(name="Asha Candidate", email="asha@example.com", extra_minutes=0, bank_id=None):
        invitation, token = create_invitation(
            db_session,
            organisation_id=org.id,
            bank_id=bank_id or bank.id,
            candidate_name=name,
            candidate_email=email,
            created_by_id=None,
            now=clock(),
            valid_days=14,
            extra_minutes=extra_minutes,
        )
        db_session.commit()
        return invitation, token

    return make
