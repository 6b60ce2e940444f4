"""Apply and check the Alembic migrations of an app's database, and say whether a database is
ready for this code."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from assessor.db import Base, database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app, revision: str = "head") -> None:
    db = database(app)
    with db.engine.begin() as connection:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def drift(app) -> list:
    """Differences between the models and the migrated database (empty when in step)."""
    from assessor import models  # noqa: F401

    with database(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def revision(app, message: str) -> None:
    db = database(app)
    command.revision(alembic_config(db.url), message=message, autogenerate=True)


class SchemaNotReady(Exception):
    """The database cannot serve this code yet; the message says what to run, in one line."""


@dataclass(frozen=True)
class SchemaState:
    """``state`` is "current", "not migrated" (no migration applied: a new database),
    "behind" (older than this code) or "ahead" (migrated by a newer Assessor)."""

    state: str
    revision: str | None
    head: str


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def schema_state(connection) -> SchemaState:
    """What the database behind ``connection`` holds, compared with this code's migrations."""
    head = _scripts().get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return SchemaState("not migrated", None, head)
    if current == head:
        return SchemaState("current", current, head)
    known = {script.revision for script in _scripts().walk_revisions()}
    return SchemaState("behind" if current in known else "ahead", current, head)


def require_schema(app) -> None:
    """Raise SchemaNotReady unless the app's database is reachable and migrated to head."""
    found, where = _schema(app)
    if found.state == "not migrated":
        raise SchemaNotReady(
            f"The database {where} is not migrated: run `assessor db upgrade` first."
        )
    if found.state == "behind":
        raise SchemaNotReady(
            f"The database {where} is at migration {found.revision}, older than this "
            f"version's {found.head}: run `assessor db upgrade` first."
        )
    if found.state == "ahead":
        raise _ahead(found, where)


def ensure_schema(app) -> bool:
    """Migrate the app's database when it is new or behind; True when it did."""
    found, where = _schema(app)
    if found.state == "ahead":
        raise _ahead(found, where)
    if found.state == "current":
        return False
    upgrade(app)
    return True


def _schema(app) -> tuple[SchemaState, str]:
    db = database(app)
    where = make_url(db.url).render_as_string(hide_password=True)
    try:
        with db.engine.connect() as connection:
            return schema_state(connection), where
    except SQLAlchemyError as exc:
        raise SchemaNotReady(
            f"The database {where} cannot be reached ({type(exc).__name__}): check "
            "ASSESSOR_DATABASE_URL and that the server is running."
        ) from exc


def _ahead(found: SchemaState, where: str) -> SchemaNotReady:
    return SchemaNotReady(
        f"The database {where} was migrated by a newer version of Assessor "
        f"({found.revision}): run that version, or restore a backup made for this one."
    )
